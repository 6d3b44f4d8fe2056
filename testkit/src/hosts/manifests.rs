//! The manifest subset the harness runs, read into a [`Cluster`] of [`Pod`]s: the kustomization
//! and its files, the objects of each kind, and the JSON helpers that refuse what is outside the
//! subset. A workload's pod template becomes pods in [`super::workloads`].

use super::{network::MAX_PODS, workloads::workload};
use base64::Engine;
use serde_json::{Map, Value};
use std::{
	collections::{BTreeMap, BTreeSet},
	os::unix::fs::PermissionsExt,
	path::Path,
};

/// What the API server accepts in one ConfigMap's `data` and `binaryData` together.
pub const CONFIGMAP_LIMIT: usize = 1024 * 1024;

pub type Labels = BTreeMap<String, String>;

/// What made a pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
	/// A replica of a StatefulSet, with its governing (headless) Service.
	StatefulSet {
		set: String,
		service: String,
	},
	Deployment(String),
	Job(String),
}

#[derive(Clone, Debug)]
pub struct Pod {
	pub name: String,
	pub owner: Owner,
	pub labels: Labels,
	pub annotations: Labels,
	pub fs_group: Option<u32>,
	pub init: Vec<Container>,
	pub containers: Vec<Container>,
	/// Every volume mounted by one of its containers, by path relative to [`POD_ROOT`](super::POD_ROOT).
	pub mounts: BTreeMap<String, Mount>,
}

