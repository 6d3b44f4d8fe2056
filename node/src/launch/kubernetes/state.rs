//! `plexus-kubernetes.json`: what an earlier run wrote, without its secrets, so that a later run
//! into the same directory keeps what is running: each network's keys (read back from its
//! Secret files) and genesis (from its ConfigMaps), and each bridge's slot.

use super::{
	manifests::{keys_secret_name, File},
	pack, BridgeMaterial, Materials, NetworkMaterial, ProducerMaterial,
};
use crate::launch::{
	keys::{NodeKey, SessionKeys},
	plan::raw_chain_spec,
	topology::{NetworkSpec, Topology},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::{fs, path::Path};

pub const FILE: &str = "plexus-kubernetes.json";

#[derive(Serialize, Deserialize)]
struct Record {
	topology: Topology,
	networks: Vec<NetworkRecord>,
	bridges: Vec<BridgeRecord>,
}

#[derive(Serialize, Deserialize)]
struct NetworkRecord {
	name: String,
	chain_id: String,
	chain_spec_sha256: String,
	producers: Vec<ProducerRecord>,
}

#[derive(Serialize, Deserialize)]
struct ProducerRecord {
	name: String,
	aura: String,
	grandpa: String,
	peer_id: String,
}

#[derive(Serialize, Deserialize)]
struct BridgeRecord {
	between: [String; 2],
	slot: u8,
}

pub fn render(topology: &Topology, materials: &Materials) -> File {
	let record = Record {
		topology: topology.clone(),
		networks: materials
			.networks
			.iter()
			.map(|n| NetworkRecord {
				name: n.spec.name.clone(),
				chain_id: n.chain_id.clone(),
				chain_spec_sha256: pack::sha256_hex(&n.raw_spec),
				producers: n
					.producers
					.iter()
					.map(|p| ProducerRecord {
						name: p.name.clone(),
						aura: p.aura.clone(),
						grandpa: p.grandpa.clone(),
						peer_id: p.peer_id.clone(),
					})
					.collect(),
			})
			.collect(),
		bridges: materials
			.bridges
			.iter()
			.map(|b| BridgeRecord { between: b.between.clone(), slot: b.slot })
			.collect(),
	};
	let mut bytes = serde_json::to_vec_pretty(&record).expect("serialisable; qed");
	bytes.push(b'\n');
	File { bytes, secret: false }
}

/// An earlier run's output directory.
pub struct Earlier {
	dir: std::path::PathBuf,
	record: Record,
}

impl Earlier {
	/// `None` for a directory that is absent or empty; an error for one that holds something
	/// this command did not write.
	pub fn read(dir: &Path) -> Result<Option<Self>, String> {
		match fs::read_dir(dir).map(|mut entries| entries.next().is_none()) {
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
			Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
			Ok(true) => return Ok(None),
			Ok(false) => {},
		}
		let file = dir.join(FILE);
		let text = fs::read_to_string(&file).map_err(|_| {
			format!(
				"{} is not empty and `plexus-node kubernetes` did not write it (it has no {FILE}); \
				 choose another --out",
				dir.display()
			)
		})?;
		let record = serde_json::from_str(&text)
			.map_err(|e| format!("{} is damaged ({e}); choose another --out", file.display()))?;
		Ok(Some(Self { dir: dir.to_path_buf(), record }))
	}

	/// The network `spec` as the earlier run made it, its keys read back from the Secret files
	/// (which the operator may have replaced with their own: then its genesis is made anew).
	/// `None` if the earlier run had no such network.
	pub fn network(&self, spec: &NetworkSpec) -> Result<Option<NetworkMaterial>, String> {
		let Some(record) = self.record.networks.iter().find(|n| n.name == spec.name) else {
			return Ok(None);
		};
		let before = self.record.topology.networks.iter().find(|n| n.name == spec.name);
		let same = |b: &&NetworkSpec| {
			(b.id, b.producers, b.block_time_ms) == (spec.id, spec.producers, spec.block_time_ms)
		};
		if !before.is_some_and(|b| same(&b)) {
			return Err(format!(
				"network {:?} in {} has another id, producer count or block time than in the \
				 topology: its genesis fixes them. Change producers with `plexus-node producer` \
				 on the running network, or write a new network to another --out",
				spec.name,
				self.dir.display()
			));
		}
		let dir = self.dir.join("networks").join(&spec.name);
		let mut producers = Vec::new();
		let mut keys = Vec::new();
		for (i, p) in record.producers.iter().enumerate() {
			let path = dir.join(format!("{}.secret.yaml", keys_secret_name(&p.name)));
			let value = read_json(&path)?;
			let item = |key: &str| {
				value["stringData"][key]
					.as_str()
					.map(str::to_string)
					.ok_or_else(|| format!("{} has no stringData.{key}", path.display()))
			};
			let session = SessionKeys::from_phrase(item("session")?.trim())
				.map_err(|e| format!("{}: {e}", path.display()))?;
			let node_key = NodeKey::from_hex(&item("node-key")?)
				.map_err(|e| format!("{}: {e}", path.display()))?;
			producers.push(ProducerMaterial::new(p.name.clone(), i + 1, &session, &node_key));
			keys.push(session);
		}
		let unchanged = record
			.producers
			.iter()
			.zip(&producers)
			.all(|(r, p)| (&r.aura, &r.grandpa) == (&p.aura, &p.grandpa));
		let raw_spec = if unchanged {
			self.chain_spec(&dir, &spec.name, &record.chain_spec_sha256)?
		} else {
			eprintln!(
				"plexus kubernetes: network {}: its Secrets hold other session keys than its \
				 genesis names; making a new genesis with them (a running network must be \
				 deleted with its volumes before applying this)",
				spec.name
			);
			raw_chain_spec(spec, &keys.iter().collect::<Vec<_>>())?.into_bytes()
		};
		Ok(Some(NetworkMaterial {
			spec: spec.clone(),
			chain_id: record.chain_id.clone(),
			producers,
			raw_spec,
		}))
	}

	fn chain_spec(&self, dir: &Path, network: &str, sha256: &str) -> Result<Vec<u8>, String> {
		use base64::Engine;
		let index = read_json(&dir.join("chain-spec.configmap.yaml"))?;
		let count: usize = index["data"]["parts"].as_str().unwrap_or("0").parse().unwrap_or(0);
		let mut parts = Vec::new();
		for k in 1..=count {
			let path = dir.join(format!("chain-spec-{k}.configmap.yaml"));
			let encoded = read_json(&path)?["binaryData"][format!("part-{k}")]
				.as_str()
				.map(str::to_string)
				.ok_or_else(|| format!("{} has no binaryData.part-{k}", path.display()))?;
			parts.push(
				base64::engine::general_purpose::STANDARD
					.decode(encoded)
					.map_err(|e| format!("{}: {e}", path.display()))?,
			);
		}
		pack::assemble(&parts, sha256).map_err(|e| format!("network {network}: {e}"))
	}

	/// A later run may add networks and bridges and change consumer counts; it may not drop a
	/// network or move a bridge to another slot, which running networks have bound.
	pub fn check_kept(
		&self,
		topology: &Topology,
		bridges: &[BridgeMaterial],
	) -> Result<(), String> {
		for before in &self.record.networks {
			if !topology.networks.iter().any(|n| n.name == before.name) {
				return Err(format!(
					"network {:?} is in {} but not in the topology; remove its objects with \
					 kubectl (label plexus/network={}) and write the rest to a new --out",
					before.name,
					self.dir.display(),
					before.name
				));
			}
		}
		for before in &self.record.bridges {
			let same_ends = |b: &&BridgeMaterial| {
				let mut ends = b.between.clone();
				if ends != before.between {
					ends.reverse();
				}
				ends == before.between
			};
			match bridges.iter().find(same_ends) {
				Some(now) if now.slot != before.slot => {
					return Err(format!(
						"bridge {} <-> {} would move from peer slot {} to {}: the networks have \
						 that slot bound. List new bridges after the existing ones",
						before.between[0], before.between[1], before.slot, now.slot
					))
				},
				Some(_) => {},
				None => {
					return Err(format!(
						"bridge {} <-> {} is in {} but not in the topology; removing a bridge is \
						 not supported by re-running",
						before.between[0],
						before.between[1],
						self.dir.display()
					))
				},
			}
		}
		Ok(())
	}
}

fn read_json(path: &Path) -> Result<Value, String> {
	let text = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
	serde_json::from_slice(&text)
		.map_err(|e| format!("{} is not as `plexus-node kubernetes` wrote it: {e}", path.display()))
}
