//! Command-line interface: the standard substrate node CLI plus `launch`, `relay` and `load`.

#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,
}

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Provision and run several Plexus networks on this host, as a topology file describes.
	Launch(crate::launch::LaunchCmd),

	/// Add a producer to a network that `launch` runs, or retire one.
	Producer(crate::launch::ProducerCmd),

	/// Upgrade the runtime of a network that `launch` runs (governance `set_code`).
	Upgrade(crate::launch::UpgradeCmd),

	/// Write Kubernetes manifests that deploy a topology on a cluster (docs/kubernetes.md).
	Kubernetes(crate::launch::KubernetesCmd),

	/// Initialise one bridge (light clients, router bindings, next hops); what a Kubernetes
	/// Job runs. Idempotent.
	BridgeInit(crate::launch::BridgeInitCmd),

	/// Put a chain spec together from the compressed parts `kubernetes` writes into ConfigMaps.
	UnpackChainSpec(crate::launch::UnpackChainSpecCmd),

	/// Relay one bridge between two networks, both ways.
	Relay(crate::relay::RelayCmd),

	/// Write the runtime's metadata (SCALE), for static-codegen clients such as subxt and eth-rpc.
	Metadata(crate::metadata::MetadataCmd),

	/// Load generators that print throughput figures (not frame weights: `plexus-benchmark`).
	#[command(subcommand, alias = "bench")]
	Load(crate::load::LoadCmd),

	/// Moved to the `plexus-benchmark` binary; kept, hidden, to say so.
	#[command(hide = true, disable_help_flag = true)]
	Benchmark {
		#[arg(trailing_var_arg = true, allow_hyphen_values = true)]
		args: Vec<String>,
	},

	/// Key management cli utilities
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification.
	/// DEPRECATED: `build-spec` command will be removed after 1/04/2026. Use `export-chain-spec`
	/// command instead.
	#[deprecated(
		note = "build-spec command will be removed after 1/04/2026. Use export-chain-spec command instead"
	)]
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Db meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// `args` as the node's own command line reads them (for tests of code that builds one).
#[cfg(test)]
pub fn parse(args: &[String]) -> Cli {
	use clap::{CommandFactory, FromArgMatches};
	let argv = std::iter::once("plexus-node").chain(args.iter().map(String::as_str));
	let matches = Cli::command().version("0.0.0").try_get_matches_from(argv).unwrap();
	Cli::from_arg_matches(&matches).unwrap()
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::{CommandFactory, FromArgMatches};

	/// The command as `SubstrateCli` builds it, which sets the version it propagates.
	fn command() -> clap::Command {
		Cli::command().version("0.0.0")
	}

	#[test]
	fn load_generators_answer_to_load_and_to_their_old_name() {
		for name in ["load", "bench"] {
			let matches = command()
				.try_get_matches_from(["plexus-node", name, "transfers", "--accounts", "3"])
				.unwrap_or_else(|e| panic!("{name}: {e}"));
			let cli = Cli::from_arg_matches(&matches).unwrap();
			assert!(matches!(cli.subcommand, Some(Subcommand::Load(_))), "{name}");
		}
		let help = command().render_help().to_string();
		assert!(help.contains("load"), "{help}");
		assert!(!help.contains("aliases"), "the old name stays hidden: {help}");
	}

	#[test]
	fn benchmark_points_to_its_own_binary() {
		let matches = command()
			.try_get_matches_from([
				"plexus-node",
				"benchmark",
				"pallet",
				"--list",
				"--chain",
				"dev",
			])
			.expect("any arguments are taken");
		let cli = Cli::from_arg_matches(&matches).unwrap();
		let error = crate::command::dispatch(cli).unwrap_err().to_string();
		assert!(error.contains("plexus-benchmark") && error.contains("weights.sh"), "{error}");
		let help = command().render_help().to_string();
		assert!(!help.lines().any(|line| line.trim_start().starts_with("benchmark")), "{help}");
	}
}
