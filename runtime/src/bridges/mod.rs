//! Peer slots: the bridge pallets under the event router (see docs/bridges.md).
//!
//! Slot `K` is one `pallet-bridge-grandpa` instance (`BridgeSlot{K}Grandpa`, a light client of
//! the peer) and one `pallet-bridge-messages` instance (`BridgeSlot{K}Messages`, one lane to the
//! peer). A bridge uses the same slot on both of its ends, so the pallet names under which one
//! side proves its storage are the names the other side reads: [`SlotPeer<K>`] describes both
//! ends at once.

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod obsolete_calls;
#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::BenchmarkHelper;
pub use obsolete_calls::RejectObsoleteBridgeCalls;

use crate::*;
use alloc::collections::VecDeque;
use bp_messages::{
	source_chain::{DeliveryConfirmationPayments, MessagesBridge},
	target_chain::{DispatchMessage, MessageDispatch},
	ChainWithMessages, InboundLaneData, LegacyLaneId, MessageNonce, UnrewardedRelayer,
};
use bp_runtime::{Chain, ChainId, RawStorageProof, StorageProofChecker};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::ops::RangeInclusive;
use frame_support::{
	dispatch::DispatchClass, parameter_types, traits::ConstU32, weights::Weight, Blake2_128Concat,
};
use pallet_event_router::{traits::PeerLaneState, DeliveryProver, Timeout, Transport};
use scale_info::TypeInfo;
use sp_runtime::{traits::BlakeTwo256, DispatchError, DispatchResult, StateVersion};

/// How many direct peers a network can have.
pub const PEER_SLOTS: u8 = 4;

/// The one lane of every slot. It is opened in every network's genesis.
pub const SLOT_LANE: LegacyLaneId = LegacyLaneId([0, 0, 0, 1]);

const GRANDPA_PALLETS: [&str; PEER_SLOTS as usize] =
	["BridgeSlot1Grandpa", "BridgeSlot2Grandpa", "BridgeSlot3Grandpa", "BridgeSlot4Grandpa"];
const MESSAGES_PALLETS: [&str; PEER_SLOTS as usize] =
	["BridgeSlot1Messages", "BridgeSlot2Messages", "BridgeSlot3Messages", "BridgeSlot4Messages"];

/// A Plexus network seen through peer slot `K` (1-based). Every network runs this runtime, so
/// the type is the same on both ends of a bridge.
pub struct SlotPeer<const K: u8>;

impl<const K: u8> Chain for SlotPeer<K> {
	const ID: ChainId = [b'p', b'l', b'x', b'0' + K];
	type BlockNumber = BlockNumber;
	type Hash = Hash;
	type Hasher = BlakeTwo256;
	type Header = Header;
	type AccountId = AccountId;
	type Balance = Balance;
	type Nonce = Nonce;
	type Signature = Signature;
	const STATE_VERSION: StateVersion = StateVersion::V1;

	fn max_extrinsic_size() -> u32 {
		*configs::RuntimeBlockLength::get().max.get(DispatchClass::Normal)
	}

	fn max_extrinsic_weight() -> Weight {
		configs::RuntimeBlockWeights::get()
			.get(DispatchClass::Normal)
			.max_extrinsic
			.unwrap_or(Weight::zero())
	}
}

impl<const K: u8> bp_header_chain::ChainWithGrandpa for SlotPeer<K> {
	const WITH_CHAIN_GRANDPA_PALLET_NAME: &'static str = GRANDPA_PALLETS[K as usize - 1];
	const MAX_AUTHORITIES_COUNT: u32 = configs::MAX_AUTHORITIES;
	const REASONABLE_HEADERS_IN_JUSTIFICATION_ANCESTRY: u32 = 16;
	const MAX_MANDATORY_HEADER_SIZE: u32 = 64 * 1024;
	const AVERAGE_HEADER_SIZE: u32 = 512;
}

impl<const K: u8> ChainWithMessages for SlotPeer<K> {
	const WITH_CHAIN_MESSAGES_PALLET_NAME: &'static str = MESSAGES_PALLETS[K as usize - 1];
	const MAX_UNREWARDED_RELAYERS_IN_CONFIRMATION_TX: MessageNonce = 16;
	const MAX_UNCONFIRMED_MESSAGES_IN_CONFIRMATION_TX: MessageNonce = 4096;
}

