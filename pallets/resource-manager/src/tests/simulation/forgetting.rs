//! What the simulation checks of forgetting (step 5): the checks read a transaction's state and
//! receipt through what they saw before it was forgotten, and at the end every retention window
//! passes.

use super::*;

impl World {
	/// `tx`'s state on its coordinator, or the last one seen if it was forgotten, which only a
	/// finished transaction may be.
	pub(super) fn state_seen(&mut self, coordinator: u8, tx: TxId) -> TxState {
		match self.on(coordinator, || Transactions::<Test>::get(tx.sequence)) {
			Some(transaction) => {
				self.states.insert(tx, transaction.state);
				transaction.state
			},
			None => {
				let state = *self.states.get(&tx).expect("every opened transaction is recorded");
				assert_ne!(state, TxState::Prepared, "{tx:?} forgotten while in doubt");
				state
			},
		}
	}

	/// `tx`'s receipt on `target`, or the one seen before it was forgotten.
	pub(super) fn receipt_seen(&mut self, target: u8, tx: TxId) -> Option<TxReceipt> {
		let Some(receipt) = self.on(target, || ResourceManager::receipt_of(tx)) else {
			return self.receipts.get(&tx).cloned();
		};
		let seen = self.receipts.entry(tx).or_insert_with(|| receipt.clone());
		assert_eq!(*seen, receipt, "{tx:?} got another receipt");
		Some(receipt)
	}

	/// Every clock passes every retention window. A replay of each applied transaction's commit
	/// request, before and after the sweep forgets its receipt, is refused; then nothing is left
	/// of any transaction.
	pub(super) fn forget_everything(&mut self) {
		for n in 1..=NETWORKS {
			self.on(n, || next_block(RETENTION_MS + 2 * BUCKET_MS, NETWORKS));
		}
		for _ in 0..2 {
			for (coordinator, sequence, o) in self.all_opened() {
				let tx = TxId { coordinator: address(coordinator), sequence };
				if self.receipt_seen(o.target, tx).is_none() {
					continue;
				}
				let request = CommitRequest::<AccountId> {
					tx,
					action: action_of(&o.kind),
					deadline: o.deadline,
					outcome_hash: [0; 32],
				};
				let message = MessageId { origin: tx.coordinator, sequence: u64::MAX };
				let origin = pallet_event_router::RemoteOrigin {
					network: &tx.coordinator,
					account: &ALICE,
					message,
				};
				let replayed = self.on(o.target, || {
					ResourceManager::commit(origin, &request.encode(), Weight::MAX).0
				});
				assert!(replayed.is_err(), "{tx:?} applied again");
			}
			for n in 1..=NETWORKS {
				self.on(n, || {
					for _ in 0..1_000 {
						if Expiry::<Test>::iter().next().is_none() {
							break;
						}
						// A key filed during this phase (a refused replay's deadline) is due
						// when the current minute is over.
						next_block(BUCKET_MS, NETWORKS);
					}
				});
			}
			self.check_safety();
		}
		for n in 1..=NETWORKS {
			self.on(n, || {
				assert_eq!(Transactions::<Test>::iter().count(), 0, "kept on network {n}");
				assert_eq!(ByMessage::<Test>::iter().count(), 0);
				assert_eq!(Receipts::<Test>::iter().count(), 0);
				assert_eq!(Deadlines::<Test>::iter().count(), 0);
				assert_eq!(Seals::<Test>::iter().count(), 0);
				assert_eq!(Expiry::<Test>::iter().count(), 0);
			});
		}
	}
}
