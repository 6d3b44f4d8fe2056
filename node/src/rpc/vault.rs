//! The data vault's RPC: the only way personal data enters or leaves a node.
//!
//! - `vault_holder()`: this vault's holder account (records name it among their holders).
//! - `vault_put(subject, dataHex)`: seals the data under a fresh key and salt; returns the salted
//!   commitment to register with `dataProtection.register`. Plaintext enters only here, never in
//!   an extrinsic. Expose it to the controller alone (`--rpc-methods`, a private interface).
//! - `vault_get(request, issuedAt, signatureHex)`: the data of an approved request, served only
//!   while `DataProtectionApi::grant` says the approval stands at the best block, and only to
//!   the approved requester: the sr25519 signature over the SCALE `VaultRead { network: genesis
//!   hash, request, issued_at }` after `VAULT_READ_CONTEXT`. `issuedAt` must be within two
//!   minutes of the node's clock, and each signed read is served once.
//! - `vault_erase(record)`: once the ledger asks to erase `record` (it is `Erasing`), destroys
//!   its key here and returns the holder's signed attestation, to submit with
//!   `dataProtection.attestErasure`. Asking again returns the same attestation.
//! - `vault_export(subject, issuedAt, signatureHex)`: the subject's own records (portability),
//!   each with its salt and data (so that `commitment = blake2_256(context ‖ salt ‖ data)` can
//!   be checked) and a storage proof of the records at the best block; signed by the subject
//!   over `ExportRequest { network, issued_at }` after `EXPORT_CONTEXT`.

use crate::vault::Vault;
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use plexus_primitives::{
	data_protection::{
		signing_payload, ErasureAttestation, ExportRequest, RecordState, VaultRead,
		ERASURE_CONTEXT, EXPORT_CONTEXT, VAULT_READ_CONTEXT,
	},
	DataProtectionApi,
};
use plexus_runtime::{opaque::Block, AccountId};
use sc_client_api::ProofProvider;
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::Ss58Codec, sr25519, Pair};
use std::sync::Arc;

/// How far a signed request's `issuedAt` may be from the node's clock.
const FRESHNESS_MS: u64 = 120_000;

pub struct Context<C> {
	client: Arc<C>,
	vault: Arc<Vault>,
}

fn error(method: &str, message: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(1, format!("{method}: {message}"), None::<()>)
}

/// Bytes as 0x-prefixed hex, as every Plexus RPC answers them.
pub fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or(0)
}

/// An account as SS58 or as 0x-prefixed hex of its 32 bytes.
pub fn parse_account(method: &str, text: &str) -> Result<AccountId, ErrorObjectOwned> {
	if let Some(hex) = text.strip_prefix("0x") {
		let bytes: [u8; 32] = hex::decode(hex)
			.ok()
			.and_then(|b| b.try_into().ok())
			.ok_or_else(|| error(method, "an account is 32 bytes of hex"))?;
		return Ok(AccountId::new(bytes));
	}
	AccountId::from_ss58check(text).map_err(|e| error(method, format!("bad account: {e:?}")))
}

fn parse_hex(method: &str, what: &str, text: &str) -> Result<Vec<u8>, ErrorObjectOwned> {
	hex::decode(text.strip_prefix("0x").unwrap_or(text))
		.map_err(|_| error(method, format!("{what} is not hex")))
}

/// Checks that `signer` signed `payload` with `signature_hex` at `issued_at`, recently.
fn check_signed(
	method: &str,
	signer: &AccountId,
	payload: &[u8],
	signature_hex: &str,
	issued_at: u64,
) -> Result<sr25519::Signature, ErrorObjectOwned> {
	if now_ms().abs_diff(issued_at) > FRESHNESS_MS {
		return Err(error(method, "issuedAt is not within two minutes of this node's clock"));
	}
	let bytes: [u8; 64] = parse_hex(method, "the signature", signature_hex)?
		.try_into()
		.map_err(|_| error(method, "an sr25519 signature is 64 bytes"))?;
	let signature = sr25519::Signature::from_raw(bytes);
	let public = sr25519::Public::from_raw(*signer.as_ref());
	if !sr25519::Pair::verify(&signature, payload, &public) {
		return Err(error(method, format!("not signed by {}", signer.to_ss58check())));
	}
	Ok(signature)
}

