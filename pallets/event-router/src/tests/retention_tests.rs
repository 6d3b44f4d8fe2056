//! Step 7, and the timeouts it relies on: every network forgets what it keeps about a message
//! once nothing can ask for it again, within a per-block budget.

use super::{mock::*, pallet_tests::*};
use crate::{Error, Event, *};
use frame_support::{assert_noop, assert_ok};
use plexus_primitives::retention::BUCKET_MS;

/// The first instant at which the sweep forgets an entry due at `due`: once its minute is over.
fn swept_from(due: u64) -> u64 {
	(due / BUCKET_MS + 1) * BUCKET_MS
}

/// A request from A to B, made by hand: what a peer that does not cap its timeouts might send.
fn request_from_a(sequence: u64, timeout: Timeout) -> Vec<u8> {
	Packet::Request(Envelope {
		id: MessageId { origin: A, sequence },
		sender: ALICE,
		destination: B,
		service: Service::Xcm,
		payload: vec![0],
		max_weight: Weight::from_parts(10, 0),
		timeout,
		sent_at: 0,
	})
	.encode()
}

fn touched() -> bool {
	frame_support::storage::unhashed::get_raw(TOUCHED_KEY).is_some()
}

#[test]
fn send_requires_a_timestamp_within_the_lifetime() {
	let mut n = networks();
	n.a.execute_with(|| {
		let now = 1_000_000;
		assert_noop!(
			send_from_alice(B, vec![0], Timeout { height: Some(50), timestamp: None }),
			Error::<Test>::UnboundedTimeout
		);
		assert_noop!(
			send_from_alice(B, vec![0], timeout_at(now + LIFETIME + 1)),
			Error::<Test>::TimeoutTooFar
		);
		assert_ok!(send_from_alice(
			B,
			vec![0],
			Timeout { height: Some(50), timestamp: Some(now + LIFETIME) }
		));
	});
}

#[test]
fn a_request_from_a_peer_without_a_bounded_deadline_is_answered_and_not_executed() {
	let mut n = networks();
	n.b.execute_with(|| {
		let now = 1_000_000;
		let too_far = timeout_at(now + 2 * LIFETIME + 1);
		let height_only = Timeout { height: Some(99), timestamp: None };
		for (sequence, timeout) in [(0, too_far), (1, height_only)] {
			EventRouter::receive(1, &request_from_a(sequence, timeout));
			let id = MessageId { origin: A, sequence };
			assert!(!touched(), "not executed");
			assert_eq!(
				EventRouter::message_status(id),
				MessageStatus::Received {
					outcome: Outcome::Err(Failure::TimeoutTooFar),
					ack_queued: true
				}
			);
		}
		// At the bound (clocks may disagree by a lifetime), it executes.
		EventRouter::receive(1, &request_from_a(2, timeout_at(now + 2 * LIFETIME)));
		assert!(touched());
	});
	let acks = drain_outbox();
	assert_eq!(acks.len(), 3, "each request is answered");
}

#[test]
fn a_receipt_is_forgotten_retention_after_its_deadline_and_a_late_copy_is_not_executed() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(2_000_000)));
	});
	let request = drain_outbox();
	deliver(&mut n.b, request.clone());
	drain_outbox();
	let due = 2_000_000 + RETENTION;
	n.b.execute_with(|| {
		next_block_at(swept_from(due) - 1);
		assert!(Inbox::<Test>::contains_key(first_id(A)), "kept until its window has passed");
		next_block_at(swept_from(due));
		assert!(!Inbox::<Test>::contains_key(first_id(A)));
		assert_eq!(EventRouter::message_status(first_id(A)), MessageStatus::Unknown);
		// The same request again, as if by another path: past its deadline, not executed.
		frame_support::storage::unhashed::kill(TOUCHED_KEY);
		EventRouter::receive(1, &request[0].2);
		assert!(!touched());
		assert_eq!(Inbox::<Test>::get(first_id(A)).unwrap().outcome, Outcome::TimedOut);
	});
	let answers = drain_outbox();
	assert_eq!(answers.len(), 1);
	assert_eq!(
		Packet::<AccountId>::decode(&mut &answers[0].2[..]).unwrap(),
		Packet::Ack(Acknowledgement { id: first_id(A), responder: B, outcome: Outcome::TimedOut })
	);
}

