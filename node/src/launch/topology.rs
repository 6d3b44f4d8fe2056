//! The topology file: which networks to run, with how many producers and consumers, and which
//! of them are bridged. Documented in `chain-specs/README.md`.

use super::slots;
use plexus_primitives::{validate_identity, DEFAULT_BLOCK_TIME_MS, MAX_NETWORK_NAME_LEN};
use plexus_runtime::bridges::PEER_SLOTS;
use serde::{Deserialize, Serialize};
use std::{collections::BTreeSet, fmt, path::Path};

/// Producers are GRANDPA voters and Aura authorities; the runtime caps both sets at 32.
pub const MAX_PRODUCERS: u32 = 32;
/// Bounds that keep a mistyped number from starting a thousand processes.
pub const MAX_CONSUMERS: u32 = 16;
pub const MAX_NETWORKS: usize = 16;
/// Producers and consumers of every network together.
pub const MAX_NODES: u32 = 128;
/// As many as `MAX_NETWORKS` networks can use with every peer slot taken.
pub const MAX_BRIDGES: usize = MAX_NETWORKS * PEER_SLOTS as usize / 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
	#[serde(rename = "network", default)]
	pub networks: Vec<NetworkSpec>,
	#[serde(rename = "bridge", default)]
	pub bridges: Vec<BridgeSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
	/// Lower-case letters, digits and '-'; names directories, chain ids and nodes.
	pub name: String,
	/// The network's `NetworkId`, unique in the topology.
	pub id: u32,
	/// Authorities that author blocks, vote in GRANDPA and keep the full (archive) ledger.
	pub producers: u32,
	/// Non-authority full nodes with pruned state that follow the producers and serve reads.
	#[serde(default)]
	pub consumers: u32,
	/// Target block time; stored in the network's genesis (Aura slot duration).
	#[serde(default = "default_block_time")]
	pub block_time_ms: u64,
	/// Whether `launch` serves the network over Ethereum JSON-RPC too (eth-rpc, beside its first
	/// producer); `launch --eth-rpc` does it for every network.
	#[serde(default, skip_serializing_if = "std::ops::Not::not")]
	pub eth_rpc: bool,
}

fn default_block_time() -> u64 {
	DEFAULT_BLOCK_TIME_MS
}

/// A bridge between two networks; it works in both directions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeSpec {
	pub between: [String; 2],
}

/// What is wrong with a topology. Each message names the offending network or bridge.
#[derive(Debug, PartialEq, Eq)]
pub enum TopologyError {
	Parse(String),
	NoNetworks,
	TooManyNetworks(usize),
	TooManyNodes(u32),
	TooManyBridgesOverall(usize),
	BadName { name: String, why: String },
	DuplicateName(String),
	DuplicateId { id: u32, first: String, second: String },
	ZeroProducers(String),
	TooManyProducers { network: String, producers: u32 },
	TooManyConsumers { network: String, consumers: u32 },
	BadBlockTime { network: String, why: String },
	UnknownBridgeEnd { end: String },
	SelfBridge(String),
	DuplicateBridge { a: String, b: String },
	TooManyBridges { network: String, bridges: usize },
	NoSlotAssignment,
	SlotSearchTooLong,
}

impl fmt::Display for TopologyError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::Parse(e) => write!(f, "{e}"),
			Self::NoNetworks => write!(f, "the topology has no [[network]] entries"),
			Self::TooManyNetworks(n) => {
				write!(f, "the topology has {n} networks; at most {MAX_NETWORKS} are allowed")
			},
			Self::TooManyNodes(n) => write!(
				f,
				"the topology has {n} producers and consumers in all; at most {MAX_NODES} are \
				 allowed"
			),
			Self::TooManyBridgesOverall(n) => {
				write!(f, "the topology has {n} bridges; at most {MAX_BRIDGES} are allowed")
			},
			Self::BadName { name, why } => write!(f, "network name {name:?}: {why}"),
			Self::DuplicateName(n) => write!(f, "network name {n:?} is used twice"),
			Self::DuplicateId { id, first, second } => {
				write!(f, "networks {first:?} and {second:?} both have id {id}")
			},
			Self::ZeroProducers(n) => write!(
				f,
				"network {n:?} has zero producers; it needs at least one to author blocks"
			),
			Self::TooManyProducers { network, producers } => write!(
				f,
				"network {network:?} has {producers} producers; at most {MAX_PRODUCERS} are allowed"
			),
			Self::TooManyConsumers { network, consumers } => write!(
				f,
				"network {network:?} has {consumers} consumers; at most {MAX_CONSUMERS} are allowed"
			),
			Self::BadBlockTime { network, why } => write!(f, "network {network:?}: {why}"),
			Self::UnknownBridgeEnd { end } => {
				write!(f, "a bridge names network {end:?}, which the topology does not define")
			},
			Self::SelfBridge(n) => write!(f, "a bridge joins network {n:?} to itself"),
			Self::TooManyBridges { network, bridges } => write!(
				f,
				"network {network:?} has {bridges} bridges but a network has {PEER_SLOTS} peer \
				 slots; reach the others through a bridged peer (the event router forwards)"
			),
			Self::NoSlotAssignment => write!(
				f,
				"the bridges cannot share out the {PEER_SLOTS} peer slots so that both ends of \
				 each bridge use the same one (docs/bridges.md); remove a bridge from the busiest \
				 networks"
			),
			Self::SlotSearchTooLong => write!(
				f,
				"no assignment of the {PEER_SLOTS} peer slots to the bridges was found within \
				 {} tries, and there may be none (docs/bridges.md); remove a bridge from the \
				 networks that have {PEER_SLOTS}",
				slots::SEARCH_STEPS
			),
			Self::DuplicateBridge { a, b } => {
				write!(f, "the bridge between {a:?} and {b:?} is listed twice")
			},
		}
	}
}

