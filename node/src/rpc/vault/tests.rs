//! The vault RPC's JSON, pinned, and its rules against a ledger written down here: who may put,
//! read, export and erase what, on which interface, and at which block.

use super::*;
use crate::vault::Vault;
use jsonrpsee::core::server::MethodsError;
use plexus_primitives::data_protection::{Category, Grant, Reason, Record, RecordState};
use sc_rpc::DenyUnsafe;
use std::{collections::HashMap, path::PathBuf, sync::Mutex};
use zeroize::Zeroizing;

const NETWORK: [u8; 32] = [0x4e; 32];
const FINALIZED: H256 = H256::repeat_byte(0xf1);

/// A ledger whose state at each block the test writes down.
#[derive(Default)]
struct FakeLedger {
	records: Mutex<HashMap<(H256, RecordId), LedgerRecord>>,
	grants: Mutex<HashMap<(H256, RequestId), Grant<AccountId>>>,
}

use super::ledger::LedgerRecord;

impl Ledger for Arc<FakeLedger> {
	fn network(&self) -> [u8; 32] {
		NETWORK
	}
	fn finalized(&self) -> H256 {
		FINALIZED
	}
	fn record(&self, at: H256, id: RecordId) -> Result<Option<LedgerRecord>, String> {
		Ok(self.records.lock().unwrap().get(&(at, id)).cloned())
	}
	fn grant(
		&self,
		at: H256,
		request: RequestId,
	) -> Result<Result<Grant<AccountId>, Reason>, String> {
		Ok(self.grants.lock().unwrap().get(&(at, request)).cloned().ok_or(Reason::UnknownRequest))
	}
	fn records_of(
		&self,
		at: H256,
		subject: &AccountId,
		from: RecordId,
		limit: u32,
	) -> Result<(Vec<RecordId>, Option<RecordId>), String> {
		let mut ids: Vec<RecordId> = self
			.records
			.lock()
			.unwrap()
			.iter()
			.filter(|((block, id), r)| *block == at && *id >= from && &r.subject == subject)
			.map(|((_, id), _)| *id)
			.collect();
		ids.sort_unstable();
		let next = ids.get(limit as usize).copied();
		ids.truncate(limit as usize);
		Ok((ids, next))
	}
	fn record_proof(&self, _: H256, ids: &[RecordId]) -> Result<Vec<Vec<u8>>, String> {
		Ok(ids.iter().map(|id| id.to_le_bytes().to_vec()).collect())
	}
}

fn pair(uri: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(uri, None).unwrap()
}

fn account(uri: &str) -> AccountId {
	pair(uri).public().into()
}

struct Node {
	ledger: Arc<FakeLedger>,
	vault: Arc<Vault>,
	dir: PathBuf,
	registry: prometheus_endpoint::Registry,
	metrics: crate::monitor::VaultMetrics,
}

impl Drop for Node {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.dir);
	}
}

