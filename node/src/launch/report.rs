//! What `launch` tells its user once everything runs: the table on standard output and
//! `launch.json`, which scripts and tests read (the same facts, kept current while launch runs).

use super::{
	bridging::BridgeSummary, eth_rpc, eth_rpc::EthRpcSummary, plan::Deployment, NodeEndpoint,
};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Serialize)]
pub struct NetworkSummary {
	pub name: String,
	pub id: u32,
	pub genesis: String,
	pub chain_spec: PathBuf,
	/// Its chain id for Ethereum tools, whether or not eth-rpc serves it.
	pub evm_chain_id: u64,
}

/// `launch.json`.
#[derive(Serialize)]
pub struct LaunchReport<'a> {
	pub networks: &'a [NetworkSummary],
	pub nodes: &'a [NodeEndpoint],
	pub bridges: &'a [BridgeSummary],
	/// One per network served over Ethereum JSON-RPC; empty without `--eth-rpc`.
	pub eth_rpc: &'a [EthRpcSummary],
	/// The live map (`null` with `--no-dashboard`).
	pub dashboard: Option<DashboardSummary>,
	/// What Prometheus needs to watch this deployment (`<base>/prometheus/`).
	pub prometheus: PrometheusSummary,
}

#[derive(Clone, Serialize)]
pub struct DashboardSummary {
	/// The page.
	pub url: String,
	/// The JSON snapshot (`/api/v1/snapshot`); its changes stream at `/api/v1/events`.
	pub api: String,
	/// launch's own metrics.
	pub metrics: String,
}

impl DashboardSummary {
	pub fn new(port: u16) -> Self {
		let base = format!("http://127.0.0.1:{port}");
		Self {
			url: format!("{base}/"),
			api: format!("{base}/api/v1/snapshot"),
			metrics: format!("{base}/metrics"),
		}
	}
}

#[derive(Clone, Serialize)]
pub struct PrometheusSummary {
	pub config: PathBuf,
	pub rules: PathBuf,
}

pub fn apps_link(rpc: &str) -> String {
	format!(
		"https://polkadot.js.org/apps/?rpc={}#/explorer",
		rpc.replace(':', "%3A").replace('/', "%2F")
	)
}

pub fn print_table(report: &LaunchReport<'_>, deployment: &Deployment) {
	let &LaunchReport { networks, nodes: endpoints, bridges, eth_rpc, .. } = report;
	println!();
	for n in networks {
		let spec = deployment.spec_of(&n.name);
		println!(
			"network {} (NetworkId {}, {} ms blocks, EVM chain id {}) genesis {}",
			n.name, n.id, spec.block_time_ms, n.evm_chain_id, n.genesis
		);
	}
	for b in bridges {
		println!(
			"bridge  {} <-> {}: peer slot {} (pallets BridgeSlot{}Grandpa/Messages, lane 0x00000001), \
			 relayer pid {} metrics {}",
			b.between[0], b.between[1], b.slot, b.slot, b.relayer_pid, b.relayer_metrics
		);
	}
	println!();
	let header = ["NETWORK", "NODE", "ROLE", "RPC", "P2P", "POLKADOT.JS APPS"];
	let rows: Vec<[String; 6]> = endpoints
		.iter()
		.map(|e| {
			[
				e.network.clone(),
				e.name.clone(),
				e.role.to_string(),
				e.rpc.clone(),
				e.p2p.clone(),
				apps_link(&e.rpc),
			]
		})
		.collect();
	let mut widths = header.map(str::len);
	for r in &rows {
		for (w, c) in widths.iter_mut().zip(r) {
			*w = (*w).max(c.len());
		}
	}
	let line = |cells: &[&str]| {
		cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ")
	};
	println!("{}", line(&header));
	for r in &rows {
		println!("{}", line(&r.each_ref().map(String::as_str)));
	}
	if !eth_rpc.is_empty() {
		println!();
		println!("Ethereum JSON-RPC (MetaMask: Settings, Networks, Add a network manually):");
		for e in eth_rpc.iter() {
			println!("  {:<12} {}", e.network, eth_rpc::metamask(e));
		}
	}
	println!();
	if let Some(d) = &report.dashboard {
		println!("Dashboard:  {}  (JSON: {})", d.url, d.api);
	}
	println!(
		"Prometheus: prometheus --config.file={}  (alert rules beside it)",
		report.prometheus.config.display()
	);
	println!(
		"Endpoints are also in {}. Ctrl-C stops every node.",
		deployment.base.join("launch.json").display()
	);
}

pub fn write_report(file: &Path, report: &LaunchReport<'_>) -> Result<(), String> {
	let json = serde_json::to_string_pretty(report).expect("serialisable; qed");
	crate::files::replace(file, json.as_bytes())
}
