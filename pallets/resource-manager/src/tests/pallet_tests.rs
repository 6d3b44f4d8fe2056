use super::mock::*;
use crate::{Error, Event, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use pallet_event_router::{Failure, Outcome};
use plexus_primitives::{contract::Limits, service::failure_of_dispatch_error};
use sp_io::TestExternalities;
use sp_runtime::DispatchResult;

pub(super) const DEADLINE_MS: u64 = GENESIS_MS + 60_000;
pub(super) const HOLD: Balance = 500;
/// The account the relayer is paid to.
const RELAYER: AccountId = 99;
pub(super) const MSG: pallet_event_router::MessageId =
	pallet_event_router::MessageId { origin: A, sequence: 77 };

/// Networks 1 (A), 2 (B) and 3 (C), each bridged to the others.
pub(super) struct Networks {
	all: Vec<TestExternalities>,
}

impl Networks {
	pub(super) fn new() -> Self {
		reset();
		Self { all: (1..=3).map(|n| network(n, 3)).collect() }
	}

	pub(super) fn on<R>(&mut self, network: NetworkAddress, f: impl FnOnce() -> R) -> R {
		self.all[network[0] as usize - 1].execute_with(f)
	}

	/// Delivers every queued packet, in order, until none is left (requests and their acks).
	pub(super) fn relay_all(&mut self) {
		for _ in 0..8 {
			let queued = drain_outbox();
			if queued.is_empty() {
				return;
			}
			for packet in queued {
				let accepted = self.all[packet.to as usize - 1].execute_with(|| receive(&packet));
				assert!(accepted, "lanes deliver in order");
				// The bridge confirms the delivery to the sender, which pays the relayer.
				self.all[packet.from as usize - 1].execute_with(|| {
					pallet_event_router::Pallet::<Test>::on_delivery_confirmed(
						packet.to,
						&RELAYER,
						packet.nonce..=packet.nonce,
					)
				});
			}
		}
		panic!("packets kept coming");
	}
}

pub(super) fn deadline() -> Timeout {
	Timeout { height: None, timestamp: Some(DEADLINE_MS) }
}

pub(super) fn record(key: &[u8], value: &[u8]) -> Action<AccountId> {
	Action::Record { key: key.to_vec(), value: value.to_vec() }
}

pub(super) fn call(contract: [u8; 20], input: &[u8]) -> Action<AccountId> {
	Action::Call {
		contract,
		input: input.to_vec(),
		value: 0,
		limits: Limits { weight: CALL_WEIGHT, deposit: 0 },
	}
}

pub(super) fn prepare(
	target: NetworkAddress,
	action: Action<AccountId>,
	hold: Option<Balance>,
) -> DispatchResult {
	ResourceManager::prepare(
		RuntimeOrigin::signed(ALICE),
		target,
		action,
		deadline(),
		hold.map(|amount| Hold { amount, beneficiary: BOB }),
	)
}

pub(super) fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Transaction.into(), &who)
}

pub(super) fn tx0() -> TxId {
	TxId { coordinator: A, sequence: 0 }
}

pub(super) fn state_of(sequence: u64) -> TxState {
	Transactions::<Test>::get(sequence).expect("a transaction").state
}

#[test]
fn prepare_holds_records_and_sends_a_commit_request() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), Some(HOLD)));
		assert_eq!(held(ALICE), HOLD);
		assert_eq!(state_of(0), TxState::Prepared);
		assert_eq!(ResourceManager::in_doubt(), vec![tx0()]);
		let message = Transactions::<Test>::get(0).unwrap().message;
		assert_eq!(ByMessage::<Test>::get(message), Some(0));
		assert!(matches!(
			events().last(),
			Some(Event::Prepared { tx, target: B, held: HOLD, .. }) if *tx == tx0()
		));
	});
	let queued = drain_outbox();
	assert_eq!(queued.len(), 1);
	assert_eq!((queued[0].from, queued[0].to), (1, 2));
}

