//! `plexus-node launch`: provisions the virtual nodes of several networks on this host.
//!
//! 1. Read and validate the topology (nothing starts from an invalid one).
//! 2. Make or reuse the deployment under the base path: chain specs, keystores, node keys.
//! 3. Start every node as a child process on free loopback ports, bootnodes wired per network
//!    (a node whose port another process took is restarted on new ones).
//! 4. Wait, showing progress, until every network finalizes a block.
//! 5. Bring every bridge up (light clients, router bindings, next hops) and start its relayer;
//!    start eth-rpc where Ethereum JSON-RPC is asked for (`eth_rpc.rs`); then print the table of
//!    endpoints and write it as `launch.json` under the base path (`report.rs`).
//! 6. Supervise: report and restart a node or relayer that dies; on Ctrl-C or SIGTERM stop every
//!    child and exit 0 (`running.rs`).
//!
//! From step 3 on, a live map of the deployment is served on loopback (`dashboard/`), and from
//! step 5 on, `<base>/prometheus/` holds what Prometheus needs to watch it (`monitoring/`).

mod bridging;
mod control;
mod dashboard;
mod eth_rpc;
mod keys;
pub mod kubernetes;
mod monitoring;
mod plan;
mod producers;
mod report;
mod running;
mod slots;
mod status;
mod supervisor;
pub mod topology;
mod upgrade;

use crate::progress::Progress;
use dashboard::Dashboard;
pub use kubernetes::{bridge_init::BridgeInitCmd, pack::UnpackChainSpecCmd, KubernetesCmd};
use plan::{Deployment, NodeRecord, Role, CONSUMER_STATE_PRUNING};
pub use producers::ProducerCmd;
use report::NetworkSummary;
use running::{report_incidents, supervise_loop, Running, Signals};
use serde::Serialize;
use std::{
	collections::BTreeMap,
	path::{Path, PathBuf},
	time::{Duration, Instant},
};
use supervisor::{free_port, ChildSpec, Supervisor};
use topology::Topology;
pub use upgrade::UpgradeCmd;

const DEFAULT_TOPOLOGY: &str = include_str!("../../../chain-specs/default.toml");

#[derive(Debug, clap::Parser)]
pub struct LaunchCmd {
	/// Topology file (TOML). Without it: two bridged networks of 3 producers and 1 consumer.
	pub topology: Option<PathBuf>,

	/// Where chain specs, keystores, databases and logs live.
	/// Default: the user's data directory, e.g. ~/.local/share/plexus/launch.
	#[arg(long)]
	pub base_path: Option<PathBuf>,

	/// Delete what an earlier launch left under the base path and start new networks. Only a
	/// directory that launch made (it holds a `.plexus-launch` file) is deleted.
	#[arg(long)]
	pub fresh: bool,

	/// Give up if some network has not finalized a block after this many seconds.
	#[arg(long, default_value_t = 300)]
	pub ready_timeout: u64,

	/// Only validate the topology and print the plan; start nothing.
	#[arg(long)]
	pub check: bool,

	/// The node binary to start (default: this executable).
	#[arg(long)]
	pub node_binary: Option<PathBuf>,

	/// Serve every network over Ethereum JSON-RPC too (eth-rpc beside its first producer), for
	/// MetaMask, ethers, viem and Hardhat. A network can ask for it in the topology instead
	/// (`eth_rpc = true`).
	#[arg(long)]
	pub eth_rpc: bool,

	/// The eth-rpc binary (default: `eth-rpc` beside the node binary, else on PATH; built by
	/// scripts/eth-rpc.sh).
	#[arg(long, value_name = "PATH")]
	pub eth_rpc_binary: Option<PathBuf>,

	/// The dashboard's port on 127.0.0.1 (0: any free port). It never listens elsewhere.
	#[arg(long, default_value_t = 0, value_name = "PORT")]
	pub dashboard_port: u16,

	/// Serve no dashboard.
	#[arg(long, conflicts_with = "dashboard_port")]
	pub no_dashboard: bool,
}

#[derive(Serialize)]
struct NodeEndpoint {
	network: String,
	name: String,
	role: Role,
	rpc: String,
	p2p: String,
	prometheus: String,
	pid: u32,
	log: PathBuf,
	#[serde(skip)]
	rpc_port: u16,
	#[serde(skip)]
	peer_id: String,
}

