use super::mock::*;
use crate::{Error, Event, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use sp_io::TestExternalities;
use sp_runtime::{traits::Dispatchable, DispatchError};

/// A, B and C, bridged A–B (lane 1 on both) and B–C (lane 2 on both); A and C reach each other
/// through B.
pub(super) struct Networks {
	pub a: TestExternalities,
	pub b: TestExternalities,
	pub c: TestExternalities,
}

pub(super) fn networks() -> Networks {
	drain_outbox();
	CLOSED_LANES.with(|closed| closed.borrow_mut().clear());
	PACKET_LIMIT.with(|limit| limit.set(MAX_PACKET));
	let mut a = network(A);
	let mut b = network(B);
	let mut c = network(C);
	a.execute_with(|| {
		assert_ok!(EventRouter::bind_peer(RuntimeOrigin::root(), B, 1));
		assert_ok!(EventRouter::set_next_hop(RuntimeOrigin::root(), C, Some(B)));
	});
	b.execute_with(|| {
		assert_ok!(EventRouter::bind_peer(RuntimeOrigin::root(), A, 1));
		assert_ok!(EventRouter::bind_peer(RuntimeOrigin::root(), C, 2));
	});
	c.execute_with(|| {
		assert_ok!(EventRouter::bind_peer(RuntimeOrigin::root(), B, 2));
		assert_ok!(EventRouter::set_next_hop(RuntimeOrigin::root(), A, Some(B)));
	});
	Networks { a, b, c }
}

pub(super) fn timeout_at(ms: u64) -> Timeout {
	Timeout { height: None, timestamp: Some(ms) }
}

/// The weight `send_from_alice` asks for at the destination.
pub(super) const SEND_WEIGHT: Weight = Weight::from_parts(10_000, 0);

pub(super) fn send_from_alice(
	to: NetworkAddress,
	payload: Vec<u8>,
	timeout: Timeout,
) -> DispatchResult {
	EventRouter::send(
		RuntimeOrigin::signed(ALICE),
		Some(Box::new(location_of(to))),
		Service::Xcm,
		payload.try_into().unwrap(),
		SEND_WEIGHT,
		timeout,
	)
}

/// Delivers packets to a network, as the relayer of their lane would: in order, each once.
pub(super) fn deliver(ext: &mut TestExternalities, packets: Vec<(u8, u64, Vec<u8>)>) {
	ext.execute_with(|| {
		for (lane, _nonce, packet) in packets {
			EventRouter::receive(lane, &packet);
		}
	});
}

/// The fee of a `send_from_alice` (one unit per thousand of `SEND_WEIGHT`'s compute).
pub(super) fn fee_of(payload_len: usize) -> Balance {
	BASE_FEE + BYTE_FEE * payload_len as Balance + 10
}

pub(super) fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::MessageFee.into(), &who)
}

pub(super) fn first_id(origin: NetworkAddress) -> MessageId {
	MessageId { origin, sequence: 0 }
}

#[test]
fn send_holds_the_fee_and_queues_an_envelope() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0, 7, 7], timeout_at(2_000_000)));
		assert_eq!(held(ALICE), fee_of(3));
		let packets = drain_outbox();
		assert_eq!(packets.len(), 1);
		let (lane, nonce, bytes) = &packets[0];
		assert_eq!((*lane, *nonce), (1, 1));
		let Packet::Request(envelope) = Packet::<AccountId>::decode(&mut &bytes[..]).unwrap()
		else {
			panic!("a request was expected");
		};
		assert_eq!(envelope.id, first_id(A));
		assert_eq!(envelope.sender, ALICE);
		assert_eq!(envelope.destination, B);
		assert_eq!(envelope.payload, vec![0, 7, 7]);
		assert_eq!(envelope.sent_at, 1_000_000);
		assert_eq!(
			EventRouter::message_status(first_id(A)),
			MessageStatus::AwaitingAck { destination: B, next_hop: B, lane_nonce: 1 }
		);
		assert!(events().contains(&Event::Sent {
			id: first_id(A),
			sender: ALICE,
			destination: B,
			service: Service::Xcm,
			next_hop: B,
			lane_nonce: 1,
			fee: fee_of(3),
		}));
		// The next message gets the next sequence number.
		assert_ok!(send_from_alice(B, vec![0], timeout_at(2_000_000)));
		assert!(Outbox::<Test>::contains_key(MessageId { origin: A, sequence: 1 }));
	});
}

