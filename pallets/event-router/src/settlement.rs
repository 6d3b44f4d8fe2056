//! The origin's end of a message (step 6): the first acknowledgement from a network entitled to
//! answer settles it, once, and the held fee goes with the outcome. (A proven timeout settles it
//! too, by the claim in `outbound.rs`.)

use crate::*;
use frame_support::traits::tokens::{Fortitude, Precision};
use sp_runtime::traits::Zero;

/// Whether `outcome` says that the request went no further than the network answering it: the
/// only answer a network on the way, rather than the destination, may give.
pub(crate) fn gives_up(outcome: &Outcome) -> bool {
	matches!(outcome, Outcome::TimedOut | Outcome::Err(Failure::Unroutable))
}

/// Whether the network `responder` may answer a message that left here (or passed through
/// here) on `flight`. The destination decides; the next hop may only say that the request
/// stopped there, and speaks for the hops behind it (each one vouches for the next, see
/// `forward_ack`). Anyone else, though the lane trusts it, is not on the message's path and
/// could otherwise abort a request the destination still executes.
pub(crate) fn may_answer<Lane>(flight: &InFlight<Lane>, ack: &Acknowledgement) -> bool {
	ack.responder == flight.destination
		|| (ack.responder == flight.next_hop && gives_up(&ack.outcome))
}

impl<T: Config> Pallet<T> {
	/// Step 6: settles the message `ack` answers, if it is still in flight and `ack` comes from
	/// a network entitled to answer it ([`may_answer`]). `Ok` and `Err` burn the fee (the
	/// request was carried and answered); `TimedOut` and `Unroutable` refund it.
	pub(crate) fn settle(ack: Acknowledgement) -> Weight {
		let id = ack.id;
		let Some(sent) = Outbox::<T>::get(id).filter(|sent| may_answer(&sent.flight, &ack)) else {
			Self::deposit_event(Event::AckIgnored { id });
			return T::WeightInfo::receive_ack();
		};
		Outbox::<T>::remove(id);
		let reason = HoldReason::MessageFee.into();
		let (fee_burned, refunded) = if gives_up(&ack.outcome) {
			// Never executed: the sender gets the fee back.
			let refunded =
				T::Currency::release(&reason, &sent.sender, sent.fee, Precision::BestEffort)
					.unwrap_or_else(|_| Zero::zero());
			(Zero::zero(), refunded)
		} else {
			let burned = T::Currency::burn_held(
				&reason,
				&sent.sender,
				sent.fee,
				Precision::BestEffort,
				Fortitude::Force,
			)
			.unwrap_or_else(|_| Zero::zero());
			(burned, Zero::zero())
		};
		Settled::<T>::insert(id, ack.outcome);
		Self::deposit_event(Event::Acknowledged { id, outcome: ack.outcome, fee_burned, refunded });
		T::WeightInfo::receive_ack().saturating_add(T::OnSettled::on_settled(id, &ack.outcome))
	}
}
