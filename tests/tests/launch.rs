//! `plexus-node launch` end to end: the default topology on loopback, from the built binary.

use plexus_testkit::{client::rpc_params, deployment::*};
use serde_json::Value;
use std::{os::unix::fs::PermissionsExt, process::Command, time::Duration};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_topology_runs_two_networks_and_stops_cleanly() {
	let (mut launch, base) = launch_default("launch");

	// launch.json appears once every network has finalized a block.
	let report: Value =
		wait_for("launch.json", Duration::from_secs(600), || read_report(&base)).await;
	let nodes = report["nodes"].as_array().unwrap().clone();
	assert_eq!(nodes.len(), 8, "2 networks × (3 producers + 1 consumer)");
	launch.extra_pids = nodes.iter().map(|n| n["pid"].as_u64().unwrap() as u32).collect();
	assert!(launch.extra_pids.iter().all(|p| alive(*p)));

	// Prometheus's targets are launch.json's nodes, by the names launch gives them; the
	// dashboard listens on loopback.
	let targets: Value = serde_json::from_str(
		&std::fs::read_to_string(base.join("prometheus/targets/plexus-node.json")).unwrap(),
	)
	.unwrap();
	let targets = targets.as_array().unwrap();
	assert_eq!(targets.len(), nodes.len());
	for node in &nodes {
		let group = targets.iter().find(|g| g["labels"]["instance"] == node["name"]).unwrap();
		let metrics = node["prometheus"].as_str().unwrap();
		assert_eq!(format!("http://{}/metrics", group["targets"][0].as_str().unwrap()), metrics);
		assert_eq!(group["labels"]["network"], node["network"]);
	}
	let dashboard = report["dashboard"]["url"].as_str().unwrap();
	assert!(dashboard.starts_with("http://127.0.0.1:"), "{dashboard}");

	// No secret is on a command line (every local user can read those) nor in a file others
	// can read: node keys are 0600 files, the relayer's key is in its environment.
	let cmdline = |pid: u64| -> Vec<String> {
		let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
		raw.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect()
	};
	for node in &nodes {
		let args = cmdline(node["pid"].as_u64().unwrap());
		assert!(args.iter().any(|a| a == "--node-key-file"), "{args:?}");
		assert!(!args.iter().any(|a| a == "--node-key" || a.contains("cors=*")), "{args:?}");
	}
	let relayer = cmdline(report["bridges"][0]["relayer_pid"].as_u64().unwrap());
	assert!(!relayer.iter().any(|a| a.starts_with("//") || a == "--signer"), "{relayer:?}");
	let mode =
		|path: std::path::PathBuf| std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
	assert_eq!(mode(base.join("deployment.json")), 0o600);
	assert_eq!(mode(base.join("alpha").join("alpha-producer-1").join("node-key")), 0o600);
	assert!(base.join(".plexus-launch").is_file());

	let mut geneses = vec![];
	let mut ids = vec![];
	for network in ["alpha", "beta"] {
		let of = |role: &str| -> Vec<String> {
			nodes
				.iter()
				.filter(|n| n["network"] == network && n["role"] == role)
				.map(|n| n["rpc"].as_str().unwrap().to_string())
				.collect()
		};
		let (producers, consumers) = (of("producer"), of("consumer"));
		assert_eq!((producers.len(), consumers.len()), (3, 1));
		let producer = connect(&producers[0]).await;

		// Authors and finalizes.
		let fin = wait_for("finalized height ≥ 3", Duration::from_secs(180), || async {
			producer.finalized_number().await.ok().filter(|f| *f >= 3)
		})
		.await;
		assert!(fin >= 3);

		// Every node of the network agrees on genesis and on who the network is.
		let g = producer.genesis();
		for url in producers.iter().chain(&consumers) {
			assert_eq!(connect(url).await.genesis(), g, "{url} is on another chain");
		}
		let (id, name, block_time) = identity(&producer).await;
		assert_eq!(name, network);
		assert_eq!(block_time, 3_000);
		geneses.push(g);
		ids.push(id);

		// The consumer is a non-authority that follows the producers to within 2 blocks.
		let consumer = connect(&consumers[0]).await;
		let roles: Vec<String> = consumer.call("system_nodeRoles", rpc_params![]).await.unwrap();
		assert_eq!(roles, vec!["Full".to_string()]);
		let roles: Vec<String> = producer.call("system_nodeRoles", rpc_params![]).await.unwrap();
		assert_eq!(roles, vec!["Authority".to_string()]);
		let lag = wait_for("the consumer within 2 blocks", Duration::from_secs(60), || async {
			let mut top = 0;
			for p in &producers {
				top = top.max(try_connect(p).await?.best_number().await.ok()?);
			}
			let c = consumer.best_number().await.ok()?;
			let lag = top.saturating_sub(c);
			(c >= 3 && lag <= 2).then_some(lag)
		})
		.await;
		assert!(lag <= 2);
	}
	assert_ne!(geneses[0], geneses[1], "two networks, two genesis hashes");
	assert_ne!(ids[0], ids[1], "two networks, two NetworkIds");
	assert_eq!(ids, vec![1, 2]);

	// The GRANDPA RPC that relayers need is served.
	let producer = connect(nodes[0]["rpc"].as_str().unwrap()).await;
	let methods: Value = producer.call("rpc_methods", rpc_params![]).await.unwrap();
	let methods: Vec<&str> =
		methods["methods"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
	for m in ["grandpa_roundState", "grandpa_proveFinality", "grandpa_subscribeJustifications"] {
		assert!(methods.contains(&m), "{m} missing");
	}
	let round: Value = producer.call("grandpa_roundState", rpc_params![]).await.unwrap();
	assert_eq!(round["setId"], 0);

	// A node that dies is restarted by launch, and comes back on the same endpoint.
	let victim = nodes.iter().find(|n| n["role"] == "consumer").unwrap();
	let (old_pid, victim_rpc) =
		(victim["pid"].as_u64().unwrap() as u32, victim["rpc"].as_str().unwrap().to_string());
	unsafe { libc::kill(old_pid as i32, libc::SIGKILL) };
	let new_pid = wait_for("the killed node to be restarted", Duration::from_secs(60), || {
		let name = victim["name"].clone();
		let base = base.clone();
		async move {
			let report = read_report(&base).await?;
			let node = report["nodes"].as_array()?.iter().find(|n| n["name"] == name)?.clone();
			let pid = node["pid"].as_u64()? as u32;
			(pid != old_pid && pid != 0).then_some(pid)
		}
	})
	.await;
	assert!(alive(new_pid));
	launch.extra_pids.push(new_pid);
	let best = |url: String| async move { try_connect(&url).await?.best_number().await.ok() };
	let before = best(victim_rpc.clone()).await;
	wait_for("the restarted node to import blocks", Duration::from_secs(90), || async {
		let now = best(victim_rpc.clone()).await?;
		(now > before.unwrap_or(0)).then_some(now)
	})
	.await;
	// It came back on its own database: a node makes its genesis only in a new one.
	let victim_name = victim["name"].as_str().unwrap().to_string();
	let victim_network = victim["network"].as_str().unwrap().to_string();
	let victim_dir = base.join(&victim_network).join(&victim_name);
	let geneses_made = || {
		let log = std::fs::read_to_string(victim_dir.join("node.log")).unwrap();
		log.matches("Initializing Genesis block/state").count()
	};
	assert_eq!(geneses_made(), 1, "the restarted node kept its database");

	// Its database broken (the metadata file that ParityDb reads first), it cannot start:
	// launch says which node and what failed, and how to resync it; that way works.
	let chains = victim_dir.join("chains");
	let chain_dir = std::fs::read_dir(&chains).unwrap().next().unwrap().unwrap().path();
	let db = chain_dir.join("paritydb").join("full");
	assert!(db.join("metadata").exists(), "the node keeps its chain in ParityDb");
	unsafe { libc::kill(new_pid as i32, libc::SIGSTOP) };
	std::fs::write(db.join("metadata"), b"not metadata").unwrap();
	unsafe { libc::kill(new_pid as i32, libc::SIGKILL) };
	let stderr = base.with_extension("stderr");
	let advice = wait_for("launch to give up on the node", Duration::from_secs(120), || async {
		let text = std::fs::read_to_string(&stderr).ok()?;
		let gave_up =
			text.lines().find(|l| l.contains(&victim_name) && l.contains("keeps failing"))?;
		let command =
			text.lines().map(str::trim).find(|l| l.starts_with("plexus-node purge-chain"))?;
		Some((gave_up.to_string(), command.to_string()))
	})
	.await;
	assert!(advice.0.contains("Corruption") || advice.0.contains("Backend error"), "{}", advice.0);
	let purge = Command::new(node_binary())
		.args(advice.1.split(' ').skip(1))
		.output()
		.expect("plexus-node runs");
	assert!(purge.status.success(), "{}", String::from_utf8_lossy(&purge.stderr));
	assert!(!db.exists(), "purge-chain removed the database");
	assert!(chain_dir.join("network").exists(), "and kept the node key's peer store");
	let network_rpc = rpc_of(&report, &victim_network, Some("producer"));
	let target = best(network_rpc).await.unwrap();
	let resynced =
		wait_for("the node to resync from its peers", Duration::from_secs(180), || async {
			let report = read_report(&base).await?;
			let node =
				report["nodes"].as_array()?.iter().find(|n| n["name"] == victim_name)?.clone();
			let now = best(node["rpc"].as_str()?.to_string()).await?;
			(now >= target).then_some(node["pid"].as_u64()? as u32)
		})
		.await;
	launch.extra_pids.push(resynced);
	assert_eq!(geneses_made(), 2, "a new database");

	// SIGTERM stops every child, and launch exits 0.
	let pids: Vec<u32> =
		launch.extra_pids.iter().copied().filter(|p| *p != old_pid && *p != new_pid).collect();
	let status = launch.terminate(Duration::from_secs(60)).expect("launch exits after SIGTERM");
	assert!(status.success(), "launch exited with {status}");
	for pid in pids {
		assert!(!alive(pid), "node {pid} outlived launch");
	}
	let _ = std::fs::remove_dir_all(&base);
	let _ = std::fs::remove_file(base.with_extension("stdout"));
	let _ = std::fs::remove_file(base.with_extension("stderr"));
}

#[test]
fn bad_topology_names_the_problem_and_starts_nothing() {
	let base = temp_dir("bad-topology");
	let cases = [
		("[[network]]\nname = \"a\"\nid = 1\nproducers = 0\n", "zero producers"),
		("[[network]]\nname = \"a\"\nid = 1\nproducers = 1\ncolour = \"red\"\n", "colour"),
		(
			"[[network]]\nname = \"a\"\nid = 1\nproducers = 1\n[[bridge]]\nbetween = [\"a\", \"z\"]\n",
			"\"z\"",
		),
		(
			"[[network]]\nname = \"a\"\nid = 1\nproducers = 1\n[[network]]\nname = \"a\"\nid = 2\nproducers = 1\n",
			"used twice",
		),
	];
	for (i, (text, expected)) in cases.iter().enumerate() {
		let file = base.join(format!("bad-{i}.toml"));
		std::fs::write(&file, text).unwrap();
		let out = Command::new(node_binary())
			.arg("launch")
			.arg(&file)
			.arg("--base-path")
			.arg(base.join("deployment"))
			.output()
			.unwrap();
		let stderr = String::from_utf8_lossy(&out.stderr);
		assert!(!out.status.success(), "case {i} was accepted");
		assert!(stderr.contains(expected), "case {i}: {stderr}");
		assert!(!base.join("deployment").exists(), "case {i} started something");

		// `kubernetes` reads topologies as launch does: the same error, and nothing written.
		let manifests = base.join("manifests");
		let k8s = Command::new(node_binary())
			.arg("kubernetes")
			.arg(&file)
			.arg("--out")
			.arg(&manifests)
			.output()
			.unwrap();
		assert!(!k8s.status.success(), "case {i} was accepted by kubernetes");
		let error_line = |text: &[u8]| {
			let text = String::from_utf8_lossy(text).into_owned();
			text.lines().find(|l| l.starts_with("Error:")).map(str::to_string)
		};
		assert_eq!(error_line(&k8s.stderr), error_line(&out.stderr), "case {i}");
		assert!(error_line(&k8s.stderr).is_some(), "case {i}");
		assert!(!manifests.exists(), "case {i} wrote manifests");
	}

	// A name launch takes but a Kubernetes Service cannot have.
	let file = base.join("digit.toml");
	std::fs::write(&file, "[[network]]\nname = \"9lives\"\nid = 1\nproducers = 1\n").unwrap();
	let check = Command::new(node_binary()).arg("launch").arg(&file).arg("--check").output();
	assert!(check.unwrap().status.success());
	let k8s = Command::new(node_binary())
		.arg("kubernetes")
		.arg(&file)
		.arg("--out")
		.arg(base.join("manifests"))
		.output()
		.unwrap();
	let stderr = String::from_utf8_lossy(&k8s.stderr);
	assert!(!k8s.status.success() && stderr.contains("starts with a letter"), "{stderr}");
	assert!(!base.join("manifests").exists());
	let _ = std::fs::remove_dir_all(&base);
}
