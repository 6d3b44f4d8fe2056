//! A mock runtime that plays several networks, each its own externalities, with the real event
//! router between them. Networks are numbered from 1 (three in the pallet tests, four in the
//! simulation); on every network the lane to network `n` is lane `n`. Packets queued on lanes are
//! collected here for a test (or the simulated relayer) to deliver, and every network's inbound
//! lane state is recorded at each of its "finalized blocks" so that proofs of non-delivery can
//! only cite states that existed.

use crate::{self as pallet_resource_manager, *};
use core::cell::RefCell;
use frame_support::{derive_impl, parameter_types, traits::ConstU128};
use pallet_event_router::{
	traits::PeerLaneState, DeliveryProver, Failure, RemoteOrigin, Service, ServiceHandler,
	Transport,
};
use plexus_primitives::contract::{ContractCall, ContractOutcome};
use sp_runtime::{BuildStorage, DispatchError};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Clock: pallet_timestamp,
		Balances: pallet_balances,
		EventRouter: pallet_event_router,
		ResourceManager: pallet_resource_manager,
	}
);

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const ENDOWMENT: Balance = 1_000_000;
pub const BASE_FEE: Balance = 100;
pub const BYTE_FEE: Balance = 1;

/// Network `n`'s address.
pub const fn address(n: u8) -> NetworkAddress {
	[n; 32]
}

pub const A: NetworkAddress = address(1);
pub const B: NetworkAddress = address(2);
pub const C: NetworkAddress = address(3);

parameter_types! {
	pub storage ThisNetwork: NetworkAddress = A;
	pub const MaxDispatchWeight: Weight = Weight::from_parts(1_000_000_000, 64 * 1024);
	pub const BaseFee: Balance = BASE_FEE;
	pub const ByteFee: Balance = BYTE_FEE;
}

/// How long a finished or past-deadline transaction is kept: a minute, so tests reach it.
pub const RETENTION_MS: u64 = 60_000;
pub const MAX_RECORDS: u32 = 3;
pub const MAX_SWEEP: u32 = 4;

/// A packet on its way: from which network, on which lane nonce, its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
	pub from: u8,
	pub to: u8,
	pub nonce: u64,
	pub bytes: Vec<u8>,
}

/// A finalized state of one network's inbound lane from another, as a light client knows it.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Snapshot {
	pub network: u8,
	pub from: u8,
	pub last_delivered_nonce: u64,
	pub height: u32,
	pub timestamp: u64,
}

thread_local! {
	pub static OUTBOX: RefCell<Vec<Queued>> = const { RefCell::new(Vec::new()) };
	/// Every state any network finalized; a proof is good only if it is one of these.
	pub static HISTORY: RefCell<Vec<Snapshot>> = const { RefCell::new(Vec::new()) };
}

pub fn this_index() -> u8 {
	ThisNetwork::get()[0]
}

fn inbound_key(from: u8) -> Vec<u8> {
	[b"mock-inbound-lane".as_slice(), &[from]].concat()
}

/// The last lane nonce this network received from network `from`.
pub fn last_delivered(from: u8) -> u64 {
	frame_support::storage::unhashed::get_or_default(&inbound_key(from))
}

pub struct MockTransport;

impl Transport for MockTransport {
	type Lane = u8;

	fn send(lane: u8, packet: Vec<u8>) -> Result<u64, DispatchError> {
		let key = [b"mock-outbound-lane".as_slice(), &[lane]].concat();
		let nonce = frame_support::storage::unhashed::get_or_default::<u64>(&key) + 1;
		frame_support::storage::unhashed::put(&key, &nonce);
		OUTBOX.with(|outbox| {
			outbox.borrow_mut().push(Queued { from: this_index(), to: lane, nonce, bytes: packet })
		});
		Ok(nonce)
	}

	fn max_packet_size() -> u32 {
		4 * 1024
	}
}

/// Accepts a snapshot of the peer behind `lane` only if that network really finalized it.
pub struct MockProver;

impl DeliveryProver<u8> for MockProver {
	type Proof = Snapshot;

