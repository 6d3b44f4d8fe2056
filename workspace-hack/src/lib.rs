//! No code: this crate's dependencies only turn features on (see its Cargo.toml), so that the node
//! alone and the whole workspace compile the crates they share once.
