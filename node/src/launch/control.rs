//! What the operator commands on a running launch (`plexus-node producer`, `plexus-node
//! upgrade`) share: finding its nodes in launch.json, the governance key and endpoint, and
//! waiting with a bound while saying what for.

use plexus_client::Client;
use plexus_runtime::RuntimeCall;
use std::{
	path::{Path, PathBuf},
	time::{Duration, Instant},
};

/// The governance key of launched networks (their genesis makes Alice sudo).
pub const SUDO: &str = "//Alice";

/// What an operator command on a running launch starts from: the launch's base path (the given
/// one, or launch's default) and a runtime to drive the networks' clients on.
pub fn on_launch(
	base_path: &Option<PathBuf>,
) -> sc_cli::Result<(PathBuf, tokio::runtime::Runtime)> {
	let base = match base_path {
		Some(p) => p.clone(),
		None => super::default_base_path()?,
	};
	let runtime = tokio::runtime::Builder::new_current_thread()
		.enable_all()
		.build()
		.map_err(|e| format!("cannot start the async runtime: {e}"))?;
	Ok((base, runtime))
}

/// A running launch's node, as launch.json lists it.
#[derive(Debug)]
pub struct Listed {
	pub name: String,
	pub role: String,
	pub rpc: String,
}

pub fn listed(base: &Path, network: &str) -> Result<Vec<Listed>, String> {
	let file = base.join("launch.json");
	let text = std::fs::read_to_string(&file).map_err(|e| {
		format!(
			"no launch is running under {} ({}: {e}); start `plexus-node launch` first",
			base.display(),
			file.display()
		)
	})?;
	let report: serde_json::Value =
		serde_json::from_str(&text).map_err(|e| format!("{} is damaged: {e}", file.display()))?;
	let nodes = report["nodes"].as_array().cloned().unwrap_or_default();
	Ok(nodes
		.iter()
		.filter(|n| n["network"] == network)
		.map(|n| Listed {
			name: n["name"].as_str().unwrap_or_default().to_string(),
			role: n["role"].as_str().unwrap_or_default().to_string(),
			rpc: n["rpc"].as_str().unwrap_or_default().replace("ws://", "http://"),
		})
		.collect())
}

/// The network's first listed producer: where launch's relayers and governance calls go.
pub fn first_producer(base: &Path, network: &str) -> Result<Listed, String> {
	listed(base, network)?
		.into_iter()
		.find(|n| n.role == "producer")
		.ok_or_else(|| format!("launch.json lists no running producer of {network}"))
}

pub async fn governance_client(base: &Path, network: &str) -> Result<Client, String> {
	let url = first_producer(base, network)?.rpc;
	Client::connect_retrying(&url, Duration::from_secs(30)).await
}

pub const POLL: Duration = Duration::from_millis(500);

pub fn sudo_call(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) })
}

/// Polls `check` until it yields something, for at most `limit`, saying every 10 s what it
/// waits for.
pub async fn wait<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> Result<T, String>
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Result<Option<T>, String>>,
{
	let started = Instant::now();
	let mut said = started;
	loop {
		if let Some(found) = check().await? {
			return Ok(found);
		}
		if started.elapsed() > limit {
			return Err(format!("gave up waiting for {what} after {} s", limit.as_secs()));
		}
		if said.elapsed() >= Duration::from_secs(10) {
			eprintln!("  waiting for {what} ({} s)", started.elapsed().as_secs());
			said = Instant::now();
		}
		tokio::time::sleep(POLL).await;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn launch_json_is_read_per_network() {
		let dir = std::env::temp_dir().join(format!("plexus-producers-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		assert!(listed(&dir, "beta").unwrap_err().contains("no launch is running"));
		let report = serde_json::json!({ "nodes": [
			{ "network": "alpha", "name": "alpha-producer-1", "role": "producer", "rpc": "ws://127.0.0.1:1" },
			{ "network": "beta", "name": "beta-consumer-1", "role": "consumer", "rpc": "ws://127.0.0.1:2" },
			{ "network": "beta", "name": "beta-producer-1", "role": "producer", "rpc": "ws://127.0.0.1:3" },
		]});
		std::fs::write(dir.join("launch.json"), report.to_string()).unwrap();
		let first = first_producer(&dir, "beta").unwrap();
		assert_eq!(
			(first.name.as_str(), first.rpc.as_str()),
			("beta-producer-1", "http://127.0.0.1:3")
		);
		assert!(first_producer(&dir, "gamma").is_err());
		std::fs::remove_dir_all(dir).unwrap();
	}
}
