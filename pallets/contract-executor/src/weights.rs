//! Weights of the contract executor.
//!
//! The execution itself is charged by the engine's own limits (pallet-revive meters every
//! instruction); this pallet adds its bookkeeping, which `benchmarking.rs` measures: the
//! runtime's weights are in runtime/src/weights/pallet_contract_executor.rs. [`DbWeights`]
//! (the storage it touches at `DbWeight` plus a fixed compute allowance) is for runtimes that
//! have not measured them.

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

pub trait WeightInfo {
	/// Decoding, limits, the outcome hash and its records, around one execution.
	fn execute_overhead() -> Weight;
	/// The sweep forgets one execution (a routed one, with its message link).
	fn forget_execution() -> Weight;
}

/// Estimated weights from storage access counts (see the module doc).
pub struct DbWeights<T>(PhantomData<T>);

impl<T: frame_system::Config> WeightInfo for DbWeights<T> {
	fn execute_overhead() -> Weight {
		// Reads: NextExecution, the caller's mapping, the clock, the sweep's cursor; writes:
		// NextExecution, Executions, ByMessage, the event, the cursor and the index entry.
		Weight::from_parts(100_000_000, 8 * 1024)
			.saturating_add(T::DbWeight::get().reads_writes(4, 6))
	}
	fn forget_execution() -> Weight {
		// Reads: the execution; writes: it, its message link, the index entry.
		Weight::from_parts(10_000_000, 3 * 1024)
			.saturating_add(T::DbWeight::get().reads_writes(1, 3))
	}
}

impl WeightInfo for () {
	fn execute_overhead() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn forget_execution() -> Weight {
		Weight::from_parts(1_000, 0)
	}
}
