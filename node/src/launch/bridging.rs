//! Step 5 of `launch`: bring every bridge of the topology up (docs/bridges.md) and start a
//! relayer for each. Light clients and router bindings are governance calls, made here one at a
//! time as the networks' sudo key; next hops follow shortest paths of the topology.

use super::{
	control::SUDO,
	plan::{Deployment, Role},
	slots,
	supervisor::{free_port, ChildSpec, Supervisor},
	NodeEndpoint,
};
use plexus_client::author::dev_pair;
use plexus_relay::{init, secret, slot::Slot, End};
use serde::Serialize;
use std::path::PathBuf;

/// Pays for relay transactions; endowed on every launched network. A well-known key, but passed
/// as a secret would be (in the environment, never in arguments), and set explicitly so that
/// the operator's own `PLEXUS_RELAY_SIGNER` does not leak into relayers of a testnet.
const RELAYER: &str = "//Ferdie";

#[derive(Clone, Serialize)]
pub struct BridgeSummary {
	pub between: [String; 2],
	pub slot: u8,
	pub relayer_pid: u32,
	pub relayer_log: PathBuf,
	pub relayer_metrics: String,
}

/// The supervisor's name for the relayer of the bridge `between`.
pub fn relayer_name(between: &[String; 2]) -> String {
	format!("relay-{}-{}", between[0], between[1])
}

/// The RPC endpoint of a network's first producer: relayers and governance calls go there.
fn producer_rpc(endpoints: &[NodeEndpoint], network: &str) -> Result<String, String> {
	endpoints
		.iter()
		.find(|e| e.network == network && e.role == Role::Producer)
		.map(|e| e.rpc.clone())
		.ok_or_else(|| format!("network {network} has no producer"))
}

pub async fn bring_up(
	deployment: &Deployment,
	endpoints: &[NodeEndpoint],
	supervisor: &mut Supervisor,
	program: &std::path::Path,
) -> Result<Vec<BridgeSummary>, String> {
	let topology = &deployment.topology;
	if topology.bridges.is_empty() {
		return Ok(Vec::new());
	}
	let sudo = dev_pair(SUDO)?;
	let mut ends = Vec::new();
	for network in &topology.networks {
		let url = producer_rpc(endpoints, &network.name)?;
		ends.push(End::connect(&network.name, &url).await?);
	}
	let edges = topology.bridge_edges();
	let slots = topology.bridge_slots().map_err(|e| e.to_string())?;
	for (&(a, b), &slot) in edges.iter().zip(&slots) {
		eprintln!(
			"plexus launch: bridge {} <-> {}: initialising peer slot {slot}",
			ends[a].name, ends[b].name
		);
		init::initialize(&ends[a], &ends[b], Slot::new(slot)?, &sudo).await?;
	}
	for ((from, to), via) in slots::next_hops(ends.len(), &edges) {
		eprintln!(
			"plexus launch: {} reaches {} through {}",
			ends[from].name, ends[to].name, ends[via].name
		);
		let (destination, next) = (ends[to].client.genesis(), ends[via].client.genesis());
		init::set_next_hop(&ends[from], destination, next, &sudo).await?;
	}

	let mut bridges = Vec::new();
	for (&(a, b), &slot) in edges.iter().zip(&slots) {
		let (a, b) = (&ends[a], &ends[b]);
		let metrics_port = free_port().map_err(|e| format!("no free port: {e}"))?;
		let log = deployment.base.join(format!("relay-{}-{}.log", a.name, b.name));
		let (a_url, b_url, names) =
			(a.client.url.clone(), b.client.url.clone(), [a.name.clone(), b.name.clone()]);
		let args = move |ports: &[u16]| {
			vec![
				"relay".to_string(),
				"--a".into(),
				a_url.clone(),
				"--b".into(),
				b_url.clone(),
				"--names".into(),
				names[0].clone(),
				names[1].clone(),
				"--slot".into(),
				slot.to_string(),
				"--prometheus-port".into(),
				ports[0].to_string(),
			]
		};
		supervisor.start(ChildSpec {
			name: relayer_name(&[a.name.clone(), b.name.clone()]),
			program: program.to_path_buf(),
			args: Box::new(args),
			ports: vec![metrics_port],
			env: vec![
				(secret::SIGNER_ENV.into(), Some(RELAYER.into())),
				// The bridges are up already; a relayer need not try again as someone's key.
				(secret::INITIALIZE_AS_ENV.into(), None),
			],
			log: log.clone(),
			// A network upgraded to a runtime this relayer cannot make transactions for.
			final_exit: Some(plexus_relay::EXIT_CANNOT_SERVE),
			revive_when_absent: None,
		})?;
		bridges.push(BridgeSummary {
			between: [a.name.clone(), b.name.clone()],
			slot,
			relayer_pid: supervisor.children.last().and_then(|c| c.pid()).unwrap_or(0),
			relayer_log: log,
			relayer_metrics: format!("http://127.0.0.1:{metrics_port}/metrics"),
		});
		eprintln!("plexus launch: bridge {} <-> {}: relayer started", a.name, b.name);
	}
	Ok(bridges)
}
