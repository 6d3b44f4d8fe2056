//! The manifest set for one topology, as values: no file is touched here, so the golden test
//! renders exactly what `plexus-node kubernetes` writes. Manifests are JSON, which is YAML:
//! kubectl, kustomize and every validator read them, and no YAML emitter is needed.

use super::{
	pack::{self, PARTS_DIR},
	Materials, NetworkMaterial, Options,
};
use crate::launch::{
	bridging::relayer_name,
	node_command,
	plan::{producer_name, Role},
	NodeCommand, RpcEndpoint,
};
use serde_json::{json, Value};
use std::{collections::BTreeMap, path::PathBuf};

pub const P2P_PORT: u16 = 30333;
pub const RPC_PORT: u16 = 9944;
/// Unsafe methods (`author_rotateKeys`, `vault_erase`): on the pod's loopback only, reached by
/// `kubectl port-forward`.
pub const ADMIN_RPC_PORT: u16 = 9945;
pub const PROMETHEUS_PORT: u16 = 9615;
pub const RELAY_METRICS_PORT: u16 = 9616;
/// The image's user (scripts/image.sh); every pod runs as it.
pub const UID: u64 = 10001;

pub const BINARY: &str = "/usr/local/bin/plexus-node";
const ROOT: &str = "/var/lib/plexus";
/// 0440: under `fsGroup` a Secret's files belong to root and the pod's group, so 0400 would
/// lock the node's user out.
const SECRET_MODE: u32 = 0o440;

/// A file of the manifest set: its bytes, and whether only the owner may read it.
pub struct File {
	pub bytes: Vec<u8>,
	pub secret: bool,
}

/// Every file of the set, by path relative to the output directory.
pub fn render(opts: &Options, materials: &Materials) -> BTreeMap<PathBuf, File> {
	let mut files = Files::default();
	files.yaml("namespace.yaml", namespace(opts));
	files.secret("sudo.secret.yaml", secret(opts, "plexus-sudo", &[("suri", SUDO_SECRET_URI)]));
	for network in &materials.networks {
		render_network(&mut files, opts, network);
	}
	for bridge in &materials.bridges {
		let dir = format!("bridges/{}-{}", bridge.between[0], bridge.between[1]);
		let signer = signer_secret_name(&bridge.between);
		files.secret(
			&format!("{dir}/signer.secret.yaml"),
			secret(opts, &signer, &[("signer", super::RELAYER_SECRET_URI)]),
		);
		files.yaml(&format!("{dir}/init.job.yaml"), init_job(opts, bridge));
		files.yaml(&format!("{dir}/relay.deployment.yaml"), relay_deployment(opts, bridge));
	}
	files.yaml("monitoring/prometheus.configmap.yaml", prometheus_config_map(opts));
	let resources: Vec<String> =
		files.0.keys().map(|p| p.display().to_string()).filter(|p| p.ends_with(".yaml")).collect();
	files.yaml(
		"kustomization.yaml",
		json!({
			"apiVersion": "kustomize.config.k8s.io/v1beta1",
			"kind": "Kustomization",
			"namespace": opts.namespace,
			"resources": resources,
		}),
	);
	files.0
}

/// What a Prometheus server needs to watch these pods, and the alert rules `launch` writes.
fn prometheus_config_map(opts: &Options) -> Value {
	use crate::launch::monitoring::{kubernetes_config_yaml, rules::rules_yaml};
	json!({
		"apiVersion": "v1",
		"kind": "ConfigMap",
		"metadata": metadata(opts, "plexus-prometheus", &[]),
		"data": {
			"prometheus.yml": kubernetes_config_yaml(&opts.namespace),
			"plexus.rules.yml": rules_yaml(),
		},
	})
}

/// The genesis sudo key of generated networks; also in their chain specs.
const SUDO_SECRET_URI: &str = crate::launch::control::SUDO;

#[derive(Default)]
struct Files(BTreeMap<PathBuf, File>);

impl Files {
	fn yaml(&mut self, path: &str, value: Value) {
		self.put(path, value, false)
	}

	fn secret(&mut self, path: &str, value: Value) {
		self.put(path, value, true)
	}

	fn put(&mut self, path: &str, value: Value, secret: bool) {
		let mut bytes = serde_json::to_vec_pretty(&value).expect("a JSON value; qed");
		bytes.push(b'\n');
		self.0.insert(path.into(), File { bytes, secret });
	}
}

