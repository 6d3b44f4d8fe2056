//! Smart contracts: pallet-revive, running EVM bytecode (as `solc` emits it) and PolkaVM.
//!
//! Two ways in:
//! 1. Substrate transactions: `Revive::instantiate_with_code` / `Revive::call`, signed like any
//!    other call, and their dry-runs through `ReviveApi` (see apis.rs).
//! 2. Ethereum transactions (ethers, viem, MetaMask through eth-rpc): a bare `Revive::eth_transact`
//!    carrying the signed RLP transaction. [`EthExtraImpl`] checks it (signature, this network's
//!    chain id, nonce, fee) and runs it as if signed by the signer's account, `H160 ++ 0xEE × 12`,
//!    with the same transaction extensions as every other transaction ([`tx_extension`]).
//!
//! Accounts: a Substrate account gets its 20-byte address (`keccak256(account)[12..]`) mapped when
//! it is created (`AutoMap`, through `frame_system::OnNewAccount`), so an Ethereum transfer to that
//! address reaches it; an Ethereum-derived account needs no mapping. Each network has its own EVM
//! chain id, `420_420_000 + NetworkId`, and an Ethereum transaction without a chain id (pre-EIP-155
//! legacy) is refused, so one signed for one network is worthless on another.
//!
//! Fees: `BlockRatioFee<1, 1>` is revive's required weight-to-fee: the larger of the ref time and
//! the proof size priced so that a whole block of either costs the same. Our block's proof size is
//! unbounded (u64::MAX), so a proof costs 1 per 18 MB and every real weight pays its ref time, as
//! under `IdentityFee` before. Weights are upstream's `SubstrateWeight` (reference hardware), not measured
//! here yet.
//!
//! Does not do: map accounts that existed before spec 108 (when `AutoMap` came): revive's
//! multi-block migration needs pallet-migrations, which this runtime does not have. Such an
//! account is mapped with a deposit on its first cross-network contract call
//! ([`ReviveEngine`]); `map_account` is a no-op under `AutoMap`.
//!
//! [`ReviveEngine`] is how the contract executor and the resource manager run contracts: the
//! same `bare_call` / `bare_instantiate` that revive's own extrinsics use, with the caller mapped
//! on first use.

use crate::*;
use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, FindAuthor, Get},
	weights::Weight,
	ConsensusEngineId,
};
use pallet_revive::{
	evm::{runtime::EthExtra, TransactionSigned},
	AddressMapper, Code, ExecConfig, TransactionLimits,
};
use plexus_primitives::{
	contract::{ContractCall, ContractEngine, ContractOutcome},
	envelope::Failure,
	service::failure_of_dispatch_error,
};
use sp_core::H160;
use sp_runtime::{
	generic::{CheckedExtrinsic, Era},
	traits::InvalidVersion,
	transaction_validity::InvalidTransaction,
	FixedU128, Perbill,
};

/// The transaction extensions of an immortal transaction with this nonce and tip; `ethereum`
/// for one made from an Ethereum transaction. The one place the tuple's values are written:
/// `signing` and [`EthExtraImpl`] both build it here.
pub fn tx_extension(nonce: Nonce, tip: Balance, ethereum: bool) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(tip),
		if ethereum {
			pallet_revive::evm::tx_extension::SetOrigin::new_from_eth_transaction()
		} else {
			Default::default()
		},
		frame_system::WeightReclaim::new(),
		crate::bridges::RejectObsoleteBridgeCalls,
	)
}

type EthChecked = CheckedExtrinsic<AccountId, RuntimeCall, TxExtension, InvalidVersion>;

/// Turns an Ethereum transaction (`Revive::eth_transact`) into a transaction of this runtime.
// The derives are what revive's extrinsic type asks of its parameter.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EthExtraImpl;

impl EthExtra for EthExtraImpl {
	type Config = Runtime;
	type ExtensionV0 = TxExtension;
	type ExtensionOtherVersions = InvalidVersion;

	fn get_eth_extension(nonce: Nonce, tip: Balance) -> TxExtension {
		tx_extension(nonce, tip, true)
	}

