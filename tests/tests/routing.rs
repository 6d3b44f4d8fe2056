//! Routing over several bridges, end to end: three networks in a line (A–B–C), so A reaches C
//! only through B; and a request whose timeout passes while its relayer is paused is answered
//! `TimedOut` by its destination, never executed there, and refunded on its origin.

use pallet_event_router::{MessageStatus, Outcome};
use plexus_testkit::{deployment::*, fixtures::*};
use serde_json::Value;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_cross_two_bridges_and_late_ones_are_refunded() {
	let (mut launch, base) = launch("routing", Some(LINE_TOPOLOGY));
	let report: Value =
		wait_for("launch.json", Duration::from_secs(600), || read_report(&base)).await;
	launch.extra_pids = node_pids(&report);
	let bridges = report["bridges"].as_array().unwrap().clone();
	assert_eq!(bridges.len(), 2);
	// a–b and b–c meet at b: they must use different peer slots.
	assert_ne!(bridges[0]["slot"], bridges[1]["slot"]);
	let relayers: Vec<u32> =
		bridges.iter().map(|b| b["relayer_pid"].as_u64().unwrap() as u32).collect();
	launch.extra_pids.extend(&relayers);

	let a = connect(&rpc_of(&report, "a", None)).await;
	let b = connect(&rpc_of(&report, "b", None)).await;
	let c = connect(&rpc_of(&report, "c", None)).await;
	let (b_genesis, c_genesis) = (b.genesis(), c.genesis());

	// a -> c travels through b, and its answer comes back the same way.
	let far = send(&a, c_genesis, 0).await;
	let digest = wait_for("a's request to c to be settled", Duration::from_secs(300), || async {
		settled_ok(&status(&a, far).await)
	})
	.await;
	assert_eq!(
		status(&c, far).await,
		MessageStatus::Received { outcome: Outcome::Ok(digest), ack_queued: true }
	);
	assert!(
		!matches!(status(&b, far).await, MessageStatus::Received { .. }),
		"b forwards, it does not execute"
	);

	// Pause the a–b relayer, let a request's deadline pass, resume it.
	let a_b = bridges.iter().position(|br| br["between"] == serde_json::json!(["a", "b"])).unwrap();
	unsafe { libc::kill(relayers[a_b] as i32, libc::SIGSTOP) };
	let late = send_within(&a, b_genesis, 1, 6_000).await;
	tokio::time::sleep(Duration::from_secs(15)).await;
	assert!(matches!(status(&a, late).await, MessageStatus::AwaitingAck { .. }));
	assert_eq!(status(&b, late).await, MessageStatus::Unknown, "nothing moved while paused");
	unsafe { libc::kill(relayers[a_b] as i32, libc::SIGCONT) };
	wait_for("the late request to be settled", Duration::from_secs(300), || async {
		(status(&a, late).await == MessageStatus::Settled(Outcome::TimedOut)).then_some(())
	})
	.await;
	assert_eq!(
		status(&b, late).await,
		MessageStatus::Received { outcome: Outcome::TimedOut, ack_queued: true },
		"b refused to execute it"
	);

	let exit = launch.terminate(Duration::from_secs(30)).expect("launch exits on SIGTERM");
	assert!(exit.success(), "launch exited with {exit:?}");
}
