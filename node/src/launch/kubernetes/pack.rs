//! A raw chain spec (15 MB with the runtime's wasm) does not fit a ConfigMap (1 MiB): it travels
//! zstd-compressed, cut into parts of at most [`PART_BYTES`], and `plexus-node unpack-chain-spec`
//! puts it together in an init container, checking its sha256. The genesis stays the data that
//! was generated; no pod rebuilds it from its image's runtime.

use std::{
	fs,
	path::{Path, PathBuf},
};

/// Where a pod mounts the parts, the part count (`parts`) and the digest (`sha256`).
pub const PARTS_DIR: &str = "/var/lib/plexus/chain-spec-parts";
/// Below the 1 MiB limit of a ConfigMap, with room for its metadata.
pub const PART_BYTES: usize = 1_000_000;
/// A spec is never near this; it bounds what decompression may produce.
const MAX_SPEC_BYTES: usize = 256 << 20;

pub fn sha256_hex(bytes: &[u8]) -> String {
	hex::encode(sp_io::hashing::sha2_256(bytes))
}

/// The compressed spec in parts, in order.
pub fn pack(raw: &[u8]) -> Vec<Vec<u8>> {
	let compressed = sp_maybe_compressed_blob::compress_weakly(raw, MAX_SPEC_BYTES)
		.expect("a chain spec is far below the bound; qed");
	compressed.chunks(PART_BYTES).map(<[u8]>::to_vec).collect()
}

/// The spec from the parts in `dir`, checked against the digest beside them.
pub fn unpack(dir: &Path) -> Result<Vec<u8>, String> {
	let read = |name: &str| {
		let path = dir.join(name);
		fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
	};
	let text = |name: &str| -> Result<String, String> {
		Ok(String::from_utf8_lossy(&read(name)?).trim().to_string())
	};
	let count: usize = text("parts")?
		.parse()
		.map_err(|e| format!("{}: not a part count: {e}", dir.join("parts").display()))?;
	if count == 0 || count > MAX_SPEC_BYTES / PART_BYTES {
		return Err(format!("{}: {count} parts is not a chain spec", dir.display()));
	}
	let parts = (1..=count).map(|k| read(&format!("part-{k}"))).collect::<Result<Vec<_>, _>>()?;
	assemble(&parts, &text("sha256")?).map_err(|e| format!("{}: {e}", dir.display()))
}

/// The spec from its parts, if its digest is `sha256`.
pub fn assemble(parts: &[Vec<u8>], sha256: &str) -> Result<Vec<u8>, String> {
	let raw = sp_maybe_compressed_blob::decompress(&parts.concat(), MAX_SPEC_BYTES)
		.map_err(|e| format!("the chain spec parts do not decompress: {e}"))?
		.into_owned();
	let found = sha256_hex(&raw);
	if sha256 != found {
		return Err(format!(
			"the chain spec assembled from its parts has sha256 {found}, not {sha256}: a part \
			 is missing, stale or damaged"
		));
	}
	Ok(raw)
}

#[derive(Debug, clap::Parser)]
pub struct UnpackChainSpecCmd {
	/// The directory holding `part-1` … `part-N`, `parts` (N) and `sha256`.
	#[arg(long, value_name = "DIR")]
	pub parts: PathBuf,

	/// Where to write the raw chain spec.
	#[arg(long, value_name = "FILE")]
	pub out: PathBuf,
}

impl UnpackChainSpecCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		let raw = unpack(&self.parts)?;
		// A restarted pod finds the spec there already.
		if fs::read(&self.out).is_ok_and(|old| old == raw) {
			eprintln!("plexus: {} is up to date", self.out.display());
			return Ok(());
		}
		crate::files::replace(&self.out, &raw)?;
		eprintln!(
			"plexus: wrote {} ({} bytes, sha256 {})",
			self.out.display(),
			raw.len(),
			sha256_hex(&raw)
		);
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn write_parts(dir: &Path, raw: &[u8]) -> usize {
		let parts = pack(raw);
		fs::create_dir_all(dir).unwrap();
		for (k, part) in parts.iter().enumerate() {
			fs::write(dir.join(format!("part-{}", k + 1)), part).unwrap();
		}
		fs::write(dir.join("parts"), parts.len().to_string()).unwrap();
		fs::write(dir.join("sha256"), sha256_hex(raw)).unwrap();
		parts.len()
	}

	#[test]
	fn a_spec_comes_back_whole_or_not_at_all() {
		let dir = std::env::temp_dir().join(format!("plexus-pack-{}", std::process::id()));
		let _ = fs::remove_dir_all(&dir);
		// Incompressible bytes, so that the spec needs several parts.
		let mut state = 0x2545_f491_4f6c_dd1d_u64;
		let raw: Vec<u8> = (0..2_500_000)
			.map(|_| {
				state ^= state << 13;
				state ^= state >> 7;
				state ^= state << 17;
				state as u8
			})
			.collect();
		let count = write_parts(&dir, &raw);
		assert!(count >= 3, "{count}");
		assert!(pack(&raw).iter().all(|p| p.len() <= PART_BYTES));
		assert_eq!(unpack(&dir).unwrap(), raw);

		// Through the command, twice: the second run finds the file up to date.
		let out = dir.join("chain-spec.json");
		let cmd = UnpackChainSpecCmd { parts: dir.clone(), out: out.clone() };
		cmd.run().unwrap();
		cmd.run().unwrap();
		assert_eq!(fs::read(&out).unwrap(), raw);

		// A stale digest, a missing part, two parts swapped: refused, nothing written.
		fs::remove_file(&out).unwrap();
		fs::write(dir.join("sha256"), sha256_hex(b"another spec")).unwrap();
		let e = unpack(&dir).unwrap_err();
		assert!(e.contains("a part is missing, stale or damaged"), "{e}");
		fs::write(dir.join("sha256"), sha256_hex(&raw)).unwrap();
		let (one, two) =
			(fs::read(dir.join("part-1")).unwrap(), fs::read(dir.join("part-2")).unwrap());
		fs::write(dir.join("part-1"), &two).unwrap();
		fs::write(dir.join("part-2"), &one).unwrap();
		assert!(unpack(&dir).is_err());
		fs::remove_file(dir.join("part-2")).unwrap();
		let e = cmd.run().unwrap_err().to_string();
		assert!(e.contains("part-2"), "{e}");
		assert!(!out.exists());
		fs::remove_dir_all(dir).unwrap();
	}
}
