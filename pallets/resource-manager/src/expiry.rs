//! Step 5: forgetting transactions once nothing can ask for them again, a bounded amount a block
//! (`plexus_primitives::retention`).

use crate::*;
use plexus_primitives::retention;

impl<T: Config> Pallet<T> {
	/// Files `key` to be forgotten `Retention` after `at_ms` (this network's time).
	pub(crate) fn expire_after(at_ms: u64, key: Expiring) {
		let mut cursor = ExpiryCursor::<T>::get();
		let due = at_ms.saturating_add(T::Retention::get());
		let bucket = retention::schedule(&mut cursor, Self::now_ms(), due);
		ExpiryCursor::<T>::put(cursor);
		Expiry::<T>::insert(bucket, key, ());
	}

	/// Forgets what fell due by now, at most `MaxSweepPerBlock` keys and buckets; returns the
	/// weight used. Runs before this block's time is set: it goes by the previous block's, which
	/// only forgets later.
	pub(crate) fn sweep_expired() -> Weight {
		// Nothing ever filed: not even the time is read (it is not set at genesis).
		if ExpiryCursor::<T>::get() == 0 {
			return T::DbWeight::get().reads(1);
		}
		Self::sweep_expired_by(Self::now_ms())
	}

	/// [`Self::sweep_expired`] at time `now_ms`.
	pub(crate) fn sweep_expired_by(now_ms: u64) -> Weight {
		let db = T::DbWeight::get();
		let mut cursor = ExpiryCursor::<T>::get();
		let budget = T::MaxSweepPerBlock::get();
		let swept = retention::sweep(
			&mut cursor,
			now_ms,
			budget,
			budget,
			|bucket, n| Expiry::<T>::iter_key_prefix(bucket).take(n as usize).collect(),
			Self::forget_expired,
		);
		// The cursor and the time.
		let mut weight = db.reads(2);
		if swept.buckets > 0 {
			ExpiryCursor::<T>::put(cursor);
			weight.saturating_accrue(db.writes(1));
		}
		weight
			.saturating_add(db.reads(swept.buckets.into()))
			.saturating_add(T::WeightInfo::sweep_key().saturating_mul(swept.keys.into()))
	}

	/// Forgets one due key and what it stands for. Why that is safe is in step 5: a target's
	/// transaction is past its deadline, so no commit of it is executed again; a coordinated one
	/// is finished, so the router will not settle it again.
	fn forget_expired(bucket: u64, key: Expiring) {
		Expiry::<T>::remove(bucket, key);
		match key {
			Expiring::Target(tx) => {
				Receipts::<T>::remove(tx);
				if let Some(deadline) = Deadlines::<T>::take(tx) {
					Seals::<T>::remove(tx, deadline);
				}
			},
			// Already gone if its initiator forgot it.
			Expiring::Finished(sequence) => match Transactions::<T>::get(sequence) {
				Some(transaction) if transaction.state != TxState::Prepared => {
					Transactions::<T>::remove(sequence);
					ByMessage::<T>::remove(transaction.message);
				},
				_ => {},
			},
		}
	}
}