impl std::error::Error for TopologyError {}

impl Topology {
	/// Parses and validates a topology; nothing is started from an invalid one.
	pub fn parse(text: &str) -> Result<Self, TopologyError> {
		let topology: Topology =
			toml::from_str(text).map_err(|e| TopologyError::Parse(e.to_string()))?;
		topology.validate()?;
		Ok(topology)
	}

	pub fn load(path: &Path) -> Result<Self, String> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| format!("cannot read topology {}: {e}", path.display()))?;
		Self::parse(&text).map_err(|e| format!("invalid topology {}: {e}", path.display()))
	}

	pub fn validate(&self) -> Result<(), TopologyError> {
		if self.networks.is_empty() {
			return Err(TopologyError::NoNetworks);
		}
		// Caps first: what follows (slot assignment above all) grows with these numbers.
		if self.networks.len() > MAX_NETWORKS {
			return Err(TopologyError::TooManyNetworks(self.networks.len()));
		}
		if self.bridges.len() > MAX_BRIDGES {
			return Err(TopologyError::TooManyBridgesOverall(self.bridges.len()));
		}
		let mut names = BTreeSet::new();
		for (i, n) in self.networks.iter().enumerate() {
			check_name(&n.name)?;
			if !names.insert(n.name.as_str()) {
				return Err(TopologyError::DuplicateName(n.name.clone()));
			}
			if let Some(first) = self.networks[..i].iter().find(|m| m.id == n.id) {
				return Err(TopologyError::DuplicateId {
					id: n.id,
					first: first.name.clone(),
					second: n.name.clone(),
				});
			}
			if n.producers == 0 {
				return Err(TopologyError::ZeroProducers(n.name.clone()));
			}
			if n.producers > MAX_PRODUCERS {
				return Err(TopologyError::TooManyProducers {
					network: n.name.clone(),
					producers: n.producers,
				});
			}
			if n.consumers > MAX_CONSUMERS {
				return Err(TopologyError::TooManyConsumers {
					network: n.name.clone(),
					consumers: n.consumers,
				});
			}
			validate_identity(n.name.as_bytes(), n.block_time_ms).map_err(|e| {
				TopologyError::BadBlockTime { network: n.name.clone(), why: e.to_string() }
			})?;
		}
		// Each count is capped above, so the sum cannot overflow.
		let nodes: u32 = self.networks.iter().map(|n| n.producers + n.consumers).sum();
		if nodes > MAX_NODES {
			return Err(TopologyError::TooManyNodes(nodes));
		}
		let mut pairs = BTreeSet::new();
		for b in &self.bridges {
			let [a, c] = &b.between;
			for end in [a, c] {
				if !names.contains(end.as_str()) {
					return Err(TopologyError::UnknownBridgeEnd { end: end.clone() });
				}
			}
			if a == c {
				return Err(TopologyError::SelfBridge(a.clone()));
			}
			let key = if a < c { (a, c) } else { (c, a) };
			if !pairs.insert(key) {
				return Err(TopologyError::DuplicateBridge { a: a.clone(), b: c.clone() });
			}
		}
		self.bridge_slots().map(|_| ())
	}

	/// The bridges as pairs of network indices, in file order.
	pub fn bridge_edges(&self) -> Vec<(usize, usize)> {
		let index = |name: &str| {
			self.networks.iter().position(|n| n.name == name).expect("validated bridge ends")
		};
		self.bridges.iter().map(|b| (index(&b.between[0]), index(&b.between[1]))).collect()
	}

	/// The peer slot of each bridge, in file order.
	pub fn bridge_slots(&self) -> Result<Vec<u8>, TopologyError> {
		slots::assign(self.networks.len(), &self.bridge_edges()).map_err(|e| match e {
			slots::SlotError::TooManyBridges { network, bridges } => {
				TopologyError::TooManyBridges {
					network: self.networks[network].name.clone(),
					bridges,
				}
			},
			slots::SlotError::NoAssignment => TopologyError::NoSlotAssignment,
			slots::SlotError::SearchTooLong => TopologyError::SlotSearchTooLong,
		})
	}
}

