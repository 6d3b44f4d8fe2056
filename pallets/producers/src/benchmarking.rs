//! Benchmarks of both calls and of the check at a multiple of the session period, each at its
//! worst case for `n` producers.

use super::*;
use frame_benchmarking::v2::*;
use sp_runtime::traits::TrailingZeroInput;

/// Session keys for a benchmark: the all-zero keys (written straight to `NextKeys`, so that no
/// ownership proof is needed).
fn keys<T: Config>() -> T::Keys {
	T::Keys::decode(&mut TrailingZeroInput::zeroes()).expect("session keys decode from zeroes")
}

/// `n` producers; producer `i` has keys when `with_keys(i)`.
fn producers<T: Config>(n: u32, with_keys: impl Fn(u32) -> bool) -> Vec<T::AccountId> {
	let list: Vec<T::AccountId> = (0..n).map(|i| account("producer", i, 0)).collect();
	for (i, producer) in list.iter().enumerate() {
		if with_keys(i as u32) {
			pallet_session::NextKeys::<T>::insert(producer, keys::<T>());
		}
	}
	Producers::<T>::put(BoundedVec::try_from(list.clone()).expect("n is at most MaxProducers"));
	list
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_producer(n: Linear<0, { T::MaxProducers::get() - 1 }>) -> Result<(), BenchmarkError> {
		producers::<T>(n, |_| true);
		let who: T::AccountId = account("candidate", 0, 0);
		pallet_session::NextKeys::<T>::insert(&who, keys::<T>());
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert_eq!(Producers::<T>::get().last(), Some(&who));
		Ok(())
	}

	/// Only the last producer has keys: removing the first reads every other's.
	#[benchmark]
	fn remove_producer(n: Linear<2, { T::MaxProducers::get() }>) -> Result<(), BenchmarkError> {
		let list = producers::<T>(n, |i| i == n - 1);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, list[0].clone());

		assert_eq!(Producers::<T>::get().len() as u32, n - 1);
		Ok(())
	}

	/// Every producer has keys and nothing changed: the check reads everything and finds no
	/// reason to end the session.
	#[benchmark]
	fn rotation_check(n: Linear<1, { T::MaxProducers::get() }>) {
		producers::<T>(n, |_| true);
		pallet_session::QueuedKeys::<T>::put(Pallet::<T>::planned());
		let due;

		#[block]
		{
			due = Pallet::<T>::rotation_due();
		}

		assert!(!due);
	}

	impl_benchmark_test_suite!(Pallet, crate::tests::new_test_ext(), crate::tests::Test);
}
