//! The coordinator's side: prepare (hold and send), then decide once the router settles the
//! commit request; a finished transaction is forgotten `Retention` later (`expiry.rs`).

use crate::*;
use frame_support::traits::tokens::{Fortitude, Precision, Restriction};
use plexus_primitives::{
	contract::ContractCall,
	envelope::{Outcome, Service},
	service::OnSettled,
};
use sp_runtime::{traits::Zero, DispatchError};

impl<T: Config> Pallet<T> {
	/// The weight a target may spend committing `action`: its own bookkeeping plus the action.
	pub fn commit_weight(action: &Action<T::AccountId>) -> Weight {
		let base = T::WeightInfo::commit_base();
		match action {
			Action::Transfer { .. } => base.saturating_add(T::WeightInfo::commit_transfer()),
			Action::Record { key, value } => {
				base.saturating_add(T::WeightInfo::commit_record((key.len() + value.len()) as u32))
			},
			Action::Call { contract, input, value, limits } => {
				let call = ContractCall::Call {
					contract: *contract,
					input: input.clone(),
					value: *value,
					limits: *limits,
				};
				base.saturating_add(T::Contracts::max_weight(&call))
			},
		}
	}

	/// Step 1: checks, holds, records and sends. Fails with no side effects.
	pub(crate) fn open_transaction(
		initiator: &T::AccountId,
		target: NetworkAddress,
		action: Action<T::AccountId>,
		deadline: Timeout,
		hold: Option<Hold<T::AccountId>>,
		outcome_hash: [u8; 32],
	) -> Result<TxId, DispatchError> {
		ensure!(target != T::ThisNetwork::get(), Error::<T>::TargetIsSelf);
		// The target would refuse it: it forgets a transaction by its deadline's time.
		ensure!(deadline.timestamp.is_some(), Error::<T>::UnboundedDeadline);
		if let Action::Record { key, value } = &action {
			ensure!(key.len() as u32 <= T::MaxKeyLen::get(), Error::<T>::KeyTooLong);
			ensure!(value.len() as u32 <= T::MaxValueLen::get(), Error::<T>::ValueTooLong);
		}
		let hold = match hold {
			Some(Hold { amount, beneficiary }) => {
				let amount =
					BalanceOf::<T>::try_from(amount).map_err(|_| Error::<T>::AmountTooLarge)?;
				ensure!(amount >= T::Currency::minimum_balance(), Error::<T>::HoldBelowMinimum);
				Some((amount, beneficiary))
			},
			None => None,
		};
		let sequence = NextTransaction::<T>::get();
		let tx = Self::tx_id(sequence);
		let max_weight = Self::commit_weight(&action);
		let request = CommitRequest { tx, action, deadline, outcome_hash };

		// A refusal anywhere (the hold, the router) leaves no trace.
		frame_support::storage::with_storage_layer(|| {
			if let Some((amount, _)) = &hold {
				T::Currency::hold(&HoldReason::Transaction.into(), initiator, *amount)?;
			}
			let message = T::Router::send_request(
				initiator,
				target,
				Service::Transaction,
				request.encode(),
				max_weight,
				deadline,
			)?;
			NextTransaction::<T>::put(sequence.saturating_add(1));
			let held = hold.as_ref().map(|(amount, _)| *amount).unwrap_or_else(Zero::zero);
			Transactions::<T>::insert(
				sequence,
				Transaction {
					initiator: initiator.clone(),
					target,
					message,
					deadline,
					outcome_hash,
					hold,
					state: TxState::Prepared,
				},
			);
			ByMessage::<T>::insert(message, sequence);
			InDoubt::<T>::insert(sequence, ());
			Self::deposit_event(Event::Prepared {
				tx,
				initiator: initiator.clone(),
				target,
				message,
				deadline,
				outcome_hash,
				held,
			});
			Ok(tx)
		})
	}

	/// Step 4: the router settled the commit request of transaction `sequence`. Once finished,
	/// it is filed to be forgotten (step 5).
	fn decide(sequence: u64, outcome: &Outcome) {
		let Some(mut transaction) = Transactions::<T>::get(sequence) else { return };
		if transaction.state != TxState::Prepared {
			return;
		}
		let tx = Self::tx_id(sequence);
		let reason = HoldReason::Transaction.into();
		match outcome {
			Outcome::Ok(receipt) => {
				let paid = match &transaction.hold {
					Some((amount, beneficiary)) => T::Currency::transfer_on_hold(
						&reason,
						&transaction.initiator,
						beneficiary,
						*amount,
						Precision::BestEffort,
						Restriction::Free,
						Fortitude::Force,
					)
					.unwrap_or_else(|_| Zero::zero()),
					None => Zero::zero(),
				};
				transaction.state = TxState::Committed { receipt: *receipt };
				Self::deposit_event(Event::Committed { tx, receipt: *receipt, paid });
			},
			Outcome::Err(failure) => {
				let released = Self::release(&transaction);
				let reason = AbortReason::Refused(*failure);
				transaction.state = TxState::Aborted(reason);
				Self::deposit_event(Event::Aborted { tx, reason, released });
			},
			Outcome::TimedOut => {
				let released = Self::release(&transaction);
				transaction.state = TxState::Aborted(AbortReason::TimedOut);
				Self::deposit_event(Event::Aborted { tx, reason: AbortReason::TimedOut, released });
			},
		}
		Transactions::<T>::insert(sequence, transaction);
		InDoubt::<T>::remove(sequence);
		Self::expire_after(Self::now_ms(), Expiring::Finished(sequence));
	}

	fn release(transaction: &Transaction<T::AccountId, BalanceOf<T>>) -> BalanceOf<T> {
		match &transaction.hold {
			Some((amount, _)) => T::Currency::release(
				&HoldReason::Transaction.into(),
				&transaction.initiator,
				*amount,
				Precision::BestEffort,
			)
			.unwrap_or_else(|_| Zero::zero()),
			None => Zero::zero(),
		}
	}
}

impl<T: Config> OnSettled for Pallet<T> {
	fn on_settled(id: MessageId, outcome: &Outcome) -> Weight {
		match ByMessage::<T>::get(id) {
			Some(sequence) => {
				Self::decide(sequence, outcome);
				T::WeightInfo::decide()
			},
			None => T::DbWeight::get().reads(1),
		}
	}

	fn weight() -> Weight {
		T::WeightInfo::decide()
	}
}

impl<T: Config> Coordinator<T::AccountId> for Pallet<T> {
	fn open(
		initiator: &T::AccountId,
		target: NetworkAddress,
		action: Action<T::AccountId>,
		deadline: Timeout,
		hold: Option<Hold<T::AccountId>>,
		outcome_hash: [u8; 32],
	) -> Result<TxId, DispatchError> {
		Self::open_transaction(initiator, target, action, deadline, hold, outcome_hash)
	}

	fn open_weight(action_len: u32) -> Weight {
		T::WeightInfo::prepare(action_len)
	}
}
