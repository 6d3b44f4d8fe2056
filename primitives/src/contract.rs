//! What a contract request carries and what its execution returns. The payload of a routed
//! `Service::Contract` request is a SCALE-encoded [`ContractRequest`].
//!
//! Addresses and values are plain bytes and `u128` so that both ends, and clients, agree on the
//! encoding without EVM types.

use crate::{
	envelope::{Failure, NetworkAddress, Timeout},
	transaction::TxId,
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_weights::Weight;

/// A contract's address in pallet-revive (an H160).
pub type ContractAddress = [u8; 20];

/// How much a contract execution may spend.
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
	Default,
)]
pub struct Limits {
	/// Weight the contract may consume.
	pub weight: Weight,
	/// Storage deposit the caller may pay, in the network's smallest unit.
	pub deposit: u128,
}

/// One contract execution.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum ContractCall {
	/// Calls the contract at `contract` with ABI `input`, sending `value`.
	Call { contract: ContractAddress, input: Vec<u8>, value: u128, limits: Limits },
	/// Deploys `code` (EVM init code or a PolkaVM blob) with constructor `data`.
	Instantiate {
		code: Vec<u8>,
		data: Vec<u8>,
		salt: Option<[u8; 32]>,
		value: u128,
		limits: Limits,
	},
}

impl ContractCall {
	pub fn limits(&self) -> Limits {
		match self {
			Self::Call { limits, .. } | Self::Instantiate { limits, .. } => *limits,
		}
	}
}

/// What the executing network does with a successful outcome on a third network (or back on the
/// requester's), through the transaction resource manager.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum Apply {
	/// Writes the SCALE-encoded [`ContractOutcome`] under `key` in the target's record store.
	Record { key: Vec<u8> },
	/// Calls `contract` on the target with `selector ++ return data`: the outcome's ABI-encoded
	/// return values become the arguments of the target's function.
	Call { contract: ContractAddress, selector: Vec<u8>, limits: Limits },
}

/// Where an outcome is to be committed atomically.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct CommitTo {
	pub target: NetworkAddress,
	/// The last moment the target may apply it (its heights, or Unix milliseconds).
	pub deadline: Timeout,
	pub apply: Apply,
}

/// A request for the contract executor, local or routed.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ContractRequest {
	pub call: ContractCall,
	/// Commit the outcome elsewhere, if the call succeeds.
	pub commit: Option<CommitTo>,
}

/// The result of one contract execution.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ContractOutcome {
	/// The contract that ran (for a deployment: the new contract).
	pub contract: ContractAddress,
	/// Whether it reverted (its state changes are then rolled back).
	pub reverted: bool,
	pub return_data: Vec<u8>,
	/// blake2-256 of the SCALE-encoded `(topics, data)` of every log it emitted, in order.
	pub logs_digest: [u8; 32],
	pub weight_used: Weight,
}

impl ContractOutcome {
	/// The outcome's identity on every network: blake2-256 of its encoding.
	pub fn hash(&self) -> [u8; 32] {
		sp_crypto_hashing::blake2_256(&self.encode())
	}
}

/// What a routed contract request answers with (its digest is in the acknowledgement).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ExecutionReport {
	pub outcome_hash: [u8; 32],
	pub return_data: Vec<u8>,
	/// The transaction that commits the outcome elsewhere, if one was asked for.
	pub transaction: Option<TxId>,
}

/// Runs contracts on this network (pallet-revive in the runtime).
pub trait ContractEngine<AccountId> {
	/// Executes `call` as `caller`. A revert is an `Ok` outcome with `reverted` set and its
	/// changes rolled back; `Err` means the call could not run at all (no such contract, limits
	/// too low, unmapped account, …), and nothing changed.
	fn execute(caller: &AccountId, call: &ContractCall) -> Result<ContractOutcome, Failure>;

	/// The most weight `call` can take, engine overhead included.
	fn max_weight(call: &ContractCall) -> Weight {
		call.limits().weight
	}
}
