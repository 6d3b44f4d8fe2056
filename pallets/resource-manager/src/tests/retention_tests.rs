//! Step 5 and the record cap: what is forgotten when, never too early, a bounded amount a block.

use super::{mock::*, pallet_tests::*};
use crate::{Error, Event, *};
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use pallet_event_router::{Failure, Outcome};
use plexus_primitives::{retention::BUCKET_MS, service::failure_of_dispatch_error};

/// The first moment the sweep forgets a key due at `due_ms`: once its whole minute has passed.
fn forgotten_from(due_ms: u64) -> u64 {
	(due_ms / BUCKET_MS + 1) * BUCKET_MS
}

/// Runs `on_initialize` with the clock at `now` (the time the sweep goes by).
fn sweep_at(now: u64) -> Weight {
	pallet_timestamp::Now::<Test>::put(now);
	ResourceManager::on_initialize(System::block_number())
}

fn refused(error: Error<Test>) -> Result<Vec<u8>, Failure> {
	Err(failure_of_dispatch_error(error.into()))
}

/// Network A's commit request of `sequence`, as the router hands it to this network.
fn commit(sequence: u64, action: Action<AccountId>, deadline: Timeout) -> Result<Vec<u8>, Failure> {
	let request =
		CommitRequest::<AccountId> { tx: tx(sequence), action, deadline, outcome_hash: [1; 32] };
	let origin = pallet_event_router::RemoteOrigin { network: &A, account: &ALICE, message: MSG };
	ResourceManager::commit(origin, &request.encode(), CALL_WEIGHT * 10).0
}

fn tx(sequence: u64) -> TxId {
	TxId { coordinator: A, sequence }
}

fn applied(tx: TxId) -> usize {
	events().iter().filter(|e| matches!(e, Event::Applied { tx: t, .. } if *t == tx)).count()
}

fn index_len() -> usize {
	Expiry::<Test>::iter().count()
}

#[test]
fn a_receipt_and_a_finished_transaction_are_forgotten_after_retention_not_before() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), Some(HOLD)));
	});
	n.relay_all();
	n.on(B, || {
		let receipt = ResourceManager::receipt_of(tx0()).expect("applied");
		let due = DEADLINE_MS + RETENTION_MS;
		for now in [DEADLINE_MS + 1, due, forgotten_from(due) - 1] {
			sweep_at(now);
			assert_eq!(ResourceManager::receipt_of(tx0()), Some(receipt.clone()), "at {now}");
		}
		sweep_at(forgotten_from(due));
		assert_eq!(ResourceManager::receipt_of(tx0()), None);
		assert_eq!(ResourceManager::status(tx0()), TxStatus::Unknown);
		assert_eq!(index_len(), 0);
		// What the action wrote is not the receipt's: it stays.
		assert_eq!(Records::<Test>::iter().count(), 1);
	});
	n.on(A, || {
		// Finished at genesis time, on A's clock.
		let due = GENESIS_MS + RETENTION_MS;
		let message = Transactions::<Test>::get(0).unwrap().message;
		sweep_at(forgotten_from(due) - 1);
		assert!(matches!(state_of(0), TxState::Committed { .. }));
		sweep_at(forgotten_from(due));
		assert_eq!(Transactions::<Test>::get(0), None);
		assert_eq!(ByMessage::<Test>::get(message), None);
		assert_eq!(ResourceManager::status(tx0()), TxStatus::Unknown);
		// Settled once and for all: a second settlement (which the router never makes) finds
		// nothing to change.
		let before = events().len();
		<ResourceManager as pallet_event_router::OnSettled>::on_settled(
			message,
			&Outcome::TimedOut,
		);
		assert_eq!(events().len(), before);
		assert_eq!(Balances::free_balance(BOB), ENDOWMENT + HOLD);
	});
}

