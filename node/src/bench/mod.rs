//! `plexus-node bench`: load generators that print figures (docs/benchmarks.md).

mod contracts;
mod decisions;
mod follower;
mod routing;
mod transactions;
mod transfers;

#[derive(Debug, clap::Subcommand)]
pub enum BenchCmd {
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

/// The wall clock in Unix ms, as timeouts, deadlines and signed reads carry it.
fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or(0)
}

/// The `p`-quantile of sorted figures (nearest rank).
fn percentile(sorted: &[f64], p: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
	let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
	sorted[i.min(sorted.len() - 1)]
}

impl BenchCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		let runtime = tokio::runtime::Builder::new_multi_thread()
			.worker_threads(2)
			.enable_all()
			.build()
			.map_err(|e| format!("cannot start the async runtime: {e}"))?;
		match self {
			BenchCmd::Transfers(cmd) => runtime.block_on(cmd.run()),
			BenchCmd::Routing(cmd) => runtime.block_on(cmd.run()),
			BenchCmd::Contracts(cmd) => runtime.block_on(cmd.run()),
			BenchCmd::Transactions(cmd) => runtime.block_on(cmd.run()),
			BenchCmd::Decisions(cmd) => runtime.block_on(cmd.run()),
		}
		.map_err(Into::into)
	}
}
