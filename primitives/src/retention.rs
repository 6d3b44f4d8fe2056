//! Forgetting on time, at a cost per block that does not grow with history.
//!
//! Pallets keep some entries only for a while: a receipt until its request's deadline has passed,
//! an erased record until its audit trail may go. Each such pallet files the key of an entry under
//! the minute it falls due (a *bucket*) in a storage index, and a cursor walks the buckets in
//! order. A block's sweep looks at a bounded number of keys and buckets; what it does not reach
//! waits for the next block. Walking every entry ever written instead (as a scan would) makes the
//! time until an entry is forgotten grow with the number of entries.
//!
//! This module holds the rules; the storage (an index `bucket → key → ()` and the cursor) stays
//! in each pallet, which passes in how to read and clear it.

use alloc::vec::Vec;

/// Keys are grouped by the minute they fall due.
pub const BUCKET_MS: u64 = 60_000;

/// The bucket of a key due at `at_ms` (Unix milliseconds).
pub fn bucket(at_ms: u64) -> u64 {
	at_ms / BUCKET_MS
}

/// The bucket to file a key due at `at_ms` under, at time `now_ms`. Never one the cursor has
/// already passed (it would never be swept): a key due earlier goes into the cursor's bucket,
/// swept next. A cursor at 0 means nothing was ever scheduled: it starts at the present minute,
/// so the first sweep neither walks every minute since 1970 nor waits for this key while keys
/// filed after it fall due sooner.
pub fn schedule(cursor: &mut u64, now_ms: u64, at_ms: u64) -> u64 {
	if *cursor == 0 {
		*cursor = bucket(now_ms).max(1);
	}
	bucket(at_ms).max(*cursor)
}

/// What one sweep did: how many keys it forgot and how many buckets it looked at (emptied or
/// not), for the pallet's weight.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Swept {
	pub keys: u32,
	pub buckets: u32,
}

/// Forgets the keys of every bucket whose minute has passed by `now_ms`, oldest bucket first,
/// forgetting at most `max_keys` keys and looking at most at `max_buckets` buckets.
///
/// `take(bucket, n)` returns up to `n` keys filed under `bucket`; `forget(bucket, key)` removes
/// the key from the index and whatever it stands for. The cursor moves past a bucket only once
/// `take` returns fewer keys than asked for (the bucket is empty after this sweep).
pub fn sweep<K>(
	cursor: &mut u64,
	now_ms: u64,
	max_keys: u32,
	max_buckets: u32,
	mut take: impl FnMut(u64, u32) -> Vec<K>,
	mut forget: impl FnMut(u64, K),
) -> Swept {
	let mut swept = Swept::default();
	// Nothing ever scheduled.
	if *cursor == 0 {
		return swept;
	}
	// A bucket is due once its whole minute has passed.
	let current = bucket(now_ms);
	while *cursor < current && swept.buckets < max_buckets {
		let room = max_keys - swept.keys;
		if room == 0 {
			break;
		}
		swept.buckets += 1;
		let keys = take(*cursor, room);
		let emptied = (keys.len() as u32) < room;
		for key in keys.into_iter().take(room as usize) {
			forget(*cursor, key);
			swept.keys += 1;
		}
		if !emptied {
			break;
		}
		*cursor += 1;
	}
	swept
}

#[cfg(test)]
mod tests {
	use super::*;
	use alloc::collections::BTreeMap;

	/// An index as a pallet keeps it: bucket → keys.
	#[derive(Default)]
	struct Index(BTreeMap<u64, Vec<u32>>);

	impl Index {
		fn file(&mut self, cursor: &mut u64, at_ms: u64, key: u32) {
			self.file_at(cursor, T0, at_ms, key)
		}

		fn file_at(&mut self, cursor: &mut u64, now_ms: u64, at_ms: u64, key: u32) {
			let b = schedule(cursor, now_ms, at_ms);
			self.0.entry(b).or_default().push(key);
		}

