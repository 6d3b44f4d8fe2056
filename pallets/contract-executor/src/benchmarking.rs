//! Benchmarks of the sweep's work per execution. (The execution itself is charged by the
//! engine's limits; its bookkeeping, `execute_overhead`, is estimated in `weights.rs`.)

use super::*;
use frame_benchmarking::v2::*;

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A routed execution, with its message link, at the longest return data.
	#[benchmark]
	fn forget_execution() {
		let message = MessageId { origin: [1; 32], sequence: 7 };
		let execution = Execution {
			caller: account("caller", 0, 0),
			message: Some(message),
			contract: [1; 20],
			outcome_hash: [2; 32],
			return_data: BoundedVec::truncate_from(
				alloc::vec![0; T::MaxReturnData::get() as usize],
			),
			logs_digest: [3; 32],
			weight_used: Weight::zero(),
			transaction: None,
			height: 1,
		};
		Executions::<T>::insert(0, execution);
		ByMessage::<T>::insert(message, 0);
		DueIndex::<T>::insert(5, 0, ());
		#[block]
		{
			Pallet::<T>::forget(5, 0);
		}
		assert!(Executions::<T>::get(0).is_none());
		assert!(ByMessage::<T>::get(message).is_none());
		assert!(DueIndex::<T>::iter().next().is_none());
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::tests::mock::new_test_ext(),
		crate::tests::mock::Test
	);
}
