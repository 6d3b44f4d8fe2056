//! Weights measured on this project's machine by `scripts/weights.sh` (frame-benchmarking, release
//! build of the node). Regenerate them there; never edit them by hand. Figures: docs/benchmarks.md.
//!
//! Two modules combine them so that each cost is counted once: `extrinsic_base` (generated from
//! the measured files by `scripts/extrinsic-base.py`) and `once` (the extensions' weights with the
//! sender's account counted once).

pub mod block_weights;
pub mod extrinsic_base;
pub mod extrinsic_weights;
pub mod frame_system;
pub mod frame_system_extensions;
pub mod grandpa;
pub mod once;
pub mod pallet_balances;
pub mod pallet_bridge_grandpa;
pub mod pallet_bridge_messages;
pub mod pallet_contract_executor;
pub mod pallet_data_protection;
pub mod pallet_event_router;
pub mod pallet_grandpa;
pub mod pallet_producers;
pub mod pallet_resource_manager;
pub mod pallet_sudo;
pub mod pallet_timestamp;
pub mod pallet_transaction_payment;
#[allow(unused_doc_comments)] // the generated template documents struct-literal fields
pub mod paritydb_weights;
/// Measured beside ParityDb for the comparison in docs/benchmarks.md; no node runs it.
#[allow(unused_doc_comments, dead_code)]
pub mod rocksdb_weights;
pub mod xcm;
