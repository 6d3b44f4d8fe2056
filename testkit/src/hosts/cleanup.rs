//! What a run leaves and its removal: this run's directory `T` ([`Scratch`]), and the
//! namespaces, `/etc/netns` entries, bridges and directories of runs whose process is dead.

use super::{
	network::{owner_pid, BRIDGE_ALIAS},
	process::{kill_netns, running},
};
use crate::tool::run;
use std::{os::unix::fs::PermissionsExt, path::PathBuf, time::Duration};

fn scratch_path(pid: u32) -> PathBuf {
	std::env::temp_dir().join(format!("plexus-hosts-{pid}"))
}

fn bridge_owner(name: &str) -> Option<Option<u32>> {
	let n = name.strip_prefix("plxh")?;
	(!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(())?;
	let alias =
		std::fs::read_to_string(format!("/sys/class/net/{name}/ifalias")).unwrap_or_default();
	Some(alias.trim().strip_prefix(BRIDGE_ALIAS).and_then(|p| p.parse().ok()))
}

/// What run `pid` left: namespaces, `/etc/netns` entries, bridges, its directory.
pub fn leftovers_of(pid: u32) -> Vec<String> {
	let mut found = Vec::new();
	let listed = run("ip", &["netns", "list"]).unwrap_or_default();
	for name in listed.lines().filter_map(|l| l.split_whitespace().next()) {
		if owner_pid(name) == Some(pid) {
			found.push(format!("network namespace {name}"));
		}
	}
	for entry in std::fs::read_dir("/etc/netns").into_iter().flatten().flatten() {
		let name = entry.file_name().to_string_lossy().into_owned();
		if owner_pid(&name) == Some(pid) {
			found.push(format!("/etc/netns/{name}"));
		}
	}
	for entry in std::fs::read_dir("/sys/class/net").into_iter().flatten().flatten() {
		let name = entry.file_name().to_string_lossy().into_owned();
		if bridge_owner(&name) == Some(Some(pid)) {
			found.push(format!("bridge {name}"));
		}
	}
	if scratch_path(pid).exists() {
		found.push(scratch_path(pid).display().to_string());
	}
	found
}

/// Removes what runs of this test whose process is dead left behind (a SIGKILLed test runs no
/// `Drop`): their processes, namespaces, `/etc/netns` entries, bridges and directories. Returns
/// what it removed.
pub fn remove_leftovers() -> Vec<String> {
	let me = std::process::id();
	let dead = |pid: u32| pid != me && !running(pid);
	let mut removed = Vec::new();
	let listed = run("ip", &["netns", "list"]).unwrap_or_default();
	for name in listed.lines().filter_map(|l| l.split_whitespace().next()) {
		if owner_pid(name).is_some_and(dead) {
			kill_netns(name, Duration::from_secs(10));
			let _ = run("ip", &["netns", "del", name]);
			removed.push(format!("network namespace {name}"));
		}
	}
	for entry in std::fs::read_dir("/etc/netns").into_iter().flatten().flatten() {
		let name = entry.file_name().to_string_lossy().into_owned();
		if owner_pid(&name).is_some_and(dead) {
			let _ = std::fs::remove_dir_all(entry.path());
			removed.push(format!("/etc/netns/{name}"));
		}
	}
	for entry in std::fs::read_dir("/sys/class/net").into_iter().flatten().flatten() {
		let name = entry.file_name().to_string_lossy().into_owned();
		// A bridge without its alias was left between being made and being named.
		if bridge_owner(&name).is_some_and(|owner| owner.is_none_or(dead)) {
			let _ = run("ip", &["link", "del", &name]);
			removed.push(format!("bridge {name}"));
		}
	}
	for entry in std::fs::read_dir(std::env::temp_dir()).into_iter().flatten().flatten() {
		let name = entry.file_name().to_string_lossy().into_owned();
		let pid = name.strip_prefix("plexus-hosts-").and_then(|p| p.parse().ok());
		if pid.is_some_and(dead) {
			let _ = std::fs::remove_dir_all(entry.path());
			removed.push(entry.path().display().to_string());
		}
	}
	removed
}

/// This run's directory `T` (`plexus-hosts-<pid>` in the temporary directory, 0755 so that the
/// pods' user can reach its own files), removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
	pub fn new() -> Result<Self, String> {
		let dir = scratch_path(std::process::id());
		let _ = std::fs::remove_dir_all(&dir);
		std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
		std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
			.map_err(|e| e.to_string())?;
		for ancestor in dir.ancestors().skip(1) {
			let mode = std::fs::metadata(ancestor).map_err(|e| e.to_string())?.permissions().mode();
			if mode & 0o001 == 0 {
				return Err(format!("{} is not traversable by the pods' user", ancestor.display()));
			}
		}
		Ok(Self(dir))
	}
}

impl Drop for Scratch {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
}
