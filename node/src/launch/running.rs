//! Step 6 of launch: keep the deployment running. Report and restart a child that dies, start
//! or stop the nodes that deployment.json adds or retires, keep launch.json current, and stop
//! everything on SIGINT or SIGTERM.

use super::{
	bridging,
	dashboard::{self, Dashboard},
	eth_rpc, monitoring, reconcile,
	report::{self, DashboardSummary, LaunchReport, NetworkSummary, PrometheusSummary},
	supervisor::{Incident, Supervisor},
	Deployment, NodeEndpoint, Ports,
};
use std::{
	path::{Path, PathBuf},
	time::{Duration, Instant},
};

/// What step 6 keeps current.
pub(super) struct Running {
	pub(super) supervisor: Supervisor,
	pub(super) endpoints: Vec<NodeEndpoint>,
	pub(super) bridges: Vec<bridging::BridgeSummary>,
	pub(super) networks: Vec<NetworkSummary>,
	pub(super) eth_rpc: Vec<eth_rpc::EthRpcSummary>,
	pub(super) report_file: PathBuf,
	pub(super) dashboard: Option<Dashboard>,
}

impl Running {
	pub(super) fn report(&self) -> LaunchReport<'_> {
		LaunchReport {
			networks: &self.networks,
			nodes: &self.endpoints,
			bridges: &self.bridges,
			eth_rpc: &self.eth_rpc,
			dashboard: self.dashboard.as_ref().map(|d| DashboardSummary::new(d.port)),
			prometheus: prometheus_summary(&self.prometheus_dir()),
		}
	}

	fn prometheus_dir(&self) -> PathBuf {
		prometheus_dir(&self.report_file)
	}

	/// Writes launch.json and the Prometheus targets, and shows the dashboard what runs.
	pub(super) fn write(&self) -> Result<(), String> {
		let report = self.report();
		report::write_report(&self.report_file, &report)?;
		let metrics = self.dashboard.as_ref().map(Dashboard::metrics_url);
		monitoring::write(&self.prometheus_dir(), &report, metrics.as_deref())?;
		self.publish();
		Ok(())
	}

	/// Shows the dashboard what runs now.
	pub(super) fn publish(&self) {
		if let Some(d) = &self.dashboard {
			let networks: Vec<_> = self.networks.iter().map(|n| (n.name.clone(), n.id)).collect();
			d.publish(view(
				&networks,
				&self.endpoints,
				&self.bridges,
				&self.eth_rpc,
				&self.supervisor,
			));
		}
	}
}

/// `<base>/prometheus`, beside `launch.json`.
pub(super) fn prometheus_dir(report_file: &Path) -> PathBuf {
	report_file.parent().unwrap_or(Path::new(".")).join("prometheus")
}

pub(super) fn prometheus_summary(dir: &Path) -> PrometheusSummary {
	PrometheusSummary { config: dir.join("prometheus.yml"), rules: dir.join("plexus.rules.yml") }
}

fn child_view(name: &str, supervisor: &Supervisor) -> dashboard::ViewChild {
	let child = supervisor.child(name);
	dashboard::ViewChild {
		name: name.to_string(),
		pid: child.and_then(|c| c.pid()).unwrap_or(0),
		restarts: child.map_or(0, |c| c.restarts_total),
		since_restart: child.and_then(|c| c.last_restart).map(|t| Instant::now().duration_since(t)),
		given_up: child.is_some_and(|c| c.given_up),
		running: child.is_some_and(|c| c.pid().is_some()),
	}
}

