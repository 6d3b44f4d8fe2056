//! Networks in one process: real runtimes in externalities, each with its chain of headers and
//! the state at each (to prove from), and the relayer's own calls between them, with real
//! GRANDPA justifications (bp-test-utils) and real storage proofs. Fast (no node, no wasm) and
//! deterministic (no clock, no network): the place for protocol tests across networks.

use bp_header_chain::InitializationData;
use bp_messages::{InboundLaneData, MessageNonce, OutboundLaneData};
use bp_runtime::BasicOperatingMode;
use bp_test_utils::{make_default_justification, TEST_GRANDPA_SET_ID};
use codec::{Decode, Encode};
use frame_support::{dispatch::DispatchResultWithPostInfo, weights::Weight};
use plexus_relay::slot::Slot;
use plexus_runtime::{
	genesis_config_presets::{genesis_storage, get_preset},
	AccountId, Executive, Hash, Header, RuntimeCall, RuntimeEvent, RuntimeOrigin, System,
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

pub const BLOCK_MS: u64 = 3_000;

/// One network: its state, its chain of headers, and the state at each of them (to prove from).
pub struct Network {
	pub ext: sp_io::TestExternalities,
	pub genesis: Header,
	pub best: Header,
	pub states: HashMap<Hash, InMemoryBackend<sp_core::Blake2Hasher>>,
}

impl Network {
	pub fn new(id: u32, name: &str) -> Self {
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
	pub fn address(&self) -> [u8; 32] {
		self.genesis.hash().0
	}

	/// Builds the next block around `body` and remembers the state it ends in.
	pub fn block<R>(&mut self, body: impl FnOnce() -> R) -> R {
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
	pub fn read<R>(&mut self, read: impl FnOnce() -> R) -> R {
		self.ext.execute_with(read)
	}

	pub fn prove(&self, at: Hash, keys: &[StorageKey]) -> Vec<Vec<u8>> {
		let state = self.states.get(&at).expect("a header of this network").clone();
		prove_read(state, keys.iter().map(|key| &key.0[..])).unwrap().into_iter_nodes().collect()
	}

	pub fn events(&mut self) -> Vec<RuntimeEvent> {
		self.read(|| System::events().into_iter().map(|record| record.event).collect())
	}

	pub fn outbound_lane(&mut self, slot: Slot) -> OutboundLaneData {
		let key = slot.outbound_lane_key();
		self.read(|| storage::<OutboundLaneData>(&key)).unwrap()
	}

	pub fn inbound_lane(&mut self, slot: Slot) -> InboundLaneData<AccountId> {
		let key = slot.inbound_lane_key();
		self.read(|| storage::<InboundLaneData<AccountId>>(&key)).unwrap()
	}

	/// Queues `packet` on this network's lane of `slot` in a new block, past the router: what a
	/// hostile network (its governance, or its validators) can put on a lane. Returns its nonce.
	pub fn inject(&mut self, slot: Slot, packet: Vec<u8>) -> MessageNonce {
		self.block(|| {
			<plexus_runtime::bridges::PeerSlots as pallet_event_router::Transport>::send(
				slot.0, packet,
			)
			.expect("the lane takes the packet")
		})
	}
}

pub fn storage<T: Decode>(key: &StorageKey) -> Option<T> {
	sp_io::storage::get(&key.0).map(|bytes| T::decode(&mut &bytes[..]).unwrap())
}

pub fn root() -> Vec<u8> {
	sp_io::storage::root(StateVersion::V1)
}

pub fn fee_hold() -> plexus_runtime::RuntimeHoldReason {
	pallet_event_router::HoldReason::MessageFee.into()
}

pub fn relayer() -> AccountId {
	Sr25519Keyring::Ferdie.to_account_id()
}

pub fn signed(call: RuntimeCall, who: AccountId) -> DispatchResultWithPostInfo {
	call.dispatch(RuntimeOrigin::signed(who))
}

/// Runs a governance call (the relayer's calls wrap them in `sudo`) as root.
pub fn governance(call: RuntimeCall) {
	let call = match call {
		RuntimeCall::Sudo(pallet_sudo::Call::sudo { call }) => *call,
		call => call,
	};
	call.dispatch(RuntimeOrigin::root()).expect("governance call succeeds");
}

/// Dispatches `call`, expects it refused, and checks that it changed no state.
pub fn refused(call: RuntimeCall) {
	let before = root();
	assert!(signed(call, relayer()).is_err(), "must be refused");
	assert_eq!(root(), before, "a refused call changes nothing");
}

/// Submits `call` as the relayer's signed transaction, with its fees and checks, as a block
/// author includes it: an invalid transaction is dropped with whatever it touched.
pub fn submit(call: RuntimeCall, genesis: Hash) -> sp_runtime::ApplyExtrinsicResult {
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
pub fn stale(call: RuntimeCall, genesis: Hash) {
	let before = root();
	assert_eq!(submit(call, genesis), Err(InvalidTransaction::Stale.into()));
	assert_eq!(root(), before, "a stale transaction changes nothing");
}

/// The relayer's finality call for `source`'s newest header, with a justification by the test
/// authorities the light client was initialised with.
pub fn finality_call(slot: Slot, source: &Network) -> RuntimeCall {
	slot.submit_finality_proof(
		source.best.clone(),
		make_default_justification(&source.best),
		TEST_GRANDPA_SET_ID,
	)
}

/// The relayer's delivery call for messages `nonces` of `source`, proven at its newest header,
/// declaring the dispatch weight the relayer would: the router's weight of each packet read
/// back from the source's storage.
pub fn delivery_call(
	slot: Slot,
	source: &mut Network,
	nonces: (MessageNonce, MessageNonce),
) -> RuntimeCall {
	let at = source.best.hash();
	let mut keys: Vec<StorageKey> = (nonces.0..=nonces.1).map(|n| slot.message_key(n)).collect();
	let weight = source.read(|| {
		keys.iter().fold(Weight::zero(), |total, key| {
			let raw = sp_io::storage::get(&key.0).expect("the message is stored");
			let packet = plexus_relay::slot::packet_of_stored(&raw).expect("a router packet");
			total.saturating_add(plexus_relay::packet_weight_at_destination(&packet))
		})
	});
	keys.push(slot.outbound_lane_key());
	slot.receive_messages(relayer(), at, source.prove(at, &keys), nonces, weight)
}

/// Imports `source`'s newest header into `target`'s light client.
pub fn relay_finality(slot: Slot, source: &Network, target: &mut Network) {
	let call = finality_call(slot, source);
	target.block(|| signed(call, relayer()).expect("finality proof accepted"));
}

pub fn deliver(
	slot: Slot,
	source: &mut Network,
	target: &mut Network,
	nonces: (MessageNonce, MessageNonce),
) {
	let call = delivery_call(slot, source, nonces);
	target.block(|| signed(call, relayer()).expect("delivery accepted"));
}

/// Joins `a` (peer slot `slot_a`) and `b` (peer slot `slot_b`): each side's light client starts
/// from the other's genesis, and each side's router binds the slot to the other.
pub fn bridge(a: &mut Network, slot_a: Slot, b: &mut Network, slot_b: Slot) {
	let (a_genesis, b_genesis) = (a.genesis.clone(), b.genesis.clone());
	for (this, slot, peer) in [(a, slot_a, b_genesis), (b, slot_b, a_genesis)] {
		let peer_address = peer.hash();
		this.block(|| {
			governance(slot.initialize(InitializationData {
				header: Box::new(peer),
				authority_list: bp_test_utils::authority_list(),
				set_id: TEST_GRANDPA_SET_ID,
				operating_mode: BasicOperatingMode::Normal,
			}));
			governance(slot.bind_peer(peer_address));
		});
	}
}
