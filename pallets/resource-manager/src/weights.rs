//! Weights of the resource manager.
//!
//! The Plexus runtime uses the figures `scripts/weights.sh` measures from `benchmarking.rs`
//! (runtime/src/weights/pallet_resource_manager.rs). [`DbWeights`] is a conservative fallback for
//! a runtime that has not measured them: each operation's storage reads and writes at the
//! runtime's `DbWeight`, plus a fixed compute allowance.

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

pub trait WeightInfo {
	/// `prepare` with an action of `action_len` encoded bytes (the router's `send` included).
	fn prepare(action_len: u32) -> Weight;
	fn seal_timeout() -> Weight;
	fn forget() -> Weight;
	/// What a target spends on any commit request, before its action.
	fn commit_base() -> Weight;
	fn commit_transfer() -> Weight;
	/// A record write of `len` bytes of key and value.
	fn commit_record(len: u32) -> Weight;
	/// The coordinator's decision when the router settles a commit request.
	fn decide() -> Weight;
	/// The sweep forgetting one due key of the expiry index and what it stands for (the
	/// costliest kind: a target's receipt, deadline and seal). The sweep adds a read per bucket
	/// it looks at.
	fn sweep_key() -> Weight;
}

/// Compute allowance per operation: the router's measured `receive_request` compute (66 µs) with
/// margin.
const COMPUTE: u64 = 100_000_000;
const PROOF: u64 = 4_096;

/// Estimated weights from storage access counts (see the module doc).
pub struct DbWeights<T>(PhantomData<T>);

impl<T: frame_system::Config> WeightInfo for DbWeights<T> {
	fn prepare(action_len: u32) -> Weight {
		// Reads: NextTransaction, the hold's account, the router's route and fee accounting;
		// writes: hold, transaction, indexes, the router's outbox and lane.
		Weight::from_parts(2 * COMPUTE + 1_000 * action_len as u64, 4 * PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(8, 9))
	}

	fn seal_timeout() -> Weight {
		// Reads: the receipt, the known deadline, the seal, the time; writes: the seal.
		Weight::from_parts(COMPUTE, PROOF).saturating_add(T::DbWeight::get().reads_writes(4, 1))
	}

	fn forget() -> Weight {
		Weight::from_parts(COMPUTE, PROOF).saturating_add(T::DbWeight::get().reads_writes(1, 2))
	}

	fn commit_base() -> Weight {
		// Among them: the transaction's known deadline, read and (when refused) recorded, and
		// its entry in the expiry index with the index's cursor.
		Weight::from_parts(COMPUTE, 2 * PROOF).saturating_add(T::DbWeight::get().reads_writes(6, 5))
	}

	fn commit_transfer() -> Weight {
		Weight::from_parts(COMPUTE, 2 * PROOF).saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}

	fn commit_record(len: u32) -> Weight {
		// Reads: whether the key exists, the owner's count; writes: the record, the count.
		Weight::from_parts(COMPUTE / 2 + 1_000 * len as u64, PROOF + len as u64)
			.saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}

	fn decide() -> Weight {
		// Among them: the expiry index's entry and cursor.
		Weight::from_parts(COMPUTE, 3 * PROOF).saturating_add(T::DbWeight::get().reads_writes(5, 7))
	}

	fn sweep_key() -> Weight {
		// Reads: the index key, the known deadline; writes: the index entry, receipt, deadline
		// and seal.
		Weight::from_parts(COMPUTE / 4, PROOF).saturating_add(T::DbWeight::get().reads_writes(2, 4))
	}
}

/// For mocks: everything costs a fixed, small amount, so tests can check limits.
impl WeightInfo for () {
	fn prepare(_: u32) -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn seal_timeout() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn forget() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn commit_base() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn commit_transfer() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn commit_record(len: u32) -> Weight {
		Weight::from_parts(10_000 + len as u64, 0)
	}
	fn decide() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn sweep_key() -> Weight {
		Weight::from_parts(1_000, 0)
	}
}
