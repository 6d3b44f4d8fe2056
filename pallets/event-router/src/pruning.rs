//! Step 7: what the router forgets, and when. Entries are filed under the minute they fall due
//! ([`plexus_primitives::retention`]) and a sweep at the start of every block forgets those
//! whose minute has passed, at most `MaxSweepPerBlock` of them (and as many minutes looked at),
//! so a block's cost does not grow with history.
//!
//! Why each is safe to forget (the windows count on this network's clock):
//! - an [`Inbox`] receipt, `Retention` after its request's deadline, once its acknowledgement
//!   has left: a copy of the request arriving later is past its deadline, so it is answered
//!   `TimedOut` and never executed, with or without the receipt. A receipt whose
//!   acknowledgement is stalled is kept until `retry_ack` sends it.
//! - a [`Settled`] outcome, `Retention` after settlement: it only informs clients; an answer
//!   arriving later finds no `Outbox` entry and is ignored either way.
//! - a [`Forwarded`] record, `Retention` after its request's deadline: an acknowledgement
//!   arriving later is ignored, and a timeout can no longer be claimed here.
//!
//! A deadline is the timeout's timestamp, but never more than twice `MaxRequestLifetime` after
//! this network first saw the request: a request with a further (or no) timestamp is not
//! executed here (step 4); it comes from an origin that does not cap its timeouts, or whose
//! clock is a lifetime ahead. Its receipt may then go before its deadline, and a copy arriving
//! by another path after that is judged anew.

use crate::*;
use plexus_primitives::retention;

impl<T: Config> Pallet<T> {
	/// How far ahead of this network's clock a request's deadline may be: twice what `send`
	/// allows, for clocks that disagree.
	pub(crate) fn max_deadline_lead() -> u64 {
		T::MaxRequestLifetime::get().saturating_mul(2)
	}

	/// When what this network keeps about a request with `timeout` may go: `Retention` after
	/// its deadline, a deadline counted at most [`Self::max_deadline_lead`] from now.
	pub(crate) fn due_after_deadline(timeout: &Timeout) -> u64 {
		let latest = Self::now_ms().saturating_add(Self::max_deadline_lead());
		timeout.timestamp.unwrap_or(latest).min(latest).saturating_add(T::Retention::get())
	}

	/// When a settlement made now may be forgotten.
	pub(crate) fn due_after_settlement() -> u64 {
		Self::now_ms().saturating_add(T::Retention::get())
	}

	/// Files `entry` to be forgotten once `due_ms` has passed.
	pub(crate) fn forget_at(entry: Expiring, due_ms: u64) {
		let bucket =
			PruneCursor::<T>::mutate(|cursor| retention::schedule(cursor, Self::now_ms(), due_ms));
		PruneIndex::<T>::insert(bucket, entry, ());
	}

	/// Step 7: forgets what fell due by `now_ms`, within the block's budget. Returns the weight.
	pub(crate) fn sweep(now_ms: u64) -> Weight {
		let budget = T::MaxSweepPerBlock::get();
		let mut cursor = PruneCursor::<T>::get();
		let start = cursor;
		let swept = retention::sweep(
			&mut cursor,
			now_ms,
			budget,
			budget,
			|bucket, n| PruneIndex::<T>::iter_key_prefix(bucket).take(n as usize).collect(),
			|bucket, entry| {
				PruneIndex::<T>::remove(bucket, entry);
				Self::forget(entry);
			},
		);
		// The clock and the cursor are read every block; the cursor written when it moved.
		let mut weight = T::DbWeight::get().reads(2 + u64::from(swept.buckets));
		if cursor != start {
			PruneCursor::<T>::put(cursor);
			weight = weight.saturating_add(T::DbWeight::get().writes(1));
		}
		weight.saturating_add(T::WeightInfo::sweep_key().saturating_mul(swept.keys.into()))
	}

	fn forget(entry: Expiring) {
		match entry {
			// Only receipts whose acknowledgement left are ever filed; checked all the same,
			// since a stalled one would lose its answer.
			Expiring::Inbox(id) => {
				if Inbox::<T>::get(id).is_some_and(|receipt| receipt.ack_queued) {
					Inbox::<T>::remove(id);
				}
			},
			Expiring::Settled(id) => Settled::<T>::remove(id),
			// Gone already if its acknowledgement passed back or a timeout was claimed.
			Expiring::Forwarded(id) => Forwarded::<T>::remove(id),
		}
	}
}