#[test]
fn a_record_commits_once_on_the_target_and_pays_the_hold() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"order-7", b"shipped"), Some(HOLD)));
	});
	n.relay_all();
	let receipt = n.on(B, || {
		let key: BoundedVec<u8, _> = b"order-7".to_vec().try_into().unwrap();
		let stored = Records::<Test>::get((A, remote(A, ALICE)), key).expect("the record");
		assert_eq!(stored.to_vec(), b"shipped".to_vec());
		let receipt = ResourceManager::receipt_of(tx0()).expect("a receipt");
		assert_eq!(receipt.status, ReceiptStatus::Applied);
		assert!(matches!(events().last(), Some(Event::Applied { tx, .. }) if *tx == tx0()));
		assert_eq!(ResourceManager::status(tx0()), TxStatus::Decided(receipt.clone()));
		receipt
	});
	n.on(A, || {
		assert_eq!(state_of(0), TxState::Committed { receipt: receipt.digest() });
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&BOB), ENDOWMENT + HOLD);
		assert!(ResourceManager::in_doubt().is_empty());
		assert!(matches!(events().last(), Some(Event::Committed { paid: HOLD, .. })));
	});
}

#[test]
fn a_transfer_is_paid_by_the_initiators_remote_account() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, Action::Transfer { to: CHARLIE, amount: 2_000 }, Some(HOLD)));
	});
	n.relay_all();
	n.on(B, || {
		assert_eq!(Balances::balance(&CHARLIE), ENDOWMENT + 2_000);
		assert_eq!(Balances::balance(&remote(A, ALICE)), ENDOWMENT - 2_000);
		// Alice's own account on B is not touched: only her remote account acts for her here.
		assert_eq!(Balances::balance(&ALICE), ENDOWMENT);
	});
	n.on(A, || assert!(matches!(state_of(0), TxState::Committed { .. })));
}

#[test]
fn a_transfer_the_remote_account_cannot_pay_aborts_and_releases() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(
			B,
			Action::Transfer { to: CHARLIE, amount: 10 * ENDOWMENT },
			Some(HOLD)
		));
	});
	n.relay_all();
	n.on(B, || {
		assert_eq!(Balances::balance(&CHARLIE), ENDOWMENT);
		assert_eq!(ResourceManager::receipt_of(tx0()), None);
	});
	n.on(A, || {
		assert!(matches!(state_of(0), TxState::Aborted(AbortReason::Refused(_))));
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), Balances::total_balance(&ALICE));
	});
}

#[test]
fn a_contract_calls_result_goes_into_the_receipt() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(C, call(ECHO, b"ok:42"), None));
	});
	n.relay_all();
	let receipt = n.on(C, || {
		assert_eq!(
			frame_support::storage::unhashed::get::<AccountId>(CONTRACT_TOUCHED),
			Some(remote(A, ALICE))
		);
		ResourceManager::receipt_of(tx0()).unwrap()
	});
	assert_eq!(receipt.result, b"ok:42".to_vec());
	n.on(A, || assert_eq!(state_of(0), TxState::Committed { receipt: receipt.digest() }));
}

#[test]
fn a_reverting_contract_aborts_with_the_hold_released() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, call(REVERTS, b"x"), Some(HOLD)));
	});
	n.relay_all();
	n.on(B, || {
		assert_eq!(ResourceManager::receipt_of(tx0()), None);
		assert_eq!(ResourceManager::status(tx0()), TxStatus::Unknown);
	});
	n.on(A, || {
		assert_eq!(state_of(0), TxState::Aborted(AbortReason::Refused(Failure::Reverted)));
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&BOB), ENDOWMENT);
		assert!(matches!(events().last(), Some(Event::Aborted { released: HOLD, .. })));
	});
}

#[test]
fn a_commit_request_that_arrives_late_is_not_applied() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), Some(HOLD)));
	});
	n.on(B, || next_block(61_000, 3));
	n.relay_all();
	n.on(B, || {
		assert_eq!(ResourceManager::receipt_of(tx0()), None);
		assert!(Records::<Test>::iter().next().is_none());
	});
	n.on(A, || {
		assert_eq!(state_of(0), TxState::Aborted(AbortReason::TimedOut));
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn a_proven_timeout_aborts_and_the_late_request_then_changes_nothing() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), Some(HOLD)));
	});
	let request = drain_outbox();
	n.on(B, || next_block(61_000, 3));
	let proof =
		HISTORY.with(|h| *h.borrow().iter().rev().find(|s| s.network == 2 && s.from == 1).unwrap());
	n.on(A, || {
		let message = Transactions::<Test>::get(0).unwrap().message;
		assert_ok!(EventRouter::claim_timeout(RuntimeOrigin::signed(CHARLIE), message, proof));
		assert_eq!(state_of(0), TxState::Aborted(AbortReason::TimedOut));
		assert_eq!(held(ALICE), 0);
	});
	// The relayer delivers the request after all: B refuses it, and its answer changes nothing.
	n.on(B, || assert!(receive(&request[0])));
	n.on(B, || assert_eq!(ResourceManager::receipt_of(tx0()), None));
	n.relay_all();
	n.on(A, || {
		assert_eq!(state_of(0), TxState::Aborted(AbortReason::TimedOut));
		assert_eq!(Balances::balance(&BOB), ENDOWMENT);
	});
}