	fn prove_not_delivered(
		lane: u8,
		nonce: u64,
		timeout: &Timeout,
		height_applies: bool,
		proof: Snapshot,
	) -> DispatchResult {
		ensure!(
			proof.network == lane && proof.from == this_index(),
			DispatchError::Other("a proof about another lane")
		);
		ensure!(
			HISTORY.with(|history| history.borrow().contains(&proof)),
			DispatchError::Other("forged proof")
		);
		let state = PeerLaneState {
			last_delivered_nonce: proof.last_delivered_nonce,
			height: proof.height,
			timestamp: proof.timestamp,
		};
		ensure!(
			state.proves_late(nonce, timeout, height_applies),
			DispatchError::Other("the proof does not show a late packet")
		);
		Ok(())
	}
}

/// Contracts by the first byte of their address: 1 returns its input, 2 reverts, anything else
/// does not exist. Every call that runs writes `CONTRACT_TOUCHED`, so rollbacks can be seen.
pub struct MockEngine;

pub const ECHO: [u8; 20] = [1; 20];
pub const REVERTS: [u8; 20] = [2; 20];
pub const CONTRACT_TOUCHED: &[u8] = b"mock-contract-touched";
pub const CALL_WEIGHT: Weight = Weight::from_parts(50_000, 0);

impl ContractEngine<AccountId> for MockEngine {
	fn execute(caller: &AccountId, call: &ContractCall) -> Result<ContractOutcome, Failure> {
		let ContractCall::Call { contract, input, .. } = call else {
			return Err(Failure::ServiceUnavailable);
		};
		let reverted = match contract[0] {
			1 => false,
			2 => true,
			_ => return Err(Failure::Dispatch),
		};
		if !reverted {
			frame_support::storage::unhashed::put(CONTRACT_TOUCHED, caller);
		}
		Ok(ContractOutcome {
			contract: *contract,
			reverted,
			return_data: input.clone(),
			logs_digest: [0; 32],
			weight_used: CALL_WEIGHT,
		})
	}
}

/// A remote account is the account number with the network's index in its top byte.
pub struct MockRemoteAccount;

impl sp_runtime::traits::Convert<(NetworkAddress, AccountId), AccountId> for MockRemoteAccount {
	fn convert((network, account): (NetworkAddress, AccountId)) -> AccountId {
		(u64::from(network[0]) << 56) | account
	}
}

pub fn remote(network: NetworkAddress, account: AccountId) -> AccountId {
	<MockRemoteAccount as sp_runtime::traits::Convert<_, _>>::convert((network, account))
}

/// Serves only the resource manager's commit requests.
pub struct MockServices;

impl ServiceHandler<AccountId> for MockServices {
	fn serves(service: Service) -> bool {
		service == Service::Transaction
	}

	fn execute(
		origin: RemoteOrigin<'_, AccountId>,
		_service: Service,
		payload: &[u8],
		max_weight: Weight,
	) -> (Result<Vec<u8>, Failure>, Weight) {
		ResourceManager::commit(origin, payload, max_weight)
	}
}

impl pallet_event_router::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Transport = MockTransport;
	type DeliveryProver = MockProver;
	type Services = MockServices;
	type OnSettled = ResourceManager;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type ThisNetwork = ThisNetwork;
	type UnixTime = Clock;
	type MaxPayloadSize = frame_support::traits::ConstU32<2048>;
	type MaxDispatchWeight = MaxDispatchWeight;
	type BaseFee = BaseFee;
	type ByteFee = ByteFee;
	// No fee for the dispatch weight here: the router's own tests cover it.
	type WeightToFee = frame_support::weights::FixedFee<0, Balance>;
	type MaxRequestLifetime = frame_support::traits::ConstU64<{ 24 * 3_600_000 }>;
	type Retention = frame_support::traits::ConstU64<3_600_000>;
	type MaxSweepPerBlock = frame_support::traits::ConstU32<64>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarks;
}

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Router = EventRouter;
	type Contracts = MockEngine;
	type RemoteAccount = MockRemoteAccount;
	type ThisNetwork = ThisNetwork;
	type UnixTime = Clock;
	type MaxKeyLen = frame_support::traits::ConstU32<32>;
	type MaxValueLen = frame_support::traits::ConstU32<256>;
	type MaxResultLen = frame_support::traits::ConstU32<64>;
	type Retention = frame_support::traits::ConstU64<RETENTION_MS>;
	type MaxRecordsPerOwner = frame_support::traits::ConstU32<MAX_RECORDS>;
	type MaxSweepPerBlock = frame_support::traits::ConstU32<MAX_SWEEP>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarks;
}

