//! Producers change while a bridge carries requests both ways (issue 14): beta's producers are
//! rotated twice with `plexus-node producer add` and `retire` on the default topology, each
//! change a new GRANDPA authority set. Every request is settled exactly once, and alpha's light
//! client of beta follows every set (its relayer proves each set-change header in order).

use bp_header_chain::AuthoritySet;
use pallet_event_router::{MessageId, MessageStatus};
use plexus_relay::slot::Slot;
use plexus_testkit::{deployment::*, fixtures::*, Client};
use serde_json::Value;
use sp_consensus_grandpa::AuthorityList;
use std::{path::Path, process::Command, time::Duration};

/// Runs `plexus-node producer <args>` against the launch at `base`; returns what it printed.
fn producer(base: &Path, args: &[&str]) -> String {
	let out = Command::new(node_binary())
		.arg("producer")
		.args(args)
		.args(["--base-path", base.to_str().unwrap(), "--timeout", "300"])
		.output()
		.expect("plexus-node runs");
	let text = String::from_utf8_lossy(&out.stdout).to_string();
	assert!(
		out.status.success(),
		"producer {args:?} failed: {text}{}",
		String::from_utf8_lossy(&out.stderr)
	);
	text
}

/// The finalized GRANDPA set of `network` and its id.
async fn finalized_set(network: &Client) -> (AuthorityList, u64) {
	let at = network.finalized_hash().await.unwrap();
	let set = network.runtime_call("GrandpaApi_grandpa_authorities", &[], Some(at)).await.unwrap();
	(set, network.grandpa_set_id(Some(at)).await.unwrap())
}

/// Waits until `peer`'s light client (slot 1) holds `network`'s finalized set.
async fn light_client_follows(peer: &Client, network: &Client) -> u64 {
	wait_for("the light client to hold the new set", Duration::from_secs(180), || async {
		let (set, id) = finalized_set(network).await;
		let held: AuthoritySet = peer.storage(&Slot(1).authority_set_key(), None).await.ok()??;
		(held.set_id == id && held.authorities == set).then_some(id)
	})
	.await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_betas_producers_twice_loses_no_request() {
	let (mut launch, base) = launch_default("producers");
	let report: Value =
		wait_for("launch.json", Duration::from_secs(600), || read_report(&base)).await;
	launch.extra_pids = node_pids(&report);
	launch.extra_pids.push(report["bridges"][0]["relayer_pid"].as_u64().unwrap() as u32);
	let alpha = connect(&rpc_of(&report, "alpha", Some("producer"))).await;
	let beta = connect(&rpc_of(&report, "beta", Some("producer"))).await;
	let (alpha_genesis, beta_genesis) = (alpha.genesis(), beta.genesis());
	assert_eq!(finalized_set(&beta).await.1, 0);

	// (request, sent from alpha); each way has its own sequence, one request a round.
	let mut sent: Vec<(MessageId, bool)> = Vec::new();
	let mut rounds = 0;
	let send_both = async |round: u64, sent: &mut Vec<(MessageId, bool)>| {
		sent.push((send(&alpha, beta_genesis, round).await, true));
		sent.push((send(&beta, alpha_genesis, round).await, false));
	};
	send_both(rounds, &mut sent).await;
	rounds += 1;

	let mut set_ids = vec![0];
	let steps: [&[&str]; 4] = [
		&["add", "beta"],
		&["retire", "beta", "beta-producer-2"],
		&["add", "beta"],
		&["retire", "beta", "beta-producer-3"],
	];
	for step in steps {
		// Requests in flight while the set changes.
		send_both(rounds, &mut sent).await;
		rounds += 1;
		let said = producer(&base, step);
		assert!(said.contains("GRANDPA's authority set"), "{said}");
		let report = read_report(&base).await.unwrap();
		launch.extra_pids = node_pids(&report);
		launch.extra_pids.push(report["bridges"][0]["relayer_pid"].as_u64().unwrap() as u32);
		set_ids.push(light_client_follows(&alpha, &beta).await);
	}
	// Each step was one new set, and the light client went through every one of them.
	assert_eq!(set_ids, vec![0, 1, 2, 3, 4]);
	let names: Vec<String> = read_report(&base).await.unwrap()["nodes"]
		.as_array()
		.unwrap()
		.iter()
		.filter(|n| n["network"] == "beta" && n["role"] == "producer")
		.map(|n| n["name"].as_str().unwrap().to_string())
		.collect();
	assert_eq!(names, ["beta-producer-1", "beta-producer-4", "beta-producer-5"]);
	assert_eq!(finalized_set(&beta).await.0.len(), 3);
	// beta's light client of alpha, whose producers did not change, still follows alpha.
	assert_eq!(light_client_follows(&beta, &alpha).await, 0);

	// Every request settled on its origin, once executed on its destination.
	for (id, from_alpha) in &sent {
		let (origin, destination) = if *from_alpha { (&alpha, &beta) } else { (&beta, &alpha) };
		settled_once(origin, destination, *id).await;
	}
	// And nothing else reached either side: the next sequence on each is unknown there.
	let beyond_alpha = MessageId { origin: alpha_genesis.0, sequence: rounds };
	let beyond_beta = MessageId { origin: beta_genesis.0, sequence: rounds };
	assert_eq!(status(&beta, beyond_alpha).await, MessageStatus::Unknown);
	assert_eq!(status(&alpha, beyond_beta).await, MessageStatus::Unknown);

	let exit = launch.terminate(Duration::from_secs(30)).expect("launch exits on SIGTERM");
	assert!(exit.success(), "launch exited with {exit:?}");
}
