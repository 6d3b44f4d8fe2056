//! A mock runtime that plays every network of [`super`]: the event router over balances and a
//! clock, with lanes that queue packets for the driver to deliver, a prover whose proofs the
//! driver makes honestly from a peer's sealed states, and a toy service. Like the pallet's own
//! test mock (compiled only under `cfg(test)` there, hence this copy), but with any number of
//! networks and lanes that can be closed per network.

use codec::{Decode, DecodeWithMemTracking, Encode};
use core::cell::RefCell;
use frame_support::{
	derive_impl, ensure, parameter_types,
	traits::{ConstU128, ConstU32},
	weights::{Weight, WeightToFee},
};
use pallet_event_router::{
	traits::PeerLaneState, DeliveryProver, Failure, NetworkAddress, RemoteOrigin, Service,
	ServiceHandler, Timeout, Transport,
};
use scale_info::TypeInfo;
use sp_runtime::{DispatchError, DispatchResult};
use std::collections::BTreeSet;

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Mock>;

frame_support::construct_runtime!(
	pub enum Mock {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		EventRouter: pallet_event_router,
	}
);

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Mock {}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Mock {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Mock {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
/// The relayer delivery confirmations name (a new account, paid out of fee holds).
pub const RELAYER: AccountId = 3;
pub const ENDOWMENT: Balance = 1_000_000;
pub const MAX_PACKET: u32 = 4096;
pub const MAX_PAYLOAD: u32 = 1024;

parameter_types! {
	pub storage ThisNetwork: NetworkAddress = [0; 32];
	pub const MaxDispatchWeight: Weight = Weight::from_parts(1_000_000_000, 64 * 1024);
	pub const BaseFee: Balance = 100;
	pub const ByteFee: Balance = 2;
	/// Ten minutes: sends ask for up to two.
	pub const MaxRequestLifetime: u64 = 600_000;
	/// A minute, so that the driver's clocks pass many windows.
	pub const Retention: u64 = 60_000;
}

/// One unit of fee per million units of compute weight.
pub struct WeightFee;

impl WeightToFee for WeightFee {
	type Balance = Balance;

	fn weight_to_fee(weight: &Weight) -> Balance {
		Balance::from(weight.ref_time() / 1_000_000)
	}
}

thread_local! {
	/// Packets queued on lanes since the driver last looked: (lane, nonce, packet).
	pub static OUTBOX: RefCell<Vec<(u8, u64, Vec<u8>)>> = const { RefCell::new(Vec::new()) };
	/// (network, lane) pairs whose lane refuses packets.
	pub static CLOSED: RefCell<BTreeSet<(NetworkAddress, u8)>> = const { RefCell::new(BTreeSet::new()) };
}

/// Each network numbers its own lanes; the counters live in that network's storage.
pub struct MockTransport;

impl Transport for MockTransport {
	type Lane = u8;

	fn send(lane: u8, packet: Vec<u8>) -> Result<u64, DispatchError> {
		let this = ThisNetwork::get();
		if CLOSED.with(|closed| closed.borrow().contains(&(this, lane))) {
			return Err(DispatchError::Other("lane closed"));
		}
		if packet.len() > MAX_PACKET as usize {
			return Err(DispatchError::Other("packet too large"));
		}
		let key = [b"fuzz-lane-nonce".as_slice(), &[lane]].concat();
		let nonce = frame_support::storage::unhashed::get_or_default::<u64>(&key) + 1;
		frame_support::storage::unhashed::put(&key, &nonce);
		OUTBOX.with(|outbox| outbox.borrow_mut().push((lane, nonce, packet)));
		Ok(nonce)
	}

	fn max_packet_size() -> u32 {
		MAX_PACKET
	}
}

/// A proof whose cryptography the driver decides (`authentic`): the router must still check that
/// what it proves is a late, undelivered packet. The cryptography itself is `timeout_proof`'s.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct MockProof {
	pub authentic: bool,
	pub last_delivered_nonce: u64,
	pub height: u32,
	pub timestamp: u64,
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

/// Where the toy service writes, so that a rolled-back failure is visible if it leaks.
pub const TOUCHED_KEY: &[u8] = b"fuzz-service-touched";

/// Serves `Service::Xcm` with a toy instruction set (the payload's first byte): 0 = succeed and
/// echo the payload; 1 = write storage, then fail; 2 = claim more weight than allowed; anything
/// else is malformed. Other services are unavailable.
pub struct MockServices;

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
		frame_support::storage::unhashed::put(TOUCHED_KEY, &(*origin.network, origin.message));
		match payload.first() {
			Some(0) => (Ok(payload.to_vec()), used),
			Some(1) => (Err(Failure::Module { index: 9, error: [1, 0, 0, 0] }), used),
			Some(2) => (Err(Failure::WeightLimitExceeded), max_weight.saturating_mul(2)),
			_ => (Err(Failure::MalformedPayload), used),
		}
	}
}

impl pallet_event_router::Config for Mock {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Transport = MockTransport;
	type DeliveryProver = MockProver;
	type Services = MockServices;
	type OnSettled = ();
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type ThisNetwork = ThisNetwork;
	type UnixTime = Timestamp;
	type MaxPayloadSize = ConstU32<MAX_PAYLOAD>;
	type MaxDispatchWeight = MaxDispatchWeight;
	type BaseFee = BaseFee;
	type ByteFee = ByteFee;
	type WeightToFee = WeightFee;
	type MaxRequestLifetime = MaxRequestLifetime;
	type Retention = Retention;
	// Small, so that sweeps often stop at their budget.
	type MaxSweepPerBlock = ConstU32<2>;
	type WeightInfo = ();
}

/// The genesis of every network: ALICE and BOB endowed.
pub fn genesis() -> sp_runtime::Storage {
	use sp_runtime::BuildStorage;
	let mut storage = frame_system::GenesisConfig::<Mock>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Mock> {
		balances: vec![(ALICE, ENDOWMENT), (BOB, ENDOWMENT)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	storage
}

/// Takes every packet queued so far.
pub fn drain_outbox() -> Vec<(u8, u64, Vec<u8>)> {
	OUTBOX.with(|outbox| core::mem::take(&mut *outbox.borrow_mut()))
}
