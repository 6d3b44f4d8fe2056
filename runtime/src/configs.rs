//! Pallet configurations.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, IdentityFee, Weight},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::One, Perbill};
use sp_version::RuntimeVersion;

use super::*;
use crate::{
	identity::{GenesisHash, RemoteAccount},
	weights,
};

const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Compute budget of one block. Fixed, not scaled by the block time: the shortest block time a
/// network may choose (`MIN_BLOCK_TIME_MS`, 2 s) still leaves a second for import and finality.
pub const MAXIMUM_BLOCK_WEIGHT: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// The measured base costs of a block and of a transaction (without the extensions' work, which
	/// their own weights charge: `weights::extrinsic_base`), and the normal/operational split.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
		.base_block(weights::block_weights::BlockExecutionWeight::get())
		.for_class(DispatchClass::all(), |class| {
			class.base_extrinsic = weights::extrinsic_base::EXTRINSIC_BASE;
		})
		.for_class(DispatchClass::Normal, |class| {
			class.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
		})
		.for_class(DispatchClass::Operational, |class| {
			class.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
			class.reserved =
				Some(MAXIMUM_BLOCK_WEIGHT.saturating_sub(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT));
		})
		.avg_block_initialization(Perbill::from_percent(10))
		.build_or_panic();
	pub RuntimeBlockLength: BlockLength =
		BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	pub const SS58Prefix: u8 = 42;
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// Measured on ParityDb, the one database a Plexus node keeps its chain in
	/// (node/src/database.rs).
	type DbWeight = weights::paritydb_weights::constants::ParityDbWeight;
	type SystemWeightInfo = weights::frame_system::WeightInfo<Runtime>;
	type ExtensionsWeightInfo = weights::once::ExtensionWeights<Runtime>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
	// Maps every new Substrate account's 20-byte address, so Ethereum tools can pay and call it
	// (revive's `AutoMap`); the mapping goes when the account is reaped.
	type OnNewAccount = pallet_revive::AutoMapper<Runtime>;
	type OnKilledAccount = pallet_revive::AutoMapper<Runtime>;
}

impl pallet_network_info::Config for Runtime {}

/// The most producers a network can have: Aura's and GRANDPA's bound on authorities, and what a
/// peer slot's light client of another Plexus network takes (`bridges::SlotPeer`).
pub const MAX_AUTHORITIES: u32 = 32;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_network_info::SlotDuration<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = weights::grandpa::GrandpaWeights<Runtime>;
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

