//! Benchmarks of this pallet's own work around an execution and of the sweep's work per
//! execution. The execution itself is charged by the engine's limits, so no engine runs here.

use super::*;
use frame_benchmarking::v2::*;

#[benchmarks]
mod benchmarks {
	use super::*;

	/// What a routed request costs besides the engine: decoding it (a call whose input is as
	/// long as the longest return data), its weight, the outcome's hash, and the records and
	/// event of a success with the longest return data and a message link.
	#[benchmark]
	fn execute_overhead() {
		let longest = T::MaxReturnData::get() as usize;
		let request = ContractRequest {
			call: ContractCall::Call {
				contract: [1; 20],
				input: alloc::vec![7; longest],
				value: 0,
				limits: Limits { weight: Weight::from_parts(1_000_000_000, 65_536), deposit: 0 },
			},
			commit: None,
		};
		let payload = request.encode();
		let caller: T::AccountId = account("caller", 0, 0);
		let message = MessageId { origin: [1; 32], sequence: 7 };
		let outcome = ContractOutcome {
			contract: [1; 20],
			reverted: false,
			return_data: alloc::vec![9; longest],
			logs_digest: [3; 32],
			weight_used: Weight::from_parts(1_000, 0),
		};
		let execution = NextExecution::<T>::get();
		#[block]
		{
			let request = ContractRequest::decode_all_with_depth_limit(
				REQUEST_DECODE_DEPTH,
				&mut &payload[..],
			)
			.expect("the request decodes");
			let _ = Pallet::<T>::request_weight(&request);
			let return_data =
				BoundedVec::<u8, T::MaxReturnData>::try_from(outcome.return_data.clone())
					.expect("within the bound");
			let outcome_hash = outcome.hash();
			Pallet::<T>::record(
				&caller,
				Some(message),
				execution,
				outcome,
				outcome_hash,
				return_data,
				None,
			);
		}
		assert!(Executions::<T>::get(execution).is_some());
		assert_eq!(ByMessage::<T>::get(message), Some(execution));
	}

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
