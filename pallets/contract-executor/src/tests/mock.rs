//! A mock runtime with a scripted engine and a coordinator that records what it is asked to
//! open, so the executor can be tested without pallet-revive or a second network.

use crate::{self as pallet_contract_executor, *};
use core::cell::RefCell;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64},
};
use plexus_primitives::{envelope::Timeout, transaction::Hold};
use sp_runtime::{BuildStorage, DispatchError};

pub type AccountId = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		ContractExecutor: pallet_contract_executor,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

pub const ALICE: AccountId = 1;
pub const REMOTE_NET: NetworkAddress = [0xaa; 32];
pub const TARGET_NET: NetworkAddress = [0xcc; 32];

/// Contracts by the first byte of their address: 1 echoes its input and emits one log, 2
/// reverts, 3 returns too much; anything else cannot run. A deployment creates `DEPLOYED`.
pub const ECHO: ContractAddress = [1; 20];
pub const REVERTS: ContractAddress = [2; 20];
pub const VERBOSE: ContractAddress = [3; 20];
pub const MISSING: ContractAddress = [9; 20];
pub const DEPLOYED: ContractAddress = [7; 20];
pub const USED: Weight = Weight::from_parts(40_000, 100);
pub const TOUCHED: &[u8] = b"mock-engine-touched";
pub const MAX_RETURN: u32 = 64;

pub struct MockEngine;

impl ContractEngine<AccountId> for MockEngine {
	fn execute(caller: &AccountId, call: &ContractCall) -> Result<ContractOutcome, Failure> {
		let (contract, output) = match call {
			ContractCall::Call { contract, input, .. } => (*contract, input.clone()),
			ContractCall::Instantiate { .. } => (DEPLOYED, Vec::new()),
		};
		let (reverted, return_data) = match contract[0] {
			1 | 7 => (false, output),
			2 => (true, b"no".to_vec()),
			3 => (false, vec![0; MAX_RETURN as usize + 1]),
			_ => return Err(Failure::Dispatch),
		};
		// A reverted call leaves nothing behind, as in pallet-revive.
		if !reverted {
			frame_support::storage::unhashed::put(TOUCHED, caller);
		}
		Ok(ContractOutcome {
			contract,
			reverted,
			return_data,
			logs_digest: sp_io::hashing::blake2_256(b"one log"),
			weight_used: USED,
		})
	}
}

/// One request to open a transaction, as the coordinator received it.
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
	pub initiator: AccountId,
	pub target: NetworkAddress,
	pub action: Action<AccountId>,
	pub deadline: Timeout,
	pub outcome_hash: [u8; 32],
}

thread_local! {
	pub static OPENED: RefCell<Vec<Opened>> = const { RefCell::new(Vec::new()) };
	pub static REFUSE: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
	pub static NOW: core::cell::Cell<u64> = const { core::cell::Cell::new(START) };
}

/// The clock, in Unix ms: starts at [`START`], moved by [`set_now`].
pub const START: u64 = 1_700_000_000_000;
/// One hour, as in the runtime.
pub const RETENTION: u64 = 3_600_000;
pub const MAX_SWEEP: u32 = 4;

pub struct MockTime;

impl frame_support::traits::UnixTime for MockTime {
	fn now() -> core::time::Duration {
		core::time::Duration::from_millis(NOW.with(|now| now.get()))
	}
}

pub fn set_now(ms: u64) {
	NOW.with(|now| now.set(ms));
}

pub fn now() -> u64 {
	NOW.with(|now| now.get())
}

pub const OPEN_WEIGHT: Weight = Weight::from_parts(30_000, 0);

pub struct MockCoordinator;

impl Coordinator<AccountId> for MockCoordinator {
	fn open(
		initiator: &AccountId,
		target: NetworkAddress,
		action: Action<AccountId>,
		deadline: Timeout,
		_hold: Option<Hold<AccountId>>,
		outcome_hash: [u8; 32],
	) -> Result<TxId, DispatchError> {
		if REFUSE.with(|refuse| refuse.get()) {
			return Err(DispatchError::Other("no route"));
		}
		let sequence = OPENED.with(|opened| {
			let mut opened = opened.borrow_mut();
			opened.push(Opened { initiator: *initiator, target, action, deadline, outcome_hash });
			opened.len() as u64 - 1
		});
		Ok(TxId { coordinator: [0xbb; 32], sequence })
	}

	fn open_weight(_: u32) -> Weight {
		OPEN_WEIGHT
	}
}

pub struct MockRemoteAccount;

impl Convert<(NetworkAddress, AccountId), AccountId> for MockRemoteAccount {
	fn convert((network, account): (NetworkAddress, AccountId)) -> AccountId {
		(u64::from(network[0]) << 56) | account
	}
}

impl Config for Test {
	type Engine = MockEngine;
	type Coordinator = MockCoordinator;
	type RemoteAccount = MockRemoteAccount;
	type MaxReturnData = ConstU32<MAX_RETURN>;
	type UnixTime = MockTime;
	type Retention = ConstU64<RETENTION>;
	type MaxSweepPerBlock = ConstU32<MAX_SWEEP>;
	type WeightInfo = ();
}

/// Runs blocks a minute apart, as a chain does (more often, in fact), until the clock reads
/// `ms`.
pub fn run_until(ms: u64) {
	while now() < ms {
		set_now((now() + plexus_primitives::retention::BUCKET_MS).min(ms));
		next_block();
	}
}

/// The next block's `on_initialize`: the sweep.
pub fn next_block() -> Weight {
	use frame_support::traits::Hooks;
	System::set_block_number(System::block_number() + 1);
	ContractExecutor::on_initialize(System::block_number())
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	OPENED.with(|opened| opened.borrow_mut().clear());
	REFUSE.with(|refuse| refuse.set(false));
	set_now(START);
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

pub fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ContractExecutor(event) => Some(event),
			_ => None,
		})
		.collect()
}

pub fn opened() -> Vec<Opened> {
	OPENED.with(|opened| opened.borrow().clone())
}
