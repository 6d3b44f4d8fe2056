//! The message fee: it covers the destination's dispatch weight, and goes to the relayer that
//! delivered an answered request, or back to the sender of one that went no further.

use super::{mock::*, pallet_tests::*};
use crate::{Event, *};
use frame_support::{assert_ok, traits::fungible::Inspect};

fn paid(who: AccountId) -> Balance {
	Balances::balance(&who)
}

/// A sends `payload` to B (lane 1, nonce 1); B executes it; returns B's acknowledgement.
fn answered_by_b(n: &mut Networks, payload: Vec<u8>) -> Vec<(u8, u64, Vec<u8>)> {
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, payload, timeout_at(2_000_000)));
	});
	deliver(&mut n.b, drain_outbox());
	drain_outbox()
}

#[test]
fn the_fee_grows_with_the_weight_asked_for() {
	let mut n = networks();
	n.a.execute_with(|| {
		let send = |weight: Weight| {
			EventRouter::send(
				RuntimeOrigin::signed(ALICE),
				Some(Box::new(location_of(B))),
				Service::Xcm,
				vec![0; 4].try_into().unwrap(),
				weight,
				timeout_at(2_000_000),
			)
		};
		assert_ok!(send(Weight::zero()));
		assert_eq!(held(ALICE), BASE_FEE + 4 * BYTE_FEE);
		assert_ok!(send(Weight::from_parts(7_000_000, 0)));
		// One unit per thousand of compute (the mock's WeightToFee).
		assert_eq!(held(ALICE), 2 * (BASE_FEE + 4 * BYTE_FEE) + 7_000);
		assert!(events().contains(&Event::Sent {
			id: MessageId { origin: A, sequence: 1 },
			sender: ALICE,
			destination: B,
			service: Service::Xcm,
			next_hop: B,
			lane_nonce: 2,
			fee: BASE_FEE + 4 * BYTE_FEE + 7_000,
		}));
	});
}

#[test]
fn the_relayer_is_paid_when_the_confirmation_follows_the_answer() {
	let mut n = networks();
	let ack = answered_by_b(&mut n, vec![0]);
	n.a.execute_with(|| {
		let issuance = Balances::total_issuance();
		deliver_here(ack);
		assert_eq!(held(ALICE), fee_of(1), "earned, held until the relayer is known");
		assert_eq!(confirm_delivery(1, RELAYER, 1..=1), 1);
		assert_eq!(held(ALICE), 0);
		assert_eq!(paid(RELAYER), fee_of(1));
		assert_eq!(Balances::balance(&ALICE), 10_000 - fee_of(1));
		assert_eq!(Balances::total_issuance(), issuance, "nothing burned");
		assert_eq!(
			events().last(),
			Some(&Event::RelayerPaid { id: first_id(A), relayer: RELAYER, amount: fee_of(1) })
		);
		assert!(!HeldFees::<Test>::contains_key((1, 1)));
		// A nonce is paid once.
		assert_eq!(confirm_delivery(1, BOB, 1..=1), 0);
		assert_eq!(Balances::balance(&BOB), 10_000);
	});
}

#[test]
fn the_relayer_is_paid_when_the_answer_follows_the_confirmation() {
	let mut n = networks();
	let ack = answered_by_b(&mut n, vec![1]);
	n.a.execute_with(|| {
		assert_eq!(confirm_delivery(1, RELAYER, 1..=1), 1);
		assert_eq!(paid(RELAYER), 0, "not answered yet");
		assert_eq!(held(ALICE), fee_of(1));
		// A later confirmation of the same nonce names nobody else.
		assert_eq!(confirm_delivery(1, BOB, 1..=1), 0);
		// Answered `Err`: carried and answered all the same.
		deliver_here(ack);
		assert_eq!(paid(RELAYER), fee_of(1));
		assert_eq!(held(ALICE), 0);
		let failure = Failure::Module { index: 9, error: [1, 0, 0, 0] };
		assert!(events().contains(&Event::Acknowledged {
			id: first_id(A),
			outcome: Outcome::Err(failure),
			fee_earned: fee_of(1),
			refunded: 0,
		}));
	});
}

#[test]
fn a_timed_out_answer_refunds_the_sender_and_pays_no_relayer() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(1_500_000)));
	});
	n.b.execute_with(|| set_now(1_500_001));
	deliver(&mut n.b, drain_outbox());
	let ack = drain_outbox();
	n.a.execute_with(|| {
		assert_eq!(confirm_delivery(1, RELAYER, 1..=1), 1);
		deliver_here(ack);
		assert_eq!(Settled::<Test>::get(first_id(A)), Some(Outcome::TimedOut));
		assert_eq!(Balances::balance(&ALICE), 10_000);
		assert_eq!(held(ALICE), 0);
		assert_eq!(paid(RELAYER), 0);
		assert!(!HeldFees::<Test>::contains_key((1, 1)));
	});
}

#[test]
fn a_proven_timeout_refunds_the_sender_and_pays_no_relayer() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(1_500_000)));
		let proof = MockProof::of(0, 9, 1_600_000);
		assert_ok!(EventRouter::claim_timeout(RuntimeOrigin::signed(BOB), first_id(A), proof));
		assert_eq!(Balances::balance(&ALICE), 10_000);
		assert!(!HeldFees::<Test>::contains_key((1, 1)));
		// A confirmation (of a later delivery) finds nothing to pay.
		assert_eq!(confirm_delivery(1, RELAYER, 1..=1), 0);
		assert_eq!(paid(RELAYER), 0);
	});
}

#[test]
fn acknowledgements_and_forwarded_requests_carry_no_fee() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(C, vec![0], timeout_at(2_000_000)));
	});
	deliver(&mut n.b, drain_outbox());
	deliver(&mut n.c, drain_outbox());
	n.b.execute_with(|| {
		// B forwarded the request on lane 2 (nonce 1).
		assert_eq!(confirm_delivery(2, RELAYER, 1..=1), 0);
		assert_eq!(paid(RELAYER), 0);
	});
	n.c.execute_with(|| {
		// C's acknowledgement went on lane 2 (nonce 1).
		assert_eq!(confirm_delivery(2, RELAYER, 1..=1), 0);
		assert_eq!(paid(RELAYER), 0);
	});
	// A's own relayer, who carried the request to B, is paid once the answer is back.
	deliver(&mut n.b, drain_outbox());
	let ack = drain_outbox();
	n.a.execute_with(|| {
		deliver_here(ack);
		assert_eq!(confirm_delivery(1, RELAYER, 1..=1), 1);
		assert_eq!(paid(RELAYER), fee_of(1));
	});
}

/// Hands packets to the router of the network whose externalities are current.
fn deliver_here(packets: Vec<(u8, u64, Vec<u8>)>) {
	for (lane, _nonce, packet) in packets {
		EventRouter::receive(lane, &packet);
	}
}
