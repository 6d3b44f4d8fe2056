//! What the bridge pallets' benchmarks and the router's need from this runtime (only with
//! `runtime-benchmarks`).
//!
//! The bridge pallets are measured on peer slot 1 (`BridgeSlot1Grandpa`, `BridgeSlot1Messages`):
//! every slot has the same configuration and the same bridged chain, so slot 1's weights are
//! every slot's. A message or delivery proof is a storage proof of made-up peer state, whose
//! root goes into slot 1's light client as an imported header, so the messages pallet checks
//! it exactly as it checks a relayed one.

use super::*;
use bp_messages::{
	source_chain::FromBridgedChainMessagesDeliveryProof,
	target_chain::FromBridgedChainMessagesProof,
};
use frame_support::instances::Instance1;
use pallet_bridge_messages::{
	benchmarking::{MessageDeliveryProofParams, MessageProofParams},
	messages_generation::{
		encode_all_messages, encode_lane_data, generate_dummy_message,
		prepare_message_delivery_storage_proof, prepare_messages_storage_proof,
	},
};

/// Imports a peer header of slot 1 whose state root is `state_root`; returns its hash.
fn import_slot1_state(state_root: Hash) -> Hash {
	use sp_runtime::traits::Header as _;
	let header = Header::new(1, Hash::default(), state_root, Hash::default(), Default::default());
	let hash = header.hash();
	pallet_bridge_grandpa::initialize_for_benchmarks::<Runtime, Instance1>(header);
	hash
}

/// Binds slot 1 to a peer, so that its lane is active (see [`RouterDispatch::is_active`]).
fn bind_slot1() {
	let peer = [0xb1; 32];
	pallet_event_router::Peers::<Runtime>::insert(peer, 1u8);
	pallet_event_router::LanePeers::<Runtime>::insert(1u8, peer);
}

impl pallet_bridge_messages::benchmarking::Config<Instance1> for Runtime {
	fn bench_lane_id() -> LegacyLaneId {
		SLOT_LANE
	}

	fn prepare_message_proof(
		params: MessageProofParams<LegacyLaneId>,
	) -> (FromBridgedChainMessagesProof<Hash, LegacyLaneId>, Weight) {
		bind_slot1();
		let nonces = params.message_nonces.clone();
		let (state_root, storage_proof) =
			prepare_messages_storage_proof::<SlotPeer<1>, SlotPeer<1>, LegacyLaneId>(
				params.lane,
				params.message_nonces,
				params.outbound_lane_data,
				params.proof_params,
				generate_dummy_message,
				encode_all_messages,
				encode_lane_data,
				false,
				false,
			);
		// Each delivered packet is declared at what the router says it weighs (RouterDispatch).
		let count = nonces.end().saturating_sub(*nonces.start()) + 1;
		let dispatch_weight = EventRouter::packet_weight(&generate_dummy_message(*nonces.start()))
			.saturating_mul(count);
		let proof = FromBridgedChainMessagesProof {
			bridged_header_hash: import_slot1_state(state_root),
			storage_proof,
			lane: params.lane,
			nonces_start: *nonces.start(),
			nonces_end: *nonces.end(),
		};
		(proof, dispatch_weight)
	}

	fn prepare_message_delivery_proof(
		params: MessageDeliveryProofParams<AccountId, LegacyLaneId>,
	) -> FromBridgedChainMessagesDeliveryProof<Hash, LegacyLaneId> {
		let (state_root, storage_proof) =
			prepare_message_delivery_storage_proof::<SlotPeer<1>, SlotPeer<1>, LegacyLaneId>(
				params.lane,
				params.inbound_lane_data,
				params.proof_params,
			);
		FromBridgedChainMessagesDeliveryProof {
			bridged_header_hash: import_slot1_state(state_root),
			storage_proof,
			lane: params.lane,
		}
	}

	/// Relayers are paid by the router out of the fees it holds per packet
	/// ([`RouterRelayerPayments`]); these benchmarks confirm nonces that carry no router packet,
	/// so nothing is paid here, and [`SlotMessagesWeight`] adds the router's measured cost per
	/// confirmed message on top of what these benchmarks measure. The benchmarks' check that a
	/// reward happened does not apply.
	fn is_relayer_rewarded(_relayer: &AccountId) -> bool {
		true
	}
}

/// For the router's benchmarks: slots 1 and 2 (opened in every preset), and a proof of a late
/// packet made by importing a peer header whose state root commits to exactly what the prover
/// reads.
pub struct BenchmarkHelper;

impl pallet_event_router::traits::BenchmarkHelper<u8, PeerStateProof> for BenchmarkHelper {
	fn lanes() -> (u8, u8) {
		(1, 2)
	}

	fn late_proof(lane: u8, _nonce: u64, _timeout: &Timeout) -> PeerStateProof {
		use bp_header_chain::StoredHeaderData;
		use frame_support::instances::*;
		use sp_trie::{trie_types::TrieDBMutBuilderV1, LayoutV1, MemoryDB, TrieMut};

		let entries = [
			(
				bp_runtime::storage_map_final_key::<Blake2_128Concat>(
					MESSAGES_PALLETS[lane as usize - 1],
					"InboundLanes",
					&SLOT_LANE.encode(),
				)
				.0,
				InboundLaneData::<AccountId>::opened().encode(),
			),
			(
				bp_runtime::storage_value_final_key(b"System", b"Number").to_vec(),
				BlockNumber::MAX.encode(),
			),
			(bp_runtime::storage_value_final_key(b"Timestamp", b"Now").to_vec(), u64::MAX.encode()),
		];
		let mut db = MemoryDB::<BlakeTwo256>::new(&[0u8]);
		let mut state_root = Hash::default();
		{
			let mut trie = TrieDBMutBuilderV1::<BlakeTwo256>::new(&mut db, &mut state_root).build();
			for (key, value) in &entries {
				trie.insert(key.as_ref(), value).expect("an in-memory trie accepts inserts");
			}
		}
		let storage_proof =
			bp_runtime::record_all_trie_keys::<LayoutV1<BlakeTwo256>, _>(&db, &state_root)
				.expect("the trie was just built");
		let header_hash = Hash::repeat_byte(lane);
		let header = StoredHeaderData { number: BlockNumber::MAX, state_root };
		match lane {
			1 => pallet_bridge_grandpa::ImportedHeaders::<Runtime, Instance1>::insert(
				header_hash,
				header,
			),
			2 => pallet_bridge_grandpa::ImportedHeaders::<Runtime, Instance2>::insert(
				header_hash,
				header,
			),
			3 => pallet_bridge_grandpa::ImportedHeaders::<Runtime, Instance3>::insert(
				header_hash,
				header,
			),
			_ => pallet_bridge_grandpa::ImportedHeaders::<Runtime, Instance4>::insert(
				header_hash,
				header,
			),
		}
		PeerStateProof { header_hash, storage_proof }
	}
}