#[test]
fn a_request_executes_once_and_its_ack_settles_once() {
	let mut n = networks();
	let issuance = n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0, 1, 2], timeout_at(2_000_000)));
		Balances::total_issuance()
	});
	deliver(&mut n.b, drain_outbox());
	let acks = drain_outbox();
	n.b.execute_with(|| {
		let digest = sp_io::hashing::blake2_256(&[0, 1, 2]);
		let receipt = Inbox::<Test>::get(first_id(A)).unwrap();
		assert_eq!(receipt, Receipt { outcome: Outcome::Ok(digest), ack_queued: true });
		// The origin the service saw came from the lane and the envelope's sender.
		let touched: (NetworkAddress, AccountId) =
			frame_support::storage::unhashed::get(TOUCHED_KEY).unwrap();
		assert_eq!(touched, (A, ALICE));
	});
	assert_eq!(acks.len(), 1);
	deliver(&mut n.a, acks.clone());
	n.a.execute_with(|| {
		let digest = sp_io::hashing::blake2_256(&[0, 1, 2]);
		// Earned by the relayer, held until a delivery confirmation names it; nothing burned.
		assert_eq!(held(ALICE), fee_of(3));
		assert_eq!(Balances::total_issuance(), issuance);
		assert!(events().contains(&Event::Acknowledged {
			id: first_id(A),
			outcome: Outcome::Ok(digest),
			fee_earned: fee_of(3),
			refunded: 0,
		}));
		assert_eq!(
			EventRouter::message_status(first_id(A)),
			MessageStatus::Settled(Outcome::Ok(digest))
		);
		// The same acknowledgement again changes nothing.
		let balance = Balances::balance(&ALICE);
		EventRouter::receive(1, &acks[0].2);
		assert_eq!(Balances::balance(&ALICE), balance);
		assert_eq!(held(ALICE), fee_of(3));
		assert_eq!(events().last(), Some(&Event::AckIgnored { id: first_id(A) }));
	});
}

#[test]
fn a_failing_request_is_rolled_back_and_answered_with_its_error() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![1], timeout_at(2_000_000)));
	});
	deliver(&mut n.b, drain_outbox());
	n.b.execute_with(|| {
		assert!(frame_support::storage::unhashed::get_raw(TOUCHED_KEY).is_none());
		let failure = Failure::Module { index: 9, error: [1, 0, 0, 0] };
		assert_eq!(Inbox::<Test>::get(first_id(A)).unwrap().outcome, Outcome::Err(failure));
	});
	deliver(&mut n.a, drain_outbox());
	n.a.execute_with(|| {
		let failure = Failure::Module { index: 9, error: [1, 0, 0, 0] };
		assert_eq!(Settled::<Test>::get(first_id(A)), Some(Outcome::Err(failure)));
		// Carried and answered: the fee is not the sender's any more.
		assert_eq!(Balances::balance(&ALICE), 10_000 - fee_of(1));
	});
}

#[test]
fn an_expired_request_is_not_executed_and_its_fee_comes_back() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(1_500_000)));
	});
	n.b.execute_with(|| set_now(1_500_001));
	deliver(&mut n.b, drain_outbox());
	n.b.execute_with(|| {
		assert!(frame_support::storage::unhashed::get_raw(TOUCHED_KEY).is_none());
		assert_eq!(Inbox::<Test>::get(first_id(A)).unwrap().outcome, Outcome::TimedOut);
	});
	deliver(&mut n.a, drain_outbox());
	n.a.execute_with(|| {
		assert_eq!(Balances::balance(&ALICE), 10_000);
		assert_eq!(held(ALICE), 0);
		assert_eq!(Settled::<Test>::get(first_id(A)), Some(Outcome::TimedOut));
	});
}

#[test]
fn a_height_timeout_counts_on_the_destination() {
	let mut n = networks();
	let timeout = Timeout { height: Some(5), timestamp: Some(2_000_000) };
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout));
	});
	n.b.execute_with(|| System::set_block_number(6));
	deliver(&mut n.b, drain_outbox());
	n.b.execute_with(|| {
		assert_eq!(Inbox::<Test>::get(first_id(A)).unwrap().outcome, Outcome::TimedOut);
	});
}

