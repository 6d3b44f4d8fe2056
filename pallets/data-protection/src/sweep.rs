//! What the ledger forgets, and when: an index of what falls due, swept in `on_initialize`.
//!
//! Three things fall due, each filed in [`DueIndex`] under the minute it is due
//! (`plexus_primitives::retention`):
//!
//! 1. [`Due::Retain`]: a record's `retain_until`, filed when it is registered (a rectified
//!    version is a new record and files its own). The sweep starts erasing it
//!    (`ErasureCause::Retention`) within the minute after, if it is still `Active` with that
//!    `retain_until`; otherwise the entry is stale and dropped.
//! 2. [`Due::Request`]: a request that left its record's trail (the trail keeps the newest
//!    `MaxRequestsPerRecord`), due `AuditRetention` after it left, or after its decision if it
//!    was pending then. Safe: its decision is final, `AuditRetention >= MaxApprovalTtl` so an
//!    approval it carries has expired and `grant` no longer serves it, and it was in the audit
//!    trail for `AuditRetention`.
//! 3. [`Due::Purge`]: an `Erased` record, due `AuditRetention` after erasure: the record, its
//!    attestations, its trail and its requests go. Safe: an erased record never leaves `Erased`,
//!    its commitment and subject index are gone already, no vault may serve it, its key is
//!    destroyed and attested, and its audit trail was kept `AuditRetention` after the data
//!    went. Afterwards it is an unknown record: new requests about it are refused and change
//!    nothing. A record with more requests than one sweep entry forgets ([`PURGE_CHUNK`])
//!    continues in the next minute at most.
//!
//! The cost of a block's sweep is bounded by `MaxSweepPerBlock` entries and minutes, each entry
//! at most one [`PURGE_CHUNK`] of requests, however many records and requests exist.

use crate::*;
use alloc::vec::Vec;
use plexus_primitives::retention;

/// Most requests one [`Due::Purge`] entry forgets; the rest continue in a new entry.
pub const PURGE_CHUNK: u32 = 16;

/// What falls due.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug,
)]
pub enum Due {
	/// Record `0`'s retention ends at `1` (Unix ms): start erasing it.
	Retain(RecordId, u64),
	/// A request that left its record's trail: forget it.
	Request(RequestId),
	/// An erased record's audit retention is over: forget it and what hangs on it.
	Purge(RecordId),
}

impl<T: Config> Pallet<T> {
	/// Files `due` under the minute of `at_ms`.
	pub(crate) fn file(due: Due, at_ms: u64) {
		let mut cursor = DueCursor::<T>::get();
		let bucket = retention::schedule(&mut cursor, Self::now_ms(), at_ms);
		DueCursor::<T>::put(cursor);
		DueIndex::<T>::insert(bucket, due, ());
	}

	/// Forgets what fell due, at most `MaxSweepPerBlock` entries and minutes; returns its weight.
	pub(crate) fn sweep() -> Weight {
		let now = Self::now_ms();
		let budget = T::MaxSweepPerBlock::get();
		let mut cursor = DueCursor::<T>::get();
		let mut used = Weight::zero();
		let mut unfinished = Vec::new();
		let swept = retention::sweep(
			&mut cursor,
			now,
			budget,
			budget,
			|bucket, n| DueIndex::<T>::iter_key_prefix(bucket).take(n as usize).collect(),
			|bucket, due: Due| {
				let (weight, done) = Self::forget(bucket, due);
				used = used.saturating_add(weight);
				if !done {
					unfinished.push(due);
				}
			},
		);
		// The cursor's minute has not been emptied yet (or is the current one): filed there, the
		// rest is swept in the next block, or the next minute at most.
		for due in unfinished {
			let at = cursor.saturating_mul(retention::BUCKET_MS);
			let bucket = retention::schedule(&mut cursor, now, at);
			DueIndex::<T>::insert(bucket, due, ());
			used = used.saturating_add(T::DbWeight::get().writes(1));
		}
		DueCursor::<T>::put(cursor);
		// The clock and the cursor, then one look per minute.
		used.saturating_add(T::DbWeight::get().reads_writes(2, 1))
			.saturating_add(T::DbWeight::get().reads(swept.buckets.into()))
	}

	/// Removes `due` from minute `bucket` of the index and does what it says; its weight, and
	/// whether it is done (a purge may need another entry).
	pub(crate) fn forget(bucket: u64, due: Due) -> (Weight, bool) {
		DueIndex::<T>::remove(bucket, due);
		match due {
			Due::Retain(record, until) => (Self::retain(record, until), true),
			Due::Request(request) => (Self::forget_request(request), true),
			Due::Purge(record) => Self::purge(record),
		}
	}

	fn retain(id: RecordId, until: u64) -> Weight {
		match Records::<T>::get(id) {
			Some(record) if record.state == RecordState::Active && record.retain_until == until => {
				// An active record always accepts an erasure request.
				let _ = Self::start_erasure(id, record, ErasureCause::Retention);
				T::WeightInfo::sweep_retain()
			},
			_ => T::DbWeight::get().reads(1),
		}
	}

	fn forget_request(id: RequestId) -> Weight {
		match Requests::<T>::get(id) {
			// Only decided requests are filed; a pending one would still wait for its approver.
			Some(request) if matches!(request.state, RequestState::Decided { .. }) => {
				Requests::<T>::remove(id);
				RecordRequests::<T>::remove(request.record, sorted(id));
				T::WeightInfo::sweep_request()
			},
			_ => T::DbWeight::get().reads(1),
		}
	}

	/// Forgets an erased record and up to [`PURGE_CHUNK`] of its requests; whether it is done.
	fn purge(id: RecordId) -> (Weight, bool) {
		match Records::<T>::get(id) {
			Some(record) if matches!(record.state, RecordState::Erased { .. }) => {
				// The record first: a request about it is refused from now on, so a stream of
				// them cannot keep its purge going.
				Records::<T>::remove(id);
				Trails::<T>::remove(id);
				let _ = Attestations::<T>::clear_prefix(id, T::MaxHolders::get(), None);
				Self::deposit_event(Event::RecordForgotten { record: id });
			},
			// Never erased: not due (cannot happen, an entry is filed only once it is erased).
			Some(_) => return (T::DbWeight::get().reads(1), true),
			// Already gone: a continuation.
			None => {},
		}
		let keys: Vec<SortedId> =
			RecordRequests::<T>::iter_key_prefix(id).take(PURGE_CHUNK as usize + 1).collect();
		let done = keys.len() <= PURGE_CHUNK as usize;
		let mut forgotten = 0;
		for key in keys.into_iter().take(PURGE_CHUNK as usize) {
			Requests::<T>::remove(u64::from_be_bytes(key));
			RecordRequests::<T>::remove(id, key);
			forgotten += 1;
		}
		(T::WeightInfo::sweep_purge(forgotten), done)
	}
}
