//! A workload's pod template as [`Pod`]s: one per StatefulSet replica, Deployment replica and
//! Job, with their containers (arguments, environment, ports, probes, security) and the files and
//! directories of the volumes they mount.

use super::{
	manifests::{
		array, clean_relative, labels, match_labels, obj, only, selects, string, uint, Container,
		Content, Labels, Mount, Owner, Pod, Probe, Store, VolumeFile,
	},
	IMAGE_BINARY, IMAGE_USER, POD_ROOT,
};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// `$(VAR)` expanded as the kubelet expands a container's command, args and env values
/// (`third_party/forked/golang/expansion`): a defined variable is replaced by its last value,
/// an undefined one is left as written, `$$` is one `$`, any other `$` stays.
pub fn expand(input: &str, env: &[(String, String)]) -> String {
	let lookup = |name: &str| env.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
	let bytes = input.as_bytes();
	let mut out = String::new();
	let (mut checkpoint, mut cursor) = (0, 0);
	while cursor < bytes.len() {
		if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
			out.push_str(&input[checkpoint..cursor]);
			let rest = &input[cursor + 1..];
			let advance = match bytes[cursor + 1] {
				b'$' => {
					out.push('$');
					1
				},
				b'(' => match rest.find(')') {
					Some(close) => {
						let name = &rest[1..close];
						out.push_str(&lookup(name).unwrap_or_else(|| format!("$({name})")));
						close + 1
					},
					None => {
						out.push_str("$(");
						1
					},
				},
				_ => {
					let c = rest.chars().next().expect("a character follows");
					out.push('$');
					out.push(c);
					c.len_utf8()
				},
			};
			cursor += advance;
			checkpoint = cursor + 1;
		}
		cursor += 1;
	}
	out.push_str(&input[checkpoint.min(input.len())..]);
	out
}

pub(super) fn workload(
	what: &str,
	kind: &str,
	name: &str,
	v: &Value,
	namespace: &str,
	config_maps: &Store,
	secrets: &Store,
) -> Result<Vec<Pod>, String> {
	only(v, &["apiVersion", "kind", "metadata", "spec"], what)?;
	let spec = v.get("spec").ok_or_else(|| format!("{what}: no spec"))?;
	let template = spec.get("template").ok_or_else(|| format!("{what}: no template"))?;
	only(template, &["metadata", "spec"], what)?;
	let meta = template.get("metadata").cloned().unwrap_or_else(|| Value::Object(Map::new()));
	only(&meta, &["labels", "annotations"], what)?;
	let pod_labels = labels(meta.get("labels"), what)?;
	let annotations = labels(meta.get("annotations"), what)?;
	let pod_spec = template.get("spec").ok_or_else(|| format!("{what}: no pod spec"))?;
	let restart = pod_spec.get("restartPolicy").and_then(Value::as_str);
	let mut claims = BTreeSet::new();
	let (names, owner): (Vec<String>, Owner) = match kind {
		"StatefulSet" => {
			only(
				spec,
				&[
					"serviceName",
					"replicas",
					"ordinals",
					"podManagementPolicy",
					"updateStrategy",
					"selector",
					"template",
					"volumeClaimTemplates",
					"persistentVolumeClaimRetentionPolicy",
					"minReadySeconds",
					"revisionHistoryLimit",
				],
				what,
			)?;
			let start = match spec.get("ordinals") {
				None => 0,
				Some(o) => {
					only(o, &["start"], what)?;
					uint(o, "start", what)?.unwrap_or(0)
				},
			};
			for claim in array(spec, "volumeClaimTemplates", what)? {
				let meta = claim
					.get("metadata")
					.ok_or_else(|| format!("{what}: a claim without metadata"))?;
				claims.insert(string(meta, "name", what)?);
			}
			let replicas = uint(spec, "replicas", what)?.unwrap_or(1);
			let service = string(spec, "serviceName", what)?;
			let names = (start..start + replicas).map(|o| format!("{name}-{o}")).collect();
			(names, Owner::StatefulSet { set: name.into(), service })
		},
		"Deployment" => {
			only(
				spec,
				&[
					"replicas",
					"strategy",
					"selector",
					"template",
					"revisionHistoryLimit",
					"minReadySeconds",
					"progressDeadlineSeconds",
				],
				what,
			)?;
			let replicas = uint(spec, "replicas", what)?.unwrap_or(1);
			((0..replicas).map(|j| format!("{name}-{j}")).collect(), Owner::Deployment(name.into()))
		},
		_ => {
			only(
				spec,
				&[
					"backoffLimit",
					"activeDeadlineSeconds",
					"template",
					"ttlSecondsAfterFinished",
					"completions",
					"parallelism",
				],
				what,
			)?;
			for key in ["completions", "parallelism"] {
				if uint(spec, key, what)?.is_some_and(|n| n != 1) {
					return Err(format!("{what}: a Job of more than one pod"));
				}
			}
			if !matches!(restart, Some("OnFailure" | "Never")) {
				return Err(format!("{what}: a Job's pods restart OnFailure or Never"));
			}
			(vec![format!("{name}-0")], Owner::Job(name.into()))
		},
	};
	if kind != "Job" {
		let selector = match_labels(spec.get("selector"), what)?;
		if !selects(&selector, &pod_labels) {
			return Err(format!("{what}: the selector does not select the template's labels"));
		}
		if restart.is_some_and(|r| r != "Always") {
			return Err(format!("{what}: restartPolicy Always only"));
		}
	}
	names
		.into_iter()
		.map(|pod| {
			let what = format!("{what} (pod {pod})");
			pod_of(
				&what,
				pod,
				owner.clone(),
				pod_labels.clone(),
				annotations.clone(),
				pod_spec,
				namespace,
				&claims,
				config_maps,
				secrets,
			)
		})
		.collect()
}