#[test]
fn a_request_travels_two_hops_and_its_ack_comes_back_the_same_way() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(C, vec![0, 42], timeout_at(2_000_000)));
		assert_eq!(
			EventRouter::message_status(first_id(A)),
			MessageStatus::AwaitingAck { destination: C, next_hop: B, lane_nonce: 1 }
		);
	});
	deliver(&mut n.b, drain_outbox());
	let to_c = drain_outbox();
	assert_eq!(to_c.len(), 1);
	assert_eq!(to_c[0].0, 2, "B forwards on its lane to C");
	n.b.execute_with(|| {
		assert!(events().contains(&Event::Forwarded {
			id: first_id(A),
			next_hop: C,
			lane_nonce: 1
		}));
		assert_eq!(
			EventRouter::message_status(first_id(A)),
			MessageStatus::Forwarded { next_hop: C, lane_nonce: 1 }
		);
		assert!(Inbox::<Test>::get(first_id(A)).is_none(), "B does not execute it");
	});
	deliver(&mut n.c, to_c);
	n.c.execute_with(|| {
		// The original origin and sender survive the hop.
		let touched: (NetworkAddress, AccountId) =
			frame_support::storage::unhashed::get(TOUCHED_KEY).unwrap();
		assert_eq!(touched, (A, ALICE));
		assert!(matches!(Inbox::<Test>::get(first_id(A)).unwrap().outcome, Outcome::Ok(_)));
	});
	let to_b = drain_outbox();
	assert_eq!(to_b[0].0, 2);
	deliver(&mut n.b, to_b);
	n.b.execute_with(|| assert!(Forwarded::<Test>::get(first_id(A)).is_none()));
	let to_a = drain_outbox();
	assert_eq!(to_a[0].0, 1);
	deliver(&mut n.a, to_a);
	n.a.execute_with(|| {
		assert!(matches!(Settled::<Test>::get(first_id(A)), Some(Outcome::Ok(_))));
		// Earned, and held until B confirms who delivered it.
		assert_eq!(held(ALICE), fee_of(2));
		assert_eq!(confirm_delivery(1, RELAYER, 1..=1), 1);
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn a_lane_cannot_speak_for_a_network_routed_elsewhere() {
	let mut n = networks();
	// C sends to A; the packet reaches B over lane 2. Replayed onto B's lane 1 (A's), it
	// would claim C's authorship through A: B must refuse it.
	n.c.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(2_000_000)));
	});
	let packets = drain_outbox();
	n.b.execute_with(|| {
		EventRouter::receive(1, &packets[0].2);
		assert_eq!(
			events().last(),
			Some(&Event::PacketRejected { from: Some(A), reason: Rejection::UntrustedAuthor })
		);
		assert!(Inbox::<Test>::get(first_id(C)).is_none());
		assert!(frame_support::storage::unhashed::get_raw(TOUCHED_KEY).is_none());
	});
	assert!(drain_outbox().is_empty(), "nothing is answered");
}

#[test]
fn malformed_packets_and_unbound_lanes_change_nothing_but_an_event() {
	let mut n = networks();
	n.b.execute_with(|| {
		EventRouter::receive(1, &[0xff, 0x00, 0x13]);
		EventRouter::receive(9, &[0x00]);
		let events = events();
		assert_eq!(
			events[events.len() - 2..],
			[
				Event::PacketRejected { from: Some(A), reason: Rejection::Malformed },
				Event::PacketRejected { from: None, reason: Rejection::UnboundLane },
			]
		);
		assert_eq!(Inbox::<Test>::iter().count(), 0);
		assert_eq!(Forwarded::<Test>::iter().count(), 0);
	});
	assert!(drain_outbox().is_empty());
}

#[test]
fn a_request_seen_twice_executes_once() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(2_000_000)));
	});
	let packets = drain_outbox();
	deliver(&mut n.b, packets.clone());
	drain_outbox();
	n.b.execute_with(|| {
		frame_support::storage::unhashed::kill(TOUCHED_KEY);
		EventRouter::receive(1, &packets[0].2);
		assert!(frame_support::storage::unhashed::get_raw(TOUCHED_KEY).is_none());
		assert_eq!(
			events().last(),
			Some(&Event::PacketRejected { from: Some(A), reason: Rejection::Duplicate })
		);
	});
	assert!(drain_outbox().is_empty(), "no second acknowledgement");
}

#[test]
fn a_proven_timeout_refunds_once_and_beats_a_late_ack() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(1_500_000)));
	});
	let in_flight = drain_outbox();
	n.a.execute_with(|| {
		let id = first_id(A);
		let late = MockProof::of(0, 9, 1_600_000);
		// A forged proof, a proof that shows delivery, and one taken before the deadline all fail.
		let not_late = DispatchError::Other("the proof does not show a late packet");
		for (bad, error) in [
			(MockProof { authentic: false, ..late.clone() }, DispatchError::Other("forged proof")),
			(MockProof { last_delivered_nonce: 1, ..late.clone() }, not_late),
			(MockProof { timestamp: 1_500_000, ..late.clone() }, not_late),
		] {
			assert_noop!(EventRouter::claim_timeout(RuntimeOrigin::signed(BOB), id, bad), error);
		}
		assert_ok!(EventRouter::claim_timeout(RuntimeOrigin::signed(BOB), id, late.clone()));
		assert_eq!(Balances::balance(&ALICE), 10_000);
		assert_eq!(Settled::<Test>::get(id), Some(Outcome::TimedOut));
		assert!(events().contains(&Event::TimedOut { id, refunded: fee_of(1) }));
		assert_noop!(
			EventRouter::claim_timeout(RuntimeOrigin::signed(BOB), id, late),
			Error::<Test>::NotInFlight
		);
	});
	// The packet arrives after all: B refuses to execute it, and its answer is ignored.
	n.b.execute_with(|| set_now(1_600_000));
	deliver(&mut n.b, in_flight);
	n.b.execute_with(|| {
		assert_eq!(Inbox::<Test>::get(first_id(A)).unwrap().outcome, Outcome::TimedOut);
	});
	deliver(&mut n.a, drain_outbox());
	n.a.execute_with(|| {
		assert_eq!(Balances::balance(&ALICE), 10_000);
		assert_eq!(events().last(), Some(&Event::AckIgnored { id: first_id(A) }));
	});
}