impl NodeEndpoint {
	fn set_ports(&mut self, ports: &Ports) {
		self.rpc = format!("ws://127.0.0.1:{}", ports.rpc);
		self.p2p = ports.p2p_address(&self.peer_id);
		self.prometheus = format!("http://127.0.0.1:{}/metrics", ports.prometheus);
		self.rpc_port = ports.rpc;
	}
}

impl LaunchCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		let topology = match &self.topology {
			Some(path) => Topology::load(path)?,
			None => Topology::parse(DEFAULT_TOPOLOGY).map_err(|e| e.to_string())?,
		};
		if self.check {
			for n in &topology.networks {
				println!(
					"network {} (id {}): {} producers, {} consumers, {} ms blocks, EVM chain id {}{}",
					n.name,
					n.id,
					n.producers,
					n.consumers,
					n.block_time_ms,
					eth_rpc::chain_id(n.id),
					if self.eth_rpc || n.eth_rpc { ", served over Ethereum JSON-RPC" } else { "" }
				);
			}
			let slots = topology.bridge_slots().map_err(|e| e.to_string())?;
			for (b, slot) in topology.bridges.iter().zip(slots) {
				println!("bridge {} <-> {}: peer slot {slot}", b.between[0], b.between[1]);
			}
			return Ok(());
		}
		let base = match &self.base_path {
			Some(p) => p.clone(),
			None => default_base_path()?,
		};
		if self.fresh {
			plan::remove_fresh(&base)?;
		}
		let program = match &self.node_binary {
			Some(p) => p.clone(),
			None => std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?,
		};
		// Found before anything starts, so a missing one costs nothing.
		let eth_rpc = (self.eth_rpc || topology.networks.iter().any(|n| n.eth_rpc))
			.then(|| eth_rpc::binary(self.eth_rpc_binary.as_deref(), &program))
			.transpose()?
			.map(|binary| EthRpc { binary, all: self.eth_rpc });

		eprintln!(
			"plexus launch: preparing {} networks under {}",
			topology.networks.len(),
			base.display()
		);
		let deployment = Deployment::open_or_create(&base, &topology)?;
		// Bound before any node starts: a taken port costs nothing.
		let dashboard =
			(!self.no_dashboard).then(|| Dashboard::start(self.dashboard_port)).transpose()?;
		if let Some(d) = &dashboard {
			eprintln!("plexus launch: dashboard at {}", d.url());
		}

		let runtime = tokio::runtime::Builder::new_current_thread()
			.enable_all()
			.build()
			.map_err(|e| format!("cannot start the async runtime: {e}"))?;
		// Children are spawned from this thread only: their parent-death signal is tied to it.
		runtime.block_on(supervise(
			deployment,
			program,
			eth_rpc,
			Duration::from_secs(self.ready_timeout),
			dashboard,
		))
	}
}

/// What `launch` serves over Ethereum JSON-RPC, and with what.
struct EthRpc {
	binary: PathBuf,
	/// Every network (`--eth-rpc`), not only those whose topology entry asks.
	all: bool,
}

/// Where launch keeps its deployment when no `--base-path` is given.
pub fn default_base_path() -> Result<PathBuf, String> {
	Ok(directories::ProjectDirs::from("", "", "plexus")
		.ok_or("cannot find the user's data directory; pass --base-path")?
		.data_dir()
		.join("launch"))
}

/// The origins whose pages may call a launched node's RPC: sc-cli's default when `--rpc-cors`
/// is not given (pages served from this host, and polkadot.js apps), which is what the
/// documented clients need; @polkadot/api, plexus-client and the tests outside a browser send no
/// origin. Not `all`: unsafe methods are open on loopback, so any page the operator has open
/// could otherwise call them and read the answers.
const RPC_CORS: [&str; 5] = [
	"http://localhost:*",
	"http://127.0.0.1:*",
	"https://localhost:*",
	"https://127.0.0.1:*",
	"https://polkadot.js.org",
];

/// A node's command line but its ports, owned, so that the supervisor can make it again with
/// new ports.
struct NodeArgs {
	chain_spec: PathBuf,
	dir: PathBuf,
	name: String,
	role: Role,
	node_key_file: PathBuf,
	bootnodes: Vec<String>,
}

impl NodeArgs {
	fn new(
		deployment: &Deployment,
		network: &str,
		node: &NodeRecord,
		bootnodes: Vec<String>,
	) -> Self {
		Self {
			chain_spec: deployment.chain_spec_path(network),
			dir: deployment.node_dir(network, &node.name),
			name: node.name.clone(),
			role: node.role,
			node_key_file: deployment.node_key_path(network, &node.name),
			bootnodes,
		}
	}

