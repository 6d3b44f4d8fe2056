//! Chaos on the default topology (issue 14): while a mixed load runs (transfers, routed requests
//! both ways, resource-manager transactions, access decisions on personal data), nodes of either network and the relayer are killed
//! with SIGKILL at random, and beta is cut in two (beta-producer-1 against the rest) and healed.
//! Afterwards every invariant is checked:
//! - both networks finalize again;
//! - every finalized block recorded during the run is still canonical;
//! - every routed request is settled on its origin and received once on its destination;
//! - every resource-manager transaction is committed on alpha exactly when beta applied it, and
//!   aborted otherwise; no hold is left;
//! - every access request on beta is decided once, as the policy says (Dave's approved, Eve's
//!   rejected);
//! - on both networks the accounts' balances add up to the total issuance.
//!
//! The README's test command runs 20 kills and one partition. `scripts/chaos.sh` runs a longer
//! one (`PLEXUS_CHAOS_KILLS`, `PLEXUS_CHAOS_PARTITIONS`, `PLEXUS_CHAOS_SEED` to replay).

use pallet_event_router::{MessageId, MessageStatus};
use plexus_primitives::{
	envelope::Timeout,
	transaction::{Action, Hold, ReceiptStatus, TxId, TxState, TxStatus},
};
use plexus_runtime::{Balance, Hash, RuntimeCall, UNIT};
use plexus_testkit::{
	client::{node_rpc::RequestStateJson, now_ms},
	deployment::*,
	fixtures::*,
	partition::Partition,
	Client,
};
use serde_json::Value;
use std::{
	collections::BTreeMap,
	path::Path,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

fn setting(name: &str, default: u64) -> u64 {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A small deterministic generator, so that a run can be replayed from its printed seed.
struct Rng(u64);
impl Rng {
	fn below(&mut self, n: usize) -> usize {
		self.0 ^= self.0 << 13;
		self.0 ^= self.0 >> 7;
		self.0 ^= self.0 << 17;
		(self.0 % n as u64) as usize
	}
}

/// Every live node's RPC of `network`, as launch.json lists them now.
async fn rpcs(base: &Path, network: &str) -> Vec<String> {
	let Some(report) = read_report(base).await else { return vec![] };
	let nodes = report["nodes"].as_array().cloned().unwrap_or_default();
	nodes
		.iter()
		.filter(|n| n["network"] == network)
		.filter_map(|n| n["rpc"].as_str().map(|r| r.replace("ws://", "http://")))
		.collect()
}

/// A client of some node of `network` that answers now.
async fn any_node(base: &Path, network: &str) -> Option<Client> {
	for url in rpcs(base, network).await {
		if let Some(client) = try_connect(&url).await {
			if client.best_number().await.is_ok() {
				return Some(client);
			}
		}
	}
	None
}

fn p2p_port(node: &Value) -> u16 {
	let address = node["p2p"].as_str().unwrap();
	address.split('/').nth(4).unwrap().parse().unwrap()
}

/// What the load did, counted as it went.
#[derive(Default)]
struct Load {
	transfers: AtomicU64,
	requests: AtomicU64,
	transactions: AtomicU64,
	access_requests: AtomicU64,
	refused: AtomicU64,
}

fn tag(name: &str) -> pallet_data_protection::Tag {
	name.as_bytes().to_vec().try_into().unwrap()
}

/// On beta, as in tests/tests/data_protection.rs: Bob's policy approves billing for his clerks
/// with consent; Dave is a clerk; Charlie consents to billing; Charlie's record 0 is in the vault
/// of `beta`'s node. Waits until it is registered.
async fn personal_data(beta: &Client) {
	use pallet_data_protection::{Approver, Call, Category, LegalBasis, Rule};
	let (bob, charlie) = (account("//Bob"), account("//Charlie"));
	let rule = Rule {
		purpose: tag("billing"),
		basis: LegalBasis::Consent,
		role: Some(tag("clerk")),
		approver: Approver::Policy,
	};
	let calls = [
		(
			"//Bob",
			Call::create_policy {
				rules: vec![rule].try_into().unwrap(),
				approval_ttl_ms: 3_600_000,
			},
		),
		("//Bob", Call::set_role { account: account("//Dave"), role: tag("clerk"), granted: true }),
		(
			"//Charlie",
			Call::grant_consent {
				controller: bob.clone(),
				purpose: tag("billing"),
				expires_at: None,
			},
		),
	];
	for (signer, call) in calls {
		let call = RuntimeCall::DataProtection(call);
		beta.submit(call, &dev_pair(signer)).await.expect("the pool takes it");
	}
	let put =
		beta.vault_put(&dev_pair("//Bob"), &charlie, b"Charlie's bank details").await.unwrap();
	let custody: [u8; 64] = put.custody.0.clone().try_into().unwrap();
	let holders = vec![(put.holder.clone(), sp_core::sr25519::Signature::from_raw(custody).into())];
	let register = RuntimeCall::DataProtection(Call::register {
		subject: charlie,
		category: Category::Financial,
		commitment: put.commitment.0,
		holders: holders.try_into().unwrap(),
		retain_until: now_ms() + 86_400_000,
		policy: 0,
	});
	beta.submit(register, &dev_pair("//Bob")).await.expect("the pool takes it");
	wait_for("Charlie's record", Duration::from_secs(120), || async {
		beta.record(0, None).await.ok()?.map(|_| ())
	})
	.await;
}

/// Submits, round after round until `stop`: a transfer on each network, a routed request each
/// way, and a resource-manager transaction from alpha to beta that writes a record and pays its
/// hold to Bob. A submission refused (its node killed, its pool full) is counted and not retried:
/// what counts below is what the chains accepted.
async fn run_load(base: &Path, geneses: [Hash; 2], load: &Load, stop: &AtomicBool) {
	let bob = account("//Bob");
	let mut round = 0u64;
	while !stop.load(Ordering::Relaxed) {
		for (i, network) in ["alpha", "beta"].into_iter().enumerate() {
			let Some(client) = any_node(base, network).await else { continue };
			let alice = dev_pair("//Alice");
			let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: bob.clone().into(),
				value: UNIT / 100,
			});
			let request = remark_request(
				geneses[1 - i].0,
				format!("chaos {round}").as_bytes(),
				Timeout { height: None, timestamp: Some(now_ms() + 900_000) },
			);
			let mut calls = vec![(transfer, &load.transfers), (request, &load.requests)];
			if i == 1 {
				// Dave asks for billing (approved); Eve for research (no rule: rejected).
				for (who, purpose) in [("//Dave", "billing"), ("//Eve", "research")] {
					let ask =
						RuntimeCall::DataProtection(pallet_data_protection::Call::request_access {
							record: 0,
							purpose: tag(purpose),
						});
					match client.submit(ask, &dev_pair(who)).await {
						Ok(_) => load.access_requests.fetch_add(1, Ordering::Relaxed),
						Err(_) => load.refused.fetch_add(1, Ordering::Relaxed),
					};
				}
			}
			if i == 0 {
				let prepare =
					RuntimeCall::ResourceManager(pallet_resource_manager::Call::prepare {
						target: geneses[1].0,
						action: Action::Record {
							key: round.to_le_bytes().to_vec(),
							value: b"chaos".to_vec(),
						},
						deadline: Timeout { height: None, timestamp: Some(now_ms() + 900_000) },
						hold: Some(Hold { amount: UNIT, beneficiary: bob.clone() }),
					});
				calls.push((prepare, &load.transactions));
			}
			let mut nonce = match client.next_nonce(&account("//Alice")).await {
				Ok(n) => n,
				Err(_) => continue,
			};
			for (call, counter) in calls {
				match client.submit_with_nonce(call, &alice, nonce).await {
					Ok(_) => {
						counter.fetch_add(1, Ordering::Relaxed);
						nonce += 1;
					},
					Err(_) => {
						load.refused.fetch_add(1, Ordering::Relaxed);
						break;
					},
				}
			}
		}
		round += 1;
		tokio::time::sleep(Duration::from_millis(1500)).await;
	}
}