parameter_types! {
	/// Peer headers (state roots) kept for proofs: about a day at 3 s blocks.
	pub const HeadersToKeep: u32 = 28_800;
}

/// Hands the packets delivered on slot `K` to the event router. The lane is inactive (packets
/// wait in it) until governance binds the slot to a peer.
pub struct RouterDispatch<const K: u8>;

impl<const K: u8> MessageDispatch for RouterDispatch<K> {
	type DispatchPayload = Vec<u8>;
	type DispatchLevelResult = ();
	type LaneId = LegacyLaneId;

	fn is_active(lane: LegacyLaneId) -> bool {
		lane == SLOT_LANE && pallet_event_router::LanePeers::<Runtime>::contains_key(K)
	}

	fn dispatch_weight(message: &mut DispatchMessage<Vec<u8>, LegacyLaneId>) -> Weight {
		match &message.data.payload {
			Ok(packet) => EventRouter::packet_weight(packet),
			Err(_) => EventRouter::packet_weight(&[]),
		}
	}

	fn dispatch(
		mut message: DispatchMessage<Vec<u8>, LegacyLaneId>,
	) -> bp_runtime::messages::MessageDispatchResult<()> {
		let declared = Self::dispatch_weight(&mut message);
		// A payload that is not even a byte vector is handed over empty: the router records it
		// as malformed.
		let packet = message.data.payload.unwrap_or_default();
		let used = EventRouter::receive(K, &packet);
		bp_runtime::messages::MessageDispatchResult {
			unspent_weight: declared.saturating_sub(used),
			dispatch_level_result: (),
		}
	}
}

/// Pays the router's message fees out of their holds when the peer of slot `K` confirms the
/// delivery of our packets: the confirmation names, per range of lane nonces, the relayer that
/// delivered them (its account here, `relayer_id_at_bridged_chain`). The bridge bounds the work:
/// at most `MAX_UNREWARDED_RELAYERS_IN_CONFIRMATION_TX` relayers and
/// `MAX_UNCONFIRMED_MESSAGES_IN_CONFIRMATION_TX` nonces per confirmation, each nonce weighed in
/// the confirmation's weight by [`SlotMessagesWeight`]. The relayer submitting the confirmation
/// is not paid for it.
pub struct RouterRelayerPayments<const K: u8>;

impl<const K: u8> DeliveryConfirmationPayments<AccountId, LegacyLaneId>
	for RouterRelayerPayments<K>
{
	type Error = &'static str;

	fn pay_reward(
		lane: LegacyLaneId,
		relayers: VecDeque<UnrewardedRelayer<AccountId>>,
		_confirmation_relayer: &AccountId,
		received: &RangeInclusive<MessageNonce>,
	) -> MessageNonce {
		if lane != SLOT_LANE {
			return 0;
		}
		let mut relayers_with_messages = 0;
		for entry in relayers {
			// Entries may reach back before this confirmation: only newly confirmed nonces count.
			let first = entry.messages.begin.max(*received.start());
			let last = entry.messages.end.min(*received.end());
			if first <= last {
				EventRouter::on_delivery_confirmed(K, &entry.relayer, first..=last);
				relayers_with_messages += 1;
			}
		}
		relayers_with_messages
	}
}

/// The bridge's messages weights, plus the router's work per confirmed message
/// ([`RouterRelayerPayments`]: a read, and at worst a payment), which the bridge's benchmarks
/// do not see. The confirmation's weight counts the single-message benchmark once and the
/// difference to two messages per message, so each benchmark gets the router's cost once per
/// message it confirms.
pub struct SlotMessagesWeight;

fn router_cost_per_confirmed_message() -> Weight {
	EventRouter::delivery_confirmed_weight(1, 1)
}

