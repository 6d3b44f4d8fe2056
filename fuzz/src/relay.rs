//! `relay_answers`: what the relayer makes of a node's answers, which it does not trust. The
//! first byte chooses the answer:
//! 0. a raw `OutboundMessages` value: `slot::packet_of_stored`, then the router weight of the
//!    packet it yields (what a delivery declares);
//! 1. a justification subscription item (hex text): `from_hex`, `Justification::decode`, and
//!    the header it names;
//! 2. a storage value the relayer decodes: the light client's best header id, a lane's state
//!    (with the nonce the relayer reads off an inbound lane), the light client's authority set;
//! 3. a JSON answer: a header or a block (`chain_getHeader`, `chain_getBlock`), a hex string
//!    (`state_getStorage`), a router status (`eventRouter_messageStatus`).
//!
//! Invariants: nothing panics; a packet's weight stays within what one delivery may carry (the
//! relayer always sends the first message of a delivery on that assumption).

use bp_messages::{InboundLaneData, OutboundLaneData};
use bp_runtime::{Chain, HeaderId};
use codec::Decode;
use frame_support::weights::Weight;
use plexus_client::{chain::RawBlock, from_hex, node_rpc::MessageStatusJson};
use plexus_primitives::envelope::MessageStatus;
use plexus_relay::slot::{packet_of_stored, Justification};
use plexus_runtime::{bridges::SlotPeer, AccountId, BlockNumber, Hash, Header};

/// The relayer's budget for one delivery's dispatch weight: half the largest normal extrinsic
/// (`delivery_budget` in plexus-relay).
fn weight_budget() -> Weight {
	SlotPeer::<1>::max_extrinsic_weight().saturating_mul(50) / 100
}

/// The fuzz target: see the module's documentation.
pub fn relay_answers(data: &[u8]) {
	let Some((&kind, answer)) = data.split_first() else { return };
	match kind % 4 {
		0 => {
			if let Some(packet) = packet_of_stored(answer) {
				let weight = plexus_relay::packet_weight_at_destination(&packet);
				assert!(weight.all_lte(weight_budget()), "a packet weighs {weight:?}");
			}
		},
		1 => {
			let Ok(text) = std::str::from_utf8(answer) else { return };
			if let Ok(bytes) = from_hex(text) {
				if let Ok(justification) = Justification::decode(&mut &bytes[..]) {
					let _ = HeaderId(
						justification.commit.target_number,
						justification.commit.target_hash,
					);
					let _ = justification.votes_ancestries.len();
				}
			}
		},
		2 => {
			let _ = HeaderId::<Hash, BlockNumber>::decode(&mut &answer[..]);
			let _ = OutboundLaneData::decode(&mut &answer[..]);
			if let Ok(lane) = InboundLaneData::<AccountId>::decode(&mut &answer[..]) {
				let _ = lane.last_delivered_nonce();
			}
			let _ =
				<(Vec<(sp_consensus_grandpa::AuthorityId, u64)>, u64)>::decode(&mut &answer[..]);
		},
		_ => {
			let _ = serde_json::from_slice::<Option<Header>>(answer);
			let _ = serde_json::from_slice::<RawBlock>(answer);
			if let Ok(Some(value)) = serde_json::from_slice::<Option<String>>(answer) {
				let _ = from_hex(&value);
			}
			if let Ok(status) = serde_json::from_slice::<MessageStatusJson>(answer) {
				let _ = MessageStatus::try_from(status);
			}
		},
	}
}
