//! Across hosts, without a cluster (issue 16; docs/notes/kubernetes-plan.md §4.4): the manifests
//! `plexus-node kubernetes` writes for `fixtures::HOSTS_TOPOLOGY` (alpha: 4 producers and a
//! consumer; beta: 2 producers; a bridge) run as hosts on this machine, each pod a network
//! namespace of its own (`plexus_testkit::hosts`). Asserted: every probe and scrape target
//! answers on its pod's address and the admin RPC does not; every network finalizes across hosts,
//! over peer connections between pod addresses and none over loopback; the bridge Job initialises
//! the bridge; a routed request crosses and is acknowledged; stopping every process of
//! `alpha-producer-2`'s host is survived (finality goes on, a second request settles). Every wait
//! is bounded, 900 s in all; every namespace and process is removed at the end, also on failure.
//! Needs root, `ip`, `unshare`, `setpriv` and `mount`.

use plexus_relay::{init::is_bound, End};
use plexus_runtime::Hash;
use plexus_testkit::{
	deployment::{connect, node_binary},
	fixtures::{send, settled_ok, settled_once, status, HOSTS_TOPOLOGY},
	hosts::{self, Cluster, Hosts, Owner, Scratch},
	Client,
};
use std::{
	net::{IpAddr, SocketAddr},
	time::{Duration, Instant},
};

/// The node's p2p port (plan §2).
const P2P: u16 = 30333;
const RPC: u16 = 9944;
/// The admin RPC: loopback only.
const ADMIN_RPC: u16 = 9945;
/// The host whose processes are all killed: not producer 1, which the relayer and the Job follow.
const VICTIM: &str = "alpha-producer-2";

fn log(started: Instant, what: &str) {
	println!("hosts: [{:>4} s] {what}", started.elapsed().as_secs());
}