impl Pod {
	/// Whether the kubelet starts its containers again when they exit (`restartPolicy: Always`).
	pub fn restarts(&self) -> bool {
		!matches!(self.owner, Owner::Job(_))
	}
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mount {
	pub volume: String,
	pub content: Content,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Content {
	/// ConfigMap or Secret items.
	Files(Vec<VolumeFile>),
	/// An emptyDir or a claim.
	Directory,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VolumeFile {
	/// Relative to the volume.
	pub path: String,
	pub bytes: Vec<u8>,
	pub mode: u32,
}

#[derive(Clone, Debug)]
pub struct Container {
	pub name: String,
	/// The arguments after the binary, `$(VAR)` expanded.
	pub args: Vec<String>,
	pub env: Vec<(String, String)>,
	pub ports: BTreeMap<String, u16>,
	pub probes: Vec<Probe>,
	pub working_dir: String,
	pub user: u32,
	pub group: u32,
	pub read_only_root: bool,
	pub no_new_privs: bool,
	pub drop_all_capabilities: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
	/// `startupProbe`, `livenessProbe` or `readinessProbe`.
	pub kind: String,
	pub path: String,
	pub port: u16,
}

#[derive(Clone, Debug)]
pub struct Service {
	pub name: String,
	pub selector: Labels,
	pub ports: BTreeMap<String, u16>,
}

#[derive(Clone, Debug)]
pub struct Budget {
	pub name: String,
	pub selector: Labels,
	pub min_available: u64,
}

/// A manifest set, as pods.
#[derive(Clone, Debug)]
pub struct Cluster {
	pub namespace: String,
	/// Sorted by name; pod `k` gets address `10.250.0.<10 + k>`.
	pub pods: Vec<Pod>,
	pub services: Vec<Service>,
	pub budgets: Vec<Budget>,
}

pub(super) fn obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
	v.as_object().ok_or_else(|| format!("{what}: not an object"))
}

/// Refuses any key but `allowed`: what the harness does not model must not pass silently.
pub(super) fn only(v: &Value, allowed: &[&str], what: &str) -> Result<(), String> {
	for key in obj(v, what)?.keys() {
		if !allowed.contains(&key.as_str()) {
			return Err(format!("{what}: `{key}` is outside the subset this harness runs"));
		}
	}
	Ok(())
}

pub(super) fn string(v: &Value, key: &str, what: &str) -> Result<String, String> {
	v.get(key)
		.and_then(Value::as_str)
		.map(str::to_string)
		.ok_or_else(|| format!("{what}: no string `{key}`"))
}

pub(super) fn uint(v: &Value, key: &str, what: &str) -> Result<Option<u64>, String> {
	match v.get(key) {
		None => Ok(None),
		Some(n) => n.as_u64().map(Some).ok_or_else(|| format!("{what}: `{key}` is not a count")),
	}
}

pub(super) fn array<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a [Value], String> {
	match v.get(key) {
		None => Ok(&[]),
		Some(a) => {
			a.as_array().map(Vec::as_slice).ok_or_else(|| format!("{what}: `{key}` is not a list"))
		},
	}
}

pub(super) fn labels(v: Option<&Value>, what: &str) -> Result<Labels, String> {
	let Some(v) = v else { return Ok(Labels::new()) };
	obj(v, what)?
		.iter()
		.map(|(k, value)| {
			let value = value.as_str().ok_or_else(|| format!("{what}: `{k}` is not a string"))?;
			Ok((k.clone(), value.to_string()))
		})
		.collect()
}

/// `selector.matchLabels`, the only selector form in the subset.
pub(super) fn match_labels(selector: Option<&Value>, what: &str) -> Result<Labels, String> {
	let selector = selector.ok_or_else(|| format!("{what}: no selector"))?;
	only(selector, &["matchLabels"], what)?;
	let labels = labels(selector.get("matchLabels"), what)?;
	if labels.is_empty() {
		return Err(format!("{what}: an empty selector"));
	}
	Ok(labels)
}

/// Whether a non-empty `selector` selects `labels`.
pub fn selects(selector: &Labels, labels: &Labels) -> bool {
	!selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// A path that stays where it is put: relative, no `.`, `..` or empty component.
pub(super) fn clean_relative(path: &str) -> bool {
	!path.is_empty() && path.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

/// Standard base64 with padding, as the API server takes `data` and `binaryData`.
fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
	base64::engine::general_purpose::STANDARD
		.decode(text)
		.map_err(|e| format!("not standard base64 with padding: {e}"))
}

/// The `.yaml` files under `dir`, relative, `kustomization.yaml` excepted.
fn yaml_files(dir: &Path, under: &str, out: &mut BTreeSet<String>) -> Result<(), String> {
	let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
	for entry in entries {
		let entry = entry.map_err(|e| e.to_string())?;
		let name = entry.file_name().to_string_lossy().into_owned();
		let rel = if under.is_empty() { name.clone() } else { format!("{under}/{name}") };
		if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
			yaml_files(&entry.path(), &rel, out)?;
		} else if name.ends_with(".yaml") && rel != "kustomization.yaml" {
			out.insert(rel);
		}
	}
	Ok(())
}

pub(super) type Store = BTreeMap<String, BTreeMap<String, Vec<u8>>>;

impl Cluster {
	/// Reads the manifest set in `dir`: every `.yaml` file must be listed (sorted, once) in
	/// `kustomization.yaml`'s `resources`, and every listed one must exist; Secrets' files must be
	/// unreadable by group and others.
	pub fn load(dir: &Path) -> Result<Self, String> {
		let read = |name: &str| -> Result<Value, String> {
			let text =
				std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{name}: {e}"))?;
			serde_json::from_str(&text)
				.map_err(|e| format!("{name}: not the JSON-as-YAML this harness reads: {e}"))
		};
		let what = "kustomization.yaml";
		let kustomization = read(what)?;
		only(&kustomization, &["apiVersion", "kind", "namespace", "resources"], what)?;
		if string(&kustomization, "apiVersion", what)? != "kustomize.config.k8s.io/v1beta1"
			|| string(&kustomization, "kind", what)? != "Kustomization"
		{
			return Err(format!("{what}: not a kustomize.config.k8s.io/v1beta1 Kustomization"));
		}
		let resources: Vec<String> = array(&kustomization, "resources", what)?
			.iter()
			.map(|r| {
				r.as_str()
					.map(str::to_string)
					.ok_or_else(|| format!("{what}: a resource is not a string"))
			})
			.collect::<Result<_, _>>()?;
		let listed: BTreeSet<String> = resources.iter().cloned().collect();
		if listed.iter().cloned().collect::<Vec<_>>() != resources {
			return Err(format!("{what}: resources are not sorted and unique"));
		}
		let mut found = BTreeSet::new();
		yaml_files(dir, "", &mut found)?;
		if listed != found {
			return Err(format!(
				"{what}: resources not on disk: {:?}; files not in resources: {:?}",
				listed.difference(&found).collect::<Vec<_>>(),
				found.difference(&listed).collect::<Vec<_>>()
			));
		}
		let mut objects = Vec::new();
		for name in &resources {
			let object = read(name)?;
			if object.get("kind").and_then(Value::as_str) == Some("Secret") {
				let mode = std::fs::metadata(dir.join(name))
					.map_err(|e| e.to_string())?
					.permissions()
					.mode();
				if mode & 0o077 != 0 {
					return Err(format!("{name}: a Secret's file of mode {:o}", mode & 0o777));
				}
			}
			objects.push((name.clone(), object));
		}
		let namespace = kustomization.get("namespace").and_then(Value::as_str);
		Self::from_objects(namespace, &objects)
	}

	/// The pods of `objects` (file name, object), in the kustomization's `namespace`.
	pub fn from_objects(
		namespace: Option<&str>,
		objects: &[(String, Value)],
	) -> Result<Self, String> {
		let mut own_namespace = None;
		let mut namespaces = BTreeSet::new();
		let (mut config_maps, mut secrets) = (Store::new(), Store::new());
		let (mut services, mut budgets, mut workloads) = (Vec::new(), Vec::new(), Vec::new());
		for (file, v) in objects {
			let what = file.as_str();
			let kind = string(v, "kind", what)?;
			let api = match kind.as_str() {
				"Namespace" | "ConfigMap" | "Secret" | "Service" => "v1",
				"StatefulSet" | "Deployment" => "apps/v1",
				"Job" => "batch/v1",
				"PodDisruptionBudget" => "policy/v1",
				other => return Err(format!("{what}: kind {other} is outside the subset")),
			};
			if string(v, "apiVersion", what)? != api {
				return Err(format!("{what}: a {kind} is {api}"));
			}
			let meta = v.get("metadata").ok_or_else(|| format!("{what}: no metadata"))?;
			only(meta, &["name", "namespace", "labels", "annotations"], what)?;
			let name = string(meta, "name", what)?;
			labels(meta.get("labels"), what)?;
			labels(meta.get("annotations"), what)?;
			if kind == "Namespace" {
				only(v, &["apiVersion", "kind", "metadata"], what)?;
				if own_namespace.replace(name).is_some() {
					return Err(format!("{what}: a second Namespace"));
				}
				continue;
			}
			namespaces.insert(string(meta, "namespace", what)?);
			let decoded =
				|map: Option<&Value>, base64: bool, into: &mut BTreeMap<String, Vec<u8>>| {
					for (key, value) in obj(map.unwrap_or(&Value::Object(Map::new())), what)? {
						let text = value
							.as_str()
							.ok_or_else(|| format!("{what}: `{key}` is not a string"))?;
						let bytes = if base64 {
							base64_decode(text).map_err(|e| format!("{what}: `{key}`: {e}"))?
						} else {
							text.as_bytes().to_vec()
						};
						if !clean_relative(key)
							|| key.contains('/') || into.insert(key.clone(), bytes).is_some()
						{
							return Err(format!("{what}: key `{key}` twice or not a file name"));
						}
					}
					Ok::<_, String>(())
				};
			match kind.as_str() {
				"ConfigMap" => {
					only(
						v,
						&["apiVersion", "kind", "metadata", "data", "binaryData", "immutable"],
						what,
					)?;
					let mut data = BTreeMap::new();
					decoded(v.get("data"), false, &mut data)?;
					decoded(v.get("binaryData"), true, &mut data)?;
					let size: usize = data.values().map(Vec::len).sum();
					if size > CONFIGMAP_LIMIT {
						return Err(format!("{what}: {size} bytes, over a ConfigMap's 1 MiB"));
					}
					config_maps.insert(name, data);
				},
				"Secret" => {
					only(
						v,
						&[
							"apiVersion",
							"kind",
							"metadata",
							"type",
							"data",
							"stringData",
							"immutable",
						],
						what,
					)?;
					if v.get("type").is_some_and(|t| t != "Opaque") {
						return Err(format!("{what}: only Opaque Secrets"));
					}
					let mut data = BTreeMap::new();
					decoded(v.get("data"), true, &mut data)?;
					decoded(v.get("stringData"), false, &mut data)?;
					secrets.insert(name, data);
				},
				"Service" => {
					only(v, &["apiVersion", "kind", "metadata", "spec"], what)?;
					let spec = v.get("spec").ok_or_else(|| format!("{what}: no spec"))?;
					only(
						spec,
						&["type", "clusterIP", "publishNotReadyAddresses", "selector", "ports"],
						what,
					)?;
					if spec.get("type").is_some_and(|t| t != "ClusterIP")
						|| spec.get("clusterIP") != Some(&"None".into())
					{
						return Err(format!("{what}: only headless Services (clusterIP: None)"));
					}
					// Readiness is not modelled: a name exists from the start, as with this flag.
					if spec.get("publishNotReadyAddresses") != Some(&Value::Bool(true)) {
						return Err(format!(
							"{what}: names of pods not ready are not modelled \
							 (publishNotReadyAddresses: true)"
						));
					}
					let selector = labels(spec.get("selector"), what)?;
					let mut ports = BTreeMap::new();
					for p in array(spec, "ports", what)? {
						only(p, &["name", "port", "targetPort", "protocol"], what)?;
						// A headless Service's names lead to the pods: targetPort plays no part.
						if p.get("protocol").is_some_and(|t| t != "TCP") {
							return Err(format!("{what}: only TCP ports"));
						}
						let port = uint(p, "port", what)?
							.ok_or_else(|| format!("{what}: a port without a number"))?;
						ports.insert(string(p, "name", what)?, port as u16);
					}
					services.push(Service { name, selector, ports });
				},
				"PodDisruptionBudget" => {
					only(v, &["apiVersion", "kind", "metadata", "spec"], what)?;
					let spec = v.get("spec").ok_or_else(|| format!("{what}: no spec"))?;
					only(spec, &["minAvailable", "selector", "unhealthyPodEvictionPolicy"], what)?;
					let min_available = uint(spec, "minAvailable", what)?
						.ok_or_else(|| format!("{what}: only a count minAvailable"))?;
					let selector = match_labels(spec.get("selector"), what)?;
					budgets.push(Budget { name, selector, min_available });
				},
				_ => workloads.push((what, kind, name, v)),
			}
		}
		let own = own_namespace.ok_or("no Namespace object")?;
		if namespace.is_some_and(|n| n != own) || namespaces.iter().any(|n| *n != own) {
			return Err(format!(
				"objects in namespaces {namespaces:?}, kustomization's {namespace:?}, \
				 Namespace {own}"
			));
		}
		let mut pods = Vec::new();
		for (what, kind, name, v) in workloads {
			pods.extend(workload(what, &kind, &name, v, &own, &config_maps, &secrets)?);
		}
		pods.sort_by(|a, b| a.name.cmp(&b.name));
		if pods.windows(2).any(|w| w[0].name == w[1].name) || pods.len() > MAX_PODS {
			return Err(format!("{} pods, some of one name, or more than {MAX_PODS}", pods.len()));
		}
		for pod in &pods {
			if let Owner::StatefulSet { service, .. } = &pod.owner {
				let governs = services
					.iter()
					.any(|s| s.name == *service && selects(&s.selector, &pod.labels));
				if !governs {
					return Err(format!("{}: no headless Service {service} selects it", pod.name));
				}
			}
		}
		for b in &budgets {
			if !pods.iter().any(|p| selects(&b.selector, &p.labels)) {
				return Err(format!("PodDisruptionBudget {} selects no pod", b.name));
			}
		}
		Ok(Self { namespace: own, pods, services, budgets })
	}

	pub fn index(&self, pod: &str) -> Option<usize> {
		self.pods.iter().position(|p| p.name == pod)
	}

	pub fn pod(&self, pod: &str) -> &Pod {
		&self.pods[self.index(pod).unwrap_or_else(|| panic!("no pod {pod}"))]
	}

	/// The DNS records of StatefulSet pods, as (pod index, pod, service).
	pub fn records(&self) -> Vec<(usize, String, String)> {
		self.pods
			.iter()
			.enumerate()
			.filter_map(|(k, p)| match &p.owner {
				Owner::StatefulSet { service, .. } => Some((k, p.name.clone(), service.clone())),
				_ => None,
			})
			.collect()
	}
}

#[cfg(test)]
mod tests {
	use super::{super::sample::objects, *};
	use serde_json::json;

	#[test]
	fn base64_is_decoded_strictly() {
		for (text, plain) in
			[("", ""), ("Zg==", "f"), ("Zm8=", "fo"), ("Zm9v", "foo"), ("Zm9vYmFy", "foobar")]
		{
			assert_eq!(base64_decode(text).unwrap(), plain.as_bytes(), "{text}");
		}
		assert_eq!(base64_decode("AP8+/w==").unwrap(), vec![0x00, 0xff, 0x3e, 0xff]);
		for bad in ["Zg=", "Zg", "Z===", "Zm9v\n", "Zh==", "Zm 9v", "Zm9-"] {
			assert!(base64_decode(bad).is_err(), "{bad:?} accepted");
		}
	}

	/// `objects()` with `edit` applied to the object in `file`.
	fn refused(file: &str, edit: impl FnOnce(&mut Value)) -> String {
		let mut objects = objects();
		edit(&mut objects.iter_mut().find(|(f, _)| f == file).expect("a file").1);
		Cluster::from_objects(Some("plexus"), &objects).expect_err("refused")
	}

	#[test]
	fn what_is_outside_the_subset_is_refused() {
		let sts = "networks/alpha/producer.statefulset.yaml";
		fn pod(v: &mut Value) -> &mut Value {
			&mut v["spec"]["template"]["spec"]
		}
		let cases: Vec<(String, &str)> = vec![
			(refused("namespace.yaml", |v| v["kind"] = json!("Ingress")), "kind Ingress"),
			(
				refused("networks/alpha/service.yaml", |v| {
					v["spec"]["clusterIP"] = json!("10.0.0.1")
				}),
				"headless",
			),
			(
				refused("networks/alpha/service.yaml", |v| {
					v["spec"]["publishNotReadyAddresses"] = json!(false)
				}),
				"publishNotReadyAddresses",
			),
			(
				refused("networks/alpha/service.yaml", |v| {
					v["spec"]["selector"] = json!({ "plexus/network": "beta" })
				}),
				"no headless Service alpha selects",
			),
			(
				refused(sts, |v| pod(v)["containers"][0]["envFrom"] = json!([])),
				"`envFrom` is outside the subset",
			),
			(
				refused(sts, |v| {
					pod(v)["containers"][0]["env"][0]["valueFrom"]["fieldRef"]["fieldPath"] =
						json!("status.podIP")
				}),
				"status.podIP is outside the subset",
			),
			(
				refused(sts, |v| {
					pod(v)["containers"][0]["volumeMounts"][0]["subPath"] = json!("x")
				}),
				"`subPath` is outside the subset",
			),
			(
				refused(sts, |v| {
					pod(v)["volumes"][2] = json!({ "name": "tmp", "hostPath": { "path": "/" } })
				}),
				"`hostPath` is outside the subset",
			),
			(
				refused(sts, |v| pod(v)["containers"][0]["command"] = json!(["/bin/sh"])),
				"not /usr/local/bin/plexus-node",
			),
			(
				refused(sts, |v| {
					pod(v)["containers"][0]["volumeMounts"][0]["mountPath"] = json!("/etc/plexus")
				}),
				"not below /var/lib/plexus",
			),
			(
				refused(sts, |v| {
					pod(v)["containers"][0]["volumeMounts"][0]["mountPath"] =
						json!("/var/lib/plexus/chain-spec-parts")
				}),
				"volumes chain-spec-parts and data at one path",
			),
			(
				refused(sts, |v| {
					pod(v)["initContainers"][0]["volumeMounts"][1]["mountPath"] =
						json!("/var/lib/plexus/chain-spec-parts/x")
				}),
				"inside mount",
			),
			(
				refused(sts, |v| pod(v)["volumes"][1]["secret"]["secretName"] = json!("missing")),
				"no secret missing",
			),
			(
				refused(sts, |v| pod(v)["volumes"][1]["secret"]["items"][0]["key"] = json!("nope")),
				"has no key nope",
			),
			(
				refused(sts, |v| {
					pod(v)["containers"][0]["readinessProbe"] =
						json!({ "exec": { "command": ["true"] } })
				}),
				"`exec` is outside the subset",
			),
			(refused(sts, |v| pod(v)["securityContext"]["runAsUser"] = json!(0)), "runs as root"),
			(
				refused(sts, |v| {
					v["spec"]["selector"]["matchLabels"]["plexus/role"] = json!("consumer")
				}),
				"does not select",
			),
			(
				refused("networks/alpha/chain-spec-1.configmap.yaml", |v| {
					v["binaryData"]["part"] = json!("AP8")
				}),
				"not standard base64 with padding",
			),
			(
				refused("networks/alpha/chain-spec-1.configmap.yaml", |v| {
					v["data"] = json!({ "big": "x".repeat(CONFIGMAP_LIMIT) })
				}),
				"over a ConfigMap's 1 MiB",
			),
			(
				refused("bridges/alpha-beta/init.job.yaml", |v| {
					v["metadata"]["namespace"] = json!("other")
				}),
				"namespaces",
			),
			(
				refused("bridges/alpha-beta/init.job.yaml", |v| {
					v["spec"]["template"]["spec"]["restartPolicy"] = json!("Always")
				}),
				"OnFailure or Never",
			),
		];
		for (error, expected) in cases {
			assert!(error.contains(expected), "{error:?} does not say {expected:?}");
		}
	}

	#[test]
	fn a_manifest_directory_is_read_through_its_kustomization() {
		let dir = std::env::temp_dir().join(format!("plexus-hosts-unit-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		let objects = objects();
		let mut resources: Vec<&str> = objects.iter().map(|(f, _)| f.as_str()).collect();
		resources.sort();
		for (file, v) in &objects {
			let path = dir.join(file);
			std::fs::create_dir_all(path.parent().unwrap()).unwrap();
			std::fs::write(&path, serde_json::to_string_pretty(v).unwrap()).unwrap();
			let mode = if file.ends_with(".secret.yaml") { 0o600 } else { 0o644 };
			std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
		}
		let kustomization = |resources: &[&str]| {
			let k = json!({ "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "namespace": "plexus", "resources": resources });
			std::fs::write(
				dir.join("kustomization.yaml"),
				serde_json::to_string_pretty(&k).unwrap(),
			)
			.unwrap();
		};
		kustomization(&resources);
		assert_eq!(Cluster::load(&dir).unwrap().pods.len(), 3);
		// A file left out of the resources, resources out of order, a Secret others can read.
		kustomization(&resources[1..]);
		assert!(Cluster::load(&dir).unwrap_err().contains("files not in resources"));
		let mut reversed = resources.clone();
		reversed.reverse();
		kustomization(&reversed);
		assert!(Cluster::load(&dir).unwrap_err().contains("sorted"));
		kustomization(&resources);
		let secret = dir.join("networks/alpha/alpha-producer-1-keys.secret.yaml");
		std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
		assert!(Cluster::load(&dir).unwrap_err().contains("a Secret's file of mode 644"));
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