#[test]
fn a_commit_of_a_forgotten_transaction_is_refused_never_applied_twice() {
	let mut n = Networks::new();
	n.on(B, || {
		let pay = Action::Transfer { to: CHARLIE, amount: 2_000 };
		assert!(commit(1, pay.clone(), deadline()).is_ok());
		assert_eq!(commit(1, pay.clone(), deadline()), refused(Error::AlreadyDecided));
		sweep_at(forgotten_from(DEADLINE_MS + RETENTION_MS));
		assert_eq!(ResourceManager::receipt_of(tx(1)), None);
		// The same request again, after the receipt is gone: past its deadline, refused.
		assert_eq!(commit(1, pay, deadline()), refused(Error::DeadlinePassed));
		assert_eq!(applied(tx(1)), 1);
		assert_eq!(Balances::free_balance(CHARLIE), ENDOWMENT + 2_000);
		// Outside the router nothing rolls the refusal back: its deadline is recorded again,
		// due already, and goes with the next sweep.
		assert!(Deadlines::<Test>::contains_key(tx(1)));
		sweep_at(forgotten_from(DEADLINE_MS + RETENTION_MS) + BUCKET_MS);
		assert!(!Deadlines::<Test>::contains_key(tx(1)));
		assert_eq!(index_len(), 0);
	});
}

#[test]
fn a_deadline_without_a_time_is_refused_and_leaves_nothing() {
	let mut n = Networks::new();
	n.on(B, || {
		let height_only = Timeout { height: Some(100), timestamp: None };
		for deadline in [height_only, Timeout::default()] {
			assert_eq!(commit(2, record(b"k", b"v"), deadline), refused(Error::UnboundedDeadline));
		}
		assert_eq!(ResourceManager::receipt_of(tx(2)), None);
		assert_eq!(Deadlines::<Test>::get(tx(2)), None);
		assert_eq!((index_len(), ExpiryCursor::<Test>::get()), (0, 0));
		assert_eq!(Records::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_known_deadline_and_its_seal_are_forgotten_after_retention() {
	let mut n = Networks::new();
	n.on(B, || {
		assert_eq!(commit(3, call(REVERTS, b"x"), deadline()), Err(Failure::Reverted));
		pallet_timestamp::Now::<Test>::put(DEADLINE_MS + 1);
		assert_ok!(ResourceManager::seal_timeout(
			RuntimeOrigin::signed(CHARLIE),
			tx(3),
			deadline()
		));
		assert!(matches!(
			ResourceManager::status(tx(3)),
			TxStatus::Decided(TxReceipt { status: ReceiptStatus::TimedOut, .. })
		));
		let due = DEADLINE_MS + RETENTION_MS;
		sweep_at(forgotten_from(due) - 1);
		assert!(Seals::<Test>::contains_key(tx(3), deadline()));
		sweep_at(forgotten_from(due));
		assert_eq!(Deadlines::<Test>::get(tx(3)), None);
		assert!(!Seals::<Test>::contains_key(tx(3), deadline()));
		assert_eq!(ResourceManager::status(tx(3)), TxStatus::Unknown);
		// Still never applied: the deadline that kept it sealed has passed.
		assert_eq!(commit(3, record(b"k", b"v"), deadline()), refused(Error::DeadlinePassed));
		assert_eq!(applied(tx(3)), 0);
	});
}

#[test]
fn finished_transactions_are_forgotten_prepared_ones_never() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), Some(HOLD)));
	});
	n.relay_all();
	// The second one's request is never delivered: in doubt.
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"w"), Some(HOLD)));
	});
	drain_outbox();
	n.on(A, || {
		sweep_at(DEADLINE_MS + 100 * RETENTION_MS);
		assert_eq!(Transactions::<Test>::get(0), None);
		assert_eq!(state_of(1), TxState::Prepared);
		assert_eq!(ResourceManager::in_doubt(), vec![tx(1)]);
		assert_eq!(held(ALICE), HOLD);
		assert_eq!(index_len(), 0);
	});
}

