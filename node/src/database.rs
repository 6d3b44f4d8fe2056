//! The chain's database: ParityDb, always.
//!
//! The runtime charges every storage read and write at `DbWeight`, one constant that every node of
//! a network must honour, and that constant is measured on ParityDb (`runtime/src/weights/`,
//! docs/benchmarks.md: on this kind of machine ParityDb's measured costs are below RocksDB's).
//! A node on RocksDB would take longer than the weights allow, so a Plexus node keeps its chain
//! in ParityDb: it is the default of every command that opens the chain, and asking for another
//! database is an error. The default build does not even contain RocksDB (`--database rocksdb`
//! is not a value it knows); built with the `rocksdb` feature, only `plexus-benchmark storage`
//! may open it, to measure it (scripts/weights.sh).

use crate::cli::{Cli, Subcommand};
use sc_cli::{Database, DatabaseParams};
use sc_service::config::DatabaseSource;

/// Makes ParityDb the database of the command in `cli`, or says why it cannot be.
pub fn use_paritydb(cli: &mut Cli) -> sc_cli::Result<()> {
	let params = match &mut cli.subcommand {
		None => &mut cli.run.import_params.database_params,
		Some(Subcommand::CheckBlock(cmd)) => &mut cmd.import_params.database_params,
		Some(Subcommand::ImportBlocks(cmd)) => &mut cmd.import_params.database_params,
		Some(Subcommand::ExportBlocks(cmd)) => &mut cmd.database_params,
		Some(Subcommand::ExportState(cmd)) => &mut cmd.database_params,
		Some(Subcommand::PurgeChain(cmd)) => &mut cmd.database_params,
		Some(Subcommand::Revert(cmd)) => &mut cmd.database_params,
		Some(Subcommand::ChainInfo(cmd)) => &mut cmd.database_params,
		// The rest open no chain database of their own (launch starts nodes that come here).
		Some(_) => return Ok(()),
	};
	require_paritydb(params)
}

/// Makes ParityDb the database in `params`, or refuses another one with the reason
/// (plexus-benchmark applies it to its commands that build blocks).
pub fn require_paritydb(params: &mut DatabaseParams) -> sc_cli::Result<()> {
	match params.database {
		None | Some(Database::ParityDb) | Some(Database::ParityDbDeprecated) => {
			params.database = Some(Database::ParityDb);
			Ok(())
		},
		Some(other) => Err(sc_cli::Error::Input(format!(
			"--database {}: a Plexus node keeps its chain in ParityDb (--database paritydb, the \
			 default), the database the runtime's storage weights are measured on; \
			 docs/benchmarks.md says why",
			format!("{other:?}").to_lowercase()
		))),
	}
}

/// A node whose chain an earlier Plexus kept in RocksDB (`<chain>/db/full`) would otherwise start
/// a new, empty chain in ParityDb beside it, and the history it held would be silently left
/// behind. It stops instead and says what to do.
pub fn refuse_an_earlier_rocksdb_chain(source: &DatabaseSource) -> Result<(), String> {
	let DatabaseSource::ParityDb { path } = source else { return Ok(()) };
	let Some(chain_dir) = path.parent().and_then(|p| p.parent()) else { return Ok(()) };
	let rocksdb = chain_dir.join("db").join("full");
	if rocksdb.exists() && !path.exists() {
		return Err(format!(
			"this node's chain is in RocksDB at {}, written by an earlier Plexus; Plexus nodes now \
			 keep it in ParityDb (docs/benchmarks.md says why). To resync it from its peers into \
			 ParityDb, remove that directory; or launch the deployment again in a new base path",
			rocksdb.display()
		));
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::Parser;

	fn database_of(args: &[&str]) -> sc_cli::Result<Option<Database>> {
		let mut cli = Cli::try_parse_from(args).expect("the arguments parse");
		use_paritydb(&mut cli)?;
		Ok(match &cli.subcommand {
			None => cli.run.import_params.database_params.database,
			Some(Subcommand::PurgeChain(cmd)) => cmd.database_params.database,
			_ => unreachable!("the tests below use these commands"),
		})
	}

	#[test]
	fn a_node_and_the_commands_on_its_chain_default_to_paritydb() {
		assert_eq!(database_of(&["plexus-node", "--dev"]).unwrap(), Some(Database::ParityDb));
		assert_eq!(
			database_of(&["plexus-node", "purge-chain", "--dev", "-y"]).unwrap(),
			Some(Database::ParityDb)
		);
	}

	#[test]
	fn another_database_is_refused_with_the_reason() {
		let mut refused = vec![&["plexus-node", "--dev", "--database", "auto"][..]];
		if cfg!(feature = "rocksdb") {
			refused.push(&["plexus-node", "--dev", "--database", "rocksdb"][..]);
			refused.push(&["plexus-node", "purge-chain", "--dev", "--database", "rocksdb"][..]);
		}
		for args in refused {
			let error = database_of(args).unwrap_err().to_string();
			assert!(error.contains("ParityDb") && error.contains("weights"), "{error}");
		}
	}

	#[cfg(not(feature = "rocksdb"))]
	#[test]
	fn the_default_build_does_not_know_rocksdb() {
		let error = Cli::try_parse_from(["plexus-node", "--dev", "--database", "rocksdb"])
			.map(|_| ())
			.expect_err("refused while parsing")
			.to_string();
		assert!(error.contains("'rocksdb'") && error.contains("paritydb"), "{error}");
	}

	#[test]
	fn a_chain_left_in_rocksdb_is_not_replaced_by_an_empty_one() {
		let base = std::env::temp_dir().join(format!("plexus-db-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&base);
		let chain = base.join("chains").join("plexus_alpha");
		let source = DatabaseSource::ParityDb { path: chain.join("paritydb").join("full") };
		assert!(refuse_an_earlier_rocksdb_chain(&source).is_ok(), "a new node");
		std::fs::create_dir_all(chain.join("db").join("full")).unwrap();
		let error = refuse_an_earlier_rocksdb_chain(&source).unwrap_err();
		assert!(error.contains("db/full") && error.contains("remove that directory"), "{error}");
		std::fs::create_dir_all(chain.join("paritydb").join("full")).unwrap();
		assert!(refuse_an_earlier_rocksdb_chain(&source).is_ok(), "already moved to ParityDb");
		std::fs::remove_dir_all(&base).unwrap();
	}
}
