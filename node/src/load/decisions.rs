//! `plexus-node load decisions`: access decisions per second on one network, and the latency
//! of the node's `vault_get`.
//!
//! 1. Setup: `//Bob` (controller) creates a policy allowing `billing` on consent; `//Charlie`
//!    consents; Charlie's data goes into the node's vault (`vault_put`) and Bob registers it.
//! 2. `//Alice` asks for access `--count` times, as fast as the pool takes her requests. The
//!    chain is followed block by block; each `DataProtection.AccessDecided` of Alice counts.
//!    Rate: decisions over the time from the first block that held one to the last.
//! 3. `--reads` signed `vault_get`s of approved requests, one after the other, each timed from
//!    sending to its answer (the ledger's grant check, the signature check, the vault's AEAD).

use super::{percentile, transfers::machine};
use crate::progress::{Progress, Summary};
use pallet_data_protection::{Approver, Category, Decision, Event as DpEvent, LegalBasis, Rule};
use plexus_client::node_rpc::GrantJson;
use plexus_client::{now_ms, Client, Follower};
use plexus_runtime::{AccountId, Runtime, RuntimeCall, RuntimeEvent};
use sp_core::{crypto::Pair as _, sr25519, storage::StorageKey};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Parser)]
pub struct DecisionsCmd {
	/// Websocket RPC endpoint of a node of the network (its vault is used).
	#[arg(long)]
	pub rpc: String,
	/// Access requests to submit.
	#[arg(long, default_value_t = 1_000)]
	pub count: u32,
	/// Signed vault reads to time.
	#[arg(long, default_value_t = 200)]
	pub reads: u32,
	/// Give up after this many seconds.
	#[arg(long, default_value_t = 600)]
	pub timeout: u64,
}

fn pair(uri: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(uri, None).expect("a valid dev seed")
}

fn tag(name: &str) -> pallet_data_protection::Tag {
	name.as_bytes().to_vec().try_into().expect("a short tag")
}

async fn value<T: codec::Decode>(client: &Client, key: Vec<u8>) -> Result<Option<T>, String> {
	client.storage(&StorageKey(key), None).await
}

