//! # plexus-fuzz
//!
//! The fuzz targets of Plexus, one `pub fn <target>(data: &[u8])` each, which panics only when an
//! invariant breaks. cargo-fuzz runs them (`fuzz/cargo-fuzz`, driven by `scripts/fuzz.sh`); the
//! committed corpus under `fuzz/corpus/<target>/` runs through them as ordinary tests
//! (`tests/corpus.rs`). What each target feeds and checks is in its module:
//!
//! - [`router_receive`]: four networks' event routers exchanging packets, with a hostile network;
//! - [`payload_decoders`]: routed payloads served by the runtime's services;
//! - [`timeout_proof`]: damaged proofs of non-delivery, on the real runtime and light client;
//! - [`topology_parse`]: `launch`'s topology files and their slot assignment;
//! - [`vault_rows`]: the node's vault over damaged rows;
//! - [`relay_answers`]: the relayer's reading of a node's answers.
//!
//! See `docs/security.md` ("Fuzzing") for how to run them and what they found.

mod decoders;
mod relay;
pub mod router;
mod timeout_proof;
mod topology;
mod vault;

pub use decoders::payload_decoders;
pub use relay::relay_answers;
pub use router::router_receive;
pub use timeout_proof::timeout_proof;
pub use topology::topology_parse;
pub use vault::vault_rows;

/// A target: the name of its corpus directory and of its cargo-fuzz binary, and its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by the name of its corpus directory and of its cargo-fuzz binary.
pub const TARGETS: &[Target] = &[
	("router_receive", router_receive),
	("payload_decoders", payload_decoders),
	("timeout_proof", timeout_proof),
	("topology_parse", topology_parse),
	("vault_rows", vault_rows),
	("relay_answers", relay_answers),
];
