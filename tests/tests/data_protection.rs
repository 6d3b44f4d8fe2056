//! Data protection on two launched networks (a–b): Charlie's data goes into the vault of b's
//! node; Dave, a clerk of the controller Bob, reads it under Charlie's consent; Eve, asking for a
//! purpose Charlie never consented to, is rejected on the ledger and refused by the vault, as are
//! unsigned, forged and replayed reads; Alice asks from network a through the router, b decides
//! and acknowledges, and Alice reads with her own key. Then Charlie has the record erased: the
//! vault destroys the key and attests it, the ledger records `Erased`, and after a restart of the
//! deployment nothing reads the data, nor is it or its key in any file on disk. The vault
//! decides at b's finalized block, and survives b's node being killed right after a put.
//!
//! And a `--dev` node started with `--rpc-methods safe` refuses every unsafe method.

use codec::Encode;
use frame_support::weights::Weight;
use pallet_data_protection::{
	AccessAnswer, AccessRequest, Approver, Category, LegalBasis, Rule, Tag,
};
use pallet_event_router::{location_of, MessageId, MessageStatus, Outcome, Service, Timeout};
use plexus_runtime::{AccountId, Runtime, RuntimeCall};
use plexus_testkit::{
	client::node_rpc::{AuditEntryJson, GrantJson, ReadJson, RecordJson, RequestStateJson},
	deployment::*,
	fixtures::*,
	Client,
};
use serde_json::Value;
use sp_core::sr25519;
use std::{path::Path, time::Duration};

const FLOW: Duration = Duration::from_secs(240);
const SECRET: &[u8] = b"Charlie Example; IBAN DE02 1203 0000 0000 2020 51; born 1990-01-01";

fn tag(name: &str) -> Tag {
	name.as_bytes().to_vec().try_into().unwrap()
}

async fn submit(client: &Client, signer: &str, call: RuntimeCall) {
	client.submit(call, &dev_pair(signer)).await.expect("the pool takes it");
}

/// A vault read of `request` from `b`'s vault, signed by `uri`.
async fn signed_read(b: &Client, request: u64, uri: &str) -> (u64, Vec<u8>) {
	b.sign_vault_read(&dev_pair(uri), request).await.unwrap()
}

async fn vault_get(
	client: &Client,
	request: u64,
	read: &(u64, Vec<u8>),
) -> Result<ReadJson, String> {
	client.vault_get(request, read.0, &read.1).await
}

/// Waits until `b`'s finalized ledger knows request `request` (the vault decides there).
async fn final_request(b: &Client, request: u64) -> GrantJson {
	wait_for("the request to be final", FLOW, || async {
		let at = b.finalized_hash().await.ok()?;
		let grant = b.grant(request, Some(at)).await.ok()?;
		(grant != GrantJson::Refused("UnknownRequest".into())).then_some(grant)
	})
	.await
}

/// Waits until record `id` is in a state starting with `state` at `b`'s finalized block.
async fn final_record_state(b: &Client, id: u64, state: &str) {
	wait_for("the record's state to be final", FLOW, || async {
		let at = b.finalized_hash().await.ok()?;
		b.record(id, Some(at)).await.ok()??.state.starts_with(state).then_some(())
	})
	.await
}

/// `who`'s nonce at `b`'s finalized block.
async fn final_nonce(b: &Client, who: AccountId) -> Option<plexus_runtime::Nonce> {
	let at = b.finalized_hash().await.ok()?;
	let key = frame_system::Account::<Runtime>::hashed_key_for(who);
	let info: frame_system::AccountInfo<
		plexus_runtime::Nonce,
		pallet_balances::AccountData<plexus_runtime::Balance>,
	> = b.storage_at(key, Some(at)).await.ok()??;
	Some(info.nonce)
}

async fn next_request(b: &Client) -> u64 {
	let key = pallet_data_protection::NextRequest::<Runtime>::hashed_key().to_vec();
	b.storage_at(key, None).await.unwrap().unwrap_or(0)
}

