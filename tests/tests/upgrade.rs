//! A runtime upgrade of one bridged network with requests in flight (issue 14): beta's runtime is
//! replaced by this runtime one `spec_version` later (`System::set_code` through sudo) while
//! requests go both ways. The relayer goes on without a restart, signing for the new version, and
//! every request is settled on its origin and received once on its destination.

use pallet_event_router::MessageId;
use plexus_runtime::VERSION;
use plexus_testkit::{deployment::*, fixtures::*, upgrade::next_runtime, Client};
use serde_json::Value;
use std::time::Duration;

async fn spec_version(client: &Client) -> u32 {
	client.runtime_version(None).await.unwrap().spec_version
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrading_betas_runtime_with_requests_in_flight_loses_none() {
	// Built first: compiling while the networks run would starve them.
	let code = next_runtime().expect("the next runtime builds");

	let (mut launch, base) = launch_default("upgrade");
	let report: Value =
		wait_for("launch.json", Duration::from_secs(600), || read_report(&base)).await;
	launch.extra_pids = node_pids(&report);
	let relayer = report["bridges"][0]["relayer_pid"].as_u64().unwrap() as u32;
	launch.extra_pids.push(relayer);
	let alpha = connect(&rpc_of(&report, "alpha", Some("producer"))).await;
	let beta = connect(&rpc_of(&report, "beta", Some("producer"))).await;
	let (alpha_genesis, beta_genesis) = (alpha.genesis(), beta.genesis());
	assert_eq!(spec_version(&beta).await, VERSION.spec_version);

	// (request, sent from alpha); each way has its own sequence.
	let mut sent: Vec<(MessageId, bool)> = Vec::new();
	let (mut to_beta, mut to_alpha) = (0, 0);
	for _ in 0..2 {
		sent.push((send(&alpha, beta_genesis, to_beta).await, true));
		sent.push((send(&beta, alpha_genesis, to_alpha).await, false));
		(to_beta, to_alpha) = (to_beta + 1, to_alpha + 1);
	}

	// The upgrade, as an operator makes it: `plexus-node upgrade`, which returns once beta's
	// finalized block runs the new runtime. Requests go both ways meanwhile.
	let wasm = base.with_extension("next.wasm");
	std::fs::write(&wasm, &code).unwrap();
	sent.push((send(&beta, alpha_genesis, to_alpha).await, false));
	to_alpha += 1;
	let upgrade = std::process::Command::new(node_binary())
		.args(["upgrade", "beta"])
		.arg(&wasm)
		.arg("--base-path")
		.arg(&base)
		.stdout(std::process::Stdio::piped())
		.stderr(std::process::Stdio::piped())
		.spawn()
		.expect("plexus-node runs");
	// Requests towards beta while it upgrades (beta's own wait: the upgrade signs as Alice
	// there, and two signers of one account would race for a nonce).
	for _ in 0..2 {
		sent.push((send(&alpha, beta_genesis, to_beta).await, true));
		to_beta += 1;
	}
	let out =
		tokio::task::spawn_blocking(move || upgrade.wait_with_output()).await.unwrap().unwrap();
	let said = String::from_utf8_lossy(&out.stdout).to_string();
	assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
	let next = VERSION.spec_version + 1;
	assert!(said.contains(&format!("finalized, running spec_version {next}")), "{said}");
	assert_eq!(spec_version(&beta).await, next);
	// The same file again is refused before anything is submitted.
	let again = std::process::Command::new(node_binary())
		.args(["upgrade", "beta"])
		.arg(&wasm)
		.arg("--base-path")
		.arg(&base)
		.output()
		.unwrap();
	assert!(!again.status.success());
	assert!(String::from_utf8_lossy(&again.stderr).contains("is not above"));
	let version = beta.runtime_version(None).await.unwrap();
	assert_eq!(version.transaction_version, VERSION.transaction_version);
	// Transactions signed for the new version are taken on beta.
	for _ in 0..2 {
		sent.push((send(&alpha, beta_genesis, to_beta).await, true));
		sent.push((send(&beta, alpha_genesis, to_alpha).await, false));
		(to_beta, to_alpha) = (to_beta + 1, to_alpha + 1);
	}

	for (id, from_alpha) in &sent {
		let (origin, destination) = if *from_alpha { (&alpha, &beta) } else { (&beta, &alpha) };
		settled_once(origin, destination, *id).await;
	}
	// The relayer went on: same process, and it said why.
	assert!(alive(relayer), "the relayer was not restarted");
	let log = std::fs::read_to_string(base.join("relay-alpha-beta.log")).unwrap();
	let said = format!(
		"runtime upgraded from spec_version {} to {}",
		VERSION.spec_version,
		VERSION.spec_version + 1
	);
	assert!(log.contains(&said), "the relayer's log does not say {said:?}");

	let exit = launch.terminate(Duration::from_secs(30)).expect("launch exits on SIGTERM");
	assert!(exit.success(), "launch exited with {exit:?}");
}