#[allow(clippy::too_many_arguments)]
fn pod_of(
	what: &str,
	name: String,
	owner: Owner,
	labels: Labels,
	annotations: Labels,
	spec: &Value,
	namespace: &str,
	claims: &BTreeSet<String>,
	config_maps: &Store,
	secrets: &Store,
) -> Result<Pod, String> {
	only(
		spec,
		&[
			"containers",
			"initContainers",
			"volumes",
			"securityContext",
			"terminationGracePeriodSeconds",
			"automountServiceAccountToken",
			"restartPolicy",
			"enableServiceLinks",
		],
		what,
	)?;
	let empty = Value::Object(Map::new());
	let security = spec.get("securityContext").unwrap_or(&empty);
	only(
		security,
		&[
			"runAsNonRoot",
			"runAsUser",
			"runAsGroup",
			"fsGroup",
			"fsGroupChangePolicy",
			"seccompProfile",
		],
		what,
	)?;
	let user = uint(security, "runAsUser", what)?.unwrap_or(IMAGE_USER as u64) as u32;
	let group = uint(security, "runAsGroup", what)?.unwrap_or(IMAGE_USER as u64) as u32;
	let fs_group = uint(security, "fsGroup", what)?.map(|g| g as u32);
	let mut volumes = BTreeMap::new();
	for volume in array(spec, "volumes", what)? {
		only(volume, &["name", "configMap", "secret", "projected", "emptyDir"], what)?;
		let name = string(volume, "name", what)?;
		if obj(volume, what)?.len() != 2
			|| claims.contains(&name)
			|| volumes.insert(name.clone(), volume).is_some()
		{
			return Err(format!("{what}: volume {name}: one source, one name"));
		}
	}
	let mut init = Vec::new();
	let mut containers = Vec::new();
	for (list, out) in [("initContainers", &mut init), ("containers", &mut containers)] {
		for c in array(spec, list, what)? {
			let what = format!("{what} container {}", string(c, "name", what)?);
			out.push((container(&what, c, &name, namespace, user, group)?, c));
		}
	}
	let mut seen = BTreeSet::new();
	if !init.iter().chain(&containers).all(|(c, _)| seen.insert(c.name.clone()))
		|| containers.is_empty()
	{
		return Err(format!("{what}: no container, or two of one name"));
	}
	let mut mounts: BTreeMap<String, Mount> = BTreeMap::new();
	for (c, v) in init.iter().chain(&containers) {
		let what = format!("{what} container {}", c.name);
		for m in array(v, "volumeMounts", &what)? {
			only(m, &["name", "mountPath", "readOnly"], &what)?;
			let (volume, path) = (string(m, "name", &what)?, string(m, "mountPath", &what)?);
			let content = if claims.contains(&volume) {
				Content::Directory
			} else {
				let source =
					volumes.get(&volume).ok_or_else(|| format!("{what}: no volume {volume}"))?;
				content_of(&what, source, config_maps, secrets)?
			};
			if path == "/tmp" {
				// The host's /tmp stands for it (an emptyDir there).
				if content != Content::Directory || claims.contains(&volume) {
					return Err(format!("{what}: /tmp from anything but an emptyDir"));
				}
				continue;
			}
			let rel = path
				.strip_prefix(POD_ROOT)
				.and_then(|p| p.strip_prefix('/'))
				.filter(|p| clean_relative(p))
				.ok_or_else(|| format!("{what}: mount path {path} is not below {POD_ROOT}"))?;
			match mounts.get(rel) {
				Some(m) if m.volume != volume => {
					return Err(format!(
						"{what}: volumes {} and {volume} at one path {path}",
						m.volume
					));
				},
				Some(_) => {},
				None => {
					let elsewhere = mounts.values().any(|m| m.volume == volume);
					if elsewhere && content == Content::Directory {
						return Err(format!("{what}: the directory {volume} at two paths"));
					}
					mounts.insert(rel.to_string(), Mount { volume, content });
				},
			}
		}
	}
	let paths: Vec<&String> = mounts.keys().collect();
	for a in &paths {
		if let Some(b) = paths.iter().find(|b| b.starts_with(&format!("{a}/"))) {
			return Err(format!("{what}: mount {b} inside mount {a}"));
		}
	}
	Ok(Pod {
		name,
		owner,
		labels,
		annotations,
		fs_group,
		init: init.into_iter().map(|(c, _)| c).collect(),
		containers: containers.into_iter().map(|(c, _)| c).collect(),
		mounts,
	})
}

