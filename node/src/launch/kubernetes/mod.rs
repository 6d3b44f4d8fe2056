//! `plexus-node kubernetes`: the topology `launch` runs on one host, as manifests for a cluster.
//!
//! 1. Read and validate the topology exactly as `launch` does (the same errors), then what
//!    Kubernetes adds (names it accepts, the options). Nothing is written before this.
//! 2. Plan every network as `launch` would (session keys, node keys, the raw chain spec with its
//!    genesis), or, when the output directory holds an earlier run, keep its networks: their
//!    keys come back from its Secret files, their genesis from its ConfigMaps.
//! 3. Render the manifest set (`manifests`): per network the chain spec in ConfigMap parts, a
//!    headless Service, producer and consumer StatefulSets and a PodDisruptionBudget; per
//!    bridge an initialising Job, a relayer Deployment and its signer's Secret; a
//!    kustomization and a README.
//! 4. Write it to a new directory beside the output, Secrets 0600, and move it into place.
//!
//! It does not run anything in a cluster, push images or talk to an API server: `kubectl apply`
//! does that (docs/kubernetes.md).

pub mod bridge_init;
pub mod manifests;
pub mod pack;
mod readme;
mod state;

use super::{
	bridging::{hops_by_bridge, RELAYER},
	keys::{NodeKey, SessionKeys},
	plan::{plan_network, write_private},
	topology::{NetworkSpec, Topology},
	DEFAULT_TOPOLOGY,
};
use std::{
	fs,
	os::unix::fs::{DirBuilderExt, PermissionsExt},
	path::{Path, PathBuf},
};

/// The relay signer generated networks endow (launch's relayers sign with it too).
const RELAYER_SECRET_URI: &str = RELAYER;

#[derive(Debug, clap::Parser)]
pub struct KubernetesCmd {
	/// Topology file (TOML), as for `launch`. Without it: launch's default topology.
	pub topology: Option<PathBuf>,

	/// The directory to write the manifests to. A directory of an earlier run is updated: its
	/// networks keep their keys and genesis.
	#[arg(long, value_name = "DIR")]
	pub out: PathBuf,

	/// The namespace every object goes in.
	#[arg(long, default_value = "plexus")]
	pub namespace: String,

	/// The container image of every pod (scripts/image.sh builds one). Default:
	/// plexus-node:<this version>.
	#[arg(long)]
	pub image: Option<String>,

	/// The StorageClass of the nodes' volumes. Default: the cluster's default class.
	#[arg(long)]
	pub storage_class: Option<String>,

	/// The size of each node's volume (a Kubernetes quantity).
	#[arg(long, default_value = "20Gi")]
	pub storage_size: String,

	/// Also make each network's RPC (safe methods) reachable from outside the cluster: a
	/// LoadBalancer Service over its consumers, or its producers if it has none.
	#[arg(long)]
	pub rpc_external: bool,
}

/// What the manifests are made with, besides the topology.
pub struct Options {
	pub namespace: String,
	pub image: String,
	pub storage_class: Option<String>,
	pub storage_size: String,
	pub rpc_external: bool,
}

pub struct ProducerMaterial {
	pub name: String,
	pub index: usize,
	pub phrase: String,
	pub node_key_hex: String,
	pub peer_id: String,
	pub aura: String,
	pub grandpa: String,
}

impl ProducerMaterial {
	fn new(name: String, index: usize, keys: &SessionKeys, node_key: &NodeKey) -> Self {
		Self {
			name,
			index,
			phrase: keys.phrase().to_string(),
			node_key_hex: node_key.to_hex(),
			peer_id: node_key.peer_id(),
			aura: hex::encode(keys.aura),
			grandpa: hex::encode(keys.grandpa),
		}
	}
}

pub struct NetworkMaterial {
	pub spec: NetworkSpec,
	pub chain_id: String,
	pub producers: Vec<ProducerMaterial>,
	pub raw_spec: Vec<u8>,
}

pub struct BridgeMaterial {
	pub between: [String; 2],
	pub slot: u8,
	/// `(end it starts from, destination network)`: routes over this bridge.
	pub next_hops: Vec<(usize, String)>,
}

/// Everything secret or random the manifests hold: made here, or read back from an earlier run.
pub struct Materials {
	pub networks: Vec<NetworkMaterial>,
	pub bridges: Vec<BridgeMaterial>,
}

impl KubernetesCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		// Step 1.
		let topology = match &self.topology {
			Some(path) => Topology::load(path)?,
			None => Topology::parse(DEFAULT_TOPOLOGY).map_err(|e| e.to_string())?,
		};
		let slots = topology.bridge_slots().map_err(|e| e.to_string())?;
		let opts = self.options()?;
		check_topology(&topology)?;
		let earlier = state::Earlier::read(&self.out)?;

		// Step 2.
		let mut networks = Vec::new();
		for spec in &topology.networks {
			networks.push(match earlier.as_ref().map(|e| e.network(spec)).transpose()?.flatten() {
				Some(kept) => kept,
				None => {
					eprintln!("plexus kubernetes: network {}: new keys and genesis", spec.name);
					new_network(spec)?
				},
			});
		}
		let bridges = bridge_materials(&topology, &slots);
		if let Some(earlier) = &earlier {
			earlier.check_kept(&topology, &bridges)?;
		}
		let materials = Materials { networks, bridges };

		// Step 3.
		let mut files = manifests::render(&opts, &materials);
		manifests::check_names(&files)?;
		files.insert("README.md".into(), readme::render(&opts, &materials));
		files.insert("plexus-kubernetes.json".into(), state::render(&topology, &materials));

		// Step 4.
		write_all(&self.out, &files)?;
		eprintln!(
			"plexus kubernetes: wrote {} files to {}; apply them with\n\n    kubectl apply \
			 --server-side -k {}\n\n(see its README.md)",
			files.len(),
			self.out.display(),
			self.out.display()
		);
		Ok(())
	}

	fn options(&self) -> Result<Options, String> {
		let image = self
			.image
			.clone()
			.unwrap_or_else(|| format!("plexus-node:{}", env!("CARGO_PKG_VERSION")));
		if image.is_empty() || image.chars().any(char::is_whitespace) {
			return Err(format!("--image {image:?} is not an image reference"));
		}
		dns_label("--namespace", &self.namespace)?;
		if let Some(class) = &self.storage_class {
			if class.is_empty() || class.len() > 253 || !class.chars().all(dns_char_or_dot) {
				return Err(format!("--storage-class {class:?} is not a StorageClass name"));
			}
		}
		if !is_quantity(&self.storage_size) {
			return Err(format!(
				"--storage-size {:?} is not a Kubernetes quantity such as 20Gi or 500M",
				self.storage_size
			));
		}
		Ok(Options {
			namespace: self.namespace.clone(),
			image,
			storage_class: self.storage_class.clone(),
			storage_size: self.storage_size.clone(),
			rpc_external: self.rpc_external,
		})
	}
}

