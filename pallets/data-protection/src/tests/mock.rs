//! A mock runtime: frame-system, pallet-timestamp for the clock, and the pallet with sr25519
//! accounts, so attestations carry real signatures.

use crate::{self as pallet_data_protection, *};
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64, Hooks},
};
use sp_core::{sr25519, Pair};
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage, MultiSignature};

pub type AccountId = AccountId32;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		DataProtection: pallet_data_protection,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

pub const THIS_NET: NetworkAddress = [0xbb; 32];
pub const REMOTE_NET: NetworkAddress = [0xaa; 32];
pub const TTL: u64 = 60_000;
pub const START: u64 = 1_000_000;
/// Two days: above `MaxApprovalTtl` (one), as the pallet requires.
pub const AUDIT_RETENTION: u64 = 2 * 24 * 3_600_000;
pub const MAX_OPEN: u32 = 4;
pub const MAX_KEPT: u32 = 8;
pub const MAX_SWEEP: u32 = 8;

frame_support::parameter_types! {
	pub const ThisNetwork: NetworkAddress = THIS_NET;
}

/// A remote account is the hash of where it comes from, as in the runtime.
pub struct HashedRemote;
impl Convert<(NetworkAddress, AccountId), AccountId> for HashedRemote {
	fn convert((network, account): (NetworkAddress, AccountId)) -> AccountId {
		AccountId32::new(sp_io::hashing::blake2_256(&(b"remote", network, account).encode()))
	}
}

impl pallet_data_protection::Config for Test {
	type Signature = MultiSignature;
	type ThisNetwork = ThisNetwork;
	type UnixTime = Timestamp;
	type RemoteAccount = HashedRemote;
	type MaxRules = ConstU32<8>;
	type MaxRoles = ConstU32<4>;
	type MaxHolders = ConstU32<4>;
	type MaxApprovalTtl = ConstU64<{ 24 * 3_600_000 }>;
	type AuditRetention = ConstU64<AUDIT_RETENTION>;
	type MaxOpenRequestsPerRecord = ConstU32<MAX_OPEN>;
	type MaxRequestsPerRecord = ConstU32<MAX_KEPT>;
	type MaxSweepPerBlock = ConstU32<MAX_SWEEP>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarks;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarks;

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<AccountId, MultiSignature> for MockBenchmarks {
	fn holder_signature(index: u32, payload: &[u8]) -> (AccountId, MultiSignature) {
		(holder(index as u8), pair(&format!("Holder{index}")).sign(payload).into())
	}
	fn set_time(ms: u64) {
		set_now(ms);
	}
}

pub fn pair(name: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//{name}"), None).unwrap()
}

pub fn account(name: &str) -> AccountId {
	pair(name).public().into()
}

pub fn subject() -> AccountId {
	account("Subject")
}
pub fn controller() -> AccountId {
	account("Controller")
}
pub fn requester() -> AccountId {
	account("Requester")
}
pub fn holder(i: u8) -> AccountId {
	account(&format!("Holder{i}"))
}

pub fn tag(name: &str) -> Tag {
	name.as_bytes().to_vec().try_into().unwrap()
}

pub fn rule(purpose: &str, basis: LegalBasis, role: Option<&str>, approver: Approver) -> Rule {
	Rule { purpose: tag(purpose), basis, role: role.map(tag), approver }
}

pub fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

pub fn set_now(ms: u64) {
	pallet_timestamp::Now::<Test>::put(ms);
}

pub fn now() -> u64 {
	pallet_timestamp::Now::<Test>::get()
}

/// What holder `holder`'s vault signs for `commitment` kept for `subject` and `controller`.
pub fn custody_on(
	network: NetworkAddress,
	holder: u8,
	commitment: [u8; 32],
	subject: &AccountId,
	controller: &AccountId,
) -> MultiSignature {
	let custody =
		Custody { network, commitment, subject: subject.clone(), controller: controller.clone() };
	let payload = plexus_primitives::data_protection::signing_payload(
		plexus_primitives::data_protection::CUSTODY_CONTEXT,
		&custody,
	);
	pair(&format!("Holder{holder}")).sign(&payload).into()
}

/// [`custody_on`] this network.
pub fn custody(
	holder: u8,
	commitment: [u8; 32],
	subject: &AccountId,
	controller: &AccountId,
) -> MultiSignature {
	custody_on(THIS_NET, holder, commitment, subject, controller)
}

/// Holders `ids`, each with its custody of `commitment` for `subject()` and `controller()`.
pub fn held_by(ids: &[u8], commitment: [u8; 32]) -> SignedHolders<Test> {
	ids.iter()
		.map(|i| (holder(*i), custody(*i, commitment, &subject(), &controller())))
		.collect::<Vec<_>>()
		.try_into()
		.unwrap()
}

/// The attestation `holder` signs for `record` destroyed at `at`.
pub fn attestation(holder: u8, record: RecordId, at: u64) -> MultiSignature {
	let commitment = Records::<Test>::get(record).unwrap().commitment;
	let statement = ErasureAttestation { network: THIS_NET, record, commitment, destroyed_at: at };
	let payload = plexus_primitives::data_protection::signing_payload(
		plexus_primitives::data_protection::ERASURE_CONTEXT,
		&statement,
	);
	pair(&format!("Holder{holder}")).sign(&payload).into()
}

/// The first moment the minute of `at` has passed: what is filed for `at` is due.
pub fn minute_after(at: u64) -> u64 {
	(plexus_primitives::retention::bucket(at) + 1) * plexus_primitives::retention::BUCKET_MS
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
	System::set_block_number(System::block_number() + 1);
	DataProtection::on_initialize(System::block_number())
}

pub fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::DataProtection(e) => Some(e),
			_ => None,
		})
		.expect("an event")
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		set_now(START);
	});
	ext
}