fn content_of(
	what: &str,
	source: &Value,
	config_maps: &Store,
	secrets: &Store,
) -> Result<Content, String> {
	let volume_what = format!("{what} volume {}", string(source, "name", what)?);
	let what = volume_what.as_str();
	if let Some(empty) = source.get("emptyDir") {
		only(empty, &["medium", "sizeLimit"], what)?;
		return Ok(Content::Directory);
	}
	let mode = |v: &Value, key: &str, default: u32| -> Result<u32, String> {
		let mode = uint(v, key, what)?.map_or(default, |m| m as u32);
		if mode > 0o777 {
			return Err(format!("{what}: mode {mode:o}"));
		}
		Ok(mode)
	};
	// One ConfigMap or Secret source: its items, or every key.
	let project =
		|kind: &str, v: &Value, default: u32, out: &mut Vec<VolumeFile>| -> Result<(), String> {
			let (store, name_key) =
				if kind == "configMap" { (config_maps, "name") } else { (secrets, "secretName") };
			let name_key =
				if kind == "secret" && v.get("name").is_some() { "name" } else { name_key };
			only(v, &[name_key, "items", "optional", "defaultMode"], what)?;
			let name = string(v, name_key, what)?;
			let optional = v.get("optional") == Some(&Value::Bool(true));
			let Some(data) = store.get(&name) else {
				return if optional { Ok(()) } else { Err(format!("{what}: no {kind} {name}")) };
			};
			let default = mode(v, "defaultMode", default)?;
			let items = array(v, "items", what)?;
			let picked: Vec<(String, String, u32)> = if items.is_empty() {
				data.keys().map(|k| (k.clone(), k.clone(), default)).collect()
			} else {
				items
					.iter()
					.map(|item| {
						only(item, &["key", "path", "mode"], what)?;
						Ok((
							string(item, "key", what)?,
							string(item, "path", what)?,
							mode(item, "mode", default)?,
						))
					})
					.collect::<Result<_, String>>()?
			};
			for (key, path, mode) in picked {
				let bytes = data
					.get(&key)
					.ok_or_else(|| format!("{what}: {kind} {name} has no key {key}"))?;
				if !clean_relative(&path) || out.iter().any(|f| f.path == path) {
					return Err(format!("{what}: path {path} twice or not relative"));
				}
				out.push(VolumeFile { path, bytes: bytes.clone(), mode });
			}
			Ok(())
		};
	let mut files = Vec::new();
	if let Some(v) = source.get("configMap") {
		let default = mode(v, "defaultMode", 0o644)?;
		project("configMap", v, default, &mut files)?;
	} else if let Some(v) = source.get("secret") {
		let default = mode(v, "defaultMode", 0o644)?;
		project("secret", v, default, &mut files)?;
	} else if let Some(v) = source.get("projected") {
		only(v, &["sources", "defaultMode"], what)?;
		let default = mode(v, "defaultMode", 0o644)?;
		for s in array(v, "sources", what)? {
			only(s, &["configMap", "secret"], what)?;
			let (kind, inner) =
				obj(s, what)?.iter().next().ok_or_else(|| format!("{what}: an empty source"))?;
			if obj(s, what)?.len() != 1 || inner.get("defaultMode").is_some() {
				return Err(format!("{what}: a projected source is one ConfigMap or Secret"));
			}
			project(kind, inner, default, &mut files)?;
		}
	} else {
		return Err(format!("{what}: no source"));
	}
	Ok(Content::Files(files))
}

