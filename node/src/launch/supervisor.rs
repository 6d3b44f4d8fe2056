//! Child processes: start a node, notice when it dies, restart it, stop them all.
//!
//! Every child runs in its own process group, so a Ctrl-C typed at the terminal reaches only
//! `launch`, which then stops the children in order. Each child also asks the kernel to send it
//! SIGTERM if `launch` itself dies, so no node outlives its supervisor.
//!
//! Ports are chosen before a child starts ([`free_port`]), so another process may take one in
//! between. A child that exits saying so (its log since it started has "already in use") is
//! restarted on new ports, which its [`ChildSpec::args`] turn into arguments.

use std::{
	collections::BTreeSet,
	fs::OpenOptions,
	io::{Read, Seek, SeekFrom},
	os::unix::process::CommandExt,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::Mutex,
	time::{Duration, Instant},
};

/// A node restarted this many times within [`RESTART_WINDOW`] is given up on.
const MAX_RESTARTS: usize = 5;
const RESTART_WINDOW: Duration = Duration::from_secs(120);

/// A child's arguments, given the ports it listens on.
pub type Args = Box<dyn Fn(&[u16]) -> Vec<String> + Send>;

pub struct ChildSpec {
	pub name: String,
	pub program: PathBuf,
	pub args: Args,
	/// Loopback ports from [`free_port`]; new ones replace them when the child could not bind.
	pub ports: Vec<u16>,
	/// Environment variables to set (`Some`) or remove (`None`) in the child.
	pub env: Vec<(String, Option<String>)>,
	pub log: PathBuf,
	/// An exit status that means "restarting will not help": the child is left stopped and its
	/// last log line reported ([`Incident::Stopped`]).
	pub final_exit: Option<i32>,
	/// Once the child is given up on, removing this path starts it again: a node's database,
	/// which `plexus-node purge-chain` removes so that the node resyncs from its peers.
	pub revive_when_absent: Option<PathBuf>,
}

pub struct Supervised {
	pub spec: ChildSpec,
	child: Option<Child>,
	/// The log's length when the child started: what it wrote since is its own.
	log_start: u64,
	/// Restarts within [`RESTART_WINDOW`], which decide giving up.
	restarts: Vec<Instant>,
	/// Every restart since launch started it, for the dashboard and launch's `/metrics`.
	pub restarts_total: u32,
	pub last_restart: Option<Instant>,
	pub given_up: bool,
}

impl Supervised {
	pub fn pid(&self) -> Option<u32> {
		self.child.as_ref().map(|c| c.id())
	}
}

/// What happened to a child during one [`Supervisor::check`].
pub enum Incident {
	/// Restarted; on new ports (now in its spec) if `rebound`.
	Restarted {
		name: String,
		status: String,
		/// Its last `Error:` line, or its last line.
		reason: String,
		log: PathBuf,
		rebound: bool,
	},
	GaveUp {
		name: String,
		status: String,
		reason: String,
		log: PathBuf,
	},
	/// Given up on, and started again because its [`ChildSpec::revive_when_absent`] path went.
	Revived {
		name: String,
		log: PathBuf,
	},
	/// Exited with its [`ChildSpec::final_exit`] status; `reason` is its last log line.
	Stopped {
		name: String,
		reason: String,
		log: PathBuf,
	},
}

/// Starts the child; returns it and the length of its log before it wrote anything.
pub fn spawn(spec: &ChildSpec) -> std::io::Result<(Child, u64)> {
	let log = OpenOptions::new().create(true).append(true).open(&spec.log)?;
	let log_start = log.metadata()?.len();
	let mut command = Command::new(&spec.program);
	command
		.args((spec.args)(&spec.ports))
		.stdin(Stdio::null())
		.stdout(log.try_clone()?)
		.stderr(log);
	for (name, value) in &spec.env {
		match value {
			Some(value) => command.env(name, value),
			None => command.env_remove(name),
		};
	}
	// SAFETY: only async-signal-safe calls between fork and exec.
	unsafe {
		command.pre_exec(|| {
			libc::setpgid(0, 0);
			libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
			Ok(())
		});
	}
	Ok((command.spawn()?, log_start))
}

