//! Benchmarks of every call, of a target's commit (its checks, a record, a transfer) and of the
//! coordinator's decision.

use super::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Mutate;
use frame_system::RawOrigin;
use plexus_primitives::{
	envelope::{Failure, Outcome},
	service::{OnSettled, RemoteOrigin},
};
use sp_runtime::traits::Saturating;

const OTHER: NetworkAddress = [0xc0; 32];

/// Sets up what the benchmarks need from the runtime.
pub trait BenchmarkHelper {
	/// A network the router has a route to.
	fn routable_target() -> NetworkAddress;
}

fn funded<T: Config>(who: &T::AccountId) {
	let amount = T::Currency::minimum_balance().saturating_mul(1_000_000u32.into());
	T::Currency::set_balance(who, amount);
}

fn far_future() -> Timeout {
	Timeout { height: Some(u32::MAX), timestamp: Some(u64::MAX - 1) }
}

fn hold_of<T: Config>(beneficiary: T::AccountId) -> Hold<T::AccountId> {
	let amount: u128 = sp_runtime::traits::UniqueSaturatedInto::unique_saturated_into(
		T::Currency::minimum_balance().saturating_mul(10u32.into()),
	);
	Hold { amount, beneficiary }
}

/// Prepares one transaction from a funded caller; returns its sequence number.
fn prepared<T: Config>() -> (u64, T::AccountId) {
	let who: T::AccountId = whitelisted_caller();
	funded::<T>(&who);
	let target = T::BenchmarkHelper::routable_target();
	let action = Action::Record { key: vec![1], value: vec![2] };
	let sequence = NextTransaction::<T>::get();
	Pallet::<T>::open_transaction(
		&who,
		target,
		action,
		far_future(),
		Some(hold_of::<T>(account("beneficiary", 0, 0))),
		[0; 32],
	)
	.expect("a funded initiator and a routable target");
	(sequence, who)
}

/// A target's commit of `payload`, sent by `who` of the `OTHER` network.
fn commit_from<T: Config>(
	who: &T::AccountId,
	payload: &[u8],
) -> Result<alloc::vec::Vec<u8>, Failure> {
	let origin = RemoteOrigin {
		network: &OTHER,
		account: who,
		message: MessageId { origin: OTHER, sequence: 0 },
	};
	Pallet::<T>::commit(origin, payload, Weight::MAX).0
}

fn commit_payload<T: Config>(sequence: u64, action: Action<T::AccountId>) -> alloc::vec::Vec<u8> {
	CommitRequest {
		tx: TxId { coordinator: OTHER, sequence },
		action,
		deadline: far_future(),
		outcome_hash: [7; 32],
	}
	.encode()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn prepare(n: Linear<0, { T::MaxValueLen::get() }>) {
		let who: T::AccountId = whitelisted_caller();
		funded::<T>(&who);
		let target = T::BenchmarkHelper::routable_target();
		let action = Action::Record {
			key: vec![0; T::MaxKeyLen::get() as usize],
			value: vec![0; n as usize],
		};
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who),
			target,
			action,
			far_future(),
			Some(hold_of::<T>(account("beneficiary", 0, 0))),
		);

		assert_eq!(InDoubt::<T>::count(), 1);
	}

	#[benchmark]
	fn seal_timeout() {
		frame_system::Pallet::<T>::set_block_number(10u32.into());
		let tx = TxId { coordinator: OTHER, sequence: 0 };
		let deadline = Timeout { height: Some(1), timestamp: None };
		// Its commit request arrived and was refused: the deadline is known here.
		Deadlines::<T>::insert(tx, deadline);
		#[extrinsic_call]
		_(RawOrigin::Signed(whitelisted_caller()), tx, deadline);

		assert!(Seals::<T>::contains_key(tx, deadline));
	}

	#[benchmark]
	fn forget() {
		let (sequence, who) = prepared::<T>();
		let message = Transactions::<T>::get(sequence).unwrap().message;
		<Pallet<T> as OnSettled>::on_settled(message, &Outcome::TimedOut);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), sequence);

		assert!(Transactions::<T>::get(sequence).is_none());
	}

	#[benchmark]
	fn commit_base() {
		let who: T::AccountId = whitelisted_caller();
		// Refused at the last check: decoded, checked against receipts, the known deadline and
		// seals, the deadline recorded, not applied.
		let payload = CommitRequest {
			tx: TxId { coordinator: OTHER, sequence: 0 },
			action: Action::<T::AccountId>::Record { key: vec![], value: vec![] },
			deadline: Timeout { height: Some(0), timestamp: None },
			outcome_hash: [7; 32],
		}
		.encode();
		frame_system::Pallet::<T>::set_block_number(10u32.into());
		let result;
		#[block]
		{
			result = commit_from::<T>(&who, &payload);
		}
		assert!(result.is_err());
		assert!(Deadlines::<T>::contains_key(TxId { coordinator: OTHER, sequence: 0 }));
	}

	#[benchmark]
	fn commit_record(n: Linear<0, { T::MaxValueLen::get() }>) {
		let who: T::AccountId = whitelisted_caller();
		let action = Action::Record {
			key: vec![0; T::MaxKeyLen::get() as usize],
			value: vec![0; n as usize],
		};
		let payload = commit_payload::<T>(0, action);
		let result;
		#[block]
		{
			result = commit_from::<T>(&who, &payload);
		}
		assert!(result.is_ok());
	}

	#[benchmark]
	fn commit_transfer() {
		let who: T::AccountId = whitelisted_caller();
		let remote = T::RemoteAccount::convert((OTHER, who.clone()));
		funded::<T>(&remote);
		let amount: u128 = sp_runtime::traits::UniqueSaturatedInto::unique_saturated_into(
			T::Currency::minimum_balance().saturating_mul(10u32.into()),
		);
		let payload =
			commit_payload::<T>(0, Action::Transfer { to: account("payee", 0, 0), amount });
		let result;
		#[block]
		{
			result = commit_from::<T>(&who, &payload);
		}
		assert!(result.is_ok());
	}

	#[benchmark]
	fn decide() {
		let (sequence, _) = prepared::<T>();
		let message = Transactions::<T>::get(sequence).unwrap().message;
		#[block]
		{
			<Pallet<T> as OnSettled>::on_settled(message, &Outcome::Ok([9; 32]));
		}
		assert!(matches!(
			Transactions::<T>::get(sequence).unwrap().state,
			TxState::Committed { .. }
		));
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::tests::mock::new_bench_ext(),
		crate::tests::mock::Test
	);
}
