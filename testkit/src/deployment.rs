//! Deployments of spawned `plexus-node` processes: start `launch` on a topology under a fresh
//! temporary directory, find its nodes in `launch.json`, bound every wait, and kill what was
//! started (by process group) when the test ends, also when it fails.

use plexus_client::Client;
use std::{
	path::{Path, PathBuf},
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

/// A fresh directory under the system's temporary directory, named by `tag` and this process.
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

/// Polls `f` every 500 ms until it returns `Some`, for at most `limit`; panics naming `what`.
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

/// A client of the node at `url` (a `ws://` address from launch.json), over HTTP so that it
/// survives the node's restarts; panics if the node does not answer within 30 s.
pub async fn connect(url: &str) -> Client {
	Client::connect_retrying(&http(url), Duration::from_secs(30))
		.await
		.unwrap_or_else(|e| panic!("no node at {url}: {e}"))
}

/// As [`connect`], one attempt: `None` while the node is down.
pub async fn try_connect(url: &str) -> Option<Client> {
	Client::connect(&http(url)).await.ok()
}

fn http(url: &str) -> String {
	url.replace("ws://", "http://")
}

/// `NetworkInfoApi_identity`: (network id, name, block time in ms), decoded from SCALE by hand so
/// the test checks the wire format, not our own decoder.
pub async fn identity(client: &Client) -> (u32, String, u64) {
	let raw: String = client
		.call("state_call", plexus_client::rpc_params!["NetworkInfoApi_identity", "0x"])
		.await
		.unwrap();
	let bytes = plexus_client::from_hex(&raw).unwrap();
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
pub fn launch_at(base: &Path, topology: Option<&str>) -> Guard {
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
pub async fn read_report(base: &Path) -> Option<serde_json::Value> {
	serde_json::from_str(&std::fs::read_to_string(base.join("launch.json")).ok()?).ok()
}

/// The RPC address of the first node of `network` with `role` (any role when `None`) in a
/// launch.json report.
pub fn rpc_of(report: &serde_json::Value, network: &str, role: Option<&str>) -> String {
	report["nodes"]
		.as_array()
		.expect("launch.json lists its nodes")
		.iter()
		.find(|n| n["network"] == network && role.is_none_or(|role| n["role"] == role))
		.unwrap_or_else(|| panic!("launch.json has no node of {network}"))["rpc"]
		.as_str()
		.expect("a node's rpc address")
		.to_string()
}

/// The process ids of every node in a launch.json report (for [`Guard::extra_pids`]).
pub fn node_pids(report: &serde_json::Value) -> Vec<u32> {
	report["nodes"]
		.as_array()
		.expect("launch.json lists its nodes")
		.iter()
		.map(|n| n["pid"].as_u64().expect("a node's pid") as u32)
		.collect()
}

/// A `plexus-node --dev` on loopback under a fresh temporary base path, with `args` added; returns
/// its guard, base path and RPC URL once it answers.
pub async fn dev_node(tag: &str, args: &[&str]) -> (Guard, PathBuf, String) {
	let mut all = vec!["--dev"];
	all.extend_from_slice(args);
	spawn_node(tag, &all).await
}

/// A `plexus-node` with `args` (its chain and role) on loopback, under a fresh temporary base path
/// named by `tag`, without mDNS, Prometheus or telemetry; returns its guard, base path and RPC URL
/// once it answers. Its output goes to `<base>.stdout` and `<base>.stderr`. The RPC port is picked
/// free; if another process takes it before the node binds it, the node exits and another port is
/// tried.
pub async fn spawn_node(tag: &str, args: &[&str]) -> (Guard, PathBuf, String) {
	let base = temp_dir(tag);
	let (guard, url) = spawn_node_at(&base, args).await;
	(guard, base, url)
}

/// As [`spawn_node`], on the base path `base`: a new node, or one started there before, on its
/// own database again. Its output is appended to `<base>.stdout` and `<base>.stderr`.
pub async fn spawn_node_at(base: &Path, args: &[&str]) -> (Guard, String) {
	let append =
		|path: PathBuf| std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
	for _ in 0..3 {
		let port = free_port();
		let mut command = Command::new(node_binary());
		command
			.args(["--no-mdns", "--no-prometheus", "--no-telemetry"])
			.args(["--rpc-port", &port.to_string()])
			.arg("--base-path")
			.arg(base)
			.args(args)
			.stdout(append(base.with_extension("stdout")))
			.stderr(append(base.with_extension("stderr")));
		if !args.contains(&"--listen-addr") {
			command.args(["--listen-addr", "/ip4/127.0.0.1/tcp/0"]);
		}
		let mut guard = Guard::spawn(command);
		let url = format!("http://127.0.0.1:{port}");
		let deadline = Instant::now() + Duration::from_secs(60);
		while Instant::now() < deadline {
			if let Ok(client) = Client::connect(&url).await {
				if client.best_number().await.is_ok() {
					return (guard, url);
				}
			}
			if guard.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(Some(_)))) {
				break;
			}
			tokio::time::sleep(Duration::from_millis(250)).await;
		}
		guard.terminate(Duration::from_secs(10));
	}
	panic!("no node answered; see {}", base.with_extension("stderr").display());
}

/// A TCP port on loopback that was free a moment ago.
pub fn free_port() -> u16 {
	std::net::TcpListener::bind("127.0.0.1:0")
		.and_then(|l| l.local_addr())
		.expect("a free port")
		.port()
}