/// Whether the child's output since `from` says that an address it wanted was taken: the
/// node's RPC server and the relayer's metrics endpoint fail with "Address already in use" or
/// "port … already in use".
fn failed_to_bind(log: &Path, from: u64) -> bool {
	// The error is among the last lines a child writes; 64 KiB reaches past any backtrace.
	const TAIL: u64 = 64 * 1024;
	let mut text = Vec::new();
	let read = OpenOptions::new().read(true).open(log).and_then(|mut file| {
		let len = file.metadata()?.len();
		file.seek(SeekFrom::Start(from.max(len.saturating_sub(TAIL))))?;
		file.read_to_end(&mut text)
	});
	read.is_ok() && String::from_utf8_lossy(&text).contains("already in use")
}

/// A given-up child whose [`ChildSpec::revive_when_absent`] path is gone, started again with a
/// clean record.
fn revive(s: &mut Supervised) -> Option<Incident> {
	let gone = s.spec.revive_when_absent.as_ref().is_some_and(|p| !p.exists());
	if !s.given_up || !gone {
		return None;
	}
	let (child, log_start) = spawn(&s.spec).ok()?;
	s.child = Some(child);
	s.log_start = log_start;
	s.given_up = false;
	s.restarts.clear();
	s.restarts_total += 1;
	s.last_restart = Some(Instant::now());
	Some(Incident::Revived { name: s.spec.name.clone(), log: s.spec.log.clone() })
}

/// Why the child ended, from what it wrote to `log` since `from`: its last `Error:` line (what
/// sc-cli prints when a node cannot start), or else its last non-empty line.
fn failure(log: &Path, from: u64) -> Option<String> {
	let mut text = Vec::new();
	let mut file = OpenOptions::new().read(true).open(log).ok()?;
	let len = file.metadata().ok()?.len();
	file.seek(SeekFrom::Start(from.max(len.saturating_sub(16 * 1024)))).ok()?;
	file.read_to_end(&mut text).ok()?;
	let text = String::from_utf8_lossy(&text);
	let mut lines = text.lines().rev().map(str::trim);
	let error = lines.clone().find(|l| l.starts_with("Error:"));
	error.or_else(|| lines.find(|l| !l.is_empty())).map(str::to_string)
}

#[derive(Default)]
pub struct Supervisor {
	pub children: Vec<Supervised>,
}

impl Supervisor {
	pub fn start(&mut self, spec: ChildSpec) -> Result<(), String> {
		let (child, log_start) = spawn(&spec)
			.map_err(|e| format!("cannot start {} ({}): {e}", spec.name, spec.program.display()))?;
		self.children.push(Supervised {
			spec,
			child: Some(child),
			log_start,
			restarts: vec![],
			restarts_total: 0,
			last_restart: None,
			given_up: false,
		});
		Ok(())
	}

