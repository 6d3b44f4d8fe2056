use super::{manifests::*, *};
use crate::cli::parse;
use serde_json::Value;
use std::collections::BTreeMap;

fn options() -> Options {
	Options {
		namespace: "plexus".into(),
		image: "plexus-node:golden".into(),
		storage_class: None,
		storage_size: "20Gi".into(),
		rpc_external: false,
	}
}

/// The materials of `topology` with fixed keys and a stand-in chain spec, so that the rendering
/// is the same on every run.
fn fixed_materials(topology: &Topology) -> Materials {
	let mut counter = 0u32;
	let networks = topology
		.networks
		.iter()
		.map(|spec| {
			let producers = (1..=spec.producers as usize)
				.map(|i| {
					counter += 1;
					let keys = SessionKeys::from_phrase(sp_core::crypto::DEV_PHRASE).unwrap();
					let node_key = NodeKey::from_hex(&format!("{counter:064x}")).unwrap();
					let name = crate::launch::plan::producer_name(&spec.name, i);
					ProducerMaterial::new(name, i, &keys, &node_key)
				})
				.collect();
			NetworkMaterial {
				spec: spec.clone(),
				chain_id: crate::launch::plan::chain_id(&spec.name),
				producers,
				raw_spec: format!("{{\"golden\":\"{}\"}}", spec.name).into_bytes(),
			}
		})
		.collect();
	let bridges = bridge_materials(topology, &topology.bridge_slots().unwrap());
	Materials { networks, bridges }
}

fn default_topology() -> Topology {
	Topology::parse(DEFAULT_TOPOLOGY).unwrap()
}

fn rendered(topology: &Topology, opts: &Options) -> BTreeMap<PathBuf, manifests::File> {
	let materials = fixed_materials(topology);
	let mut files = render(opts, &materials);
	files.insert("README.md".into(), readme::render(opts, &materials));
	files.insert("plexus-kubernetes.json".into(), state::render(topology, &materials));
	files
}

fn json(files: &BTreeMap<PathBuf, manifests::File>, path: &str) -> Value {
	serde_json::from_slice(&files[Path::new(path)].bytes).unwrap()
}

/// Each file of the golden directory, by path relative to it.
fn read_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
	let mut found = BTreeMap::new();
	let mut stack = vec![dir.to_path_buf()];
	while let Some(d) = stack.pop() {
		for entry in fs::read_dir(&d).unwrap() {
			let path = entry.unwrap().path();
			if path.is_dir() {
				stack.push(path);
			} else if path.extension().is_none_or(|e| e != "actual") {
				found.insert(
					path.strip_prefix(dir).unwrap().to_path_buf(),
					fs::read(&path).unwrap(),
				);
			}
		}
	}
	found
}

#[test]
fn the_default_topology_renders_the_golden_manifests() {
	let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/launch/kubernetes/golden/default");
	let files = rendered(&default_topology(), &options());
	if std::env::var_os("PLEXUS_UPDATE_GOLDEN").is_some() {
		let _ = fs::remove_dir_all(&golden);
		for (path, file) in &files {
			let target = golden.join(path);
			fs::create_dir_all(target.parent().unwrap()).unwrap();
			fs::write(target, &file.bytes).unwrap();
		}
	}
	let expected = read_tree(&golden);
	let mut wrong = Vec::new();
	for (path, file) in &files {
		let same = match (expected.get(path), path.extension().and_then(|e| e.to_str())) {
			(None, _) => false,
			// Manifests as values: key order and layout are no part of what they say.
			(Some(bytes), Some("yaml" | "json")) => {
				serde_json::from_slice::<Value>(bytes).ok()
					== serde_json::from_slice::<Value>(&file.bytes).ok()
			},
			(Some(bytes), _) => *bytes == file.bytes,
		};
		if !same {
			let actual = golden.join(path).with_extension("actual");
			fs::create_dir_all(actual.parent().unwrap()).unwrap();
			fs::write(&actual, &file.bytes).unwrap();
			wrong.push(path.display().to_string());
		}
	}
	let extra: Vec<_> = expected.keys().filter(|p| !files.contains_key(*p)).collect();
	assert!(
		wrong.is_empty() && extra.is_empty(),
		"rendered differently: {wrong:?} (see *.actual beside the golden files); not rendered: \
		 {extra:?}. If the change is meant, run PLEXUS_UPDATE_GOLDEN=1 cargo test -p plexus-node \
		 the_default_topology_renders_the_golden_manifests"
	);
}