parameter_types! {
	/// A session can end every 10 blocks (30 s at the default 3 s blocks), so a change of
	/// producers is active within two periods, a minute. A session ends only to carry a change
	/// (pallet-producers' `Rotation`): while the producers stay the same, a short period costs
	/// one check of at most 35 reads every 10 blocks and no full block.
	pub const SessionPeriod: BlockNumber = 10;
	/// Held while an account has session keys, given back by `purge_keys`: at the router's byte
	/// fee it pays for 1 KiB, over the ~250 bytes its keys and their two owner entries keep.
	pub const SessionKeyDeposit: Balance = UNIT / 100;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// A producer is its account: Aura and GRANDPA handle sessions keyed by account.
	type ValidatorId = AccountId;
	/// Any account may register keys (with a proof that it holds them); governance chooses
	/// producers among accounts with keys.
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = pallet_producers::Rotation<Runtime>;
	/// When a session may end next; it ends there only if there is a change to carry.
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, ConstU32<0>>;
	type SessionManager = Producers;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// Nothing reports offences here, so no producer is ever disabled.
	type DisablingStrategy = ();
	/// Upstream's reference weights at this runtime's `DbWeight`: benchmarking pallet-session
	/// needs pallet-session-benchmarking, which brings pallet-staking.
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_producers::Config for Runtime {
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type MaxProducers = ConstU32<MAX_AUTHORITIES>;
	type SessionPeriod = SessionPeriod;
	type WeightInfo = weights::pallet_producers::WeightInfo<Runtime>;
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = pallet_network_info::MinimumPeriod<Runtime>;
	type WeightInfo = weights::pallet_timestamp::WeightInfo<Runtime>;
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = weights::pallet_balances::WeightInfo<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	// revive's only supported weight-to-fee; equal to `IdentityFee` here (contracts.rs says why).
	type WeightToFee = pallet_revive::evm::fees::BlockRatioFee<1, 1, Runtime, Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = weights::pallet_transaction_payment::WeightInfo<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = weights::pallet_sudo::WeightInfo<Runtime>;
}

/// The largest packet the event router puts on a lane. A delivery transaction carries it with
/// its storage proof, well within `MAX_BLOCK_LENGTH`'s normal share.
pub const MAX_ROUTED_PACKET_SIZE: u32 = 24 * 1024;

parameter_types! {
	pub const MaxRoutedPayload: u32 = 16 * 1024;
	/// A routed request may use a tenth of a block at its destination, so that a delivery
	/// transaction always fits a block and no message can block its lane.
	pub const MaxRoutedDispatchWeight: Weight =
		Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND / 10, 256 * 1024);
	pub const RoutedMessageBaseFee: Balance = UNIT / 100;
	pub const RoutedMessageByteFee: Balance = UNIT / 100_000;
	/// A routed request's timeout may be at most a day ahead: what every network on its path
	/// keeps about it is forgotten within a day or two (see the router's step 7).
	pub const MaxRoutedRequestLifetime: u64 = 24 * 3_600_000;
	/// Receipts, forwarding records and settled outcomes stay readable for an hour past their
	/// deadline or settlement.
	pub const RoutedMessageRetention: u64 = 3_600_000;
	/// Entries the router forgets per block: 64 × (2 reads + 2 writes) is under 2% of a block.
	pub const RouterSweepPerBlock: u32 = 64;
}

impl pallet_event_router::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Transport = crate::bridges::PeerSlots;
	type DeliveryProver = crate::bridges::PeerSlots;
	type Services = crate::services::RuntimeServices;
	type OnSettled = ResourceManager;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type ThisNetwork = GenesisHash;
	type UnixTime = Timestamp;
	type MaxPayloadSize = MaxRoutedPayload;
	type MaxDispatchWeight = MaxRoutedDispatchWeight;
	type BaseFee = RoutedMessageBaseFee;
	type ByteFee = RoutedMessageByteFee;
	/// What the relayer's delivery transaction pays for the request's dispatch weight.
	type WeightToFee = <Runtime as pallet_transaction_payment::Config>::WeightToFee;
	type MaxRequestLifetime = MaxRoutedRequestLifetime;
	type Retention = RoutedMessageRetention;
	type MaxSweepPerBlock = RouterSweepPerBlock;
	type WeightInfo = weights::pallet_event_router::WeightInfo<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::bridges::BenchmarkHelper;
}

parameter_types! {
	/// A committed record's key and value, and the contract return data a receipt or an
	/// execution keeps: small enough that an outcome fits a routed packet.
	pub const MaxRecordKey: u32 = 128;
	pub const MaxRecordValue: u32 = 4 * 1024;
	pub const MaxContractReturn: u32 = 2 * 1024;
	/// An hour to read a transaction's outcome (`ResourceManagerApi`) once it finished, or on
	/// its target once its deadline passed, before it is forgotten.
	pub const TransactionRetention: u64 = 3_600_000;
	/// Record keys per remote account: at most 64 × (128 B + 4 KiB) of records each.
	pub const MaxRecordsPerOwner: u32 = 64;
	/// Keys the resource manager forgets a block: at most about 18 ms (two reads and four
	/// writes each at the measured `DbWeight`) of the 100 ms kept for block
	/// initialisation. A network that finishes more transactions than this a block builds a
	/// backlog, worked off when it slows down.
	pub const TransactionSweepPerBlock: u32 = 64;
}

