//! The data vault's RPC: the only way personal data enters or leaves a node.
//!
//! Every decision is made against the ledger's **finalized** block, and every record is served,
//! exported or erased only when the ledger's record names this vault among its holders and the
//! same subject and controller the vault keeps with the data.
//!
//! - `vault_holder()`: this vault's holder account (records name it among their holders).
//! - `vault_put(subject, controller, dataHex[, issuedAt, signatureHex])`: seals the data under a
//!   fresh key and salt, durably, and returns the salted commitment with this holder's custody
//!   signature over `Custody { network, commitment, subject, controller }`, which
//!   `dataProtection.register` requires. Signed by the controller over `VaultPut { network,
//!   holder, subject, data: blake2_256(data), issued_at }` after `VAULT_PUT_CONTEXT`, it is
//!   accepted on any interface (once per signed put); unsigned, it is an operator's call and
//!   unsafe. Plaintext enters only here, never in an extrinsic.
//! - `vault_get(request, issuedAt, signatureHex)`: the data of an approved request, served only
//!   while `DataProtectionApi::grant` says the approval stands at the finalized block and this
//!   node's clock has not passed its expiry or the record's retention, and only to the approved
//!   requester: the sr25519 signature over `VaultRead { network, holder, request, issued_at }`
//!   after `VAULT_READ_CONTEXT`. Each signed read is served once.
//! - `vault_erase(record)` (unsafe: the operator's): once the finalized ledger asks to erase
//!   `record`, destroys its key here and returns the holder's signed attestation, to submit with
//!   `dataProtection.attestErasure`. Asking again returns the same attestation; a record this
//!   vault never held (or lost) is attested as erased at once.
//! - `vault_export(subject, from, issuedAt, signatureHex)`: one page of the subject's own
//!   records (portability), from record `from` on, each with its salt and data (so that
//!   `commitment = blake2_256(context ‖ salt ‖ data)` can be checked), a storage proof of the
//!   records at the finalized block, and `next`, where the next page starts; signed by the
//!   subject over `ExportRequest { network, holder, from, issued_at }` after `EXPORT_CONTEXT`,
//!   each once.
//!
//! Signed requests must be issued within two minutes of this node's clock. Every method runs on
//! a blocking thread: they sync files and call the runtime.

use super::json::{ensure_unsafe_allowed, hex, parse_account, parse_hex, rpc_error};
use crate::{
	monitor::metrics::{VaultCall, VaultMetrics},
	vault::{Opened, Vault, MAX_RECORD_LEN},
};
use jsonrpsee::{types::ErrorObjectOwned, Extensions, RpcModule};
use plexus_client::now_ms;
use plexus_primitives::data_protection::{
	signing_payload, Custody, ErasureAttestation, ExportRequest, Grant, Reason, Record, RecordId,
	RecordState, RequestId, VaultPut, VaultRead, CUSTODY_CONTEXT, ERASURE_CONTEXT, EXPORT_CONTEXT,
	VAULT_PUT_CONTEXT, VAULT_READ_CONTEXT,
};
use plexus_runtime::AccountId;
use serde_json::{json, Value};
use sp_core::{crypto::Ss58Codec, sr25519, Pair, H256};
use std::sync::Arc;

mod ledger;
#[cfg(test)]
mod tests;

pub use ledger::{ClientLedger, Ledger};

/// How far a signed request's `issuedAt` may be from the node's clock.
const FRESHNESS_MS: u64 = 120_000;
/// Most records one export page lists.
pub const EXPORT_PAGE: u32 = 64;
/// An export page stops adding records once their data passes this many bytes (answers must
/// stay well under the server's response limit).
const EXPORT_PAGE_BYTES: usize = 4 << 20;

pub struct Context<L> {
	ledger: L,
	vault: Arc<Vault>,
	metrics: Option<VaultMetrics>,
}

impl<L> Context<L> {
	/// Counts a call's outcome, then returns it.
	fn counted<T, E>(&self, call: VaultCall, result: Result<T, E>) -> Result<T, E> {
		if let Some(metrics) = &self.metrics {
			metrics.count(call, result.is_ok());
		}
		result
	}
}

