//! `eth-rpc`: pallet-revive's Ethereum JSON-RPC server, built against the Plexus runtime's
//! metadata and the workspace's one version line (scripts/eth-rpc.sh, eth-rpc/README.md).
//! `plexus-node launch --eth-rpc` starts one per network.

fn main() -> anyhow::Result<()> {
	use pallet_revive_eth_rpc::cli;
	cli::run(cli::CliCommand::parse_cli()?)
}
