//! Two Plexus networks in one process: two externalities of the real runtime, joined by peer
//! slot 1, with real GRANDPA justifications (bp-test-utils) and real storage proofs passed
//! between them by the relayer's own keys and calls (`plexus_relay::slot`).
//!
//! Requests go alpha → beta, run there as XCM, and their acknowledgements come back. Replayed,
//! reordered and forged deliveries, and forged finality, are refused without a state change.

use bp_messages::{MessageNonce, UnrewardedRelayersState};
use bp_test_utils::{
	make_default_justification, make_justification_for_header, Account,
	JustificationGeneratorParams, TEST_GRANDPA_SET_ID,
};
use codec::{Decode, Encode};
use frame_support::{traits::fungible::InspectHold, weights::Weight};
use pallet_event_router::Event as RouterEvent;
use plexus_primitives::envelope::{MessageId, MessageStatus, Outcome, Service, Timeout};
use plexus_relay::slot::{Justification, Slot};
use plexus_runtime::{Balances, EventRouter, Hash, RuntimeCall, RuntimeEvent, System};
use sp_keyring::Sr25519Keyring;

use plexus_testkit::in_process::{self as common, *};

const SLOT: Slot = Slot(1);

/// Alpha and beta, each with a light client of the other in slot 1 and the router bound to it.
fn bridged() -> (Network, Network) {
	let mut alpha = Network::new(1, "alpha");
	let mut beta = Network::new(2, "beta");
	bridge(&mut alpha, SLOT, &mut beta, SLOT);
	(alpha, beta)
}

fn send_request(network: &mut Network, to: [u8; 32], text: &[u8]) -> MessageId {
	network.block(|| {
		let call = RuntimeCall::EventRouter(pallet_event_router::Call::send {
			destination: Some(Box::new(pallet_event_router::location_of(to))),
			service: Service::Xcm,
			payload: plexus_runtime::xcm_config::remark_program(text).try_into().unwrap(),
			max_weight: Weight::from_parts(1_000_000_000, 64 * 1024),
			// The router requires a timestamp; blocks are 3 s apart from t = 3 s.
			timeout: Timeout { height: Some(1_000), timestamp: Some(1_000_000) },
		});
		signed(call, Sr25519Keyring::Alice.to_account_id()).expect("send succeeds");
		System::events()
			.into_iter()
			.find_map(|record| match record.event {
				RuntimeEvent::EventRouter(RouterEvent::Sent { id, .. }) => Some(id),
				_ => None,
			})
			.expect("a Sent event")
	})
}

fn finality_call(source: &Network) -> RuntimeCall {
	common::finality_call(SLOT, source)
}

fn delivery_call(source: &mut Network, nonces: (MessageNonce, MessageNonce)) -> RuntimeCall {
	common::delivery_call(SLOT, source, nonces)
}

fn relay_finality(source: &Network, target: &mut Network) {
	common::relay_finality(SLOT, source, target)
}

fn deliver(source: &mut Network, target: &mut Network, nonces: (MessageNonce, MessageNonce)) {
	common::deliver(SLOT, source, target, nonces)
}

fn executed(network: &mut Network) -> Vec<(MessageId, Outcome)> {
	network
		.events()
		.into_iter()
		.filter_map(|event| match event {
			RuntimeEvent::EventRouter(RouterEvent::Executed { id, outcome, .. }) => {
				Some((id, outcome))
			},
			_ => None,
		})
		.collect()
}

