//! A second runtime for upgrade tests: this runtime with its `spec-version-next` feature (one
//! `spec_version` later, the same transaction format), built to wasm the way the node's build
//! makes its own. It is built in the wasm target directory of the node's build, so that only the
//! runtime crate is compiled again (a few minutes), and compressed as the node's is, so that it
//! fits in a block.

use std::{
	fs,
	path::{Path, PathBuf},
	process::Command,
};

/// What substrate-wasm-builder gives rustc for the node's runtime (its wasm32v1-none target,
/// `export_heap_base` and `import_memory`): the same flags, so the dependencies built for the
/// node's runtime are used as they are.
const RUSTFLAGS: &str = "-C link-arg=--export-table -C link-arg=--export=__heap_base \
                         -C link-arg=--import-memory --cfg substrate_runtime";

/// The wasm-builder project of the node's runtime, beside the node binary.
fn node_runtime_project() -> Result<PathBuf, String> {
	let node = crate::deployment::node_binary();
	let project = node
		.parent()
		.map(|dir| dir.join("wbuild").join("plexus-runtime"))
		.filter(|p| p.join("Cargo.toml").is_file())
		.ok_or_else(|| {
			format!(
				"no wasm build of the runtime beside {}; build plexus-node first",
				node.display()
			)
		})?;
	Ok(project)
}

/// The project of the next runtime: the node's runtime project with the feature turned on and
/// another library name, so that its output does not replace the node's runtime.
fn next_project(of: &Path) -> Result<PathBuf, String> {
	let err = |e: std::io::Error| format!("cannot make the next runtime's project: {e}");
	let dir = of.with_file_name("plexus-runtime-next");
	fs::create_dir_all(dir.join("src")).map_err(err)?;
	let manifest = fs::read_to_string(of.join("Cargo.toml")).map_err(err)?;
	let manifest = manifest
		.replacen("features = []", "features = [\"spec-version-next\"]", 1)
		.replacen("name = \"plexus_runtime\"", "name = \"plexus_runtime_next\"", 1)
		.replacen("name = \"plexus-runtime-blob\"", "name = \"plexus-runtime-next-blob\"", 1);
	if !manifest.contains("spec-version-next") || !manifest.contains("plexus_runtime_next") {
		return Err(format!("{} is not shaped as expected", of.join("Cargo.toml").display()));
	}
	fs::write(dir.join("Cargo.toml"), manifest).map_err(err)?;
	fs::copy(of.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(err)?;
	fs::copy(of.join("src").join("lib.rs"), dir.join("src").join("lib.rs")).map_err(err)?;
	Ok(dir)
}

/// The next runtime's wasm, compressed: what `System::set_code` takes.
pub fn next_runtime() -> Result<Vec<u8>, String> {
	let of = node_runtime_project()?;
	let project = next_project(&of)?;
	let target = of.join("target");
	let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
	let status = Command::new(cargo)
		.current_dir(env!("CARGO_MANIFEST_DIR"))
		.args(["rustc", "--target=wasm32v1-none", "--profile", "release"])
		.arg(format!("--manifest-path={}", project.join("Cargo.toml").display()))
		.env("RUSTFLAGS", RUSTFLAGS)
		.env("CARGO_TARGET_DIR", &target)
		.env_remove("CARGO_ENCODED_RUSTFLAGS")
		.env_remove("RUSTC")
		.env("SKIP_WASM_BUILD", "")
		.status()
		.map_err(|e| format!("cannot run cargo: {e}"))?;
	if !status.success() {
		return Err(format!("building the next runtime failed ({status})"));
	}
	let wasm = target.join("wasm32v1-none").join("release").join("plexus_runtime_next.wasm");
	let blob = fs::read(&wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
	sp_maybe_compressed_blob::compress_strongly(
		&blob,
		sp_maybe_compressed_blob::CODE_BLOB_BOMB_LIMIT,
	)
	.ok_or_else(|| format!("{} does not compress below the bomb limit", wasm.display()))
}