fn node(tag: &str) -> Node {
	let dir = std::env::temp_dir().join(format!("plexus-vault-rpc-{tag}-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	let registry = prometheus_endpoint::Registry::new();
	let metrics = crate::monitor::VaultMetrics::register(&registry).unwrap();
	Node {
		ledger: Default::default(),
		vault: Arc::new(Vault::open(&dir).unwrap()),
		dir,
		registry,
		metrics,
	}
}

impl Node {
	/// The RPC as an interface that allows unsafe methods or not sees it.
	fn rpc(&self, deny: DenyUnsafe) -> RpcModule<Context<Arc<FakeLedger>>> {
		let metrics = Some(self.metrics.clone());
		let mut module = module(self.ledger.clone(), self.vault.clone(), metrics).unwrap();
		module.extensions_mut().insert(deny);
		module
	}

	/// What `metric{outcome="…"}` counts on this node's registry (0 if never counted).
	fn counted(&self, metric: &str, outcome: &str) -> u64 {
		self.registry
			.gather()
			.iter()
			.filter(|family| family.get_name() == metric)
			.flat_map(|family| family.get_metric())
			.filter(|m| m.get_label().iter().any(|l| l.get_value() == outcome))
			.map(|m| m.get_counter().get_value() as u64)
			.sum()
	}

	fn record(&self, at: H256, id: RecordId, record: LedgerRecord) {
		self.ledger.records.lock().unwrap().insert((at, id), record);
	}

	fn key_files(&self) -> usize {
		fn count(dir: &std::path::Path) -> usize {
			std::fs::read_dir(dir)
				.map(|entries| {
					entries
						.flatten()
						.map(|e| if e.path().is_dir() { count(&e.path()) } else { 1 })
						.sum()
				})
				.unwrap_or(0)
		}
		count(&self.dir.join("keys"))
	}
}

fn record(
	subject: &AccountId,
	controller: &AccountId,
	commitment: [u8; 32],
	holder: AccountId,
) -> LedgerRecord {
	Record {
		subject: subject.clone(),
		controller: controller.clone(),
		category: Category::Contact,
		commitment,
		holders: vec![holder],
		retain_until: now_ms() + 3_600_000,
		policy: 0,
		version: 1,
		supersedes: None,
		superseded_by: None,
		registered_at: 1,
		state: RecordState::Active,
	}
}

async fn call(
	module: &RpcModule<Context<Arc<FakeLedger>>>,
	method: &str,
	params: Vec<Value>,
) -> Result<Value, String> {
	module.call::<_, Value>(method, params).await.map_err(|e| match e {
		MethodsError::JsonRpc(e) => e.message().to_string(),
		other => other.to_string(),
	})
}

fn signed_put(
	controller: &str,
	holder: &AccountId,
	subject: &AccountId,
	data: &[u8],
) -> Vec<Value> {
	let issued_at = now_ms();
	let request = VaultPut {
		network: NETWORK,
		holder: holder.clone(),
		subject: subject.clone(),
		data: sp_io::hashing::blake2_256(data),
		issued_at,
	};
	let signature = pair(controller).sign(&signing_payload(VAULT_PUT_CONTEXT, &request));
	vec![
		json!(subject.to_ss58check()),
		json!(account(controller).to_ss58check()),
		json!(hex(data)),
		json!(issued_at),
		json!(hex(&signature.0)),
	]
}

fn signed_read(requester: &str, holder: &AccountId, request: RequestId) -> Vec<Value> {
	signed_read_at(requester, holder, request, now_ms())
}

fn signed_read_at(
	requester: &str,
	holder: &AccountId,
	request: RequestId,
	issued_at: u64,
) -> Vec<Value> {
	let read = VaultRead { network: NETWORK, holder: holder.clone(), request, issued_at };
	let signature = pair(requester).sign(&signing_payload(VAULT_READ_CONTEXT, &read));
	vec![json!(request), json!(issued_at), json!(hex(&signature.0))]
}

fn signed_export(subject: &str, holder: &AccountId, from: RecordId) -> Vec<Value> {
	let issued_at = now_ms();
	let request = ExportRequest { network: NETWORK, holder: holder.clone(), from, issued_at };
	let signature = pair(subject).sign(&signing_payload(EXPORT_CONTEXT, &request));
	vec![
		json!(account(subject).to_ss58check()),
		json!(from),
		json!(issued_at),
		json!(hex(&signature.0)),
	]
}

fn commitment_of(answer: &Value) -> [u8; 32] {
	let text = answer["commitment"].as_str().unwrap();
	::hex::decode(&text[2..]).unwrap().try_into().unwrap()
}

#[tokio::test]
async fn an_interface_without_unsafe_methods_refuses_unsigned_puts_and_erasures_and_nothing_changes(
) {
	let n = node("unsafe");
	let rpc = n.rpc(DenyUnsafe::Yes);
	let (charlie, bob) = (account("//Charlie"), account("//Bob"));
	let put = call(
		&rpc,
		"vault_put",
		vec![json!(charlie.to_ss58check()), json!(bob.to_ss58check()), json!("0x01")],
	)
	.await;
	assert!(put.unwrap_err().contains("unsigned put is the operator's call"));
	assert_eq!(n.key_files(), 0, "nothing was stored");

	// The operator's interface puts; the erasure is still refused on the public one.
	let trusted = n.rpc(DenyUnsafe::No);
	let answer = call(
		&trusted,
		"vault_put",
		vec![json!(charlie.to_ss58check()), json!(bob.to_ss58check()), json!("0x01")],
	)
	.await
	.unwrap();
	let commitment = commitment_of(&answer);
	let mut erasing = record(&charlie, &bob, commitment, n.vault.holder());
	erasing.state = RecordState::Erasing {
		requested_at: 1,
		cause: plexus_primitives::data_protection::ErasureCause::Subject,
		attested: 0,
	};
	n.record(FINALIZED, 0, erasing);
	let erase = call(&rpc, "vault_erase", vec![json!(0)]).await.unwrap_err();
	assert!(erase.starts_with("vault_erase: this method is unsafe"), "{erase}");
	assert!(n.vault.get(&commitment).is_ok(), "the key is still there");
	let attested = call(&trusted, "vault_erase", vec![json!(0)]).await.unwrap();
	assert_eq!(attested["record"], json!(0));
	assert!(n.vault.get(&commitment).is_err());
}

#[tokio::test]
async fn a_signed_put_is_taken_once_from_the_controller_on_any_interface_and_its_custody_is_signed()
{
	let n = node("signed-put");
	let rpc = n.rpc(DenyUnsafe::Yes);
	let (charlie, bob, holder) = (account("//Charlie"), account("//Bob"), n.vault.holder());
	let params = signed_put("//Bob", &holder, &charlie, b"Charlie's address");
	let answer = call(&rpc, "vault_put", params.clone()).await.unwrap();
	let commitment = commitment_of(&answer);
	let custody: [u8; 64] =
		::hex::decode(&answer["custody"].as_str().unwrap()[2..]).unwrap().try_into().unwrap();
	let statement =
		Custody { network: NETWORK, commitment, subject: charlie.clone(), controller: bob.clone() };
	let holder_public = sr25519::Public::from_raw(*holder.as_ref());
	assert!(sr25519::Pair::verify(
		&sr25519::Signature::from_raw(custody),
		signing_payload(CUSTODY_CONTEXT, &statement),
		&holder_public
	));
	let opened = n.vault.get(&commitment).unwrap();
	assert_eq!((opened.subject, opened.controller), (charlie.clone(), bob.clone()));

	let replay = call(&rpc, "vault_put", params).await.unwrap_err();
	assert!(replay.contains("already served"), "{replay}");
	// Signed by someone else than the controller it names.
	let mut forged = signed_put("//Eve", &holder, &charlie, b"x");
	forged[1] = json!(bob.to_ss58check());
	assert!(call(&rpc, "vault_put", forged).await.unwrap_err().contains("not signed by"));
	// Signed for another vault, or for other data.
	let other_vault = signed_put("//Bob", &account("//Ferdie"), &charlie, b"x");
	assert!(call(&rpc, "vault_put", other_vault).await.unwrap_err().contains("not signed by"));
	let mut other_data = signed_put("//Bob", &holder, &charlie, b"x");
	other_data[2] = json!(hex(b"y"));
	assert!(call(&rpc, "vault_put", other_data).await.unwrap_err().contains("not signed by"));
	assert_eq!(n.key_files(), 1);
}

#[tokio::test]
async fn data_put_for_one_subject_or_controller_is_never_served_under_another() {
	let n = node("bound");
	let trusted = n.rpc(DenyUnsafe::No);
	let (charlie, bob, eve, holder) =
		(account("//Charlie"), account("//Bob"), account("//Eve"), n.vault.holder());
	let answer =
		call(&trusted, "vault_put", signed_put("//Bob", &holder, &charlie, b"Charlie's file"))
			.await
			.unwrap();
	let commitment = commitment_of(&answer);
	// Eve registered the commitment as hers (a front-run, or a controller's mistake).
	n.record(FINALIZED, 0, record(&eve, &eve, commitment, holder.clone()));
	n.ledger.grants.lock().unwrap().insert(
		(FINALIZED, 7),
		Grant {
			request: 7,
			record: 0,
			commitment,
			subject: eve.clone(),
			signer: eve.clone(),
			expires_at: now_ms() + 60_000,
		},
	);
	let read = call(&trusted, "vault_get", signed_read("//Eve", &holder, 7)).await.unwrap_err();
	assert!(read.contains("for another subject or controller"), "{read}");
	let export = call(&trusted, "vault_export", signed_export("//Eve", &holder, 0)).await.unwrap();
	assert_eq!(
		export["records"][0]["data"],
		Value::Null,
		"Eve's export does not carry Charlie's data"
	);
	let mut erasing = record(&eve, &eve, commitment, holder.clone());
	erasing.state = RecordState::Erasing {
		requested_at: 1,
		cause: plexus_primitives::data_protection::ErasureCause::Subject,
		attested: 0,
	};
	n.record(FINALIZED, 0, erasing);
	let erase = call(&trusted, "vault_erase", vec![json!(0)]).await.unwrap_err();
	assert!(erase.contains("for another subject or controller"), "{erase}");
	assert!(n.vault.get(&commitment).is_ok(), "Charlie's data is still there");

	// Registered as put, it is served.
	n.record(FINALIZED, 0, record(&charlie, &bob, commitment, holder.clone()));
	n.ledger.grants.lock().unwrap().insert(
		(FINALIZED, 8),
		Grant {
			request: 8,
			record: 0,
			commitment,
			subject: charlie.clone(),
			signer: eve.clone(),
			expires_at: now_ms() + 60_000,
		},
	);
	let served = call(&trusted, "vault_get", signed_read("//Eve", &holder, 8)).await.unwrap();
	assert_eq!(served["data"], json!(hex(b"Charlie's file")));
	let export =
		call(&trusted, "vault_export", signed_export("//Charlie", &holder, 0)).await.unwrap();
	assert_eq!(export["records"][0]["data"], json!(hex(b"Charlie's file")));
}

#[tokio::test]
async fn reads_and_exports_are_for_one_vault_and_served_once() {
	let (a, b) = (node("once-a"), node("once-b"));
	let (rpc_a, rpc_b) = (a.rpc(DenyUnsafe::Yes), b.rpc(DenyUnsafe::Yes));
	let (charlie, bob) = (account("//Charlie"), account("//Bob"));
	let holder = a.vault.holder();
	let answer =
		call(&rpc_a, "vault_put", signed_put("//Bob", &holder, &charlie, b"data")).await.unwrap();
	let commitment = commitment_of(&answer);
	let mut both = record(&charlie, &bob, commitment, holder.clone());
	both.holders.push(b.vault.holder());
	a.record(FINALIZED, 0, both.clone());
	b.record(FINALIZED, 0, both);
	let grant = Grant {
		request: 3,
		record: 0,
		commitment,
		subject: charlie.clone(),
		signer: account("//Dave"),
		expires_at: now_ms() + 60_000,
	};
	a.ledger.grants.lock().unwrap().insert((FINALIZED, 3), grant.clone());
	b.ledger.grants.lock().unwrap().insert((FINALIZED, 3), grant);

	let read = signed_read("//Dave", &holder, 3);
	assert!(
		call(&rpc_b, "vault_get", read.clone()).await.unwrap_err().contains("not signed by"),
		"a read signed for A is refused by B"
	);
	assert_eq!(b.counted("plexus_vault_reads_total", "refused"), 1);
	assert_eq!(b.counted("plexus_vault_reads_total", "served"), 0, "a refusal is not a read");
	call(&rpc_a, "vault_get", read.clone()).await.unwrap();
	assert_eq!(a.counted("plexus_vault_reads_total", "served"), 1);
	assert!(call(&rpc_a, "vault_get", read.clone()).await.unwrap_err().contains("already served"));
	// Another signature over the same read (sr25519 signatures are randomized) is a replay too.
	let issued_at = read[1].as_u64().unwrap();
	let again = signed_read_at("//Dave", &holder, 3, issued_at);
	assert_ne!(again[2], read[2]);
	assert!(call(&rpc_a, "vault_get", again).await.unwrap_err().contains("already served"));

	let export = signed_export("//Charlie", &holder, 0);
	assert!(call(&rpc_b, "vault_export", export.clone())
		.await
		.unwrap_err()
		.contains("not signed by"));
	call(&rpc_a, "vault_export", export.clone()).await.unwrap();
	assert!(call(&rpc_a, "vault_export", export).await.unwrap_err().contains("already served"));
}

#[tokio::test]
async fn decisions_are_read_at_the_finalized_block_and_against_this_nodes_clock() {
	let n = node("finalized");
	let rpc = n.rpc(DenyUnsafe::No);
	let (charlie, bob, holder) = (account("//Charlie"), account("//Bob"), n.vault.holder());
	let commitment = commitment_of(
		&call(&rpc, "vault_put", signed_put("//Bob", &holder, &charlie, b"d")).await.unwrap(),
	);
	let best = H256::repeat_byte(0xb5);
	n.record(FINALIZED, 0, record(&charlie, &bob, commitment, holder.clone()));
	let mut erasing = record(&charlie, &bob, commitment, holder.clone());
	erasing.state = RecordState::Erasing {
		requested_at: 1,
		cause: plexus_primitives::data_protection::ErasureCause::Subject,
		attested: 0,
	};
	n.record(best, 0, erasing);
	let erase = call(&rpc, "vault_erase", vec![json!(0)]).await.unwrap_err();
	assert!(erase.contains("has not asked to erase"), "only the best block asks: {erase}");
	assert!(n.vault.get(&commitment).is_ok());

	// The ledger still approves (its clock stood still), this node's clock says it expired.
	let stale = Grant {
		request: 1,
		record: 0,
		commitment,
		subject: charlie.clone(),
		signer: account("//Dave"),
		expires_at: now_ms() - 1,
	};
	n.ledger.grants.lock().unwrap().insert((FINALIZED, 1), stale);
	let read = call(&rpc, "vault_get", signed_read("//Dave", &holder, 1)).await.unwrap_err();
	assert!(read.contains("expired"), "{read}");
	let mut over = record(&charlie, &bob, commitment, holder.clone());
	over.retain_until = now_ms() - 1;
	n.record(FINALIZED, 0, over);
	let fresh = Grant {
		request: 2,
		record: 0,
		commitment,
		subject: charlie.clone(),
		signer: account("//Dave"),
		expires_at: now_ms() + 60_000,
	};
	n.ledger.grants.lock().unwrap().insert((FINALIZED, 2), fresh);
	let read = call(&rpc, "vault_get", signed_read("//Dave", &holder, 2)).await.unwrap_err();
	assert!(read.contains("retention is over"), "{read}");
}

#[tokio::test]
async fn exports_come_in_pages() {
	let n = node("pages");
	let rpc = n.rpc(DenyUnsafe::No);
	let (charlie, bob, holder) = (account("//Charlie"), account("//Bob"), n.vault.holder());
	let total = EXPORT_PAGE as u64 + 3;
	for id in 0..total {
		n.record(FINALIZED, id, record(&charlie, &bob, [id as u8; 32], holder.clone()));
	}
	let first = call(&rpc, "vault_export", signed_export("//Charlie", &holder, 0)).await.unwrap();
	assert_eq!(first["records"].as_array().unwrap().len(), EXPORT_PAGE as usize);
	assert_eq!(first["next"], json!(EXPORT_PAGE));
	let second =
		call(&rpc, "vault_export", signed_export("//Charlie", &holder, EXPORT_PAGE as u64))
			.await
			.unwrap();
	assert_eq!(second["records"].as_array().unwrap().len(), 3);
	assert_eq!(second["next"], Value::Null);
	assert_eq!(second["proof"].as_array().unwrap().len(), 3, "the proof covers the page");
}

#[test]
fn answers_read_as_documented() {
	let holder = AccountId::new([1; 32]);
	let holder_ss58 = "5C62Ck4UrFPiBtoCmeSrgF7x9yv9mn38446dhCpsi2mLHiFT";
	let holder_hex = format!("0x{}", "01".repeat(32));
	assert_eq!(holder_json(&holder), json!({ "ss58": holder_ss58, "hex": holder_hex }));
	assert_eq!(
		put_json(&[0xab; 32], &holder, &sr25519::Signature::from_raw([9; 64])),
		json!({
			"commitment": format!("0x{}", "ab".repeat(32)),
			"holder": holder_ss58,
			"holderHex": holder_hex,
			"custody": format!("0x{}", "09".repeat(64)),
		})
	);

	let opened = opened();
	let grant = grant();
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

	let mut record = record(&AccountId::new([2; 32]), &AccountId::new([4; 32]), [0xab; 32], holder);
	record.category = Category::Financial;
	record.retain_until = 1_000_000;
	record.version = 2;
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
	assert_eq!(exported_json(3, &record, None)["data"], Value::Null);
	assert_eq!(
		export_json(&[0x11; 32], vec![held.clone()], &[vec![1u8, 2], vec![]], Some(9)),
		json!({
			"at": format!("0x{}", "11".repeat(32)),
			"records": [held],
			"proof": ["0x0102", "0x"],
			"next": 9,
		})
	);
}

fn opened() -> Opened {
	Opened {
		subject: AccountId::new([2; 32]),
		controller: AccountId::new([4; 32]),
		salt: [5; 32],
		data: Zeroizing::new(b"hello".to_vec()),
	}
}

fn grant() -> Grant<AccountId> {
	Grant {
		request: 4,
		record: 3,
		commitment: [0xab; 32],
		subject: AccountId::new([2; 32]),
		signer: AccountId::new([3; 32]),
		expires_at: 90_000,
	}
}

#[test]
fn plexus_client_reads_every_answer_back() {
	use plexus_client::node_rpc::{ErasureJson, ExportJson, HolderJson, PutJson, ReadJson};
	let holder = AccountId::new([1; 32]);
	let read: HolderJson = serde_json::from_value(holder_json(&holder)).unwrap();
	assert_eq!((read.ss58, read.hex.0), (holder.clone(), [1; 32]));
	let custody = sr25519::Signature::from_raw([9; 64]);
	let read: PutJson = serde_json::from_value(put_json(&[0xab; 32], &holder, &custody)).unwrap();
	assert_eq!(
		(read.commitment.0, read.holder, read.holder_hex.0, read.custody.0),
		([0xab; 32], holder.clone(), [1; 32], vec![9; 64])
	);

	let read: ReadJson = serde_json::from_value(read_json(&grant(), &opened())).unwrap();
	assert_eq!((read.record, read.expires_at), (3, 90_000));
	assert_eq!((read.salt.0, read.data.0), (vec![5; 32], b"hello".to_vec()));

	let signature = sr25519::Signature::from_raw([7; 64]);
	let read: ErasureJson =
		serde_json::from_value(erasure_json(3, &holder, 700, &signature)).unwrap();
	assert_eq!((read.record, read.destroyed_at, read.signature.0), (3, 700, vec![7; 64]));

	let record = record(&AccountId::new([2; 32]), &AccountId::new([4; 32]), [0xab; 32], holder);
	let page = export_json(
		&[0x11; 32],
		vec![exported_json(3, &record, Some(&opened()))],
		&[vec![1]],
		Some(4),
	);
	let read: ExportJson = serde_json::from_value(page).unwrap();
	assert_eq!((read.records.len(), read.next), (1, Some(4)));
	assert_eq!(read.records[0].data.as_ref().map(|d| d.0.clone()), Some(b"hello".to_vec()));
}