impl pallet_resource_manager::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Router = EventRouter;
	type Contracts = crate::contracts::ReviveEngine;
	type RemoteAccount = RemoteAccount;
	type ThisNetwork = GenesisHash;
	type UnixTime = Timestamp;
	type MaxKeyLen = MaxRecordKey;
	type MaxValueLen = MaxRecordValue;
	type MaxResultLen = MaxContractReturn;
	type Retention = TransactionRetention;
	type MaxRecordsPerOwner = MaxRecordsPerOwner;
	type MaxSweepPerBlock = TransactionSweepPerBlock;
	type WeightInfo = weights::pallet_resource_manager::WeightInfo<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::ResourceManagerBenchmarks;
}

parameter_types! {
	pub const MaxPolicyRules: u32 = 16;
	pub const MaxRolesPerController: u32 = 8;
	pub const MaxRecordHolders: u32 = 8;
	/// Thirty days.
	pub const MaxApprovalTtl: u64 = 30 * 24 * 3_600_000;
	/// Thirty days: an erased record and a request that left its record's trail stay this long
	/// for audit. Not below `MaxApprovalTtl` (the pallet checks), so no standing approval goes.
	pub const DataProtectionAuditRetention: u64 = 30 * 24 * 3_600_000;
	/// The approver's queue per record: a spammer can fill it, the approver empties it.
	pub const MaxOpenRequestsPerRecord: u32 = 32;
	/// Each record keeps its newest 256 requests (one audit page) for as long as it lives.
	pub const MaxRequestsPerRecord: u32 = 256;
	/// Entries of the due index swept per block: at worst 8 purges of 16 requests, about 45
	/// writes each (~22 ms at the measured RocksDB write), in the 10 % kept for initialisation.
	/// At 3 s blocks that is 160 entries a minute, so a minute's retention ends are handled
	/// within the next minute unless more than 160 records end in the same minute.
	pub const DataProtectionSweepPerBlock: u32 = 8;
}

impl pallet_data_protection::Config for Runtime {
	type Signature = crate::Signature;
	type ThisNetwork = GenesisHash;
	type UnixTime = Timestamp;
	type RemoteAccount = RemoteAccount;
	type MaxRules = MaxPolicyRules;
	type MaxRoles = MaxRolesPerController;
	type MaxHolders = MaxRecordHolders;
	type MaxApprovalTtl = MaxApprovalTtl;
	type AuditRetention = DataProtectionAuditRetention;
	type MaxOpenRequestsPerRecord = MaxOpenRequestsPerRecord;
	type MaxRequestsPerRecord = MaxRequestsPerRecord;
	type MaxSweepPerBlock = DataProtectionSweepPerBlock;
	type WeightInfo = weights::pallet_data_protection::WeightInfo<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::DataProtectionBenchmarks;
}

parameter_types! {
	/// An hour: nothing on chain or in the node's RPC reads an execution's record afterwards
	/// (the acknowledgement carried its report, the `Executed` event stays in its block, the
	/// resource manager keeps its transaction); operators and tests look soon after.
	pub const ExecutionRetention: u64 = 3_600_000;
	/// Executions forgotten per block: 32 × (1 read, 3 writes), ~6 ms; at 3 s blocks 640 a
	/// minute, more than blocks can execute.
	pub const ExecutionSweepPerBlock: u32 = 32;
}

impl pallet_contract_executor::Config for Runtime {
	type Engine = crate::contracts::ReviveEngine;
	type Coordinator = ResourceManager;
	type RemoteAccount = RemoteAccount;
	type MaxReturnData = MaxContractReturn;
	type UnixTime = Timestamp;
	type Retention = ExecutionRetention;
	type MaxSweepPerBlock = ExecutionSweepPerBlock;
	type WeightInfo = weights::pallet_contract_executor::WeightInfo<Runtime>;
}