	fn args(&self, ports: &Ports) -> Vec<String> {
		// `--rpc-port` would move to a random port, unannounced, if another process took ours;
		// this endpoint fails instead, and the supervisor restarts the node on new ports.
		node_command(&NodeCommand {
			chain_spec: self.chain_spec.display().to_string(),
			base_path: self.dir.display().to_string(),
			name: self.name.clone(),
			node_key_file: Some(self.node_key_file.display().to_string()),
			listen_addr: format!("/ip4/127.0.0.1/tcp/{}", ports.p2p),
			rpc: vec![RpcEndpoint {
				listen: format!("127.0.0.1:{}", ports.rpc),
				methods: "auto",
				cors: true,
			}],
			prometheus_port: ports.prometheus,
			prometheus_external: false,
			role: self.role,
			bootnodes: self.bootnodes.clone(),
		})
	}
}

/// One `--experimental-rpc-endpoint`: it fails rather than moving to another port.
pub(crate) struct RpcEndpoint {
	pub listen: String,
	pub methods: &'static str,
	/// Only pages of [`RPC_CORS`] may call it, and only by a loopback name (the server then
	/// refuses other Host headers). Without: any page, by any name.
	pub cors: bool,
}

/// A node's command line wherever it runs: a child of `launch` on loopback, or a Kubernetes pod.
pub(crate) struct NodeCommand {
	pub chain_spec: String,
	pub base_path: String,
	pub name: String,
	/// A file only its owner reads: arguments are visible to every local user. Without it the
	/// node makes its own (only a producer's address must be known in advance).
	pub node_key_file: Option<String>,
	pub listen_addr: String,
	pub rpc: Vec<RpcEndpoint>,
	pub prometheus_port: u16,
	pub prometheus_external: bool,
	pub role: Role,
	pub bootnodes: Vec<String>,
}

pub(crate) fn node_command(c: &NodeCommand) -> Vec<String> {
	let mut args: Vec<String> = vec![
		"--chain".into(),
		c.chain_spec.clone(),
		"--base-path".into(),
		c.base_path.clone(),
		"--name".into(),
		c.name.clone(),
	];
	if let Some(file) = &c.node_key_file {
		args.extend(["--node-key-file".into(), file.clone()]);
	}
	args.extend(["--listen-addr".into(), c.listen_addr.clone()]);
	for endpoint in &c.rpc {
		let mut rpc = format!(
			"listen-addr={},methods={},retry-random-port=false",
			endpoint.listen, endpoint.methods
		);
		for origin in RPC_CORS.iter().filter(|_| endpoint.cors) {
			rpc += &format!(",cors={origin}");
		}
		args.extend(["--experimental-rpc-endpoint".into(), rpc]);
	}
	args.extend(["--prometheus-port".into(), c.prometheus_port.to_string()]);
	if c.prometheus_external {
		args.push("--prometheus-external".into());
	}
	args.extend(["--no-mdns".into(), "--no-telemetry".into()]);
	match c.role {
		Role::Producer => {
			args.extend(["--validator".into(), "--state-pruning".into(), "archive".into()])
		},
		Role::Consumer => {
			args.extend(["--state-pruning".into(), CONSUMER_STATE_PRUNING.to_string()])
		},
	}
	for b in &c.bootnodes {
		args.extend(["--bootnodes".into(), b.clone()]);
	}
	args
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ports {
	rpc: u16,
	p2p: u16,
	prometheus: u16,
}

impl Ports {
	fn free() -> Result<Self, String> {
		let port = || free_port().map_err(|e| format!("no free port: {e}"));
		Ok(Self { rpc: port()?, p2p: port()?, prometheus: port()? })
	}

	/// In the order the supervisor keeps them.
	fn to_vec(self) -> Vec<u16> {
		vec![self.rpc, self.p2p, self.prometheus]
	}

	fn from_slice(ports: &[u16]) -> Self {
		Self { rpc: ports[0], p2p: ports[1], prometheus: ports[2] }
	}

	fn p2p_address(&self, peer_id: &str) -> String {
		format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}", self.p2p)
	}
}