#[test]
fn a_disruption_budget_keeps_grandpa_finalizing() {
	let table: Vec<(u32, u32)> = [1, 2, 3, 4, 7, 32].map(|n| (n, min_available(n))).to_vec();
	assert_eq!(table, [(1, 1), (2, 2), (3, 3), (4, 3), (7, 5), (32, 22)]);
	for (n, keep) in table {
		// More than two thirds of the voters stay, and one fewer would not be.
		assert!(3 * keep > 2 * n, "{n}");
		assert!(keep == n || 3 * (keep - 1) <= 2 * n, "{n}");
	}
}

/// The container of `pod` named `name`, init containers included.
fn container<'a>(set: &'a Value, name: &str) -> &'a Value {
	let spec = &set["spec"]["template"]["spec"];
	let all = spec["initContainers"].as_array().into_iter().flatten();
	all.chain(spec["containers"].as_array().unwrap()).find(|c| c["name"] == name).unwrap()
}

/// The Secret and item that `path` is, as `container` of `set` sees it, if any.
fn secret_item(set: &Value, container: &Value, path: &str) -> Option<(String, String)> {
	let volumes = set["spec"]["template"]["spec"]["volumes"].as_array().unwrap();
	container["volumeMounts"].as_array().unwrap().iter().find_map(|m| {
		let rest = path.strip_prefix(&format!("{}/", m["mountPath"].as_str().unwrap()))?;
		let volume = volumes.iter().find(|v| v["name"] == m["name"])?;
		let items = volume["secret"]["items"].as_array()?;
		let item = items.iter().find(|i| i["path"] == rest)?;
		Some((
			volume["secret"]["secretName"].as_str()?.to_string(),
			item["key"].as_str()?.to_string(),
		))
	})
}

#[test]
fn each_producer_finds_its_own_keys_where_its_name_says() {
	// `key insert --suri PATH` takes a path it cannot read as the secret itself: every path
	// must be a mounted Secret item.
	let files = rendered(&default_topology(), &options());
	for network in ["alpha", "beta"] {
		let set = json(&files, &format!("networks/{network}/producer.statefulset.yaml"));
		assert_eq!(set["spec"]["ordinals"]["start"], 1);
		let replicas = set["spec"]["replicas"].as_u64().unwrap();
		for i in 1..=replicas {
			let pod = format!("{network}-producer-{i}");
			let with_name = |arg: &Value| arg.as_str().unwrap().replace("$(POD_NAME)", &pod);
			for init in ["insert-aura-key", "insert-grandpa-key"] {
				let c = container(&set, init);
				let args: Vec<String> =
					c["args"].as_array().unwrap().iter().map(with_name).collect();
				let suri = &args[args.iter().position(|a| a == "--suri").unwrap() + 1];
				assert_eq!(
					secret_item(&set, c, suri),
					Some((format!("{pod}-keys"), "session".into())),
					"{init} of {pod}: {suri}"
				);
			}
			let node = container(&set, "node");
			let args: Vec<String> =
				node["args"].as_array().unwrap().iter().map(with_name).collect();
			let key = &args[args.iter().position(|a| a == "--node-key-file").unwrap() + 1];
			assert_eq!(
				secret_item(&set, node, key),
				Some((format!("{pod}-keys"), "node-key".into()))
			);
			// The node container holds no session phrase, the init containers no node key.
			assert!(node["volumeMounts"].as_array().unwrap().iter().all(|m| {
				!m["mountPath"].as_str().unwrap().starts_with("/var/lib/plexus/keys")
			}));
			let secret = json(&files, &format!("networks/{network}/{pod}-keys.secret.yaml"));
			assert_eq!(secret["metadata"]["name"], format!("{pod}-keys"));
			assert!(files[Path::new(&format!("networks/{network}/{pod}-keys.secret.yaml"))].secret);
		}
		// Consumers have no keys at all and make their own node key.
		let consumers = json(&files, &format!("networks/{network}/consumer.statefulset.yaml"));
		let text = consumers.to_string();
		assert!(!text.contains("secret") && !text.contains("--node-key-file"), "{text}");
	}
}