/// Records each network's finalized head every 2 s until `stop`.
async fn record_finalized(
	base: &Path,
	seen: &Mutex<Vec<(&'static str, u32, Hash)>>,
	stop: &AtomicBool,
) {
	while !stop.load(Ordering::Relaxed) {
		for network in ["alpha", "beta"] {
			let Some(client) = any_node(base, network).await else { continue };
			if let Ok(header) = client.finalized_head().await {
				seen.lock().unwrap().push((network, header.number, header.hash()));
			}
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
}

/// The pid of the child named `name` in launch.json now (a node or a relayer).
async fn pid_of(base: &Path, name: &str) -> Option<u32> {
	let report = read_report(base).await?;
	let node = report["nodes"].as_array()?.iter().find(|n| n["name"] == name);
	let pid = match node {
		Some(n) => n["pid"].as_u64()?,
		None => report["bridges"][0]["relayer_pid"].as_u64()?,
	};
	(pid != 0).then_some(pid as u32)
}

/// Sums of every account's free and reserved balance, and the total issuance, at `at`.
async fn balances_and_issuance(client: &Client, at: Hash) -> (Balance, Balance) {
	use plexus_testkit::client::rpc_params;
	use sp_io::hashing::twox_128;
	let prefix = [twox_128(b"System"), twox_128(b"Account")].concat();
	let keys: Vec<String> = client
		.call(
			"state_getKeysPaged",
			rpc_params![plexus_testkit::client::hex0x(prefix), 1000, None::<String>, at],
		)
		.await
		.unwrap();
	assert!(keys.len() < 1000, "more accounts than one page");
	let mut sum = 0;
	for key in keys {
		let key = plexus_testkit::client::from_hex(&key).unwrap();
		let info: frame_system::AccountInfo<u32, pallet_balances::AccountData<Balance>> =
			client.storage_at(key, Some(at)).await.unwrap().unwrap();
		sum += info.data.free + info.data.reserved;
	}
	let key = [twox_128(b"Balances"), twox_128(b"TotalIssuance")].concat();
	let issuance: Balance = client.storage_at(key, Some(at)).await.unwrap().unwrap();
	(sum, issuance)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kills_and_a_partition_lose_nothing() {
	let kills = setting("PLEXUS_CHAOS_KILLS", 20);
	let partitions = setting("PLEXUS_CHAOS_PARTITIONS", 1);
	let seed = setting("PLEXUS_CHAOS_SEED", now_ms() | 1);
	println!("chaos: seed {seed}, {kills} kills, {partitions} partitions");
	let mut rng = Rng(seed);

	let (mut launch, base) = launch_default("chaos");
	let report: Value =
		wait_for("launch.json", Duration::from_secs(600), || read_report(&base)).await;
	launch.extra_pids = node_pids(&report);
	let nodes: Vec<Value> = report["nodes"].as_array().unwrap().clone();
	let mut victims: Vec<String> =
		nodes.iter().map(|n| n["name"].as_str().unwrap().to_string()).collect();
	victims.push("relay-alpha-beta".into());
	let alpha = connect(&rpc_of(&report, "alpha", Some("producer"))).await;
	let beta = connect(&rpc_of(&report, "beta", Some("producer"))).await;
	let geneses = [alpha.genesis(), beta.genesis()];
	personal_data(&beta).await;

	let stop = Arc::new(AtomicBool::new(false));
	let load = Arc::new(Load::default());
	let seen = Arc::new(Mutex::new(Vec::new()));
	let loader = tokio::spawn({
		let (base, load, stop) = (base.clone(), load.clone(), stop.clone());
		async move { run_load(&base, geneses, &load, &stop).await }
	});
	let recorder = tokio::spawn({
		let (base, seen, stop) = (base.clone(), seen.clone(), stop.clone());
		async move { record_finalized(&base, &seen, &stop).await }
	});

	// Kills, spaced so that no child dies more than launch's restart budget allows (5 in 2 min),
	// with the partitions spread among them.
	let started = Instant::now();
	let mut killed: BTreeMap<String, Vec<Instant>> = BTreeMap::new();
	let partition_at: Vec<u64> = (1..=partitions).map(|p| p * kills / (partitions + 1)).collect();
	let mut cuts = 0;
	for k in 0..kills {
		tokio::time::sleep(Duration::from_secs(6)).await;
		if partition_at.contains(&k) {
			let report = read_report(&base).await.unwrap();
			let beta_nodes: Vec<&Value> = report["nodes"]
				.as_array()
				.unwrap()
				.iter()
				.filter(|n| n["network"] == "beta")
				.collect();
			let ports: Vec<u16> = beta_nodes.iter().map(|n| p2p_port(n)).collect();
			let pid = |n: &&Value| n["pid"].as_u64().unwrap() as u32;
			let (a, b): (Vec<&Value>, Vec<&Value>) =
				beta_nodes.iter().partition(|n| n["name"] == "beta-producer-1");
			let (a, b): (Vec<u32>, Vec<u32>) =
				(a.iter().map(pid).collect(), b.iter().map(pid).collect());
			let (cut, closed) = Partition::cut(&ports, &a, &b).expect("the partition is made");
			println!(
				"chaos: [{:>4} s] beta cut in two ({closed} connections closed)",
				started.elapsed().as_secs()
			);
			// The cut is real: beta-producer-1 is left without peers.
			let alone = beta_nodes.iter().find(|n| n["name"] == "beta-producer-1").unwrap();
			let url = alone["rpc"].as_str().unwrap().replace("ws://", "http://");
			tokio::time::sleep(Duration::from_secs(10)).await;
			if let Some(client) = try_connect(&url).await {
				let peers = client.health().await.map(|h| h.peers).unwrap_or(0);
				assert_eq!(peers, 0, "beta-producer-1 still has peers across the cut");
			}
			tokio::time::sleep(Duration::from_secs(20)).await;
			cut.heal().expect("healed");
			cuts += 1;
			println!("chaos: [{:>4} s] beta healed", started.elapsed().as_secs());
		}
		let now = Instant::now();
		let victim = loop {
			let candidate = &victims[rng.below(victims.len())];
			let recent = killed.get(candidate).map_or(0, |at| {
				at.iter().filter(|t| now.duration_since(**t) < Duration::from_secs(120)).count()
			});
			if recent < 3 {
				break candidate.clone();
			}
		};
		let Some(pid) = pid_of(&base, &victim).await else { continue };
		unsafe { libc::kill(pid as i32, libc::SIGKILL) };
		killed.entry(victim.clone()).or_default().push(now);
		println!("chaos: [{:>4} s] kill -9 {victim} (pid {pid})", started.elapsed().as_secs());
	}
	let chaos_time = started.elapsed();
	stop.store(true, Ordering::Relaxed);
	loader.await.unwrap();
	recorder.await.unwrap();
	let report = read_report(&base).await.unwrap();
	launch.extra_pids = node_pids(&report);
	launch.extra_pids.push(report["bridges"][0]["relayer_pid"].as_u64().unwrap() as u32);

	// 1. Both networks finalize again.
	let seen = seen.lock().unwrap().clone();
	for (network, client) in [("alpha", &alpha), ("beta", &beta)] {
		let highest = seen.iter().filter(|s| s.0 == network).map(|s| s.1).max().unwrap_or(0);
		wait_for("the network to finalize again", Duration::from_secs(300), || async {
			(client.finalized_number().await.ok()? > highest + 2).then_some(())
		})
		.await;
	}
	println!("chaos: ok: both networks finalize again");

	// 2. Every finalized block recorded is still canonical.
	for (network, number, hash) in &seen {
		let client = if *network == "alpha" { &alpha } else { &beta };
		assert_eq!(client.block_hash(*number).await.unwrap(), *hash, "{network} #{number}");
	}
	println!("chaos: ok: {} finalized heads recorded, all still canonical", seen.len());

	// 3. Every routed request settles on its origin, once received on its destination.
	let mut requests = [0u64; 2];
	for (i, (origin, destination)) in [(&alpha, &beta), (&beta, &alpha)].into_iter().enumerate() {
		let mut sequence = 0;
		loop {
			let id = MessageId { origin: geneses[i].0, sequence };
			if status(origin, id).await == MessageStatus::Unknown {
				break;
			}
			wait_for("every request to be settled", Duration::from_secs(300), || async {
				matches!(status(origin, id).await, MessageStatus::Settled(_)).then_some(())
			})
			.await;
			assert!(
				matches!(status(destination, id).await, MessageStatus::Received { .. }),
				"request {sequence} of {} was settled without being received",
				i
			);
			sequence += 1;
		}
		requests[i] = sequence;
	}
	println!(
		"chaos: ok: {} routed messages alpha -> beta (requests and transaction commits) and {} \
		 beta -> alpha, each settled once",
		requests[0], requests[1]
	);

	// 4. Every transaction committed on alpha exactly when beta applied it; no hold left.
	let (mut committed, mut aborted, mut sequence) = (0, 0, 0);
	loop {
		let tx = TxId { coordinator: geneses[0].0, sequence };
		let state =
			wait_for("every transaction to be decided", Duration::from_secs(300), || async {
				match alpha.transaction(tx, None).await.ok()? {
					TxStatus::Unknown => Some(None),
					TxStatus::Coordinated { state: TxState::Prepared, .. } => None,
					TxStatus::Coordinated { state, .. } => Some(Some(state)),
					TxStatus::Decided(_) => panic!("alpha coordinates"),
				}
			})
			.await;
		let Some(state) = state else { break };
		let applied = matches!(
			beta.transaction(tx, None).await.unwrap(),
			TxStatus::Decided(receipt) if receipt.status == ReceiptStatus::Applied
		);
		match state {
			TxState::Committed { .. } => {
				assert!(applied, "transaction {sequence} committed on alpha, not applied on beta");
				committed += 1;
			},
			_ => {
				assert!(!applied, "transaction {sequence} aborted on alpha, applied on beta");
				aborted += 1;
			},
		}
		sequence += 1;
	}
	let at = alpha.finalized_hash().await.unwrap();
	wait_for("the holds to be released", Duration::from_secs(120), || async {
		let at = alpha.best_hash().await.ok()?;
		(transaction_hold(&alpha, &account("//Alice"), at).await == 0).then_some(())
	})
	.await;
	println!("chaos: ok: {committed} transactions committed on both ends, {aborted} aborted on both; no hold left");

	// 5. Every access request on beta was decided once, as the policy says.
	let beta_at = beta.finalized_hash().await.unwrap();
	let (mut approved, mut rejected, mut from) = (0, 0, Some(0));
	let mut requests_seen = Vec::new();
	while let Some(start) = from {
		let page = beta.audit(0, start, Some(beta_at)).await.unwrap();
		for entry in page.entries {
			requests_seen.push(entry.request);
			match entry.state {
				RequestStateJson::Approved { .. } if entry.requester == account("//Dave") => {
					approved += 1
				},
				RequestStateJson::Rejected { .. } if entry.requester == account("//Eve") => {
					rejected += 1
				},
				state => panic!("request {} of {}: {state:?}", entry.request, entry.requester),
			}
		}
		from = page.next;
	}
	let expected: Vec<u64> = (0..requests_seen.len() as u64).collect();
	assert_eq!(requests_seen, expected, "each request audited once, none missing");
	println!("chaos: ok: {approved} access requests approved (Dave), {rejected} rejected (Eve), each once");

	// 6. Balances add up to the total issuance on both networks.
	for (network, client) in [("alpha", &alpha), ("beta", &beta)] {
		let at = if network == "alpha" { at } else { client.finalized_hash().await.unwrap() };
		let (sum, issuance) = balances_and_issuance(client, at).await;
		assert_eq!(sum, issuance, "{network}: accounts hold {sum}, issuance is {issuance}");
	}
	println!("chaos: ok: on both networks the accounts' balances add up to the total issuance");

	println!(
		"chaos: {kills} kills ({}), {cuts} partitions in {:.0} s; load: {} transfers, {} requests, \
		 {} transactions, {} access requests accepted, {} submissions refused",
		killed.iter().map(|(n, t)| format!("{n} ×{}", t.len())).collect::<Vec<_>>().join(", "),
		chaos_time.as_secs_f64(),
		load.transfers.load(Ordering::Relaxed),
		load.requests.load(Ordering::Relaxed),
		load.transactions.load(Ordering::Relaxed),
		load.access_requests.load(Ordering::Relaxed),
		load.refused.load(Ordering::Relaxed),
	);
	assert!(requests.iter().all(|r| *r > 0) && committed > 0 && approved > 0, "the load ran");

	let exit = launch.terminate(Duration::from_secs(60)).expect("launch exits on SIGTERM");
	assert!(exit.success(), "launch exited with {exit:?}");
}
