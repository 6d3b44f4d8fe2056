//! A mock runtime that can play several networks: each network is its own externalities, the
//! network's address lives in its storage, and packets queued on a lane are collected so a test
//! can deliver them (or not) to the peer's externalities, as a relayer would.

use crate::{self as pallet_event_router, traits::PeerLaneState, *};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, Hooks},
	weights::WeightToFee,
};
use sp_runtime::{BuildStorage, DispatchError};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		EventRouter: pallet_event_router,
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

pub const A: NetworkAddress = [0xaa; 32];
pub const B: NetworkAddress = [0xbb; 32];
pub const C: NetworkAddress = [0xcc; 32];
pub const D: NetworkAddress = [0xdd; 32];

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const BASE_FEE: Balance = 100;
pub const BYTE_FEE: Balance = 2;
/// The mock lanes carry packets up to this size, unless a test lowers it (`PACKET_LIMIT`).
pub const MAX_PACKET: u32 = 512;
pub const MAX_PAYLOAD: u32 = 256;
/// One hour: how far ahead `send` accepts a timeout.
pub const LIFETIME: u64 = 3_600_000;
/// Ten minutes: how long receipts, forwarding records and outcomes outlive their window.
pub const RETENTION: u64 = 600_000;
pub const MAX_SWEEP: u32 = 4;
/// The relayer a delivery confirmation names.
pub const RELAYER: AccountId = 9;

parameter_types! {
	pub storage ThisNetwork: NetworkAddress = A;
	pub const MaxDispatchWeight: Weight = Weight::from_parts(1_000_000_000, 64 * 1024);
	pub const BaseFee: Balance = BASE_FEE;
	pub const ByteFee: Balance = BYTE_FEE;
	pub const MaxRequestLifetime: u64 = LIFETIME;
	pub const Retention: u64 = RETENTION;
	pub const MaxSweepPerBlock: u32 = MAX_SWEEP;
}

/// One unit of fee per thousand units of compute weight.
pub struct WeightFee;

impl WeightToFee for WeightFee {
	type Balance = Balance;

	fn weight_to_fee(weight: &Weight) -> Balance {
		Balance::from(weight.ref_time() / 1_000)
	}
}

thread_local! {
	/// Packets queued on lanes, in order, with their lane nonce.
	pub static OUTBOX: RefCell<Vec<(u8, u64, Vec<u8>)>> = const { RefCell::new(Vec::new()) };
	/// Lanes that refuse packets.
	pub static CLOSED_LANES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
	/// The largest packet the lanes take.
	pub static PACKET_LIMIT: core::cell::Cell<u32> = const { core::cell::Cell::new(MAX_PACKET) };
}

/// Each network numbers its own lanes; the counter lives in that network's storage.
pub struct MockTransport;

impl Transport for MockTransport {
	type Lane = u8;

	fn send(lane: u8, packet: Vec<u8>) -> Result<u64, DispatchError> {
		if CLOSED_LANES.with(|closed| closed.borrow().contains(&lane)) {
			return Err(DispatchError::Other("lane closed"));
		}
		let key = [b"mock-lane-nonce".as_slice(), &[lane]].concat();
		let nonce = frame_support::storage::unhashed::get_or_default::<u64>(&key) + 1;
		frame_support::storage::unhashed::put(&key, &nonce);
		OUTBOX.with(|outbox| outbox.borrow_mut().push((lane, nonce, packet)));
		Ok(nonce)
	}

	fn max_packet_size() -> u32 {
		PACKET_LIMIT.with(|limit| limit.get())
	}
}

/// A proof whose cryptography the test decides (`authentic`); the router must still check that
/// what it proves is a late, undelivered packet.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct MockProof {
	pub authentic: bool,
	pub last_delivered_nonce: u64,
	pub height: u32,
	pub timestamp: u64,
	/// What a larger proof would carry besides: it counts against the router's size bound.
	pub padding: Vec<u8>,
}

impl MockProof {
	/// An authentic proof of the peer's lane, height and clock.
	pub fn of(last_delivered_nonce: u64, height: u32, timestamp: u64) -> Self {
		Self { authentic: true, last_delivered_nonce, height, timestamp, padding: Vec::new() }
	}
}

pub struct MockProver;

impl DeliveryProver<u8> for MockProver {
	type Proof = MockProof;

