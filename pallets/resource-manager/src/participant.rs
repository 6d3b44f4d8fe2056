//! The target's side: apply a commit request once, before its deadline, or seal its timeout;
//! what is kept of it is forgotten `Retention` after that deadline (`expiry.rs`).

use crate::*;
use alloc::vec::Vec;
use codec::DecodeLimit;
use frame_support::traits::tokens::Preservation;
use plexus_primitives::{
	contract::ContractCall,
	envelope::Failure,
	service::{failure_of_dispatch_error, RemoteOrigin},
};
use sp_runtime::DispatchError;

/// Commit requests are flat; anything nested deeper is hostile.
const COMMIT_DECODE_DEPTH: u32 = 8;

fn refused<T: Config>(error: Error<T>) -> Failure {
	failure_of_dispatch_error(DispatchError::from(error))
}

impl<T: Config> Pallet<T> {
	/// Step 2: serves a routed `Service::Transaction` request. Returns the encoded receipt,
	/// whose digest the acknowledgement carries, and the weight used. A refused commit records
	/// the transaction's deadline (`Deadlines`, for `seal`); the router rolls back everything a
	/// refused commit wrote, that record included. Whatever is recorded of the transaction (its
	/// receipt, or its deadline and seal) is filed to be forgotten `Retention` after the
	/// deadline's time; a deadline without a time is refused (`UnboundedDeadline`).
	pub fn commit(
		origin: RemoteOrigin<'_, T::AccountId>,
		payload: &[u8],
		max_weight: Weight,
	) -> (Result<Vec<u8>, Failure>, Weight) {
		let base = T::WeightInfo::commit_base();
		let Ok(request) = CommitRequest::<T::AccountId>::decode_all_with_depth_limit(
			COMMIT_DECODE_DEPTH,
			&mut &payload[..],
		) else {
			return (Err(Failure::MalformedPayload), base);
		};
		if !Self::commit_weight(&request.action).all_lte(max_weight) {
			return (Err(Failure::WeightLimitExceeded), base);
		}
		let tx = request.tx;
		if tx.coordinator != *origin.network {
			return (Err(refused::<T>(Error::NotCoordinator)), base);
		}
		if Receipts::<T>::contains_key(tx) {
			return (Err(refused::<T>(Error::AlreadyDecided)), base);
		}
		// A transaction has one deadline here: the one its first commit request carried. Kept
		// while it is not applied, it is the only deadline `seal` accepts for it.
		let known = Deadlines::<T>::get(tx);
		let deadline = known.unwrap_or(request.deadline);
		// Forgotten by this time: past it the transaction is never applied here.
		let Some(expires) = deadline.timestamp else {
			return (Err(refused::<T>(Error::UnboundedDeadline)), base);
		};
		// A known deadline was filed to be forgotten when it was recorded.
		let file = || {
			if known.is_none() {
				Self::expire_after(expires, Expiring::Target(tx));
			}
		};
		let refuse = |failure: Failure, used: Weight| {
			if known.is_none() {
				Deadlines::<T>::insert(tx, deadline);
				file();
			}
			(Err(failure), used)
		};
		if Seals::<T>::contains_key(tx, deadline) {
			return refuse(refused::<T>(Error::Sealed), base);
		}
		let (height, now) = (Self::height(), Self::now_ms());
		if deadline.has_passed(height, now) {
			return refuse(refused::<T>(Error::DeadlinePassed), base);
		}

		let initiator = T::RemoteAccount::convert((*origin.network, origin.account.clone()));
		let (applied, used) = Self::apply(&initiator, origin.network, request.action);
		let used = base.saturating_add(used);
		let result = match applied {
			Ok(result) => result,
			Err(failure) => return refuse(failure, used),
		};
		let Ok(result) = BoundedVec::<u8, T::MaxResultLen>::try_from(result) else {
			return refuse(refused::<T>(Error::ResultTooLong), used);
		};
		if known.is_some() {
			Deadlines::<T>::remove(tx);
		}
		file();
		let stored = StoredReceipt {
			status: ReceiptStatus::Applied,
			outcome_hash: request.outcome_hash,
			result,
			height,
			timestamp: now,
		};
		let receipt = stored.to_receipt(tx);
		Receipts::<T>::insert(tx, stored);
		Self::deposit_event(Event::Applied {
			tx,
			initiator,
			outcome_hash: request.outcome_hash,
			receipt: receipt.digest(),
		});
		(Ok(receipt.encode()), used)
	}