fn labels(extra: &[(&str, &str)]) -> Value {
	let mut labels = json!({
		"app.kubernetes.io/name": "plexus-node",
		"app.kubernetes.io/part-of": "plexus",
	});
	for (k, v) in extra {
		labels[*k] = json!(v);
	}
	labels
}

fn metadata(opts: &Options, name: &str, extra_labels: &[(&str, &str)]) -> Value {
	json!({ "name": name, "namespace": opts.namespace, "labels": labels(extra_labels) })
}

fn namespace(opts: &Options) -> Value {
	json!({
		"apiVersion": "v1",
		"kind": "Namespace",
		"metadata": {
			"name": opts.namespace,
			"labels": {
				"app.kubernetes.io/part-of": "plexus",
				// Every pod here meets the restricted profile; the namespace holds it to that.
				"pod-security.kubernetes.io/enforce": "restricted",
			},
		},
	})
}

fn secret(opts: &Options, name: &str, items: &[(&str, &str)]) -> Value {
	let data: serde_json::Map<String, Value> =
		items.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
	json!({
		"apiVersion": "v1",
		"kind": "Secret",
		"metadata": metadata(opts, name, &[]),
		"type": "Opaque",
		"stringData": data,
	})
}

pub fn keys_secret_name(pod: &str) -> String {
	format!("{pod}-keys")
}

pub fn signer_secret_name(between: &[String; 2]) -> String {
	format!("{}-signer", relayer_name(between))
}

/// Where a pod finds a network's producer `pod` by name: the headless Service's DNS record,
/// through the search path of the pod's namespace.
pub fn pod_host(network: &str, pod: &str) -> String {
	format!("{pod}.{network}")
}

pub fn producer_rpc_url(network: &str) -> String {
	format!("ws://{}:{RPC_PORT}", pod_host(network, &producer_name(network, 1)))
}

/// GRANDPA finalizes with more than two thirds of the voters; this many producers must stay up.
pub fn min_available(producers: u32) -> u32 {
	producers - (producers - 1) / 3
}

fn render_network(files: &mut Files, opts: &Options, network: &NetworkMaterial) {
	let name = &network.spec.name;
	let dir = format!("networks/{name}");
	let parts = pack::pack(&network.raw_spec);
	files.yaml(
		&format!("{dir}/chain-spec.configmap.yaml"),
		json!({
			"apiVersion": "v1",
			"kind": "ConfigMap",
			"metadata": metadata(opts, &format!("{name}-chain-spec"), &[("plexus/network", name)]),
			"data": { "sha256": pack::sha256_hex(&network.raw_spec), "parts": parts.len().to_string() },
		}),
	);
	for (k, part) in parts.iter().enumerate() {
		use base64::Engine;
		let k = k + 1;
		files.yaml(
			&format!("{dir}/chain-spec-{k}.configmap.yaml"),
			json!({
				"apiVersion": "v1",
				"kind": "ConfigMap",
				"metadata": metadata(opts, &format!("{name}-chain-spec-{k}"), &[("plexus/network", name)]),
				"binaryData": { format!("part-{k}"): base64::engine::general_purpose::STANDARD.encode(part) },
			}),
		);
	}
	files.yaml(&format!("{dir}/service.yaml"), service(opts, name));
	if opts.rpc_external {
		files.yaml(&format!("{dir}/rpc.service.yaml"), external_rpc(opts, &network.spec));
	}
	for p in &network.producers {
		files.secret(
			&format!("{dir}/{}.secret.yaml", keys_secret_name(&p.name)),
			secret(
				opts,
				&keys_secret_name(&p.name),
				&[("session", &p.phrase), ("node-key", &p.node_key_hex)],
			),
		);
	}
	let bootnodes: Vec<String> = network
		.producers
		.iter()
		.map(|p| format!("/dns/{}/tcp/{P2P_PORT}/p2p/{}", pod_host(name, &p.name), p.peer_id))
		.collect();
	let all_nodes = network.spec.producers + network.spec.consumers;
	let ctx = NetworkCtx { opts, network, parts: parts.len(), bootnodes, alone: all_nodes == 1 };
	files.yaml(&format!("{dir}/producer.statefulset.yaml"), statefulset(&ctx, Role::Producer));
	files.yaml(&format!("{dir}/consumer.statefulset.yaml"), statefulset(&ctx, Role::Consumer));
	files.yaml(
		&format!("{dir}/producer.pdb.yaml"),
		json!({
			"apiVersion": "policy/v1",
			"kind": "PodDisruptionBudget",
			"metadata": metadata(opts, &format!("{name}-producer"), &[("plexus/network", name)]),
			"spec": {
				"minAvailable": min_available(network.spec.producers),
				"selector": { "matchLabels": { "plexus/network": name, "plexus/role": "producer" } },
				// A producer that is down anyway may be moved.
				"unhealthyPodEvictionPolicy": "AlwaysAllow",
			},
		}),
	);
}

