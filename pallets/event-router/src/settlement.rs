//! The origin's end of a message (step 6): the first acknowledgement from a network entitled to
//! answer settles it, once, and the held fee goes with the outcome (`fees.rs`). (A proven timeout
//! settles it too, by the claim in `outbound.rs`.) Its outcome is kept for `Retention` (step 7).

use crate::*;
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
	/// a network entitled to answer it ([`may_answer`]). On `Ok` and `Err` the relayer that
	/// delivered the request earns the fee (it was carried and answered); `TimedOut` and
	/// `Unroutable` refund it.
	pub(crate) fn settle(ack: Acknowledgement) -> Weight {
		let id = ack.id;
		let Some(sent) = Outbox::<T>::get(id).filter(|sent| may_answer(&sent.flight, &ack)) else {
			Self::deposit_event(Event::AckIgnored { id });
			return T::WeightInfo::receive_ack();
		};
		Outbox::<T>::remove(id);
		let carried = !gives_up(&ack.outcome);
		let (fee_earned, refunded) = if carried {
			(sent.fee, Zero::zero())
		} else {
			// Never executed: the sender gets the fee back.
			(Zero::zero(), Self::refund(&sent))
		};
		Settled::<T>::insert(id, ack.outcome);
		Self::forget_at(Expiring::Settled(id), Self::due_after_settlement());
		Self::deposit_event(Event::Acknowledged { id, outcome: ack.outcome, fee_earned, refunded });
		if carried {
			// After `Acknowledged`, so that a payment follows the settlement it is for.
			Self::earn(id, &sent);
		}
		T::WeightInfo::receive_ack().saturating_add(T::OnSettled::on_settled(id, &ack.outcome))
	}
}