	/// Applies one action as `initiator` (the coordinator's account, here). Returns the
	/// receipt's result and the weight used.
	fn apply(
		initiator: &T::AccountId,
		network: &NetworkAddress,
		action: Action<T::AccountId>,
	) -> (Result<Vec<u8>, Failure>, Weight) {
		match action {
			Action::Transfer { to, amount } => {
				let weight = T::WeightInfo::commit_transfer();
				let Ok(amount) = BalanceOf::<T>::try_from(amount) else {
					return (Err(refused::<T>(Error::AmountTooLarge)), weight);
				};
				let paid = T::Currency::transfer(initiator, &to, amount, Preservation::Expendable)
					.map(|_| Vec::new())
					.map_err(failure_of_dispatch_error);
				(paid, weight)
			},
			Action::Record { key, value } => {
				let weight = T::WeightInfo::commit_record((key.len() + value.len()) as u32);
				let Ok(key) = BoundedVec::<u8, T::MaxKeyLen>::try_from(key) else {
					return (Err(refused::<T>(Error::KeyTooLong)), weight);
				};
				let Ok(value) = BoundedVec::<u8, T::MaxValueLen>::try_from(value) else {
					return (Err(refused::<T>(Error::ValueTooLong)), weight);
				};
				let stored = Self::write_record((*network, initiator.clone()), key, value);
				(stored.map(|()| Vec::new()).map_err(refused::<T>), weight)
			},
			Action::Call { contract, input, value, limits } => {
				let call = ContractCall::Call { contract, input, value, limits };
				match T::Contracts::execute(initiator, &call) {
					Ok(outcome) if outcome.reverted => {
						(Err(Failure::Reverted), outcome.weight_used)
					},
					Ok(outcome) => (Ok(outcome.return_data), outcome.weight_used),
					Err(failure) => (Err(failure), limits.weight),
				}
			},
		}
	}

	/// Writes a record, or deletes it for an empty value, keeping the owner's count: a new key
	/// beyond `MaxRecordsPerOwner` is refused.
	fn write_record(
		owner: (NetworkAddress, T::AccountId),
		key: BoundedVec<u8, T::MaxKeyLen>,
		value: BoundedVec<u8, T::MaxValueLen>,
	) -> Result<(), Error<T>> {
		let exists = Records::<T>::contains_key(&owner, &key);
		if value.is_empty() {
			if exists {
				Records::<T>::remove(&owner, &key);
				RecordCount::<T>::mutate_exists(&owner, |count| {
					*count = count.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
				});
			}
			return Ok(());
		}
		if !exists {
			let count = RecordCount::<T>::get(&owner).unwrap_or(0);
			ensure!(count < T::MaxRecordsPerOwner::get(), Error::<T>::TooManyRecords);
			RecordCount::<T>::insert(&owner, count.saturating_add(1));
		}
		Records::<T>::insert(owner, key, value);
		Ok(())
	}

	/// Step 3: after its deadline, `tx` will never be applied here. Only the deadline its commit
	/// request carried here can be sealed: any other is a caller's guess, and `status` would
	/// report a transaction that may still be applied as timed out.
	pub(crate) fn seal(tx: TxId, deadline: Timeout) -> DispatchResult {
		ensure!(tx.coordinator != T::ThisNetwork::get(), Error::<T>::UnknownTransaction);
		ensure!(!Receipts::<T>::contains_key(tx), Error::<T>::AlreadyDecided);
		ensure!(Deadlines::<T>::get(tx) == Some(deadline), Error::<T>::UnknownDeadline);
		ensure!(!Seals::<T>::contains_key(tx, deadline), Error::<T>::Sealed);
		let (height, now) = (Self::height(), Self::now_ms());
		ensure!(
			!deadline.is_unbounded() && deadline.has_passed(height, now),
			Error::<T>::DeadlineNotPassed
		);
		Seals::<T>::insert(tx, deadline, (height, now));
		Self::deposit_event(Event::Sealed { tx, deadline });
		Ok(())
	}

	/// The receipt of `tx`, if this network applied it and has not forgotten it yet (step 5).
	pub fn receipt_of(tx: TxId) -> Option<TxReceipt> {
		Receipts::<T>::get(tx).map(|stored| stored.to_receipt(tx))
	}
}