		fn sweep(&mut self, cursor: &mut u64, now_ms: u64, keys: u32, buckets: u32) -> Vec<u32> {
			let mut forgotten = Vec::new();
			let index = core::cell::RefCell::new(&mut self.0);
			sweep(
				cursor,
				now_ms,
				keys,
				buckets,
				|b, n| {
					index
						.borrow()
						.get(&b)
						.map(|k| k.iter().take(n as usize).copied().collect())
						.unwrap_or_default()
				},
				|b, key| {
					let mut index = index.borrow_mut();
					let keys = index.get_mut(&b).unwrap();
					keys.retain(|k| *k != key);
					if keys.is_empty() {
						index.remove(&b);
					}
					forgotten.push(key);
				},
			);
			forgotten
		}
	}

	const T0: u64 = 1_700_000_000_000;

	#[test]
	fn nothing_is_forgotten_before_its_minute_has_passed() {
		let (mut index, mut cursor) = (Index::default(), 0);
		index.file(&mut cursor, T0 + 10, 1);
		assert_eq!(cursor, bucket(T0));
		// Same minute: not yet, even past the key's own millisecond.
		let end_of_minute = (bucket(T0) + 1) * BUCKET_MS - 1;
		assert!(index.sweep(&mut cursor, end_of_minute, 10, 10).is_empty());
		assert_eq!(index.sweep(&mut cursor, end_of_minute + 1, 10, 10), [1]);
		assert!(index.0.is_empty());
	}

	#[test]
	fn a_sweep_forgets_at_most_its_budget_and_resumes_where_it_stopped() {
		let (mut index, mut cursor) = (Index::default(), 0);
		for key in 0..10 {
			index.file(&mut cursor, T0, key);
		}
		index.file(&mut cursor, T0 + BUCKET_MS, 10);
		let later = T0 + 10 * BUCKET_MS;
		assert_eq!(index.sweep(&mut cursor, later, 4, 10), [0, 1, 2, 3]);
		assert_eq!(cursor, bucket(T0), "the bucket is not empty yet");
		assert_eq!(index.sweep(&mut cursor, later, 4, 10), [4, 5, 6, 7]);
		assert_eq!(index.sweep(&mut cursor, later, 4, 10), [8, 9, 10]);
		assert!(index.0.is_empty());
	}

	#[test]
	fn empty_buckets_cost_a_look_each_and_are_bounded_per_sweep() {
		let (mut index, mut cursor) = (Index::default(), 0);
		index.file(&mut cursor, T0, 1);
		index.file(&mut cursor, T0 + 100 * BUCKET_MS, 2);
		let later = T0 + 1_000 * BUCKET_MS;
		assert_eq!(index.sweep(&mut cursor, later, 10, 8), [1]);
		assert_eq!(cursor, bucket(T0) + 8);
		let mut sweeps = 1;
		let mut forgotten = Vec::new();
		while forgotten.is_empty() {
			forgotten = index.sweep(&mut cursor, later, 10, 8);
			sweeps += 1;
		}
		assert_eq!(forgotten, [2]);
		// 101 buckets looked at, 8 a sweep.
		assert_eq!(sweeps, 13);
	}

	#[test]
	fn a_key_due_before_the_cursor_is_filed_where_the_cursor_will_see_it() {
		let (mut index, mut cursor) = (Index::default(), 0);
		index.file(&mut cursor, T0, 1);
		let later = T0 + 5 * BUCKET_MS;
		assert_eq!(index.sweep(&mut cursor, later, 10, 10), [1]);
		assert_eq!(cursor, bucket(later));
		// Due in the past (a short window, a clock behind): not lost behind the cursor.
		index.file(&mut cursor, T0, 2);
		assert_eq!(index.sweep(&mut cursor, later + BUCKET_MS, 10, 10), [2]);
	}

	#[test]
	fn a_key_due_far_ahead_does_not_hold_back_keys_due_sooner() {
		let (mut index, mut cursor) = (Index::default(), 0);
		index.file(&mut cursor, T0 + 1_000 * BUCKET_MS, 1);
		index.file(&mut cursor, T0 + BUCKET_MS, 2);
		assert_eq!(index.sweep(&mut cursor, T0 + 2 * BUCKET_MS, 10, 10), [2]);
	}

	#[test]
	fn a_cursor_never_started_sweeps_nothing() {
		let mut cursor = 0;
		let swept = sweep::<u32>(&mut cursor, T0, 10, 10, |_, _| panic!("no look"), |_, _| {});
		assert_eq!(swept, Swept::default());
	}
}
