//! Tools and processes: whether the tools are there, the processes of a network namespace,
//! whether a process runs, the manifests' generator, and bounded waits.

use crate::{deployment::Guard, tool::run};
use std::{
	path::Path,
	process::{Command, Stdio},
	time::{Duration, Instant},
};

/// The processes in network namespace `ns`.
pub fn netns_pids(ns: &str) -> Result<Vec<u32>, String> {
	Ok(run("ip", &["netns", "pids", ns])?
		.split_whitespace()
		.filter_map(|p| p.parse().ok())
		.collect())
}

/// Fails unless this runs as root with `ip`, `unshare`, `setpriv`, `mount` and `sh`.
pub fn require_tools() -> Result<(), String> {
	if unsafe { libc::geteuid() } != 0 {
		return Err("the hosts test needs root (network namespaces, mounts)".into());
	}
	for (tool, arg) in [
		("ip", "-V"),
		("unshare", "--version"),
		("setpriv", "--version"),
		("mount", "--version"),
		("sh", "-c"),
	] {
		let mut command = Command::new(tool);
		command.arg(arg);
		if tool == "sh" {
			command.arg("true");
		}
		let ok =
			command.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
		if !ok {
			return Err(format!("the hosts test needs `{tool}` (iproute2, util-linux)"));
		}
	}
	Ok(())
}

pub(super) fn kill_netns(ns: &str, limit: Duration) -> bool {
	let deadline = Instant::now() + limit;
	loop {
		let pids = netns_pids(ns).unwrap_or_default();
		if pids.is_empty() {
			return true;
		}
		for pid in pids {
			unsafe { libc::kill(pid as i32, libc::SIGKILL) };
		}
		if Instant::now() > deadline {
			return false;
		}
		std::thread::sleep(Duration::from_millis(100));
	}
}

/// Whether process `pid` runs: a zombie (a killed test whose parent has not reaped it yet) does
/// not.
pub fn running(pid: u32) -> bool {
	let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
	// `pid (comm) state ...`; comm may hold spaces and parentheses.
	stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with(['Z', 'X']))
}

/// Runs `$binary kubernetes TOPOLOGY --out OUT` (its output in `OUT.log`), for at most `limit`.
pub async fn generate(
	binary: &Path,
	topology: &Path,
	out: &Path,
	limit: Duration,
) -> Result<(), String> {
	let log_path = out.with_extension("log");
	let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
	let mut command = Command::new(binary);
	command
		.arg("kubernetes")
		.arg(topology)
		.arg("--out")
		.arg(out)
		.stdout(log.try_clone().map_err(|e| e.to_string())?)
		.stderr(log);
	let mut guard = Guard::spawn(command);
	let deadline = Instant::now() + limit;
	loop {
		let child = guard.child.as_mut().expect("running");
		if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
			guard.child = None;
			let text = std::fs::read_to_string(&log_path).unwrap_or_default();
			return if status.success() {
				Ok(())
			} else {
				Err(format!("`plexus-node kubernetes` exited with {status}:\n{text}"))
			};
		}
		if Instant::now() > deadline {
			return Err(format!("`plexus-node kubernetes` still runs after {limit:?}"));
		}
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
}

/// Polls `f` every 500 ms until it returns `Ok`, for at most `limit`; panics with `what` and the
/// last reason it gave.
pub async fn settle<T, F, Fut>(what: &str, limit: Duration, mut f: F) -> T
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Result<T, String>>,
{
	let deadline = Instant::now() + limit;
	loop {
		match f().await {
			Ok(v) => return v,
			Err(why) if Instant::now() > deadline => {
				panic!("timed out after {limit:?} waiting for {what}: {why}")
			},
			Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_zombie_is_not_running() {
		assert!(running(std::process::id()));
		let mut child = Command::new("true").spawn().unwrap();
		let pid = child.id();
		std::thread::sleep(Duration::from_millis(200));
		assert!(!running(pid), "a zombie is not running");
		child.wait().unwrap();
		assert!(!running(pid));
	}
}