	/// Reaps dead children and restarts them, unless one keeps dying; starts a given-up child
	/// again once its [`ChildSpec::revive_when_absent`] path is gone.
	pub fn check(&mut self) -> Vec<Incident> {
		let mut incidents = vec![];
		for s in &mut self.children {
			let Some(child) = s.child.as_mut() else {
				if let Some(incident) = revive(s) {
					incidents.push(incident);
				}
				continue;
			};
			let (status, code) = match child.try_wait() {
				Ok(Some(status)) => (status.to_string(), status.code()),
				Ok(None) => continue,
				Err(e) => (format!("unknown ({e})"), None),
			};
			s.child = None;
			let reason = failure(&s.spec.log, s.log_start).unwrap_or_else(|| status.clone());
			if code.is_some() && code == s.spec.final_exit {
				s.given_up = true;
				let (name, log) = (s.spec.name.clone(), s.spec.log.clone());
				incidents.push(Incident::Stopped { name, reason, log });
				continue;
			}
			let now = Instant::now();
			s.restarts.retain(|t| now.duration_since(*t) < RESTART_WINDOW);
			if s.restarts.len() >= MAX_RESTARTS {
				s.given_up = true;
				let (name, log) = (s.spec.name.clone(), s.spec.log.clone());
				incidents.push(Incident::GaveUp { name, status, reason, log });
				continue;
			}
			s.restarts.push(now);
			s.restarts_total += 1;
			s.last_restart = Some(now);
			let rebound = !s.spec.ports.is_empty() && failed_to_bind(&s.spec.log, s.log_start);
			if rebound {
				let fresh: std::io::Result<Vec<u16>> =
					s.spec.ports.iter().map(|_| free_port()).collect();
				match fresh {
					Ok(ports) => s.spec.ports = ports,
					Err(_) => s.given_up = true,
				}
			}
			if !s.given_up {
				match spawn(&s.spec) {
					Ok((child, log_start)) => {
						s.child = Some(child);
						s.log_start = log_start;
					},
					Err(_) => s.given_up = true,
				}
			}
			let (name, log) = (s.spec.name.clone(), s.spec.log.clone());
			incidents.push(if s.given_up {
				Incident::GaveUp { name, status, reason, log }
			} else {
				Incident::Restarted { name, status, reason, log, rebound }
			});
		}
		incidents
	}

	/// SIGTERM to every child, then SIGKILL to those still alive after `grace`.
	pub fn stop_all(&mut self, grace: Duration) {
		terminate(self.children.iter_mut(), grace);
	}

	/// Stops the child named `name` as [`Self::stop_all`] does and forgets it; `false` if there
	/// is none.
	pub fn stop(&mut self, name: &str, grace: Duration) -> bool {
		let Some(i) = self.children.iter().position(|s| s.spec.name == name) else {
			return false;
		};
		let mut stopped = self.children.remove(i);
		terminate(std::iter::once(&mut stopped), grace);
		true
	}

	/// Stops the child named `name` as [`Self::stop_all`] does and starts it again from its spec
	/// (whose arguments may have changed), not counting it as a failure.
	pub fn restart(&mut self, name: &str, grace: Duration) -> Result<(), String> {
		let s = self
			.children
			.iter_mut()
			.find(|s| s.spec.name == name)
			.ok_or_else(|| format!("no child named {name}"))?;
		terminate(std::iter::once(&mut *s), grace);
		let (child, log_start) = spawn(&s.spec)
			.map_err(|e| format!("cannot start {name} ({}): {e}", s.spec.program.display()))?;
		s.child = Some(child);
		s.log_start = log_start;
		s.given_up = false;
		Ok(())
	}

	pub fn child(&self, name: &str) -> Option<&Supervised> {
		self.children.iter().find(|s| s.spec.name == name)
	}
}

fn terminate<'a>(children: impl Iterator<Item = &'a mut Supervised>, grace: Duration) {
	let mut children: Vec<&mut Supervised> = children.collect();
	for s in &children {
		if let Some(pid) = s.pid() {
			// SAFETY: plain syscall on a pid we spawned and have not reaped.
			unsafe { libc::kill(pid as i32, libc::SIGTERM) };
		}
	}
	let deadline = Instant::now() + grace;
	loop {
		let mut alive = 0;
		for s in children.iter_mut() {
			if let Some(child) = s.child.as_mut() {
				match child.try_wait() {
					Ok(Some(_)) | Err(_) => s.child = None,
					Ok(None) => alive += 1,
				}
			}
		}
		if alive == 0 {
			return;
		}
		if Instant::now() >= deadline {
			break;
		}
		std::thread::sleep(Duration::from_millis(100));
	}
	for s in children {
		if let Some(mut child) = s.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}
}

impl Drop for Supervisor {
	fn drop(&mut self) {
		self.stop_all(Duration::from_secs(5));
	}
}

