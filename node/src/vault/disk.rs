//! The vault's files: private directories, durable creation, and key files that are written
//! once and destroyed by overwriting.
//!
//! Every directory is 0700 and every file 0600, also when a looser umask is set, and the modes
//! of an existing vault are tightened when it opens: other local users must not be able to read
//! a key (the whole of crypto-shredding rests on that). A new entry is durable only once its
//! directory is synced too, so each creation syncs the file and then its parent.

use std::{
	fs,
	io::{self, Write},
	os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt},
	path::Path,
};

pub const DIR_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents below `root` with mode 0700, syncing each parent that
/// gained an entry.
pub fn private_dir(dir: &Path) -> io::Result<()> {
	if dir.is_dir() {
		return restrict(dir, DIR_MODE);
	}
	if let Some(parent) = dir.parent() {
		if !parent.as_os_str().is_empty() && !parent.exists() {
			private_dir(parent)?;
		}
	}
	match fs::DirBuilder::new().mode(DIR_MODE).create(dir) {
		Ok(()) => {},
		Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {},
		Err(e) => return Err(e),
	}
	restrict(dir, DIR_MODE)?;
	sync_parent(dir)
}

/// Sets `path`'s permission bits to `mode` if they allow more.
pub fn restrict(path: &Path, mode: u32) -> io::Result<()> {
	let current = fs::metadata(path)?.permissions().mode() & 0o777;
	if current & !mode != 0 {
		fs::set_permissions(path, fs::Permissions::from_mode(current & mode))?;
	}
	Ok(())
}

/// Tightens every directory under `dir` to 0700 and every file to 0600.
pub fn restrict_tree(dir: &Path) -> io::Result<()> {
	restrict(dir, DIR_MODE)?;
	for entry in fs::read_dir(dir)? {
		let entry = entry?;
		let kind = entry.file_type()?;
		if kind.is_dir() {
			restrict_tree(&entry.path())?;
		} else if kind.is_file() {
			restrict(&entry.path(), FILE_MODE)?;
		}
	}
	Ok(())
}

/// Syncs the directory that holds `path`, so that a new or removed entry survives a crash.
pub fn sync_parent(path: &Path) -> io::Result<()> {
	match path.parent() {
		Some(parent) if !parent.as_os_str().is_empty() => fs::File::open(parent)?.sync_all(),
		_ => Ok(()),
	}
}

/// Writes a new file (mode 0600) that must not exist yet, durably.
pub fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
	let mut file =
		fs::OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(path)?;
	file.write_all(bytes)?;
	file.sync_all()?;
	drop(file);
	sync_parent(path)
}

/// Overwrites `path` with zeros in place, syncs, unlinks it and syncs its directory; then
/// removes the directory if that left it empty. Where the file system overwrites in place the
/// old bytes leave its blocks too; on copy-on-write file systems they may not (docs/security.md).
pub fn destroy(path: &Path) -> io::Result<()> {
	let len = fs::metadata(path)?.len() as usize;
	let mut file = fs::OpenOptions::new().write(true).open(path)?;
	file.write_all(&vec![0u8; len])?;
	file.sync_all()?;
	drop(file);
	fs::remove_file(path)?;
	sync_parent(path)?;
	if let Some(dir) = path.parent() {
		// A subject's directory goes with its last key: its name is the subject's account.
		if fs::remove_dir(dir).is_ok() {
			sync_parent(dir)?;
		}
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn mode(path: &Path) -> u32 {
		fs::metadata(path).unwrap().permissions().mode() & 0o777
	}

	#[test]
	fn directories_and_files_are_private_whatever_the_umask() {
		let root = std::env::temp_dir().join(format!("plexus-disk-{}", std::process::id()));
		let _ = fs::remove_dir_all(&root);
		// SAFETY: umask only changes this process's default for new files.
		let old = unsafe { libc::umask(0o000) };
		let dir = root.join("a/b");
		private_dir(&dir).unwrap();
		let file = dir.join("k");
		create_new(&file, b"secret").unwrap();
		unsafe { libc::umask(old) };
		assert_eq!(mode(&root.join("a")), DIR_MODE);
		assert_eq!(mode(&dir), DIR_MODE);
		assert_eq!(mode(&file), FILE_MODE);
		assert!(create_new(&file, b"again").is_err(), "a key file is written once");

		fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
		fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
		restrict_tree(&root).unwrap();
		assert_eq!((mode(&dir), mode(&file)), (DIR_MODE, FILE_MODE));

		destroy(&file).unwrap();
		assert!(!file.exists());
		assert!(!dir.exists(), "the emptied directory goes too");
		fs::remove_dir_all(&root).unwrap();
	}
}
