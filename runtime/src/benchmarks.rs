//! The pallets `plexus-benchmark pallet` measures (only with `runtime-benchmarks`).
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
	[pallet_xcm_benchmarks::generic, XcmGeneric]
);

/// The XCM executor's instructions (`pallet_xcm_benchmarks::generic`). Only those this executor
/// can run are measured (the list is in scripts/weights.sh): it moves no assets, sends nothing,
/// buys nothing and answers no queries, so the rest are skipped below or would fail.
pub(crate) type XcmGeneric = pallet_xcm_benchmarks::generic::Pallet<Runtime>;

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

mod xcm_benchmarks {
	use crate::{
		identity::{remote_account_location, GenesisHash, LocationToAccountId},
		xcm_config::{MaxAssetsIntoHolding, XcmConfig},
		AccountId, Balances, Runtime, RuntimeCall,
	};
	use frame_benchmarking::BenchmarkError;
	use frame_support::{parameter_types, traits::Get};
	use xcm::latest::prelude::*;

	parameter_types! {
		pub const AnyNetwork: Option<NetworkId> = None;
	}

	impl pallet_xcm_benchmarks::Config for Runtime {
		type XcmConfig = XcmConfig;
		// The benchmarks' own accounts are local `AccountId32` locations, which the runtime's
		// converter (remote accounts only) does not map.
		type AccountIdConverter =
			(LocationToAccountId, xcm_builder::AccountId32Aliases<AnyNetwork, AccountId>);
		type DeliveryHelper = ();

		fn valid_destination() -> Result<Location, BenchmarkError> {
			// Nothing is sent from here: the report and query instructions are not measured.
			Err(BenchmarkError::Skip)
		}

		fn worst_case_holding(depositable_count: u32) -> xcm_executor::AssetsInHolding {
			let count = MaxAssetsIntoHolding::get().saturating_sub(depositable_count).max(1);
			pallet_xcm_benchmarks::generate_holding_assets(count)
		}
	}

	impl pallet_xcm_benchmarks::generic::Config for Runtime {
		type RuntimeCall = RuntimeCall;
		type TransactAsset = Balances;

		fn worst_case_response() -> (u64, Response) {
			(0, Response::Version(Default::default()))
		}

		fn worst_case_asset_exchange() -> Result<(Assets, Assets), BenchmarkError> {
			Err(BenchmarkError::Skip)
		}

		fn universal_alias() -> Result<(Location, Junction), BenchmarkError> {
			Err(BenchmarkError::Skip)
		}

		/// What routed requests do: a remote account of another network dispatches a call.
		fn transact_origin_and_runtime_call() -> Result<(Location, RuntimeCall), BenchmarkError> {
			let mut elsewhere = GenesisHash::get();
			elsewhere[0] ^= 0xff;
			let origin = remote_account_location(&elsewhere, &AccountId::from([0xbe; 32]));
			let call = frame_system::Call::remark_with_event { remark: Default::default() };
			Ok((origin, call.into()))
		}

		fn subscribe_origin() -> Result<Location, BenchmarkError> {
			Err(BenchmarkError::Skip)
		}

		fn claimable_asset() -> Result<(Location, Location, Assets), BenchmarkError> {
			Err(BenchmarkError::Skip)
		}

		fn worst_case_for_trader() -> Result<(Asset, WeightLimit), BenchmarkError> {
			Err(BenchmarkError::Skip)
		}

		fn unlockable_asset() -> Result<(Location, Location, Asset), BenchmarkError> {
			Err(BenchmarkError::Skip)
		}

		fn export_message_origin_and_destination(
		) -> Result<(Location, NetworkId, InteriorLocation), BenchmarkError> {
			Err(BenchmarkError::Skip)
		}

		fn alias_origin() -> Result<(Location, Location), BenchmarkError> {
			Err(BenchmarkError::Skip)
		}
	}
}
