//! The transaction pool under bursts: nothing accepted waits for a new submission
//! (docs/reliability.md, "The pool stall"; node/src/pool.rs).
//!
//! 1. One producer (`--dev`, `--pool-limit 2000`): 400 senders submit 25 transfers each at once,
//!    five times what the pool admits; refused submissions are retried, and every accepted one is
//!    in the chain within 10 blocks of the end of submission. Without the admission gate the pool
//!    evicts the oldest accepted transfers once it is full (226 of 10,000 lost at the default
//!    limit in one run here); the fork-aware pool lost 3 and 43 in two runs.
//! 2. Two producers (Alice and Bob on `local`) are cut apart just before a 5,000-transfer burst,
//!    half submitted to each, so that each builds a fork of its own holding its half; they are
//!    healed, one fork is retracted, and every transfer is still finalized within 10 blocks of the
//!    end of submission. The test checks that a fork holding transfers really was retracted.
//!
//! Both bursts go through `plexus-node load transfers --within-blocks 10`, which checks every
//! sender's nonce in the chain, so each load counts only its own transfers.

use plexus_testkit::client::rpc_params;
use plexus_testkit::{deployment::*, Client};
use std::{
	path::Path,
	process::Command,
	time::{Duration, Instant},
};

const LOAD_LIMIT: Duration = Duration::from_secs(420);

/// `plexus-node load transfers` against `rpc` with `extra` arguments, its output in
/// `<out>.stdout` and `<out>.stderr`.
fn load(rpc: &str, out: &Path, funder: &str, range: (u32, u32), per: u32, extra: &[&str]) -> Guard {
	let (first, accounts) = range;
	let mut command = Command::new(node_binary());
	command
		.args(["load", "transfers", "--rpc", rpc, "--funder", funder])
		.args(extra)
		.args(["--first-account", &first.to_string(), "--accounts", &accounts.to_string()])
		.args(["--per-account", &per.to_string(), "--within-blocks", "10", "--timeout", "300"])
		// Its output goes to files: the progress it chooses for them is checked, not a setting.
		.env_remove("PLEXUS_PROGRESS")
		.stdout(std::fs::File::create(out.with_extension("stdout")).unwrap())
		.stderr(std::fs::File::create(out.with_extension("stderr")).unwrap());
	Guard::spawn(command)
}