pub fn module<C>(
	client: Arc<C>,
	vault: Arc<Vault>,
) -> Result<RpcModule<Context<C>>, jsonrpsee::core::RegisterMethodError>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ ProofProvider<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: DataProtectionApi<Block, AccountId>,
{
	let mut module = RpcModule::new(Context { client, vault });

	module.register_method("vault_holder", |_, cx, _| {
		let holder = cx.vault.holder();
		Ok::<_, ErrorObjectOwned>(
			json!({ "ss58": holder.to_ss58check(), "hex": hex0x(holder.as_ref()) }),
		)
	})?;

	module.register_method("vault_put", |params, cx, _| {
		const M: &str = "vault_put";
		let mut args = params.sequence();
		let subject = parse_account(M, &args.next::<String>()?)?;
		let data = parse_hex(M, "the data", &args.next::<String>()?)?;
		if data.is_empty() {
			return Err(error(M, "no data"));
		}
		let commitment = cx.vault.put(&subject, &data).map_err(|e| error(M, e))?;
		let holder = cx.vault.holder();
		Ok(json!({
			"commitment": hex0x(&commitment),
			"holder": holder.to_ss58check(),
			"holderHex": hex0x(holder.as_ref()),
		}))
	})?;

	module.register_method("vault_get", |params, cx, _| {
		const M: &str = "vault_get";
		let mut args = params.sequence();
		let request: u64 = args.next()?;
		let issued_at: u64 = args.next()?;
		let signature: String = args.next()?;
		let info = cx.client.info();
		let grant = cx
			.client
			.runtime_api()
			.grant(info.best_hash, request)
			.map_err(|e| error(M, e))?
			.map_err(|reason| {
				error(M, format!("the ledger does not approve request {request}: {reason:?}"))
			})?;
		let read = VaultRead { network: info.genesis_hash.0, request, issued_at };
		let payload = signing_payload(VAULT_READ_CONTEXT, &read);
		let signature = check_signed(M, &grant.signer, &payload, &signature, issued_at)?;
		let token = sp_io::hashing::blake2_256(&signature.0);
		if !cx.vault.first_read(&token, now_ms()).map_err(|e| error(M, e))? {
			return Err(error(M, "this signed read was already served"));
		}
		let opened = cx.vault.get(&grant.commitment).map_err(|e| error(M, e))?;
		Ok(json!({
			"record": grant.record,
			"commitment": hex0x(&grant.commitment),
			"salt": hex0x(&opened.salt),
			"data": hex0x(&opened.data),
			"expiresAt": grant.expires_at,
		}))
	})?;

	module.register_method("vault_erase", |params, cx, _| {
		const M: &str = "vault_erase";
		let id: u64 = params.one()?;
		let info = cx.client.info();
		let record = cx
			.client
			.runtime_api()
			.record(info.best_hash, id)
			.map_err(|e| error(M, e))?
			.ok_or_else(|| error(M, format!("the ledger has no record {id}")))?;
		if record.state == RecordState::Active {
			return Err(error(M, format!("the ledger has not asked to erase record {id}")));
		}
		let holder = cx.vault.holder();
		if !record.holders.contains(&holder) {
			return Err(error(M, format!("this vault is not a holder of record {id}")));
		}
		let destroyed_at = cx.vault.erase(&record.commitment, now_ms()).map_err(|e| error(M, e))?;
		let statement = ErasureAttestation {
			network: info.genesis_hash.0,
			record: id,
			commitment: record.commitment,
			destroyed_at,
		};
		let signature = cx.vault.sign(&signing_payload(ERASURE_CONTEXT, &statement));
		Ok(json!({
			"record": id,
			"holder": holder.to_ss58check(),
			"holderHex": hex0x(holder.as_ref()),
			"destroyedAt": destroyed_at,
			"signature": hex0x(&signature.0),
		}))
	})?;

	module.register_method("vault_export", |params, cx, _| {
		const M: &str = "vault_export";
		let mut args = params.sequence();
		let subject = parse_account(M, &args.next::<String>()?)?;
		let issued_at: u64 = args.next()?;
		let signature: String = args.next()?;
		let info = cx.client.info();
		let request = ExportRequest { network: info.genesis_hash.0, issued_at };
		check_signed(
			M,
			&subject,
			&signing_payload(EXPORT_CONTEXT, &request),
			&signature,
			issued_at,
		)?;
		let at = info.best_hash;
		let api = cx.client.runtime_api();
		let ids = api.records_of(at, subject.clone()).map_err(|e| error(M, e))?;
		let mut records = Vec::new();
		let mut keys = Vec::new();
		for id in ids {
			let Some(record) = api.record(at, id).map_err(|e| error(M, e))? else { continue };
			keys.push(pallet_data_protection::Records::<plexus_runtime::Runtime>::hashed_key_for(
				id,
			));
			let held = cx.vault.get(&record.commitment).ok();
			records.push(json!({
				"record": id,
				"version": record.version,
				"category": format!("{:?}", record.category),
				"commitment": hex0x(&record.commitment),
				"retainUntil": record.retain_until,
				"salt": held.as_ref().map(|o| hex0x(&o.salt)),
				"data": held.as_ref().map(|o| hex0x(&o.data)),
			}));
		}
		let proof =
			cx.client.read_proof(at, &mut keys.iter().map(|k| &k[..])).map_err(|e| error(M, e))?;
		Ok::<_, ErrorObjectOwned>(json!({
			"at": hex0x(at.as_ref()),
			"records": Value::Array(records),
			"proof": proof.into_iter_nodes().map(|n| hex0x(&n)).collect::<Vec<_>>(),
		}))
	})?;

	Ok(module)
}