/// What the dashboard shows: every network, node, relayer and eth-rpc launch runs.
pub(super) fn view(
	networks: &[(String, u32)],
	endpoints: &[NodeEndpoint],
	bridges: &[bridging::BridgeSummary],
	eth_rpc: &[eth_rpc::EthRpcSummary],
	supervisor: &Supervisor,
) -> dashboard::View {
	dashboard::View {
		networks: networks
			.iter()
			.map(|(name, id)| dashboard::ViewNetwork { name: name.clone(), id: *id })
			.collect(),
		nodes: endpoints
			.iter()
			.map(|e| dashboard::ViewNode {
				child: child_view(&e.name, supervisor),
				network: e.network.clone(),
				role: e.role.to_string(),
				rpc: e.rpc.clone(),
				metrics: e.prometheus.clone(),
			})
			.collect(),
		bridges: bridges
			.iter()
			.map(|b| dashboard::ViewBridge {
				between: b.between.clone(),
				slot: b.slot,
				relayer: child_view(&bridging::relayer_name(&b.between), supervisor),
			})
			.collect(),
		eth_rpc: eth_rpc
			.iter()
			.map(|e| dashboard::ViewEthRpc {
				network: e.network.clone(),
				url: e.url.clone(),
				child: child_view(&eth_rpc::child_name(&e.network), supervisor),
			})
			.collect(),
	}
}