#[test]
fn a_forwarded_request_proven_late_is_answered_timed_out_to_its_origin() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(C, vec![0], timeout_at(1_500_000)));
	});
	deliver(&mut n.b, drain_outbox());
	let stuck = drain_outbox();
	assert_eq!(stuck.len(), 1, "B forwarded it to C");
	n.b.execute_with(|| {
		let proof = MockProof::of(0, 3, 1_500_001);
		assert_ok!(EventRouter::claim_timeout(RuntimeOrigin::signed(BOB), first_id(A), proof));
		assert!(Forwarded::<Test>::get(first_id(A)).is_none());
	});
	deliver(&mut n.a, drain_outbox());
	n.a.execute_with(|| {
		assert_eq!(Settled::<Test>::get(first_id(A)), Some(Outcome::TimedOut));
		assert_eq!(Balances::balance(&ALICE), 10_000);
	});
}

#[test]
fn an_intermediate_without_a_route_answers_unroutable_and_the_fee_comes_back() {
	let mut n = networks();
	n.b.execute_with(|| {
		assert_ok!(EventRouter::unbind_peer(RuntimeOrigin::root(), C));
	});
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(C, vec![0], timeout_at(2_000_000)));
	});
	deliver(&mut n.b, drain_outbox());
	n.b.execute_with(|| {
		assert!(events().contains(&Event::Unroutable { id: first_id(A), destination: C }));
	});
	deliver(&mut n.a, drain_outbox());
	n.a.execute_with(|| {
		assert_eq!(Settled::<Test>::get(first_id(A)), Some(Outcome::Err(Failure::Unroutable)));
		assert_eq!(Balances::balance(&ALICE), 10_000);
	});
}

#[test]
fn an_ack_with_no_way_back_waits_for_retry() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(2_000_000)));
	});
	let packets = drain_outbox();
	CLOSED_LANES.with(|closed| closed.borrow_mut().push(1));
	deliver(&mut n.b, packets);
	n.b.execute_with(|| {
		let receipt = Inbox::<Test>::get(first_id(A)).unwrap();
		assert!(!receipt.ack_queued);
		assert_eq!(events().last(), Some(&Event::AckStalled { id: first_id(A) }));
		assert!(EventRouter::retry_ack(RuntimeOrigin::signed(BOB), first_id(A)).is_err());
		CLOSED_LANES.with(|closed| closed.borrow_mut().clear());
		assert_ok!(EventRouter::retry_ack(RuntimeOrigin::signed(BOB), first_id(A)));
		assert!(Inbox::<Test>::get(first_id(A)).unwrap().ack_queued);
		assert_noop!(
			EventRouter::retry_ack(RuntimeOrigin::signed(BOB), first_id(A)),
			Error::<Test>::NoStalledAck
		);
	});
	deliver(&mut n.a, drain_outbox());
	n.a.execute_with(|| assert!(matches!(Settled::<Test>::get(first_id(A)), Some(Outcome::Ok(_)))));
}

#[test]
fn a_service_not_served_is_answered_service_unavailable() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(EventRouter::send(
			RuntimeOrigin::signed(ALICE),
			Some(Box::new(location_of(B))),
			Service::Contract,
			vec![0].try_into().unwrap(),
			Weight::from_parts(10, 0),
			timeout_at(2_000_000),
		));
	});
	deliver(&mut n.b, drain_outbox());
	n.b.execute_with(|| {
		assert_eq!(
			Inbox::<Test>::get(first_id(A)).unwrap().outcome,
			Outcome::Err(Failure::ServiceUnavailable)
		);
	});
}

#[test]
fn without_a_destination_the_provider_of_the_service_is_used() {
	let mut n = networks();
	n.a.execute_with(|| {
		let send = || {
			EventRouter::send(
				RuntimeOrigin::signed(ALICE),
				None,
				Service::Xcm,
				vec![0].try_into().unwrap(),
				Weight::zero(),
				timeout_at(2_000_000),
			)
		};
		assert_noop!(send(), Error::<Test>::NoProvider);
		assert_ok!(EventRouter::set_provider(RuntimeOrigin::root(), Service::Xcm, Some(C)));
		assert_ok!(send());
		assert_eq!(Outbox::<Test>::get(first_id(A)).unwrap().flight.destination, C);
	});
}

