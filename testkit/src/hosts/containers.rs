//! A pod's containers on its host: the pod's directory with its volumes (its
//! `/var/lib/plexus`), and each container a process in the pod's namespace, under its own mount
//! namespace, user and capabilities.

use super::{
	manifests::{Cluster, Container, Content},
	network::netns_name,
	IMAGE_USER,
};
use std::{
	io::Write,
	os::unix::{
		fs::{chown, PermissionsExt},
		process::CommandExt,
	},
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
};

/// containerd's default `PATH`; the image (`FROM scratch`) sets none.
const CONTAINER_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The shell that becomes a container inside its namespace: `$1` the pod's directory, `$2` `ro`
/// for a read-only root, `$3` the host name, `$4` the working directory, then `setpriv`'s
/// arguments.
const CONTAINER_SHELL: &str = r#"set -e
mount -t tmpfs plexus /var/lib
mkdir /var/lib/plexus
mount --bind "$1" /var/lib/plexus
if [ "$2" = ro ]; then mount --bind /tmp /tmp; mount -o remount,bind,ro /; fi
hostname "$3"
cd "$4"
shift 4
exec setpriv "$@""#;

/// What [`super::Hosts`] shares with its supervisor: the run, its directory, the binary and the
/// cluster.
pub(super) struct Shared {
	pub(super) pid: u32,
	pub(super) dir: PathBuf,
	pub(super) binary: PathBuf,
	pub(super) cluster: Cluster,
}

impl Shared {
	pub(super) fn netns(&self, k: usize) -> String {
		netns_name(self.pid, &self.cluster.pods[k].name)
	}

	pub(super) fn pod_dir(&self, k: usize) -> PathBuf {
		self.dir.join("pods").join(&self.cluster.pods[k].name)
	}

	fn log(&self, k: usize, container: &str) -> PathBuf {
		self.dir.join("logs").join(format!("{}.{container}.log", self.cluster.pods[k].name))
	}

	pub(super) fn tail(&self, k: usize, container: &str, lines: usize) -> String {
		let text = std::fs::read_to_string(self.log(k, container)).unwrap_or_default();
		let all: Vec<&str> = text.lines().collect();
		all[all.len().saturating_sub(lines)..].join("\n")
	}

	pub(super) fn spawn(&self, k: usize, c: &Container) -> Result<Child, String> {
		let pod = &self.cluster.pods[k];
		let mut log = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(self.log(k, &c.name))
			.map_err(|e| e.to_string())?;
		let mut groups = vec![c.group];
		groups.extend(pod.fs_group.filter(|g| *g != c.group));
		let groups: Vec<String> = groups.iter().map(u32::to_string).collect();
		let _ = writeln!(
			log,
			"== hosts: {} {} as {}:{} {:?}",
			pod.name, c.name, c.user, c.group, c.args
		);
		let mut command = Command::new("ip");
		command
			.args([
				"netns",
				"exec",
				&self.netns(k),
				"unshare",
				"--mount",
				"--uts",
				"--propagation",
				"private",
			])
			.args(["--", "sh", "-c", CONTAINER_SHELL, "sh"])
			.arg(self.pod_dir(k))
			.arg(if c.read_only_root { "ro" } else { "rw" })
			.arg(&pod.name)
			.arg(&c.working_dir)
			.arg(format!("--reuid={}", c.user))
			.arg(format!("--regid={}", c.group))
			.arg(format!("--groups={}", groups.join(",")))
			.arg("--inh-caps=-all");
		if c.drop_all_capabilities {
			command.arg("--bounding-set=-all");
		}
		if c.no_new_privs {
			command.arg("--no-new-privs");
		}
		command
			.arg("--")
			.arg(&self.binary)
			.args(&c.args)
			.env_clear()
			.env("PATH", CONTAINER_PATH)
			.env("HOSTNAME", &pod.name)
			.envs(c.env.iter().map(|(k, v)| (k, v)))
			.stdin(Stdio::null())
			.stdout(log.try_clone().map_err(|e| e.to_string())?)
			.stderr(log)
			.process_group(0);
		command.spawn().map_err(|e| format!("{} {}: {e}", pod.name, c.name))
	}

	/// The pod's `/var/lib/plexus`: owned by the image's user, its volumes inside.
	pub(super) fn populate(&self, k: usize) -> Result<(), String> {
		let pod = &self.cluster.pods[k];
		let io = |what: &Path, e: std::io::Error| format!("{}: {e}", what.display());
		let mode = |path: &Path, mode: u32| {
			std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
				.map_err(|e| io(path, e))
		};
		let own = |path: &Path, uid: u32, gid: u32| {
			chown(path, Some(uid), Some(gid)).map_err(|e| io(path, e))
		};
		let root = self.pod_dir(k);
		std::fs::create_dir_all(&root).map_err(|e| io(&root, e))?;
		own(&root, IMAGE_USER, IMAGE_USER)?;
		mode(&root, 0o755)?;
		let gid = pod.fs_group.unwrap_or(0);
		for (rel, mount) in &pod.mounts {
			let path = root.join(rel);
			// Mount points the runtime makes: root's, 0755.
			let parent = path.parent().expect("below the pod's directory");
			std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
			std::fs::create_dir(&path).map_err(|e| io(&path, e))?;
			own(&path, 0, gid)?;
			match &mount.content {
				Content::Directory => {
					mode(&path, if pod.fs_group.is_some() { 0o2775 } else { 0o777 })?
				},
				Content::Files(files) => {
					mode(&path, 0o755)?;
					for file in files {
						let target = path.join(&file.path);
						let parent = target.parent().expect("inside the volume");
						std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
						std::fs::write(&target, &file.bytes).map_err(|e| io(&target, e))?;
						own(&target, 0, gid)?;
						mode(&target, file.mode)?;
					}
				},
			}
		}
		Ok(())
	}
}