/// A free TCP port on 127.0.0.1, as the kernel hands one out, but never one it handed out
/// before in this process: the kernel may give a port it has just released again, and two
/// children of one launch must not be told to listen on the same port.
pub fn free_port() -> std::io::Result<u16> {
	static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
	for _ in 0..100 {
		let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
		if GIVEN.lock().expect("never poisoned").insert(port) {
			return Ok(port);
		}
	}
	Err(std::io::Error::new(std::io::ErrorKind::AddrInUse, "no port left that is new to launch"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn free_ports_are_never_handed_out_twice() {
		let ports: Vec<u16> = (0..1000).map(|_| free_port().unwrap()).collect();
		let distinct: BTreeSet<u16> = ports.iter().copied().collect();
		assert_eq!(distinct.len(), ports.len());
	}

	/// A child that prints `line` about its first port and exits 1, under the supervisor.
	fn failing_child(tag: &str, line: &'static str) -> (Supervisor, u16, PathBuf) {
		let dir =
			std::env::temp_dir().join(format!("plexus-supervisor-{tag}-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let port = free_port().unwrap();
		let mut supervisor = Supervisor::default();
		supervisor
			.start(ChildSpec {
				name: tag.into(),
				program: "/bin/sh".into(),
				args: Box::new(move |ports: &[u16]| {
					vec!["-c".into(), format!("echo \"{line} 127.0.0.1:{}\"; exit 1", ports[0])]
				}),
				ports: vec![port],
				env: vec![],
				log: dir.join("child.log"),
				final_exit: None,
				revive_when_absent: None,
			})
			.unwrap();
		(supervisor, port, dir)
	}

	/// The first incident, waiting (bounded) for the child to exit.
	fn first_incident(supervisor: &mut Supervisor) -> Incident {
		for _ in 0..200 {
			if let Some(incident) = supervisor.check().into_iter().next() {
				return incident;
			}
			std::thread::sleep(Duration::from_millis(50));
		}
		panic!("the child did not exit within 10 s");
	}

	#[test]
	fn a_child_that_exits_with_its_final_status_is_reported_and_left_stopped() {
		let dir =
			std::env::temp_dir().join(format!("plexus-supervisor-final-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let mut supervisor = Supervisor::default();
		let spec = ChildSpec {
			name: "relay-a-b".into(),
			program: "/bin/sh".into(),
			args: Box::new(|_: &[u16]| {
				vec![
					"-c".into(),
					"echo starting; echo 'b: cannot serve this runtime'; exit 78".into(),
				]
			}),
			ports: vec![],
			env: vec![],
			log: dir.join("relay.log"),
			final_exit: Some(78),
			revive_when_absent: None,
		};
		supervisor.start(spec).unwrap();
		match first_incident(&mut supervisor) {
			Incident::Stopped { name, reason, .. } => {
				assert_eq!(name, "relay-a-b");
				assert_eq!(reason, "b: cannot serve this runtime");
			},
			_ => panic!("expected Stopped"),
		}
		std::thread::sleep(Duration::from_millis(300));
		assert!(supervisor.check().is_empty(), "not restarted");
		assert!(supervisor.child("relay-a-b").unwrap().pid().is_none());
		std::fs::remove_dir_all(dir).unwrap();
	}

	#[test]
	fn a_restarted_child_runs_with_its_new_arguments_and_is_not_counted_as_failing() {
		let dir =
			std::env::temp_dir().join(format!("plexus-supervisor-restart-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let mut supervisor = Supervisor::default();
		// The argument comes from shared state, as eth-rpc's node address does.
		let seconds = std::sync::Arc::new(std::sync::atomic::AtomicU16::new(60));
		let read = seconds.clone();
		let spec = ChildSpec {
			name: "follower".into(),
			program: "/bin/sleep".into(),
			args: Box::new(move |_: &[u16]| {
				vec![read.load(std::sync::atomic::Ordering::Relaxed).to_string()]
			}),
			ports: vec![],
			env: vec![],
			log: dir.join("follower.log"),
			final_exit: None,
			revive_when_absent: None,
		};
		supervisor.start(spec).unwrap();
		let first = supervisor.child("follower").and_then(Supervised::pid).unwrap();
		seconds.store(61, std::sync::atomic::Ordering::Relaxed);
		supervisor.restart("follower", Duration::from_secs(5)).unwrap();
		let second = supervisor.child("follower").and_then(Supervised::pid).unwrap();
		assert_ne!(first, second);
		// SAFETY: probing a pid with signal 0.
		assert_ne!(unsafe { libc::kill(first as i32, 0) }, 0, "the first was stopped and reaped");
		let cmdline = std::fs::read(format!("/proc/{second}/cmdline")).unwrap();
		assert_eq!(cmdline, b"/bin/sleep\x0061\x00", "started with the new argument");
		assert!(supervisor.check().is_empty(), "nothing to report: it runs");
		assert!(supervisor.child("follower").unwrap().restarts.is_empty());
		assert!(supervisor.restart("nobody", Duration::from_secs(1)).is_err());
		supervisor.stop_all(Duration::from_secs(5));
		std::fs::remove_dir_all(dir).unwrap();
	}

	#[test]
	fn stopping_one_child_leaves_the_others_running() {
		let dir =
			std::env::temp_dir().join(format!("plexus-supervisor-stop-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let mut supervisor = Supervisor::default();
		for name in ["a", "b"] {
			let spec = ChildSpec {
				name: name.into(),
				program: "/bin/sleep".into(),
				args: Box::new(|_: &[u16]| vec!["60".into()]),
				ports: vec![],
				env: vec![],
				log: dir.join(format!("{name}.log")),
				final_exit: None,
				revive_when_absent: None,
			};
			supervisor.start(spec).unwrap();
		}
		let a = supervisor.child("a").and_then(Supervised::pid).unwrap();
		assert!(supervisor.stop("a", Duration::from_secs(5)));
		assert!(!supervisor.stop("a", Duration::from_secs(5)), "gone already");
		// SAFETY: probing a pid with signal 0.
		assert_ne!(unsafe { libc::kill(a as i32, 0) }, 0, "a was stopped and reaped");
		assert!(supervisor.check().is_empty(), "b runs on, and a is not restarted");
		assert_eq!(supervisor.children.len(), 1);
		assert!(supervisor.child("b").and_then(Supervised::pid).is_some());
		supervisor.stop_all(Duration::from_secs(5));
		std::fs::remove_dir_all(dir).unwrap();
	}

	#[test]
	fn a_child_that_cannot_bind_is_restarted_on_new_ports() {
		let line = "Error: Address already in use (os error 98):";
		let (mut supervisor, port, dir) = failing_child("rebind", line);
		let incident = first_incident(&mut supervisor);
		assert!(matches!(incident, Incident::Restarted { rebound: true, .. }));
		let now = supervisor.children[0].spec.ports.clone();
		assert_eq!(now.len(), 1);
		assert_ne!(now[0], port, "a new port");
		supervisor.stop_all(Duration::from_secs(5));
		std::fs::remove_dir_all(dir).unwrap();
	}

	#[test]
	fn a_child_that_fails_otherwise_keeps_its_ports() {
		let (mut supervisor, port, dir) = failing_child("keep", "Error: database is locked at");
		let incident = first_incident(&mut supervisor);
		assert!(matches!(incident, Incident::Restarted { rebound: false, .. }));
		assert_eq!(supervisor.children[0].spec.ports, vec![port]);
		assert_eq!(supervisor.children[0].restarts_total, 1);
		assert!(supervisor.children[0].last_restart.is_some());
		// It keeps failing: each restart counts, until it is given up on.
		let mut incidents = vec![];
		for _ in 0..200 {
			incidents.extend(supervisor.check());
			if supervisor.children[0].given_up {
				break;
			}
			std::thread::sleep(Duration::from_millis(50));
		}
		assert!(supervisor.children[0].given_up, "given up within 10 s");
		assert_eq!(supervisor.children[0].restarts_total as usize, MAX_RESTARTS);
		supervisor.stop_all(Duration::from_secs(5));
		std::fs::remove_dir_all(dir).unwrap();
	}
}
