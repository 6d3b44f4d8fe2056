//! What the ledger knows of personal data kept off it, from `DataProtectionApi` at block `at`
//! (default: the best block), as JSON:
//!
//! - `dataProtection_audit(record[, from[, at]])`: a page of the access requests for `record`,
//!   oldest first, from request `from` (default 0) on, and where the next page starts:
//!   `{ "entries": [{ "request": 0, "requester": "5…", "origin": null | { "network": "0x…",
//!   "sender": "5…" }, "purpose": "billing", "askedAt": …, "state": { "approved": { "basis":
//!   "Consent", "approver": "Policy", "expiresAt": … }, "at": … } | { "rejected": "NoConsent",
//!   "at": … } | { "pending": "Subject" } }, …], "next": 256 | null }`;
//! - `dataProtection_record(record[, at])`: the record (subject, controller, category,
//!   commitment, holders, retention, policy, version, state) or null;
//! - `dataProtection_grant(request[, at])`: `{ "granted": { … } }` or `{ "refused": "<Reason>" }`;
//! - `dataProtection_recordsOf(subject[, from[, at]])`: a page of the subject's records not yet
//!   erased, from record `from` (default 0) on: `{ "records": [0, 3], "next": 9 | null }`.
//!
//! Pages hold at most [`PAGE`] items, so no call's work grows with the ledger's history.

use super::json::{hex, parse_account, rpc_error};
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use plexus_primitives::{
	data_protection::{AuditEntry, Decision, Grant, Reason, Record, RequestState},
	DataProtectionApi,
};
use plexus_runtime::{opaque::Block, AccountId};
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::Ss58Codec, H256};
use std::sync::Arc;

/// Most items one page of `dataProtection_audit` or `dataProtection_recordsOf` holds.
pub const PAGE: u32 = 256;

fn tag(bytes: &[u8]) -> String {
	String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| hex(bytes))
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
		"origin": entry.origin.as_ref().map(|(network, sender)| json!({ "network": hex(network), "sender": sender.to_ss58check() })),
		"purpose": tag(&entry.purpose),
		"askedAt": entry.asked_at,
		"state": state_json(&entry.state),
	})
}

/// `dataProtection_audit`: `{ "entries": [<entry_json>, …], "next": <index> | null }`.
fn audit_json(entries: &[AuditEntry<AccountId>], next: Option<u64>) -> Value {
	json!({ "entries": entries.iter().map(entry_json).collect::<Vec<_>>(), "next": next })
}

/// `dataProtection_recordsOf`: `{ "records": [0, 3], "next": <record id> | null }`.
fn records_page_json(records: &[u64], next: Option<u64>) -> Value {
	json!({ "records": records, "next": next })
}

fn record_json(r: &Record<AccountId, Vec<AccountId>>) -> Value {
	json!({
		"subject": r.subject.to_ss58check(),
		"controller": r.controller.to_ss58check(),
		"category": format!("{:?}", r.category),
		"commitment": hex(&r.commitment),
		"holders": r.holders.iter().map(|h| h.to_ss58check()).collect::<Vec<_>>(),
		"retainUntil": r.retain_until,
		"policy": r.policy,
		"version": r.version,
		"supersedes": r.supersedes,
		"supersededBy": r.superseded_by,
		"registeredAt": r.registered_at,
		"state": format!("{:?}", r.state),
	})
}

fn grant_json(grant: &Result<Grant<AccountId>, Reason>) -> Value {
	match grant {
		Ok(g) => json!({ "granted": {
			"request": g.request,
			"record": g.record,
			"commitment": hex(&g.commitment),
			"subject": g.subject.to_ss58check(),
			"signer": g.signer.to_ss58check(),
			"expiresAt": g.expires_at,
		}}),
		Err(reason) => json!({ "refused": format!("{reason:?}") }),
	}
}

