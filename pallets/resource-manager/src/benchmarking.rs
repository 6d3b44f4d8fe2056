//! Benchmarks of every call, of a target's commit (its checks, a record, a transfer), of the
//! coordinator's decision and of the sweep forgetting one key.

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

/// A deadline an hour ahead: far for the benchmark, and within what the router lets a request
/// ask for (a day, in the runtime).
fn far_future<T: Config>() -> Timeout {
	Timeout { height: Some(u32::MAX), timestamp: Some(Pallet::<T>::now_ms() + 3_600_000) }
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
		far_future::<T>(),
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
		deadline: far_future::<T>(),
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
			far_future::<T>(),
			Some(hold_of::<T>(account("beneficiary", 0, 0))),
		);

		assert_eq!(InDoubt::<T>::count(), 1);
	}

	#[benchmark]
	fn seal_timeout() {
		frame_system::Pallet::<T>::set_block_number(10u32.into());
		let tx = TxId { coordinator: OTHER, sequence: 0 };
		let deadline = Timeout { height: Some(1), timestamp: Some(0) };
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
			deadline: Timeout { height: Some(0), timestamp: Some(0) },
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
		let tx = TxId { coordinator: OTHER, sequence: 0 };
		assert!(Deadlines::<T>::contains_key(tx));
		assert_eq!(Expiry::<T>::iter_keys().map(|(_, key)| key).next(), Some(Expiring::Target(tx)));
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

	#[benchmark]
	fn sweep_key() {
		// The costliest kind: a target's receipt, known deadline and seal all go. (A target
		// keeps a receipt or a deadline, not both; the benchmark counts every removal.)
		let tx = TxId { coordinator: OTHER, sequence: 0 };
		let deadline = Timeout { height: None, timestamp: Some(1) };
		Deadlines::<T>::insert(tx, deadline);
		Seals::<T>::insert(tx, deadline, (1u32, 1u64));
		let receipt = StoredReceipt {
			status: ReceiptStatus::Applied,
			outcome_hash: [7; 32],
			result: BoundedVec::default(),
			height: 1,
			timestamp: 1,
		};
		Receipts::<T>::insert(tx, receipt);
		let bucket = 1;
		ExpiryCursor::<T>::put(bucket);
		Expiry::<T>::insert(bucket, Expiring::Target(tx), ());
		let now = (bucket + 1) * plexus_primitives::retention::BUCKET_MS;
		#[block]
		{
			Pallet::<T>::sweep_expired_by(now);
		}
		assert!(!Receipts::<T>::contains_key(tx) && !Seals::<T>::contains_key(tx, deadline));
		assert_eq!(Expiry::<T>::iter().count(), 0);
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::tests::mock::new_bench_ext(),
		crate::tests::mock::Test
	);
}
