//! Weights of the contract executor.
//!
//! The execution itself is charged by the engine's own limits (pallet-revive meters every
//! instruction); this pallet adds its bookkeeping. Not measured on this machine yet: [`DbWeights`]
//! counts the storage it touches at the runtime's `DbWeight`, plus a fixed compute allowance.

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

pub trait WeightInfo {
	/// Decoding, limits, the outcome hash and its records, around one execution.
	fn execute_overhead() -> Weight;
}

/// Estimated weights from storage access counts (see the module doc).
pub struct DbWeights<T>(PhantomData<T>);

impl<T: frame_system::Config> WeightInfo for DbWeights<T> {
	fn execute_overhead() -> Weight {
		// Reads: NextExecution, the caller's mapping; writes: NextExecution, Executions,
		// ByMessage, and the event.
		Weight::from_parts(100_000_000, 8 * 1024)
			.saturating_add(T::DbWeight::get().reads_writes(2, 4))
	}
}

impl WeightInfo for () {
	fn execute_overhead() -> Weight {
		Weight::from_parts(10_000, 0)
	}
}
