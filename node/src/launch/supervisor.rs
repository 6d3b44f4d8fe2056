//! Child processes: start a node, notice when it dies, restart it, stop them all.
//!
//! Every child runs in its own process group, so a Ctrl-C typed at the terminal reaches only
//! `launch`, which then stops the children in order. Each child also asks the kernel to send it
//! SIGTERM if `launch` itself dies, so no node outlives its supervisor.

use std::{
	fs::OpenOptions,
	os::unix::process::CommandExt,
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// A node restarted this many times within [`RESTART_WINDOW`] is given up on.
const MAX_RESTARTS: usize = 5;
const RESTART_WINDOW: Duration = Duration::from_secs(120);

pub struct ChildSpec {
	pub name: String,
	pub program: PathBuf,
	pub args: Vec<String>,
	pub log: PathBuf,
}

pub struct Supervised {
	pub spec: ChildSpec,
	child: Option<Child>,
	restarts: Vec<Instant>,
	pub given_up: bool,
}

impl Supervised {
	pub fn pid(&self) -> Option<u32> {
		self.child.as_ref().map(|c| c.id())
	}
}

/// What happened to a child during one [`Supervisor::check`].
pub enum Incident {
	Restarted { name: String, status: String, log: PathBuf },
	GaveUp { name: String, status: String, log: PathBuf },
}

pub fn spawn(spec: &ChildSpec) -> std::io::Result<Child> {
	let log = OpenOptions::new().create(true).append(true).open(&spec.log)?;
	let mut command = Command::new(&spec.program);
	command.args(&spec.args).stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log);
	// SAFETY: only async-signal-safe calls between fork and exec.
	unsafe {
		command.pre_exec(|| {
			libc::setpgid(0, 0);
			libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
			Ok(())
		});
	}
	command.spawn()
}

#[derive(Default)]
pub struct Supervisor {
	pub children: Vec<Supervised>,
}

impl Supervisor {
	pub fn start(&mut self, spec: ChildSpec) -> Result<(), String> {
		let child = spawn(&spec)
			.map_err(|e| format!("cannot start {} ({}): {e}", spec.name, spec.program.display()))?;
		self.children.push(Supervised {
			spec,
			child: Some(child),
			restarts: vec![],
			given_up: false,
		});
		Ok(())
	}

	/// Reaps dead children and restarts them, unless one keeps dying.
	pub fn check(&mut self) -> Vec<Incident> {
		let mut incidents = vec![];
		for s in &mut self.children {
			let Some(child) = s.child.as_mut() else { continue };
			let status = match child.try_wait() {
				Ok(Some(status)) => status.to_string(),
				Ok(None) => continue,
				Err(e) => format!("unknown ({e})"),
			};
			s.child = None;
			let now = Instant::now();
			s.restarts.retain(|t| now.duration_since(*t) < RESTART_WINDOW);
			if s.restarts.len() >= MAX_RESTARTS {
				s.given_up = true;
				incidents.push(Incident::GaveUp {
					name: s.spec.name.clone(),
					status,
					log: s.spec.log.clone(),
				});
				continue;
			}
			s.restarts.push(now);
			match spawn(&s.spec) {
				Ok(child) => s.child = Some(child),
				Err(_) => s.given_up = true,
			}
			let (name, log) = (s.spec.name.clone(), s.spec.log.clone());
			incidents.push(if s.given_up {
				Incident::GaveUp { name, status, log }
			} else {
				Incident::Restarted { name, status, log }
			});
		}
		incidents
	}

	/// SIGTERM to every child, then SIGKILL to those still alive after `grace`.
	pub fn stop_all(&mut self, grace: Duration) {
		for s in &self.children {
			if let Some(pid) = s.pid() {
				// SAFETY: plain syscall on a pid we spawned and have not reaped.
				unsafe { libc::kill(pid as i32, libc::SIGTERM) };
			}
		}
		let deadline = Instant::now() + grace;
		loop {
			let mut alive = 0;
			for s in &mut self.children {
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
		for s in &mut self.children {
			if let Some(mut child) = s.child.take() {
				let _ = child.kill();
				let _ = child.wait();
			}
		}
	}
}

impl Drop for Supervisor {
	fn drop(&mut self) {
		self.stop_all(Duration::from_secs(5));
	}
}

/// A free TCP port on 127.0.0.1, as the kernel hands one out.
pub fn free_port() -> std::io::Result<u16> {
	Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
