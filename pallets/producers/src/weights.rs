//! Weights of the producer set.
//!
//! `benchmarking.rs` measures every function here; `scripts/weights.sh` writes what it measures to
//! runtime/src/weights/pallet_producers.rs. [`DbWeights`] is the conservative fallback the runtime
//! uses until then: each operation's storage reads and writes at the runtime's `DbWeight`, plus a
//! fixed compute allowance. `n` is the number of producers.

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

pub trait WeightInfo {
	/// `add_producer` with `n` producers already.
	fn add_producer(n: u32) -> Weight;
	/// `remove_producer` among `n` producers.
	fn remove_producer(n: u32) -> Weight;
	/// Deciding at a multiple of the session period whether the session ends, with `n`
	/// producers ([`crate::Rotation`]).
	fn rotation_check(n: u32) -> Weight;
}

/// Compute allowance of an operation on a list of at most 32 accounts.
const COMPUTE: u64 = 20_000_000;
/// Compute per producer: comparing an account or a pair of session keys.
const COMPUTE_PER_PRODUCER: u64 = 1_000_000;
/// Proof of the producer list and of one producer's session keys.
const PROOF_LIST: u64 = 1_100;
const PROOF_KEYS: u64 = 200;

/// Estimated weights from storage access counts (see the module doc).
pub struct DbWeights<T>(PhantomData<T>);

impl<T: frame_system::Config> WeightInfo for DbWeights<T> {
	fn add_producer(n: u32) -> Weight {
		// Reads: the account's session keys, the list; writes: the list.
		Weight::from_parts(COMPUTE + COMPUTE_PER_PRODUCER * n as u64, PROOF_LIST + PROOF_KEYS)
			.saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}

	fn remove_producer(n: u32) -> Weight {
		// Reads: the list, and the keys of each remaining producer until one has them; writes: the
		// list.
		Weight::from_parts(
			COMPUTE + COMPUTE_PER_PRODUCER * n as u64,
			PROOF_LIST + PROOF_KEYS * n as u64,
		)
		.saturating_add(T::DbWeight::get().reads_writes(1 + n as u64, 1))
	}

	fn rotation_check(n: u32) -> Weight {
		// Reads: the list, each producer's keys, pallet-session's queued keys and their flag.
		Weight::from_parts(
			COMPUTE + 2 * COMPUTE_PER_PRODUCER * n as u64,
			2 * PROOF_LIST + 2 * PROOF_KEYS * n as u64,
		)
		.saturating_add(T::DbWeight::get().reads(3 + n as u64))
	}
}

impl WeightInfo for () {
	fn add_producer(_: u32) -> Weight {
		Weight::zero()
	}
	fn remove_producer(_: u32) -> Weight {
		Weight::zero()
	}
	fn rotation_check(_: u32) -> Weight {
		Weight::zero()
	}
}
