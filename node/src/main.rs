//! plexus-node: the node of a Plexus network, and the tools that run many of them.

// sc-cli and sc-service errors are large by design; boxing them here would only add noise.
#![allow(clippy::result_large_err)]

mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod launch;
mod load;
mod relay;
mod rpc;
mod service;
mod vault;

fn main() {
	// Errors are shown as their message (not their Debug form) and end the process with status 1.
	if let Err(error) = command::run() {
		eprintln!("Error: {error}");
		std::process::exit(1);
	}
}
