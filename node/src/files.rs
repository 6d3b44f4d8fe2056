//! Files that readers must see whole: written beside, then renamed into place.

use std::{fs, path::Path};

/// Replaces `path` with `bytes` in one rename, so that a reader sees the old file or the new one,
/// never a part; the error names `path`.
pub fn replace(path: &Path, bytes: &[u8]) -> Result<(), String> {
	let mut tmp = path.as_os_str().to_owned();
	tmp.push(".tmp");
	fs::write(&tmp, bytes)
		.and_then(|()| fs::rename(&tmp, path))
		.map_err(|e| format!("cannot write {}: {e}", path.display()))
}
