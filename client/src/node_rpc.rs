//! The node's own JSON-RPC methods (node/src/rpc), typed. Their JSON shapes are documented and
//! pinned in node/src/rpc/*.rs, whose tests also read every shape back through this module.
//!
//! Router and resource-manager answers come back as the runtime's own types
//! ([`MessageStatus`], [`TxStatus`]); data-protection and vault answers as the structs below,
//! with accounts, hashes and bytes decoded and reason codes as their names.

use crate::{hex0x, rpc_params, Client, Error};
use plexus_primitives::{
	data_protection::{
		signing_payload, ExportRequest, VaultPut, VaultRead, EXPORT_CONTEXT, VAULT_PUT_CONTEXT,
		VAULT_READ_CONTEXT,
	},
	envelope::{Failure, MessageId, MessageStatus, Outcome},
	transaction::{AbortReason, ReceiptStatus, TxId, TxReceipt, TxState, TxStatus},
};
use plexus_runtime::{AccountId, Hash};
use serde::Deserialize;
use sp_core::{sr25519, Bytes, Pair};

// ---- event router -------------------------------------------------------------------------

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum OutcomeJson {
	Ok(Hash),
	Err(FailureJson),
	TimedOut,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ModuleFailureJson {
	pub index: u8,
	pub error: Bytes,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct XcmFailureJson {
	pub instruction: u8,
	pub error: u8,
}

/// `{ "module": { index, error } }`, `{ "xcm": { instruction, error } }` or a name.
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(untagged)]
pub enum FailureJson {
	Module { module: ModuleFailureJson },
	Xcm { xcm: XcmFailureJson },
	Named(String),
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "status", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum MessageStatusJson {
	Unknown,
	AwaitingAck { destination: Hash, next_hop: Hash, lane_nonce: u64 },
	Settled { outcome: OutcomeJson },
	Forwarded { next_hop: Hash, lane_nonce: u64 },
	Received { outcome: OutcomeJson, ack_queued: bool },
}

impl TryFrom<FailureJson> for Failure {
	type Error = Error;

	fn try_from(json: FailureJson) -> Result<Self, Error> {
		Ok(match json {
			FailureJson::Module { module } => Failure::Module {
				index: module.index,
				error: module.error.0.try_into().map_err(|_| "a module error is 4 bytes")?,
			},
			FailureJson::Xcm { xcm } => {
				Failure::Xcm { instruction: xcm.instruction, error: xcm.error }
			},
			FailureJson::Named(name) => match name.as_str() {
				"Unroutable" => Failure::Unroutable,
				"ServiceUnavailable" => Failure::ServiceUnavailable,
				"MalformedPayload" => Failure::MalformedPayload,
				"WeightLimitExceeded" => Failure::WeightLimitExceeded,
				"UntrustedOrigin" => Failure::UntrustedOrigin,
				"Dispatch" => Failure::Dispatch,
				"Reverted" => Failure::Reverted,
				"TimeoutTooFar" => Failure::TimeoutTooFar,
				other => return Err(format!("an unknown failure {other:?}")),
			},
		})
	}
}

impl TryFrom<OutcomeJson> for Outcome {
	type Error = Error;

	fn try_from(json: OutcomeJson) -> Result<Self, Error> {
		Ok(match json {
			OutcomeJson::Ok(digest) => Outcome::Ok(digest.0),
			OutcomeJson::Err(failure) => Outcome::Err(failure.try_into()?),
			OutcomeJson::TimedOut => Outcome::TimedOut,
		})
	}
}

impl TryFrom<MessageStatusJson> for MessageStatus {
	type Error = Error;

	fn try_from(json: MessageStatusJson) -> Result<Self, Error> {
		Ok(match json {
			MessageStatusJson::Unknown => MessageStatus::Unknown,
			MessageStatusJson::AwaitingAck { destination, next_hop, lane_nonce } => {
				MessageStatus::AwaitingAck {
					destination: destination.0,
					next_hop: next_hop.0,
					lane_nonce,
				}
			},
			MessageStatusJson::Settled { outcome } => MessageStatus::Settled(outcome.try_into()?),
			MessageStatusJson::Forwarded { next_hop, lane_nonce } => {
				MessageStatus::Forwarded { next_hop: next_hop.0, lane_nonce }
			},
			MessageStatusJson::Received { outcome, ack_queued } => {
				MessageStatus::Received { outcome: outcome.try_into()?, ack_queued }
			},
		})
	}
}

// ---- resource manager ---------------------------------------------------------------------

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum AbortJson {
	TimedOut,
	Refused(FailureJson),
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum TxStateJson {
	Prepared,
	Committed(Hash),
	Aborted(AbortJson),
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum ReceiptStatusJson {
	Applied,
	TimedOut,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptJson {
	pub status: ReceiptStatusJson,
	pub outcome_hash: Hash,
	pub result: Bytes,
	pub height: u32,
	pub timestamp: u64,
	/// The digest the coordinator's `Committed { receipt }` names.
	pub digest: Hash,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "status", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum TxStatusJson {
	Unknown,
	Coordinated { target: Hash, state: TxStateJson, outcome_hash: Hash },
	Decided { receipt: ReceiptJson },
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TxIdJson {
	pub coordinator: Hash,
	pub sequence: u64,
}

impl TxStatusJson {
	/// The runtime's [`TxStatus`] of transaction `tx` (a receipt's JSON does not repeat it).
	pub fn into_status(self, tx: TxId) -> Result<TxStatus, Error> {
		Ok(match self {
			TxStatusJson::Unknown => TxStatus::Unknown,
			TxStatusJson::Coordinated { target, state, outcome_hash } => TxStatus::Coordinated {
				target: target.0,
				state: match state {
					TxStateJson::Prepared => TxState::Prepared,
					TxStateJson::Committed(receipt) => TxState::Committed { receipt: receipt.0 },
					TxStateJson::Aborted(AbortJson::TimedOut) => {
						TxState::Aborted(AbortReason::TimedOut)
					},
					TxStateJson::Aborted(AbortJson::Refused(failure)) => {
						TxState::Aborted(AbortReason::Refused(failure.try_into()?))
					},
				},
				outcome_hash: outcome_hash.0,
			},
			TxStatusJson::Decided { receipt } => TxStatus::Decided(TxReceipt {
				tx,
				status: match receipt.status {
					ReceiptStatusJson::Applied => ReceiptStatus::Applied,
					ReceiptStatusJson::TimedOut => ReceiptStatus::TimedOut,
				},
				outcome_hash: receipt.outcome_hash.0,
				result: receipt.result.0,
				height: receipt.height,
				timestamp: receipt.timestamp,
			}),
		})
	}
}

// ---- data protection ----------------------------------------------------------------------

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalJson {
	pub basis: String,
	pub approver: String,
	pub expires_at: u64,
}

/// `{ "pending": approver }`, `{ "approved": {…}, "at": t }` or `{ "rejected": reason, "at": t }`.
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(untagged)]
pub enum RequestStateJson {
	Pending { pending: String },
	Approved { approved: ApprovalJson, at: u64 },
	Rejected { rejected: String, at: u64 },
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RoutedFromJson {
	pub network: Hash,
	pub sender: AccountId,
}

/// One access request of `dataProtection_audit`.
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryJson {
	pub request: u64,
	pub requester: AccountId,
	pub origin: Option<RoutedFromJson>,
	/// The purpose as text (or hex when it is not UTF-8).
	pub purpose: String,
	pub asked_at: u64,
	pub state: RequestStateJson,
}

/// A page of `dataProtection_audit`.
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AuditPageJson {
	pub entries: Vec<AuditEntryJson>,
	/// The request the next page starts at, if there is one.
	pub next: Option<u64>,
}

/// A page of `dataProtection_recordsOf`.
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RecordsPageJson {
	pub records: Vec<u64>,
	/// Where the next page starts, if there is one.
	pub next: Option<u64>,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RecordJson {
	pub subject: AccountId,
	pub controller: AccountId,
	pub category: String,
	pub commitment: Hash,
	pub holders: Vec<AccountId>,
	pub retain_until: u64,
	pub policy: u64,
	pub version: u32,
	pub supersedes: Option<u64>,
	pub superseded_by: Option<u64>,
	pub registered_at: u64,
	/// `Active`, `Erasing`, `Erased`, …
	pub state: String,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GrantedJson {
	pub request: u64,
	pub record: u64,
	pub commitment: Hash,
	pub subject: AccountId,
	pub signer: AccountId,
	pub expires_at: u64,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum GrantJson {
	Granted(GrantedJson),
	/// The reason code, e.g. `NoConsent`.
	Refused(String),
}

// ---- vault --------------------------------------------------------------------------------

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct HolderJson {
	pub ss58: AccountId,
	pub hex: Hash,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PutJson {
	pub commitment: Hash,
	pub holder: AccountId,
	pub holder_hex: Hash,
	/// The holder's signature over `Custody { network, commitment, subject, controller }`:
	/// `dataProtection.register` takes it with the holder.
	pub custody: Bytes,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReadJson {
	pub record: u64,
	pub commitment: Hash,
	pub salt: Bytes,
	pub data: Bytes,
	pub expires_at: u64,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ErasureJson {
	pub record: u64,
	pub holder: AccountId,
	pub holder_hex: Hash,
	pub destroyed_at: u64,
	pub signature: Bytes,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExportedRecordJson {
	pub record: u64,
	pub version: u32,
	pub category: String,
	pub commitment: Hash,
	pub retain_until: u64,
	/// Absent when this vault does not hold the record's data.
	pub salt: Option<Bytes>,
	pub data: Option<Bytes>,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ExportJson {
	pub at: Hash,
	pub records: Vec<ExportedRecordJson>,
	pub proof: Vec<Bytes>,
	/// Where the next page starts, if there is one.
	pub next: Option<u64>,
}

// ---- the calls ----------------------------------------------------------------------------

impl Client {
	/// `eventRouter_messageStatus`: where message `id` stands on this network, at `at` (the
	/// best block when `None`).
	pub async fn message_status(
		&self,
		id: MessageId,
		at: Option<Hash>,
	) -> Result<MessageStatus, Error> {
		let json: MessageStatusJson = self
			.call("eventRouter_messageStatus", rpc_params![hex0x(id.origin), id.sequence, at])
			.await?;
		json.try_into()
	}

	/// `resourceManager_transaction`: what this network knows of transaction `tx`.
	pub async fn transaction(&self, tx: TxId, at: Option<Hash>) -> Result<TxStatus, Error> {
		let json: TxStatusJson = self
			.call(
				"resourceManager_transaction",
				rpc_params![hex0x(tx.coordinator), tx.sequence, at],
			)
			.await?;
		json.into_status(tx)
	}

	/// `resourceManager_inDoubt`: the transactions this network coordinates whose outcome it does
	/// not know yet.
	pub async fn in_doubt(&self, at: Option<Hash>) -> Result<Vec<TxId>, Error> {
		let ids: Vec<TxIdJson> = self.call("resourceManager_inDoubt", rpc_params![at]).await?;
		Ok(ids
			.into_iter()
			.map(|id| TxId { coordinator: id.coordinator.0, sequence: id.sequence })
			.collect())
	}

	/// `dataProtection_audit`: one page of the access requests for `record`, oldest first, from
	/// request `from` on.
	pub async fn audit(
		&self,
		record: u64,
		from: u64,
		at: Option<Hash>,
	) -> Result<AuditPageJson, Error> {
		self.call("dataProtection_audit", rpc_params![record, from, at]).await
	}

	/// `dataProtection_record`.
	pub async fn record(&self, record: u64, at: Option<Hash>) -> Result<Option<RecordJson>, Error> {
		self.call("dataProtection_record", rpc_params![record, at]).await
	}

	/// `dataProtection_grant`: whether request `request`'s approval stands.
	pub async fn grant(&self, request: u64, at: Option<Hash>) -> Result<GrantJson, Error> {
		self.call("dataProtection_grant", rpc_params![request, at]).await
	}

	/// `dataProtection_recordsOf`: one page of the records of `subject`, from record `from` on.
	pub async fn records_of(
		&self,
		subject: &AccountId,
		from: u64,
		at: Option<Hash>,
	) -> Result<RecordsPageJson, Error> {
		self.call("dataProtection_recordsOf", rpc_params![subject.to_string(), from, at]).await
	}

	/// `vault_holder`: the account this node's vault signs as.
	pub async fn vault_holder(&self) -> Result<HolderJson, Error> {
		self.call("vault_holder", rpc_params![]).await
	}

	/// `vault_put` as the controller: signs a `VaultPut` for this node's vault with `controller`
	/// and puts `data` of `subject`; returns the commitment and the holder's custody signature
	/// to register on the ledger.
	pub async fn vault_put(
		&self,
		controller: &sr25519::Pair,
		subject: &AccountId,
		data: &[u8],
	) -> Result<PutJson, Error> {
		let holder = self.vault_holder().await?.ss58;
		let issued_at = crate::now_ms();
		let request = VaultPut {
			network: self.genesis().0,
			holder,
			subject: subject.clone(),
			data: sp_io::hashing::blake2_256(data),
			issued_at,
		};
		let signature = controller.sign(&signing_payload(VAULT_PUT_CONTEXT, &request));
		let controller = AccountId::from(controller.public());
		self.call(
			"vault_put",
			rpc_params![
				subject.to_string(),
				controller.to_string(),
				hex0x(data),
				issued_at,
				hex0x(signature.0)
			],
		)
		.await
	}

	/// `vault_put` unsigned: the operator's call, refused unless the interface allows unsafe
	/// methods.
	pub async fn vault_put_unsigned(
		&self,
		subject: &AccountId,
		controller: &AccountId,
		data: &[u8],
	) -> Result<PutJson, Error> {
		self.call(
			"vault_put",
			rpc_params![subject.to_string(), controller.to_string(), hex0x(data)],
		)
		.await
	}

	/// The signed read of request `request` from this node's vault, as `requester`: `(issued at,
	/// signature)` for [`Client::vault_get`].
	pub async fn sign_vault_read(
		&self,
		requester: &sr25519::Pair,
		request: u64,
	) -> Result<(u64, Vec<u8>), Error> {
		let holder = self.vault_holder().await?.ss58;
		let issued_at = crate::now_ms();
		let read = VaultRead { network: self.genesis().0, holder, request, issued_at };
		Ok((issued_at, requester.sign(&signing_payload(VAULT_READ_CONTEXT, &read)).0.to_vec()))
	}

	/// `vault_get` with a read signed by the approved requester (`signature` over the
	/// `VaultRead` payload, e.g. from [`Client::sign_vault_read`]).
	pub async fn vault_get(
		&self,
		request: u64,
		issued_at: u64,
		signature: &[u8],
	) -> Result<ReadJson, Error> {
		self.call("vault_get", rpc_params![request, issued_at, hex0x(signature)]).await
	}

	/// `vault_erase` (unsafe: the operator's): destroys the record's key once the finalized
	/// ledger asks; returns the attestation.
	pub async fn vault_erase(&self, record: u64) -> Result<ErasureJson, Error> {
		self.call("vault_erase", rpc_params![record]).await
	}

	/// The signed export of `subject`'s records from `from` on, from this node's vault:
	/// `(issued at, signature)` for [`Client::vault_export`].
	pub async fn sign_vault_export(
		&self,
		subject: &sr25519::Pair,
		from: u64,
	) -> Result<(u64, Vec<u8>), Error> {
		let holder = self.vault_holder().await?.ss58;
		let issued_at = crate::now_ms();
		let request = ExportRequest { network: self.genesis().0, holder, from, issued_at };
		Ok((issued_at, subject.sign(&signing_payload(EXPORT_CONTEXT, &request)).0.to_vec()))
	}

	/// `vault_export`: one page, signed by `subject` (`signature` over the `ExportRequest`
	/// payload, e.g. from [`Client::sign_vault_export`]).
	pub async fn vault_export(
		&self,
		subject: &AccountId,
		from: u64,
		issued_at: u64,
		signature: &[u8],
	) -> Result<ExportJson, Error> {
		self.call(
			"vault_export",
			rpc_params![subject.to_string(), from, issued_at, hex0x(signature)],
		)
		.await
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	fn status(value: serde_json::Value) -> Result<MessageStatus, Error> {
		serde_json::from_value::<MessageStatusJson>(value).map_err(|e| e.to_string())?.try_into()
	}

	#[test]
	fn message_statuses_read_back_into_the_runtime_types() {
		let digest = format!("0x{}", "ab".repeat(32));
		assert_eq!(
			status(json!({ "status": "settled", "outcome": { "ok": digest } })),
			Ok(MessageStatus::Settled(Outcome::Ok([0xab; 32])))
		);
		assert_eq!(
			status(
				json!({ "status": "received", "outcome": { "err": { "module": { "index": 7, "error": "0x01000000" } } }, "ackQueued": false })
			),
			Ok(MessageStatus::Received {
				outcome: Outcome::Err(Failure::Module { index: 7, error: [1, 0, 0, 0] }),
				ack_queued: false
			})
		);
		assert_eq!(
			status(json!({ "status": "settled", "outcome": "timedOut" })),
			Ok(MessageStatus::Settled(Outcome::TimedOut))
		);
		assert!(status(json!({ "status": "settled", "outcome": { "err": "Stolen" } }))
			.unwrap_err()
			.contains("unknown failure"));
		assert!(status(json!({ "status": "lost" })).is_err());
	}

	#[test]
	fn transaction_states_read_back_into_the_runtime_types() {
		let tx = TxId { coordinator: [2; 32], sequence: 9 };
		let json: TxStatusJson = serde_json::from_value(json!({
			"status": "coordinated",
			"target": format!("0x{}", "cc".repeat(32)),
			"state": { "aborted": { "refused": "Reverted" } },
			"outcomeHash": format!("0x{}", "01".repeat(32)),
		}))
		.unwrap();
		assert_eq!(
			json.into_status(tx),
			Ok(TxStatus::Coordinated {
				target: [0xcc; 32],
				state: TxState::Aborted(AbortReason::Refused(Failure::Reverted)),
				outcome_hash: [1; 32],
			})
		);
	}
}
