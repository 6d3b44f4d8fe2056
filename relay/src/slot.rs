//! What the relayer reads and calls in one peer slot's pallets (`BridgeSlot{K}Grandpa`,
//! `BridgeSlot{K}Messages`): storage keys and calls, built natively from the runtime's types.

use crate::End;
use bp_messages::{
	source_chain::FromBridgedChainMessagesDeliveryProof,
	target_chain::FromBridgedChainMessagesProof, LegacyLaneId, MessageKey, MessageNonce,
	UnrewardedRelayersState,
};
use bp_runtime::HeaderId;
use bp_runtime::{storage_map_final_key, storage_value_key};
use codec::{Decode, Encode};
use frame_support::{instances::*, weights::Weight, Blake2_128Concat};
use plexus_client::Error;
use plexus_runtime::{bridges::SLOT_LANE, AccountId, BlockNumber, Hash, Header, RuntimeCall};
use sp_core::storage::StorageKey;

pub type Justification = bp_header_chain::justification::GrandpaJustification<Header>;

/// One end's view of its lane in a slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LaneNonces {
	/// Messages this end put on its outbound lane.
	pub generated: MessageNonce,
	/// Of those, the last whose delivery this end has seen confirmed.
	pub confirmed: MessageNonce,
	/// The last message this end's inbound lane received from the peer.
	pub delivered: MessageNonce,
}

/// One peer slot, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot(pub u8);

impl Slot {
	pub fn new(k: u8) -> Result<Self, String> {
		if (1..=plexus_runtime::bridges::PEER_SLOTS).contains(&k) {
			Ok(Self(k))
		} else {
			Err(format!(
				"peer slot {k} does not exist (1..={})",
				plexus_runtime::bridges::PEER_SLOTS
			))
		}
	}

	pub fn grandpa_pallet(&self) -> String {
		format!("BridgeSlot{}Grandpa", self.0)
	}

	pub fn messages_pallet(&self) -> String {
		format!("BridgeSlot{}Messages", self.0)
	}

	/// The newest peer header `end`'s light client in this slot imported; `None` before the
	/// bridge is initialised there.
	pub async fn known_header(
		&self,
		end: &End,
	) -> Result<Option<HeaderId<Hash, BlockNumber>>, Error> {
		end.client.storage(&self.best_finalized_key(), None).await
	}

	/// The lanes of this slot as `client`'s best state holds them (zeros before any message).
	pub async fn lane_nonces(&self, client: &plexus_client::Client) -> Result<LaneNonces, Error> {
		let outbound: Option<bp_messages::OutboundLaneData> =
			client.storage(&self.outbound_lane_key(), None).await?;
		let inbound: Option<bp_messages::InboundLaneData<AccountId>> =
			client.storage(&self.inbound_lane_key(), None).await?;
		Ok(LaneNonces {
			generated: outbound.as_ref().map_or(0, |l| l.latest_generated_nonce),
			confirmed: outbound.as_ref().map_or(0, |l| l.latest_received_nonce),
			delivered: inbound.map_or(0, |l| l.last_delivered_nonce()),
		})
	}

	/// The number of the newest peer header `client`'s light client in this slot knows.
	pub async fn known_number(
		&self,
		client: &plexus_client::Client,
	) -> Result<Option<BlockNumber>, Error> {
		let id: Option<HeaderId<Hash, BlockNumber>> =
			client.storage(&self.best_finalized_key(), None).await?;
		Ok(id.map(|id| id.0))
	}

	/// `HeaderId` of the newest peer header the light client imported.
	pub fn best_finalized_key(&self) -> StorageKey {
		storage_value_key(&self.grandpa_pallet(), "BestFinalized")
	}

	/// The light client's authority set (`StoredAuthoritySet`).
	pub fn authority_set_key(&self) -> StorageKey {
		storage_value_key(&self.grandpa_pallet(), "CurrentAuthoritySet")
	}

	pub fn outbound_lane_key(&self) -> StorageKey {
		map_key(&self.messages_pallet(), "OutboundLanes", &SLOT_LANE.encode())
	}

	pub fn inbound_lane_key(&self) -> StorageKey {
		map_key(&self.messages_pallet(), "InboundLanes", &SLOT_LANE.encode())
	}

	pub fn message_key(&self, nonce: MessageNonce) -> StorageKey {
		let key = MessageKey { lane_id: SLOT_LANE, nonce };
		map_key(&self.messages_pallet(), "OutboundMessages", &key.encode())
	}

