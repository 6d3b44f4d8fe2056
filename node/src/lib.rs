//! plexus-node: the node of a Plexus network, and the tools that run many of them. The binary
//! (`main.rs`) only calls [`command::run`]; the modules are public so that other crates of the
//! workspace (the fuzz targets of `fuzz/`) can reach `launch` and `vault`.

// sc-cli and sc-service errors are large by design; boxing them here would only add noise.
#![allow(clippy::result_large_err)]

pub mod chain_spec;
pub mod cli;
pub mod command;
pub mod database;
pub mod files;
pub mod launch;
pub mod load;
pub mod metadata;
pub mod monitor;
pub mod pool;
pub mod progress;
pub mod relay;
pub mod rpc;
pub mod service;
pub mod vault;
