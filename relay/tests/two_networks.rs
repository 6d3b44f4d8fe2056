//! Two Plexus networks in one process: two externalities of the real runtime, joined by peer
//! slot 1, with real GRANDPA justifications (bp-test-utils) and real storage proofs passed
//! between them by the relayer's own keys and calls (`plexus_relay::slot`).
//!
//! Requests go alpha → beta, run there as XCM, and their acknowledgements come back. Replayed,
//! reordered and forged deliveries, and forged finality, are refused without a state change.

use bp_header_chain::InitializationData;
use bp_messages::{InboundLaneData, MessageNonce, OutboundLaneData, UnrewardedRelayersState};
use bp_runtime::BasicOperatingMode;
use bp_test_utils::{
	make_default_justification, make_justification_for_header, Account,
	JustificationGeneratorParams, TEST_GRANDPA_SET_ID,
};
use codec::{Decode, Encode};
use frame_support::{
	dispatch::DispatchResultWithPostInfo, traits::fungible::InspectHold, weights::Weight,
};
use pallet_event_router::Event as RouterEvent;
use plexus_primitives::envelope::{MessageId, MessageStatus, Outcome, Service, Timeout};
use plexus_relay::slot::{Justification, Slot};
use plexus_runtime::{
	genesis_config_presets::{genesis_storage, get_preset},
	AccountId, Balances, EventRouter, Executive, Hash, Header, RuntimeCall, RuntimeEvent,
	RuntimeOrigin, System,
};
use sp_consensus_aura::{Slot as AuraSlot, AURA_ENGINE_ID};
use sp_core::storage::StorageKey;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{BlakeTwo256, Dispatchable, Hash as _, Header as _},
	transaction_validity::InvalidTransaction,
	Digest, DigestItem, StateVersion,
};
use sp_state_machine::{prove_read, InMemoryBackend};
use std::collections::HashMap;

const BLOCK_MS: u64 = 3_000;
const SLOT: Slot = Slot(1);

/// One network: its state, its chain of headers, and the state at each of them (to prove from).
struct Network {
	ext: sp_io::TestExternalities,
	genesis: Header,
	best: Header,
	states: HashMap<Hash, InMemoryBackend<sp_core::Blake2Hasher>>,
}

impl Network {
	fn new(id: u32, name: &str) -> Self {
		let mut patch: serde_json::Value =
			serde_json::from_slice(&get_preset(&"local_testnet".into()).unwrap()).unwrap();
		patch["networkInfo"]["networkId"] = id.into();
		patch["networkInfo"]["name"] = name.into();
		patch["networkInfo"]["blockTimeMs"] = BLOCK_MS.into();
		let mut ext = sp_io::TestExternalities::new(genesis_storage(patch).unwrap());
		let state_root = *ext.as_backend().root();
		let extrinsics_root = BlakeTwo256::ordered_trie_root(vec![], StateVersion::V1);
		let genesis = Header::new(0, extrinsics_root, state_root, Hash::zero(), Digest::default());
		let mut states = HashMap::new();
		states.insert(genesis.hash(), ext.as_backend());
		Self { ext, best: genesis.clone(), genesis, states }
	}

	/// The network's address: its genesis hash.
	fn address(&self) -> [u8; 32] {
		self.genesis.hash().0
	}

	/// Builds the next block around `body` and remembers the state it ends in.
	fn block<R>(&mut self, body: impl FnOnce() -> R) -> R {
		let number = self.best.number + 1;
		let now = number as u64 * BLOCK_MS;
		let slot = AuraSlot::from(now / BLOCK_MS);
		let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
		let parent = self.best.hash();
		let (result, header) = self.ext.execute_with(|| {
			Executive::initialize_block(&Header::new(
				number,
				Default::default(),
				Default::default(),
				parent,
				digest,
			));
			plexus_runtime::Timestamp::set(RuntimeOrigin::none(), now).unwrap();
			let result = body();
			(result, Executive::finalize_block())
		});
		self.ext.commit_all().unwrap();
		let state = self.ext.as_backend();
		assert_eq!(*state.root(), header.state_root, "the header commits to the state we prove");
		self.states.insert(header.hash(), state);
		self.best = header;
		result
	}