/// Steps 3 to 6 of the module doc, one function each. Every child stays in `supervisor`, whose
/// drop stops those still running if a step fails.
async fn supervise(
	deployment: Deployment,
	program: PathBuf,
	eth_rpc: Option<EthRpc>,
	ready_timeout: Duration,
	dashboard: Option<Dashboard>,
) -> sc_cli::Result<()> {
	let mut supervisor = Supervisor::default();
	let mut endpoints = start_nodes(&deployment, &program, &mut supervisor)?;
	eprintln!(
		"plexus launch: started {} nodes; waiting for every network to finalize a block",
		endpoints.len()
	);

	let mut signals = Signals::new()?;
	let networks: Vec<(String, u32)> =
		deployment.networks.iter().map(|n| (n.name.clone(), n.id)).collect();
	let publish = |endpoints: &[NodeEndpoint], supervisor: &Supervisor| {
		if let Some(d) = &dashboard {
			d.publish(running::view(&networks, endpoints, &[], &[], supervisor));
		}
	};
	let Some(genesis) = wait_until_final(
		&deployment,
		&mut endpoints,
		&mut supervisor,
		&mut signals,
		ready_timeout,
		&publish,
	)
	.await?
	else {
		// A signal came first; every node is stopped.
		return Ok(());
	};

	let networks: Vec<NetworkSummary> = deployment
		.networks
		.iter()
		.map(|n| NetworkSummary {
			name: n.name.clone(),
			id: n.id,
			genesis: genesis.get(&n.name).cloned().unwrap_or_default(),
			chain_spec: deployment.chain_spec_path(&n.name),
			evm_chain_id: eth_rpc::chain_id(n.id),
		})
		.collect();
	let bridges = start_bridges(&deployment, &endpoints, &mut supervisor, &program).await?;
	let eth_rpc = match eth_rpc {
		Some(e) => {
			match eth_rpc::start(&deployment, &endpoints, &mut supervisor, &e.binary, e.all).await {
				Ok((started, incidents)) => {
					report_incidents(incidents, &mut endpoints, &supervisor);
					started
				},
				Err(e) => {
					supervisor.stop_all(Duration::from_secs(10));
					return Err(format!("starting eth-rpc failed: {e}").into());
				},
			}
		},
		None => Vec::new(),
	};
	let report_file = deployment.base.join("launch.json");
	let mut running =
		Running { supervisor, endpoints, bridges, networks, eth_rpc, report_file, dashboard };
	report::print_table(&running.report(), &deployment);
	running.write()?;

	supervise_loop(&mut running, &mut signals, &deployment.base, &program).await
}

/// Step 3: starts every node of every network as a child of `supervisor`, on free loopback
/// ports, producers bootstrapping from the first producer and everyone else from every producer.
/// Retired nodes stay stopped.
fn start_nodes(
	deployment: &Deployment,
	program: &Path,
	supervisor: &mut Supervisor,
) -> sc_cli::Result<Vec<NodeEndpoint>> {
	let mut endpoints = Vec::new();
	for network in &deployment.networks {
		let nodes: Vec<&NodeRecord> = network.nodes.iter().filter(|n| !n.retired).collect();
		let mut ports = Vec::new();
		let mut peer_ids = Vec::new();
		for node in &nodes {
			ports.push(Ports::free()?);
			peer_ids.push(deployment.node_key(&network.name, &node.name)?.peer_id());
		}
		let p2p_of = |i: usize| ports[i].p2p_address(&peer_ids[i]);
		let producer_addrs: Vec<String> = nodes
			.iter()
			.enumerate()
			.filter(|(_, n)| n.role == Role::Producer)
			.map(|(i, _)| p2p_of(i))
			.collect();
		for (i, node) in nodes.iter().enumerate() {
			let bootnodes: Vec<String> =
				producer_addrs.iter().filter(|a| **a != p2p_of(i)).cloned().collect();
			endpoints.push(start_node(
				deployment,
				program,
				supervisor,
				(&network.name, node),
				bootnodes,
				(ports[i], peer_ids[i].clone()),
			)?);
		}
	}
	Ok(endpoints)
}

