//! Kubernetes manifests run as "hosts" on this machine, without a cluster (issue 16; the design is
//! docs/notes/kubernetes-plan.md §4.4).
//!
//! [`Cluster::load`] reads what `plexus-node kubernetes` wrote (pretty JSON in `.yaml` files, all
//! listed in `kustomization.yaml`) and refuses anything outside the subset it can run faithfully:
//! kinds Namespace, ConfigMap, Secret, headless Service, StatefulSet, Deployment, Job and
//! PodDisruptionBudget; volumes from ConfigMaps, Secrets, projected ConfigMaps and Secrets,
//! emptyDirs and claim templates; env from `value` or `fieldRef` `metadata.name` and
//! `metadata.namespace`; `httpGet` probes; the image's one binary. Every pod becomes a [`Pod`]:
//! one per StatefulSet replica (`<set>-<ordinals.start + j>`), per Deployment replica
//! (`<deployment>-<j>`) and per Job (`<job>-0`).
//!
//! [`Hosts::up`] gives each pod a host:
//! - a network namespace `plxh<pid>-<pod>` with `eth0` at `10.250.0.<10 + k>/24` on a bridge
//!   `plxh<pid % 100000>` (the root namespace is `10.250.0.1`), and no default route;
//! - Service DNS names in `/etc/netns/<ns>/hosts` (`<pod>.<service>` and its longer forms), a
//!   `resolv.conf` whose name server is the harness's [`Dns`] on `10.250.0.1:53`, answering as
//!   cluster DNS does (those names; nothing for other names);
//! - a directory `T/pods/<pod>` that is the pod's `/var/lib/plexus` (the image's `WORKDIR`, owned
//!   by its user 10001): ConfigMap and Secret contents as files at the mounted paths (Secret
//!   files with their mode, owned `root:<fsGroup>`), emptyDirs and claims as directories
//!   `root:<fsGroup>` 2775. All containers of a pod share it, so two containers may not mount
//!   different volumes at one path; `/tmp` stays the host's.
//!
//! Each container is a process: `ip netns exec <ns> unshare --mount --uts`, a tmpfs over
//! `/var/lib` with the pod's directory bound at `/var/lib/plexus`, a read-only root file system
//! where the container asks for one, then `setpriv` to the pod's user and groups without
//! capabilities (and with `no_new_privs` where privilege escalation is off), running the node
//! binary linked into `T/bin` in place of the image's `/usr/local/bin/plexus-node`; `$(VAR)` in
//! the arguments is expanded as the kubelet does. [`Hosts::run_init`] runs init containers in
//! order, [`Hosts::start`] then starts every other container at once; as the kubelet does, a
//! StatefulSet's or Deployment's container that exits is started again (after 10 s, doubling up to
//! 60 s), unless its host was stopped with [`Hosts::kill_host`]; a Job's runs once.
//!
//! Dropping [`Hosts`] (also on panic or timeout) kills and reaps every process of every
//! namespace, deletes the namespaces, the bridge, `/etc/netns/plxh<pid>-*` and `T`.
//! [`remove_leftovers`] does the same for runs whose process is dead (a SIGKILLed test runs no
//! `Drop`). Needs root, `ip` (iproute2), `unshare`, `setpriv` and `mount` (util-linux).

mod cleanup;
mod containers;
mod manifests;
mod network;
mod process;
#[cfg(test)]
mod sample;
mod workloads;