#[test]
fn a_receipt_whose_ack_is_stalled_is_kept_until_the_ack_leaves() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(2_000_000)));
	});
	let request = drain_outbox();
	CLOSED_LANES.with(|closed| closed.borrow_mut().push(1));
	deliver(&mut n.b, request);
	n.b.execute_with(|| {
		let much_later = 50_000_000;
		next_block_at(much_later);
		assert!(!Inbox::<Test>::get(first_id(A)).unwrap().ack_queued);
		CLOSED_LANES.with(|closed| closed.borrow_mut().clear());
		assert_ok!(EventRouter::retry_ack(RuntimeOrigin::signed(BOB), first_id(A)));
		// The receipt does not keep the deadline: the latest it could have been counts.
		let due = much_later + 2 * LIFETIME + RETENTION;
		next_block_at(swept_from(due) - 1);
		assert!(Inbox::<Test>::contains_key(first_id(A)));
		next_block_at(swept_from(due));
		assert!(!Inbox::<Test>::contains_key(first_id(A)));
	});
}

#[test]
fn a_settled_outcome_is_forgotten_retention_after_settlement() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(2_000_000)));
	});
	deliver(&mut n.b, drain_outbox());
	let acks = drain_outbox();
	n.a.execute_with(|| {
		set_now(1_100_000);
		EventRouter::receive(1, &acks[0].2);
		assert!(Settled::<Test>::contains_key(first_id(A)));
		let due = 1_100_000 + RETENTION;
		next_block_at(swept_from(due) - 1);
		assert!(Settled::<Test>::contains_key(first_id(A)));
		next_block_at(swept_from(due));
		assert_eq!(EventRouter::message_status(first_id(A)), MessageStatus::Unknown);
		// An answer arriving after that is ignored all the same.
		EventRouter::receive(1, &acks[0].2);
		assert_eq!(events().last(), Some(&Event::AckIgnored { id: first_id(A) }));
	});
}

#[test]
fn a_proven_timeout_is_forgotten_too() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(1_500_000)));
		set_now(1_700_000);
		let proof = MockProof::of(0, 9, 1_600_000);
		assert_ok!(EventRouter::claim_timeout(RuntimeOrigin::signed(BOB), first_id(A), proof));
		next_block_at(swept_from(1_700_000 + RETENTION) - 1);
		assert!(Settled::<Test>::contains_key(first_id(A)));
		next_block_at(swept_from(1_700_000 + RETENTION));
		assert!(!Settled::<Test>::contains_key(first_id(A)));
	});
}

#[test]
fn a_forwarding_record_is_forgotten_retention_after_the_deadline_and_a_later_ack_ignored() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(C, vec![0], timeout_at(2_000_000)));
	});
	deliver(&mut n.b, drain_outbox());
	let to_c = drain_outbox();
	let due = 2_000_000 + RETENTION;
	n.b.execute_with(|| {
		next_block_at(swept_from(due) - 1);
		assert!(Forwarded::<Test>::contains_key(first_id(A)));
		next_block_at(swept_from(due));
		assert!(!Forwarded::<Test>::contains_key(first_id(A)));
		assert_eq!(EventRouter::message_status(first_id(A)), MessageStatus::Unknown);
	});
	// C executed it in time, but its answer reaches B after the window.
	deliver(&mut n.c, to_c);
	let from_c = drain_outbox();
	deliver(&mut n.b, from_c);
	n.b.execute_with(|| {
		assert_eq!(events().last(), Some(&Event::AckIgnored { id: first_id(A) }));
	});
	assert!(drain_outbox().is_empty(), "nothing passes on to A");
}

#[test]
fn a_forwarding_record_passed_back_in_time_is_swept_without_harm() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(C, vec![0], timeout_at(2_000_000)));
	});
	deliver(&mut n.b, drain_outbox());
	deliver(&mut n.c, drain_outbox());
	deliver(&mut n.b, drain_outbox());
	n.b.execute_with(|| {
		assert!(!Forwarded::<Test>::contains_key(first_id(A)), "its ack passed back");
		next_block_at(swept_from(2_000_000 + RETENTION));
		assert_eq!(PruneIndex::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_sweep_forgets_at_most_its_budget_per_block() {
	let mut n = networks();
	let count = 2 * MAX_SWEEP + 1;
	n.a.execute_with(|| {
		for _ in 0..count {
			assert_ok!(send_from_alice(B, vec![0], timeout_at(2_000_000)));
		}
	});
	deliver(&mut n.b, drain_outbox());
	n.b.execute_with(|| {
		assert_eq!(Inbox::<Test>::iter().count() as u32, count);
		let mut when = swept_from(2_000_000 + RETENTION);
		let mut left = count;
		while left > 0 {
			let weight = next_block_at(when);
			let forgotten = left.min(MAX_SWEEP);
			left -= forgotten;
			assert_eq!(Inbox::<Test>::iter().count() as u32, left);
			assert!(
				weight.all_gte(<() as WeightInfo>::sweep_key().saturating_mul(forgotten.into()))
			);
			when += 3_000;
		}
		// Nothing left: a block then costs the cursor's read alone.
		assert_eq!(PruneIndex::<Test>::iter().count(), 0);
		assert!(next_block_at(when).ref_time() < <() as WeightInfo>::sweep_key().ref_time());
	});
}
