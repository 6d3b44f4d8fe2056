//! Data protection's shared types: what the ledger knows of personal data kept off it, the access
//! decisions it commits, and the statements the node's data vault and its clients sign.
//!
//! The ledger never holds personal data. It holds a salted commitment of each record
//! ([`commitment`]), the record's holders (the vaults that keep the encrypted data), the policy
//! that governs access, consents, and every access decision with its reason. A vault serves data
//! only against an approval the ledger holds ([`Grant`]), to the requester who signs a
//! [`VaultRead`]; it destroys a record's key on erasure and signs an [`ErasureAttestation`].

use crate::envelope::NetworkAddress;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{traits::ConstU32, BoundedVec};

/// A record's number on the network that registered it.
pub type RecordId = u64;
/// An access request's number on the network that decided it.
pub type RequestId = u64;
/// A policy's number on its network. Policies never change; a new version is a new policy.
pub type PolicyId = u32;

/// Longest purpose or role name, in bytes.
pub const MAX_TAG_LEN: u32 = 32;
/// A purpose of processing (`b"billing"`, `b"research"`) or a requester's role (`b"auditor"`).
pub type Tag = BoundedVec<u8, ConstU32<MAX_TAG_LEN>>;

/// Domain separators: a signature or a hash made for one use is never valid for another.
pub const COMMITMENT_CONTEXT: &[u8] = b"plexus/data-protection/commitment/v1";
pub const VAULT_READ_CONTEXT: &[u8] = b"plexus/data-protection/vault-read/v2";
pub const ERASURE_CONTEXT: &[u8] = b"plexus/data-protection/erasure/v1";
pub const EXPORT_CONTEXT: &[u8] = b"plexus/data-protection/export/v2";
pub const CUSTODY_CONTEXT: &[u8] = b"plexus/data-protection/custody/v1";
pub const VAULT_PUT_CONTEXT: &[u8] = b"plexus/data-protection/vault-put/v1";

/// The salted commitment the ledger keeps of a record: `blake2_256(context ‖ salt ‖ data)`.
/// The salt is secret and random, so the commitment cannot be tested against guesses of the data.
pub fn commitment(salt: &[u8; 32], data: &[u8]) -> [u8; 32] {
	let mut preimage = Vec::with_capacity(COMMITMENT_CONTEXT.len() + 32 + data.len());
	preimage.extend_from_slice(COMMITMENT_CONTEXT);
	preimage.extend_from_slice(salt);
	preimage.extend_from_slice(data);
	sp_crypto_hashing::blake2_256(&preimage)
}

/// The bytes a signer signs for `value` in `context`.
pub fn signing_payload(context: &[u8], value: &impl Encode) -> Vec<u8> {
	let mut payload = context.to_vec();
	value.encode_to(&mut payload);
	payload
}

/// What kind of personal data a record holds.
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
pub enum Category {
	Identity,
	Contact,
	Financial,
	Location,
	Behavioural,
	/// Special category (GDPR Art. 9).
	Health,
	/// Special category (GDPR Art. 9).
	Biometric,
	/// Special category (GDPR Art. 9).
	Genetic,
	Other,
}

impl Category {
	/// Special categories may be processed only with the subject's consent here (Art. 9(2)(a)).
	pub fn is_special(&self) -> bool {
		matches!(self, Self::Health | Self::Biometric | Self::Genetic)
	}
}

/// The lawful basis a purpose of processing rests on (GDPR Art. 6(1)).
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
pub enum LegalBasis {
	/// (a): the subject's consent for this purpose, valid when access is decided.
	Consent,
	/// (b)
	Contract,
	/// (c)
	LegalObligation,
	/// (d)
	VitalInterests,
	/// (e)
	PublicTask,
	/// (f)
	LegitimateInterests,
}

/// Who decides an access request that passed the policy's checks.
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
pub enum Approver {
	/// The policy itself, at once.
	Policy,
	/// The data subject, by `decide`.
	Subject,
	/// The controller, by `decide`.
	Controller,
}

/// One purpose a policy allows access for.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Rule {
	pub purpose: Tag,
	pub basis: LegalBasis,
	/// The role the requester must hold from the record's controller, if any.
	pub role: Option<Tag>,
	pub approver: Approver,
}

/// Why an access request was rejected: the reason code every rejection carries.
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
pub enum Reason {
	UnknownRecord,
	UnknownRequest,
	/// The request is pending or was rejected.
	NotApproved,
	/// The approval's time is over.
	ApprovalExpired,
	/// The record is erased or being erased.
	Erased,
	/// A newer version of the record supersedes this one.
	Superseded,
	/// The record's retention period is over.
	RetentionOver,
	/// The policy allows no access for this purpose.
	PurposeNotAllowed,
	/// The requester lacks the role the policy's rule asks for.
	RoleMissing,
	/// The purpose rests on consent and the subject never gave it.
	NoConsent,
	ConsentWithdrawn,
	ConsentExpired,
	RefusedBySubject,
	RefusedByController,
}

/// What was decided, once and for all.
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
pub enum Decision {
	/// Access granted on `basis` until `expires_at` (Unix ms), by `approver`.
	Approved {
		basis: LegalBasis,
		approver: Approver,
		expires_at: u64,
	},
	Rejected(Reason),
}

/// Where an access request stands.
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
pub enum RequestState {
	/// Passed the policy's checks; waits for `approver`.
	Pending { approver: Approver },
	/// Decided at `at` (Unix ms).
	Decided { decision: Decision, at: u64 },
}

/// A request to read a record for a purpose: the `request_access` call's arguments and the
/// payload of a routed `Service::DataProtection` request.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct AccessRequest {
	pub record: RecordId,
	pub purpose: Tag,
}