	fn try_into_checked_extrinsic(
		payload: &[u8],
		encoded_len: usize,
	) -> Result<EthChecked, InvalidTransaction> {
		refuse_replayable(payload)?;
		RevivesChecks::try_into_checked_extrinsic(payload, encoded_len)
	}
}

/// Revive's own checks of an Ethereum transaction (signature, chain id when there is one, nonce,
/// fee, storage deposit), reached from [`EthExtraImpl`] after ours.
struct RevivesChecks;

impl EthExtra for RevivesChecks {
	type Config = Runtime;
	type ExtensionV0 = TxExtension;
	type ExtensionOtherVersions = InvalidVersion;

	fn get_eth_extension(nonce: Nonce, tip: Balance) -> TxExtension {
		EthExtraImpl::get_eth_extension(nonce, tip)
	}
}

/// Refuses a legacy transaction signed without a chain id (before EIP-155), which revive accepts:
/// one signature would be valid on every Plexus network, and on any other chain that takes them.
fn refuse_replayable(payload: &[u8]) -> Result<(), InvalidTransaction> {
	match TransactionSigned::decode(payload) {
		Ok(TransactionSigned::TransactionLegacySigned(tx))
			if tx.transaction_legacy_unsigned.chain_id.is_none() =>
		{
			Err(InvalidTransaction::Call)
		},
		// Anything else, undecodable included, is revive's to judge.
		_ => Ok(()),
	}
}

/// Storage deposits: 0.2 UNIT per item and 10 µUNIT per byte, held while the storage lives.
pub const fn deposit(items: u32, bytes: u32) -> Balance {
	items as Balance * UNIT / 5 + bytes as Balance * UNIT / 100_000
}

parameter_types! {
	pub const ReviveDepositPerItem: Balance = deposit(1, 0);
	pub const ReviveDepositPerByte: Balance = deposit(0, 1);
	pub const ReviveDepositPerChildTrieItem: Balance = deposit(1, 0) / 100;
	pub const CodeHashLockupDepositPercent: Perbill = Perbill::from_percent(30);
	pub const MaxEthExtrinsicWeight: FixedU128 = FixedU128::from_rational(9, 10);
}

/// The first EVM chain id of Plexus networks; a network's is this plus its `NetworkId`.
pub const EVM_CHAIN_ID_BASE: u64 = 420_420_000;

/// This network's EVM chain id.
pub struct EvmChainId;

impl Get<u64> for EvmChainId {
	fn get() -> u64 {
		EVM_CHAIN_ID_BASE + u64::from(pallet_network_info::Network::<Runtime>::get().0)
	}
}

/// The block author for `block.coinbase`: the Aura authority that sealed the block, as an account.
pub struct AuraAuthor;

impl FindAuthor<AccountId> for AuraAuthor {
	fn find_author<'a, I>(digests: I) -> Option<AccountId>
	where
		I: 'a + IntoIterator<Item = (ConsensusEngineId, &'a [u8])>,
	{
		pallet_aura::FindAccountFromAuthorIndex::<Runtime, Aura>::find_author(digests)
			.map(|authority| AccountId::from(authority.into_inner()))
	}
}

