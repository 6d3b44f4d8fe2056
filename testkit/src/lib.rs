//! # plexus-testkit
//!
//! One kit for every test that needs more than one pallet's mock:
//!
//! - [`deployment`]: `plexus-node launch` started on a topology under a temporary directory,
//!   everything it started killed by process group when the test ends (also when it fails), and
//!   waits that are always bounded;
//! - [`in_process`]: several networks of the real runtime in one process, with real GRANDPA
//!   justifications and storage proofs carried by the relayer's own calls;
//! - [`hosts`]: the manifests of `plexus-node kubernetes` run as hosts on this machine without a
//!   cluster: each pod a network namespace on a bridge with Service names in its hosts file, its
//!   ConfigMaps and Secrets as files, its containers as processes of the pod's user;
//! - [`fixtures`]: accounts, topologies, the escrow contract and its call data, the account a
//!   remote sender acts as, and routed requests as the tests send them.
//!
//! Talking to a spawned node goes through `plexus-client`, as every Plexus tool does.

pub mod deployment;
pub mod fixtures;
pub mod hosts;
pub mod in_process;
pub mod partition;
mod tool;
pub mod upgrade;

pub use plexus_client::{self as client, Client};
