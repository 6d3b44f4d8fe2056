//! Helpers for tests that start `plexus-node` processes: find the binary, talk JSON-RPC on
//! loopback, bound every wait, and kill what was started even when a test fails.

#![allow(dead_code)]

pub mod routing;

use jsonrpsee::{
	core::client::ClientT,
	http_client::{HttpClient, HttpClientBuilder},
	rpc_params,
};
use serde_json::Value;
use std::{
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// The node binary: `$PLEXUS_NODE`, or `plexus-node` beside the test's own target directory.
pub fn node_binary() -> PathBuf {
	if let Ok(p) = std::env::var("PLEXUS_NODE") {
		return PathBuf::from(p);
	}
	// target/<profile>/deps/<test> -> target/<profile>/plexus-node
	let exe = std::env::current_exe().expect("test executable path");
	let bin = exe.parent().and_then(|d| d.parent()).expect("target dir").join("plexus-node");
	assert!(
		bin.exists(),
		"{} does not exist: build it first with `cargo build -p plexus-node` or set PLEXUS_NODE",
		bin.display()
	);
	bin
}

pub fn temp_dir(tag: &str) -> PathBuf {
	let dir = std::env::temp_dir().join(format!("plexus-{tag}-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	std::fs::create_dir_all(&dir).unwrap();
	dir
}

/// A child process that is killed (with its process group) when dropped.
pub struct Guard {
	pub child: Option<Child>,
	pub extra_pids: Vec<u32>,
}

impl Guard {
	pub fn spawn(mut command: Command) -> Self {
		use std::os::unix::process::CommandExt;
		command.stdin(Stdio::null()).process_group(0);
		Guard { child: Some(command.spawn().expect("spawn")), extra_pids: vec![] }
	}

	pub fn pid(&self) -> u32 {
		self.child.as_ref().expect("running").id()
	}

	/// Sends SIGTERM and waits at most `limit` for the process to exit.
	pub fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
		let mut child = self.child.take()?;
		unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
		let deadline = Instant::now() + limit;
		while Instant::now() < deadline {
			if let Ok(Some(status)) = child.try_wait() {
				return Some(status);
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		let _ = child.kill();
		let _ = child.wait();
		None
	}
}

impl Drop for Guard {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
			let _ = child.kill();
			let _ = child.wait();
		}
		for pid in &self.extra_pids {
			unsafe { libc::kill(*pid as i32, libc::SIGKILL) };
		}
	}
}

pub fn alive(pid: u32) -> bool {
	unsafe { libc::kill(pid as i32, 0) == 0 }
}

/// Polls `f` every 500 ms until it returns `Some`, for at most `limit`.
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut f: F) -> T
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Option<T>>,
{
	let deadline = Instant::now() + limit;
	loop {
		if let Some(v) = f().await {
			return v;
		}
		assert!(Instant::now() < deadline, "timed out after {limit:?} waiting for {what}");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

pub fn rpc(url: &str) -> HttpClient {
	let http = url.replace("ws://", "http://");
	HttpClientBuilder::default().request_timeout(Duration::from_secs(10)).build(http).unwrap()
}

fn number(header: &Value) -> u64 {
	u64::from_str_radix(header["number"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

pub async fn best(client: &HttpClient) -> Option<u64> {
	let header: Value = client.request("chain_getHeader", rpc_params![]).await.ok()?;
	Some(number(&header))
}

pub async fn finalized(client: &HttpClient) -> Option<u64> {
	let hash: String = client.request("chain_getFinalizedHead", rpc_params![]).await.ok()?;
	let header: Value = client.request("chain_getHeader", rpc_params![hash]).await.ok()?;
	Some(number(&header))
}

pub async fn genesis(client: &HttpClient) -> String {
	client.request("chain_getBlockHash", rpc_params![0]).await.unwrap()
}

/// `NetworkInfoApi_identity`: (network id, name, block time in ms), decoded from SCALE by hand so
/// the test checks the wire format, not our own decoder.
pub async fn identity(client: &HttpClient) -> (u32, String, u64) {
	let raw: String =
		client.request("state_call", rpc_params!["NetworkInfoApi_identity", "0x"]).await.unwrap();
	let bytes = hex::decode(raw.trim_start_matches("0x")).unwrap();
	let id = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
	// Compact length of the name: single-byte mode (names are at most 32 bytes).
	let len = (bytes[4] >> 2) as usize;
	let name = String::from_utf8(bytes[5..5 + len].to_vec()).unwrap();
	let block_time = u64::from_le_bytes(bytes[5 + len..13 + len].try_into().unwrap());
	(id, name, block_time)
}

/// Starts `plexus-node launch` on the default topology under a fresh temporary base path, its
/// output in `<base>.stdout` and `<base>.stderr`. Returns the guard and the base path.
pub fn launch_default(tag: &str) -> (Guard, PathBuf) {
	launch(tag, None)
}

/// Starts `plexus-node launch` on `topology` (a TOML text; the default topology when `None`).
pub fn launch(tag: &str, topology: Option<&str>) -> (Guard, PathBuf) {
	let base = temp_dir(tag);
	(launch_at(&base, topology), base)
}

/// Starts `plexus-node launch` on the deployment under `base`: a new one, or the one a previous
/// launch left there (its chains, keys and vaults), resumed.
pub fn launch_at(base: &std::path::Path, topology: Option<&str>) -> Guard {
	let mut command = Command::new(node_binary());
	command.arg("launch");
	if let Some(text) = topology {
		let file = base.with_extension("toml");
		std::fs::write(&file, text).unwrap();
		command.arg(file);
	}
	command
		.arg("--base-path")
		.arg(base)
		.stdout(std::fs::File::create(base.with_extension("stdout")).unwrap())
		.stderr(std::fs::File::create(base.with_extension("stderr")).unwrap());
	Guard::spawn(command)
}

/// The deployment's launch.json, once it has been written.
pub async fn read_report(base: &std::path::Path) -> Option<serde_json::Value> {
	serde_json::from_str(&std::fs::read_to_string(base.join("launch.json")).ok()?).ok()
}
