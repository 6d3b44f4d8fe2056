//! The README written beside the manifests: what this directory deploys and the commands to
//! apply, watch and change it. docs/kubernetes.md has the whole story.

use super::{
	manifests::{self, File},
	pack, Materials, Options,
};

pub fn render(opts: &Options, materials: &Materials) -> File {
	let ns = &opts.namespace;
	let mut text = format!(
		"# Plexus on Kubernetes: generated manifests\n\n\
		 Written by `plexus-node kubernetes`; see docs/kubernetes.md in the Plexus repository. \
		 Namespace `{ns}`, image `{}`.\n\n\
		 **This directory holds secrets** (`*.secret.yaml`: session keys, node keys, the relay \
		 signer, the sudo key). Keep it out of version control.\n\n## Networks\n\n\
		 | network | id | chain id | producers | consumers | chain spec sha256 |\n\
		 | --- | --- | --- | --- | --- | --- |\n",
		opts.image
	);
	for n in &materials.networks {
		text += &format!(
			"| {} | {} | {} | {} | {} | `{}` |\n",
			n.spec.name,
			n.spec.id,
			n.chain_id,
			n.spec.producers,
			n.spec.consumers,
			pack::sha256_hex(&n.raw_spec)
		);
	}
	text += "\n| producer | peer id | aura (sr25519) | grandpa (ed25519) |\n| --- | --- | --- | --- |\n";
	for p in materials.networks.iter().flat_map(|n| &n.producers) {
		text += &format!("| {} | `{}` | `0x{}` | `0x{}` |\n", p.name, p.peer_id, p.aura, p.grandpa);
	}
	if !materials.bridges.is_empty() {
		text += "\n## Bridges\n\n| bridge | peer slot | initialised by |\n| --- | --- | --- |\n";
		for b in &materials.bridges {
			text += &format!(
				"| {} <-> {} | {} | Job `{}` |\n",
				b.between[0],
				b.between[1],
				b.slot,
				manifests::init_job_name(opts, b)
			);
		}
	}
	let first = materials.networks.first().map(|n| n.spec.name.as_str()).unwrap_or("alpha");
	text += &format!(
		"\n## Apply\n\n\
		 ```\n\
		 kubectl apply --server-side -k .\n\
		 kubectl -n {ns} wait --for=condition=complete job -l plexus/component=bridge-init --timeout=15m\n\
		 kubectl -n {ns} get pods -l app.kubernetes.io/part-of=plexus\n\
		 ```\n\n\
		 Server-side apply: the chain spec ConfigMaps are near 1 MB, past the 256 KiB annotation \
		 client-side apply keeps.\n\n\
		 ## Connect\n\n\
		 ```\n\
		 kubectl -n {ns} port-forward pod/{first}-producer-1 9944   # safe RPC; polkadot.js apps: ws://127.0.0.1:9944\n\
		 kubectl -n {ns} port-forward pod/{first}-producer-1 9945   # unsafe RPC (author_rotateKeys, vault_erase), pod loopback only\n\
		 kubectl -n {ns} logs deploy/<relay-a-b>                   # a relayer; metrics on its port 9616\n\
		 ```\n\n\
		 ## Change\n\n\
		 - More consumers: `kubectl -n {ns} scale statefulset <network>-consumer --replicas=N`, and \
		 the same count in the topology, so that the next run writes it.\n\
		 - A new network or bridge: add it to the topology (bridges after the existing ones), run \
		 `plexus-node kubernetes <topology> --out <this directory>` again, apply. Existing networks \
		 keep their keys and genesis.\n\
		 - Own secrets: before the first apply, replace the phrase or node key in a \
		 `*.secret.yaml` and run again (the genesis and bootnodes follow), or create Secrets of \
		 the same names from a secret store and leave these files out.\n\
		 - PodDisruptionBudgets keep more than two thirds of each network's producers up \
		 (GRANDPA). With 3 producers none may be evicted; use 4 or more to drain nodes.\n"
	);
	File { bytes: text.into_bytes(), secret: false }
}