#[test]
fn a_forged_or_early_proof_changes_nothing() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), Some(HOLD)));
	});
	n.on(B, || next_block(1_000, 3));
	let real =
		HISTORY.with(|h| *h.borrow().iter().rev().find(|s| s.network == 2 && s.from == 1).unwrap());
	let forged = Snapshot { timestamp: DEADLINE_MS + 1, ..real };
	n.on(A, || {
		let message = Transactions::<Test>::get(0).unwrap().message;
		for proof in [forged, real] {
			assert!(
				EventRouter::claim_timeout(RuntimeOrigin::signed(CHARLIE), message, proof).is_err()
			);
		}
		assert_eq!(state_of(0), TxState::Prepared);
		assert_eq!(held(ALICE), HOLD);
	});
}

fn timed_out(status: TxStatus) -> bool {
	matches!(status, TxStatus::Decided(TxReceipt { status: ReceiptStatus::TimedOut, .. }))
}

#[test]
fn a_seal_before_the_commit_request_arrives_is_refused_and_status_stays_open() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), Some(HOLD)));
	});
	n.on(B, || {
		next_block(1_000, 3);
		// B never saw tx0: a deadline that has long passed, or the real one, is a guess here.
		let long_passed = Timeout { height: Some(0), timestamp: None };
		for guess in [long_passed, deadline()] {
			assert_noop!(
				ResourceManager::seal_timeout(RuntimeOrigin::signed(CHARLIE), tx0(), guess),
				Error::<Test>::UnknownDeadline
			);
		}
		assert_eq!(ResourceManager::status(tx0()), TxStatus::Unknown);
	});
	n.relay_all();
	n.on(B, || {
		let receipt = ResourceManager::receipt_of(tx0()).expect("applied after all");
		assert_eq!(ResourceManager::status(tx0()), TxStatus::Decided(receipt));
	});
	n.on(A, || assert!(matches!(state_of(0), TxState::Committed { .. })));
}

#[test]
fn under_the_router_a_transaction_not_applied_cannot_be_sealed() {
	let mut n = Networks::new();
	// Refused by the target (a revert), then one that arrives after its deadline.
	n.on(A, || {
		assert_ok!(prepare(B, call(REVERTS, b"x"), Some(HOLD)));
	});
	n.relay_all();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), Some(HOLD)));
	});
	n.on(B, || next_block(61_000, 3));
	n.relay_all();
	n.on(A, || {
		assert!(matches!(state_of(0), TxState::Aborted(AbortReason::Refused(_))));
		assert_eq!(state_of(1), TxState::Aborted(AbortReason::TimedOut));
	});
	n.on(B, || {
		// The router rolled the refused commit back, its deadline with it; the late request
		// never reached the resource manager.
		assert_eq!(Deadlines::<Test>::iter().count(), 0);
		for sequence in [0, 1] {
			let tx = TxId { coordinator: A, sequence };
			assert_noop!(
				ResourceManager::seal_timeout(RuntimeOrigin::signed(CHARLIE), tx, deadline()),
				Error::<Test>::UnknownDeadline
			);
			assert_eq!(ResourceManager::status(tx), TxStatus::Unknown);
		}
	});
}

