// Plexus's build script for the crates.io `pallet-revive-eth-rpc` (scripts/eth-rpc.sh puts it in
// place of the published one, see eth-rpc/README.md). The published script generates the
// metadata from revive's development runtime, a second wasm runtime to compile, and reads a git
// revision with libgit2; this one takes the metadata of the Plexus runtime, which
// `plexus-node metadata` writes, so eth-rpc's typed calls are ours.

use std::{env, fs, path::PathBuf, process::Command};

fn main() {
	let metadata = PathBuf::from(
		env::var("PLEXUS_ETH_RPC_METADATA")
			.expect("PLEXUS_ETH_RPC_METADATA names the runtime metadata (scripts/eth-rpc.sh sets it)"),
	);
	println!("cargo:rerun-if-env-changed=PLEXUS_ETH_RPC_METADATA");
	println!("cargo:rerun-if-changed={}", metadata.display());
	let bytes = fs::read(&metadata)
		.unwrap_or_else(|e| panic!("cannot read the metadata {}: {e}", metadata.display()));
	assert!(bytes.starts_with(b"meta"), "{} is not SCALE runtime metadata", metadata.display());
	let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
	fs::write(out.join("revive_chain.scale"), &bytes).expect("OUT_DIR is writable");

	// What `web3_clientVersion` reports: eth-rpc's version, the metadata it was built for, rustc.
	let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
	let rustc_version = Command::new(rustc)
		.arg("--version")
		.output()
		.ok()
		.map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().take(2).collect::<String>())
		.unwrap_or_else(|| "rustc-unknown".into());
	let digest = bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
		(h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
	});
	println!("cargo:rustc-env=RUSTC_VERSION={rustc_version}");
	println!("cargo:rustc-env=TARGET={}", env::var("TARGET").unwrap_or_default());
	println!("cargo:rustc-env=GIT_REVISION=plexus-metadata-{digest:016x}");
}