impl pallet_bridge_messages::WeightInfo for SlotMessagesWeight {
	fn receive_single_message_proof() -> Weight {
		BridgeMessagesWeight::receive_single_message_proof()
	}
	fn receive_n_messages_proof(n: u32) -> Weight {
		BridgeMessagesWeight::receive_n_messages_proof(n)
	}
	fn receive_single_message_proof_with_outbound_lane_state() -> Weight {
		BridgeMessagesWeight::receive_single_message_proof_with_outbound_lane_state()
	}
	fn receive_single_n_bytes_message_proof(n: u32) -> Weight {
		BridgeMessagesWeight::receive_single_n_bytes_message_proof(n)
	}
	fn receive_delivery_proof_for_single_message() -> Weight {
		BridgeMessagesWeight::receive_delivery_proof_for_single_message()
			.saturating_add(router_cost_per_confirmed_message())
	}
	fn receive_delivery_proof_for_two_messages_by_single_relayer() -> Weight {
		BridgeMessagesWeight::receive_delivery_proof_for_two_messages_by_single_relayer()
			.saturating_add(router_cost_per_confirmed_message().saturating_mul(2))
	}
	fn receive_delivery_proof_for_two_messages_by_two_relayers() -> Weight {
		BridgeMessagesWeight::receive_delivery_proof_for_two_messages_by_two_relayers()
			.saturating_add(router_cost_per_confirmed_message().saturating_mul(2))
	}
	fn receive_single_n_bytes_message_proof_with_dispatch(n: u32) -> Weight {
		BridgeMessagesWeight::receive_single_n_bytes_message_proof_with_dispatch(n)
	}
}

impl pallet_bridge_messages::WeightInfoExt for SlotMessagesWeight {
	/// The proof-size allowance that the bridge's own configuration uses (a size, not a time).
	fn expected_extra_storage_proof_size() -> u32 {
		<pallet_bridge_messages::weights::BridgeWeight<Runtime> as pallet_bridge_messages::WeightInfoExt>::expected_extra_storage_proof_size()
	}
	fn receive_messages_proof_overhead_from_runtime() -> Weight {
		Weight::zero()
	}
	fn receive_messages_delivery_proof_overhead_from_runtime() -> Weight {
		Weight::zero()
	}
}

/// The messages pallet's calls, measured on slot 1 (`bridges/benchmarking.rs`).
type BridgeMessagesWeight = crate::weights::pallet_bridge_messages::WeightInfo<Runtime>;

/// The light client's calls, measured on slot 1 (`bridges/benchmarking.rs`).
type BridgeGrandpaWeight = crate::weights::pallet_bridge_grandpa::WeightInfo<Runtime>;

/// No transaction extension here adds work to a finality proof's import
/// (`RejectObsoleteBridgeCalls` is weighed as an extension of its own).
impl pallet_bridge_grandpa::WeightInfoExt for BridgeGrandpaWeight {
	fn submit_finality_proof_overhead_from_runtime() -> Weight {
		Weight::zero()
	}
}

macro_rules! peer_slot {
	($k:literal, $instance:ident) => {
		impl pallet_bridge_grandpa::Config<frame_support::instances::$instance> for Runtime {
			type RuntimeEvent = RuntimeEvent;
			type BridgedChain = SlotPeer<$k>;
			// Relaying is not paid for here: every header costs its submitter the normal fee.
			type MaxFreeHeadersPerBlock = ConstU32<0>;
			type FreeHeadersInterval = ();
			type HeadersToKeep = HeadersToKeep;
			type WeightInfo = BridgeGrandpaWeight;
		}

		impl pallet_bridge_messages::Config<frame_support::instances::$instance> for Runtime {
			type RuntimeEvent = RuntimeEvent;
			type WeightInfo = SlotMessagesWeight;
			type ThisChain = SlotPeer<$k>;
			type BridgedChain = SlotPeer<$k>;
			type BridgedHeaderChain = pallet_bridge_grandpa::GrandpaChainHeaders<
				Runtime,
				frame_support::instances::$instance,
			>;
			type OutboundPayload = Vec<u8>;
			type InboundPayload = Vec<u8>;
			type LaneId = LegacyLaneId;
			type DeliveryPayments = ();
			type DeliveryConfirmationPayments = RouterRelayerPayments<$k>;
			type OnMessagesDelivered = ();
			type MessageDispatch = RouterDispatch<$k>;
		}
	};
}

peer_slot!(1, Instance1);
peer_slot!(2, Instance2);
peer_slot!(3, Instance3);
peer_slot!(4, Instance4);

/// The router's transport and prover over the peer slots. Its lanes are slot numbers.
pub struct PeerSlots;