/// What a routed access request is answered with; its digest goes back in the acknowledgement.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct AccessAnswer {
	pub request: RequestId,
	pub state: RequestState,
}

/// Where a record stands in its life.
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
pub enum RecordState {
	Active,
	/// Its holders are destroying its key; `attested` of them have signed so far.
	Erasing {
		requested_at: u64,
		cause: ErasureCause,
		attested: u32,
	},
	/// Every holder attested the key's destruction.
	Erased {
		at: u64,
		cause: ErasureCause,
	},
}

/// Why a record is erased.
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
pub enum ErasureCause {
	/// The subject asked (GDPR Art. 17).
	Subject,
	Controller,
	/// Its retention period ended.
	Retention,
	/// A rectified version replaced it.
	Rectified,
}

/// A record as the ledger knows it; `Holders` is a bounded list in storage, a `Vec` in APIs.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Record<AccountId, Holders> {
	pub subject: AccountId,
	pub controller: AccountId,
	pub category: Category,
	pub commitment: [u8; 32],
	/// The vaults that keep the encrypted data, by their signing accounts.
	pub holders: Holders,
	/// Unix ms after which the retention sweep erases it.
	pub retain_until: u64,
	pub policy: PolicyId,
	pub version: u32,
	pub supersedes: Option<RecordId>,
	pub superseded_by: Option<RecordId>,
	pub registered_at: u64,
	pub state: RecordState,
}

impl<AccountId, Holders> Record<AccountId, Holders> {
	/// The same record with its holders in another container (bounded in storage, `Vec` in APIs).
	pub fn with_holders<Other>(
		self,
		convert: impl FnOnce(Holders) -> Other,
	) -> Record<AccountId, Other> {
		Record {
			subject: self.subject,
			controller: self.controller,
			category: self.category,
			commitment: self.commitment,
			holders: convert(self.holders),
			retain_until: self.retain_until,
			policy: self.policy,
			version: self.version,
			supersedes: self.supersedes,
			superseded_by: self.superseded_by,
			registered_at: self.registered_at,
			state: self.state,
		}
	}
}

/// One line of a record's audit trail: who asked, when, for what, and what was decided and why.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct AuditEntry<AccountId> {
	pub request: RequestId,
	/// The account that acts on this network (a remote requester's derived account).
	pub requester: AccountId,
	/// For a routed request: the network it came from and the account that signed it there.
	pub origin: Option<(NetworkAddress, AccountId)>,
	pub purpose: Tag,
	pub asked_at: u64,
	pub state: RequestState,
}

/// An approval a vault may serve now, as the ledger reports it.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Grant<AccountId> {
	pub request: RequestId,
	pub record: RecordId,
	pub commitment: [u8; 32],
	pub subject: AccountId,
	/// Who must sign the vault read: the requester, or for a routed request the account that
	/// sent it on its own network.
	pub signer: AccountId,
	pub expires_at: u64,
}

/// What a requester signs to read an approved record from one vault.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct VaultRead<AccountId> {
	/// The genesis hash of the network that decided the request.
	pub network: NetworkAddress,
	/// The vault asked (its `vault_holder`): a read signed for one vault is refused by others.
	pub holder: AccountId,
	pub request: RequestId,
	/// Unix ms; a vault accepts a read only near its own clock, and each one once.
	pub issued_at: u64,
}

/// What a controller signs to put a subject's data into one vault (`vault_put`).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct VaultPut<AccountId> {
	pub network: NetworkAddress,
	/// The vault asked: a put signed for one vault is refused by others.
	pub holder: AccountId,
	pub subject: AccountId,
	/// `blake2_256` of the data: the signature covers exactly these bytes.
	pub data: [u8; 32],
	/// Unix ms; a vault accepts a put only near its own clock, and each one once.
	pub issued_at: u64,
}

/// What a vault signs once it holds a record's data durably: the ledger registers a commitment
/// only with this signature from each holder it names, so no one registers data they did not
/// put, nor under another subject or controller than the vault keeps with it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Custody<AccountId> {
	pub network: NetworkAddress,
	pub commitment: [u8; 32],
	pub subject: AccountId,
	pub controller: AccountId,
}

/// What a holder signs when it destroyed a record's key.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct ErasureAttestation {
	pub network: NetworkAddress,
	pub record: RecordId,
	pub commitment: [u8; 32],
	pub destroyed_at: u64,
}

/// What a subject signs to export one page of their own records from one vault (portability).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ExportRequest<AccountId> {
	pub network: NetworkAddress,
	/// The vault asked: an export signed for one vault is refused by others.
	pub holder: AccountId,
	/// The page: the subject's records from this id on (an export's `next`).
	pub from: RecordId,
	/// Unix ms; a vault accepts an export only near its own clock, and each one once.
	pub issued_at: u64,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn commitments_depend_on_salt_and_data() {
		let (a, b) = ([1u8; 32], [2u8; 32]);
		assert_eq!(commitment(&a, b"alice"), commitment(&a, b"alice"));
		assert_ne!(commitment(&a, b"alice"), commitment(&b, b"alice"));
		assert_ne!(commitment(&a, b"alice"), commitment(&a, b"alicf"));
		// Never the plain hash of the data.
		assert_ne!(commitment(&a, b"alice"), sp_crypto_hashing::blake2_256(b"alice"));
	}

	#[test]
	fn signing_payloads_are_separated_by_context() {
		let read = VaultRead { network: [7; 32], holder: [1u8; 32], request: 3, issued_at: 9 };
		assert_ne!(
			signing_payload(VAULT_READ_CONTEXT, &read),
			signing_payload(ERASURE_CONTEXT, &read)
		);
		assert!(signing_payload(VAULT_READ_CONTEXT, &read).starts_with(VAULT_READ_CONTEXT));
	}
}
