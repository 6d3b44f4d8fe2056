//! The bridge of the default topology end to end: `launch` initialises it and starts its
//! relayer; a request routed from alpha reaches beta and its acknowledgement settles it on alpha,
//! exactly once, even when the relayer is killed mid-flight.

use pallet_event_router::{MessageId, MessageStatus, Outcome};
use plexus_testkit::{client::rpc_params, deployment::*, fixtures::*};
use serde_json::Value;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_routed_request_crosses_the_bridge_and_is_settled_exactly_once() {
	let (mut launch, base) = launch_default("bridge");
	let report: Value =
		wait_for("launch.json", Duration::from_secs(600), || read_report(&base)).await;
	launch.extra_pids = node_pids(&report);
	let bridges = report["bridges"].as_array().unwrap().clone();
	assert_eq!(bridges.len(), 1);
	assert_eq!(bridges[0]["between"], serde_json::json!(["alpha", "beta"]));
	assert_eq!(bridges[0]["slot"], 1);
	let relayer = bridges[0]["relayer_pid"].as_u64().unwrap() as u32;
	assert!(alive(relayer));
	launch.extra_pids.push(relayer);

	let alpha = connect(&rpc_of(&report, "alpha", Some("producer"))).await;
	let beta = connect(&rpc_of(&report, "beta", Some("producer"))).await;
	let beta_genesis = beta.genesis();

	// One request, carried and answered.
	let first = send(&alpha, beta_genesis, 0).await;
	assert!(matches!(
		status(&alpha, first).await,
		MessageStatus::AwaitingAck { .. } | MessageStatus::Unknown
	));
	let digest =
		wait_for("the first request to be settled on alpha", Duration::from_secs(240), || async {
			settled_ok(&status(&alpha, first).await)
		})
		.await;
	// beta ran it (its remark succeeded) and answered with the digest alpha settled on.
	assert_eq!(
		status(&beta, first).await,
		MessageStatus::Received { outcome: Outcome::Ok(digest), ack_queued: true }
	);
	// The node's RPC says the same.
	let origin = format!("0x{}", hex::encode(first.origin));
	let settled: Value =
		alpha.call("eventRouter_messageStatus", rpc_params![origin, first.sequence]).await.unwrap();
	let ok = serde_json::json!({ "ok": format!("0x{}", hex::encode(digest)) });
	assert_eq!(settled, serde_json::json!({ "status": "settled", "outcome": ok }));
	// And read through plexus-client, as the runtime's own type.
	assert_eq!(
		alpha.message_status(first, None).await.unwrap(),
		MessageStatus::Settled(Outcome::Ok(digest))
	);

	// Three more; the relayer is killed right after they are sent. launch restarts it, and the
	// new relayer resumes from what the chains say.
	let mut ids = Vec::new();
	for sequence in 1..=3 {
		ids.push(send(&alpha, beta_genesis, sequence).await);
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	unsafe { libc::kill(relayer as i32, libc::SIGKILL) };
	let restarted = wait_for("launch to restart the relayer", Duration::from_secs(60), || async {
		let report = read_report(&base).await?;
		let pid = report["bridges"][0]["relayer_pid"].as_u64()? as u32;
		(pid != relayer && pid != 0 && alive(pid)).then_some(pid)
	})
	.await;
	launch.extra_pids.push(restarted);
	for id in &ids {
		wait_for("every request to be settled on alpha", Duration::from_secs(240), || async {
			settled_ok(&status(&alpha, *id).await)
		})
		.await;
	}
	// Exactly four requests reached beta: the inbound lane counted each once.
	for id in std::iter::once(&first).chain(&ids) {
		assert!(matches!(status(&beta, *id).await, MessageStatus::Received { .. }));
	}
	assert_eq!(
		status(&beta, MessageId { origin: first.origin, sequence: 4 }).await,
		MessageStatus::Unknown
	);

	let exit = launch.terminate(Duration::from_secs(30)).expect("launch exits on SIGTERM");
	assert!(exit.success(), "launch exited with {exit:?}");
	assert!(!alive(restarted), "the relayer is stopped with the networks");
}
