//! Dispatches the command line to the node service, the standard substrate commands, `launch`,
//! `relay` and `load`.

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};
use plexus_runtime::opaque::Block;
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"Plexus Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"the Plexus issue tracker".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		Ok(match id {
			"dev" => Box::new(chain_spec::development_chain_spec()?),
			"" | "local" => Box::new(chain_spec::local_chain_spec()?),
			path => {
				Box::new(chain_spec::ChainSpec::from_json_file(std::path::PathBuf::from(path))?)
			},
		})
	}
}

/// What `plexus-node benchmark` answers since the benchmarks left the node.
const BENCHMARK_MOVED: &str = "the benchmarks are in their own binary, so that the node does not \
	carry them: `cargo build --release -p plexus-benchmark --features runtime-benchmarks`, then \
	`plexus-benchmark <pallet|storage|overhead|block|extrinsic|machine> ...` \
	(scripts/weights.sh builds it and runs every benchmark the weights come from)";

pub fn run() -> sc_cli::Result<()> {
	let mut cli = Cli::from_args();
	let pool_type_given = crate::pool::pool_type_given(std::env::args_os());
	crate::pool::configure(&mut cli.run.pool_config, pool_type_given);
	dispatch(cli)
}

/// Runs the command `cli` names.
pub fn dispatch(mut cli: Cli) -> sc_cli::Result<()> {
	crate::database::use_paritydb(&mut cli)?;

	match &cli.subcommand {
		Some(Subcommand::Launch(cmd)) => cmd.run(),
		Some(Subcommand::Load(cmd)) => cmd.run(),
		Some(Subcommand::Producer(cmd)) => cmd.run(),
		Some(Subcommand::Upgrade(cmd)) => cmd.run(),
		Some(Subcommand::Relay(cmd)) => cmd.run(),
		Some(Subcommand::Kubernetes(cmd)) => cmd.run(),
		Some(Subcommand::BridgeInit(cmd)) => cmd.run(),
		Some(Subcommand::UnpackChainSpec(cmd)) => cmd.run(),
		Some(Subcommand::Metadata(cmd)) => cmd.run(),
		Some(Subcommand::Benchmark { .. }) => Err(BENCHMARK_MOVED.into()),
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		#[allow(deprecated)]
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		},
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let chain_spec = cli.load_spec(&cmd.chain)?;
			cmd.run(chain_spec)
		},
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config)?;
				let aux_revert = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		},
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		},
		None => {
			let runner = cli.create_runner(&cli.run)?;
			runner.run_node_until_exit(|config| async move {
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
						sc_network::NetworkWorker<
							Block,
							<Block as sp_runtime::traits::Block>::Hash,
						>,
					>(config)
					.map_err(sc_cli::Error::Service),
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(config)
							.map_err(sc_cli::Error::Service)
					},
				}
			})
		},
	}
}
