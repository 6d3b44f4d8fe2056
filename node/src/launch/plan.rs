//! From a topology to a deployment on disk: one chain spec per network, keys in each producer's
//! keystore, a node key per node. A deployment is made once and reused by later launches on the
//! same base path, so networks keep their ledgers across restarts.
//!
//! Secrets stay in files only their owner can read: node keys in `<node>/node-key`, session
//! keys in keystores (sc-keystore makes those 0600). `deployment.json` holds none.

use super::{
	keys::{NodeKey, SessionKeys},
	topology::{NetworkSpec, Topology},
};
use crate::chain_spec;
use plexus_runtime::{
	genesis_config_presets::{network_genesis, well_known_accounts},
	NetworkId,
};
use serde::{Deserialize, Serialize};
use sp_keyring::Sr25519Keyring;
use std::{
	fs,
	io::Write,
	os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt},
	path::{Path, PathBuf},
};

/// Written by `launch` in every base path it makes; `--fresh` deletes only a directory that has
/// it, so a mistyped `--base-path` cannot remove someone's home directory.
pub const MARKER: &str = ".plexus-launch";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
	/// Authority: authors blocks, votes in GRANDPA, keeps the master ledger (archive state).
	Producer,
	/// Full node: follows the producers, keeps pruned state, serves reads.
	Consumer,
}

impl std::fmt::Display for Role {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(match self {
			Role::Producer => "producer",
			Role::Consumer => "consumer",
		})
	}
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NodeRecord {
	pub name: String,
	pub role: Role,
	/// Retired by `plexus-node producer retire`: no longer a producer of its network; launch
	/// stops it and does not start it again. Its directory is kept.
	#[serde(default, skip_serializing_if = "std::ops::Not::not")]
	pub retired: bool,
	/// Where earlier launches kept the node key; moved to its own file when read.
	#[serde(default, rename = "node_key", skip_serializing)]
	legacy_node_key: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NetworkRecord {
	pub name: String,
	pub id: u32,
	pub chain_id: String,
	pub nodes: Vec<NodeRecord>,
}

/// What `launch` made on disk, written as `deployment.json` under the base path.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Deployment {
	pub topology: Topology,
	pub networks: Vec<NetworkRecord>,
	#[serde(skip)]
	pub base: PathBuf,
}

/// States kept by consumers; producers keep everything.
pub const CONSUMER_STATE_PRUNING: u32 = 256;

impl Deployment {
	/// Loads the deployment under `base`, or makes it if there is none. A deployment made from
	/// another topology is refused rather than silently mixed with this one, and so is a new
	/// one in a directory that holds something `launch` did not make.
	pub fn open_or_create(base: &Path, topology: &Topology) -> Result<Self, String> {
		let file = base.join("deployment.json");
		if file.exists() {
			let text = fs::read_to_string(&file)
				.map_err(|e| format!("cannot read {}: {e}", file.display()))?;
			let mut deployment: Deployment = serde_json::from_str(&text).map_err(|e| {
				format!("{} is damaged ({e}); start over with --fresh", file.display())
			})?;
			if &deployment.topology != topology {
				return Err(format!(
					"{} holds a deployment of a different topology; use --fresh to replace it, \
					 or another --base-path",
					base.display()
				));
			}
			deployment.base = base.to_path_buf();
			deployment.upgrade()?;
			return Ok(deployment);
		}
		if !base.join(MARKER).exists() && !is_empty_or_absent(base)? {
			return Err(format!(
				"{} is not empty and `launch` did not make it; choose another --base-path",
				base.display()
			));
		}
		fs::DirBuilder::new()
			.recursive(true)
			.mode(0o700)
			.create(base)
			.map_err(|e| format!("cannot create {}: {e}", base.display()))?;
		// First, so that --fresh can clear even a deployment whose making failed half-way.
		write_private(&base.join(MARKER), b"made by plexus-node launch\n")?;
		let networks = topology
			.networks
			.iter()
			.map(|n| create_network(base, n))
			.collect::<Result<Vec<_>, _>>()?;
		let deployment = Deployment { topology: topology.clone(), networks, base: base.into() };
		deployment.save()?;
		Ok(deployment)
	}

	/// The deployment a running or earlier `launch` made under `base`, whatever its topology.
	pub fn open(base: &Path) -> Result<Self, String> {
		let file = base.join("deployment.json");
		let text = fs::read_to_string(&file).map_err(|e| {
			format!("cannot read {}: {e}; is there a launched deployment there?", file.display())
		})?;
		let mut deployment: Deployment = serde_json::from_str(&text)
			.map_err(|e| format!("{} is damaged ({e})", file.display()))?;
		deployment.base = base.to_path_buf();
		Ok(deployment)
	}