	pub fn initialize(&self, init: bp_header_chain::InitializationData<Header>) -> RuntimeCall {
		let call = match self.0 {
			1 => RuntimeCall::BridgeSlot1Grandpa(
				pallet_bridge_grandpa::Call::<_, Instance1>::initialize { init_data: init },
			),
			2 => RuntimeCall::BridgeSlot2Grandpa(
				pallet_bridge_grandpa::Call::<_, Instance2>::initialize { init_data: init },
			),
			3 => RuntimeCall::BridgeSlot3Grandpa(
				pallet_bridge_grandpa::Call::<_, Instance3>::initialize { init_data: init },
			),
			_ => RuntimeCall::BridgeSlot4Grandpa(
				pallet_bridge_grandpa::Call::<_, Instance4>::initialize { init_data: init },
			),
		};
		sudo(call)
	}

	pub fn submit_finality_proof(
		&self,
		header: Header,
		justification: Justification,
		current_set_id: u64,
	) -> RuntimeCall {
		macro_rules! call {
			($variant:ident, $instance:ident) => {
				RuntimeCall::$variant(
					pallet_bridge_grandpa::Call::<_, $instance>::submit_finality_proof_ex {
						finality_target: Box::new(header),
						justification,
						current_set_id,
						is_free_execution_expected: false,
					},
				)
			};
		}
		match self.0 {
			1 => call!(BridgeSlot1Grandpa, Instance1),
			2 => call!(BridgeSlot2Grandpa, Instance2),
			3 => call!(BridgeSlot3Grandpa, Instance3),
			_ => call!(BridgeSlot4Grandpa, Instance4),
		}
	}

	#[allow(clippy::too_many_arguments)]
	pub fn receive_messages(
		&self,
		relayer: AccountId,
		at: Hash,
		storage_proof: Vec<Vec<u8>>,
		nonces: (MessageNonce, MessageNonce),
		dispatch_weight: Weight,
	) -> RuntimeCall {
		let proof = Box::new(FromBridgedChainMessagesProof {
			bridged_header_hash: at,
			storage_proof,
			lane: SLOT_LANE,
			nonces_start: nonces.0,
			nonces_end: nonces.1,
		});
		let messages_count = (nonces.1 - nonces.0 + 1) as u32;
		macro_rules! call {
			($variant:ident, $instance:ident) => {
				RuntimeCall::$variant(
					pallet_bridge_messages::Call::<_, $instance>::receive_messages_proof {
						relayer_id_at_bridged_chain: relayer,
						proof,
						messages_count,
						dispatch_weight,
					},
				)
			};
		}
		match self.0 {
			1 => call!(BridgeSlot1Messages, Instance1),
			2 => call!(BridgeSlot2Messages, Instance2),
			3 => call!(BridgeSlot3Messages, Instance3),
			_ => call!(BridgeSlot4Messages, Instance4),
		}
	}

	pub fn receive_confirmations(
		&self,
		at: Hash,
		storage_proof: Vec<Vec<u8>>,
		relayers_state: UnrewardedRelayersState,
	) -> RuntimeCall {
		let proof = FromBridgedChainMessagesDeliveryProof::<Hash, LegacyLaneId> {
			bridged_header_hash: at,
			storage_proof,
			lane: SLOT_LANE,
		};
		macro_rules! call {
			($variant:ident, $instance:ident) => {
				RuntimeCall::$variant(
					pallet_bridge_messages::Call::<_, $instance>::receive_messages_delivery_proof {
						proof,
						relayers_state,
					},
				)
			};
		}
		match self.0 {
			1 => call!(BridgeSlot1Messages, Instance1),
			2 => call!(BridgeSlot2Messages, Instance2),
			3 => call!(BridgeSlot3Messages, Instance3),
			_ => call!(BridgeSlot4Messages, Instance4),
		}
	}

	/// Binds this slot to the peer whose genesis hash is `peer`, in the event router.
	pub fn bind_peer(&self, peer: Hash) -> RuntimeCall {
		sudo(RuntimeCall::EventRouter(pallet_event_router::Call::bind_peer {
			network: peer.0,
			lane: self.0,
		}))
	}
}

/// The router packet in a raw `OutboundMessages` value: the pallet stores the SCALE encoding of
/// the message payload (itself the packet's bytes) as a byte vector, so it is decoded twice.
pub fn packet_of_stored(raw: &[u8]) -> Option<Vec<u8>> {
	let payload = Vec::<u8>::decode(&mut &raw[..]).ok()?;
	Vec::<u8>::decode(&mut &payload[..]).ok()
}

pub fn sudo(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) })
}

fn map_key(pallet: &str, map: &str, key: &[u8]) -> StorageKey {
	storage_map_final_key::<Blake2_128Concat>(pallet, map, key)
}
