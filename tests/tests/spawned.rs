//! Spawned `plexus-node` deployments on loopback, driven over RPC (`PLEXUS_NODE` names the
//! binary). One binary, so that a run links once; each file is a module, selected by its name:
//! `cargo test -p plexus-tests --test spawned chaos::`.

mod bridge;
mod catch_up;
mod chaos;
mod data_protection;
mod hosts;
mod launch;
mod pool;
mod producers;
mod routing;
mod transactions;
mod upgrade;
