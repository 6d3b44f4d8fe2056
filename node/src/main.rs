//! plexus-node: the node of a Plexus network, and the tools that run many of them.

mod bench;
mod chain_spec;
mod cli;
mod command;
mod launch;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