/// Submits `call` as `uri` and waits until the ledger has one more access request.
async fn ask(b: &Client, uri: &str, record: u64, purpose: &str) -> (u64, AuditEntryJson) {
	let id = next_request(b).await;
	let call = RuntimeCall::DataProtection(pallet_data_protection::Call::request_access {
		record,
		purpose: tag(purpose),
	});
	submit(b, uri, call).await;
	wait_for("the access request", FLOW, || async { (next_request(b).await > id).then_some(()) })
		.await;
	(id, audit_entry(b, record, id).await)
}

async fn audit_entry(b: &Client, record: u64, request: u64) -> AuditEntryJson {
	let audit = b.audit(record, 0, None).await.unwrap();
	audit.entries.into_iter().find(|e| e.request == request).expect("audited")
}

async fn record(b: &Client, id: u64) -> Option<RecordJson> {
	b.record(id, None).await.unwrap()
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
	let mut found = Vec::new();
	for entry in std::fs::read_dir(dir).unwrap().flatten() {
		let path = entry.path();
		if path.is_dir() {
			found.extend(files_containing(&path, needle));
		} else if std::fs::read(&path)
			.is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
		{
			found.push(path.display().to_string());
		}
	}
	found
}

fn all_files(dir: &Path) -> Vec<std::path::PathBuf> {
	let mut found = Vec::new();
	for entry in std::fs::read_dir(dir).unwrap().flatten() {
		let path = entry.path();
		if path.is_dir() {
			found.extend(all_files(&path));
		} else {
			found.push(path);
		}
	}
	found
}

fn find_dir(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
	for entry in std::fs::read_dir(dir).ok()?.flatten() {
		let path = entry.path();
		if path.is_dir() {
			if path.file_name().is_some_and(|n| n == name) {
				return Some(path);
			}
			if let Some(found) = find_dir(&path, name) {
				return Some(found);
			}
		}
	}
	None
}

/// Kills `network`'s node with SIGKILL and returns a client of it once launch restarted it.
async fn crash(launch: &mut Guard, base: &Path, network: &str) -> Client {
	let report: Value = read_report(base).await.expect("launch.json");
	let node =
		report["nodes"].as_array().unwrap().iter().find(|n| n["network"] == network).unwrap();
	let (old, name, url) = (
		node["pid"].as_u64().unwrap() as u32,
		node["name"].clone(),
		rpc_of(&report, network, None),
	);
	// SAFETY: a plain syscall on a process of this test's deployment.
	unsafe { libc::kill(old as i32, libc::SIGKILL) };
	let new = wait_for("the killed node to be restarted", FLOW, || async {
		let report = read_report(base).await?;
		let node = report["nodes"].as_array()?.iter().find(|n| n["name"] == name)?.clone();
		let pid = node["pid"].as_u64()? as u32;
		(pid != old && pid != 0).then_some(pid)
	})
	.await;
	launch.extra_pids.push(new);
	wait_for("the restarted node to answer", FLOW, || async {
		let client = try_connect(&url).await?;
		client.vault_holder().await.ok().map(|_| client)
	})
	.await
}