	/// Written whole or not at all: a running launch reads it to learn of added and retired
	/// nodes.
	pub fn save(&self) -> Result<(), String> {
		let json = serde_json::to_string_pretty(self).expect("serialisable; qed");
		let file = self.base.join("deployment.json");
		let tmp = file.with_extension("json.tmp");
		write_private(&tmp, json.as_bytes())?;
		fs::rename(&tmp, &file).map_err(|e| format!("cannot write {}: {e}", file.display()))
	}

	pub fn network(&self, name: &str) -> Result<&NetworkRecord, String> {
		self.networks.iter().find(|n| n.name == name).ok_or_else(|| {
			let known: Vec<&str> = self.networks.iter().map(|n| n.name.as_str()).collect();
			format!("no network {name:?} in {}; it has {}", self.base.display(), known.join(", "))
		})
	}

	fn network_mut(&mut self, name: &str) -> Result<&mut NetworkRecord, String> {
		self.network(name)?;
		Ok(self.networks.iter_mut().find(|n| n.name == name).expect("checked above; qed"))
	}

	/// Where a producer's node keeps its session keys.
	pub fn keystore_dir(&self, network: &str, node: &str) -> Result<PathBuf, String> {
		let chain_id = &self.network(network)?.chain_id;
		Ok(self.node_dir(network, node).join("chains").join(chain_id).join("keystore"))
	}

	/// Makes a new producer of `network`: its session keys in its keystore, a node key, and its
	/// record, saved. Returns its name and keys; a running launch starts it.
	pub fn add_producer(&mut self, network: &str) -> Result<(String, SessionKeys), String> {
		let record = self.network(network)?;
		let taken = |i: usize| record.nodes.iter().any(|n| n.name == producer_name(network, i));
		let name = producer_name(network, (1..).find(|i| !taken(*i)).expect("unbounded; qed"));
		let keys = SessionKeys::generate();
		keys.install(&self.keystore_dir(network, &name)?)?;
		write_private(
			&self.node_key_path(network, &name),
			NodeKey::generate().to_hex().as_bytes(),
		)?;
		self.network_mut(network)?.nodes.push(NodeRecord {
			name: name.clone(),
			role: Role::Producer,
			retired: false,
			legacy_node_key: None,
		});
		self.save()?;
		Ok((name, keys))
	}

	/// Marks `node` retired and saves: a running launch stops it.
	pub fn retire(&mut self, network: &str, node: &str) -> Result<(), String> {
		let record = self.network_mut(network)?;
		let found = record.nodes.iter_mut().find(|n| n.name == node && !n.retired);
		found.ok_or_else(|| format!("{network} has no running node {node:?}"))?.retired = true;
		self.save()
	}

	/// A deployment of an earlier `launch` kept node keys in a world-readable deployment.json:
	/// moves them to their files, rewrites it without them, and marks the base path as made by
	/// `launch` (which it was).
	fn upgrade(&mut self) -> Result<(), String> {
		let mut moved = false;
		for network in &mut self.networks {
			for node in &mut network.nodes {
				if let Some(hex) = node.legacy_node_key.take() {
					let key = NodeKey::from_hex(&hex)?;
					let path = self.base.join(&network.name).join(&node.name).join(NODE_KEY_FILE);
					write_private(&path, key.to_hex().as_bytes())?;
					moved = true;
				}
			}
		}
		if moved {
			self.save()?;
		}
		if !self.base.join(MARKER).exists() {
			write_private(&self.base.join(MARKER), b"made by plexus-node launch\n")?;
		}
		Ok(())
	}

	pub fn chain_spec_path(&self, network: &str) -> PathBuf {
		self.base.join(network).join("chain-spec.json")
	}

	pub fn node_dir(&self, network: &str, node: &str) -> PathBuf {
		self.base.join(network).join(node)
	}

	/// The node's libp2p secret, 0600, given to it with `--node-key-file`.
	pub fn node_key_path(&self, network: &str, node: &str) -> PathBuf {
		self.node_dir(network, node).join(NODE_KEY_FILE)
	}

	pub fn node_key(&self, network: &str, node: &str) -> Result<NodeKey, String> {
		let path = self.node_key_path(network, node);
		let hex = fs::read_to_string(&path).map_err(|e| {
			format!(
				"cannot read the node key {}: {e}; start over with --fresh or another \
				 --base-path",
				path.display()
			)
		})?;
		NodeKey::from_hex(&hex).map_err(|e| format!("{}: {e}", path.display()))
	}

	pub fn spec_of(&self, network: &str) -> &NetworkSpec {
		self.topology.networks.iter().find(|n| n.name == network).expect("recorded from it; qed")
	}
}

/// What a network is made of before anything is written: its producers' session keys, every
/// node's libp2p key and the raw chain spec whose genesis names those producers. `launch` writes
/// it under its base path, `kubernetes` into Secrets and ConfigMaps.
pub struct NetworkPlan {
	pub chain_id: String,
	pub producers: Vec<(String, SessionKeys, NodeKey)>,
	pub consumers: Vec<(String, NodeKey)>,
	/// The raw chain spec (JSON).
	pub raw_spec: String,
}

