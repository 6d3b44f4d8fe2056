//! The origin's end of a message (step 6): the first acknowledgement from a network entitled to
//! answer settles it, once, and the held fee goes with the outcome. (A proven timeout settles it
//! too, by the claim in `outbound.rs`.)

use crate::*;
use frame_support::traits::tokens::{Fortitude, Precision};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Step 6: settles the message `ack` answers, if it is still in flight and `ack` comes from
	/// its destination, or from a network on the way that gave up. `Ok` and `Err` burn the fee
	/// (the request was carried and answered); `TimedOut` and `Unroutable` refund it.
	pub(crate) fn settle(ack: Acknowledgement) -> Weight {
		let id = ack.id;
		let Some(sent) = Outbox::<T>::get(id).filter(|sent| {
			// Only the destination decides, or a network on the way that gave up.
			ack.responder == sent.flight.destination
				|| ack.outcome == Outcome::Err(Failure::Unroutable)
				|| ack.outcome == Outcome::TimedOut
		}) else {
			Self::deposit_event(Event::AckIgnored { id });
			return T::WeightInfo::receive_ack();
		};
		Outbox::<T>::remove(id);
		let reason = HoldReason::MessageFee.into();
		let (fee_burned, refunded) = match ack.outcome {
			// Never executed: the sender gets the fee back.
			Outcome::TimedOut | Outcome::Err(Failure::Unroutable) => {
				let refunded =
					T::Currency::release(&reason, &sent.sender, sent.fee, Precision::BestEffort)
						.unwrap_or_else(|_| Zero::zero());
				(Zero::zero(), refunded)
			},
			_ => {
				let burned = T::Currency::burn_held(
					&reason,
					&sent.sender,
					sent.fee,
					Precision::BestEffort,
					Fortitude::Force,
				)
				.unwrap_or_else(|_| Zero::zero());
				(burned, Zero::zero())
			},
		};
		Settled::<T>::insert(id, ack.outcome);
		Self::deposit_event(Event::Acknowledged { id, outcome: ack.outcome, fee_burned, refunded });
		T::WeightInfo::receive_ack().saturating_add(T::OnSettled::on_settled(id, &ack.outcome))
	}
}