#[test]
fn bad_requests_are_refused_and_change_nothing() {
	let mut n = networks();
	n.a.execute_with(|| {
		let send = |to: VersionedLocation, weight: Weight, timeout: Timeout, who: AccountId| {
			EventRouter::send(
				RuntimeOrigin::signed(who),
				Some(Box::new(to)),
				Service::Xcm,
				vec![0; 8].try_into().unwrap(),
				weight,
				timeout,
			)
		};
		let ok_weight = Weight::from_parts(1, 0);
		let ok_timeout = timeout_at(2_000_000);
		let here = xcm::latest::Location::here().into();
		let parachain = xcm::latest::Location::new(1, [xcm::latest::Junction::Parachain(7)]).into();
		assert_noop!(
			send(here, ok_weight, ok_timeout, ALICE),
			Error::<Test>::UnsupportedDestination
		);
		assert_noop!(
			send(parachain, ok_weight, ok_timeout, ALICE),
			Error::<Test>::UnsupportedDestination
		);
		assert_noop!(
			send(location_of(A), ok_weight, ok_timeout, ALICE),
			Error::<Test>::DestinationIsSelf
		);
		assert_noop!(
			send(location_of([9; 32]), ok_weight, ok_timeout, ALICE),
			Error::<Test>::NoRoute
		);
		assert_noop!(
			send(location_of(B), ok_weight, Timeout::default(), ALICE),
			Error::<Test>::UnboundedTimeout
		);
		assert_noop!(
			send(location_of(B), ok_weight, timeout_at(1_000_000), ALICE),
			Error::<Test>::TimeoutInPast
		);
		assert_noop!(
			send(location_of(B), MaxDispatchWeight::get().add_ref_time(1), ok_timeout, ALICE),
			Error::<Test>::WeightLimitTooHigh
		);
		// An account that cannot pay the fee.
		assert!(send(location_of(B), ok_weight, ok_timeout, 77).is_err());
		assert_eq!(NextSequence::<Test>::get(), 0);
		assert!(drain_outbox().is_empty());
		// A lane that refuses the packet leaves no hold and no record behind.
		CLOSED_LANES.with(|closed| closed.borrow_mut().push(1));
		let call = crate::Call::<Test>::send {
			destination: Some(Box::new(location_of(B))),
			service: Service::Xcm,
			payload: vec![0; 8].try_into().unwrap(),
			max_weight: ok_weight,
			timeout: ok_timeout,
		};
		assert_noop!(
			RuntimeCall::EventRouter(call)
				.dispatch(RuntimeOrigin::signed(ALICE))
				.map_err(|e| e.error),
			DispatchError::Other("lane closed")
		);
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn a_packet_larger_than_a_lane_carries_is_refused() {
	let mut n = networks();
	n.a.execute_with(|| {
		let send = |len: usize| {
			EventRouter::send(
				RuntimeOrigin::signed(ALICE),
				Some(Box::new(location_of(B))),
				Service::Xcm,
				vec![0; len].try_into().unwrap(),
				Weight::zero(),
				timeout_at(2_000_000),
			)
		};
		// Lanes that carry little: the payload fits the pallet's bound, but not with the
		// envelope around it.
		PACKET_LIMIT.with(|limit| limit.set(MAX_PAYLOAD));
		assert_noop!(send(MAX_PAYLOAD as usize), Error::<Test>::PacketTooLarge);
		assert_ok!(send(64));
		PACKET_LIMIT.with(|limit| limit.set(MAX_PACKET));
	});
}

#[test]
fn governance_alone_binds_peers_and_routes_and_refuses_inconsistent_tables() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_noop!(
			EventRouter::bind_peer(RuntimeOrigin::signed(ALICE), C, 2),
			DispatchError::BadOrigin
		);
		assert_noop!(
			EventRouter::set_next_hop(RuntimeOrigin::signed(ALICE), C, None),
			DispatchError::BadOrigin
		);
		assert_noop!(
			EventRouter::set_provider(RuntimeOrigin::signed(ALICE), Service::Xcm, None),
			DispatchError::BadOrigin
		);
		assert_noop!(
			EventRouter::bind_peer(RuntimeOrigin::root(), B, 2),
			Error::<Test>::PeerAlreadyBound
		);
		assert_noop!(EventRouter::bind_peer(RuntimeOrigin::root(), C, 1), Error::<Test>::LaneInUse);
		assert_noop!(
			EventRouter::bind_peer(RuntimeOrigin::root(), A, 3),
			Error::<Test>::DestinationIsSelf
		);
		assert_noop!(
			EventRouter::set_next_hop(RuntimeOrigin::root(), [9; 32], Some(C)),
			Error::<Test>::NotAPeer
		);
		assert_noop!(EventRouter::unbind_peer(RuntimeOrigin::root(), C), Error::<Test>::NotAPeer);
		assert_ok!(EventRouter::unbind_peer(RuntimeOrigin::root(), B));
		assert!(LanePeers::<Test>::get(1).is_none());
		// With B gone, C is unreachable even though its next hop is still written down.
		assert_noop!(
			send_from_alice(C, vec![0], timeout_at(2_000_000)),
			Error::<Test>::NextHopNotPeer
		);
	});
}