/// Checks that `signer` signed `payload` with `signature_hex` at `issued_at`, recently; returns
/// the request's once-only token (the payload's digest: sr25519 signatures are randomized, so
/// one request may come with many valid signatures).
fn check_signed(
	method: &str,
	signer: &AccountId,
	payload: &[u8],
	signature_hex: &str,
	issued_at: u64,
) -> Result<[u8; 32], ErrorObjectOwned> {
	if now_ms().abs_diff(issued_at) > FRESHNESS_MS {
		return Err(rpc_error(method, "issuedAt is not within two minutes of this node's clock"));
	}
	let bytes: [u8; 64] = parse_hex(method, "the signature", signature_hex)?
		.try_into()
		.map_err(|_| rpc_error(method, "an sr25519 signature is 64 bytes"))?;
	let signature = sr25519::Signature::from_raw(bytes);
	let public = sr25519::Public::from_raw(*signer.as_ref());
	if !sr25519::Pair::verify(&signature, payload, &public) {
		return Err(rpc_error(method, format!("not signed by {}", signer.to_ss58check())));
	}
	Ok(sp_io::hashing::blake2_256(payload))
}

/// Marks the signed request `token` used (until it could no longer pass the freshness check).
fn use_once(
	method: &str,
	vault: &Vault,
	token: &[u8; 32],
	issued_at: u64,
) -> Result<(), ErrorObjectOwned> {
	let until = issued_at.saturating_add(FRESHNESS_MS);
	if !vault.first_use(token, until, now_ms()).map_err(|e| rpc_error(method, e))? {
		return Err(rpc_error(method, "this signed request was already served"));
	}
	Ok(())
}

/// The record at the finalized block, if it names this vault as a holder.
fn held_record<L: Ledger>(
	method: &str,
	cx: &Context<L>,
	at: H256,
	id: RecordId,
) -> Result<Record<AccountId, Vec<AccountId>>, ErrorObjectOwned> {
	let record = cx
		.ledger
		.record(at, id)
		.map_err(|e| rpc_error(method, e))?
		.ok_or_else(|| rpc_error(method, format!("the finalized ledger has no record {id}")))?;
	if !record.holders.contains(&cx.vault.holder()) {
		return Err(rpc_error(method, format!("this vault is not a holder of record {id}")));
	}
	Ok(record)
}

/// Whether what the vault keeps under the record's commitment is the ledger's record's: the
/// same subject and controller.
fn bound_to(
	record: &Record<AccountId, Vec<AccountId>>,
	subject: &AccountId,
	controller: &AccountId,
) -> bool {
	&record.subject == subject && &record.controller == controller
}

fn not_bound(method: &str, id: RecordId) -> ErrorObjectOwned {
	rpc_error(
		method,
		format!(
			"this vault keeps the data of record {id}'s commitment for another subject or \
			 controller than the ledger's record names"
		),
	)
}

/// `vault_holder`: `{ "ss58": "5…", "hex": "0x…" }`.
fn holder_json(holder: &AccountId) -> Value {
	json!({ "ss58": holder.to_ss58check(), "hex": hex(holder.as_ref()) })
}

/// `vault_put`: `{ "commitment": "0x…", "holder": "5…", "holderHex": "0x…", "custody": "0x…" }`.
fn put_json(commitment: &[u8; 32], holder: &AccountId, custody: &sr25519::Signature) -> Value {
	json!({
		"commitment": hex(commitment),
		"holder": holder.to_ss58check(),
		"holderHex": hex(holder.as_ref()),
		"custody": hex(&custody.0),
	})
}

/// `vault_get`: `{ "record": 3, "commitment": "0x…", "salt": "0x…", "data": "0x…", "expiresAt": … }`.
fn read_json(grant: &Grant<AccountId>, opened: &Opened) -> Value {
	json!({
		"record": grant.record,
		"commitment": hex(&grant.commitment),
		"salt": hex(&opened.salt),
		"data": hex(&opened.data),
		"expiresAt": grant.expires_at,
	})
}

/// `vault_erase`: `{ "record": 3, "holder": "5…", "holderHex": "0x…", "destroyedAt": …,
/// "signature": "0x…" }`.
fn erasure_json(
	record: RecordId,
	holder: &AccountId,
	destroyed_at: u64,
	signature: &sr25519::Signature,
) -> Value {
	json!({
		"record": record,
		"holder": holder.to_ss58check(),
		"holderHex": hex(holder.as_ref()),
		"destroyedAt": destroyed_at,
		"signature": hex(&signature.0),
	})
}

/// One record of a `vault_export` page; `salt` and `data` are null when this vault does not
/// hold it.
fn exported_json(
	id: RecordId,
	record: &Record<AccountId, Vec<AccountId>>,
	held: Option<&Opened>,
) -> Value {
	json!({
		"record": id,
		"version": record.version,
		"category": format!("{:?}", record.category),
		"commitment": hex(&record.commitment),
		"retainUntil": record.retain_until,
		"salt": held.map(|o| hex(&o.salt)),
		"data": held.map(|o| hex(&o.data)),
	})
}