async fn wait_until<F, Fut>(what: &str, give_up: Instant, mut done: F) -> Result<(), String>
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Result<bool, String>>,
{
	while !done().await? {
		if Instant::now() > give_up {
			return Err(format!("gave up waiting for {what}"));
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
	Ok(())
}

impl DecisionsCmd {
	pub(super) async fn run(&self) -> Result<(), String> {
		let client = Client::connect(&self.rpc).await?;
		let started = Instant::now();
		let give_up = started + Duration::from_secs(self.timeout);
		let (alice, bob, charlie) = (pair("//Alice"), pair("//Bob"), pair("//Charlie"));
		let account = |p: &sr25519::Pair| AccountId::from(p.public());

		// 1. The policy, the consent, the data and its record.
		let policy: u32 =
			value(&client, pallet_data_protection::NextPolicy::<Runtime>::hashed_key().to_vec())
				.await?
				.unwrap_or(0);
		let rules = vec![Rule {
			purpose: tag("billing"),
			basis: LegalBasis::Consent,
			role: None,
			approver: Approver::Policy,
		}];
		let create = pallet_data_protection::Call::create_policy {
			rules: rules.try_into().expect("one rule"),
			approval_ttl_ms: 24 * 3_600_000,
		};
		client.submit(RuntimeCall::DataProtection(create), &bob).await?;
		let consent = pallet_data_protection::Call::grant_consent {
			controller: account(&bob),
			purpose: tag("billing"),
			expires_at: None,
		};
		client.submit(RuntimeCall::DataProtection(consent), &charlie).await?;
		let data = b"bench subject: name, address, account number";
		let put = client.vault_put(&bob, &account(&charlie), data).await?;
		let custody: [u8; 64] =
			put.custody.0.as_slice().try_into().map_err(|_| "a custody signature is 64 bytes")?;
		let holder = (
			AccountId::new(put.holder_hex.0),
			sp_runtime::MultiSignature::Sr25519(sr25519::Signature::from_raw(custody)),
		);
		let policy_key = pallet_data_protection::Policies::<Runtime>::hashed_key_for(policy);
		wait_until("the policy", give_up, || async {
			Ok(client.storage_raw(&StorageKey(policy_key.clone()), None).await?.is_some())
		})
		.await?;
		let record: u64 =
			value(&client, pallet_data_protection::NextRecord::<Runtime>::hashed_key().to_vec())
				.await?
				.unwrap_or(0);
		let register = pallet_data_protection::Call::register {
			subject: account(&charlie),
			category: Category::Contact,
			commitment: put.commitment.0,
			holders: vec![holder].try_into().expect("one holder"),
			retain_until: now_ms() + 24 * 3_600_000,
			policy,
		};
		client.submit(RuntimeCall::DataProtection(register), &bob).await?;
		let record_key = pallet_data_protection::Records::<Runtime>::hashed_key_for(record);
		wait_until("the record", give_up, || async {
			Ok(client.storage_raw(&StorageKey(record_key.clone()), None).await?.is_some())
		})
		.await?;

		// 2. The burst of requests.
		let columns = ["submitted", "decided", "finalized"];
		let mut progress = Progress::new("load decisions", &columns, Some(u64::from(self.count)));
		progress.phase(&format!(
			"load: {} access requests for record {record} on {}",
			self.count, self.rpc
		));
		let mut follower = Follower::new(&client).await?;
		let submitted = Instant::now();
		let mut nonce = client.next_nonce(&account(&alice)).await?;
		let mut asked = 0u64;
		for _ in 0..self.count {
			let ask =
				pallet_data_protection::Call::request_access { record, purpose: tag("billing") };
			client.submit_with_nonce(RuntimeCall::DataProtection(ask), &alice, nonce).await?;
			nonce += 1;
			asked += 1;
			progress.set(&[asked, 0, 0]);
		}
		progress.phase(&format!("load: submitted in {:.1} s", submitted.elapsed().as_secs_f64()));
		let mut approved = Vec::new();
		let mut rejected = 0u32;
		let mut blocks: Vec<(u32, Instant, u32)> = Vec::new();
		while approved.len() as u32 + rejected < self.count {
			if Instant::now() > give_up {
				return Err(format!(
					"only {} of {} requests decided in time",
					approved.len() as u32 + rejected,
					self.count
				));
			}
			let now = Instant::now();
			for (block, event) in follower.poll().await? {
				let RuntimeEvent::DataProtection(DpEvent::AccessDecided {
					request,
					requester,
					decision,
					..
				}) = event
				else {
					continue;
				};
				if requester != account(&alice) {
					continue;
				}
				match decision {
					Decision::Approved { .. } => approved.push(request),
					Decision::Rejected(_) => rejected += 1,
				}
				match blocks.last_mut() {
					Some((number, _, count)) if *number == block => *count += 1,
					_ => blocks.push((block, now, 1)),
				}
			}
			// Followed in best blocks; those at or below the finalized head are final.
			let head = client.finalized_number().await?;
			let finalized: u64 =
				blocks.iter().filter(|b| b.0 <= head).map(|b| u64::from(b.2)).sum();
			let decided = approved.len() as u64 + u64::from(rejected);
			progress.set(&[asked, decided, finalized]);
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
		let decided = approved.len() as u32 + rejected;
		let per_block = blocks.iter().map(|(_, _, n)| *n).max().unwrap_or(0);
		let mut summary = Summary::new("load decisions");
		summary.row(
			"decisions",
			format!(
				"{decided} ({} approved, {rejected} rejected) in {} blocks, at most {per_block} per block",
				approved.len(),
				blocks.len()
			),
		);
		if let (Some(first), Some(last)) = (blocks.first(), blocks.last()) {
			let window = last.1.duration_since(first.1).as_secs_f64();
			if window > 0.0 {
				// The first block's decisions arrived at its import; count the rest over the window.
				let rate = (decided - first.2) as f64 / window;
				let value = format!("{rate:.0} decisions/s (over {window:.1} s of blocks)");
				summary.row("decision rate", value);
			} else {
				summary.row("decision rate", format!("all {decided} decided in one block"));
			}
		}
		summary.row(
			"throughput",
			format!(
				"{:.1} decisions/s from the first submission to the last decision",
				decided as f64 / submitted.elapsed().as_secs_f64()
			),
		);

		// 3. Signed vault reads, once the approvals are final (the vault reads the finalized
		// ledger).
		let reads: Vec<u64> = approved.iter().take(self.reads as usize).copied().collect();
		progress.phase(&format!(
			"load: {} signed vault reads once the approvals are final",
			reads.len()
		));
		let timed = async {
			if let Some(last) = reads.last() {
				wait_until("the approvals' finality", give_up, || async {
					let finalized = client.finalized_hash().await?;
					Ok(matches!(client.grant(*last, Some(finalized)).await?, GrantJson::Granted(_)))
				})
				.await?;
			}
			let mut latencies = Vec::new();
			for request in &reads {
				let (issued_at, signature) = client.sign_vault_read(&alice, *request).await?;
				let sent = Instant::now();
				let served = client.vault_get(*request, issued_at, &signature).await?;
				latencies.push(sent.elapsed().as_secs_f64() * 1_000.0);
				if served.commitment != put.commitment {
					return Err(format!("vault_get served another record for request {request}"));
				}
				progress.tick();
			}
			Ok::<_, String>(latencies)
		}
		.await;
		progress.finish();
		// The table is printed on failure too, with the figures of step 2.
		let mut latencies = match timed {
			Ok(latencies) => latencies,
			Err(e) => {
				summary.print();
				return Err(e);
			},
		};
		latencies.sort_by(|a, b| a.total_cmp(b));
		summary.row(
			"vault_get latency",
			format!(
				"median {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} reads)",
				percentile(&latencies, 0.5),
				percentile(&latencies, 0.99),
				latencies.last().copied().unwrap_or(f64::NAN),
				latencies.len()
			),
		);
		summary.row("machine", machine());
		summary.print();
		Ok(())
	}
}