pub fn module<C>(client: Arc<C>) -> Result<RpcModule<Arc<C>>, jsonrpsee::core::RegisterMethodError>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: DataProtectionApi<Block, AccountId>,
{
	let mut module = RpcModule::new(client);
	module.register_blocking_method("dataProtection_audit", |params, client, _| {
		const M: &str = "dataProtection_audit";
		let mut args = params.sequence();
		let record: u64 = args.next()?;
		let from: Option<u64> = args.optional_next()?;
		let at: Option<H256> = args.optional_next()?;
		let at = at.unwrap_or_else(|| client.info().best_hash);
		let (entries, next) = client
			.runtime_api()
			.audit(at, record, from.unwrap_or(0), PAGE)
			.map_err(|e| rpc_error(M, e))?;
		Ok::<_, ErrorObjectOwned>(audit_json(&entries, next))
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
			Some(r) => record_json(&r),
		})
	})?;
	module.register_method("dataProtection_grant", |params, client, _| {
		const M: &str = "dataProtection_grant";
		let mut args = params.sequence();
		let request: u64 = args.next()?;
		let at: Option<H256> = args.optional_next()?;
		let at = at.unwrap_or_else(|| client.info().best_hash);
		let grant = client.runtime_api().grant(at, request).map_err(|e| rpc_error(M, e))?;
		Ok::<_, ErrorObjectOwned>(grant_json(&grant))
	})?;
	module.register_blocking_method("dataProtection_recordsOf", |params, client, _| {
		const M: &str = "dataProtection_recordsOf";
		let mut args = params.sequence();
		let subject = parse_account(M, &args.next::<String>()?)?;
		let from: Option<u64> = args.optional_next()?;
		let at: Option<H256> = args.optional_next()?;
		let at = at.unwrap_or_else(|| client.info().best_hash);
		let (records, next) = client
			.runtime_api()
			.records_of(at, subject, from.unwrap_or(0), PAGE)
			.map_err(|e| rpc_error(M, e))?;
		Ok::<_, ErrorObjectOwned>(records_page_json(&records, next))
	})?;
	Ok(module)
}

#[cfg(test)]
mod tests {
	use super::*;
	use plexus_primitives::data_protection::{
		Approver, Category, ErasureCause, LegalBasis, RecordState,
	};

	fn account(byte: u8) -> AccountId {
		AccountId::new([byte; 32])
	}

	#[test]
	fn records_read_as_documented() {
		let approved = RequestState::Decided {
			decision: Decision::Approved {
				basis: LegalBasis::Consent,
				approver: Approver::Policy,
				expires_at: 90_000,
			},
			at: 30_000,
		};
		let entry = AuditEntry {
			request: 4,
			requester: account(1),
			origin: Some(([7; 32], account(2))),
			purpose: b"billing".to_vec().try_into().expect("a short tag"),
			asked_at: 29_000,
			state: approved,
		};
		assert_eq!(
			entry_json(&entry),
			json!({
				"request": 4,
				"requester": "5C62Ck4UrFPiBtoCmeSrgF7x9yv9mn38446dhCpsi2mLHiFT",
				"origin": {
					"network": format!("0x{}", "07".repeat(32)),
					"sender": "5C7LYpP2ZH3tpKbvVvwiVe54AapxErdPBbvkYhe6y9ZBkqWt",
				},
				"purpose": "billing",
				"askedAt": 29_000,
				"state": {
					"approved": { "basis": "Consent", "approver": "Policy", "expiresAt": 90_000 },
					"at": 30_000,
				},
			})
		);
		let local = AuditEntry {
			origin: None,
			purpose: b"\xff\xfe".to_vec().try_into().expect("a short tag"),
			state: RequestState::Pending { approver: Approver::Subject },
			..entry
		};
		let json = entry_json(&local);
		assert_eq!(json["origin"], Value::Null);
		assert_eq!(json["purpose"], "0xfffe");
		assert_eq!(json["state"], json!({ "pending": "Subject" }));
		assert_eq!(
			state_json(&RequestState::Decided {
				decision: Decision::Rejected(Reason::NoConsent),
				at: 31_000
			}),
			json!({ "rejected": "NoConsent", "at": 31_000 })
		);

		let record = Record {
			subject: account(3),
			controller: account(4),
			category: Category::Contact,
			commitment: [0xab; 32],
			holders: vec![account(5)],
			retain_until: 1_000_000,
			policy: 2,
			version: 1,
			supersedes: None,
			superseded_by: Some(9),
			registered_at: 500,
			state: RecordState::Erasing {
				requested_at: 600,
				cause: ErasureCause::Subject,
				attested: 0,
			},
		};
		assert_eq!(
			record_json(&record),
			json!({
				"subject": "5C8etthaGJi5SkQeEDSaK32ABBjkhwDeK9ksQCTLEGM3EH14",
				"controller": "5C9yEy27yLNG5BDMxVwS8RyGBneZB1ouShazFhGZVP8thK5z",
				"category": "Contact",
				"commitment": format!("0x{}", "ab".repeat(32)),
				"holders": ["5CBHb3LfgN2Shc25gnSHwpvNCPZMe6QAaFR77C5nkVvkAK1o"],
				"retainUntil": 1_000_000,
				"policy": 2,
				"version": 1,
				"supersedes": null,
				"supersededBy": 9,
				"registeredAt": 500,
				"state": "Erasing { requested_at: 600, cause: Subject, attested: 0 }",
			})
		);

		let grant = Grant {
			request: 4,
			record: 8,
			commitment: [0xab; 32],
			subject: account(3),
			signer: account(1),
			expires_at: 90_000,
		};
		assert_eq!(
			grant_json(&Ok(grant)),
			json!({ "granted": {
				"request": 4,
				"record": 8,
				"commitment": format!("0x{}", "ab".repeat(32)),
				"subject": "5C8etthaGJi5SkQeEDSaK32ABBjkhwDeK9ksQCTLEGM3EH14",
				"signer": "5C62Ck4UrFPiBtoCmeSrgF7x9yv9mn38446dhCpsi2mLHiFT",
				"expiresAt": 90_000,
			}})
		);
		assert_eq!(
			grant_json(&Err(Reason::ApprovalExpired)),
			json!({ "refused": "ApprovalExpired" })
		);
	}

