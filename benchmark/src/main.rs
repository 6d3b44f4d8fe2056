//! `plexus-benchmark`: frame-benchmarking's commands (`pallet`, `storage`, `overhead`, `block`,
//! `extrinsic`, `machine`) wired to the Plexus node's client and runtime. `pallet` and `storage`
//! need the `runtime-benchmarks` feature; `scripts/weights.sh` builds it in release and runs
//! every benchmark the runtime's weights come from.
//!
//! It is not a subcommand of `plexus-node`, so that the node both README commands build carries
//! neither frame-benchmarking-cli nor its second wasm runtime (docs/benchmarks.md, "Build").

// sc-cli errors are large by design.
#![allow(clippy::result_large_err)]

mod extrinsics;

use clap::Parser;
use extrinsics::{inherent_benchmark_data, SignedCallBuilder};
use frame_benchmarking_cli::{BenchmarkCmd, ExtrinsicFactory, SUBSTRATE_REFERENCE_HARDWARE};
use plexus_node::{cli::Cli as NodeCli, database, service};
use plexus_runtime::opaque::Block;
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;
use sp_runtime::traits::HashingFor;

const NEEDS_FEATURE: &str = "this benchmark needs plexus-benchmark built with \
	`--features runtime-benchmarks` (scripts/weights.sh builds one and runs every benchmark)";

#[derive(Debug, clap::Parser)]
#[command(name = "plexus-benchmark", version, about)]
struct Cli {
	#[command(subcommand)]
	benchmark: BenchmarkCmd,
}

/// Commands that build blocks on a chain database use ParityDb, as every Plexus node does;
/// `storage` measures whichever database it is given.
fn use_paritydb(benchmark: &mut BenchmarkCmd) -> sc_cli::Result<()> {
	match benchmark {
		BenchmarkCmd::Block(cmd) => {
			database::require_paritydb(&mut cmd.import_params.database_params)
		},
		BenchmarkCmd::Overhead(cmd) => {
			database::require_paritydb(&mut cmd.import_params.database_params)
		},
		BenchmarkCmd::Extrinsic(cmd) => {
			database::require_paritydb(&mut cmd.import_params.database_params)
		},
		_ => Ok(()),
	}
}

fn run(mut benchmark: BenchmarkCmd) -> sc_cli::Result<()> {
	let needs_feature = matches!(benchmark, BenchmarkCmd::Pallet(_) | BenchmarkCmd::Storage(_));
	if needs_feature && !cfg!(feature = "runtime-benchmarks") {
		return Err(NEEDS_FEATURE.into());
	}
	use_paritydb(&mut benchmark)?;
	// The node's command line knows the chain specs (`--chain dev`, files) and the node's name.
	let node = NodeCli::try_parse_from(["plexus-node"]).map_err(|e| e.to_string())?;
	let runner = node.create_runner(&benchmark)?;
	runner.sync_run(|config| match &benchmark {
		BenchmarkCmd::Pallet(cmd) => {
			cmd.run_with_spec::<HashingFor<Block>, service::HostFunctions>(Some(config.chain_spec))
		},
		BenchmarkCmd::Block(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			cmd.run(client)
		},
		#[cfg(not(feature = "runtime-benchmarks"))]
		BenchmarkCmd::Storage(_) => unreachable!("refused above"),
		#[cfg(feature = "runtime-benchmarks")]
		BenchmarkCmd::Storage(cmd) => {
			let PartialComponents { client, backend, .. } = service::new_partial(&config)?;
			let db = backend.expose_db();
			let storage = backend.expose_storage();
			let shared_trie_cache = backend.expose_shared_trie_cache();
			cmd.run(config, client, db, storage, shared_trie_cache)
		},
		BenchmarkCmd::Overhead(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			let remark = SignedCallBuilder::remark(client.clone());
			cmd.run(
				config.chain_spec.name().into(),
				client,
				inherent_benchmark_data()?,
				Vec::new(),
				&remark,
				false,
			)
		},
		BenchmarkCmd::Extrinsic(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			let factory = ExtrinsicFactory(vec![
				Box::new(SignedCallBuilder::remark(client.clone())),
				Box::new(SignedCallBuilder::transfer_keep_alive(client.clone())),
			]);
			cmd.run(client, inherent_benchmark_data()?, Vec::new(), &factory)
		},
		BenchmarkCmd::Machine(cmd) => cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()),
	})
}

fn main() {
	let cli = Cli::parse();
	if let Err(error) = run(cli.benchmark) {
		eprintln!("Error: {error}");
		std::process::exit(1);
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sc_cli::Database;

	fn database_of(args: &[&str]) -> sc_cli::Result<Option<Database>> {
		let mut cli = Cli::try_parse_from(args).expect("the arguments parse");
		use_paritydb(&mut cli.benchmark)?;
		Ok(match &cli.benchmark {
			BenchmarkCmd::Block(cmd) => cmd.import_params.database_params.database,
			BenchmarkCmd::Storage(cmd) => cmd.database_params.database,
			_ => unreachable!("the tests below use these commands"),
		})
	}

	#[test]
	fn blocks_are_built_on_paritydb() {
		let block = ["plexus-benchmark", "block", "--dev", "--from", "1", "--to", "2"];
		assert_eq!(database_of(&block).unwrap(), Some(Database::ParityDb));
		let auto = [&block[..], &["--database", "auto"]].concat();
		let error = database_of(&auto).unwrap_err().to_string();
		assert!(error.contains("ParityDb") && error.contains("weights"), "{error}");
	}

	#[cfg(feature = "rocksdb")]
	#[test]
	fn storage_measures_the_database_it_is_given() {
		let args = [
			"plexus-benchmark",
			"storage",
			"--dev",
			"--state-version",
			"1",
			"--database",
			"rocksdb",
		];
		assert_eq!(database_of(&args).unwrap(), Some(Database::RocksDb));
	}

	#[cfg(not(feature = "runtime-benchmarks"))]
	#[test]
	fn pallet_and_storage_without_the_feature_say_how_to_build_it() {
		for args in [
			&["plexus-benchmark", "pallet", "--list", "--chain", "dev"][..],
			&["plexus-benchmark", "storage", "--dev", "--state-version", "1"][..],
		] {
			let cli = Cli::try_parse_from(args).expect("the arguments parse");
			let error = run(cli.benchmark).unwrap_err().to_string();
			assert!(error.contains("--features runtime-benchmarks"), "{error}");
		}
	}
}