/// Starts one node of `network` on `ports`, with the identity of `peer_id`.
fn start_node(
	deployment: &Deployment,
	program: &Path,
	supervisor: &mut Supervisor,
	(network, node): (&str, &NodeRecord),
	bootnodes: Vec<String>,
	(ports, peer_id): (Ports, String),
) -> Result<NodeEndpoint, String> {
	let args = NodeArgs::new(deployment, network, node, bootnodes);
	let dir = deployment.node_dir(network, &node.name);
	std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
	let log = dir.join("node.log");
	supervisor.start(ChildSpec {
		name: node.name.clone(),
		program: program.to_path_buf(),
		args: Box::new(move |ports: &[u16]| args.args(&Ports::from_slice(ports))),
		ports: ports.to_vec(),
		env: vec![],
		log: log.clone(),
		final_exit: None,
		revive_when_absent: Some(
			dir.join("chains")
				.join(&deployment.network(network)?.chain_id)
				.join("paritydb")
				.join("full"),
		),
	})?;
	let mut endpoint = NodeEndpoint {
		network: network.to_string(),
		name: node.name.clone(),
		role: node.role,
		rpc: String::new(),
		p2p: String::new(),
		prometheus: String::new(),
		pid: supervisor.child(&node.name).and_then(|c| c.pid()).unwrap_or(0),
		log,
		rpc_port: 0,
		peer_id,
	};
	endpoint.set_ports(&ports);
	Ok(endpoint)
}

/// Brings the running nodes in line with deployment.json, which `plexus-node producer` changes
/// while launch runs: starts a node added there (bootstrapping from its network's running
/// producers) and stops one marked retired. Returns whether anything changed.
fn reconcile(
	deployment: &Deployment,
	program: &Path,
	supervisor: &mut Supervisor,
	endpoints: &mut Vec<NodeEndpoint>,
) -> Result<bool, String> {
	let mut changed = false;
	for network in &deployment.networks {
		for node in &network.nodes {
			let running =
				endpoints.iter().position(|e| e.network == network.name && e.name == node.name);
			match (node.retired, running) {
				(true, Some(i)) => {
					supervisor.stop(&node.name, Duration::from_secs(30));
					endpoints.remove(i);
					eprintln!("plexus launch: {} is retired; stopped it", node.name);
					changed = true;
				},
				(false, None) => {
					let bootnodes = endpoints
						.iter()
						.filter(|e| e.network == network.name && e.role == Role::Producer)
						.map(|e| e.p2p.clone())
						.collect();
					let peer_id = deployment.node_key(&network.name, &node.name)?.peer_id();
					let endpoint = start_node(
						deployment,
						program,
						supervisor,
						(&network.name, node),
						bootnodes,
						(Ports::free()?, peer_id),
					)?;
					eprintln!(
						"plexus launch: started {} ({}), RPC {}, log {}",
						node.name,
						node.role,
						endpoint.rpc,
						endpoint.log.display()
					);
					endpoints.push(endpoint);
					changed = true;
				},
				_ => {},
			}
		}
	}
	Ok(changed)
}

