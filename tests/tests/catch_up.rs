//! A consumer that was stopped while its network went on catches up on its own database and
//! serves reads again (issue 14). The README's test command stops it for 20 blocks;
//! `scripts/catch-up.sh` runs the same test for 1,000 (`PLEXUS_CATCH_UP_BLOCKS`). It prints how
//! long catching up took.

use plexus_testkit::{client::rpc_params, deployment::*, Client};
use sp_keyring::Sr25519Keyring;
use std::time::{Duration, Instant};

/// How many blocks the consumer misses.
fn blocks_missed() -> u32 {
	std::env::var("PLEXUS_CATCH_UP_BLOCKS").ok().and_then(|v| v.parse().ok()).unwrap_or(20)
}

async fn best(url: &str) -> Option<u32> {
	try_connect(url).await?.best_number().await.ok()
}

/// Alice's account as `client` reads it at its best block: a read that needs that block's state.
async fn alice_nonce_at_best(client: &Client) -> Option<u32> {
	let alice = Sr25519Keyring::Alice.to_account_id();
	let at = client.best_hash().await.ok()?;
	let key = frame_system::Account::<plexus_runtime::Runtime>::hashed_key_for(&alice);
	let info: frame_system::AccountInfo<u32, pallet_balances::AccountData<u128>> =
		client.storage(&sp_core::storage::StorageKey(key), Some(at)).await.ok()??;
	Some(info.nonce)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_consumer_catches_up_and_serves_reads() {
	let missed = blocks_missed();
	let (mut producer, _, producer_url) = dev_node("catch-up-producer", &[]).await;
	let chain = connect(&producer_url).await;
	let peer: String = chain.call("system_localPeerId", rpc_params![]).await.unwrap();
	let addresses: Vec<String> =
		chain.call("system_localListenAddresses", rpc_params![]).await.unwrap();
	let bootnode = addresses.iter().find(|a| a.contains("127.0.0.1")).expect("loopback").clone();
	assert!(bootnode.ends_with(&peer), "{bootnode}");

	let consumer_base = temp_dir("catch-up-consumer");
	let consumer_args = ["--chain", "dev", "--state-pruning", "256", "--bootnodes", &bootnode];
	let (mut consumer, url) = spawn_node_at(&consumer_base, &consumer_args).await;
	wait_for("the consumer to follow", Duration::from_secs(120), || async {
		(best(&url).await? >= 3).then_some(())
	})
	.await;
	let geneses_made = || {
		let log = std::fs::read_to_string(consumer_base.with_extension("stderr")).unwrap();
		log.matches("Initializing Genesis block/state").count()
	};
	assert_eq!(geneses_made(), 1);
	consumer.terminate(Duration::from_secs(30)).expect("the consumer stops on SIGTERM");

	// The network goes on without it.
	let stopped_at = chain.best_number().await.unwrap();
	let limit = Duration::from_secs(u64::from(missed) * 10 + 120);
	let target = wait_for("the network to go on", limit, || async {
		let now = chain.best_number().await.ok()?;
		(now >= stopped_at + missed).then_some(now)
	})
	.await;

	let started = Instant::now();
	let (mut consumer, url) = spawn_node_at(&consumer_base, &consumer_args).await;
	let answered = started.elapsed();
	let client = connect(&url).await;
	let from = client.best_number().await.unwrap();
	assert_eq!(geneses_made(), 1, "it resumed on its own database");
	wait_for("the consumer to catch up", limit, || async {
		(client.best_number().await.ok()? >= target).then_some(())
	})
	.await;
	let caught_up = started.elapsed();
	// It serves reads of the newest state, the same as the producer's.
	let read = alice_nonce_at_best(&client).await.expect("state at its best block");
	assert_eq!(Some(read), alice_nonce_at_best(&chain).await);
	let finalized = wait_for("the consumer to finalize", limit, || async {
		let f = client.finalized_number().await.ok()?;
		(f + 2 >= target).then_some(f)
	})
	.await;
	let behind = target - from;
	println!(
		"catch-up: {behind} blocks behind (stopped at #{stopped_at}, restarted at #{from}, network \
		 at #{target}); RPC up after {:.1} s, caught up after {:.1} s ({:.0} blocks/s), finalized \
		 #{finalized}. {} cores, debug build, --dev chain (3 s blocks, empty blocks)",
		answered.as_secs_f64(),
		caught_up.as_secs_f64(),
		f64::from(behind) / caught_up.as_secs_f64().max(0.001),
		std::thread::available_parallelism().map_or(0, |n| n.get()),
	);
	assert!(behind >= missed, "it missed {behind} blocks, fewer than {missed}");

	consumer.terminate(Duration::from_secs(30));
	producer.terminate(Duration::from_secs(30));
	let _ = std::fs::remove_dir_all(&consumer_base);
}
