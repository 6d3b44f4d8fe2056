//! `launch --eth-rpc` (or `eth_rpc = true` on a network of the topology): each such network is
//! served over Ethereum JSON-RPC too, by eth-rpc (eth-rpc/README.md) beside its first producer,
//! so MetaMask, ethers, viem and Hardhat reach it.
//!
//! 1. eth-rpc talks to the first producer: producers keep every block's state (archive), which
//!    eth-rpc's receipt back-fill and `eth_call` at old blocks need; consumers prune.
//! 2. It is a child of the supervisor like a node: restarted when it dies, on new ports when
//!    another process took one, and started again (re-syncing its receipts) when its database
//!    `eth-rpc.db` is removed. When the producer it talks to moves to new ports, it is restarted
//!    on the producer's new address ([`follow_producers`]).
//! 3. It listens on loopback only. It accepts calls from any page (`--rpc-cors all`) because
//!    MetaMask calls from its extension's origin; eth-rpc serves no method that changes state
//!    other than `eth_sendRawTransaction`, which needs the sender's signature.
//! 4. It is ready once `eth_chainId` answers with the network's chain id, which also proves it
//!    reached the right network.

use super::{
	plan::{Deployment, Role},
	supervisor::{free_port, ChildSpec, Incident, Supervisor},
	NodeEndpoint,
};
use jsonrpsee::{core::client::ClientT, http_client::HttpClientBuilder, rpc_params};
use plexus_runtime::contracts::EVM_CHAIN_ID_BASE;
use serde::Serialize;
use std::{
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicU16, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

/// How long eth-rpc may take to answer `eth_chainId` after it starts.
const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long eth-rpc has to stop on SIGTERM before it is killed.
const GRACE: Duration = Duration::from_secs(10);

/// One network's eth-rpc, as `launch.json` and the table show it.
#[derive(Clone, Serialize)]
pub struct EthRpcSummary {
	pub network: String,
	/// The Ethereum JSON-RPC URL (HTTP; WebSocket on the same port).
	pub url: String,
	pub chain_id: u64,
	pub prometheus: String,
	pub pid: u32,
	pub log: PathBuf,
	/// Its receipt database; removing it makes launch start eth-rpc again to re-sync.
	pub database: PathBuf,
	/// The node it talks to.
	pub node: String,
	#[serde(skip)]
	node_rpc_port: Arc<AtomicU16>,
}

/// The supervisor's name for a network's eth-rpc.
pub fn child_name(network: &str) -> String {
	format!("{network}-eth-rpc")
}

/// The EVM chain id of the network whose `NetworkId` is `id`, as the runtime computes it.
pub fn chain_id(id: u32) -> u64 {
	EVM_CHAIN_ID_BASE + u64::from(id)
}

/// The eth-rpc binary: `explicit`, else `eth-rpc` beside the node binary launch starts, else on
/// `PATH`.
pub fn binary(explicit: Option<&Path>, node_program: &Path) -> Result<PathBuf, String> {
	if let Some(path) = explicit {
		return is_executable(path).then(|| path.to_path_buf()).ok_or_else(|| {
			format!("--eth-rpc-binary {} is not an executable file", path.display())
		});
	}
	let beside = node_program.with_file_name("eth-rpc");
	let on_path: Vec<PathBuf> = std::env::var_os("PATH")
		.map(|paths| std::env::split_paths(&paths).map(|p| p.join("eth-rpc")).collect())
		.unwrap_or_default();
	std::iter::once(beside).chain(on_path).find(|p| is_executable(p)).ok_or_else(|| {
		format!(
			"serving Ethereum JSON-RPC needs the eth-rpc binary, which is neither beside {} nor on \
			 PATH: build it with `bash scripts/eth-rpc.sh {}` (eth-rpc/README.md), or name it with \
			 --eth-rpc-binary",
			node_program.display(),
			node_program.display()
		)
	})
}

fn is_executable(path: &Path) -> bool {
	use std::os::unix::fs::PermissionsExt;
	std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// eth-rpc's command line: talking to the node on loopback port `node_rpc_port`, keeping its
/// receipts under `dir`, listening on `ports` (`[rpc, prometheus]`).
pub fn args(node_rpc_port: u16, dir: &Path, ports: &[u16]) -> Vec<String> {
	[
		"--node-rpc-url",
		&format!("ws://127.0.0.1:{node_rpc_port}"),
		"--base-path",
		&dir.display().to_string(),
		"--eth-pruning",
		"archive",
		"--rpc-port",
		&ports[0].to_string(),
		"--rpc-cors",
		"all",
		"--prometheus-port",
		&ports[1].to_string(),
	]
	.map(String::from)
	.to_vec()
}

/// Starts eth-rpc for every network that asks for it (`all`: every network) and waits until
/// each answers with its chain id. Also returns what happened to the supervisor's children
/// meanwhile, for launch to report as it reports every incident.
pub async fn start(
	deployment: &Deployment,
	endpoints: &[NodeEndpoint],
	supervisor: &mut Supervisor,
	binary: &Path,
	all: bool,
) -> Result<(Vec<EthRpcSummary>, Vec<Incident>), String> {
	let mut started = Vec::new();
	for network in deployment.topology.networks.iter().filter(|n| all || n.eth_rpc) {
		let producer = endpoints
			.iter()
			.find(|e| e.network == network.name && e.role == Role::Producer)
			.ok_or_else(|| format!("network {} has no producer for eth-rpc", network.name))?;
		let dir = deployment.base.join(&network.name).join("eth-rpc");
		std::fs::create_dir_all(&dir)
			.map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
		let node_rpc_port = Arc::new(AtomicU16::new(producer.rpc_port));
		let name = child_name(&network.name);
		let ports = vec![free_port().map_err(no_port)?, free_port().map_err(no_port)?];
		let args_dir = dir.clone();
		let port = node_rpc_port.clone();
		supervisor.start(ChildSpec {
			name: name.clone(),
			program: binary.to_path_buf(),
			args: Box::new(move |ports: &[u16]| {
				args(port.load(Ordering::Relaxed), &args_dir, ports)
			}),
			ports,
			env: vec![],
			log: dir.join("eth-rpc.log"),
			final_exit: None,
			revive_when_absent: Some(dir.join("eth-rpc.db")),
		})?;
		let mut summary = EthRpcSummary {
			network: network.name.clone(),
			url: String::new(),
			chain_id: chain_id(network.id),
			prometheus: String::new(),
			pid: 0,
			log: dir.join("eth-rpc.log"),
			database: dir.join("eth-rpc.db"),
			node: producer.name.clone(),
			node_rpc_port,
		};
		refresh(&mut summary, supervisor);
		eprintln!(
			"plexus launch: {name} started for {} (chain id {}), waiting for it to answer",
			summary.node, summary.chain_id
		);
		started.push(summary);
	}
	let mut incidents = Vec::new();
	for summary in &mut started {
		wait_ready(summary, supervisor, &mut incidents).await?;
		refresh(summary, supervisor);
	}
	Ok((started, incidents))
}

fn no_port(e: std::io::Error) -> String {
	format!("no free port: {e}")
}

/// Takes the child's current pid and ports into `summary`.
pub fn refresh(summary: &mut EthRpcSummary, supervisor: &Supervisor) {
	if let Some(child) = supervisor.child(&child_name(&summary.network)) {
		summary.pid = child.pid().unwrap_or(0);
		summary.url = format!("http://127.0.0.1:{}", child.spec.ports[0]);
		summary.prometheus = format!("http://127.0.0.1:{}/metrics", child.spec.ports[1]);
	}
}

/// Polls `eth_chainId` until it is the network's, restarting eth-rpc on the way if it dies.
async fn wait_ready(
	summary: &mut EthRpcSummary,
	supervisor: &mut Supervisor,
	incidents: &mut Vec<Incident>,
) -> Result<(), String> {
	let started = Instant::now();
	let name = child_name(&summary.network);
	let mut last = String::from("no answer yet");
	let mut exited = None;
	while started.elapsed() < READY_TIMEOUT {
		for incident in supervisor.check() {
			match &incident {
				Incident::GaveUp { name: failed, reason, .. } if *failed == name => {
					return Err(format!("{name} keeps failing: {reason}"))
				},
				Incident::Restarted { name: failed, reason, .. } if *failed == name => {
					exited = Some(reason.clone())
				},
				_ => {},
			}
			incidents.push(incident);
		}
		refresh(summary, supervisor);
		match query_chain_id(&summary.url).await {
			Ok(id) if id == summary.chain_id => {
				eprintln!(
					"plexus launch: {} answers at {} ({:.1} s)",
					child_name(&summary.network),
					summary.url,
					started.elapsed().as_secs_f64()
				);
				return Ok(());
			},
			Ok(id) => {
				return Err(format!(
					"{} at {} serves chain id {id}, not {}'s {}",
					child_name(&summary.network),
					summary.url,
					summary.network,
					summary.chain_id
				))
			},
			Err(e) => last = e,
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	let exited = exited.map(|reason| format!("; it exited once: {reason}")).unwrap_or_default();
	Err(format!(
		"{name} did not answer eth_chainId within {} s ({last}{exited}); see {}",
		READY_TIMEOUT.as_secs(),
		summary.log.display()
	))
}

/// `eth_chainId` at `url`, as a number.
pub async fn query_chain_id(url: &str) -> Result<u64, String> {
	let client = HttpClientBuilder::default()
		.request_timeout(Duration::from_secs(5))
		.build(url)
		.map_err(|e| format!("bad URL {url}: {e}"))?;
	let hex: String =
		client.request("eth_chainId", rpc_params![]).await.map_err(|e| e.to_string())?;
	u64::from_str_radix(hex.trim_start_matches("0x"), 16)
		.map_err(|e| format!("eth_chainId answered {hex:?}: {e}"))
}

/// After the supervisor's `incidents`: an eth-rpc whose node now listens elsewhere (it was
/// restarted on new ports) is restarted on the node's new address. Returns whether any was.
pub fn follow_producers(
	incidents: &[Incident],
	eth_rpc: &mut [EthRpcSummary],
	supervisor: &mut Supervisor,
) -> bool {
	let mut moved = false;
	for incident in incidents {
		let Incident::Restarted { name, rebound: true, .. } = incident else { continue };
		for summary in eth_rpc.iter_mut().filter(|s| &s.node == name) {
			let Some(node) = supervisor.child(name) else { continue };
			let port = node.spec.ports[0];
			summary.node_rpc_port.store(port, Ordering::Relaxed);
			eprintln!(
				"plexus launch: {name} moved to port {port}; restarting {} to follow it",
				child_name(&summary.network)
			);
			if let Err(e) = supervisor.restart(&child_name(&summary.network), GRACE) {
				eprintln!("plexus launch: {e}");
			}
			refresh(summary, supervisor);
			moved = true;
		}
	}
	moved
}

/// The "add a network" settings MetaMask asks for, one line.
pub fn metamask(summary: &EthRpcSummary) -> String {
	format!(
		"name \"Plexus {}\", RPC URL {}, chain ID {}, currency symbol PLX",
		summary.network, summary.url, summary.chain_id
	)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn eth_rpc_talks_to_its_node_on_loopback_and_keeps_receipts_in_its_directory() {
		let dir = Path::new("/l/alpha/eth-rpc");
		let args = args(40001, dir, &[45000, 45001]);
		let value = |flag: &str| {
			let i = args.iter().position(|a| a == flag).unwrap_or_else(|| panic!("{flag}"));
			args[i + 1].clone()
		};
		assert_eq!(value("--node-rpc-url"), "ws://127.0.0.1:40001");
		assert_eq!(value("--base-path"), "/l/alpha/eth-rpc");
		assert_eq!(value("--rpc-port"), "45000");
		assert_eq!(value("--prometheus-port"), "45001");
		// Every block's receipts, from the archive producer.
		assert_eq!(value("--eth-pruning"), "archive");
		// Loopback only: nothing asks for external RPC or Prometheus, and unprotected
		// (chain-id-less) transactions stay refused.
		for refused in ["--rpc-external", "--unsafe-rpc-external", "--prometheus-external"] {
			assert!(!args.iter().any(|a| a == refused), "{args:?}");
		}
		assert!(!args.iter().any(|a| a == "--allow-unprotected-txs"), "{args:?}");
		assert!(!args.iter().any(|a| a == "--dev"), "no development signer: {args:?}");
	}

	#[test]
	fn launch_json_names_what_ethereum_tools_need() {
		// tests/js/eth.mjs and the README read these names.
		let summary = EthRpcSummary {
			network: "alpha".into(),
			url: "http://127.0.0.1:45000".into(),
			chain_id: chain_id(1),
			prometheus: "http://127.0.0.1:45001/metrics".into(),
			pid: 42,
			log: "/l/alpha/eth-rpc/eth-rpc.log".into(),
			database: "/l/alpha/eth-rpc/eth-rpc.db".into(),
			node: "alpha-producer-1".into(),
			node_rpc_port: Arc::new(AtomicU16::new(40001)),
		};
		let json = serde_json::to_value(&summary).unwrap();
		assert_eq!(
			json,
			serde_json::json!({
				"network": "alpha",
				"url": "http://127.0.0.1:45000",
				"chain_id": 420_420_001u64,
				"prometheus": "http://127.0.0.1:45001/metrics",
				"pid": 42,
				"log": "/l/alpha/eth-rpc/eth-rpc.log",
				"database": "/l/alpha/eth-rpc/eth-rpc.db",
				"node": "alpha-producer-1",
			})
		);
		assert_eq!(
			metamask(&summary),
			"name \"Plexus alpha\", RPC URL http://127.0.0.1:45000, chain ID 420420001, currency \
			 symbol PLX"
		);
	}

	#[test]
	fn each_network_has_the_runtimes_chain_id() {
		assert_eq!(chain_id(1), 420_420_001);
		assert_eq!(chain_id(2), 420_420_002);
		assert_eq!(format!("{:#x}", chain_id(1)), "0x190f19a1");
	}

	#[test]
	fn a_missing_binary_is_named_with_how_to_build_it() {
		let dir = std::env::temp_dir().join(format!("plexus-eth-rpc-bin-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let node = dir.join("plexus-node");
		let error = binary(Some(&dir.join("nothing")), &node).unwrap_err();
		assert!(error.contains("not an executable"), "{error}");
		// Beside the node binary is found first.
		let beside = dir.join("eth-rpc");
		std::fs::write(&beside, "#!/bin/sh\n").unwrap();
		use std::os::unix::fs::PermissionsExt;
		std::fs::set_permissions(&beside, std::fs::Permissions::from_mode(0o755)).unwrap();
		assert_eq!(binary(None, &node).unwrap(), beside);
		std::fs::remove_file(&beside).unwrap();
		if let Err(error) = binary(None, &node) {
			assert!(error.contains("scripts/eth-rpc.sh"), "{error}");
		}
		std::fs::remove_dir_all(dir).unwrap();
	}
}