/// Makes new keys for every node of `spec` and the genesis they imply. Pure: nothing is written.
pub fn plan_network(spec: &NetworkSpec) -> Result<NetworkPlan, String> {
	let producers: Vec<_> = (1..=spec.producers as usize)
		.map(|i| (producer_name(&spec.name, i), SessionKeys::generate(), NodeKey::generate()))
		.collect();
	let consumers =
		(1..=spec.consumers).map(|i| (consumer_name(&spec.name, i), NodeKey::generate())).collect();
	let keys: Vec<&SessionKeys> = producers.iter().map(|(_, keys, _)| keys).collect();
	let raw_spec = raw_chain_spec(spec, &keys)?;
	Ok(NetworkPlan { chain_id: chain_id(&spec.name), producers, consumers, raw_spec })
}

/// The raw chain spec of `spec` with `producers` as its genesis authorities.
pub fn raw_chain_spec(spec: &NetworkSpec, producers: &[&SessionKeys]) -> Result<String, String> {
	let authorities = producers.iter().map(|k| (k.aura.into(), k.grandpa.into())).collect();
	// Testnet funds and governance: the well-known development accounts, Alice as sudo.
	let patch = network_genesis(
		NetworkId(spec.id),
		&spec.name,
		spec.block_time_ms,
		authorities,
		well_known_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	);
	let display = format!("Plexus {}", spec.name);
	let chain_spec =
		chain_spec::network_chain_spec(&chain_id(&spec.name), &display, spec.id, patch)?;
	chain_spec
		.as_json(true)
		.map_err(|e| format!("cannot build the genesis of network {:?}: {e}", spec.name))
}

fn create_network(base: &Path, spec: &NetworkSpec) -> Result<NetworkRecord, String> {
	let plan = plan_network(spec)?;
	let dir = base.join(&spec.name);
	fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
	let record = |name: &String, role| NodeRecord {
		name: name.clone(),
		role,
		retired: false,
		legacy_node_key: None,
	};
	let mut nodes = Vec::new();
	for (name, keys, node_key) in &plan.producers {
		keys.install(&dir.join(name).join("chains").join(&plan.chain_id).join("keystore"))?;
		write_private(&dir.join(name).join(NODE_KEY_FILE), node_key.to_hex().as_bytes())?;
		nodes.push(record(name, Role::Producer));
	}
	for (name, node_key) in &plan.consumers {
		write_private(&dir.join(name).join(NODE_KEY_FILE), node_key.to_hex().as_bytes())?;
		nodes.push(record(name, Role::Consumer));
	}
	let path = dir.join("chain-spec.json");
	fs::write(&path, &plan.raw_spec)
		.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
	Ok(NetworkRecord { name: spec.name.clone(), id: spec.id, chain_id: plan.chain_id, nodes })
}

/// The chain spec's `id`, under which a node keeps the network's database and keystore.
pub fn chain_id(network: &str) -> String {
	format!("plexus_{}", network.replace('-', "_"))
}

pub fn producer_name(network: &str, i: usize) -> String {
	format!("{network}-producer-{i}")
}

pub fn consumer_name(network: &str, i: u32) -> String {
	format!("{network}-consumer-{i}")
}

/// The node key's file name in the node's directory (hex; sc-cli reads hex or raw bytes).
const NODE_KEY_FILE: &str = "node-key";

/// Writes `bytes` to `path` (making its directory), readable and writable by its owner only,
/// also when the file was there before with wider permissions.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
	let err = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
	if let Some(dir) = path.parent() {
		fs::create_dir_all(dir).map_err(err)?;
	}
	let mut file = fs::OpenOptions::new()
		.write(true)
		.create(true)
		.truncate(true)
		.mode(0o600)
		.open(path)
		.map_err(err)?;
	// `mode` applies only to a file made now.
	file.set_permissions(fs::Permissions::from_mode(0o600)).map_err(err)?;
	file.write_all(bytes).map_err(err)
}

fn is_empty_or_absent(dir: &Path) -> Result<bool, String> {
	match fs::read_dir(dir) {
		Ok(mut entries) => Ok(entries.next().is_none()),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
		Err(e) => Err(format!("cannot read {}: {e}", dir.display())),
	}
}