#[test]
fn only_the_deadline_a_refused_commit_carried_is_sealed() {
	let mut n = Networks::new();
	let tx = TxId { coordinator: A, sequence: 5 };
	let request = |action: Action<AccountId>, deadline: Timeout| CommitRequest::<AccountId> {
		tx,
		action,
		deadline,
		outcome_hash: [1; 32],
	};
	let commit = |request: CommitRequest<AccountId>| {
		let origin =
			pallet_event_router::RemoteOrigin { network: &A, account: &ALICE, message: MSG };
		ResourceManager::commit(origin, &request.encode(), CALL_WEIGHT * 10).0
	};
	let early = Timeout { height: None, timestamp: Some(GENESIS_MS + 10) };
	n.on(B, || {
		// A commit refused outside a rolled-back storage layer keeps its deadline.
		assert_eq!(commit(request(call(REVERTS, b"x"), deadline())), Err(Failure::Reverted));
		assert_eq!(Deadlines::<Test>::get(tx), Some(deadline()));
		next_block(1_000, 3);
		// Past a deadline of the sealer's choosing, but not the transaction's.
		assert_noop!(
			ResourceManager::seal_timeout(RuntimeOrigin::signed(CHARLIE), tx, early),
			Error::<Test>::UnknownDeadline
		);
		assert_noop!(
			ResourceManager::seal_timeout(RuntimeOrigin::signed(CHARLIE), tx, deadline()),
			Error::<Test>::DeadlineNotPassed
		);
		// A seal of another deadline (as one made before seals needed the real deadline) does
		// not make a transaction that may still be applied look decided.
		Seals::<Test>::insert(tx, early, (2, GENESIS_MS + 1_000));
		assert_eq!(ResourceManager::status(tx), TxStatus::Unknown);

		next_block(DEADLINE_MS - GENESIS_MS, 3);
		assert_ok!(ResourceManager::seal_timeout(RuntimeOrigin::signed(CHARLIE), tx, deadline()));
		assert!(
			matches!(events().last(), Some(Event::Sealed { deadline: d, .. }) if *d == deadline())
		);
		assert!(timed_out(ResourceManager::status(tx)));
		assert_noop!(
			ResourceManager::seal_timeout(RuntimeOrigin::signed(CHARLIE), tx, deadline()),
			Error::<Test>::Sealed
		);
		// A sealed transaction is never applied, whatever deadline a later request claims.
		let later = Timeout { height: None, timestamp: Some(DEADLINE_MS + 600_000) };
		let sealed = Err(failure_of_dispatch_error(Error::<Test>::Sealed.into()));
		assert_eq!(commit(request(record(b"k", b"v"), later)), sealed);
		assert_eq!(ResourceManager::receipt_of(tx), None);
		assert!(timed_out(ResourceManager::status(tx)));
	});
}

#[test]
fn an_applied_commit_keeps_no_deadline_and_cannot_be_sealed() {
	let mut n = Networks::new();
	let tx = TxId { coordinator: A, sequence: 6 };
	let request = |action: Action<AccountId>| CommitRequest::<AccountId> {
		tx,
		action,
		deadline: Timeout { height: None, timestamp: Some(GENESIS_MS + 10) },
		outcome_hash: [1; 32],
	};
	let commit = |request: CommitRequest<AccountId>| {
		let origin =
			pallet_event_router::RemoteOrigin { network: &A, account: &ALICE, message: MSG };
		ResourceManager::commit(origin, &request.encode(), CALL_WEIGHT * 10).0
	};
	n.on(B, || {
		assert_eq!(commit(request(call(REVERTS, b"x"))), Err(Failure::Reverted));
		assert!(commit(request(record(b"k", b"v"))).is_ok());
		// The receipt decides it now.
		assert_eq!(Deadlines::<Test>::get(tx), None);
		next_block(1_000, 3);
		assert_noop!(
			ResourceManager::seal_timeout(
				RuntimeOrigin::signed(CHARLIE),
				tx,
				request(record(b"k", b"v")).deadline
			),
			Error::<Test>::AlreadyDecided
		);
		assert!(matches!(
			ResourceManager::status(tx),
			TxStatus::Decided(TxReceipt { status: ReceiptStatus::Applied, .. })
		));
	});
}

