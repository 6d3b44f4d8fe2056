//! The message fee (steps 1 and 6): what `send` holds, and where it goes. A request carried and
//! answered (`Ok` or `Err`) pays the relayer that delivered it to the next hop, which is known
//! only from that hop's delivery confirmation; the answer and the confirmation may come in either
//! order, so whichever comes second pays. A request that went no further (`TimedOut`,
//! `Unroutable`, a proven timeout) gives the fee back to its sender.
//!
//! Only the first hop's relayer is paid: acknowledgements and forwarded requests carry no fee, so
//! the relayers of the networks on the way, and those carrying answers back, work unpaid.

use crate::*;
use core::ops::RangeInclusive;
use frame_support::traits::tokens::{Fortitude, Precision, Restriction};
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Step 1: the fee `send` holds for a request: `BaseFee`, `ByteFee` per payload byte, and
	/// `WeightToFee(max_weight)`, so that it covers what the relayer pays to dispatch the request
	/// at its destination.
	pub fn message_fee(payload_len: u32, max_weight: Weight) -> BalanceOf<T> {
		T::BaseFee::get()
			.saturating_add(T::ByteFee::get().saturating_mul(payload_len.into()))
			.saturating_add(T::WeightToFee::weight_to_fee(&max_weight))
	}

	/// Step 6, the request went no further: the fee goes back to its sender.
	pub(crate) fn refund(sent: &Sent<T::AccountId, BalanceOf<T>, LaneOf<T>>) -> BalanceOf<T> {
		HeldFees::<T>::remove((sent.flight.lane, sent.flight.lane_nonce));
		T::Currency::release(
			&HoldReason::MessageFee.into(),
			&sent.sender,
			sent.fee,
			Precision::BestEffort,
		)
		.unwrap_or_else(|_| Zero::zero())
	}

	/// Step 6, carried and answered: the fee is earned by the relayer that delivered the request,
	/// paid now if its delivery confirmation came first, otherwise when it comes.
	pub(crate) fn earn(id: MessageId, sent: &Sent<T::AccountId, BalanceOf<T>, LaneOf<T>>) {
		let key = (sent.flight.lane, sent.flight.lane_nonce);
		match HeldFees::<T>::get(key) {
			Some(HeldFee { deliverer: Some(relayer), .. }) => {
				HeldFees::<T>::remove(key);
				Self::pay(id, &sent.sender, &relayer, sent.fee);
			},
			Some(held) => HeldFees::<T>::insert(key, HeldFee { earned: true, ..held }),
			// Sent before relayers were paid: burned, as it was then.
			None => {
				let _ = T::Currency::burn_held(
					&HoldReason::MessageFee.into(),
					&sent.sender,
					sent.fee,
					Precision::BestEffort,
					Fortitude::Force,
				);
			},
		}
	}

	/// Step 2: the next hop confirmed that `relayer` (its account here) delivered the packets
	/// `nonces` of `lane`. Pays the fees of those already answered, and records the relayer for
	/// the others. Packets without a fee (acknowledgements, forwarded requests, refunded
	/// messages) are skipped; a nonce is confirmed once, and a second confirmation changes
	/// nothing. Returns how many held fees it touched. Its work is one read per nonce: the
	/// caller bounds the range (the bridge's limit on messages per confirmation).
	pub fn on_delivery_confirmed(
		lane: LaneOf<T>,
		relayer: &T::AccountId,
		nonces: RangeInclusive<u64>,
	) -> u32 {
		let mut touched = 0u32;
		for nonce in nonces {
			let key = (lane, nonce);
			let Some(held) = HeldFees::<T>::get(key) else { continue };
			if held.deliverer.is_some() {
				continue;
			}
			touched.saturating_inc();
			if held.earned {
				HeldFees::<T>::remove(key);
				Self::pay(held.id, &held.sender, relayer, held.amount);
			} else {
				HeldFees::<T>::insert(key, HeldFee { deliverer: Some(relayer.clone()), ..held });
			}
		}
		touched
	}

	/// The weight of [`Self::on_delivery_confirmed`] over `nonces` packets, `touched` of them
	/// with a held fee: a read per nonce, and a payment or a write per fee touched.
	pub fn delivery_confirmed_weight(nonces: u64, touched: u32) -> Weight {
		T::DbWeight::get()
			.reads(nonces)
			.saturating_add(T::WeightInfo::pay_relayer().saturating_mul(touched.into()))
	}

	/// Moves an earned fee from the sender's hold to the relayer's free balance. Should the
	/// relayer's account be unable to take it (below the existential deposit of a new account,
	/// which `BaseFee` exceeds in the runtime), the fee goes back to the sender rather than stay
	/// held for ever.
	fn pay(id: MessageId, sender: &T::AccountId, relayer: &T::AccountId, amount: BalanceOf<T>) {
		let reason = HoldReason::MessageFee.into();
		match T::Currency::transfer_on_hold(
			&reason,
			sender,
			relayer,
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		) {
			Ok(amount) => {
				Self::deposit_event(Event::RelayerPaid { id, relayer: relayer.clone(), amount })
			},
			Err(_) => {
				let _ = T::Currency::release(&reason, sender, amount, Precision::BestEffort);
			},
		}
	}
}
