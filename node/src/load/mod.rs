//! `plexus-node load`: load generators that print figures (docs/benchmarks.md). Not to be
//! confused with `plexus-benchmark` (frame weights, `benchmark/`); `bench`, this
//! command's former name, still works as a hidden alias.
//!
//! Each shows its progress on stderr while it waits, and ends with a summary table on stdout
//! ([`crate::progress`]; `PLEXUS_PROGRESS=live|lines|off` chooses how progress is shown).

mod contracts;
mod decisions;
mod routing;
mod transactions;
mod transfers;

#[derive(Debug, clap::Subcommand)]
pub enum LoadCmd {
	/// Send signed balance transfers from many accounts and measure finalized transfers/s.
	Transfers(transfers::TransfersCmd),
	/// Send routed requests across a bridge and measure their round trip and the lane's rate.
	Routing(routing::RoutingCmd),
	/// Deploy the Solidity escrow and measure contract calls per second.
	Contracts(contracts::ContractsCmd),
	/// Prepare resource-manager transactions that commit on a bridged network; measure their
	/// latency and rate.
	Transactions(transactions::TransactionsCmd),
	/// Ask for access to a record many times and measure access decisions per second, then
	/// the latency of signed `vault_get` reads.
	Decisions(decisions::DecisionsCmd),
}

/// The `p`-quantile of sorted figures (nearest rank).
fn percentile(sorted: &[f64], p: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
	let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
	sorted[i.min(sorted.len() - 1)]
}

impl LoadCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		let runtime = tokio::runtime::Builder::new_multi_thread()
			.worker_threads(2)
			.enable_all()
			.build()
			.map_err(|e| format!("cannot start the async runtime: {e}"))?;
		match self {
			LoadCmd::Transfers(cmd) => runtime.block_on(cmd.run()),
			LoadCmd::Routing(cmd) => runtime.block_on(cmd.run()),
			LoadCmd::Contracts(cmd) => runtime.block_on(cmd.run()),
			LoadCmd::Transactions(cmd) => runtime.block_on(cmd.run()),
			LoadCmd::Decisions(cmd) => runtime.block_on(cmd.run()),
		}
		.map_err(Into::into)
	}
}