fn check_name(name: &str) -> Result<(), TopologyError> {
	let bad = |why: &str| TopologyError::BadName { name: name.to_string(), why: why.to_string() };
	if name.is_empty() {
		return Err(bad("it is empty"));
	}
	if name.len() > MAX_NETWORK_NAME_LEN as usize {
		return Err(bad("it is longer than 32 characters"));
	}
	if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
		return Err(bad("use only lower-case letters, digits and '-'"));
	}
	if name.starts_with('-') {
		return Err(bad("it starts with '-'"));
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	const DEFAULT: &str = include_str!("../../../chain-specs/default.toml");
	const ONE_PRODUCER: &str = include_str!("../../../chain-specs/one-producer.toml");
	const FOUR_NETWORKS: &str = include_str!("../../../chain-specs/four-networks.toml");

	fn two(extra: &str) -> String {
		format!(
			"[[network]]\nname = \"alpha\"\nid = 1\nproducers = 3\nconsumers = 1\n\n\
			 [[network]]\nname = \"beta\"\nid = 2\nproducers = 3\nconsumers = 1\n{extra}"
		)
	}

	#[test]
	fn default_topology_is_two_bridged_networks() {
		let t = Topology::parse(DEFAULT).expect("the shipped default is valid");
		assert_eq!(t.networks.len(), 2);
		assert!(t.networks.iter().all(|n| n.producers == 3 && n.consumers == 1));
		assert_ne!(t.networks[0].id, t.networks[1].id);
		assert_eq!(t.bridges.len(), 1);
	}

	#[test]
	fn one_producer_topology_is_one_network_at_the_shortest_block_time() {
		let t = Topology::parse(ONE_PRODUCER).expect("the shipped one-producer topology is valid");
		assert_eq!(t.networks.len(), 1);
		assert_eq!((t.networks[0].producers, t.networks[0].consumers), (1, 0));
		assert_eq!(t.networks[0].block_time_ms, plexus_primitives::MIN_BLOCK_TIME_MS);
		assert!(t.bridges.is_empty());
	}

	#[test]
	fn four_networks_topology_is_a_ring_of_default_networks() {
		let t = Topology::parse(FOUR_NETWORKS).expect("the shipped four-network topology is valid");
		assert_eq!(t.networks.len(), 4);
		assert!(t.networks.iter().all(|n| n.producers == 3 && n.consumers == 1));
		assert!(t.networks.iter().all(|n| n.block_time_ms == DEFAULT_BLOCK_TIME_MS));
		assert_eq!(t.bridges.len(), 4);
		for network in &t.networks {
			let bridges = t.bridges.iter().filter(|b| b.between.contains(&network.name)).count();
			assert_eq!(bridges, 2, "{} is in a ring", network.name);
		}
	}

	#[test]
	fn block_time_defaults() {
		let t = Topology::parse(&two("")).unwrap();
		assert_eq!(t.networks[0].block_time_ms, DEFAULT_BLOCK_TIME_MS);
	}

	fn err(text: &str) -> String {
		Topology::parse(text).unwrap_err().to_string()
	}

	#[test]
	fn unknown_key_is_named() {
		let e = err("[[network]]\nname = \"a\"\nid = 1\nproducers = 1\nvalidators = 2\n");
		assert!(e.contains("validators"), "{e}");
		let e = err(&two("[settings]\nx = 1\n"));
		assert!(e.contains("settings"), "{e}");
	}

	#[test]
	fn zero_producers_is_refused() {
		let e = err("[[network]]\nname = \"a\"\nid = 1\nproducers = 0\n");
		assert!(e.contains("\"a\" has zero producers"), "{e}");
	}

	#[test]
	fn duplicate_names_and_ids_are_refused() {
		let e = err("[[network]]\nname = \"a\"\nid = 1\nproducers = 1\n[[network]]\nname = \"a\"\nid = 2\nproducers = 1\n");
		assert!(e.contains("\"a\" is used twice"), "{e}");
		let e = err("[[network]]\nname = \"a\"\nid = 1\nproducers = 1\n[[network]]\nname = \"b\"\nid = 1\nproducers = 1\n");
		assert!(e.contains("both have id 1"), "{e}");
	}

	#[test]
	fn a_network_with_more_bridges_than_peer_slots_is_named() {
		let mut text = String::new();
		for (i, name) in ["hub", "a", "b", "c", "d", "e"].iter().enumerate() {
			text += &format!("[[network]]\nname = \"{name}\"\nid = {}\nproducers = 1\n", i + 1);
		}
		for leaf in ["a", "b", "c", "d", "e"] {
			text += &format!("[[bridge]]\nbetween = [\"hub\", \"{leaf}\"]\n");
		}
		let e = Topology::parse(&text).unwrap_err();
		assert_eq!(e, TopologyError::TooManyBridges { network: "hub".into(), bridges: 5 });
		assert!(e.to_string().contains("\"hub\" has 5 bridges"), "{e}");
	}

	/// `k` bridges that share no network, then a complete graph of 5 networks (every degree 4,
	/// but 5 slots needed): the audit's topology that made validation run for ever.
	fn disjoint_bridges_then_k5(k: usize) -> String {
		let names: Vec<String> = (0..2 * k + 5).map(|i| format!("n{i}")).collect();
		let mut text = String::new();
		for (i, name) in names.iter().enumerate() {
			text += &format!("[[network]]\nname = \"{name}\"\nid = {}\nproducers = 1\n", i + 1);
		}
		let mut bridge = |a: &str, b: &str| {
			text += &format!("[[bridge]]\nbetween = [\"{a}\", \"{b}\"]\n");
		};
		for i in 0..k {
			bridge(&names[2 * i], &names[2 * i + 1]);
		}
		for a in 0..5 {
			for b in a + 1..5 {
				bridge(&names[2 * k + a], &names[2 * k + b]);
			}
		}
		text
	}

	#[test]
	fn topologies_that_fit_no_slot_assignment_are_refused_at_once() {
		let e = Topology::parse(&disjoint_bridges_then_k5(5)).unwrap_err();
		assert_eq!(e, TopologyError::NoSlotAssignment);
		let e = Topology::parse(&disjoint_bridges_then_k5(20)).unwrap_err();
		assert_eq!(e, TopologyError::TooManyNetworks(45));
		assert!(e.to_string().contains("at most 16"), "{e}");
	}

	#[test]
	fn sizes_are_capped() {
		let many = |networks: usize, producers: u32| {
			(1..=networks)
				.map(|i| {
					format!("[[network]]\nname = \"n{i}\"\nid = {i}\nproducers = {producers}\n")
				})
				.collect::<String>()
		};
		assert!(Topology::parse(&many(MAX_NETWORKS, 8)).is_ok());
		let e = err(&many(MAX_NETWORKS, 9));
		assert!(e.contains("144 producers and consumers") && e.contains("at most 128"), "{e}");
		let mut text = many(2, 1);
		for _ in 0..=MAX_BRIDGES {
			text += "[[bridge]]\nbetween = [\"n1\", \"n2\"]\n";
		}
		assert_eq!(Topology::parse(&text), Err(TopologyError::TooManyBridgesOverall(33)));
	}

	#[test]
	fn bad_bridges_are_refused() {
		let e = err(&two("[[bridge]]\nbetween = [\"alpha\", \"gamma\"]\n"));
		assert!(e.contains("\"gamma\""), "{e}");
		let e = err(&two("[[bridge]]\nbetween = [\"alpha\", \"alpha\"]\n"));
		assert!(e.contains("to itself"), "{e}");
		let e = err(&two(
			"[[bridge]]\nbetween = [\"alpha\", \"beta\"]\n[[bridge]]\nbetween = [\"beta\", \"alpha\"]\n",
		));
		assert!(e.contains("listed twice"), "{e}");
		let e = err(&two("[[bridge]]\nbetween = [\"alpha\"]\n"));
		assert!(!e.is_empty());
	}

	#[test]
	fn bad_values_are_refused() {
		let e = err("[[network]]\nname = \"Alpha Net\"\nid = 1\nproducers = 1\n");
		assert!(e.contains("lower-case"), "{e}");
		let e = err("[[network]]\nname = \"a\"\nid = 1\nproducers = 1\nblock_time_ms = 100\n");
		assert!(e.contains("block time"), "{e}");
		let e = err("[[network]]\nname = \"a\"\nid = 1\nproducers = 40\n");
		assert!(e.contains("at most 32"), "{e}");
		let e = err("");
		assert!(e.contains("no [[network]]"), "{e}");
		let e = err("[[network]]\nname = \"a\"\nid = -1\nproducers = 1\n");
		assert!(!e.is_empty());
	}
}