/// `vault_export`: `{ "at": "0x<block hash>", "records": [<exported_json>, …], "proof": ["0x…", …],
/// "next": <record id> | null }`.
fn export_json(at: &[u8], records: Vec<Value>, proof: &[Vec<u8>], next: Option<RecordId>) -> Value {
	json!({
		"at": hex(at),
		"records": Value::Array(records),
		"proof": proof.iter().map(|n| hex(n)).collect::<Vec<_>>(),
		"next": next,
	})
}

fn put<L: Ledger>(
	params: jsonrpsee::types::Params,
	cx: &Context<L>,
	ext: &Extensions,
) -> Result<Value, ErrorObjectOwned> {
	const M: &str = "vault_put";
	let mut args = params.sequence();
	let subject = parse_account(M, &args.next::<String>()?)?;
	let controller = parse_account(M, &args.next::<String>()?)?;
	let data = zeroize::Zeroizing::new(parse_hex(M, "the data", &args.next::<String>()?)?);
	let issued_at: Option<u64> = args.optional_next()?;
	let signature: Option<String> = args.optional_next()?;
	if data.is_empty() {
		return Err(rpc_error(M, "no data"));
	}
	if data.len() > MAX_RECORD_LEN {
		return Err(rpc_error(M, format!("a record holds at most {MAX_RECORD_LEN} bytes")));
	}
	let network = cx.ledger.network();
	let holder = cx.vault.holder();
	match (issued_at, signature) {
		(Some(issued_at), Some(signature)) => {
			let request = VaultPut {
				network,
				holder: holder.clone(),
				subject: subject.clone(),
				data: sp_io::hashing::blake2_256(&data),
				issued_at,
			};
			let payload = signing_payload(VAULT_PUT_CONTEXT, &request);
			let token = check_signed(M, &controller, &payload, &signature, issued_at)?;
			use_once(M, &cx.vault, &token, issued_at)?;
		},
		(None, None) => ensure_unsafe_allowed(M, ext).map_err(|_| {
			rpc_error(
				M,
				"an unsigned put is the operator's call, and this interface does not allow \
				 unsafe methods; sign it as the controller (issuedAt, signature over VaultPut)",
			)
		})?,
		_ => return Err(rpc_error(M, "a signed put needs both issuedAt and the signature")),
	}
	let commitment = cx.vault.put(&subject, &controller, &data).map_err(|e| rpc_error(M, e))?;
	let custody = Custody { network, commitment, subject, controller };
	let signature = cx.vault.sign(&signing_payload(CUSTODY_CONTEXT, &custody));
	Ok(put_json(&commitment, &holder, &signature))
}

fn get<L: Ledger>(
	params: jsonrpsee::types::Params,
	cx: &Context<L>,
) -> Result<Value, ErrorObjectOwned> {
	const M: &str = "vault_get";
	let mut args = params.sequence();
	let request: RequestId = args.next()?;
	let issued_at: u64 = args.next()?;
	let signature: String = args.next()?;
	let at = cx.ledger.finalized();
	let grant =
		cx.ledger.grant(at, request).map_err(|e| rpc_error(M, e))?.map_err(|reason: Reason| {
			rpc_error(
				M,
				format!("the finalized ledger does not approve request {request}: {reason:?}"),
			)
		})?;
	let holder = cx.vault.holder();
	let read = VaultRead { network: cx.ledger.network(), holder, request, issued_at };
	let payload = signing_payload(VAULT_READ_CONTEXT, &read);
	let token = check_signed(M, &grant.signer, &payload, &signature, issued_at)?;
	// The ledger's clock stands still when its blocks do; this node's does not.
	let now = now_ms();
	if now >= grant.expires_at {
		return Err(rpc_error(M, format!("the approval expired at {}", grant.expires_at)));
	}
	let record = held_record(M, cx, at, grant.record)?;
	if now > record.retain_until {
		return Err(rpc_error(M, format!("record {}'s retention is over", grant.record)));
	}
	let opened = cx.vault.get(&grant.commitment).map_err(|e| rpc_error(M, e))?;
	if !bound_to(&record, &opened.subject, &opened.controller) {
		return Err(not_bound(M, grant.record));
	}
	use_once(M, &cx.vault, &token, issued_at)?;
	Ok(read_json(&grant, &opened))
}