#[test]
fn an_ack_from_a_network_that_did_not_receive_the_request_is_ignored() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(C, vec![0], timeout_at(2_000_000)));
		// B claims to have executed A's request for C.
		let forged =
			Acknowledgement { id: first_id(A), responder: B, outcome: Outcome::Ok([0; 32]) };
		EventRouter::receive(1, &Packet::<AccountId>::Ack(forged).encode());
		assert_eq!(events().last(), Some(&Event::AckIgnored { id: first_id(A) }));
		assert!(Outbox::<Test>::contains_key(first_id(A)));
		assert_eq!(held(ALICE), fee_of(1));
	});
}

/// The three networks, and D beyond C (lane 3 on both): A reaches D through B then C.
fn four_networks() -> (Networks, TestExternalities) {
	let mut n = networks();
	let mut d = network(D);
	n.a.execute_with(|| {
		assert_ok!(EventRouter::set_next_hop(RuntimeOrigin::root(), D, Some(B)));
	});
	n.b.execute_with(|| {
		assert_ok!(EventRouter::set_next_hop(RuntimeOrigin::root(), D, Some(C)));
	});
	n.c.execute_with(|| {
		assert_ok!(EventRouter::bind_peer(RuntimeOrigin::root(), D, 3));
	});
	d.execute_with(|| {
		assert_ok!(EventRouter::bind_peer(RuntimeOrigin::root(), C, 3));
		assert_ok!(EventRouter::set_next_hop(RuntimeOrigin::root(), A, Some(C)));
		assert_ok!(EventRouter::set_next_hop(RuntimeOrigin::root(), B, Some(C)));
	});
	(n, d)
}

pub(super) fn ack_packet(id: MessageId, responder: NetworkAddress, outcome: Outcome) -> Vec<u8> {
	Packet::<AccountId>::Ack(Acknowledgement { id, responder, outcome }).encode()
}

fn decode_ack(bytes: &[u8]) -> Acknowledgement {
	match Packet::<AccountId>::decode(&mut &bytes[..]).unwrap() {
		Packet::Ack(ack) => ack,
		Packet::Request(_) => panic!("an acknowledgement was expected"),
	}
}

#[test]
fn a_give_up_from_a_network_off_the_path_is_ignored_at_the_origin() {
	let mut n = networks();
	n.a.execute_with(|| {
		// A's request goes straight to B; C is reached through B, so B's lane speaks for C.
		assert_ok!(send_from_alice(B, vec![0], timeout_at(2_000_000)));
		for outcome in [Outcome::TimedOut, Outcome::Err(Failure::Unroutable)] {
			EventRouter::receive(1, &ack_packet(first_id(A), C, outcome));
			assert_eq!(events().last(), Some(&Event::AckIgnored { id: first_id(A) }));
		}
		assert!(Outbox::<Test>::contains_key(first_id(A)));
		assert!(Settled::<Test>::get(first_id(A)).is_none());
		assert_eq!(held(ALICE), fee_of(1));
	});
	// B executes the request after all, and its answer settles it.
	deliver(&mut n.b, drain_outbox());
	deliver(&mut n.a, drain_outbox());
	n.a.execute_with(|| {
		assert!(matches!(Settled::<Test>::get(first_id(A)), Some(Outcome::Ok(_))));
		assert_eq!(held(ALICE), fee_of(1), "earned, held until the delivery is confirmed");
		assert_eq!(confirm_delivery(1, RELAYER, 1..=1), 1);
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn an_intermediate_drops_a_forged_give_up_for_a_message_it_did_not_forward() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(2_000_000)));
	});
	let request = drain_outbox();
	// C claims A's message to B timed out, on its own lane to B.
	n.b.execute_with(|| {
		EventRouter::receive(2, &ack_packet(first_id(A), C, Outcome::TimedOut));
		assert_eq!(events().last(), Some(&Event::AckIgnored { id: first_id(A) }));
	});
	assert!(drain_outbox().is_empty(), "B passes nothing on to A");
	n.a.execute_with(|| {
		assert!(Outbox::<Test>::contains_key(first_id(A)));
		assert_eq!(held(ALICE), fee_of(1));
	});
	deliver(&mut n.b, request);
	n.b.execute_with(|| {
		assert!(matches!(Inbox::<Test>::get(first_id(A)).unwrap().outcome, Outcome::Ok(_)));
	});
}