#[test]
fn commits_refuse_replays_impostors_and_garbage() {
	let mut n = Networks::new();
	let request = CommitRequest::<AccountId> {
		tx: TxId { coordinator: A, sequence: 9 },
		action: record(b"k", b"v"),
		deadline: deadline(),
		outcome_hash: [2; 32],
	};
	n.on(B, || {
		let commit = |network: &NetworkAddress, payload: &[u8]| {
			let origin =
				pallet_event_router::RemoteOrigin { network, account: &ALICE, message: MSG };
			ResourceManager::commit(origin, payload, CALL_WEIGHT * 10).0
		};
		let refused = |e: Error<Test>| Err(failure_of_dispatch_error(e.into()));
		// Only the coordinator named in the transaction may commit it.
		assert_eq!(commit(&C, &request.encode()), refused(Error::NotCoordinator));
		// An impostor does not get to set the deadline a seal would need.
		assert_eq!(Deadlines::<Test>::get(request.tx), None);
		assert_eq!(commit(&A, &[0xff, 0x01]), Err(Failure::MalformedPayload));
		let mut trailing = request.encode();
		trailing.push(0);
		assert_eq!(commit(&A, &trailing), Err(Failure::MalformedPayload));
		assert!(commit(&A, &request.encode()).is_ok());
		// The same transaction again (another message carrying it) is refused.
		assert_eq!(commit(&A, &request.encode()), refused(Error::AlreadyDecided));
		// Too little weight for the action.
		let big = CommitRequest { tx: TxId { coordinator: A, sequence: 10 }, ..request.clone() };
		let origin =
			pallet_event_router::RemoteOrigin { network: &A, account: &ALICE, message: MSG };
		let (result, _) = ResourceManager::commit(origin, &big.encode(), Weight::from_parts(1, 0));
		assert_eq!(result, Err(Failure::WeightLimitExceeded));
	});
}

#[test]
fn bad_prepares_change_nothing() {
	let mut n = Networks::new();
	n.on(A, || {
		let before = (Balances::balance(&ALICE), NextTransaction::<Test>::get());
		assert_noop!(prepare(A, record(b"k", b"v"), None), Error::<Test>::TargetIsSelf);
		assert_noop!(prepare(B, record(&[0; 33], b"v"), None), Error::<Test>::KeyTooLong);
		assert_noop!(prepare(B, record(b"k", &[0; 257]), None), Error::<Test>::ValueTooLong);
		assert_noop!(prepare(B, record(b"k", b"v"), Some(0)), Error::<Test>::HoldBelowMinimum);
		assert_noop!(
			prepare(address(7), record(b"k", b"v"), None),
			pallet_event_router::Error::<Test>::NoRoute
		);
		// More than Alice has: the hold fails, nothing is sent.
		assert!(prepare(B, record(b"k", b"v"), Some(2 * ENDOWMENT)).is_err());
		// No deadline, or one without a time: the target could never forget the transaction.
		for deadline in [Timeout::default(), Timeout { height: Some(100), timestamp: None }] {
			assert_noop!(
				ResourceManager::prepare(
					RuntimeOrigin::signed(ALICE),
					B,
					record(b"k", b"v"),
					deadline,
					None
				),
				Error::<Test>::UnboundedDeadline
			);
		}
		assert_eq!((Balances::balance(&ALICE), NextTransaction::<Test>::get()), before);
		assert_eq!(held(ALICE), 0);
	});
	assert!(drain_outbox().is_empty());
}

#[test]
fn only_the_initiator_forgets_and_only_finished_transactions() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), None));
		assert_noop!(
			ResourceManager::forget(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::NotFinished
		);
	});
	n.relay_all();
	n.on(A, || {
		assert_noop!(
			ResourceManager::forget(RuntimeOrigin::signed(BOB), 0),
			Error::<Test>::NotInitiator
		);
		assert_noop!(
			ResourceManager::forget(RuntimeOrigin::signed(ALICE), 3),
			Error::<Test>::UnknownTransaction
		);
		assert_ok!(ResourceManager::forget(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(ResourceManager::status(tx0()), TxStatus::Unknown);
		assert_eq!(ByMessage::<Test>::iter().count(), 0);
	});
}

#[test]
fn the_router_tells_only_the_owner_of_a_message() {
	let mut n = Networks::new();
	n.on(A, || {
		assert_ok!(prepare(B, record(b"k", b"v"), Some(HOLD)));
		// A message the resource manager did not send: nothing of its changes.
		let other = pallet_event_router::MessageId { origin: A, sequence: 99 };
		<ResourceManager as pallet_event_router::OnSettled>::on_settled(other, &Outcome::TimedOut);
		assert_eq!(state_of(0), TxState::Prepared);
		// Settled twice: only the first counts.
		let message = Transactions::<Test>::get(0).unwrap().message;
		<ResourceManager as pallet_event_router::OnSettled>::on_settled(
			message,
			&Outcome::TimedOut,
		);
		<ResourceManager as pallet_event_router::OnSettled>::on_settled(
			message,
			&Outcome::Ok([3; 32]),
		);
		assert_eq!(state_of(0), TxState::Aborted(AbortReason::TimedOut));
		assert_eq!(Balances::balance(&BOB), ENDOWMENT);
		assert_eq!(held(ALICE), 0);
	});
}