fn service(opts: &Options, network: &str) -> Value {
	json!({
		"apiVersion": "v1",
		"kind": "Service",
		"metadata": metadata(opts, network, &[("plexus/network", network)]),
		"spec": {
			"clusterIP": "None",
			// A node is ready only with peers, and finds its peers by these names.
			"publishNotReadyAddresses": true,
			"selector": { "plexus/network": network },
			"ports": [
				{ "name": "p2p", "port": P2P_PORT, "targetPort": "p2p" },
				{ "name": "rpc", "port": RPC_PORT, "targetPort": "rpc" },
				{ "name": "prometheus", "port": PROMETHEUS_PORT, "targetPort": "prometheus" },
			],
		},
	})
}

/// Safe RPC from outside the cluster: over the consumers, which serve reads, or over the
/// producers of a network without consumers.
fn external_rpc(opts: &Options, spec: &crate::launch::topology::NetworkSpec) -> Value {
	let role = if spec.consumers > 0 { "consumer" } else { "producer" };
	let name = &spec.name;
	json!({
		"apiVersion": "v1",
		"kind": "Service",
		"metadata": metadata(opts, &format!("{name}-rpc"), &[("plexus/network", name)]),
		"spec": {
			"type": "LoadBalancer",
			"selector": { "plexus/network": name, "plexus/role": role },
			"ports": [{ "name": "rpc", "port": RPC_PORT, "targetPort": "rpc" }],
		},
	})
}

struct NetworkCtx<'a> {
	opts: &'a Options,
	network: &'a NetworkMaterial,
	parts: usize,
	bootnodes: Vec<String>,
	/// A one-node network never has peers, so never reports ready on `/health/readiness`.
	alone: bool,
}

const CHAIN_SPEC: &str = "/var/lib/plexus/chain-spec/chain-spec.json";
const DATA: &str = "/var/lib/plexus/data";

fn pod_name_env() -> Value {
	json!([{ "name": "POD_NAME", "valueFrom": { "fieldRef": { "fieldPath": "metadata.name" } } }])
}

fn container_security() -> Value {
	json!({
		"allowPrivilegeEscalation": false,
		"readOnlyRootFilesystem": true,
		"runAsNonRoot": true,
		"capabilities": { "drop": ["ALL"] },
	})
}

fn pod_security() -> Value {
	json!({
		"runAsNonRoot": true,
		"runAsUser": UID,
		"runAsGroup": UID,
		"fsGroup": UID,
		"seccompProfile": { "type": "RuntimeDefault" },
	})
}

fn resources(cpu: (&str, &str), memory: (&str, &str)) -> Value {
	json!({
		"requests": { "cpu": cpu.0, "memory": memory.0 },
		"limits": { "cpu": cpu.1, "memory": memory.1 },
	})
}

fn init_container(opts: &Options, name: &str, args: Vec<String>, mounts: Value) -> Value {
	json!({
		"name": name,
		"image": opts.image,
		"imagePullPolicy": "IfNotPresent",
		"command": [BINARY],
		"args": args,
		"env": pod_name_env(),
		"volumeMounts": mounts,
		"securityContext": container_security(),
		"resources": resources(("50m", "1"), ("128Mi", "512Mi")),
	})
}

fn key_insert(key_type: &str, scheme: &str) -> Vec<String> {
	[
		"key",
		"insert",
		"--base-path",
		DATA,
		"--chain",
		CHAIN_SPEC,
		"--key-type",
		key_type,
		"--scheme",
		scheme,
		"--suri",
		"/var/lib/plexus/keys/$(POD_NAME)/session",
	]
	.map(String::from)
	.to_vec()
}