/// The benchmarks run on network A, whose lanes to B and C are bound at genesis.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarks;

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper for MockBenchmarks {
	fn routable_target() -> NetworkAddress {
		B
	}
}

/// The router's benchmarks are not run here; its helper only has to exist.
#[cfg(feature = "runtime-benchmarks")]
impl pallet_event_router::traits::BenchmarkHelper<u8, Snapshot> for MockBenchmarks {
	fn lanes() -> (u8, u8) {
		(2, 3)
	}

	fn late_proof(lane: u8, nonce: u64, _timeout: &Timeout) -> Snapshot {
		Snapshot {
			network: lane,
			from: 1,
			last_delivered_nonce: nonce - 1,
			height: u32::MAX,
			timestamp: u64::MAX,
		}
	}
}

#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	reset();
	let mut ext = network(1, 3);
	// Benchmarks with components wipe the state back to what the backend holds between runs.
	ext.commit_all().expect("the genesis state commits");
	ext
}

/// Starting time of every network, in Unix ms.
pub const GENESIS_MS: u64 = 1_000_000;

/// Network `n` of `count`, bridged to every other: ALICE, BOB and CHARLIE endowed, and the
/// remote accounts of ALICE from every other network.
pub fn network(n: u8, count: u8) -> sp_io::TestExternalities {
	let mut balances = vec![(ALICE, ENDOWMENT), (BOB, ENDOWMENT), (CHARLIE, ENDOWMENT)];
	for other in (1..=count).filter(|other| *other != n) {
		balances.push((remote(address(other), ALICE), ENDOWMENT));
	}
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		ThisNetwork::set(&address(n));
		System::set_block_number(1);
		pallet_timestamp::Now::<Test>::put(GENESIS_MS);
		for other in (1..=count).filter(|other| *other != n) {
			pallet_event_router::Pallet::<Test>::bind_peer(
				RuntimeOrigin::root(),
				address(other),
				other,
			)
			.unwrap();
		}
	});
	ext
}

/// Hands one queued packet to the network it is for (call inside that network), as the bridge
/// pallets would: only the next nonce of its lane is accepted. Returns whether it was.
pub fn receive(packet: &Queued) -> bool {
	if packet.nonce != last_delivered(packet.from) + 1 {
		return false;
	}
	frame_support::storage::unhashed::put(&inbound_key(packet.from), &packet.nonce);
	pallet_event_router::Pallet::<Test>::receive(packet.from, &packet.bytes);
	true
}

/// Moves this network's block number forward, runs the resource manager's `on_initialize` (at
/// the previous block's time, as in a runtime), moves the clock forward, and records the
/// finalized state of its inbound lanes from networks `1..=count`.
pub fn next_block(ms: u64, count: u8) {
	use frame_support::traits::Hooks;
	let height = System::block_number() + 1;
	System::set_block_number(height);
	ResourceManager::on_initialize(height);
	pallet_timestamp::Now::<Test>::mutate(|now| *now += ms);
	finalize(count);
}

/// Records the current state of this network's inbound lanes as finalized.
pub fn finalize(count: u8) {
	let me = this_index();
	let (height, timestamp) = (System::block_number() as u32, pallet_timestamp::Now::<Test>::get());
	HISTORY.with(|history| {
		let mut history = history.borrow_mut();
		for from in (1..=count).filter(|from| *from != me) {
			history.push(Snapshot {
				network: me,
				from,
				last_delivered_nonce: last_delivered(from),
				height,
				timestamp,
			});
		}
	});
}

pub fn drain_outbox() -> Vec<Queued> {
	OUTBOX.with(|outbox| core::mem::take(&mut *outbox.borrow_mut()))
}

pub fn reset() {
	drain_outbox();
	HISTORY.with(|history| history.borrow_mut().clear());
}

pub fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ResourceManager(event) => Some(event),
			_ => None,
		})
		.collect()
}