/// What Kubernetes asks of a topology beyond what launch does: a network's name names a Service,
/// which starts with a letter.
pub fn check_topology(topology: &Topology) -> Result<(), String> {
	for n in &topology.networks {
		if !n.name.starts_with(|c: char| c.is_ascii_lowercase()) {
			return Err(format!(
				"network name {:?}: on Kubernetes it names a Service, which starts with a letter",
				n.name
			));
		}
	}
	Ok(())
}

fn dns_char_or_dot(c: char) -> bool {
	c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'
}

fn dns_label(what: &str, name: &str) -> Result<(), String> {
	let ok = !name.is_empty()
		&& name.len() <= 63
		&& name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
		&& name.starts_with(|c: char| c.is_ascii_lowercase())
		&& !name.ends_with('-');
	if ok {
		Ok(())
	} else {
		Err(format!(
			"{what} {name:?}: a DNS label (lower-case letters, digits and '-', starting with a \
			 letter, at most 63 characters)"
		))
	}
}

/// A Kubernetes quantity as storage sizes are written: a number and an optional suffix.
fn is_quantity(q: &str) -> bool {
	const SUFFIXES: [&str; 13] =
		["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E", ""];
	SUFFIXES.iter().any(|s| {
		q.strip_suffix(s).is_some_and(|n| {
			!n.is_empty()
				&& n.split('.').count() <= 2
				&& n.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
				&& n.chars().any(|c| c != '0' && c != '.')
		})
	})
}

/// Each bridge of `topology` with its slot and the routes that leave over it.
fn bridge_materials(topology: &Topology, slots: &[u8]) -> Vec<BridgeMaterial> {
	let hops = hops_by_bridge(topology);
	let bridges = topology.bridges.iter().zip(slots).zip(hops);
	bridges
		.map(|((b, &slot), hops)| BridgeMaterial {
			between: b.between.clone(),
			slot,
			next_hops: hops
				.into_iter()
				.map(|(from, to)| (from, topology.networks[to].name.clone()))
				.collect(),
		})
		.collect()
}

fn new_network(spec: &NetworkSpec) -> Result<NetworkMaterial, String> {
	let plan = plan_network(spec)?;
	let producers = plan
		.producers
		.iter()
		.enumerate()
		.map(|(i, (name, keys, node_key))| {
			ProducerMaterial::new(name.clone(), i + 1, keys, node_key)
		})
		.collect();
	Ok(NetworkMaterial {
		spec: spec.clone(),
		chain_id: plan.chain_id,
		producers,
		raw_spec: plan.raw_spec.into_bytes(),
	})
}

/// Writes `files` as `out`: into a new directory beside it first, then moved into place, so that
/// `out` is never half written. Secrets are 0600, the directories 0700.
fn write_all(
	out: &Path,
	files: &std::collections::BTreeMap<PathBuf, manifests::File>,
) -> Result<(), String> {
	let name =
		out.file_name().ok_or_else(|| format!("--out {}: not a directory name", out.display()))?;
	let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
	let tmp = parent.join(format!(".{}.plexus-tmp-{}", name.to_string_lossy(), std::process::id()));
	let old = parent.join(format!(".{}.plexus-old-{}", name.to_string_lossy(), std::process::id()));
	let err = |p: &Path, e: std::io::Error| format!("cannot write {}: {e}", p.display());
	let _ = fs::remove_dir_all(&tmp);
	let mkdir = |dir: &Path| fs::DirBuilder::new().recursive(true).mode(0o700).create(dir);
	mkdir(&tmp).map_err(|e| err(&tmp, e))?;
	let written = files.iter().try_for_each(|(path, file)| {
		let target = tmp.join(path);
		if let Some(dir) = target.parent() {
			mkdir(dir).map_err(|e| err(dir, e))?;
		}
		if file.secret {
			write_private(&target, &file.bytes)
		} else {
			fs::write(&target, &file.bytes)
				.and_then(|()| fs::set_permissions(&target, fs::Permissions::from_mode(0o644)))
				.map_err(|e| err(&target, e))
		}
	});
	if let Err(e) = written {
		let _ = fs::remove_dir_all(&tmp);
		return Err(e);
	}
	if out.exists() {
		fs::rename(out, &old).map_err(|e| err(out, e))?;
	}
	fs::rename(&tmp, out).map_err(|e| err(out, e))?;
	let _ = fs::remove_dir_all(&old);
	Ok(())
}

#[cfg(test)]
mod tests;
