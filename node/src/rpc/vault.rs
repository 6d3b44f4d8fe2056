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

use super::json::{hex, parse_account, parse_hex, rpc_error};
use crate::vault::{Opened, Vault};
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use plexus_client::now_ms;
use plexus_primitives::{
	data_protection::{
		signing_payload, ErasureAttestation, ExportRequest, Grant, Record, RecordId, RecordState,
		VaultRead, ERASURE_CONTEXT, EXPORT_CONTEXT, VAULT_READ_CONTEXT,
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

/// Checks that `signer` signed `payload` with `signature_hex` at `issued_at`, recently.
fn check_signed(
	method: &str,
	signer: &AccountId,
	payload: &[u8],
	signature_hex: &str,
	issued_at: u64,
) -> Result<sr25519::Signature, ErrorObjectOwned> {
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
	Ok(signature)
}

/// `vault_holder`: `{ "ss58": "5…", "hex": "0x…" }`.
fn holder_json(holder: &AccountId) -> Value {
	json!({ "ss58": holder.to_ss58check(), "hex": hex(holder.as_ref()) })
}

/// `vault_put`: `{ "commitment": "0x…", "holder": "5…", "holderHex": "0x…" }`.
fn put_json(commitment: &[u8; 32], holder: &AccountId) -> Value {
	json!({
		"commitment": hex(commitment),
		"holder": holder.to_ss58check(),
		"holderHex": hex(holder.as_ref()),
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

/// One record of a `vault_export` bundle; `salt` and `data` are null when this vault does not
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

/// `vault_export`: `{ "at": "0x<block hash>", "records": [<exported_json>, …], "proof": ["0x…", …] }`.
fn export_json(at: &[u8], records: Vec<Value>, proof: &[Vec<u8>]) -> Value {
	json!({
		"at": hex(at),
		"records": Value::Array(records),
		"proof": proof.iter().map(|n| hex(n)).collect::<Vec<_>>(),
	})
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
		Ok::<_, ErrorObjectOwned>(holder_json(&cx.vault.holder()))
	})?;

	module.register_method("vault_put", |params, cx, _| {
		const M: &str = "vault_put";
		let mut args = params.sequence();
		let subject = parse_account(M, &args.next::<String>()?)?;
		let data = parse_hex(M, "the data", &args.next::<String>()?)?;
		if data.is_empty() {
			return Err(rpc_error(M, "no data"));
		}
		let commitment = cx.vault.put(&subject, &data).map_err(|e| rpc_error(M, e))?;
		Ok(put_json(&commitment, &cx.vault.holder()))
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
			.map_err(|e| rpc_error(M, e))?
			.map_err(|reason| {
				rpc_error(M, format!("the ledger does not approve request {request}: {reason:?}"))
			})?;
		let read = VaultRead { network: info.genesis_hash.0, request, issued_at };
		let payload = signing_payload(VAULT_READ_CONTEXT, &read);
		let signature = check_signed(M, &grant.signer, &payload, &signature, issued_at)?;
		let token = sp_io::hashing::blake2_256(&signature.0);
		if !cx.vault.first_read(&token, now_ms()).map_err(|e| rpc_error(M, e))? {
			return Err(rpc_error(M, "this signed read was already served"));
		}
		let opened = cx.vault.get(&grant.commitment).map_err(|e| rpc_error(M, e))?;
		Ok(read_json(&grant, &opened))
	})?;

	module.register_method("vault_erase", |params, cx, _| {
		const M: &str = "vault_erase";
		let id: u64 = params.one()?;
		let info = cx.client.info();
		let record = cx
			.client
			.runtime_api()
			.record(info.best_hash, id)
			.map_err(|e| rpc_error(M, e))?
			.ok_or_else(|| rpc_error(M, format!("the ledger has no record {id}")))?;
		if record.state == RecordState::Active {
			return Err(rpc_error(M, format!("the ledger has not asked to erase record {id}")));
		}
		let holder = cx.vault.holder();
		if !record.holders.contains(&holder) {
			return Err(rpc_error(M, format!("this vault is not a holder of record {id}")));
		}
		let destroyed_at =
			cx.vault.erase(&record.commitment, now_ms()).map_err(|e| rpc_error(M, e))?;
		let statement = ErasureAttestation {
			network: info.genesis_hash.0,
			record: id,
			commitment: record.commitment,
			destroyed_at,
		};
		let signature = cx.vault.sign(&signing_payload(ERASURE_CONTEXT, &statement));
		Ok(erasure_json(id, &holder, destroyed_at, &signature))
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
		let ids = api.records_of(at, subject.clone()).map_err(|e| rpc_error(M, e))?;
		let mut records = Vec::new();
		let mut keys = Vec::new();
		for id in ids {
			let Some(record) = api.record(at, id).map_err(|e| rpc_error(M, e))? else { continue };
			keys.push(pallet_data_protection::Records::<plexus_runtime::Runtime>::hashed_key_for(
				id,
			));
			let held = cx.vault.get(&record.commitment).ok();
			records.push(exported_json(id, &record, held.as_ref()));
		}
		let proof = cx
			.client
			.read_proof(at, &mut keys.iter().map(|k| &k[..]))
			.map_err(|e| rpc_error(M, e))?;
		let proof: Vec<Vec<u8>> = proof.into_iter_nodes().collect();
		Ok::<_, ErrorObjectOwned>(export_json(at.as_ref(), records, &proof))
	})?;

	Ok(module)
}

#[cfg(test)]
mod tests {
	use super::*;
	use plexus_primitives::data_protection::Category;
	use zeroize::Zeroizing;

	#[test]
	fn answers_read_as_documented() {
		let holder = AccountId::new([1; 32]);
		let holder_ss58 = "5C62Ck4UrFPiBtoCmeSrgF7x9yv9mn38446dhCpsi2mLHiFT";
		let holder_hex = format!("0x{}", "01".repeat(32));
		assert_eq!(holder_json(&holder), json!({ "ss58": holder_ss58, "hex": holder_hex }));
		assert_eq!(
			put_json(&[0xab; 32], &holder),
			json!({
				"commitment": format!("0x{}", "ab".repeat(32)),
				"holder": holder_ss58,
				"holderHex": holder_hex,
			})
		);

		let opened = Opened { salt: [5; 32], data: Zeroizing::new(b"hello".to_vec()) };
		let grant = Grant {
			request: 4,
			record: 3,
			commitment: [0xab; 32],
			subject: AccountId::new([2; 32]),
			signer: AccountId::new([3; 32]),
			expires_at: 90_000,
		};
		assert_eq!(
			read_json(&grant, &opened),
			json!({
				"record": 3,
				"commitment": format!("0x{}", "ab".repeat(32)),
				"salt": format!("0x{}", "05".repeat(32)),
				"data": "0x68656c6c6f",
				"expiresAt": 90_000,
			})
		);
		assert_eq!(
			erasure_json(3, &holder, 700, &sr25519::Signature::from_raw([7; 64])),
			json!({
				"record": 3,
				"holder": holder_ss58,
				"holderHex": holder_hex,
				"destroyedAt": 700,
				"signature": format!("0x{}", "07".repeat(64)),
			})
		);

		let record = Record {
			subject: AccountId::new([2; 32]),
			controller: AccountId::new([4; 32]),
			category: Category::Financial,
			commitment: [0xab; 32],
			holders: vec![holder.clone()],
			retain_until: 1_000_000,
			policy: 0,
			version: 2,
			supersedes: Some(1),
			superseded_by: None,
			registered_at: 500,
			state: RecordState::Active,
		};
		let held = exported_json(3, &record, Some(&opened));
		assert_eq!(
			held,
			json!({
				"record": 3,
				"version": 2,
				"category": "Financial",
				"commitment": format!("0x{}", "ab".repeat(32)),
				"retainUntil": 1_000_000,
				"salt": format!("0x{}", "05".repeat(32)),
				"data": "0x68656c6c6f",
			})
		);
		assert_eq!(
			exported_json(3, &record, None),
			json!({
				"record": 3,
				"version": 2,
				"category": "Financial",
				"commitment": format!("0x{}", "ab".repeat(32)),
				"retainUntil": 1_000_000,
				"salt": null,
				"data": null,
			})
		);
		assert_eq!(
			export_json(&[0x11; 32], vec![held.clone()], &[vec![1u8, 2], vec![]]),
			json!({
				"at": format!("0x{}", "11".repeat(32)),
				"records": [held],
				"proof": ["0x0102", "0x"],
			})
		);
	}

	#[test]
	fn plexus_client_reads_every_answer_back() {
		use plexus_client::node_rpc::{ErasureJson, HolderJson, PutJson, ReadJson};
		let holder = AccountId::new([1; 32]);
		let read: HolderJson = serde_json::from_value(holder_json(&holder)).unwrap();
		assert_eq!((read.ss58, read.hex.0), (holder.clone(), [1; 32]));
		let read: PutJson = serde_json::from_value(put_json(&[0xab; 32], &holder)).unwrap();
		assert_eq!(
			(read.commitment.0, read.holder, read.holder_hex.0),
			([0xab; 32], holder.clone(), [1; 32])
		);

		let opened = Opened { salt: [5; 32], data: Zeroizing::new(b"hello".to_vec()) };
		let grant = Grant {
			request: 4,
			record: 3,
			commitment: [0xab; 32],
			subject: AccountId::new([2; 32]),
			signer: AccountId::new([3; 32]),
			expires_at: 90_000,
		};
		let read: ReadJson = serde_json::from_value(read_json(&grant, &opened)).unwrap();
		assert_eq!((read.record, read.expires_at), (3, 90_000));
		assert_eq!((read.salt.0, read.data.0), (vec![5; 32], b"hello".to_vec()));

		let signature = sr25519::Signature::from_raw([7; 64]);
		let read: ErasureJson =
			serde_json::from_value(erasure_json(3, &holder, 700, &signature)).unwrap();
		assert_eq!((read.record, read.destroyed_at, read.signature.0), (3, 700, vec![7; 64]));
	}
}