#[test]
fn a_next_hop_short_of_the_destination_may_only_give_up() {
	let (mut n, _d) = four_networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(D, vec![0], timeout_at(2_000_000)));
	});
	deliver(&mut n.b, drain_outbox());
	let to_c = drain_outbox();
	assert_eq!(to_c[0].0, 2, "B forwarded it to C");
	// C, which only forwards towards D, answers as if it had executed the request.
	n.b.execute_with(|| {
		EventRouter::receive(2, &ack_packet(first_id(A), C, Outcome::Ok([0; 32])));
		assert_eq!(events().last(), Some(&Event::AckIgnored { id: first_id(A) }));
		assert!(Forwarded::<Test>::contains_key(first_id(A)));
	});
	assert!(drain_outbox().is_empty());
	n.a.execute_with(|| assert!(Outbox::<Test>::contains_key(first_id(A))));
}

#[test]
fn a_give_up_two_hops_away_reaches_the_origin_in_the_name_of_each_hop() {
	let (mut n, mut d) = four_networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(D, vec![0], timeout_at(1_500_000)));
	});
	deliver(&mut n.b, drain_outbox());
	// C's clock is past the deadline, D's lags behind it: the request stops at C.
	n.c.execute_with(|| set_now(1_500_001));
	d.execute_with(|| set_now(1_400_000));
	deliver(&mut n.c, drain_outbox());
	let from_c = drain_outbox();
	assert_eq!(from_c.len(), 1);
	assert_eq!(from_c[0].0, 2, "C answers towards B, and sends nothing to D");
	assert_eq!(decode_ack(&from_c[0].2).responder, C);
	n.c.execute_with(|| {
		assert!(events().contains(&Event::ForwardTimedOut { id: first_id(A) }));
		assert!(Forwarded::<Test>::get(first_id(A)).is_none());
	});
	deliver(&mut n.b, from_c);
	let from_b = drain_outbox();
	assert_eq!(from_b[0].0, 1);
	// B vouches for its next hop: A hears the answer from its own next hop.
	assert_eq!(
		decode_ack(&from_b[0].2),
		Acknowledgement { id: first_id(A), responder: B, outcome: Outcome::TimedOut }
	);
	n.b.execute_with(|| assert!(Forwarded::<Test>::get(first_id(A)).is_none()));
	deliver(&mut n.a, from_b);
	n.a.execute_with(|| {
		assert_eq!(Settled::<Test>::get(first_id(A)), Some(Outcome::TimedOut));
		assert_eq!(Balances::balance(&ALICE), 10_000);
	});
	d.execute_with(|| assert_eq!(EventRouter::message_status(first_id(A)), MessageStatus::Unknown));
}

#[test]
fn a_timeout_proven_at_an_intermediate_stops_the_request_there() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(C, vec![0], timeout_at(1_500_000)));
	});
	let in_flight = drain_outbox();
	// A proves that B had not received the request when B's clock was past the deadline.
	n.a.execute_with(|| {
		let proof = MockProof::of(0, 2, 1_500_001);
		assert_ok!(EventRouter::claim_timeout(RuntimeOrigin::signed(BOB), first_id(A), proof));
		assert_eq!(Settled::<Test>::get(first_id(A)), Some(Outcome::TimedOut));
		assert_eq!(Balances::balance(&ALICE), 10_000);
	});
	// The request reaches B late all the same. C's clock lags: it would still execute it.
	n.b.execute_with(|| set_now(1_500_001));
	n.c.execute_with(|| set_now(1_499_999));
	deliver(&mut n.b, in_flight);
	let from_b = drain_outbox();
	assert_eq!(from_b.len(), 1);
	assert_eq!(from_b[0].0, 1, "B answers A, and sends nothing to C");
	assert_eq!(
		decode_ack(&from_b[0].2),
		Acknowledgement { id: first_id(A), responder: B, outcome: Outcome::TimedOut }
	);
	n.b.execute_with(|| {
		assert!(events().contains(&Event::ForwardTimedOut { id: first_id(A) }));
		assert!(Forwarded::<Test>::get(first_id(A)).is_none());
	});
	n.c.execute_with(|| {
		assert_eq!(EventRouter::message_status(first_id(A)), MessageStatus::Unknown);
		assert!(frame_support::storage::unhashed::get_raw(TOUCHED_KEY).is_none());
	});
	// Already settled: the answer changes nothing.
	deliver(&mut n.a, from_b);
	n.a.execute_with(|| {
		assert_eq!(events().last(), Some(&Event::AckIgnored { id: first_id(A) }));
		assert_eq!(Balances::balance(&ALICE), 10_000);
	});
}