/// Step 6: reports and restarts a node or relayer that dies, and starts or stops nodes that
/// deployment.json adds or retires, keeping `report_file` current, until SIGINT or SIGTERM; then
/// stops every child, removes `report_file` and returns.
pub(super) async fn supervise_loop(
	running: &mut Running,
	signals: &mut Signals,
	base: &Path,
	program: &Path,
) -> sc_cli::Result<()> {
	let deployment_file = base.join("deployment.json");
	let modified = || std::fs::metadata(&deployment_file).and_then(|m| m.modified()).ok();
	let mut seen = modified();
	let mut last_publish = Instant::now();
	loop {
		if let Some(sig) = signals.received() {
			eprintln!("plexus launch: {sig} received; stopping {} nodes", running.endpoints.len());
			running.supervisor.stop_all(Duration::from_secs(10));
			let _ = std::fs::remove_file(&running.report_file);
			eprintln!("plexus launch: all nodes stopped");
			return Ok(());
		}
		let mut changed = false;
		if modified() != seen {
			seen = modified();
			let latest = Deployment::open(base).and_then(|deployment| {
				reconcile(&deployment, program, &mut running.supervisor, &mut running.endpoints)
			});
			match latest {
				Ok(c) => changed = c,
				Err(e) => eprintln!("plexus launch: cannot apply the changed deployment.json: {e}"),
			}
		}
		let incidents = running.supervisor.check();
		if changed || !incidents.is_empty() {
			eth_rpc::follow_producers(&incidents, &mut running.eth_rpc, &mut running.supervisor);
			report_incidents(incidents, &mut running.endpoints, &running.supervisor);
			for e in running.eth_rpc.iter_mut() {
				eth_rpc::refresh(e, &running.supervisor);
			}
			for bridge in running.bridges.iter_mut() {
				let name = bridging::relayer_name(&bridge.between);
				if let Some(child) = running.supervisor.child(&name) {
					bridge.relayer_pid = child.pid().unwrap_or(0);
					bridge.relayer_metrics =
						format!("http://127.0.0.1:{}/metrics", child.spec.ports[0]);
				}
			}
			running.write()?;
		} else if last_publish.elapsed() >= Duration::from_secs(1) {
			// Restarting and recovered children change state with time alone.
			running.publish();
			last_publish = Instant::now();
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
}

pub(super) fn report_incidents(
	incidents: Vec<Incident>,
	endpoints: &mut [NodeEndpoint],
	supervisor: &Supervisor,
) {
	for incident in incidents {
		match incident {
			Incident::Restarted { name, status, reason, log, rebound: false } => eprintln!(
				"plexus launch: {name} exited ({status}: {reason}); restarted. Log: {}",
				log.display()
			),
			Incident::Restarted { name, status, log, rebound: true, .. } => eprintln!(
				"plexus launch: {name} exited ({status}): another process took a port of it; \
				 restarted on new ports. Log: {}",
				log.display()
			),
			Incident::Stopped { name, reason, log } => eprintln!(
				"plexus launch: {name} stopped and will not be restarted: {reason}. Log: {}",
				log.display()
			),
			Incident::GaveUp { name, status, reason, log } => {
				eprintln!(
					"plexus launch: {name} exited ({status}: {reason}) and keeps failing; not \
					 restarting it. Log: {}",
					log.display()
				);
				let database =
					supervisor.child(&name).and_then(|c| c.spec.revive_when_absent.clone());
				if let Some(database) = database.filter(|_| database_failure(&reason)) {
					eprintln!("{}", resync_advice(&name, &database));
				}
			},
			Incident::Revived { name, log } => eprintln!(
				"plexus launch: {name}'s database is gone; started it again to resync from its \
				 peers. Log: {}",
				log.display()
			),
		}
	}
	for e in endpoints.iter_mut() {
		if let Some(c) = supervisor.child(&e.name) {
			e.pid = c.pid().unwrap_or(0);
			e.set_ports(&Ports::from_slice(&c.spec.ports));
		}
	}
}

/// Whether a node's failure is its database's: what sc-client-db and ParityDb say when they
/// cannot open or read it.
fn database_failure(reason: &str) -> bool {
	["Backend error", "Corruption", "database", "Database"].iter().any(|m| reason.contains(m))
}

/// How to resync the node whose database is at `database` (`<node>/chains/<id>/paritydb/full`)
/// from its peers: remove the database, which launch notices and starts the node again.
fn resync_advice(name: &str, database: &Path) -> String {
	let node_dir = database.ancestors().nth(4).unwrap_or(database);
	let spec = node_dir.parent().unwrap_or(node_dir).join("chain-spec.json");
	format!(
		"plexus launch: {name}'s database at {} cannot be used. To resync it from its peers, run\n\
		 \n    plexus-node purge-chain -y --chain {} --base-path {}\n\n\
		 and launch starts it again (its keys and node key are kept).",
		database.display(),
		spec.display(),
		node_dir.display()
	)
}

/// SIGINT and SIGTERM, noticed between supervision steps.
pub(super) struct Signals {
	int: tokio::signal::unix::Signal,
	term: tokio::signal::unix::Signal,
}

impl Signals {
	pub(super) fn new() -> Result<Self, String> {
		use tokio::signal::unix::{signal, SignalKind};
		let err = |e| format!("cannot install signal handlers: {e}");
		Ok(Self {
			int: signal(SignalKind::interrupt()).map_err(err)?,
			term: signal(SignalKind::terminate()).map_err(err)?,
		})
	}

	pub(super) fn received(&mut self) -> Option<&'static str> {
		use futures::FutureExt;
		if self.int.recv().now_or_never().is_some() {
			return Some("SIGINT");
		}
		if self.term.recv().now_or_never().is_some() {
			return Some("SIGTERM");
		}
		None
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::cli::parse;

	#[test]
	fn a_broken_database_gets_the_command_that_resyncs_it() {
		// What a node says when ParityDb's metadata file is damaged.
		let reason = "Error: Backend error: Corruption: Bad metadata";
		assert!(database_failure(reason));
		assert!(!database_failure("Error: Invalid node key: bad length"));
		let db = Path::new("/l/beta/beta-consumer-1/chains/plexus_beta/paritydb/full");
		let advice = resync_advice("beta-consumer-1", db);
		let command = advice.lines().find(|l| l.contains("purge-chain")).unwrap().trim();
		let args: Vec<String> = command.split(' ').skip(1).map(String::from).collect();
		assert_eq!(
			args,
			[
				"purge-chain",
				"-y",
				"--chain",
				"/l/beta/chain-spec.json",
				"--base-path",
				"/l/beta/beta-consumer-1"
			]
		);
		// The command line the node's own CLI reads, and the database path it purges.
		let cli = parse(&args);
		let Some(crate::cli::Subcommand::PurgeChain(purge)) = cli.subcommand else {
			panic!("purge-chain")
		};
		assert_eq!(
			purge.shared_params.base_path.as_deref(),
			Some(Path::new("/l/beta/beta-consumer-1"))
		);
	}
}