	#[test]
	fn plexus_client_reads_every_answer_back() {
		use plexus_client::node_rpc::{AuditEntryJson, GrantJson, RecordJson, RequestStateJson};
		let entry = AuditEntry {
			request: 4,
			requester: account(1),
			origin: Some(([7; 32], account(2))),
			purpose: b"billing".to_vec().try_into().expect("a short tag"),
			asked_at: 29_000,
			state: RequestState::Decided { decision: Decision::Rejected(Reason::NoConsent), at: 5 },
		};
		let read: AuditEntryJson = serde_json::from_value(entry_json(&entry)).unwrap();
		assert_eq!((read.request, read.requester, read.asked_at), (4, account(1), 29_000));
		let origin = read.origin.expect("routed");
		assert_eq!((origin.network.0, origin.sender), ([7; 32], account(2)));
		assert_eq!(read.purpose, "billing");
		assert_eq!(read.state, RequestStateJson::Rejected { rejected: "NoConsent".into(), at: 5 });
		let pending = AuditEntry {
			origin: None,
			state: RequestState::Pending { approver: Approver::Subject },
			..entry
		};
		let read: AuditEntryJson = serde_json::from_value(entry_json(&pending)).unwrap();
		assert_eq!(read.state, RequestStateJson::Pending { pending: "Subject".into() });
		assert_eq!(read.origin, None);
		let page = audit_json(&[pending.clone(), pending], Some(256));
		assert_eq!(page["entries"].as_array().map(Vec::len), Some(2));
		assert_eq!(page["next"], json!(256));
		let read: plexus_client::node_rpc::AuditPageJson = serde_json::from_value(page).unwrap();
		assert_eq!((read.entries.len(), read.next), (2, Some(256)));
		let read: plexus_client::node_rpc::RecordsPageJson =
			serde_json::from_value(records_page_json(&[0, 3], None)).unwrap();
		assert_eq!((read.records, read.next), (vec![0, 3], None));

		let record = Record {
			subject: account(3),
			controller: account(4),
			category: Category::Contact,
			commitment: [0xab; 32],
			holders: vec![account(5), account(6)],
			retain_until: 1_000_000,
			policy: 2,
			version: 1,
			supersedes: None,
			superseded_by: Some(9),
			registered_at: 500,
			state: RecordState::Active,
		};
		let read: RecordJson = serde_json::from_value(record_json(&record)).unwrap();
		assert_eq!((read.subject, read.controller), (account(3), account(4)));
		assert_eq!(read.holders, vec![account(5), account(6)]);
		assert_eq!((read.commitment.0, read.policy, read.version), ([0xab; 32], 2, 1));
		assert_eq!((read.supersedes, read.superseded_by), (None, Some(9)));
		assert_eq!((read.category.as_str(), read.state.as_str()), ("Contact", "Active"));

		let refused: GrantJson =
			serde_json::from_value(grant_json(&Err(Reason::NoConsent))).unwrap();
		assert_eq!(refused, GrantJson::Refused("NoConsent".into()));
	}
}