	/// Reads state after the last block, as an RPC client would.
	fn read<R>(&mut self, read: impl FnOnce() -> R) -> R {
		self.ext.execute_with(read)
	}

	fn prove(&self, at: Hash, keys: &[StorageKey]) -> Vec<Vec<u8>> {
		let state = self.states.get(&at).expect("a header of this network").clone();
		prove_read(state, keys.iter().map(|key| &key.0[..])).unwrap().into_iter_nodes().collect()
	}

	fn events(&mut self) -> Vec<RuntimeEvent> {
		self.read(|| System::events().into_iter().map(|record| record.event).collect())
	}

	fn outbound_lane(&mut self) -> OutboundLaneData {
		let key = SLOT.outbound_lane_key();
		self.read(|| storage::<OutboundLaneData>(&key)).unwrap()
	}

	fn inbound_lane(&mut self) -> InboundLaneData<AccountId> {
		let key = SLOT.inbound_lane_key();
		self.read(|| storage::<InboundLaneData<AccountId>>(&key)).unwrap()
	}
}

fn storage<T: Decode>(key: &StorageKey) -> Option<T> {
	sp_io::storage::get(&key.0).map(|bytes| T::decode(&mut &bytes[..]).unwrap())
}

fn root() -> Vec<u8> {
	sp_io::storage::root(StateVersion::V1)
}

fn fee_hold() -> plexus_runtime::RuntimeHoldReason {
	pallet_event_router::HoldReason::MessageFee.into()
}

fn relayer() -> AccountId {
	Sr25519Keyring::Ferdie.to_account_id()
}

fn signed(call: RuntimeCall, who: AccountId) -> DispatchResultWithPostInfo {
	call.dispatch(RuntimeOrigin::signed(who))
}

/// Runs a governance call (the relayer's calls wrap them in `sudo`) as root.
fn governance(call: RuntimeCall) {
	let call = match call {
		RuntimeCall::Sudo(pallet_sudo::Call::sudo { call }) => *call,
		call => call,
	};
	call.dispatch(RuntimeOrigin::root()).expect("governance call succeeds");
}

/// Dispatches `call`, expects it refused, and checks that it changed no state.
fn refused(call: RuntimeCall) {
	let before = root();
	assert!(signed(call, relayer()).is_err(), "must be refused");
	assert_eq!(root(), before, "a refused call changes nothing");
}

/// Submits `call` as the relayer's signed transaction, with its fees and checks, as a block
/// author includes it: an invalid transaction is dropped with whatever it touched.
fn submit(call: RuntimeCall, genesis: Hash) -> sp_runtime::ApplyExtrinsicResult {
	let nonce = System::account_nonce(relayer());
	let xt = plexus_runtime::signing::sign(call, &Sr25519Keyring::Ferdie.pair(), nonce, genesis);
	sp_io::storage::start_transaction();
	let result = Executive::apply_extrinsic(xt);
	match result {
		Ok(_) => sp_io::storage::commit_transaction(),
		Err(_) => sp_io::storage::rollback_transaction(),
	}
	result
}

/// Expects `call` refused as stale before it runs: no fee, no nonce, no state change.
fn stale(call: RuntimeCall, genesis: Hash) {
	let before = root();
	assert_eq!(submit(call, genesis), Err(InvalidTransaction::Stale.into()));
	assert_eq!(root(), before, "a stale transaction changes nothing");
}

