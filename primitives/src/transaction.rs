//! The transaction resource manager's wire types: what a coordinator asks a target network to
//! commit ([`CommitRequest`], the payload of a routed `Service::Transaction` request) and the
//! target's proof of it ([`TxReceipt`], whose digest comes back in the acknowledgement).

use crate::{
	contract::{ContractAddress, Limits},
	envelope::{Failure, NetworkAddress, Timeout},
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A transaction's identity on every network: the network that coordinates it and the number
/// it gave it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
)]
pub struct TxId {
	pub coordinator: NetworkAddress,
	pub sequence: u64,
}

/// What a target network applies when it commits a transaction. It runs as the initiator's
/// remote account on the target (the account XCM derives for it), never as anyone else.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum Action<AccountId> {
	/// Pays `amount` from the initiator's remote account to `to`.
	Transfer { to: AccountId, amount: u128 },
	/// Writes `value` under `key` in the initiator's record space on the target.
	Record { key: Vec<u8>, value: Vec<u8> },
	/// Calls a contract; a revert refuses the commit. Its return data go into the receipt.
	Call { contract: ContractAddress, input: Vec<u8>, value: u128, limits: Limits },
}

/// The coordinator's request to commit `action` on the target before `deadline`.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct CommitRequest<AccountId> {
	pub tx: TxId,
	pub action: Action<AccountId>,
	pub deadline: Timeout,
	/// The outcome this commit carries (for a contract outcome, `ContractOutcome::hash`).
	pub outcome_hash: [u8; 32],
}

/// How a target decided a transaction, once and for all.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum ReceiptStatus {
	/// The action was applied.
	Applied,
	/// The deadline passed without a commit; none will ever be applied.
	TimedOut,
}

/// A target's record of a transaction.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct TxReceipt {
	pub tx: TxId,
	pub status: ReceiptStatus,
	pub outcome_hash: [u8; 32],
	/// The contract call's return data; empty for transfers and records.
	pub result: Vec<u8>,
	/// The target's block number and Unix time (ms) when it decided.
	pub height: u32,
	pub timestamp: u64,
}

impl TxReceipt {
	/// What the coordinator learns through the acknowledgement.
	pub fn digest(&self) -> [u8; 32] {
		sp_crypto_hashing::blake2_256(&self.encode())
	}
}

/// Funds held on the coordinator while a transaction is open: paid to `beneficiary` when the
/// target commits, returned to the initiator when it aborts.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Hold<AccountId> {
	pub amount: u128,
	pub beneficiary: AccountId,
}

/// Why a transaction aborted.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum AbortReason {
	/// The target refused to commit (its vote was no).
	Refused(Failure),
	/// The commit request missed its deadline (proven, or answered so by the target).
	TimedOut,
}

/// Where a transaction stands on its coordinator.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum TxState {
	/// Holds placed, the commit request sent; the outcome is not known here yet (in doubt).
	Prepared,
	/// The target applied it; `receipt` is the digest of its [`TxReceipt`].
	Committed {
		receipt: [u8; 32],
	},
	Aborted(AbortReason),
}

/// What one network knows of a transaction, as `ResourceManagerApi::transaction` reports it.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum TxStatus {
	Unknown,
	/// This network coordinates it.
	Coordinated {
		target: NetworkAddress,
		state: TxState,
		outcome_hash: [u8; 32],
	},
	/// This network is its target and decided it.
	Decided(TxReceipt),
}

/// Opens transactions on this network's resource manager (used by the contract executor).
pub trait Coordinator<AccountId> {
	/// Places `hold` (if any) on `initiator`, records the transaction as prepared and sends the
	/// commit request to `target`. Fails with no side effects.
	fn open(
		initiator: &AccountId,
		target: NetworkAddress,
		action: Action<AccountId>,
		deadline: Timeout,
		hold: Option<Hold<AccountId>>,
		outcome_hash: [u8; 32],
	) -> Result<TxId, sp_runtime::DispatchError>;

	/// What [`Self::open`] costs for an action of `action_len` encoded bytes.
	fn open_weight(action_len: u32) -> sp_weights::Weight;
}
