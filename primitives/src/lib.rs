//! Types shared by the Plexus runtime, node and relayer.
//!
//! Every Plexus network runs the same runtime; what tells networks apart is fixed in each one's
//! genesis: a [`NetworkId`], a name and a block time. Those three travel together as
//! [`NetworkIdentity`]. What networks send each other travels in the types of [`envelope`]; the
//! payloads of contract requests, data-protection requests and the resource manager's commits
//! are in [`contract`], [`data_protection`] and [`transaction`]; the traits that join the event
//! router to the pallets that serve or send routed requests, in [`service`]; the rules by which
//! pallets forget entries on time, in [`retention`].
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod contract;
pub mod data_protection;
pub mod envelope;
pub mod retention;
pub mod service;
pub mod transaction;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// The number that names a Plexus network. Unique within a deployment (a topology).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Hash,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct NetworkId(pub u32);

impl core::fmt::Display for NetworkId {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		write!(f, "{}", self.0)
	}
}

/// Longest network name, in bytes.
pub const MAX_NETWORK_NAME_LEN: u32 = 32;

/// Shortest block time a network may choose. The runtime's block weight budget (one second of
/// compute) must fit comfortably inside a slot, next to import and finality work.
pub const MIN_BLOCK_TIME_MS: u64 = 2_000;
/// Longest block time a network may choose.
pub const MAX_BLOCK_TIME_MS: u64 = 60_000;
/// Block time of a network whose genesis does not say.
pub const DEFAULT_BLOCK_TIME_MS: u64 = 3_000;

/// Who a network is, as its genesis fixed it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkIdentity {
	pub network_id: NetworkId,
	/// UTF-8 name, at most [`MAX_NETWORK_NAME_LEN`] bytes.
	pub name: Vec<u8>,
	pub block_time_ms: u64,
}

/// Why a network identity is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IdentityError {
	EmptyName,
	NameTooLong,
	NameNotUtf8,
	BlockTimeOutOfRange,
}

impl IdentityError {
	pub fn as_str(&self) -> &'static str {
		match self {
			Self::EmptyName => "the network name is empty",
			Self::NameTooLong => "the network name is longer than 32 bytes",
			Self::NameNotUtf8 => "the network name is not UTF-8",
			Self::BlockTimeOutOfRange => "the block time is outside 2000..=60000 ms",
		}
	}
}

impl core::fmt::Display for IdentityError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(self.as_str())
	}
}

/// Checks a name and block time before they become a network's identity.
pub fn validate_identity(name: &[u8], block_time_ms: u64) -> Result<(), IdentityError> {
	if name.is_empty() {
		return Err(IdentityError::EmptyName);
	}
	if name.len() > MAX_NETWORK_NAME_LEN as usize {
		return Err(IdentityError::NameTooLong);
	}
	if core::str::from_utf8(name).is_err() {
		return Err(IdentityError::NameNotUtf8);
	}
	if !(MIN_BLOCK_TIME_MS..=MAX_BLOCK_TIME_MS).contains(&block_time_ms) {
		return Err(IdentityError::BlockTimeOutOfRange);
	}
	Ok(())
}

sp_api::decl_runtime_apis! {
	/// Lets clients and other networks' relayers ask a node which network it belongs to.
	pub trait NetworkInfoApi {
		/// The network's identity, as fixed at genesis.
		fn identity() -> NetworkIdentity;
	}

	/// Lets clients follow a routed message on each network it touches.
	pub trait EventRouterApi {
		/// What this network knows of the message `id`.
		fn message_status(id: envelope::MessageId) -> envelope::MessageStatus;
	}

	/// XA-style queries of the transaction resource manager, answered from chain state alone.
	pub trait ResourceManagerApi {
		/// What this network knows of transaction `tx`, as coordinator or as target.
		fn transaction(tx: transaction::TxId) -> transaction::TxStatus;
		/// The transactions this network coordinates whose outcome it does not know yet.
		fn in_doubt() -> Vec<transaction::TxId>;
	}

	/// What the ledger knows of personal data kept off it: records, audit trails, and the
	/// approvals a data vault may serve.
	///
	/// Version 2 pages `audit` and `records_of` (version 1 returned everything at once, which
	/// anyone could inflate). The network is pre-release, so version 1's methods are not kept:
	/// a node checks `api_version` is 2 before calling them.
	///
	/// A page holds at most `limit` entries, and never more than 256 whatever `limit` says,
	/// oldest (lowest id) first, from id `from` on (0: from the start); `next` is the id the
	/// following page starts at, `None` when this page is the last.
	#[api_version(2)]
	pub trait DataProtectionApi<AccountId>
	where
		AccountId: codec::Codec,
	{
		/// A record, if this network registered it.
		fn record(
			id: data_protection::RecordId,
		) -> Option<data_protection::Record<AccountId, Vec<AccountId>>>;
		/// A page of the access requests for record `id`, from request `from` on: who asked,
		/// when, and what was decided; and the request id of the next page.
		fn audit(
			id: data_protection::RecordId,
			from: data_protection::RequestId,
			limit: u32,
		) -> (Vec<data_protection::AuditEntry<AccountId>>, Option<data_protection::RequestId>);
		/// Whether request `id` is an approval a vault may serve now, and if not, why.
		fn grant(
			id: data_protection::RequestId,
		) -> Result<data_protection::Grant<AccountId>, data_protection::Reason>;
		/// A page of the records of `subject` that are not erased (for an export bundle), from
		/// record `from` on; and the record id of the next page.
		fn records_of(
			subject: AccountId,
			from: data_protection::RecordId,
			limit: u32,
		) -> (Vec<data_protection::RecordId>, Option<data_protection::RecordId>);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn identity_validation_names_the_problem() {
		assert_eq!(validate_identity(b"alpha", 3_000), Ok(()));
		assert_eq!(validate_identity(b"", 3_000), Err(IdentityError::EmptyName));
		assert_eq!(validate_identity(&[b'a'; 33], 3_000), Err(IdentityError::NameTooLong));
		assert_eq!(validate_identity(&[0xff, 0xfe], 3_000), Err(IdentityError::NameNotUtf8));
		assert_eq!(validate_identity(b"a", 1_999), Err(IdentityError::BlockTimeOutOfRange));
		assert_eq!(validate_identity(b"a", 60_001), Err(IdentityError::BlockTimeOutOfRange));
		assert_eq!(validate_identity(b"a", MIN_BLOCK_TIME_MS), Ok(()));
		assert_eq!(validate_identity(b"a", MAX_BLOCK_TIME_MS), Ok(()));
	}
}