#[test]
fn requests_are_delivered_once_in_order_and_their_acks_settle_them() {
	let (mut alpha, mut beta) = bridged();
	let first = send_request(&mut alpha, beta.address(), b"first");
	let second = send_request(&mut alpha, beta.address(), b"second");
	assert_eq!(alpha.outbound_lane(SLOT).latest_generated_nonce, 2);
	let alice = Sr25519Keyring::Alice.to_account_id();
	let held = alpha.read(|| Balances::balance_on_hold(&fee_hold(), &alice));
	assert!(held > 0, "the fees are held until the acks");

	relay_finality(&alpha, &mut beta);
	deliver(&mut alpha, &mut beta, (1, 2));
	let outcomes = executed(&mut beta);
	assert_eq!(outcomes.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![first, second]);
	assert!(outcomes.iter().all(|(_, outcome)| matches!(outcome, Outcome::Ok(_))), "{outcomes:?}");
	let remarks = beta
		.events()
		.into_iter()
		.filter(|event| matches!(event, RuntimeEvent::System(frame_system::Event::Remarked { .. })))
		.count();
	assert_eq!(remarks, 2, "each request ran once");
	assert_eq!(beta.inbound_lane(SLOT).last_delivered_nonce(), 2);
	assert_eq!(beta.outbound_lane(SLOT).latest_generated_nonce, 2, "two acks queued");

	// The acks come back, and settle both requests on alpha.
	relay_finality(&beta, &mut alpha);
	deliver(&mut beta, &mut alpha, (1, 2));
	let acknowledged: Vec<MessageId> = alpha
		.events()
		.into_iter()
		.filter_map(|event| match event {
			RuntimeEvent::EventRouter(RouterEvent::Acknowledged { id, .. }) => Some(id),
			_ => None,
		})
		.collect();
	assert_eq!(acknowledged, vec![first, second]);
	// Settled on alpha with the very outcome beta reached.
	for (id, outcome) in outcomes {
		assert_eq!(alpha.read(|| EventRouter::message_status(id)), MessageStatus::Settled(outcome));
	}
	let fees = held;
	let held = alpha.read(|| Balances::balance_on_hold(&fee_hold(), &alice));
	assert_eq!(held, fees, "answered: the fees are earned, held until the relayer is known");

	// Delivery confirmations: alpha learns from beta's inbound lane that both were delivered,
	// and by whom: the relayer is paid the fees.
	let relayer_before = alpha.read(|| Balances::free_balance(relayer()));
	let at = beta.best.hash();
	let proof = beta.prove(at, &[SLOT.inbound_lane_key()]);
	let relayers = UnrewardedRelayersState::from(&beta.inbound_lane(SLOT));
	let confirm = SLOT.receive_confirmations(at, proof, relayers);
	alpha.block(|| signed(confirm, relayer()).expect("confirmation accepted"));
	assert_eq!(alpha.outbound_lane(SLOT).latest_received_nonce, 2);
	let paid: Vec<MessageId> = alpha
		.events()
		.into_iter()
		.filter_map(|event| match event {
			RuntimeEvent::EventRouter(RouterEvent::RelayerPaid { id, relayer: who, .. }) => {
				assert_eq!(who, relayer());
				Some(id)
			},
			_ => None,
		})
		.collect();
	assert_eq!(paid, vec![first, second]);
	assert_eq!(alpha.read(|| Balances::balance_on_hold(&fee_hold(), &alice)), 0);
	assert_eq!(alpha.read(|| Balances::free_balance(relayer())), relayer_before + fees);
}

#[test]
fn a_replayed_delivery_is_refused() {
	let (mut alpha, mut beta) = bridged();
	send_request(&mut alpha, beta.address(), b"once");
	relay_finality(&alpha, &mut beta);
	let delivery = delivery_call(&mut alpha, (1, 1));
	let genesis = beta.genesis.hash();
	beta.block(|| submit(delivery.clone(), genesis).expect("valid").expect("first delivery"));
	assert_eq!(executed(&mut beta).len(), 1);
	beta.block(|| stale(delivery, genesis));
	assert!(executed(&mut beta).is_empty(), "nothing ran the second time");
	assert_eq!(beta.inbound_lane(SLOT).last_delivered_nonce(), 1);
	// Replaying the finality proof is refused the same way.
	beta.block(|| stale(finality_call(&alpha), genesis));
}

#[test]
fn a_delivery_out_of_order_is_refused() {
	let (mut alpha, mut beta) = bridged();
	send_request(&mut alpha, beta.address(), b"one");
	send_request(&mut alpha, beta.address(), b"two");
	relay_finality(&alpha, &mut beta);
	let genesis = beta.genesis.hash();
	beta.block(|| stale(delivery_call(&mut alpha, (2, 2)), genesis));
	assert_eq!(beta.inbound_lane(SLOT).last_delivered_nonce(), 0);
	// In order, both arrive.
	deliver(&mut alpha, &mut beta, (1, 2));
	assert_eq!(executed(&mut beta).len(), 2);
}