fn container(
	what: &str,
	v: &Value,
	pod: &str,
	namespace: &str,
	user: u32,
	group: u32,
) -> Result<Container, String> {
	only(
		v,
		&[
			"name",
			"image",
			"imagePullPolicy",
			"command",
			"args",
			"env",
			"ports",
			"volumeMounts",
			"resources",
			"securityContext",
			"startupProbe",
			"livenessProbe",
			"readinessProbe",
			"workingDir",
		],
		what,
	)?;
	string(v, "image", what)?;
	let mut env: Vec<(String, String)> = Vec::new();
	for e in array(v, "env", what)? {
		only(e, &["name", "value", "valueFrom"], what)?;
		let name = string(e, "name", what)?;
		let value = match (e.get("value"), e.get("valueFrom")) {
			(Some(value), None) => {
				expand(value.as_str().ok_or_else(|| format!("{what}: env {name}"))?, &env)
			},
			(None, Some(from)) => {
				only(from, &["fieldRef"], what)?;
				let field = from.get("fieldRef").ok_or_else(|| format!("{what}: env {name}"))?;
				only(field, &["fieldPath", "apiVersion"], what)?;
				match string(field, "fieldPath", what)?.as_str() {
					"metadata.name" => pod.to_string(),
					"metadata.namespace" => namespace.to_string(),
					other => {
						return Err(format!(
							"{what}: env {name} from {other} is outside the subset"
						))
					},
				}
			},
			_ => return Err(format!("{what}: env {name} has one value or valueFrom")),
		};
		env.push((name, value));
	}
	let strings = |key: &str| -> Result<Option<Vec<String>>, String> {
		v.get(key)
			.map(|list| {
				list.as_array()
					.ok_or_else(|| format!("{what}: `{key}` is not a list"))?
					.iter()
					.map(|s| {
						s.as_str()
							.map(|s| expand(s, &env))
							.ok_or_else(|| format!("{what}: `{key}` holds a non-string"))
					})
					.collect()
			})
			.transpose()
	};
	// Without `command`, the image's ENTRYPOINT: the binary.
	let mut args = strings("command")?.unwrap_or_else(|| vec![IMAGE_BINARY.into()]);
	if args.first().map(String::as_str) != Some(IMAGE_BINARY) {
		return Err(format!("{what}: runs {:?}, not {IMAGE_BINARY}", args.first()));
	}
	args.remove(0);
	args.extend(strings("args")?.unwrap_or_default());
	let mut ports = BTreeMap::new();
	for p in array(v, "ports", what)? {
		only(p, &["name", "containerPort", "protocol"], what)?;
		if p.get("protocol").is_some_and(|t| t != "TCP") {
			return Err(format!("{what}: only TCP ports"));
		}
		let port = uint(p, "containerPort", what)?
			.ok_or_else(|| format!("{what}: a port without a number"))?;
		ports.insert(string(p, "name", what)?, port as u16);
	}
	let mut probes = Vec::new();
	for kind in ["startupProbe", "livenessProbe", "readinessProbe"] {
		let Some(p) = v.get(kind) else { continue };
		only(
			p,
			&[
				"httpGet",
				"periodSeconds",
				"failureThreshold",
				"timeoutSeconds",
				"initialDelaySeconds",
				"successThreshold",
			],
			what,
		)?;
		let get = p.get("httpGet").ok_or_else(|| format!("{what}: only httpGet probes"))?;
		only(get, &["path", "port", "scheme"], what)?;
		if get.get("scheme").is_some_and(|s| s != "HTTP") {
			return Err(format!("{what}: only HTTP probes"));
		}
		let port = match get.get("port") {
			Some(Value::String(name)) => {
				*ports.get(name).ok_or_else(|| format!("{what}: no port {name}"))?
			},
			Some(n) => n.as_u64().ok_or_else(|| format!("{what}: a bad probe port"))? as u16,
			None => return Err(format!("{what}: a probe without a port")),
		};
		probes.push(Probe { kind: kind.into(), path: string(get, "path", what)?, port });
	}
	let empty = Value::Object(Map::new());
	let security = v.get("securityContext").unwrap_or(&empty);
	only(
		security,
		&[
			"allowPrivilegeEscalation",
			"readOnlyRootFilesystem",
			"capabilities",
			"runAsNonRoot",
			"runAsUser",
			"runAsGroup",
			"privileged",
			"seccompProfile",
		],
		what,
	)?;
	if security.get("privileged") == Some(&Value::Bool(true)) {
		return Err(format!("{what}: privileged"));
	}
	let mut drop_all_capabilities = false;
	if let Some(caps) = security.get("capabilities") {
		only(caps, &["drop", "add"], what)?;
		if !array(caps, "add", what)?.is_empty() {
			return Err(format!("{what}: adds capabilities"));
		}
		drop_all_capabilities = array(caps, "drop", what)?.iter().any(|c| c == "ALL");
	}
	let user = uint(security, "runAsUser", what)?.map_or(user, |u| u as u32);
	let group = uint(security, "runAsGroup", what)?.map_or(group, |g| g as u32);
	if user == 0 {
		return Err(format!("{what}: runs as root"));
	}
	Ok(Container {
		name: string(v, "name", what)?,
		args,
		env,
		ports,
		probes,
		working_dir: v.get("workingDir").and_then(Value::as_str).unwrap_or(POD_ROOT).to_string(),
		user,
		group,
		read_only_root: security.get("readOnlyRootFilesystem") == Some(&Value::Bool(true)),
		no_new_privs: security.get("allowPrivilegeEscalation") == Some(&Value::Bool(false)),
		drop_all_capabilities,
	})
}