/// Step 4: waits, showing progress, until every network has finalized a block; returns each
/// network's genesis hash by name. `None` if SIGINT or SIGTERM came first (every node is then
/// stopped); an error, with every node stopped, after `ready_timeout`.
async fn wait_until_final(
	deployment: &Deployment,
	endpoints: &mut [NodeEndpoint],
	supervisor: &mut Supervisor,
	signals: &mut Signals,
	ready_timeout: Duration,
	publish: &dyn Fn(&[NodeEndpoint], &Supervisor),
) -> sc_cli::Result<Option<BTreeMap<String, String>>> {
	let started = Instant::now();
	let mut genesis: BTreeMap<String, String> = BTreeMap::new();
	let columns = ["nodes answering", "networks finalizing"];
	let mut progress =
		Progress::new("plexus launch", &columns, Some(endpoints.len() as u64)).without_rate();

	loop {
		if let Some(sig) = signals.received() {
			progress.phase(&format!(
				"plexus launch: {sig} received before the networks were ready; stopping"
			));
			drop(progress);
			supervisor.stop_all(Duration::from_secs(10));
			return Ok(None);
		}
		report_incidents(supervisor.check(), endpoints, supervisor);
		publish(endpoints, supervisor);
		let mut line = Vec::new();
		let (mut answering, mut finalizing) = (0, 0);
		for network in &deployment.networks {
			let (mut best, mut finalized, mut peers) = (0, 0, 0);
			for e in endpoints.iter().filter(|e| e.network == network.name) {
				if let Some(s) = status::query(e.rpc_port).await {
					answering += 1;
					best = best.max(s.best);
					finalized = finalized.max(s.finalized);
					peers = peers.max(s.peers);
					genesis.insert(network.name.clone(), s.genesis);
				}
			}
			finalizing += u64::from(finalized >= 1);
			line.push(format!(
				"{}: best #{best} finalized #{finalized} peers {peers}",
				network.name
			));
		}
		progress.detail(&line.join(" | "));
		progress.set(&[answering, finalizing]);
		if finalizing == deployment.networks.len() as u64 {
			drop(progress);
			eprintln!(
				"plexus launch: every network finalizes ({:.1} s after start)",
				started.elapsed().as_secs_f64()
			);
			return Ok(Some(genesis));
		}
		if started.elapsed() > ready_timeout {
			drop(progress);
			supervisor.stop_all(Duration::from_secs(10));
			return Err(format!(
				"not every network finalized within {} s ({}); see the node logs under {}",
				ready_timeout.as_secs(),
				line.join(" | "),
				deployment.base.display()
			)
			.into());
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// Step 5: brings every bridge up and starts its relayer as a child of `supervisor`; stops every
/// child if that fails.
async fn start_bridges(
	deployment: &Deployment,
	endpoints: &[NodeEndpoint],
	supervisor: &mut Supervisor,
	program: &Path,
) -> sc_cli::Result<Vec<bridging::BridgeSummary>> {
	match bridging::bring_up(deployment, endpoints, supervisor, program).await {
		Ok(bridges) => Ok(bridges),
		Err(e) => {
			supervisor.stop_all(Duration::from_secs(10));
			Err(format!("bringing the bridges up failed: {e}").into())
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::cli::parse;

	fn producer() -> NodeArgs {
		NodeArgs {
			chain_spec: "/l/alpha/chain-spec.json".into(),
			dir: "/l/alpha/alpha-producer-1".into(),
			name: "alpha-producer-1".into(),
			role: Role::Producer,
			node_key_file: "/l/alpha/alpha-producer-1/node-key".into(),
			bootnodes: vec![],
		}
	}

	#[test]
	fn a_node_command_line_holds_no_node_key() {
		let args = producer().args(&Ports { rpc: 40001, p2p: 40002, prometheus: 40003 });
		assert!(!args.iter().any(|a| a == "--node-key"), "{args:?}");
		// No argument looks like a 32-byte secret in hex.
		let hex_secret = |a: &String| a.len() >= 64 && a.chars().all(|c| c.is_ascii_hexdigit());
		assert!(!args.iter().any(hex_secret), "{args:?}");
		let cli = parse(&args);
		let keys = &cli.run.network_params.node_key_params;
		assert_eq!(keys.node_key, None);
		assert_eq!(
			keys.node_key_file.as_deref(),
			Some(Path::new("/l/alpha/alpha-producer-1/node-key"))
		);
	}

	#[test]
	fn a_node_answers_browsers_of_known_origins_only() {
		let args = producer().args(&Ports { rpc: 40001, p2p: 40002, prometheus: 40003 });
		assert!(!args.iter().any(|a| a == "all" || a.contains("cors=*")), "{args:?}");
		let cli = parse(&args);
		let endpoints = &cli.run.rpc_params.experimental_rpc_endpoint;
		assert_eq!(endpoints.len(), 1);
		let rpc = &endpoints[0];
		assert_eq!(rpc.listen_addr, "127.0.0.1:40001".parse().unwrap());
		assert_eq!(format!("{:?}", rpc.rpc_methods), "Auto");
		// Failing on a taken port lets the supervisor move the node; moving by itself would
		// leave launch.json pointing elsewhere.
		assert!(!rpc.retry_random_port);
		// The origins sc-cli allows when --rpc-cors is not given: polkadot.js apps and pages
		// served from this host.
		let default = parse(&[]).run.rpc_params.rpc_cors(false).unwrap();
		assert!(default.as_ref().is_some_and(|o| o.contains(&"https://polkadot.js.org".into())));
		assert_eq!(rpc.cors, default);
	}

	#[test]
	fn the_supervisor_makes_a_node_command_line_with_new_ports() {
		let node = producer();
		let (old, new) = (Ports { rpc: 1, p2p: 2, prometheus: 3 }, Ports::from_slice(&[7, 8, 9]));
		assert_eq!(Ports::from_slice(&old.to_vec()), old);
		let args = node.args(&new);
		let cli = parse(&args);
		assert_eq!(cli.run.rpc_params.experimental_rpc_endpoint[0].listen_addr.port(), 7);
		assert!(args.contains(&"/ip4/127.0.0.1/tcp/8".to_string()), "{args:?}");
		assert_eq!(cli.run.prometheus_params.prometheus_port, Some(9));
	}
}
