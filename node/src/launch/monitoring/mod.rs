//! What Prometheus needs to watch a launched deployment, written under `<base>/prometheus/`:
//!
//! 1. `prometheus.yml`: scrape jobs `plexus-node`, `plexus-relay`, `plexus-eth-rpc` and
//!    `plexus-launch`, each reading its targets from a file (`file_sd_configs`), and the rules.
//! 2. `targets/<job>.json`: every process's metrics address with `network`, `node`, `role` or
//!    `bridge` labels. `instance` is the process's name, not its address, so a node that launch
//!    moves to new ports stays one series. Rewritten whenever `launch.json` is, which Prometheus
//!    notices without a reload.
//! 3. `plexus.rules.yml`: the alert rules ([`rules`]).
//!
//! `promtool check config prometheus.yml` accepts the result; `prometheus
//! --config.file=<base>/prometheus/prometheus.yml` watches the deployment.

pub mod rules;

use super::report::LaunchReport;
use serde_json::{json, Value};
use std::path::Path;

/// Scrape and rule evaluation intervals: a block is 3 s by default.
const SCRAPE_INTERVAL: &str = "5s";
const EVALUATION_INTERVAL: &str = "15s";

/// The jobs, in the order `prometheus.yml` lists them.
pub const JOBS: [&str; 4] = ["plexus-node", "plexus-relay", "plexus-eth-rpc", "plexus-launch"];

/// `host:port` of a metrics URL (`http://127.0.0.1:9615/metrics`).
fn address(url: &str) -> Option<&str> {
	let rest = url.strip_prefix("http://")?;
	let end = rest.find('/').unwrap_or(rest.len());
	Some(&rest[..end]).filter(|a| !a.is_empty())
}

fn group(url: &str, labels: Value) -> Option<Value> {
	Some(json!({ "targets": [address(url)?], "labels": labels }))
}