fn erase<L: Ledger>(
	params: jsonrpsee::types::Params,
	cx: &Context<L>,
	ext: &Extensions,
) -> Result<Value, ErrorObjectOwned> {
	const M: &str = "vault_erase";
	ensure_unsafe_allowed(M, ext)?;
	let id: RecordId = params.one()?;
	let at = cx.ledger.finalized();
	let record = held_record(M, cx, at, id)?;
	if record.state == RecordState::Active {
		return Err(rpc_error(
			M,
			format!("the finalized ledger has not asked to erase record {id}"),
		));
	}
	if let Some((subject, controller)) =
		cx.vault.owner(&record.commitment).map_err(|e| rpc_error(M, e))?
	{
		if !bound_to(&record, &subject, &controller) {
			return Err(not_bound(M, id));
		}
	}
	let destroyed_at = cx.vault.erase(&record.commitment, now_ms()).map_err(|e| rpc_error(M, e))?;
	let statement = ErasureAttestation {
		network: cx.ledger.network(),
		record: id,
		commitment: record.commitment,
		destroyed_at,
	};
	let signature = cx.vault.sign(&signing_payload(ERASURE_CONTEXT, &statement));
	Ok(erasure_json(id, &cx.vault.holder(), destroyed_at, &signature))
}

fn export<L: Ledger>(
	params: jsonrpsee::types::Params,
	cx: &Context<L>,
) -> Result<Value, ErrorObjectOwned> {
	const M: &str = "vault_export";
	let mut args = params.sequence();
	let subject = parse_account(M, &args.next::<String>()?)?;
	let from: RecordId = args.next()?;
	let issued_at: u64 = args.next()?;
	let signature: String = args.next()?;
	let holder = cx.vault.holder();
	let request =
		ExportRequest { network: cx.ledger.network(), holder: holder.clone(), from, issued_at };
	let payload = signing_payload(EXPORT_CONTEXT, &request);
	let token = check_signed(M, &subject, &payload, &signature, issued_at)?;
	use_once(M, &cx.vault, &token, issued_at)?;
	let at = cx.ledger.finalized();
	let (ids, mut next) =
		cx.ledger.records_of(at, &subject, from, EXPORT_PAGE).map_err(|e| rpc_error(M, e))?;
	let mut records = Vec::new();
	let mut listed = Vec::new();
	let mut bytes = 0usize;
	for id in ids {
		let Some(record) = cx.ledger.record(at, id).map_err(|e| rpc_error(M, e))? else { continue };
		if record.subject != subject {
			continue;
		}
		let held = if record.holders.contains(&holder) {
			cx.vault
				.get(&record.commitment)
				.ok()
				.filter(|o| bound_to(&record, &o.subject, &o.controller))
		} else {
			None
		};
		let size = held.as_ref().map_or(0, |o| o.data.len());
		if !records.is_empty() && bytes + size > EXPORT_PAGE_BYTES {
			next = Some(id);
			break;
		}
		bytes += size;
		listed.push(id);
		records.push(exported_json(id, &record, held.as_ref()));
	}
	let proof = cx.ledger.record_proof(at, &listed).map_err(|e| rpc_error(M, e))?;
	Ok(export_json(at.as_ref(), records, &proof, next))
}

/// The vault's RPC; each call's outcome is counted in `metrics` when the node serves them.
pub fn module<L: Ledger>(
	ledger: L,
	vault: Arc<Vault>,
	metrics: Option<VaultMetrics>,
) -> Result<RpcModule<Context<L>>, jsonrpsee::core::RegisterMethodError> {
	let mut module = RpcModule::new(Context { ledger, vault, metrics });
	module.register_method("vault_holder", |_, cx, _| {
		Ok::<_, ErrorObjectOwned>(holder_json(&cx.vault.holder()))
	})?;
	module.register_blocking_method("vault_put", |params, cx, ext| {
		cx.counted(VaultCall::Put, put(params, &cx, &ext))
	})?;
	module.register_blocking_method("vault_get", |params, cx, _| {
		cx.counted(VaultCall::Get, get(params, &cx))
	})?;
	module.register_blocking_method("vault_erase", |params, cx, ext| {
		cx.counted(VaultCall::Erase, erase(params, &cx, &ext))
	})?;
	module.register_blocking_method("vault_export", |params, cx, _| {
		cx.counted(VaultCall::Export, export(params, &cx))
	})?;
	Ok(module)
}