pub use self::{
	cleanup::{leftovers_of, remove_leftovers, Scratch},
	manifests::{
		selects, Budget, Cluster, Container, Content, Labels, Mount, Owner, Pod, Probe, Service,
		VolumeFile, CONFIGMAP_LIMIT,
	},
	network::{
		bridge_name, dns_answer, dns_records, hosts_file, http_get, is_loopback, netns_name,
		overlapping_routes, owner_pid, parse_proc_net_tcp, pod_ip, resolv_conf, sockets_of,
		status_code, unmapped, valid_interface_name, veth_name, Dns, TcpSocket, ESTABLISHED,
		HOST_IP, LISTEN, MAX_PODS,
	},
	process::{generate, netns_pids, require_tools, running, settle},
	workloads::expand,
};
use self::{containers::Shared, network::BRIDGE_ALIAS, process::kill_netns};
use crate::tool::run;
use std::{
	collections::BTreeSet,
	net::Ipv4Addr,
	os::unix::fs::PermissionsExt,
	path::{Path, PathBuf},
	process::{Child, ExitStatus},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

/// The image's binary: the only program a container may run.
pub const IMAGE_BINARY: &str = "/usr/local/bin/plexus-node";
/// The image's `WORKDIR`, owned by its user; each pod's own directory is mounted here.
pub const POD_ROOT: &str = "/var/lib/plexus";
/// The image's `USER` (uid and gid), for a pod that names none.
pub const IMAGE_USER: u32 = 10001;

/// One container of [`Hosts::start`] and what became of it.
struct Running {
	pod: usize,
	container: usize,
	child: Option<Child>,
	exits: Vec<ExitStatus>,
	restart_at: Option<Instant>,
	backoff: Duration,
	restarts: u32,
}

#[derive(Default)]
struct State {
	running: Vec<Running>,
	/// Pods whose host is stopped: nothing of theirs is started again.
	down: BTreeSet<usize>,
}

/// The pods of a [`Cluster`] as hosts on this machine; everything undone when dropped.
pub struct Hosts {
	shared: Arc<Shared>,
	created: Vec<String>,
	bridge: Option<String>,
	dns: Option<Dns>,
	state: Arc<Mutex<State>>,
	stop: Arc<AtomicBool>,
	supervisor: Option<std::thread::JoinHandle<()>>,
}

impl Hosts {
	/// Makes the bridge, one namespace per pod with its address, names and volumes, under
	/// `dir` (a [`Scratch`]), with `binary` linked into `dir/bin`. Refuses to start if a route to
	/// 10.250.0.0/24 exists.
	pub fn up(cluster: Cluster, binary: &Path, dir: &Path) -> Result<Self, String> {
		let pid = std::process::id();
		let clash = overlapping_routes(&run("ip", &["-o", "-4", "route", "show", "table", "all"])?);
		if !clash.is_empty() {
			return Err(format!("routes to 10.250.0.0/24 exist already: {clash:?}"));
		}
		for sub in ["bin", "pods", "logs"] {
			let path = dir.join(sub);
			std::fs::create_dir_all(&path).map_err(|e| e.to_string())?;
			std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
				.map_err(|e| e.to_string())?;
		}
		let linked = dir.join("bin/plexus-node");
		let _ = std::fs::remove_file(&linked);
		if std::fs::hard_link(binary, &linked).is_err() {
			std::fs::copy(binary, &linked).map_err(|e| format!("{}: {e}", binary.display()))?;
		}
		let mode = std::fs::metadata(&linked).map_err(|e| e.to_string())?.permissions().mode();
		if mode & 0o005 != 0o005 {
			return Err(format!(
				"{} (mode {mode:o}) is not executable by the pods' user",
				binary.display()
			));
		}
		let shared = Shared { pid, dir: dir.to_path_buf(), binary: linked, cluster };
		let mut hosts = Hosts {
			shared: Arc::new(shared),
			created: Vec::new(),
			bridge: None,
			dns: None,
			state: Default::default(),
			stop: Default::default(),
			supervisor: None,
		};
		let bridge = bridge_name(pid);
		run("ip", &["link", "add", &bridge, "type", "bridge"])?;
		hosts.bridge = Some(bridge.clone());
		run("ip", &["link", "set", "dev", &bridge, "alias", &format!("{BRIDGE_ALIAS}{pid}")])?;
		run("ip", &["addr", "add", &format!("{HOST_IP}/24"), "dev", &bridge])?;
		run("ip", &["link", "set", "dev", &bridge, "up"])?;
		hosts.dns = Some(Dns::serve(dns_records(&hosts.shared.cluster))?);
		let shared = hosts.shared.clone();
		let cluster = &shared.cluster;
		let records: Vec<(Ipv4Addr, String, String)> = cluster
			.records()
			.into_iter()
			.map(|(k, pod, service)| (pod_ip(k), pod, service))
			.collect();
		for (k, pod) in cluster.pods.iter().enumerate() {
			let ns = shared.netns(k);
			run("ip", &["netns", "add", &ns])?;
			hosts.created.push(ns.clone());
			let veth = veth_name(pid, k);
			assert!(valid_interface_name(&veth) && valid_interface_name(&bridge));
			run(
				"ip",
				&["link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &ns],
			)?;
			run("ip", &["link", "set", "dev", &veth, "master", &bridge, "up"])?;
			run("ip", &["-n", &ns, "addr", "add", &format!("{}/24", pod_ip(k)), "dev", "eth0"])?;
			run("ip", &["-n", &ns, "link", "set", "dev", "lo", "up"])?;
			run("ip", &["-n", &ns, "link", "set", "dev", "eth0", "up"])?;
			let etc = Path::new("/etc/netns").join(&ns);
			std::fs::create_dir_all(&etc).map_err(|e| e.to_string())?;
			let hosts_text = hosts_file(&cluster.namespace, (pod_ip(k), &pod.name), &records);
			std::fs::write(etc.join("hosts"), hosts_text).map_err(|e| e.to_string())?;
			std::fs::write(etc.join("resolv.conf"), resolv_conf(&cluster.namespace))
				.map_err(|e| e.to_string())?;
			shared.populate(k)?;
		}
		Ok(hosts)
	}

	pub fn cluster(&self) -> &Cluster {
		&self.shared.cluster
	}

	pub fn dir(&self) -> &Path {
		&self.shared.dir
	}

	pub fn ip(&self, pod: &str) -> Ipv4Addr {
		pod_ip(self.cluster().index(pod).unwrap_or_else(|| panic!("no pod {pod}")))
	}

	pub fn netns(&self, pod: &str) -> String {
		netns_name(self.shared.pid, pod)
	}

	/// The processes of `pod`'s host.
	pub fn pids(&self, pod: &str) -> Vec<u32> {
		netns_pids(&self.netns(pod)).unwrap_or_else(|e| panic!("{e}"))
	}

	/// The last `lines` of a container's output.
	pub fn tail(&self, pod: &str, container: &str, lines: usize) -> String {
		self.shared.tail(self.cluster().index(pod).expect("a pod"), container, lines)
	}

	/// Every pod's init containers in order (pods side by side), each within `limit` and with
	/// exit status 0.
	pub async fn run_init(&self, limit: Duration) -> Result<(), String> {
		let pods = &self.shared.cluster.pods;
		// Per pod: its index, its next init container, the one running and since when.
		type Step = (usize, usize, Option<(Child, Instant)>);
		let mut steps: Vec<Step> =
			(0..pods.len()).filter(|k| !pods[*k].init.is_empty()).map(|k| (k, 0, None)).collect();
		let result = loop {
			let mut failure = None;
			for (k, next, running) in steps.iter_mut() {
				if let Some((child, started)) = running {
					let name = &pods[*k].init[*next].name;
					match child.try_wait() {
						Ok(Some(status)) if status.success() => {
							*running = None;
							*next += 1;
						},
						Ok(Some(status)) => {
							failure = Some(format!(
								"init container {name} of {} exited with {status}:\n{}",
								pods[*k].name,
								self.shared.tail(*k, name, 30)
							));
						},
						Ok(None) if started.elapsed() > limit => {
							failure = Some(format!(
								"init container {name} of {} still runs after {limit:?}",
								pods[*k].name
							));
						},
						Ok(None) => {},
						Err(e) => failure = Some(e.to_string()),
					}
				}
				if running.is_none() && *next < pods[*k].init.len() && failure.is_none() {
					match self.shared.spawn(*k, &pods[*k].init[*next]) {
						Ok(child) => *running = Some((child, Instant::now())),
						Err(e) => failure = Some(e),
					}
				}
			}
			if failure.is_some() {
				break failure;
			}
			if steps.iter().all(|(_, _, running)| running.is_none()) {
				break None;
			}
			tokio::time::sleep(Duration::from_millis(250)).await;
		};
		for (_, _, running) in steps.iter_mut() {
			if let Some((mut child, _)) = running.take() {
				let _ = child.kill();
				let _ = child.wait();
			}
		}
		result.map_or(Ok(()), Err)
	}

	/// Starts every pod's containers at once, and a supervisor that starts those of
	/// StatefulSets and Deployments again when they exit (10 s, doubling up to 60 s).
	pub fn start(&mut self) -> Result<(), String> {
		{
			let mut state = self.state.lock().unwrap();
			for (k, pod) in self.shared.cluster.pods.iter().enumerate() {
				for (i, c) in pod.containers.iter().enumerate() {
					let child = self.shared.spawn(k, c)?;
					state.running.push(Running {
						pod: k,
						container: i,
						child: Some(child),
						exits: Vec::new(),
						restart_at: None,
						backoff: Duration::from_secs(10),
						restarts: 0,
					});
				}
			}
		}
		let (shared, state, stop) = (self.shared.clone(), self.state.clone(), self.stop.clone());
		self.supervisor = Some(std::thread::spawn(move || {
			while !stop.load(Ordering::Relaxed) {
				std::thread::sleep(Duration::from_millis(500));
				let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
				let State { running, down } = &mut *state;
				for r in running.iter_mut() {
					let pod = &shared.cluster.pods[r.pod];
					let c = &pod.containers[r.container];
					if let Some(child) = r.child.as_mut() {
						if let Ok(Some(status)) = child.try_wait() {
							r.child = None;
							r.exits.push(status);
							eprintln!("hosts: {} {} exited with {status}", pod.name, c.name);
							if pod.restarts() && !down.contains(&r.pod) {
								r.restart_at = Some(Instant::now() + r.backoff);
								r.backoff = (r.backoff * 2).min(Duration::from_secs(60));
							}
						}
					} else if r.restart_at.is_some_and(|t| t <= Instant::now())
						&& !down.contains(&r.pod)
					{
						r.restart_at = None;
						match shared.spawn(r.pod, c) {
							Ok(child) => {
								r.child = Some(child);
								r.restarts += 1;
								eprintln!("hosts: {} {} started again", pod.name, c.name);
							},
							Err(e) => {
								eprintln!("hosts: {} {} not started again: {e}", pod.name, c.name)
							},
						}
					}
				}
			}
		}));
		Ok(())
	}

	/// How `pod`'s containers exited so far: (container, exit status), in order.
	pub fn exits(&self, pod: &str) -> Vec<(String, ExitStatus)> {
		let k = self.cluster().index(pod).expect("a pod");
		let state = self.state.lock().unwrap();
		state
			.running
			.iter()
			.filter(|r| r.pod == k)
			.flat_map(|r| {
				r.exits
					.iter()
					.map(move |s| (self.cluster().pods[k].containers[r.container].name.clone(), *s))
			})
			.collect()
	}

	/// How often each container was started again: (pod, container, times), those above 0.
	pub fn restarts(&self) -> Vec<(String, String, u32)> {
		let state = self.state.lock().unwrap();
		state
			.running
			.iter()
			.filter(|r| r.restarts > 0)
			.map(|r| {
				let pod = &self.cluster().pods[r.pod];
				(pod.name.clone(), pod.containers[r.container].name.clone(), r.restarts)
			})
			.collect()
	}

	/// Waits at most `limit` for the one container of `pod` (a Job's) to exit.
	pub async fn wait_exit(&self, pod: &str, limit: Duration) -> Result<ExitStatus, String> {
		let deadline = Instant::now() + limit;
		loop {
			if let Some((_, status)) = self.exits(pod).first() {
				return Ok(*status);
			}
			if Instant::now() > deadline {
				return Err(format!("{pod} still runs after {limit:?}"));
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}

	/// Stops `pod`'s host: SIGKILL to every process in its namespace, none started again.
	/// Returns the pids killed once none is left (within 10 s).
	pub fn kill_host(&self, pod: &str) -> Result<Vec<u32>, String> {
		let k = self.cluster().index(pod).ok_or_else(|| format!("no pod {pod}"))?;
		self.state.lock().unwrap().down.insert(k);
		let ns = self.netns(pod);
		let pids = netns_pids(&ns)?;
		for pid in &pids {
			unsafe { libc::kill(*pid as i32, libc::SIGKILL) };
		}
		{
			let mut state = self.state.lock().unwrap();
			for r in state.running.iter_mut().filter(|r| r.pod == k) {
				if let Some(mut child) = r.child.take() {
					let _ = child.kill();
					if let Ok(status) = child.wait() {
						r.exits.push(status);
					}
				}
			}
		}
		if !kill_netns(&ns, Duration::from_secs(10)) {
			return Err(format!("processes of {pod} survive SIGKILL: {:?}", netns_pids(&ns)));
		}
		Ok(pids)
	}
}

impl Drop for Hosts {
	fn drop(&mut self) {
		self.stop.store(true, Ordering::Relaxed);
		if let Some(supervisor) = self.supervisor.take() {
			let _ = supervisor.join();
		}
		let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
		state.down.extend(0..self.shared.cluster.pods.len());
		for ns in &self.created {
			for pid in netns_pids(ns).unwrap_or_default() {
				unsafe { libc::kill(pid as i32, libc::SIGKILL) };
			}
		}
		for r in state.running.iter_mut() {
			if let Some(mut child) = r.child.take() {
				let _ = child.kill();
				let _ = child.wait();
			}
		}
		drop(state);
		let panicking = std::thread::panicking();
		if panicking {
			// What the containers said last, before their directory goes.
			for (k, pod) in self.shared.cluster.pods.iter().enumerate() {
				for c in pod.init.iter().chain(&pod.containers) {
					let tail = self.shared.tail(k, &c.name, 12);
					if !tail.is_empty() {
						eprintln!("---- hosts: {} {} (last lines)\n{tail}", pod.name, c.name);
					}
				}
			}
		}
		if let Some(keep) = std::env::var_os("PLEXUS_HOSTS_KEEP_LOGS") {
			let keep = PathBuf::from(keep);
			let _ = std::fs::create_dir_all(&keep);
			for entry in
				std::fs::read_dir(self.shared.dir.join("logs")).into_iter().flatten().flatten()
			{
				let _ = std::fs::copy(entry.path(), keep.join(entry.file_name()));
			}
		}
		for ns in &self.created {
			if !kill_netns(ns, Duration::from_secs(10)) {
				eprintln!("hosts: processes of {ns} survive SIGKILL");
			}
			if let Err(e) = run("ip", &["netns", "del", ns]) {
				eprintln!("hosts: {e}");
			}
			let _ = std::fs::remove_dir_all(Path::new("/etc/netns").join(ns));
		}
		self.dns = None;
		if let Some(bridge) = &self.bridge {
			if let Err(e) = run("ip", &["link", "del", bridge]) {
				eprintln!("hosts: {e}");
			}
		}
		let _ = std::fs::remove_dir_all(&self.shared.dir);
	}
}