fn statefulset(ctx: &NetworkCtx, role: Role) -> Value {
	let (opts, spec) = (ctx.opts, &ctx.network.spec);
	let name = &spec.name;
	let producer = role == Role::Producer;
	let set_name = format!("{name}-{role}");
	let replicas = if producer { spec.producers } else { spec.consumers };
	let role_label = role.to_string();
	let pod_labels = [("plexus/network", name.as_str()), ("plexus/role", role_label.as_str())];

	let sources: Vec<Value> = (1..=ctx.parts)
		.map(|k| json!({ "configMap": { "name": format!("{name}-chain-spec-{k}") } }))
		.chain([json!({ "configMap": {
			"name": format!("{name}-chain-spec"),
			"items": [{ "key": "sha256", "path": "sha256" }, { "key": "parts", "path": "parts" }],
		} })])
		.collect();
	let mut volumes = vec![
		json!({ "name": "chain-spec-parts", "projected": { "sources": sources } }),
		json!({ "name": "chain-spec", "emptyDir": {} }),
		json!({ "name": "tmp", "emptyDir": {} }),
	];
	let parts_mount =
		json!({ "name": "chain-spec-parts", "mountPath": PARTS_DIR, "readOnly": true });
	let spec_mount = json!({ "name": "chain-spec", "mountPath": "/var/lib/plexus/chain-spec" });
	let data_mount = json!({ "name": "data", "mountPath": DATA });
	let mut init = vec![init_container(
		opts,
		"unpack-chain-spec",
		vec![
			"unpack-chain-spec".into(),
			"--parts".into(),
			PARTS_DIR.into(),
			"--out".into(),
			CHAIN_SPEC.into(),
		],
		json!([parts_mount, spec_mount]),
	)];
	let mut node_mounts =
		vec![spec_mount.clone(), data_mount.clone(), json!({ "name": "tmp", "mountPath": "/tmp" })];
	if producer {
		// Each replica finds its own keys at a path named after it: one Secret per producer,
		// every one mounted, so a replica's keys are where `$(POD_NAME)` says.
		let mut key_mounts = vec![spec_mount.clone(), data_mount.clone()];
		for p in &ctx.network.producers {
			let secret = keys_secret_name(&p.name);
			for (volume, item, dir) in
				[("session", "session", "keys"), ("node-key", "node-key", "node-keys")]
			{
				volumes.push(json!({
					"name": format!("{volume}-{}", p.index),
					"secret": {
						"secretName": secret,
						"items": [{ "key": item, "path": item }],
						"defaultMode": SECRET_MODE,
					},
				}));
				let mount = json!({
					"name": format!("{volume}-{}", p.index),
					"mountPath": format!("{ROOT}/{dir}/{}", p.name),
					"readOnly": true,
				});
				if volume == "session" {
					key_mounts.push(mount);
				} else {
					node_mounts.push(mount);
				}
			}
		}
		for (container, key_type, scheme) in
			[("insert-aura-key", "aura", "sr25519"), ("insert-grandpa-key", "gran", "ed25519")]
		{
			init.push(init_container(
				opts,
				container,
				key_insert(key_type, scheme),
				json!(key_mounts),
			));
		}
	}

	let args = node_command(&NodeCommand {
		chain_spec: CHAIN_SPEC.into(),
		base_path: DATA.into(),
		name: "$(POD_NAME)".into(),
		node_key_file: producer.then(|| format!("{ROOT}/node-keys/$(POD_NAME)/node-key")),
		listen_addr: format!("/ip4/0.0.0.0/tcp/{P2P_PORT}"),
		rpc: vec![
			// No origins: with them the server also refuses Host headers other than loopback
			// names, which is every probe, relayer and Job reaching the pod.
			RpcEndpoint { listen: format!("0.0.0.0:{RPC_PORT}"), methods: "safe", cors: false },
			RpcEndpoint {
				listen: format!("127.0.0.1:{ADMIN_RPC_PORT}"),
				methods: "unsafe",
				cors: true,
			},
		],
		prometheus_port: PROMETHEUS_PORT,
		prometheus_external: true,
		role,
		bootnodes: ctx.bootnodes.clone(),
	});
	let readiness = if ctx.alone { "/health" } else { "/health/readiness" };
	let (cpu, memory) = if producer {
		(("250m", "2"), ("512Mi", "2Gi"))
	} else {
		(("100m", "1"), ("256Mi", "1Gi"))
	};
	let node = json!({
		"name": "node",
		"image": opts.image,
		"imagePullPolicy": "IfNotPresent",
		"command": [BINARY],
		// Pod IPs are private; local chains allow them already, said here for clarity.
		"args": args.into_iter().chain(["--allow-private-ip".to_string()]).collect::<Vec<_>>(),
		"env": pod_name_env(),
		"ports": [
			{ "name": "p2p", "containerPort": P2P_PORT },
			{ "name": "rpc", "containerPort": RPC_PORT },
			{ "name": "prometheus", "containerPort": PROMETHEUS_PORT },
		],
		"volumeMounts": node_mounts,
		"startupProbe": { "httpGet": { "path": "/health", "port": "rpc" }, "periodSeconds": 5, "failureThreshold": 60 },
		"livenessProbe": { "httpGet": { "path": "/health", "port": "rpc" }, "periodSeconds": 20, "timeoutSeconds": 5, "failureThreshold": 3 },
		"readinessProbe": { "httpGet": { "path": readiness, "port": "rpc" }, "periodSeconds": 10 },
		"securityContext": container_security(),
		"resources": resources(cpu, memory),
	});
	let mut claim_spec = json!({
		"accessModes": ["ReadWriteOnce"],
		"resources": { "requests": { "storage": opts.storage_size } },
	});
	if let Some(class) = &opts.storage_class {
		claim_spec["storageClassName"] = json!(class);
	}
	json!({
		"apiVersion": "apps/v1",
		"kind": "StatefulSet",
		"metadata": metadata(opts, &set_name, &pod_labels),
		"spec": {
			"serviceName": name,
			"replicas": replicas,
			// Pods are named as launch names nodes: <network>-producer-1, ...
			"ordinals": { "start": 1 },
			// Readiness needs peers; starting one pod after another's readiness would never end.
			"podManagementPolicy": "Parallel",
			"updateStrategy": { "type": "RollingUpdate" },
			"selector": { "matchLabels": labels_map(&pod_labels) },
			"template": {
				"metadata": {
					"labels": labels(&pod_labels),
					"annotations": scrape_annotations(PROMETHEUS_PORT),
				},
				"spec": {
					"automountServiceAccountToken": false,
					"terminationGracePeriodSeconds": 60,
					"securityContext": pod_security(),
					"initContainers": init,
					"containers": [node],
					"volumes": volumes,
				},
			},
			"volumeClaimTemplates": [{
				"metadata": { "name": "data", "labels": labels(&pod_labels) },
				"spec": claim_spec,
			}],
		},
	})
}

