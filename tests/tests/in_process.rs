//! Networks of the real runtime in one process: real GRANDPA justifications and storage proofs,
//! the relayer's own calls, no node and no wasm (`SKIP_WASM_BUILD=1` is enough). One binary, so
//! that a run links once; each file is a module, selected by its name:
//! `cargo test -p plexus-tests --test in_process three_networks::`.

#[path = "in_process_set_change.rs"]
mod set_change;
#[path = "in_process_three_networks.rs"]
mod three_networks;
#[path = "in_process_two_networks.rs"]
mod two_networks;
