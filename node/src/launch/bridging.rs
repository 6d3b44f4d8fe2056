//! Step 5 of `launch`: bring every bridge of the topology up (docs/bridges.md) and start a
//! relayer for each. Light clients and router bindings are governance calls, made here one at a
//! time as the networks' sudo key; next hops follow shortest paths of the topology.

use super::{
	control::SUDO,
	plan::{Deployment, Role},
	slots,
	supervisor::{free_port, ChildSpec, Supervisor},
	topology::Topology,
	NodeEndpoint,
};
use plexus_client::author::dev_pair;
use plexus_relay::{init, secret, slot::Slot, End};
use serde::Serialize;
use std::path::PathBuf;

/// Pays for relay transactions; endowed on every launched network. A well-known key, but passed
/// as a secret would be (in the environment, never in arguments), and set explicitly so that
/// the operator's own `PLEXUS_RELAY_SIGNER` does not leak into relayers of a testnet.
pub const RELAYER: &str = "//Ferdie";

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

/// A route to set up with a bridge: on its end `from` (0 or 1), `destination` is reached through
/// the other end.
pub struct NextHop {
	pub from: usize,
	pub destination: plexus_runtime::Hash,
	/// The destination's name, for progress output.
	pub name: String,
}

/// Brings one bridge up, as far as governance is concerned: both light clients initialised, both
/// routers bound to each other, and the next hops that go over this bridge set. Each step is
/// skipped when done already, so this can be run again (a Kubernetes Job's retries).
pub async fn init_bridge(
	ends: [&End; 2],
	slot: u8,
	hops: &[NextHop],
	sudo: &sp_core::sr25519::Pair,
) -> Result<(), String> {
	init::initialize(ends[0], ends[1], Slot::new(slot)?, sudo).await?;
	for hop in hops {
		let (from, via) = (ends[hop.from], ends[1 - hop.from]);
		eprintln!("plexus: {} reaches {} through {}", from.name, hop.name, via.name);
		init::set_next_hop(from, hop.destination, via.client.genesis(), sudo).await?;
	}
	Ok(())
}

/// The next hops of the topology (shortest paths), filed under the bridge that carries their
/// first step, as `(end of that bridge it starts from, destination network)`. A hop may be set
/// only where the router knows the next network as a peer, which that bridge's initialisation
/// makes it.
pub fn hops_by_bridge(topology: &Topology) -> Vec<Vec<(usize, usize)>> {
	let edges = topology.bridge_edges();
	let mut hops = vec![Vec::new(); edges.len()];
	for ((from, to), via) in slots::next_hops(topology.networks.len(), &edges) {
		let bridge = edges
			.iter()
			.position(|&(a, b)| (a, b) == (from, via) || (a, b) == (via, from))
			.expect("a next hop is a neighbour over a bridge; qed");
		hops[bridge].push((usize::from(edges[bridge].0 != from), to));
	}
	hops
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
	let hops = hops_by_bridge(topology);
	for (((&(a, b), &slot), hops), names) in
		edges.iter().zip(&slots).zip(&hops).zip(topology.bridges.iter().map(|b| &b.between))
	{
		eprintln!(
			"plexus launch: bridge {} <-> {}: initialising peer slot {slot}",
			names[0], names[1]
		);
		let hops: Vec<NextHop> = hops
			.iter()
			.map(|&(from, to)| NextHop {
				from,
				destination: ends[to].client.genesis(),
				name: ends[to].name.clone(),
			})
			.collect();
		init_bridge([&ends[a], &ends[b]], slot, &hops, &sudo).await?;
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

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_next_hop_is_set_with_the_bridge_it_leaves_by() {
		// alpha - beta - gamma - delta, bridges listed as (beta, alpha), (beta, gamma), (gamma,
		// delta): each route's first step is the bridge from its start, from that bridge's end.
		let text = "[[network]]\nname = \"alpha\"\nid = 1\nproducers = 1\n\
			[[network]]\nname = \"beta\"\nid = 2\nproducers = 1\n\
			[[network]]\nname = \"gamma\"\nid = 3\nproducers = 1\n\
			[[network]]\nname = \"delta\"\nid = 4\nproducers = 1\n\
			[[bridge]]\nbetween = [\"beta\", \"alpha\"]\n\
			[[bridge]]\nbetween = [\"beta\", \"gamma\"]\n\
			[[bridge]]\nbetween = [\"gamma\", \"delta\"]\n";
		let topology = Topology::parse(text).unwrap();
		let (alpha, beta, gamma, delta) = (0, 1, 2, 3);
		let mut hops = hops_by_bridge(&topology);
		hops.iter_mut().for_each(|h| h.sort());
		assert_eq!(
			hops,
			[
				// beta-alpha: alpha (end 1) reaches gamma and delta through beta.
				vec![(1, gamma), (1, delta)],
				// beta-gamma: beta (end 0) reaches delta, gamma (end 1) reaches alpha.
				vec![(0, delta), (1, alpha)],
				// gamma-delta: delta (end 1) reaches alpha and beta through gamma.
				vec![(1, alpha), (1, beta)],
			]
		);
	}
}