/// Alpha and beta, each with a light client of the other in slot 1 and the router bound to it.
fn bridged() -> (Network, Network) {
	let mut alpha = Network::new(1, "alpha");
	let mut beta = Network::new(2, "beta");
	let (alpha_genesis, beta_genesis) = (alpha.genesis.clone(), beta.genesis.clone());
	for (this, peer) in [(&mut alpha, beta_genesis), (&mut beta, alpha_genesis)] {
		let peer_address = peer.hash();
		this.block(|| {
			governance(SLOT.initialize(InitializationData {
				header: Box::new(peer),
				authority_list: bp_test_utils::authority_list(),
				set_id: TEST_GRANDPA_SET_ID,
				operating_mode: BasicOperatingMode::Normal,
			}));
			governance(SLOT.bind_peer(peer_address));
		});
	}
	(alpha, beta)
}

fn send_request(network: &mut Network, to: [u8; 32], text: &[u8]) -> MessageId {
	network.block(|| {
		let call = RuntimeCall::EventRouter(pallet_event_router::Call::send {
			destination: Some(Box::new(pallet_event_router::location_of(to))),
			service: Service::Xcm,
			payload: plexus_runtime::xcm_config::remark_program(text).try_into().unwrap(),
			max_weight: Weight::from_parts(1_000_000_000, 64 * 1024),
			timeout: Timeout { height: Some(1_000), timestamp: None },
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

/// The relayer's finality call for `source`'s newest header, with a justification by the test
/// authorities the light client was initialised with.
fn finality_call(source: &Network) -> RuntimeCall {
	SLOT.submit_finality_proof(
		source.best.clone(),
		make_default_justification(&source.best),
		TEST_GRANDPA_SET_ID,
	)
}

/// The relayer's delivery call for messages `nonces` of `source`, proven at its newest header,
/// declaring the dispatch weight the relayer would: the router's weight of each packet read
/// back from the source's storage.
fn delivery_call(source: &mut Network, nonces: (MessageNonce, MessageNonce)) -> RuntimeCall {
	let at = source.best.hash();
	let mut keys: Vec<StorageKey> = (nonces.0..=nonces.1).map(|n| SLOT.message_key(n)).collect();
	let weight = source.read(|| {
		keys.iter().fold(Weight::zero(), |total, key| {
			let raw = sp_io::storage::get(&key.0).expect("the message is stored");
			let packet = plexus_relay::slot::packet_of_stored(&raw).expect("a router packet");
			total.saturating_add(EventRouter::packet_weight(&packet))
		})
	});
	keys.push(SLOT.outbound_lane_key());
	SLOT.receive_messages(relayer(), at, source.prove(at, &keys), nonces, weight)
}

/// Imports `source`'s newest header into `target`'s light client.
fn relay_finality(source: &Network, target: &mut Network) {
	let call = finality_call(source);
	target.block(|| signed(call, relayer()).expect("finality proof accepted"));
}

fn deliver(source: &mut Network, target: &mut Network, nonces: (MessageNonce, MessageNonce)) {
	let call = delivery_call(source, nonces);
	target.block(|| signed(call, relayer()).expect("delivery accepted"));
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
	assert_eq!(alpha.outbound_lane().latest_generated_nonce, 2);
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
	assert_eq!(beta.inbound_lane().last_delivered_nonce(), 2);
	assert_eq!(beta.outbound_lane().latest_generated_nonce, 2, "two acks queued");

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
	let held = alpha.read(|| Balances::balance_on_hold(&fee_hold(), &alice));
	assert_eq!(held, 0, "settled fees are no longer held");

	// Delivery confirmations: alpha learns from beta's inbound lane that both were delivered.
	let at = beta.best.hash();
	let proof = beta.prove(at, &[SLOT.inbound_lane_key()]);
	let relayers = UnrewardedRelayersState::from(&beta.inbound_lane());
	let confirm = SLOT.receive_confirmations(at, proof, relayers);
	alpha.block(|| signed(confirm, relayer()).expect("confirmation accepted"));
	assert_eq!(alpha.outbound_lane().latest_received_nonce, 2);
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
	assert_eq!(beta.inbound_lane().last_delivered_nonce(), 1);
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
	assert_eq!(beta.inbound_lane().last_delivered_nonce(), 0);
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
