//! # The Plexus runtime
//!
//! One runtime serves every Plexus network. A network is an instance of it: its chain spec fixes
//! a [`pallet_network_info`] identity (id, name, block time) and its first producers, so networks
//! built from this one wasm blob have distinct genesis hashes and know who they are.
//!
//! Pallets: System, Timestamp, Aura (block production), Grandpa (finality), Balances,
//! TransactionPayment, Sudo (the governance origin of a testnet), Session and Producers (the
//! producer set, which governance changes on a live network), NetworkInfo, EventRouter,
//! ContractExecutor and ResourceManager over Revive ([`contracts`]), DataProtection, and four peer
//! slots of bridge pallets ([`bridges`]) under the router.
#![cfg_attr(not(feature = "std"), no_std)]
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod bridges;
pub mod configs;
pub mod contracts;
pub mod genesis_config_presets;
pub mod identity;
pub mod precompiles;
pub mod services;
#[cfg(feature = "std")]
pub mod signing;
#[cfg(test)]
mod tests;
pub mod weights;
pub mod xcm_config;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use plexus_primitives::{NetworkId, NetworkIdentity};
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Types the node needs without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;
}

impl_opaque_keys! {
	/// A producer's keys: Aura (sr25519) authors blocks, GRANDPA (ed25519) votes on finality.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// `VERSION` with `spec_version` given as a literal, which `runtime_version` needs to write the
/// version into the wasm blob.
macro_rules! runtime_version {
	($spec_version:tt) => {
		#[sp_version::runtime_version]
		pub const VERSION: RuntimeVersion = RuntimeVersion {
			spec_name: alloc::borrow::Cow::Borrowed("plexus"),
			impl_name: alloc::borrow::Cow::Borrowed("plexus-runtime"),
			authoring_version: 1,
			spec_version: $spec_version,
			impl_version: 1,
			apis: apis::RUNTIME_API_VERSIONS,
			transaction_version: 3,
			system_version: 1,
		};
	};
}

#[cfg(not(feature = "spec-version-next"))]
runtime_version!(110);
// The same runtime one `spec_version` later: what the runtime-upgrade test upgrades a network to
// (`plexus_testkit::upgrade`). Never the node's own.
#[cfg(feature = "spec-version-next")]
runtime_version!(111);

/// One unit of the native token (12 decimals).
pub const UNIT: Balance = 1_000_000_000_000;
pub const MILLI_UNIT: Balance = UNIT / 1_000;
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

pub type Signature = MultiSignature;
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
pub type Balance = u128;
pub type Nonce = u32;
pub type Hash = sp_core::H256;
pub type BlockNumber = u32;
pub type Address = MultiAddress<AccountId, ()>;
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The checks every signed transaction passes, in order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	// After every check that needs the signed origin: for an Ethereum transaction it turns the
	// origin into revive's `EthTransaction`; for any other it does nothing and weighs nothing.
	pallet_revive::evm::tx_extension::SetOrigin<Runtime>,
	frame_system::WeightReclaim<Runtime>,
	bridges::RejectObsoleteBridgeCalls,
);

/// sp-runtime's extrinsic, which revive's wraps to also accept an Ethereum transaction: a bare
/// `Revive::eth_transact` whose payload is the signed RLP transaction, checked as if signed by
/// the Ethereum signer's account (`contracts::EthExtraImpl`).
pub type UncheckedExtrinsic =
	pallet_revive::evm::runtime::UncheckedExtrinsic<Address, Signature, contracts::EthExtraImpl>;
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;
	// The producers: pallet-session's genesis and session ends set Aura's and Grandpa's
	// authorities (pallet-producers decides when a session ends and with which set).
	#[runtime::pallet_index(7)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(8)]
	pub type Producers = pallet_producers;
	#[runtime::pallet_index(10)]
	pub type NetworkInfo = pallet_network_info;
	#[runtime::pallet_index(11)]
	pub type EventRouter = pallet_event_router;
	#[runtime::pallet_index(12)]
	pub type ContractExecutor = pallet_contract_executor;
	#[runtime::pallet_index(13)]
	pub type ResourceManager = pallet_resource_manager;
	#[runtime::pallet_index(14)]
	pub type DataProtection = pallet_data_protection;

	// Smart contracts (contracts.rs). Declared before the peer slots although its index is
	// higher: the declaration order is the order of hooks and genesis builds, not the index.
	#[runtime::pallet_index(30)]
	pub type Revive = pallet_revive;

	// Peer slots (bridges/mod.rs): a light client and a lane per directly bridged network.
	#[runtime::pallet_index(20)]
	pub type BridgeSlot1Grandpa = pallet_bridge_grandpa<Instance1>;
	#[runtime::pallet_index(21)]
	pub type BridgeSlot1Messages = pallet_bridge_messages<Instance1>;
	#[runtime::pallet_index(22)]
	pub type BridgeSlot2Grandpa = pallet_bridge_grandpa<Instance2>;
	#[runtime::pallet_index(23)]
	pub type BridgeSlot2Messages = pallet_bridge_messages<Instance2>;
	#[runtime::pallet_index(24)]
	pub type BridgeSlot3Grandpa = pallet_bridge_grandpa<Instance3>;
	#[runtime::pallet_index(25)]
	pub type BridgeSlot3Messages = pallet_bridge_messages<Instance3>;
	#[runtime::pallet_index(26)]
	pub type BridgeSlot4Grandpa = pallet_bridge_grandpa<Instance4>;
	#[runtime::pallet_index(27)]
	pub type BridgeSlot4Messages = pallet_bridge_messages<Instance4>;
}