#[test]
fn forged_message_proofs_are_refused() {
	let (mut alpha, mut beta) = bridged();
	send_request(&mut alpha, beta.address(), b"genuine");

	// Proven at a header beta's light client never imported.
	beta.block(|| refused(delivery_call(&mut alpha, (1, 1))));

	relay_finality(&alpha, &mut beta);
	let genuine = delivery_call(&mut alpha, (1, 1));

	// A tampered proof: one trie node altered.
	let tampered = tamper_proof(genuine.clone(), |nodes| {
		let node = nodes.iter_mut().max_by_key(|node| node.len()).unwrap();
		let last = node.len() - 1;
		node[last] ^= 0x01;
	});
	beta.block(|| refused(tampered));

	// A proof missing the message.
	let truncated = tamper_proof(genuine.clone(), |nodes| {
		nodes.sort_by_key(|node| node.len());
		nodes.pop();
	});
	beta.block(|| refused(truncated));

	// A message from a third network, proven at its own header: beta knows no such header.
	let mut gamma = Network::new(3, "gamma");
	gamma.block(|| {
		governance(SLOT.bind_peer(beta.genesis.hash()));
	});
	send_request(&mut gamma, beta.address(), b"forged");
	beta.block(|| refused(delivery_call(&mut gamma, (1, 1))));

	assert!(executed(&mut beta).is_empty());
	// The genuine proof still works after all that.
	beta.block(|| signed(genuine, relayer()).expect("genuine delivery"));
	assert_eq!(executed(&mut beta).len(), 1);
}

fn tamper_proof(call: RuntimeCall, tamper: impl FnOnce(&mut Vec<Vec<u8>>)) -> RuntimeCall {
	let RuntimeCall::BridgeSlot1Messages(pallet_bridge_messages::Call::receive_messages_proof {
		relayer_id_at_bridged_chain,
		mut proof,
		messages_count,
		dispatch_weight,
	}) = call
	else {
		panic!("a delivery call")
	};
	tamper(&mut proof.storage_proof);
	RuntimeCall::BridgeSlot1Messages(pallet_bridge_messages::Call::receive_messages_proof {
		relayer_id_at_bridged_chain,
		proof,
		messages_count,
		dispatch_weight,
	})
}

#[test]
fn forged_finality_is_refused() {
	let (mut alpha, mut beta) = bridged();
	send_request(&mut alpha, beta.address(), b"finality");
	let header = alpha.best.clone();
	let finality = |justification: Justification, set_id: u64| {
		SLOT.submit_finality_proof(header.clone(), justification, set_id)
	};

	// A bad signature.
	let mut bad_signature = make_default_justification(&header);
	let mut signature = bad_signature.commit.precommits[0].signature.encode();
	signature[0] ^= 0x01;
	bad_signature.commit.precommits[0].signature = Decode::decode(&mut &signature[..]).unwrap();
	beta.block(|| refused(finality(bad_signature, TEST_GRANDPA_SET_ID)));

	// Signed by authorities the light client does not know.
	let strangers = make_justification_for_header(JustificationGeneratorParams {
		header: header.clone(),
		authorities: vec![(Account(10), 1), (Account(11), 1), (Account(12), 1)],
		..Default::default()
	});
	beta.block(|| refused(finality(strangers, TEST_GRANDPA_SET_ID)));

	// The right authorities, but for another set.
	let next_set = make_justification_for_header(JustificationGeneratorParams {
		header: header.clone(),
		set_id: TEST_GRANDPA_SET_ID + 1,
		..Default::default()
	});
	beta.block(|| refused(finality(next_set.clone(), TEST_GRANDPA_SET_ID + 1)));
	beta.block(|| refused(finality(next_set, TEST_GRANDPA_SET_ID)));

	// A justification for another header.
	let mut other = header.clone();
	other.state_root = Hash::repeat_byte(0xaa);
	beta.block(|| refused(finality(make_default_justification(&other), TEST_GRANDPA_SET_ID)));

	// Nothing was imported: messages proven at that header are still refused.
	beta.block(|| refused(delivery_call(&mut alpha, (1, 1))));

	// The genuine proof is accepted once, and not again.
	beta.block(|| signed(finality_call(&alpha), relayer()).expect("genuine finality"));
	let genesis = beta.genesis.hash();
	beta.block(|| stale(finality_call(&alpha), genesis));
	deliver(&mut alpha, &mut beta, (1, 1));
	assert_eq!(executed(&mut beta).len(), 1);
}