async fn launched(launch: &mut Guard, base: &Path) -> (Client, Client) {
	let report: Value =
		wait_for("launch.json", Duration::from_secs(600), || read_report(base)).await;
	launch.extra_pids = node_pids(&report);
	let a = connect(&rpc_of(&report, "a", None)).await;
	let b = connect(&rpc_of(&report, "b", None)).await;
	for client in [&a, &b] {
		wait_for("a first block", FLOW, || async {
			client.best_number().await.ok().filter(|n| *n > 0)
		})
		.await;
	}
	(a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_is_read_only_under_an_approval_on_the_ledger_and_is_gone_after_erasure() {
	let (mut launch, base) = launch("data-protection", Some(TWO_NETWORKS));
	let (a, b) = launched(&mut launch, &base).await;
	let (a_genesis, b_genesis) = (a.genesis(), b.genesis());
	let (bob, charlie) = (account("//Bob"), account("//Charlie"));

	// Bob's policy: billing on consent for his clerks; research on consent. Dave is a clerk, and
	// so is Alice of network a (through her remote account on b).
	let rules: Vec<Rule> = vec![
		Rule {
			purpose: tag("billing"),
			basis: LegalBasis::Consent,
			role: Some(tag("clerk")),
			approver: Approver::Policy,
		},
		Rule {
			purpose: tag("research"),
			basis: LegalBasis::Consent,
			role: None,
			approver: Approver::Policy,
		},
	];
	let policy = RuntimeCall::DataProtection(pallet_data_protection::Call::create_policy {
		rules: rules.try_into().unwrap(),
		approval_ttl_ms: 3_600_000,
	});
	submit(&b, "//Bob", policy).await;
	for clerk in [account("//Dave"), remote(a_genesis.0, account("//Alice"))] {
		let role = RuntimeCall::DataProtection(pallet_data_protection::Call::set_role {
			account: clerk,
			role: tag("clerk"),
			granted: true,
		});
		submit(&b, "//Bob", role).await;
	}
	let consent = RuntimeCall::DataProtection(pallet_data_protection::Call::grant_consent {
		controller: bob.clone(),
		purpose: tag("billing"),
		expires_at: None,
	});
	submit(&b, "//Charlie", consent).await;

	// A crash empties b's transaction pool: let the set-up be final before b's node is killed.
	wait_for("the set-up to be final", FLOW, || async {
		// Bob: the policy and two roles; Charlie: the consent.
		let bob = final_nonce(&b, bob.clone()).await?;
		let charlie = final_nonce(&b, charlie.clone()).await?;
		(bob >= 3 && charlie >= 1).then_some(())
	})
	.await;

	// The data enters through the vault only, put by its controller; the ledger gets its salted
	// commitment with the vault's custody signature.
	let put = b.vault_put(&dev_pair("//Bob"), &charlie, SECRET).await.unwrap();
	let (commitment, holder) = (put.commitment.0, put.holder_hex.0);
	assert_eq!(put.holder, AccountId::new(holder));
	let custody: [u8; 64] = put.custody.0.clone().try_into().unwrap();
	// A crash right after the put loses nothing: the data is on disk before the answer.
	let b = crash(&mut launch, &base, "b").await;
	let register = RuntimeCall::DataProtection(pallet_data_protection::Call::register {
		subject: charlie.clone(),
		category: Category::Financial,
		commitment,
		holders: vec![(AccountId::new(holder), sr25519::Signature::from_raw(custody).into())]
			.try_into()
			.unwrap(),
		retain_until: now_ms() + 86_400_000,
		policy: 0,
	});
	submit(&b, "//Bob", register).await;
	let registered = wait_for("the record", FLOW, || record(&b, 0)).await;
	assert_eq!(registered.commitment, put.commitment);

	// Dave, a clerk, with Charlie's consent: approved, and the vault serves his signed read once.
	let (dave_request, entry) = ask(&b, "//Dave", 0, "billing").await;
	assert!(matches!(entry.state, RequestStateJson::Approved { .. }), "{entry:?}");
	assert!(matches!(final_request(&b, dave_request).await, GrantJson::Granted(_)));
	let read = signed_read(&b, dave_request, "//Dave").await;
	let served = vault_get(&b, dave_request, &read).await.expect("Dave reads");
	assert_eq!(served.data.0, SECRET);
	let salt: [u8; 32] = served.salt.0.try_into().unwrap();
	assert_eq!(plexus_primitives::data_protection::commitment(&salt, SECRET), commitment);
	let replay = vault_get(&b, dave_request, &read).await.unwrap_err();
	assert!(replay.contains("already served"), "{replay}");
	// Eve presents Dave's approval with her own signature, or with none that verifies.
	let forged = vault_get(&b, dave_request, &signed_read(&b, dave_request, "//Eve").await).await;
	assert!(forged.unwrap_err().contains("not signed by"));
	let (at, _) = signed_read(&b, dave_request, "//Dave").await;
	let unsigned = vault_get(&b, dave_request, &(at, vec![0; 64])).await;
	assert!(unsigned.unwrap_err().contains("not signed by"));
	let stale = (now_ms() - 600_000, read.1.clone());
	assert!(vault_get(&b, dave_request, &stale).await.unwrap_err().contains("two minutes"));

	// Eve, for research Charlie never consented to: rejected, on the ledger, and not served.
	let (eve_request, entry) = ask(&b, "//Eve", 0, "research").await;
	assert!(
		matches!(&entry.state, RequestStateJson::Rejected { rejected, .. } if rejected == "NoConsent"),
		"{entry:?}"
	);
	final_request(&b, eve_request).await;
	let refused = vault_get(&b, eve_request, &signed_read(&b, eve_request, "//Eve").await).await;
	assert!(refused.unwrap_err().contains("NotApproved"));

	// Alice asks from network a: b decides as her remote account and acknowledges the decision.
	let send = RuntimeCall::EventRouter(pallet_event_router::Call::send {
		destination: Some(Box::new(location_of(b_genesis.0))),
		service: Service::DataProtection,
		payload: AccessRequest { record: 0, purpose: tag("billing") }.encode().try_into().unwrap(),
		max_weight: Weight::from_parts(5_000_000_000, 64 * 1024),
		timeout: Timeout { height: None, timestamp: Some(now_ms() + 600_000) },
	});
	submit(&a, "//Alice", send).await;
	let message = MessageId { origin: a_genesis.0, sequence: 0 };
	let digest = wait_for("a's request to be settled", FLOW, || async {
		settled_ok(&status(&a, message).await)
	})
	.await;
	let alice_request = eve_request + 1;
	let entry = audit_entry(&b, 0, alice_request).await;
	assert_eq!(entry.origin.as_ref().map(|o| &o.sender), Some(&account("//Alice")), "{entry:?}");
	let stored = pallet_data_protection::Requests::<Runtime>::hashed_key_for(alice_request);
	let request: pallet_data_protection::Request<AccountId> =
		b.storage_at(stored, None).await.unwrap().unwrap();
	let answer = AccessAnswer { request: alice_request, state: request.state };
	assert_eq!(
		digest,
		sp_io::hashing::blake2_256(&answer.encode()),
		"the ack carries the decision"
	);
	assert!(
		matches!(status(&b, message).await, MessageStatus::Received { outcome: Outcome::Ok(d), .. } if d == digest)
	);
	final_request(&b, alice_request).await;
	let alice_read = signed_read(&b, alice_request, "//Alice").await;
	let served = vault_get(&b, alice_request, &alice_read).await.expect("Alice reads");
	assert_eq!(served.data.0, SECRET);

	// Portability: Charlie exports his records with the salts that prove their commitments and a
	// storage proof of the ledger's records; nobody else can.
	let (issued_at, signature) = b.sign_vault_export(&dev_pair("//Charlie"), 0).await.unwrap();
	let bundle = b.vault_export(&charlie, 0, issued_at, &signature).await.unwrap();
	assert_eq!(bundle.next, None);
	let exported = &bundle.records[0];
	let salt: [u8; 32] = exported.salt.clone().expect("the salt").0.try_into().unwrap();
	assert_eq!(exported.data.as_ref().expect("the data").0, SECRET);
	assert_eq!(plexus_primitives::data_protection::commitment(&salt, SECRET), commitment);
	assert!(!bundle.proof.is_empty());
	let replay = b.vault_export(&charlie, 0, issued_at, &signature).await;
	assert!(replay.unwrap_err().contains("already served"));
	let (issued_at, signature) = b.sign_vault_export(&dev_pair("//Eve"), 0).await.unwrap();
	let foreign = b.vault_export(&charlie, 0, issued_at, &signature).await;
	assert!(foreign.unwrap_err().contains("not signed by"));

	// The plaintext is in no file of the deployment; the key is in the vault's key file only.
	assert!(files_containing(&base, SECRET).is_empty());
	let vault = find_dir(&base.join("b"), "vault").expect("b's node has a vault");
	let key_file = vault
		.join("keys")
		.join(hex::encode(charlie.as_ref() as &[u8]))
		.join(format!("{}.key", hex::encode(commitment)));
	let key = std::fs::read(&key_file).expect("the record's key");

	// Erasure: not before the ledger asks; then the vault destroys the key and attests it.
	let early = b.vault_erase(0).await;
	assert!(early.unwrap_err().contains("not asked"));
	let erase =
		RuntimeCall::DataProtection(pallet_data_protection::Call::request_erasure { record: 0 });
	submit(&b, "//Charlie", erase).await;
	final_record_state(&b, 0, "Erasing").await;
	let attestation = b.vault_erase(0).await.unwrap();
	let signature: [u8; 64] = attestation.signature.0.try_into().unwrap();
	let attest = RuntimeCall::DataProtection(pallet_data_protection::Call::attest_erasure {
		record: 0,
		holder: AccountId::new(holder),
		destroyed_at: attestation.destroyed_at,
		signature: sp_core::sr25519::Signature::from_raw(signature).into(),
	});
	submit(&b, "//Charlie", attest).await;
	wait_for("the record to be erased", FLOW, || async {
		record(&b, 0).await?.state.starts_with("Erased").then_some(())
	})
	.await;
	final_record_state(&b, 0, "Erased").await;
	let after =
		vault_get(&b, alice_request, &signed_read(&b, alice_request, "//Alice").await).await;
	assert!(after.unwrap_err().contains("Erased"));

	// Stop everything, check the disk, start the same deployment again.
	let exit = launch.terminate(Duration::from_secs(30)).expect("launch exits on SIGTERM");
	assert!(exit.success(), "launch exited with {exit:?}");
	assert!(!key_file.exists());
	assert!(files_containing(&base, &key).is_empty(), "the key is gone from every file");
	assert!(files_containing(&base, SECRET).is_empty());
	let mut launch = launch_at(&base, Some(TWO_NETWORKS));
	let (_, b) = launched(&mut launch, &base).await;
	let again =
		vault_get(&b, alice_request, &signed_read(&b, alice_request, "//Alice").await).await;
	assert!(again.unwrap_err().contains("Erased"));
	assert!(record(&b, 0).await.expect("the record").state.starts_with("Erased"));
	let exit = launch.terminate(Duration::from_secs(30)).expect("launch exits on SIGTERM");
	assert!(exit.success(), "launch exited with {exit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_with_safe_rpc_methods_refuses_every_unsafe_method_and_changes_nothing() {
	let (mut node, base, url) = dev_node("rpc-safe", &["--rpc-methods", "safe"]).await;
	let client = Client::connect(&url).await.unwrap();
	let (bob, charlie) = (account("//Bob"), account("//Charlie"));
	let keys = || {
		let vault = find_dir(&base, "vault").expect("the node's vault");
		all_files(&vault.join("keys"))
	};
	let before = keys();

	let put = client.vault_put_unsigned(&charlie, &bob, b"planted").await.unwrap_err();
	assert!(put.contains("unsigned put is the operator's call"), "{put}");
	let erase = client.vault_erase(0).await.unwrap_err();
	assert!(erase.contains("this method is unsafe"), "{erase}");
	assert_eq!(keys(), before, "nothing was written");

	// The controller's signed put is what a public interface takes.
	let put = client.vault_put(&dev_pair("//Bob"), &charlie, b"Charlie's").await.unwrap();
	assert_eq!(keys().len(), before.len() + 1);
	assert_ne!(put.commitment.0, [0; 32]);
	let exit = node.terminate(Duration::from_secs(30)).expect("the node exits on SIGTERM");
	assert!(exit.success(), "{exit:?}");
}
