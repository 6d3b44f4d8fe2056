//! The pallets `plexus-node benchmark pallet` measures (only with `runtime-benchmarks`).
//!
//! `scripts/weights.sh` runs every entry here on the machine at hand and writes the results to
//! `weights/`, which `configs.rs` uses.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_event_router, EventRouter]
	[pallet_resource_manager, ResourceManager]
	[pallet_data_protection, DataProtection]
	[pallet_producers, Producers]
	[pallet_contract_executor, ContractExecutor]
	[pallet_grandpa, Grandpa]
	[pallet_bridge_grandpa, BridgeSlot1Grandpa]
	[pallet_bridge_messages, BridgeMessagesBench::<Runtime, frame_support::instances::Instance1>]
);

/// The messages pallet's benchmarks live in their own type; the runtime's side of them is in
/// `bridges/benchmarking.rs`.
pub(crate) type BridgeMessagesBench<R, I> = pallet_bridge_messages::benchmarking::Pallet<R, I>;

use super::Runtime;

impl frame_benchmarking::baseline::Config for Runtime {}
impl frame_system_benchmarking::Config for Runtime {}
impl pallet_transaction_payment::BenchmarkConfig for Runtime {}

/// The resource manager's benchmarks send through peer slot 1's lane, bound to a made-up peer.
pub struct ResourceManagerBenchmarks;

impl pallet_resource_manager::benchmarking::BenchmarkHelper for ResourceManagerBenchmarks {
	fn routable_target() -> [u8; 32] {
		let peer = [0xbe; 32];
		let (lane, _) =
			<crate::bridges::BenchmarkHelper as pallet_event_router::traits::BenchmarkHelper<
				u8,
				crate::bridges::PeerStateProof,
			>>::lanes();
		pallet_event_router::Peers::<Runtime>::insert(peer, lane);
		pallet_event_router::LanePeers::<Runtime>::insert(lane, peer);
		peer
	}
}

/// Holders sign custody and attestations with sr25519 keys from the benchmark's keystore, holder
/// `i` with `//Holder<i>`; the clock is pallet-timestamp's.
pub struct DataProtectionBenchmarks;

impl pallet_data_protection::benchmarking::BenchmarkHelper<crate::AccountId, crate::Signature>
	for DataProtectionBenchmarks
{
	fn holder_signature(index: u32, payload: &[u8]) -> (crate::AccountId, crate::Signature) {
		let key_type = sp_core::crypto::KeyTypeId(*b"plxh");
		let seed = alloc::format!("//Holder{index}").into_bytes();
		let public = sp_io::crypto::sr25519_generate(key_type, Some(seed));
		let signature =
			sp_io::crypto::sr25519_sign(key_type, &public, payload).expect("the key exists");
		(public.into(), signature.into())
	}

	fn set_time(ms: u64) {
		pallet_timestamp::Now::<Runtime>::put(ms);
	}
}
