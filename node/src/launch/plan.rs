//! From a topology to a deployment on disk: one chain spec per network, keys in each producer's
//! keystore, a node key per node. A deployment is made once and reused by later launches on the
//! same base path, so networks keep their ledgers across restarts.

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
	path::{Path, PathBuf},
};

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
	pub node_key: String,
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
	/// another topology is refused rather than silently mixed with this one.
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
			return Ok(deployment);
		}
		fs::create_dir_all(base).map_err(|e| format!("cannot create {}: {e}", base.display()))?;
		let networks = topology
			.networks
			.iter()
			.map(|n| create_network(base, n))
			.collect::<Result<Vec<_>, _>>()?;
		let deployment = Deployment { topology: topology.clone(), networks, base: base.into() };
		let json = serde_json::to_string_pretty(&deployment).expect("serialisable; qed");
		fs::write(&file, json).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
		Ok(deployment)
	}

	pub fn chain_spec_path(&self, network: &str) -> PathBuf {
		self.base.join(network).join("chain-spec.json")
	}

	pub fn node_dir(&self, network: &str, node: &str) -> PathBuf {
		self.base.join(network).join(node)
	}

	pub fn spec_of(&self, network: &str) -> &NetworkSpec {
		self.topology.networks.iter().find(|n| n.name == network).expect("recorded from it; qed")
	}
}

fn create_network(base: &Path, spec: &NetworkSpec) -> Result<NetworkRecord, String> {
	let chain_id = format!("plexus_{}", spec.name.replace('-', "_"));
	let dir = base.join(&spec.name);
	fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

	let mut nodes = Vec::new();
	let mut authorities = Vec::new();
	for i in 1..=spec.producers {
		let name = format!("{}-producer-{i}", spec.name);
		let keys = SessionKeys::generate();
		keys.install(&dir.join(&name).join("chains").join(&chain_id).join("keystore"))?;
		authorities.push((keys.aura.into(), keys.grandpa.into()));
		nodes.push(NodeRecord {
			name,
			role: Role::Producer,
			node_key: NodeKey::generate().to_hex(),
		});
	}
	for i in 1..=spec.consumers {
		let name = format!("{}-consumer-{i}", spec.name);
		nodes.push(NodeRecord {
			name,
			role: Role::Consumer,
			node_key: NodeKey::generate().to_hex(),
		});
	}

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
	let chain_spec = chain_spec::network_chain_spec(&chain_id, &display, spec.id, patch)?;
	let raw = chain_spec
		.as_json(true)
		.map_err(|e| format!("cannot build the genesis of network {:?}: {e}", spec.name))?;
	let path = dir.join("chain-spec.json");
	fs::write(&path, raw).map_err(|e| format!("cannot write {}: {e}", path.display()))?;

	Ok(NetworkRecord { name: spec.name.clone(), id: spec.id, chain_id, nodes })
}