/// `launch --fresh`: removes `base` if `launch` made it (it holds [`MARKER`], or, from a launch
/// older than the marker, a deployment.json of ours); an empty or absent directory needs
/// nothing. Anything else is refused and left alone.
pub fn remove_fresh(base: &Path) -> Result<(), String> {
	let ours = |text: String| serde_json::from_str::<Deployment>(&text).is_ok();
	let legacy = fs::read_to_string(base.join("deployment.json")).is_ok_and(ours);
	if base.join(MARKER).is_file() || legacy {
		return fs::remove_dir_all(base)
			.map_err(|e| format!("cannot remove {}: {e}", base.display()));
	}
	if is_empty_or_absent(base)? {
		return Ok(());
	}
	Err(format!(
		"--fresh: {} was not made by `plexus-node launch` (it has no {MARKER} file), so it is \
		 left alone; choose another --base-path, or remove it yourself",
		base.display()
	))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn temp(tag: &str) -> PathBuf {
		let dir = std::env::temp_dir().join(format!("plexus-plan-{tag}-{}", std::process::id()));
		let _ = fs::remove_dir_all(&dir);
		dir
	}

	fn mode(path: &Path) -> u32 {
		fs::metadata(path).unwrap().permissions().mode() & 0o777
	}

	const ONE: &str = "[[network]]\nname = \"alpha\"\nid = 1\nproducers = 1\nconsumers = 1\n";

	#[test]
	fn fresh_removes_only_what_launch_made() {
		let base = temp("fresh");
		remove_fresh(&base).expect("nothing there: nothing to do");
		fs::create_dir_all(&base).unwrap();
		remove_fresh(&base).expect("empty: nothing to do");
		assert!(base.exists());

		// Someone's directory, e.g. a mistyped --base-path ~.
		fs::write(base.join("thesis.tex"), "years of work").unwrap();
		let e = remove_fresh(&base).unwrap_err();
		assert!(e.contains("was not made by `plexus-node launch`"), "{e}");
		assert!(base.join("thesis.tex").exists());
		// Nor does launch make a deployment there.
		let topology = Topology::parse(ONE).unwrap();
		let e = Deployment::open_or_create(&base, &topology).unwrap_err();
		assert!(e.contains("is not empty and `launch` did not make it"), "{e}");
		assert!(!base.join(MARKER).exists() && !base.join("deployment.json").exists());

		fs::write(base.join(MARKER), "").unwrap();
		remove_fresh(&base).unwrap();
		assert!(!base.exists());

		// A deployment.json that is not ours does not make a directory ours.
		fs::create_dir_all(&base).unwrap();
		fs::write(base.join("deployment.json"), "{\"name\": \"my project\"}").unwrap();
		assert!(remove_fresh(&base).is_err());
		fs::remove_dir_all(&base).unwrap();
	}

	#[test]
	fn secrets_stay_in_files_only_their_owner_reads() {
		let base = temp("secrets");
		let topology = Topology::parse(ONE).unwrap();
		let deployment = Deployment::open_or_create(&base, &topology).unwrap();
		assert_eq!(mode(&base), 0o700);
		assert!(base.join(MARKER).is_file());
		let file = base.join("deployment.json");
		assert_eq!(mode(&file), 0o600);
		let json = fs::read_to_string(&file).unwrap();
		assert!(!json.contains("node_key"), "{json}");
		let mut peers = vec![];
		for node in ["alpha-producer-1", "alpha-consumer-1"] {
			let key_file = deployment.node_key_path("alpha", node);
			assert_eq!(mode(&key_file), 0o600, "{}", key_file.display());
			let key = fs::read_to_string(&key_file).unwrap();
			assert!(!json.contains(&key));
			peers.push(deployment.node_key("alpha", node).unwrap().peer_id());
		}
		assert_ne!(peers[0], peers[1]);

		// A later launch finds the same keys.
		let again = Deployment::open_or_create(&base, &topology).unwrap();
		assert_eq!(again.node_key("alpha", "alpha-producer-1").unwrap().peer_id(), peers[0]);

		// A deployment of an earlier launch had the keys in a world-readable deployment.json,
		// and no marker: the keys move to their files, and the marker is written.
		let legacy_key = NodeKey::generate();
		let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
		value["networks"][0]["nodes"][0]["node_key"] = legacy_key.to_hex().into();
		fs::write(&file, value.to_string()).unwrap();
		fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
		fs::remove_file(base.join(MARKER)).unwrap();
		fs::remove_file(deployment.node_key_path("alpha", "alpha-producer-1")).unwrap();
		let upgraded = Deployment::open_or_create(&base, &topology).unwrap();
		let moved = upgraded.node_key("alpha", "alpha-producer-1").unwrap();
		assert_eq!(moved.peer_id(), legacy_key.peer_id());
		assert_eq!(mode(&file), 0o600);
		assert!(!fs::read_to_string(&file).unwrap().contains(&legacy_key.to_hex()));
		assert!(base.join(MARKER).is_file());

		// --fresh takes a deployment of ours also without the marker (launches older than it).
		fs::remove_file(base.join(MARKER)).unwrap();
		remove_fresh(&base).unwrap();
		assert!(!base.exists());
	}
}