/// The file_sd target groups of each job, from what launch runs; `launch_metrics` is the
/// dashboard's `/metrics` URL, if it serves one.
pub fn targets(
	report: &LaunchReport<'_>,
	launch_metrics: Option<&str>,
) -> [(&'static str, Value); 4] {
	let nodes: Vec<Value> = report
		.nodes
		.iter()
		.filter_map(|n| {
			group(
				&n.prometheus,
				json!({ "instance": n.name, "network": n.network, "node": n.name,
					"role": n.role.to_string() }),
			)
		})
		.collect();
	let relays: Vec<Value> = report
		.bridges
		.iter()
		.filter_map(|b| {
			let name = super::bridging::relayer_name(&b.between);
			group(&b.relayer_metrics, json!({ "instance": name, "bridge": b.between.join("-") }))
		})
		.collect();
	let eth_rpc: Vec<Value> = report
		.eth_rpc
		.iter()
		.filter_map(|e| {
			let name = format!("{}-eth-rpc", e.network);
			group(&e.prometheus, json!({ "instance": name, "network": e.network }))
		})
		.collect();
	let launch: Vec<Value> = launch_metrics
		.and_then(|url| group(url, json!({ "instance": "launch" })))
		.into_iter()
		.collect();
	[
		(JOBS[0], Value::Array(nodes)),
		(JOBS[1], Value::Array(relays)),
		(JOBS[2], Value::Array(eth_rpc)),
		(JOBS[3], Value::Array(launch)),
	]
}

/// `prometheus.yml`, reading targets from `targets/<job>.json` beside it.
pub fn config_yaml() -> String {
	let mut out = format!(
		"# Prometheus configuration of a Plexus deployment, written by plexus-node launch.\n\
		 # Run: prometheus --config.file=prometheus.yml (targets/ and the rules are beside it).\n\
		 global:\n  scrape_interval: {SCRAPE_INTERVAL}\n  evaluation_interval: \
		 {EVALUATION_INTERVAL}\nrule_files:\n  - plexus.rules.yml\nscrape_configs:\n"
	);
	for job in JOBS {
		out.push_str(&format!(
			"  - job_name: {job}\n    file_sd_configs:\n      - files:\n          - \
			 {}\n        refresh_interval: 10s\n",
			rules::quoted(&format!("targets/{job}.json"))
		));
	}
	out
}

/// `prometheus.yml` for the Kubernetes manifests: pods found through the API server in
/// `namespace` and kept when annotated `prometheus.io/scrape`, so the pods' annotations stay the
/// one source of port and path; labelled as launch labels its targets, so the same rules apply.
/// There is no `plexus-launch` job: the launch-only alerts stay silent on a cluster.
pub fn kubernetes_config_yaml(namespace: &str) -> String {
	// One relabel step: copy `from` (a list of source labels) into `to`, with `regex` and
	// `replacement` or `action` when given.
	let step = |from: &str, to: Option<&str>, regex: Option<&str>, extra: Option<&str>| {
		let mut out = format!("      - source_labels: [{from}]\n");
		if let Some(regex) = regex {
			out += &format!("        regex: {}\n", rules::quoted(regex));
		}
		if let Some(extra) = extra {
			out += &format!("        {extra}\n");
		}
		if let Some(to) = to {
			out += &format!("        target_label: {to}\n");
		}
		out
	};
	let pod_label = |label: &str| format!("__meta_kubernetes_pod_label_{label}");
	let annotation = |name: &str| format!("__meta_kubernetes_pod_annotation_prometheus_io_{name}");
	let job = |name: &str, keep_label: &str, keep: &str, labels: &[(&str, &str)]| {
		let mut out = format!(
			"  - job_name: {name}\n    kubernetes_sd_configs:\n      - role: pod\n        \
			 namespaces:\n          names: [{}]\n    relabel_configs:\n",
			rules::quoted(namespace)
		);
		out += &step(&annotation("scrape"), None, Some("true"), Some("action: keep"));
		out += &step(&pod_label(keep_label), None, Some(keep), Some("action: keep"));
		out += &step(
			&format!("__meta_kubernetes_pod_ip, {}", annotation("port")),
			Some("__address__"),
			Some("(.+);(.+)"),
			Some("replacement: \"$1:$2\""),
		);
		out += &step(&annotation("path"), Some("__metrics_path__"), Some("(.+)"), None);
		out += &step("__meta_kubernetes_pod_name", Some("instance"), None, None);
		for (label, target) in labels {
			out += &step(&pod_label(label), Some(target), None, None);
		}
		out
	};
	let mut out = format!(
		"# Prometheus configuration for the pods of namespace {namespace}, written by plexus-node \
		 kubernetes.\n# Mount this ConfigMap's keys side by side; the rules are plexus.rules.yml.\n\
		 global:\n  scrape_interval: {SCRAPE_INTERVAL}\n  evaluation_interval: \
		 {EVALUATION_INTERVAL}\nrule_files:\n  - plexus.rules.yml\nscrape_configs:\n"
	);
	out += &job(
		JOBS[0],
		"plexus_role",
		"producer|consumer",
		&[("plexus_network", "network"), ("plexus_role", "role")],
	);
	out += &step("__meta_kubernetes_pod_name", Some("node"), None, None);
	out += &job(JOBS[1], "plexus_component", "relayer", &[("plexus_bridge", "bridge")]);
	out
}

/// Writes (or rewrites) everything under `dir`; targets last, each replaced whole.
pub fn write(
	dir: &Path,
	report: &LaunchReport<'_>,
	launch_metrics: Option<&str>,
) -> Result<(), String> {
	let targets_dir = dir.join("targets");
	std::fs::create_dir_all(&targets_dir)
		.map_err(|e| format!("cannot create {}: {e}", targets_dir.display()))?;
	crate::files::replace(&dir.join("prometheus.yml"), config_yaml().as_bytes())?;
	crate::files::replace(&dir.join("plexus.rules.yml"), rules::rules_yaml().as_bytes())?;
	for (job, groups) in targets(report, launch_metrics) {
		let text = serde_json::to_string_pretty(&groups).expect("JSON values serialize");
		crate::files::replace(&targets_dir.join(format!("{job}.json")), text.as_bytes())?;
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_metrics_url_gives_its_address() {
		assert_eq!(address("http://127.0.0.1:9615/metrics"), Some("127.0.0.1:9615"));
		assert_eq!(address("http://127.0.0.1:9615"), Some("127.0.0.1:9615"));
		assert_eq!(address("ws://127.0.0.1:1"), None);
		assert_eq!(address("http:///metrics"), None);
	}

	#[test]
	fn the_kubernetes_config_finds_annotated_pods_of_its_namespace() {
		let yaml = kubernetes_config_yaml("plexus-test");
		assert!(yaml.contains("names: [\"plexus-test\"]"), "{yaml}");
		assert_eq!(yaml.matches("action: keep").count(), 4, "{yaml}");
		assert!(yaml.contains("__meta_kubernetes_pod_annotation_prometheus_io_port]"), "{yaml}");
		assert!(!yaml.contains("plexus-launch"), "{yaml}");
	}

	#[test]
	fn the_config_names_every_job_its_targets_file_and_the_rules() {
		let yaml = config_yaml();
		assert!(yaml.contains("rule_files:\n  - plexus.rules.yml\n"), "{yaml}");
		for job in JOBS {
			assert!(yaml.contains(&format!("  - job_name: {job}\n")), "{yaml}");
			assert!(yaml.contains(&format!("\"targets/{job}.json\"")), "{yaml}");
		}
	}
}