fn labels_map(pairs: &[(&str, &str)]) -> Value {
	let map: serde_json::Map<String, Value> =
		pairs.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
	Value::Object(map)
}

fn scrape_annotations(port: u16) -> Value {
	json!({
		"prometheus.io/scrape": "true",
		"prometheus.io/port": port.to_string(),
		"prometheus.io/path": "/metrics",
	})
}

/// The Job's name carries a hash of its image and arguments: a Job's template cannot change, so
/// a changed bridge (a next hop added with a new network) or a new image is a new Job.
pub fn init_job_name(opts: &Options, bridge: &super::BridgeMaterial) -> String {
	let args = bridge_init_args(bridge).join("\0");
	let hash = pack::sha256_hex(format!("{}\0{args}", opts.image).as_bytes());
	format!("init-{}-{}-{}", bridge.between[0], bridge.between[1], &hash[..8])
}

/// `command` for `bridge`: its ends (each network's first producer, as launch uses) and slot.
fn bridge_command(command: &str, bridge: &super::BridgeMaterial) -> Vec<String> {
	let [a, b] = &bridge.between;
	[command, "--a", &producer_rpc_url(a), "--b", &producer_rpc_url(b), "--names", a, b, "--slot"]
		.map(String::from)
		.into_iter()
		.chain([bridge.slot.to_string()])
		.collect()
}

pub fn bridge_init_args(bridge: &super::BridgeMaterial) -> Vec<String> {
	let mut args = bridge_command("bridge-init", bridge);
	args.extend(["--sudo-file".into(), "/var/lib/plexus/sudo/suri".into()]);
	for (from, to) in &bridge.next_hops {
		args.extend([
			"--next-hop".into(),
			format!("{}={}", bridge.between[*from], producer_rpc_url(to)),
		]);
	}
	args
}

