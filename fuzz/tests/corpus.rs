//! The committed corpus as ordinary tests: every file under `fuzz/corpus/<target>/` runs through
//! its target, on stable, in CI. A file that breaks an invariant fails its target's test, which
//! names the file. `scripts/fuzz.sh` adds what a fuzzing run finds to these directories.

use std::{
	panic::{catch_unwind, AssertUnwindSafe},
	path::{Path, PathBuf},
};

fn corpus_dir(target: &str) -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target)
}

/// Runs every input of `target`'s corpus; fails naming the inputs that panicked.
fn run(target: &str) {
	let (_, fuzz) = plexus_fuzz::TARGETS
		.iter()
		.find(|(name, _)| *name == target)
		.expect("a target of plexus-fuzz");
	let mut inputs: Vec<PathBuf> = std::fs::read_dir(corpus_dir(target))
		.unwrap_or_else(|e| panic!("fuzz/corpus/{target}: {e}"))
		.map(|entry| entry.expect("a readable corpus directory").path())
		.filter(|path| path.is_file())
		.collect();
	inputs.sort();
	assert!(!inputs.is_empty(), "fuzz/corpus/{target} has no inputs");
	let failed: Vec<String> = inputs
		.iter()
		.filter(|path| {
			let data = std::fs::read(path).expect("a readable corpus file");
			catch_unwind(AssertUnwindSafe(|| fuzz(&data))).is_err()
		})
		.map(|path| path.display().to_string())
		.collect();
	assert!(
		failed.is_empty(),
		"{target}: {} of {} inputs fail: {failed:#?}",
		failed.len(),
		inputs.len()
	);
}

#[test]
fn every_target_has_a_corpus_and_a_cargo_fuzz_binary() {
	let names: Vec<&str> = plexus_fuzz::TARGETS.iter().map(|(name, _)| *name).collect();
	for name in &names {
		assert!(corpus_dir(name).is_dir(), "fuzz/corpus/{name} is missing");
	}
	for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).unwrap() {
		let name = entry.unwrap().file_name().into_string().unwrap();
		assert!(names.contains(&name.as_str()), "fuzz/corpus/{name} belongs to no target");
	}
	// The cargo-fuzz package has a binary per target, and no other.
	let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("cargo-fuzz/fuzz_targets");
	let mut binaries: Vec<String> = std::fs::read_dir(targets)
		.unwrap()
		.map(|entry| entry.unwrap().file_name().into_string().unwrap())
		.collect();
	binaries.sort();
	let mut expected: Vec<String> = names.iter().map(|name| format!("{name}.rs")).collect();
	expected.sort();
	assert_eq!(binaries, expected, "fuzz/cargo-fuzz/fuzz_targets");
}

#[test]
fn router_receive() {
	run("router_receive");
}

#[test]
fn payload_decoders() {
	run("payload_decoders");
}

#[test]
fn timeout_proof() {
	run("timeout_proof");
}

#[test]
fn topology_parse() {
	run("topology_parse");
}

#[test]
fn vault_rows() {
	run("vault_rows");
}

#[test]
fn relay_answers() {
	run("relay_answers");
}