#[test]
fn pods_serve_safe_rpc_on_their_address_and_unsafe_rpc_on_loopback_only() {
	let files = rendered(&default_topology(), &options());
	let bootnodes_of = |set: &Value| -> Vec<String> {
		let node = container(set, "node");
		let args: Vec<String> =
			node["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().into()).collect();
		let cli = parse(&args);
		let endpoints = &cli.run.rpc_params.experimental_rpc_endpoint;
		let described: Vec<(String, String)> = endpoints
			.iter()
			.map(|e| (e.listen_addr.to_string(), format!("{:?}", e.rpc_methods)))
			.collect();
		assert_eq!(
			described,
			[("0.0.0.0:9944".into(), "Safe".into()), ("127.0.0.1:9945".into(), "Unsafe".into())]
		);
		// An endpoint given origins also checks the Host header against loopback names, which
		// would refuse probes, relayers and peers reaching a pod by its address or DNS name; a
		// browser reaches the pod's admin endpoint through `kubectl port-forward`, on loopback.
		let default_origins = parse(&[]).run.rpc_params.rpc_cors(false).unwrap();
		assert_eq!(endpoints[0].cors, None);
		assert_eq!(endpoints[1].cors, default_origins);
		assert!(cli.run.prometheus_params.prometheus_external);
		assert!(!args.iter().any(|a| a.contains("127.0.0.1") && !a.contains(":9945")), "{args:?}");
		cli.run.network_params.bootnodes.iter().map(|b| b.to_string()).collect()
	};
	let producers = json(&files, "networks/alpha/producer.statefulset.yaml");
	let consumers = json(&files, "networks/alpha/consumer.statefulset.yaml");
	let boot = bootnodes_of(&producers);
	assert_eq!(boot, bootnodes_of(&consumers));
	assert_eq!(boot.len(), 3);
	// The peer ids are those of the node keys in the producers' Secrets.
	for (i, address) in boot.iter().enumerate() {
		let secret =
			json(&files, &format!("networks/alpha/alpha-producer-{}-keys.secret.yaml", i + 1));
		let key = NodeKey::from_hex(secret["stringData"]["node-key"].as_str().unwrap()).unwrap();
		assert_eq!(
			*address,
			format!("/dns/alpha-producer-{}.alpha/tcp/30333/p2p/{}", i + 1, key.peer_id())
		);
	}
	assert!(container(&producers, "node")["args"]
		.as_array()
		.unwrap()
		.contains(&"--validator".into()));
	assert!(!container(&consumers, "node")["args"]
		.as_array()
		.unwrap()
		.contains(&"--validator".into()));
}

#[test]
fn names_kubernetes_would_refuse_are_refused_first() {
	// Launch takes names of 32 characters; a Job named after a bridge of two of them is too long.
	let (a, b) = ("a".repeat(32), "b".repeat(32));
	let text = format!(
		"[[network]]\nname = \"{a}\"\nid = 1\nproducers = 1\n\n[[network]]\nname = \"{b}\"\nid = 2\nproducers = 1\n\n[[bridge]]\nbetween = [\"{a}\", \"{b}\"]\n"
	);
	let topology = Topology::parse(&text).unwrap();
	let e = check_names(&rendered(&topology, &options())).unwrap_err();
	assert!(e.contains("use shorter network names"), "{e}");
	assert!(check_names(&rendered(&default_topology(), &options())).is_ok());

	let digit = Topology::parse("[[network]]\nname = \"9lives\"\nid = 1\nproducers = 1\n").unwrap();
	assert!(check_topology(&digit).unwrap_err().contains("starts with a letter"));

	let cmd = |extra: &[&str]| {
		let argv = ["kubernetes", "--out", "/nowhere"].iter().chain(extra);
		<KubernetesCmd as clap::Parser>::try_parse_from(argv).unwrap().options()
	};
	assert!(cmd(&[]).is_ok());
	assert!(cmd(&["--storage-size", "20 Gi"]).is_err());
	assert!(cmd(&["--storage-size", "0Gi"]).is_err());
	assert!(cmd(&["--storage-size", "1.5Ti"]).is_ok());
	assert!(cmd(&["--namespace", "Plexus"]).is_err());
	assert!(cmd(&["--image", "a b"]).is_err());
}

fn temp(tag: &str) -> PathBuf {
	let dir = std::env::temp_dir().join(format!("plexus-k8s-{tag}-{}", std::process::id()));
	let _ = fs::remove_dir_all(&dir);
	dir
}

fn mode(path: &Path) -> u32 {
	fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn run(topology: &Path, out: &Path) -> Result<(), String> {
	let argv = ["kubernetes", topology.to_str().unwrap(), "--out", out.to_str().unwrap()];
	<KubernetesCmd as clap::Parser>::try_parse_from(argv).unwrap().run().map_err(|e| e.to_string())
}

const TWO: &str = "[[network]]\nname = \"alpha\"\nid = 1\nproducers = 2\n\n\
	[[network]]\nname = \"beta\"\nid = 2\nproducers = 1\n\n[[bridge]]\nbetween = [\"alpha\", \"beta\"]\n";

/// Needs the runtime's wasm: the chain specs are real.
#[test]
fn a_second_run_keeps_keys_and_genesis_and_refuses_what_would_break_them() {
	let dir = temp("rerun");
	fs::create_dir_all(&dir).unwrap();
	let (topology, out) = (dir.join("t.toml"), dir.join("out"));
	fs::write(&topology, TWO).unwrap();
	run(&topology, &out).unwrap();
	assert_eq!(mode(&out), 0o700);
	let secret = out.join("networks/alpha/alpha-producer-1-keys.secret.yaml");
	assert_eq!(mode(&secret), 0o600);
	assert_eq!(mode(&out.join("bridges/alpha-beta/signer.secret.yaml")), 0o600);
	assert_eq!(mode(&out.join("sudo.secret.yaml")), 0o600);
	assert_eq!(mode(&out.join("networks/alpha/service.yaml")), 0o644);
	let record = fs::read_to_string(out.join(state::FILE)).unwrap();
	let phrase = serde_json::from_slice::<Value>(&fs::read(&secret).unwrap()).unwrap()
		["stringData"]["session"]
		.as_str()
		.unwrap()
		.to_string();
	assert!(!record.contains(&phrase), "the record holds no secret");
	// The chain spec parts put together are a spec naming the Secret's keys.
	let materials = state::Earlier::read(&out).unwrap().unwrap();
	let spec = default_spec("alpha", 1, 2);
	let alpha = materials.network(&spec).unwrap().unwrap();
	let raw = String::from_utf8(alpha.raw_spec.clone()).unwrap();
	assert!(raw.contains("plexus_alpha"));

	// Again, with a network added and a consumer: alpha keeps its keys and genesis.
	let three = format!(
		"{TWO}\n[[network]]\nname = \"gamma\"\nid = 3\nproducers = 1\nconsumers = 1\n\n\
		 [[bridge]]\nbetween = [\"beta\", \"gamma\"]\n"
	);
	fs::write(&topology, &three).unwrap();
	let before = fs::read(out.join("networks/alpha/chain-spec-1.configmap.yaml")).unwrap();
	let secret_before = fs::read(&secret).unwrap();
	run(&topology, &out).unwrap();
	assert_eq!(fs::read(&secret).unwrap(), secret_before);
	let after = fs::read(out.join("networks/alpha/chain-spec-1.configmap.yaml")).unwrap();
	assert_eq!(before, after);
	let again: Value = serde_json::from_slice(&fs::read(&secret).unwrap()).unwrap();
	assert_eq!(again["stringData"]["session"], phrase.as_str());
	assert!(out.join("networks/gamma/consumer.statefulset.yaml").exists());
	// alpha reaches gamma over its bridge to beta: the alpha-beta Job sets that hop.
	let job_dir = out.join("bridges/alpha-beta");
	let job: Value =
		serde_json::from_slice(&fs::read(job_dir.join("init.job.yaml")).unwrap()).unwrap();
	let args = job["spec"]["template"]["spec"]["containers"][0]["args"].to_string();
	assert!(args.contains("alpha=ws://gamma-producer-1.gamma:9944"), "{args}");

	// What would break running networks is refused, and nothing changes.
	let snapshot = read_tree(&out);
	fs::write(&topology, three.replace("producers = 2", "producers = 3")).unwrap();
	let e = run(&topology, &out).unwrap_err();
	assert!(e.contains("another id, producer count or block time"), "{e}");
	fs::write(&topology, TWO.replace("[[bridge]]\nbetween = [\"alpha\", \"beta\"]\n", "")).unwrap();
	let e = run(&topology, &out).unwrap_err();
	assert!(e.contains("network \"gamma\" is in"), "{e}");
	assert_eq!(read_tree(&out), snapshot);

	// A directory this command did not write is left alone.
	let foreign = dir.join("foreign");
	fs::create_dir_all(&foreign).unwrap();
	fs::write(foreign.join("notes.txt"), "mine").unwrap();
	let e = run(&topology, &foreign).unwrap_err();
	assert!(e.contains("did not write it"), "{e}");
	assert_eq!(fs::read_dir(&foreign).unwrap().count(), 1);
	fs::remove_dir_all(dir).unwrap();
}

fn default_spec(name: &str, id: u32, producers: u32) -> NetworkSpec {
	let text = format!("[[network]]\nname = \"{name}\"\nid = {id}\nproducers = {producers}\n");
	Topology::parse(&text).unwrap().networks.remove(0)
}

/// The Prometheus configuration the manifests carry finds every node and relayer pod by the
/// annotations and labels those pods really have.
#[test]
fn prometheus_finds_every_node_and_relayer_pod_by_its_own_annotations() {
	let files = rendered(&default_topology(), &options());
	let config = json(&files, "monitoring/prometheus.configmap.yaml");
	let yaml = config["data"]["prometheus.yml"].as_str().unwrap();
	assert_eq!(
		config["data"]["plexus.rules.yml"].as_str().unwrap(),
		crate::launch::monitoring::rules::rules_yaml()
	);
	let kustomization = json(&files, "kustomization.yaml");
	assert!(kustomization["resources"]
		.as_array()
		.unwrap()
		.contains(&serde_json::json!("monitoring/prometheus.configmap.yaml")));
	// Prometheus's name for a pod label or annotation: non-alphanumerics become '_'.
	let meta = |kind: &str, key: &str| {
		let key: String =
			key.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
		format!("__meta_kubernetes_pod_{kind}_{key}")
	};
	let (mut nodes, mut relayers) = (0, 0);
	for (path, _) in files.iter().filter(|(p, _)| {
		let p = p.display().to_string();
		p.ends_with(".statefulset.yaml") || p.ends_with("relay.deployment.yaml")
	}) {
		let set = json(&files, &path.display().to_string());
		let pod = &set["spec"]["template"]["metadata"];
		let annotations = pod["annotations"].as_object().unwrap();
		assert_eq!(annotations["prometheus.io/scrape"], "true", "{}", path.display());
		for key in ["prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path"] {
			assert!(annotations.contains_key(key), "{} lacks {key}", path.display());
			assert!(yaml.contains(&meta("annotation", key)), "the config reads {key}");
		}
		let labels = pod["labels"].as_object().unwrap();
		let wanted: &[&str] = if labels.get("plexus/component") == Some(&"relayer".into()) {
			relayers += 1;
			&["plexus/component", "plexus/bridge"]
		} else {
			nodes += 1;
			assert!(["producer", "consumer"].contains(&labels["plexus/role"].as_str().unwrap()));
			&["plexus/role", "plexus/network"]
		};
		for key in wanted {
			assert!(labels.contains_key(*key), "{} lacks label {key}", path.display());
			assert!(yaml.contains(&meta("label", key)), "the config reads {key}");
		}
	}
	assert_eq!((nodes, relayers), (4, 1), "two networks' producer and consumer sets, one relayer");
}