/// Waits (bounded) for a load to end; panics with its output unless it succeeded.
async fn finished(mut guard: Guard, out: &Path) {
	let deadline = Instant::now() + LOAD_LIMIT;
	let status = loop {
		if let Ok(Some(status)) = guard.child.as_mut().expect("running").try_wait() {
			break Some(status);
		}
		if Instant::now() > deadline {
			break None;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	};
	let output = |ext| std::fs::read_to_string(out.with_extension(ext)).unwrap_or_default();
	let (stdout, stderr) = (output("stdout"), output("stderr"));
	println!("{stdout}{stderr}");
	assert!(
		status.is_some_and(|s| s.success()),
		"the load failed or did not end in {LOAD_LIMIT:?}:\n{stdout}\n{stderr}"
	);
	assert_readable_in_a_log(&stdout, &stderr);
}

/// Output to a file is for a log (node/src/progress.rs): plain progress lines on stderr, without
/// the carriage returns and escapes that redraw a terminal's line, and the summary on stdout.
fn assert_readable_in_a_log(stdout: &str, stderr: &str) {
	assert!(!stderr.contains(['\r', '\x1b']), "terminal control in the load's log: {stderr:?}");
	assert!(
		stderr.lines().any(|line| line.starts_with("load transfers: [") && line.contains(" rate ")),
		"no progress line from the load:\n{stderr}"
	);
	assert!(stdout.contains("== load transfers: summary ==\n"), "no summary:\n{stdout}");
	assert!(
		stdout.lines().any(|line| line.starts_with("transfers finalized:")),
		"no finalized count in the summary:\n{stdout}"
	);
}

fn ws(url: &str) -> String {
	url.replace("http://", "ws://")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_on_one_producer_is_included_within_ten_blocks() {
	// The gate admits 2,000 at a time: the pool underneath must never evict what it let in.
	let (_node, base, url) = dev_node("pool-burst", &["--pool-limit", "2000"]).await;
	let out = base.join("load");
	finished(load(&ws(&url), &out, "//Alice", (0, 400), 25, &[]), &out).await;
}

/// A producer of `local` on loopback, its libp2p port fixed so that its peer can dial it, and
/// connected to no one until told (`--reserved-only`).
async fn producer(tag: &str, who: &str, p2p: u16) -> (Guard, std::path::PathBuf, Client, String) {
	let listen = format!("/ip4/127.0.0.1/tcp/{p2p}");
	let (guard, base, url) = spawn_node(
		tag,
		&[
			"--chain",
			"local",
			who,
			"--reserved-only",
			"--listen-addr",
			&listen,
			"--rpc-methods",
			"unsafe",
			"--unsafe-force-node-key-generation",
			// Cut apart, each must still build its fork.
			"--force-authoring",
			// litep2p (the default) keeps the connection of a removed reserved peer; libp2p drops
			// it, which is the partition this test needs.
			"--network-backend",
			"libp2p",
		],
	)
	.await;
	let client = connect(&url).await;
	(guard, base, client, ws(&url))
}

async fn peer_id(client: &Client) -> String {
	client.call("system_localPeerId", rpc_params![]).await.expect("system_localPeerId")
}

async fn link(from: &Client, to_peer: &str, to_port: u16) {
	let address = format!("/ip4/127.0.0.1/tcp/{to_port}/p2p/{to_peer}");
	let _: () =
		from.call("system_addReservedPeer", rpc_params![address]).await.expect("addReservedPeer");
}

async fn unlink(from: &Client, to_peer: &str) {
	let _: () = from
		.call("system_removeReservedPeer", rpc_params![to_peer])
		.await
		.expect("removeReservedPeer");
}

async fn peers(client: &Client) -> u64 {
	let health: serde_json::Value = client.call("system_health", rpc_params![]).await.unwrap();
	health["peers"].as_u64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_across_a_fork_is_finalized_within_ten_blocks() {
	let (port_a, port_b) = (free_port(), free_port());
	let (_a, base_a, alice, url_a) = producer("pool-fork-alice", "--alice", port_a).await;
	let (_b, base_b, bob, url_b) = producer("pool-fork-bob", "--bob", port_b).await;
	let (peer_a, peer_b) = (peer_id(&alice).await, peer_id(&bob).await);
	link(&alice, &peer_b, port_b).await;
	link(&bob, &peer_a, port_a).await;
	wait_for("the producers to finalize together", Duration::from_secs(120), || async {
		(alice.finalized_number().await.unwrap_or(0) >= 2).then_some(())
	})
	.await;

	// Fund the senders of both halves while the producers are joined (funding waits for
	// finality, which needs both), then cut them apart before anything is sent.
	let (out_a, out_b) = (base_a.join("load"), base_b.join("load"));
	let funding_a = load(&url_a, &out_a, "//Alice", (0, 100), 0, &[]);
	let funding_b = load(&url_b, &out_b, "//Bob", (100, 100), 0, &[]);
	finished(funding_a, &out_a).await;
	finished(funding_b, &out_b).await;
	unlink(&alice, &peer_b).await;
	unlink(&bob, &peer_a).await;
	wait_for("the producers to part", Duration::from_secs(60), || async {
		(peers(&alice).await == 0 && peers(&bob).await == 0).then_some(())
	})
	.await;
	let forked_at = alice.best_number().await.unwrap().max(bob.best_number().await.unwrap());

	// Half the burst to each producer, from distinct senders.
	let load_a = load(&url_a, &out_a, "//Alice", (0, 100), 25, &["--funded"]);
	let load_b = load(&url_b, &out_b, "//Bob", (100, 100), 25, &["--funded"]);
	wait_for("both loads to submit", Duration::from_secs(120), || async {
		[&out_a, &out_b]
			.iter()
			.all(|out| {
				std::fs::read_to_string(out.with_extension("stderr"))
					.is_ok_and(|text| text.contains("load: submitted"))
			})
			.then_some(())
	})
	.await;

	// Each builds its own fork with its half of the burst in it.
	wait_for("both forks to hold transfers", Duration::from_secs(120), || async {
		let mut ready = true;
		for side in [&alice, &bob] {
			let best = side.best_number().await.unwrap_or(0);
			ready &= best >= forked_at + 2 && transfers_above(side, forked_at).await > 0;
		}
		ready.then_some(())
	})
	.await;
	let (tip_a, tip_b) = (alice.best_hash().await.unwrap(), bob.best_hash().await.unwrap());
	assert_ne!(tip_a, tip_b, "the producers did not fork");

	link(&alice, &peer_b, port_b).await;
	link(&bob, &peer_a, port_a).await;
	finished(load_a, &out_a).await;
	finished(load_b, &out_b).await;

	// One of the two tips was retracted: a fork holding transfers was undone and its transfers
	// made it into the finalized chain all the same (the loads checked every sender's nonce).
	let finalized = alice.finalized_number().await.unwrap();
	let mut retracted = 0;
	for (side, tip) in [(&alice, tip_a), (&bob, tip_b)] {
		let header = side.header(tip).await.expect("a node keeps the blocks it built");
		assert!(header.number <= finalized, "the finalized chain passed the fork");
		if alice.block_hash(header.number).await.unwrap() != tip {
			retracted += 1;
		}
	}
	assert!(retracted >= 1, "neither fork was retracted; the test did not exercise a re-org");
}

/// Signed transactions in `client`'s best chain above block `above`.
async fn transfers_above(client: &Client, above: u32) -> usize {
	let mut hash = client.best_hash().await.unwrap();
	let mut total = 0;
	loop {
		let header = client.header(hash).await.unwrap();
		if header.number <= above {
			return total;
		}
		total += client.block(hash).await.unwrap().extrinsics.len().saturating_sub(1);
		hash = header.parent_hash;
	}
}