impl pallet_revive::Config for Runtime {
	type Time = Timestamp;
	type Balance = Balance;
	type Currency = Balances;
	type OnBurn = ();
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeHoldReason = RuntimeHoldReason;
	type WeightInfo = pallet_revive::weights::SubstrateWeight<Self>;
	type Precompiles = (
		crate::precompiles::RouterPrecompile,
		crate::precompiles::ResourceManagerPrecompile,
		crate::precompiles::DataProtectionPrecompile,
	);
	type FindAuthor = AuraAuthor;
	type DepositPerByte = ReviveDepositPerByte;
	type DepositPerItem = ReviveDepositPerItem;
	type DepositPerChildTrieItem = ReviveDepositPerChildTrieItem;
	type CodeHashLockupDepositPercent = CodeHashLockupDepositPercent;
	type AddressMapper = pallet_revive::AccountId32Mapper<Self>;
	type AllowEVMBytecode = ConstBool<true>;
	type UploadOrigin = frame_system::EnsureSigned<AccountId>;
	type InstantiateOrigin = frame_system::EnsureSigned<AccountId>;
	type RuntimeMemory = ConstU32<{ 128 * 1024 * 1024 }>;
	type PVFMemory = ConstU32<{ 512 * 1024 * 1024 }>;
	type ChainId = EvmChainId;
	// 12 decimals natively, 18 in the EVM.
	type NativeToEthRatio = ConstU32<1_000_000>;
	type FeeInfo = pallet_revive::evm::fees::Info<Address, Signature, EthExtraImpl>;
	type Deposit = ();
	type MaxEthExtrinsicWeight = MaxEthExtrinsicWeight;
	type DebugEnabled = ConstBool<false>;
	type AutoMap = ConstBool<true>;
	// Gas price 100 gwei (10⁵ × the 10⁶ wei of one planck), so gas counts come out near
	// Ethereum's: a native transfer estimates at about 15,600 gas (1,560,051 at a scale of 1,000,
	// measured through eth-rpc), under the 21,000 that wallets give a plain send without asking.
	// The fee is the same at any scale.
	type GasScale = ConstU32<100_000>;
}

/// Runs contract requests on pallet-revive for the contract executor and the resource manager.
pub struct ReviveEngine;

impl ReviveEngine {
	/// blake2-256 of the `(topics, data)` of every log revive recorded from event `first` on.
	fn logs_digest(first: usize) -> [u8; 32] {
		let logs: Vec<(Vec<sp_core::H256>, Vec<u8>)> = System::read_events_no_consensus()
			.skip(first)
			.filter_map(|record| match record.event {
				RuntimeEvent::Revive(pallet_revive::Event::ContractEmitted {
					topics,
					data,
					..
				}) => Some((topics, data)),
				_ => None,
			})
			.collect();
		sp_io::hashing::blake2_256(&codec::Encode::encode(&logs))
	}
}

impl ContractEngine<AccountId> for ReviveEngine {
	fn execute(caller: &AccountId, call: &ContractCall) -> Result<ContractOutcome, Failure> {
		type Mapper = <Runtime as pallet_revive::Config>::AddressMapper;
		// Remote accounts have never called `map_account`; mapping takes their deposit.
		if !Mapper::is_mapped(caller) {
			Mapper::map(caller).map_err(failure_of_dispatch_error)?;
		}
		let first_event = System::event_count() as usize;
		let origin = RuntimeOrigin::signed(caller.clone());
		let limits = call.limits();
		let limits = TransactionLimits::WeightAndDeposit {
			weight_limit: limits.weight,
			deposit_limit: limits.deposit,
		};
		let config = ExecConfig::new_substrate_tx();
		let (contract, output, weight_used) = match call {
			ContractCall::Call { contract, input, value, .. } => {
				let result = Revive::bare_call(
					origin,
					H160(*contract),
					Revive::convert_native_to_evm(*value),
					limits,
					input.clone(),
					&config,
				);
				(
					*contract,
					result.result.map_err(failure_of_dispatch_error)?,
					result.weight_consumed,
				)
			},
			ContractCall::Instantiate { code, data, salt, value, .. } => {
				let result = Revive::bare_instantiate(
					origin,
					Revive::convert_native_to_evm(*value),
					limits,
					Code::Upload(code.clone()),
					data.clone(),
					*salt,
					&config,
				);
				let instantiated = result.result.map_err(failure_of_dispatch_error)?;
				(instantiated.addr.0, instantiated.result, result.weight_consumed)
			},
		};
		Ok(ContractOutcome {
			contract,
			reverted: output.did_revert(),
			return_data: output.data,
			logs_digest: Self::logs_digest(first_event),
			weight_used,
		})
	}

	fn max_weight(call: &ContractCall) -> Weight {
		// The mapping of a first-time caller comes on top of what the contract may use.
		call.limits()
			.weight
			.saturating_add(<Runtime as frame_system::Config>::DbWeight::get().reads_writes(2, 3))
	}
}