fn bridge_pod(
	opts: &Options,
	args: Vec<String>,
	(volume, secret, dir): (&str, &str, &str),
	extra: Value,
) -> Value {
	let mut container = json!({
		"name": "main",
		"image": opts.image,
		"imagePullPolicy": "IfNotPresent",
		"command": [BINARY],
		"args": args,
		"volumeMounts": [{ "name": volume, "mountPath": dir, "readOnly": true }],
		"securityContext": container_security(),
		"resources": resources(("50m", "500m"), ("64Mi", "256Mi")),
	});
	if let (Value::Object(c), Value::Object(extra)) = (&mut container, extra) {
		c.extend(extra);
	}
	json!({
		"automountServiceAccountToken": false,
		"securityContext": pod_security(),
		"containers": [container],
		"volumes": [{ "name": volume, "secret": { "secretName": secret, "defaultMode": SECRET_MODE } }],
	})
}

fn init_job(opts: &Options, bridge: &super::BridgeMaterial) -> Value {
	let between = format!("{}-{}", bridge.between[0], bridge.between[1]);
	let pod_labels = [("plexus/bridge", between.as_str()), ("plexus/component", "bridge-init")];
	let mut pod = bridge_pod(
		opts,
		bridge_init_args(bridge),
		("sudo", "plexus-sudo", "/var/lib/plexus/sudo"),
		json!({}),
	);
	pod["restartPolicy"] = json!("OnFailure");
	json!({
		"apiVersion": "batch/v1",
		"kind": "Job",
		"metadata": metadata(opts, &init_job_name(opts, bridge), &pod_labels),
		"spec": {
			// Idempotent: a retry skips what is done. Several Jobs sign as one sudo key, so one
			// may see its transaction refused for a stale nonce and try again.
			"backoffLimit": 10,
			"activeDeadlineSeconds": 3600,
			"template": { "metadata": { "labels": labels(&pod_labels) }, "spec": pod },
		},
	})
}

fn relay_deployment(opts: &Options, bridge: &super::BridgeMaterial) -> Value {
	let between = format!("{}-{}", bridge.between[0], bridge.between[1]);
	let pod_labels = [("plexus/bridge", between.as_str()), ("plexus/component", "relayer")];
	let mut args = bridge_command("relay", bridge);
	args.extend(
		[
			"--signer-file",
			"/var/lib/plexus/relay/signer",
			"--prometheus-port",
			&RELAY_METRICS_PORT.to_string(),
			"--prometheus-external",
		]
		.map(String::from),
	);
	let probe = |failures: u32| json!({ "httpGet": { "path": "/metrics", "port": "metrics" }, "periodSeconds": 10, "failureThreshold": failures });
	let pod = bridge_pod(
		opts,
		args,
		("signer", &signer_secret_name(&bridge.between), "/var/lib/plexus/relay"),
		json!({
			"ports": [{ "name": "metrics", "containerPort": RELAY_METRICS_PORT }],
			"startupProbe": probe(30),
			"livenessProbe": probe(3),
		}),
	);
	json!({
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"metadata": metadata(opts, &relayer_name(&bridge.between), &pod_labels),
		"spec": {
			// Two relayers of one bridge would race each other's transactions.
			"replicas": 1,
			"strategy": { "type": "Recreate" },
			"selector": { "matchLabels": labels_map(&pod_labels) },
			"template": {
				"metadata": {
					"labels": labels(&pod_labels),
					"annotations": scrape_annotations(RELAY_METRICS_PORT),
				},
				"spec": pod,
			},
		},
	})
}

/// Names Kubernetes will refuse, said before anything is written: every name is a DNS label
/// (≤ 63), and a StatefulSet's name ≤ 52 (its pods carry `<name>-<10-char hash>` as a label).
pub fn check_names(files: &BTreeMap<PathBuf, File>) -> Result<(), String> {
	for (path, file) in files {
		let Ok(value) = serde_json::from_slice::<Value>(&file.bytes) else { continue };
		let (Some(kind), Some(name)) = (value["kind"].as_str(), value["metadata"]["name"].as_str())
		else {
			continue;
		};
		let limit = if kind == "StatefulSet" { 52 } else { 63 };
		if name.len() > limit {
			return Err(format!(
				"the {kind} {name:?} ({}) would have a {}-character name; Kubernetes allows {limit}: \
				 use shorter network names",
				path.display(),
				name.len()
			));
		}
	}
	Ok(())
}