fn send_on<I: 'static>(packet: Vec<u8>) -> Result<u64, DispatchError>
where
	Runtime: pallet_bridge_messages::Config<I, OutboundPayload = Vec<u8>, LaneId = LegacyLaneId>,
{
	let args = pallet_bridge_messages::Pallet::<Runtime, I>::validate_message(SLOT_LANE, &packet)
		.map_err(|_| DispatchError::Other("the peer slot's lane refused the packet"))?;
	Ok(pallet_bridge_messages::Pallet::<Runtime, I>::send_message(args).nonce)
}

impl Transport for PeerSlots {
	type Lane = u8;

	fn send(lane: u8, packet: Vec<u8>) -> Result<u64, DispatchError> {
		use frame_support::instances::*;
		match lane {
			1 => send_on::<Instance1>(packet),
			2 => send_on::<Instance2>(packet),
			3 => send_on::<Instance3>(packet),
			4 => send_on::<Instance4>(packet),
			_ => Err(DispatchError::Other("no such peer slot")),
		}
	}

	fn max_packet_size() -> u32 {
		// Leaves room in a delivery transaction for the storage proof around the packet.
		configs::MAX_ROUTED_PACKET_SIZE
	}
}

/// A storage proof of a peer network at one of its headers that our light client imported.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct PeerStateProof {
	pub header_hash: Hash,
	pub storage_proof: RawStorageProof,
}

/// Reads, from a verified proof of the peer's state, its inbound lane from us, its block number
/// and its clock.
fn peer_lane_state<I: 'static>(
	proof: PeerStateProof,
	slot: u8,
) -> Result<PeerLaneState, DispatchError>
where
	Runtime: pallet_bridge_grandpa::Config<I>,
	<Runtime as pallet_bridge_grandpa::Config<I>>::BridgedChain:
		Chain<Hash = Hash, Hasher = BlakeTwo256>,
{
	use bp_header_chain::HeaderChain;
	let mut checker: StorageProofChecker<BlakeTwo256> =
		pallet_bridge_grandpa::GrandpaChainHeaders::<Runtime, I>::verify_storage_proof(
			proof.header_hash,
			proof.storage_proof,
		)
		.map_err(|_| DispatchError::Other("unknown peer header or invalid storage proof"))?;
	let lane_key = bp_runtime::storage_map_final_key::<Blake2_128Concat>(
		MESSAGES_PALLETS[slot as usize - 1],
		"InboundLanes",
		&SLOT_LANE.encode(),
	);
	let lane: Option<InboundLaneData<AccountId>> = checker
		.read_and_decode_value(lane_key.as_ref())
		.map_err(|_| DispatchError::Other("the proof lacks the peer's inbound lane"))?;
	let height: BlockNumber = checker
		.read_and_decode_mandatory_value(
			bp_runtime::storage_value_final_key(b"System", b"Number").as_ref(),
		)
		.map_err(|_| DispatchError::Other("the proof lacks the peer's block number"))?;
	let timestamp: u64 = checker
		.read_and_decode_mandatory_value(
			bp_runtime::storage_value_final_key(b"Timestamp", b"Now").as_ref(),
		)
		.map_err(|_| DispatchError::Other("the proof lacks the peer's timestamp"))?;
	checker
		.ensure_no_unused_nodes()
		.map_err(|_| DispatchError::Other("the proof carries unused nodes"))?;
	Ok(PeerLaneState {
		last_delivered_nonce: lane.map(|lane| lane.last_delivered_nonce()).unwrap_or(0),
		height,
		timestamp,
	})
}

impl DeliveryProver<u8> for PeerSlots {
	type Proof = PeerStateProof;

	fn prove_not_delivered(
		lane: u8,
		nonce: u64,
		timeout: &Timeout,
		height_applies: bool,
		proof: PeerStateProof,
	) -> DispatchResult {
		use frame_support::instances::*;
		let state = match lane {
			1 => peer_lane_state::<Instance1>(proof, 1),
			2 => peer_lane_state::<Instance2>(proof, 2),
			3 => peer_lane_state::<Instance3>(proof, 3),
			4 => peer_lane_state::<Instance4>(proof, 4),
			_ => Err(DispatchError::Other("no such peer slot")),
		}?;
		if state.proves_late(nonce, timeout, height_applies) {
			Ok(())
		} else {
			Err(DispatchError::Other("the proof does not show the packet missed its timeout"))
		}
	}
}
