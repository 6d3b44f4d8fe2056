//! What the ledger knows of personal data kept off it, from `DataProtectionApi` at block `at`
//! (default: the best block), as JSON:
//!
//! - `dataProtection_audit(record[, at])`: every access request for `record`, oldest first:
//!   `[{ "request": 0, "requester": "5…", "origin": null | { "network": "0x…", "sender": "5…" },
//!   "purpose": "billing", "askedAt": …, "state": { "approved": { "basis": "Consent",
//!   "approver": "Policy", "expiresAt": … }, "at": … } | { "rejected": "NoConsent", "at": … } |
//!   { "pending": "Subject" } }, …]`;
//! - `dataProtection_record(record[, at])`: the record (subject, controller, category,
//!   commitment, holders, retention, policy, version, state) or null;
//! - `dataProtection_grant(request[, at])`: `{ "granted": { … } }` or `{ "refused": "<Reason>" }`.

use super::vault::{hex0x, parse_account};
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use plexus_primitives::{
	data_protection::{AuditEntry, Decision, RequestState},
	DataProtectionApi,
};
use plexus_runtime::{opaque::Block, AccountId};
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::Ss58Codec, H256};
use std::sync::Arc;

fn rpc_error(method: &str, error: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(1, format!("{method}: {error}"), None::<()>)
}

fn tag(bytes: &[u8]) -> String {
	String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| hex0x(bytes))
}

pub fn state_json(state: &RequestState) -> Value {
	match state {
		RequestState::Pending { approver } => json!({ "pending": format!("{approver:?}") }),
		RequestState::Decided {
			decision: Decision::Approved { basis, approver, expires_at },
			at,
		} => {
			json!({ "approved": { "basis": format!("{basis:?}"), "approver": format!("{approver:?}"), "expiresAt": expires_at }, "at": at })
		},
		RequestState::Decided { decision: Decision::Rejected(reason), at } => {
			json!({ "rejected": format!("{reason:?}"), "at": at })
		},
	}
}

fn entry_json(entry: &AuditEntry<AccountId>) -> Value {
	json!({
		"request": entry.request,
		"requester": entry.requester.to_ss58check(),
		"origin": entry.origin.as_ref().map(|(network, sender)| json!({ "network": hex0x(network), "sender": sender.to_ss58check() })),
		"purpose": tag(&entry.purpose),
		"askedAt": entry.asked_at,
		"state": state_json(&entry.state),
	})
}

pub fn module<C>(client: Arc<C>) -> Result<RpcModule<Arc<C>>, jsonrpsee::core::RegisterMethodError>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: DataProtectionApi<Block, AccountId>,
{
	let mut module = RpcModule::new(client);
	module.register_method("dataProtection_audit", |params, client, _| {
		const M: &str = "dataProtection_audit";
		let mut args = params.sequence();
		let record: u64 = args.next()?;
		let at: Option<H256> = args.optional_next()?;
		let at = at.unwrap_or_else(|| client.info().best_hash);
		let entries = client.runtime_api().audit(at, record).map_err(|e| rpc_error(M, e))?;
		Ok::<_, ErrorObjectOwned>(Value::Array(entries.iter().map(entry_json).collect()))
	})?;
	module.register_method("dataProtection_record", |params, client, _| {
		const M: &str = "dataProtection_record";
		let mut args = params.sequence();
		let id: u64 = args.next()?;
		let at: Option<H256> = args.optional_next()?;
		let at = at.unwrap_or_else(|| client.info().best_hash);
		let record = client.runtime_api().record(at, id).map_err(|e| rpc_error(M, e))?;
		Ok::<_, ErrorObjectOwned>(match record {
			None => Value::Null,
			Some(r) => json!({
				"subject": r.subject.to_ss58check(),
				"controller": r.controller.to_ss58check(),
				"category": format!("{:?}", r.category),
				"commitment": hex0x(&r.commitment),
				"holders": r.holders.iter().map(|h| h.to_ss58check()).collect::<Vec<_>>(),
				"retainUntil": r.retain_until,
				"policy": r.policy,
				"version": r.version,
				"supersedes": r.supersedes,
				"supersededBy": r.superseded_by,
				"registeredAt": r.registered_at,
				"state": format!("{:?}", r.state),
			}),
		})
	})?;
	module.register_method("dataProtection_grant", |params, client, _| {
		const M: &str = "dataProtection_grant";
		let mut args = params.sequence();
		let request: u64 = args.next()?;
		let at: Option<H256> = args.optional_next()?;
		let at = at.unwrap_or_else(|| client.info().best_hash);
		let grant = client.runtime_api().grant(at, request).map_err(|e| rpc_error(M, e))?;
		Ok::<_, ErrorObjectOwned>(match grant {
			Ok(g) => json!({ "granted": {
				"request": g.request,
				"record": g.record,
				"commitment": hex0x(&g.commitment),
				"subject": g.subject.to_ss58check(),
				"signer": g.signer.to_ss58check(),
				"expiresAt": g.expires_at,
			}}),
			Err(reason) => json!({ "refused": format!("{reason:?}") }),
		})
	})?;
	module.register_method("dataProtection_recordsOf", |params, client, _| {
		const M: &str = "dataProtection_recordsOf";
		let mut args = params.sequence();
		let subject = parse_account(M, &args.next::<String>()?)?;
		let at: Option<H256> = args.optional_next()?;
		let at = at.unwrap_or_else(|| client.info().best_hash);
		client.runtime_api().records_of(at, subject).map_err(|e| rpc_error(M, e))
	})?;
	Ok(module)
}