#[test]
fn forget_and_the_sweep_agree() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), None));
		assert_ok!(prepare(B, record(b"k", b"w"), None));
	});
	n.relay_all();
	n.on(A, || {
		assert_ok!(ResourceManager::forget(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(index_len(), 2);
		// The sweep finds the first gone and only clears its index entry; it forgets the other.
		let weight = sweep_at(forgotten_from(GENESIS_MS + RETENTION_MS));
		assert_eq!(weight, <() as WeightInfo>::sweep_key() * 2);
		assert_eq!(index_len(), 0);
		for sequence in [0, 1] {
			assert_noop!(
				ResourceManager::forget(RuntimeOrigin::signed(ALICE), sequence),
				Error::<Test>::UnknownTransaction
			);
		}
	});
}

#[test]
fn the_sweep_forgets_at_most_its_budget_a_block() {
	let mut n = Networks::new();
	n.on(B, || {
		for sequence in 0..10 {
			assert!(commit(sequence, record(b"k", &[sequence as u8 + 1]), deadline()).is_ok());
		}
		assert_eq!(index_len(), 10);
		let later = DEADLINE_MS + 100 * RETENTION_MS;
		let key = <() as WeightInfo>::sweep_key();
		let mut swept = Vec::new();
		while index_len() > 0 {
			let weight = sweep_at(later);
			assert!(weight.all_lte(key * MAX_SWEEP as u64));
			swept.push(10 - Receipts::<Test>::iter().count());
			assert!(swept.len() <= 3, "took more blocks than the budget needs");
		}
		assert_eq!(swept, [4, 8, 10]);
	});
}

#[test]
fn a_distant_deadline_does_not_hold_back_nearer_ones() {
	let mut n = Networks::new();
	n.on(B, || {
		// Filed first, due in ten days.
		let distant = Timeout { height: None, timestamp: Some(GENESIS_MS + 10 * 86_400_000) };
		assert!(commit(0, record(b"a", b"v"), distant).is_ok());
		assert!(commit(1, record(b"b", b"v"), deadline()).is_ok());
		sweep_at(forgotten_from(DEADLINE_MS + RETENTION_MS));
		assert_eq!(ResourceManager::receipt_of(tx(1)), None);
		assert!(ResourceManager::receipt_of(tx(0)).is_some());
	});
}

#[test]
fn records_are_capped_per_owner_and_an_empty_value_deletes_one() {
	let mut n = Networks::new();
	let owner = (A, remote(A, ALICE));
	let value = |key: &[u8]| {
		let key: BoundedVec<u8, _> = key.to_vec().try_into().unwrap();
		Records::<Test>::get(owner, key).map(|v| v.to_vec())
	};
	n.on(B, || {
		let mut sequence = 0;
		let mut write = |key: &[u8], value: &[u8]| {
			sequence += 1;
			commit(sequence, record(key, value), deadline())
		};
		for key in [b"k1", b"k2", b"k3"] {
			assert!(write(key, b"v").is_ok());
		}
		assert_eq!(RecordCount::<Test>::get(owner), Some(MAX_RECORDS));
		// A new key beyond the cap: a no vote, nothing written.
		assert_eq!(write(b"k4", b"v"), refused(Error::TooManyRecords));
		assert_eq!(value(b"k4"), None);
		// Overwriting a key it holds takes no new slot.
		assert!(write(b"k1", b"new").is_ok());
		assert_eq!(value(b"k1"), Some(b"new".to_vec()));
		// An empty value deletes, and frees a slot; deleting what is not there changes nothing.
		assert!(write(b"k2", b"").is_ok());
		assert_eq!(value(b"k2"), None);
		assert_eq!(RecordCount::<Test>::get(owner), Some(2));
		assert!(write(b"k9", b"").is_ok());
		assert_eq!(RecordCount::<Test>::get(owner), Some(2));
		assert!(write(b"k4", b"v").is_ok());
		assert_eq!(value(b"k4"), Some(b"v".to_vec()));
		for key in [b"k1", b"k3", b"k4"] {
			assert!(write(key, b"").is_ok());
		}
		assert_eq!(RecordCount::<Test>::get(owner), None);
		assert_eq!(Records::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_record_beyond_the_cap_aborts_on_the_coordinator() {
	let mut n = Networks::new();
	n.on(A, || {
		for key in 0..=MAX_RECORDS as u8 {
			assert_ok!(prepare(B, record(&[key], b"v"), Some(HOLD)));
		}
	});
	n.relay_all();
	n.on(A, || {
		for sequence in 0..MAX_RECORDS as u64 {
			assert!(matches!(state_of(sequence), TxState::Committed { .. }));
		}
		let refusal = failure_of_dispatch_error(Error::<Test>::TooManyRecords.into());
		assert_eq!(state_of(MAX_RECORDS as u64), TxState::Aborted(AbortReason::Refused(refusal)));
		assert_eq!(held(ALICE), 0);
	});
	n.on(B, || {
		assert_eq!(Records::<Test>::iter().count(), MAX_RECORDS as usize);
		// The router rolled the refused commit back: its deadline is not kept.
		assert_eq!(Deadlines::<Test>::iter().count(), 0);
	});
}