#[cfg(test)]
mod tests {
	use super::{
		super::{manifests::Cluster, sample::objects},
		*,
	};

	#[test]
	fn variables_are_expanded_as_the_kubelet_does() {
		let env = vec![
			("POD_NAME".to_string(), "alpha-producer-2".to_string()),
			("A".to_string(), "first".to_string()),
			("A".to_string(), "last".to_string()),
		];
		let cases = [
			(
				"/var/lib/plexus/keys/$(POD_NAME)/session",
				"/var/lib/plexus/keys/alpha-producer-2/session",
			),
			("$(POD_NAME)$(POD_NAME)", "alpha-producer-2alpha-producer-2"),
			("$(A)", "last"),
			("$$(POD_NAME)", "$(POD_NAME)"),
			("$$", "$"),
			("$$$(A)", "$last"),
			("$(UNSET)", "$(UNSET)"),
			("x $(unclosed", "x $(unclosed"),
			("a$b", "a$b"),
			("cost $", "cost $"),
			("$é", "$é"),
			("", ""),
			("plain", "plain"),
		];
		for (input, expected) in cases {
			assert_eq!(expand(input, &env), expected, "{input}");
		}
	}

	#[test]
	fn manifests_become_pods_with_their_names_files_and_arguments() {
		let cluster = Cluster::from_objects(Some("plexus"), &objects()).unwrap();
		let names: Vec<&str> = cluster.pods.iter().map(|p| p.name.as_str()).collect();
		assert_eq!(names, ["alpha-producer-1", "alpha-producer-2", "init-alpha-beta-0123abcd-0"]);
		let pod = cluster.pod("alpha-producer-2");
		assert_eq!(
			pod.owner,
			Owner::StatefulSet { set: "alpha-producer".into(), service: "alpha".into() }
		);
		assert!(pod.restarts());
		assert_eq!(pod.fs_group, Some(10001));
		assert_eq!(
			pod.init[0].args,
			[
				"key",
				"insert",
				"--suri",
				"/var/lib/plexus/keys/alpha-producer-2/session",
				"$(POD_NAME)"
			]
		);
		let node = &pod.containers[0];
		assert_eq!(node.args, ["--name", "alpha-producer-2"]);
		assert_eq!(
			node.probes,
			[Probe { kind: "readinessProbe".into(), path: "/health/readiness".into(), port: 9944 }]
		);
		assert!(node.read_only_root && node.no_new_privs && node.drop_all_capabilities);
		assert!(!pod.init[0].read_only_root && !pod.init[0].drop_all_capabilities);
		assert_eq!((node.user, node.group), (10001, 10001));
		assert_eq!(node.working_dir, POD_ROOT);
		// Both containers mount data at one path: one volume; /tmp is left to the host.
		let paths: Vec<&str> = pod.mounts.keys().map(String::as_str).collect();
		assert_eq!(paths, ["chain-spec-parts", "data", "keys/alpha-producer-1"]);
		assert_eq!(pod.mounts["data"].content, Content::Directory);
		let Content::Files(parts) = &pod.mounts["chain-spec-parts"].content else { panic!() };
		let parts: Vec<(&str, &[u8], u32)> =
			parts.iter().map(|f| (f.path.as_str(), &f.bytes[..], f.mode)).collect();
		assert_eq!(
			parts,
			[
				("parts", &b"1"[..], 0o644),
				("sha256", &b"ab"[..], 0o644),
				("part-1", &[0x00, 0xff][..], 0o644)
			]
		);
		let Content::Files(keys) = &pod.mounts["keys/alpha-producer-1"].content else { panic!() };
		assert_eq!(
			keys,
			&[VolumeFile {
				path: "session".into(),
				bytes: b"phrase of alpha-producer-1".to_vec(),
				mode: 0o440
			}]
		);
		let job = cluster.pod("init-alpha-beta-0123abcd-0");
		assert!(!job.restarts());
		assert_eq!(job.containers[0].env[1], ("AT".to_string(), "in plexus".to_string()));
		assert_eq!(cluster.records().len(), 2);
	}
}