#[test]
fn a_packet_with_trailing_bytes_is_malformed() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(C, vec![0], timeout_at(2_000_000)));
	});
	let mut packet = drain_outbox().remove(0).2;
	packet.push(0);
	n.b.execute_with(|| {
		// Only the router's own weight is reserved: the request's is not read from it.
		assert_eq!(EventRouter::packet_weight(&packet), EventRouter::packet_weight(&[]));
		EventRouter::receive(1, &packet);
		assert_eq!(
			events().last(),
			Some(&Event::PacketRejected { from: Some(A), reason: Rejection::Malformed })
		);
		assert!(Forwarded::<Test>::get(first_id(A)).is_none());
	});
	assert!(drain_outbox().is_empty(), "nothing is passed on");
}

#[test]
fn a_timeout_proof_larger_than_the_bound_is_refused() {
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(B, vec![0], timeout_at(1_500_000)));
		// A valid proof of a late packet, padded to `size` encoded bytes.
		let padded = |size: usize| {
			let mut proof = MockProof::of(0, 2, 1_500_001);
			proof.padding = vec![0; size - proof.encoded_size()];
			while proof.encoded_size() > size {
				proof.padding.pop();
			}
			assert_eq!(proof.encoded_size(), size);
			proof
		};
		let bound = MAX_TIMEOUT_PROOF_SIZE as usize;
		assert_noop!(
			EventRouter::claim_timeout(RuntimeOrigin::signed(BOB), first_id(A), padded(bound + 1)),
			Error::<Test>::ProofTooLarge
		);
		assert_ok!(EventRouter::claim_timeout(
			RuntimeOrigin::signed(BOB),
			first_id(A),
			padded(bound)
		));
		assert_eq!(Settled::<Test>::get(first_id(A)), Some(Outcome::TimedOut));
	});
}

/// Receives `packet` on `lane` and checks that it used no more than was reserved for it.
fn receive_within_reservation(packet: &[u8], lane: u8) -> (Weight, Weight) {
	let reserved = EventRouter::packet_weight(packet);
	let used = EventRouter::receive(lane, packet);
	assert!(used.all_lte(reserved), "used {used:?} beyond the reserved {reserved:?}");
	(reserved, used)
}

#[test]
fn each_packet_reserves_the_weight_of_its_own_path() {
	type W = ();
	let mut n = networks();
	n.a.execute_with(|| {
		assert_ok!(send_from_alice(C, vec![1], timeout_at(2_000_000)));
	});
	let request = drain_outbox().remove(0).2;
	// B only passes the request on: its own work, not the weight the request may use at C.
	n.b.execute_with(|| {
		let (reserved, _) = receive_within_reservation(&request, 1);
		assert_eq!(reserved, <W as WeightInfo>::forward());
	});
	let forwarded = drain_outbox().remove(0).2;
	n.c.execute_with(|| {
		let (reserved, used) = receive_within_reservation(&forwarded, 2);
		assert_eq!(reserved, <W as WeightInfo>::receive_request().saturating_add(SEND_WEIGHT));
		assert!(used.all_gte(<W as WeightInfo>::receive_request()));
		// The same request again is refused, within the same reservation.
		receive_within_reservation(&forwarded, 2);
		assert_eq!(
			events().last(),
			Some(&Event::PacketRejected { from: Some(B), reason: Rejection::Duplicate })
		);
	});
	let ack = drain_outbox().remove(0).2;
	n.b.execute_with(|| {
		let (reserved, _) = receive_within_reservation(&ack, 2);
		assert_eq!(reserved, <W as WeightInfo>::forward());
	});
	let ack = drain_outbox().remove(0).2;
	n.a.execute_with(|| {
		let (reserved, _) = receive_within_reservation(&ack, 1);
		assert_eq!(reserved, <W as WeightInfo>::receive_ack());
		assert!(Settled::<Test>::contains_key(first_id(A)));
		// Refused packets stay within what any path reserves: an unbound lane, a malformed
		// packet, an author B does not speak for.
		let least = <W as WeightInfo>::receive_request()
			.min(<W as WeightInfo>::receive_ack())
			.min(<W as WeightInfo>::forward());
		assert_eq!(EventRouter::receive(9, &ack), least);
		assert_eq!(EventRouter::packet_weight(&[1, 2, 3]), least);
		assert_eq!(EventRouter::receive(1, &[1, 2, 3]), least);
		assert_eq!(receive_within_reservation(&forwarded, 1).1, least);
		assert_eq!(
			events().last(),
			Some(&Event::PacketRejected { from: Some(B), reason: Rejection::UntrustedAuthor })
		);
	});
}