	fn prove_not_delivered(
		_lane: u8,
		nonce: u64,
		timeout: &Timeout,
		height_applies: bool,
		proof: MockProof,
	) -> DispatchResult {
		ensure!(proof.authentic, DispatchError::Other("forged proof"));
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

/// Serves `Service::Xcm` with a toy instruction set (the first payload byte):
/// 0 = succeed and echo the payload; 1 = write storage then fail; 2 = claim more weight than
/// allowed; anything else is malformed.
pub struct MockServices;

pub const TOUCHED_KEY: &[u8] = b"mock-service-touched";

impl ServiceHandler<AccountId> for MockServices {
	fn serves(service: Service) -> bool {
		service == Service::Xcm
	}

	fn execute(
		origin: RemoteOrigin<'_, AccountId>,
		_service: Service,
		payload: &[u8],
		max_weight: Weight,
	) -> (Result<Vec<u8>, Failure>, Weight) {
		let used = Weight::from_parts(1_000, 0);
		frame_support::storage::unhashed::put(TOUCHED_KEY, &(*origin.network, *origin.account));
		match payload.first() {
			Some(0) => (Ok(payload.to_vec()), used),
			Some(1) => (Err(Failure::Module { index: 9, error: [1, 0, 0, 0] }), used),
			Some(2) => (Err(Failure::WeightLimitExceeded), max_weight),
			_ => (Err(Failure::MalformedPayload), used),
		}
	}
}

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Transport = MockTransport;
	type DeliveryProver = MockProver;
	type Services = MockServices;
	type OnSettled = ();
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type ThisNetwork = ThisNetwork;
	type UnixTime = Timestamp;
	type MaxPayloadSize = frame_support::traits::ConstU32<MAX_PAYLOAD>;
	type MaxDispatchWeight = MaxDispatchWeight;
	type BaseFee = BaseFee;
	type ByteFee = ByteFee;
	type WeightToFee = WeightFee;
	type MaxRequestLifetime = MaxRequestLifetime;
	type Retention = Retention;
	type MaxSweepPerBlock = MaxSweepPerBlock;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct BenchHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::traits::BenchmarkHelper<u8, MockProof> for BenchHelper {
	fn lanes() -> (u8, u8) {
		(1, 2)
	}

	fn late_proof(_lane: u8, nonce: u64, _timeout: &Timeout) -> MockProof {
		MockProof::of(nonce - 1, u32::MAX, u64::MAX)
	}
}

#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	network(A)
}

/// One network's externalities: ALICE and BOB endowed, the clock at 1_000_000 ms, block 1.
pub fn network(address: NetworkAddress) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 10_000), (BOB, 10_000)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		ThisNetwork::set(&address);
		System::set_block_number(1);
		pallet_timestamp::Now::<Test>::put(1_000_000);
	});
	ext
}

/// Takes every packet queued so far.
pub fn drain_outbox() -> Vec<(u8, u64, Vec<u8>)> {
	OUTBOX.with(|outbox| core::mem::take(&mut *outbox.borrow_mut()))
}

pub fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::EventRouter(event) => Some(event),
			_ => None,
		})
		.collect()
}

pub fn set_now(ms: u64) {
	pallet_timestamp::Now::<Test>::put(ms);
}

/// A new block whose clock reads `ms`: the router's sweep runs first, as in a runtime. A chain
/// makes blocks all along, and its sweep keeps up with the minutes: when the clock jumps, a block
/// is made at every minute on the way (their weights are not returned).
pub fn next_block_at(ms: u64) -> Weight {
	let bucket = plexus_primitives::retention::BUCKET_MS;
	let mut at = (pallet_timestamp::Now::<Test>::get() / bucket + 1) * bucket;
	while at < ms {
		block_at(at);
		at += bucket;
	}
	block_at(ms)
}

fn block_at(ms: u64) -> Weight {
	set_now(ms);
	System::set_block_number(System::block_number() + 1);
	EventRouter::on_initialize(System::block_number())
}

/// The next hop confirms that `relayer` delivered packets `nonces` of `lane`, as the bridge's
/// delivery confirmation does on this network.
pub fn confirm_delivery(
	lane: u8,
	relayer: AccountId,
	nonces: core::ops::RangeInclusive<u64>,
) -> u32 {
	EventRouter::on_delivery_confirmed(lane, &relayer, nonces)
}