/// Request `sequence` from alpha to beta: settled `Ok` on alpha (within 300 s; a timeout says
/// the last status) and received once on beta.
async fn request_settles(alpha: &Client, beta: &Client, to: Hash, sequence: u64, what: &str) {
	let id = send(alpha, to, sequence).await;
	hosts::settle(&format!("{what} to be settled Ok"), Duration::from_secs(300), || async {
		let now = status(alpha, id).await;
		settled_ok(&now).map(|_| ()).ok_or(format!("{now:?}"))
	})
	.await;
	settled_once(alpha, beta, id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topology_runs_across_hosts_from_its_kubernetes_manifests() {
	hosts::require_tools().unwrap_or_else(|e| panic!("{e}"));
	for removed in hosts::remove_leftovers() {
		println!("hosts: removed {removed}, left by a dead earlier run");
	}
	let started = Instant::now();
	let scratch = Scratch::new().unwrap_or_else(|e| panic!("{e}"));
	let mut slot: Option<Hosts> = None;
	let run = run(started, &scratch, &mut slot);
	let outcome = tokio::time::timeout(Duration::from_secs(900), run).await;
	// Dropped here, on success as on a timeout; a panic above drops it while unwinding.
	drop(slot);
	drop(scratch);
	outcome.unwrap_or_else(|_| panic!("the hosts test took more than 900 s"));
	let left = hosts::leftovers_of(std::process::id());
	assert!(left.is_empty(), "left behind: {left:?}");
	log(started, "ok: every namespace, bridge, process and file removed");
}

async fn run(started: Instant, scratch: &Scratch, slot: &mut Option<Hosts>) {
	// 1. Generate, and read the manifests back (only the subset the harness runs).
	let topology = scratch.0.join("hosts.toml");
	std::fs::write(&topology, HOSTS_TOPOLOGY).unwrap();
	let out = scratch.0.join("manifests");
	hosts::generate(&node_binary(), &topology, &out, Duration::from_secs(300))
		.await
		.unwrap_or_else(|e| panic!("{e}"));
	let cluster = Cluster::load(&out).unwrap_or_else(|e| panic!("{e}"));
	log(
		started,
		&format!("generated {} pods in namespace {}", cluster.pods.len(), cluster.namespace),
	);
	let names: Vec<&str> = cluster.pods.iter().map(|p| p.name.as_str()).collect();
	let nodes: Vec<String> = cluster
		.pods
		.iter()
		.filter(|p| matches!(p.owner, Owner::StatefulSet { .. }))
		.map(|p| p.name.clone())
		.collect();
	assert_eq!(
		nodes,
		[
			"alpha-consumer-1",
			"alpha-producer-1",
			"alpha-producer-2",
			"alpha-producer-3",
			"alpha-producer-4",
			"beta-producer-1",
			"beta-producer-2",
		],
		"one pod per node, named as launch names them: {names:?}"
	);
	let relayer = cluster
		.pods
		.iter()
		.find(|p| p.owner == Owner::Deployment("relay-alpha-beta".into()))
		.unwrap_or_else(|| panic!("no relayer pod among {names:?}"))
		.name
		.clone();
	let job = cluster
		.pods
		.iter()
		.find(|p| match &p.owner {
			Owner::Job(name) => name.strip_prefix("init-alpha-beta-").is_some_and(|h| {
				h.len() == 8 && h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
			}),
			_ => false,
		})
		.unwrap_or_else(|| panic!("no init-alpha-beta-<8 hex> Job among {names:?}"))
		.name
		.clone();
	assert_eq!(cluster.pods.len(), nodes.len() + 2, "nothing else runs: {names:?}");
	// alpha's budget lets one producer go (GRANDPA's 3 of 4), not two.
	let alpha_producers = cluster.pod("alpha-producer-1").labels.clone();
	let budget = cluster
		.budgets
		.iter()
		.find(|b| hosts::selects(&b.selector, &alpha_producers))
		.expect("a PodDisruptionBudget over alpha's producers");
	assert_eq!(budget.min_available, 3);

	// 2–4. Hosts: namespaces, addresses, names, volumes; then init containers in order.
	let site = slot
		.insert(Hosts::up(cluster, &node_binary(), &scratch.0).unwrap_or_else(|e| panic!("{e}")));
	log(started, "hosts up");
	site.run_init(Duration::from_secs(180)).await.unwrap_or_else(|e| panic!("{e}"));
	log(started, "init containers done");
	// 5. Every container at once, as in a cluster.
	site.start().unwrap_or_else(|e| panic!("{e}"));
	let running = Instant::now();
	log(started, "containers started");

	// 6. Probes and scrape targets answer 200 on the pod's address; the admin RPC refuses.
	let mut targets = Vec::new();
	for pod in &site.cluster().pods {
		if matches!(pod.owner, Owner::Job(_)) {
			continue;
		}
		let ip = IpAddr::V4(site.ip(&pod.name));
		let before = targets.len();
		for c in &pod.containers {
			for p in &c.probes {
				let what = format!("{} {} {}", pod.name, c.name, p.kind);
				targets.push((what, SocketAddr::new(ip, p.port), p.path.clone()));
			}
		}
		assert!(targets.len() > before, "{} declares no probe", pod.name);
		assert_eq!(pod.annotations.get("prometheus.io/scrape").map(String::as_str), Some("true"));
		let port = pod.annotations["prometheus.io/port"].parse().expect("a scrape port");
		let path = pod.annotations.get("prometheus.io/path").cloned().unwrap_or("/metrics".into());
		targets.push((format!("{} scrape", pod.name), SocketAddr::new(ip, port), path));
	}
	assert!(targets.iter().any(|t| t.0.starts_with(&relayer) && t.1.port() == 9616));
	hosts::settle(
		"every probe and scrape target to answer 200",
		Duration::from_secs(300),
		|| async {
			let failing: Vec<String> = targets
				.iter()
				.filter_map(|(what, addr, path)| {
					match hosts::http_get(*addr, path, Duration::from_secs(5)) {
						Ok(200) => None,
						answer => Some(format!("{what} http://{addr}{path}: {answer:?}")),
					}
				})
				.collect();
			if failing.is_empty() {
				Ok(())
			} else {
				Err(failing.join("; "))
			}
		},
	)
	.await;
	log(started, &format!("{} probe and scrape targets answer 200", targets.len()));
	for node in &nodes {
		let admin = SocketAddr::new(IpAddr::V4(site.ip(node)), ADMIN_RPC);
		let refused = std::net::TcpStream::connect_timeout(&admin, Duration::from_secs(3))
			.err()
			.is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused);
		assert!(refused, "{node}'s admin RPC answers on {admin}");
		// It exists, on loopback only.
		let pid = *site.pids(node).first().expect("the node runs");
		let listening: Vec<SocketAddr> = hosts::sockets_of(pid)
			.unwrap()
			.into_iter()
			.filter(|s| s.state == hosts::LISTEN && s.local.port() == ADMIN_RPC)
			.map(|s| s.local)
			.collect();
		assert!(
			!listening.is_empty() && listening.iter().all(|a| hosts::is_loopback(a.ip())),
			"{node} listens for admin RPC on {listening:?}"
		);
	}
	log(started, "the admin RPC listens on loopback only");

	// Every node finalizes block 3 or more: across hosts, since each network's finality needs
	// producers of several pods.
	let mut clients = Vec::new();
	for node in &nodes {
		clients.push((node.clone(), connect(&format!("ws://{}:{RPC}", site.ip(node))).await));
	}
	for (node, client) in &clients {
		hosts::settle(&format!("{node} to finalize block 3"), Duration::from_secs(300), || async {
			let n = client.finalized_number().await.map_err(|e| e.to_string())?;
			if n >= 3 {
				Ok(())
			} else {
				Err(format!("finalized #{n}"))
			}
		})
		.await;
	}
	log(started, "every node finalized block 3 or more");

	// Peers are other pods, by their addresses; none over loopback.
	let pod_ips: Vec<IpAddr> =
		(0..site.cluster().pods.len()).map(|k| IpAddr::V4(hosts::pod_ip(k))).collect();
	for (node, client) in &clients {
		let pids = site.pids(node);
		assert_eq!(pids.len(), 1, "{node}: one process, the node");
		let own = IpAddr::V4(site.ip(node));
		let peers = hosts::settle(
			&format!("{node} to hold p2p connections"),
			Duration::from_secs(60),
			|| async {
				let sockets = hosts::sockets_of(pids[0])?;
				let p2p: Vec<_> = sockets
					.iter()
					.filter(|s| s.state == hosts::ESTABLISHED)
					.filter(|s| s.local.port() == P2P || s.remote.port() == P2P)
					.collect();
				for s in &p2p {
					let (local, remote) =
						(hosts::unmapped(s.local.ip()), hosts::unmapped(s.remote.ip()));
					assert!(
						!hosts::is_loopback(remote) && !hosts::is_loopback(local),
						"{node}: a p2p connection over loopback: {s:?}"
					);
					assert!(
						local == own && pod_ips.contains(&remote) && remote != own,
						"{node}: a p2p connection not between pods: {s:?}"
					);
				}
				if p2p.is_empty() {
					Err("no established connection on port 30333".into())
				} else {
					Ok(p2p.len())
				}
			},
		)
		.await;
		let health = client.health().await.expect("system_health");
		assert!(health.peers >= 1, "{node}: {health:?}");
		println!("hosts: {node}: {peers} p2p connections, {} peers", health.peers);
	}
	log(started, "every node's peers are other pods, none over loopback");

	// The Job ran once and initialised the bridge.
	let left = Duration::from_secs(600).saturating_sub(running.elapsed());
	let exit = site.wait_exit(&job, left).await.unwrap_or_else(|e| {
		panic!("{e}:\n{}", site.tail(&job, &site.cluster().pod(&job).containers[0].name, 30))
	});
	assert!(exit.success(), "{job} exited with {exit}");
	let alpha_url = format!("ws://{}:{RPC}", site.ip("alpha-producer-1"));
	let beta_url = format!("ws://{}:{RPC}", site.ip("beta-producer-1"));
	let alpha_end = End::connect("alpha", &alpha_url).await.expect("alpha answers");
	let beta_end = End::connect("beta", &beta_url).await.expect("beta answers");
	let (alpha_genesis, beta_genesis) = (alpha_end.client.genesis(), beta_end.client.genesis());
	assert!(is_bound(&alpha_end, beta_genesis).await.unwrap(), "alpha has beta bound");
	assert!(is_bound(&beta_end, alpha_genesis).await.unwrap(), "beta has alpha bound");
	drop((alpha_end, beta_end));
	log(started, &format!("{job} exited 0; the bridge is bound both ways"));

	// A routed request crosses and is acknowledged, once.
	let client = |name: &str| -> &Client { &clients.iter().find(|(n, _)| n == name).unwrap().1 };
	let (alpha, beta) = (client("alpha-producer-1"), client("beta-producer-1"));
	request_settles(alpha, beta, beta_genesis, 0, "the first request").await;
	log(started, "a request from alpha was settled on alpha and received once on beta");

	// Every process of one producer's host stopped: alpha goes on without it.
	let killed = site.kill_host(VICTIM).unwrap_or_else(|e| panic!("{e}"));
	assert!(!killed.is_empty() && site.pids(VICTIM).is_empty());
	log(started, &format!("killed every process of {VICTIM}: {killed:?}"));
	let watchers = [client("alpha-producer-1"), client("alpha-consumer-1")];
	let mut from = Vec::new();
	for w in watchers {
		from.push(w.finalized_number().await.expect("finalized"));
	}
	hosts::settle(
		"alpha to finalize 3 more blocks without its host",
		Duration::from_secs(120),
		|| async {
			let mut now = Vec::new();
			for w in watchers {
				now.push(w.finalized_number().await.map_err(|e| e.to_string())?);
			}
			if now.iter().zip(&from).all(|(n, f)| *n >= f + 3) {
				Ok(())
			} else {
				Err(format!("finalized {now:?} on producer 1 and the consumer, from {from:?}"))
			}
		},
	)
	.await;
	log(started, &format!("alpha finalizes on without {VICTIM}"));
	request_settles(alpha, beta, beta_genesis, 1, "the second request").await;
	log(started, "a second request settled without the host");

	// No node exited on its own; the killed host stayed down.
	for node in &nodes {
		let exits = site.exits(node);
		assert!(
			exits.is_empty() || node == VICTIM,
			"{node} exited: {exits:?}\n{}",
			site.tail(node, &site.cluster().pod(node).containers[0].name, 30)
		);
	}
	assert!(site.pids(VICTIM).is_empty(), "{VICTIM} came back");
	println!("hosts: containers started again: {:?}", site.restarts());
	log(started, "ok");
}
