//! Routed requests from a test: Alice sends with the event router, statuses come from
//! `EventRouterApi` (SCALE over `state_call`).

#![allow(dead_code)]

use codec::{Decode, Encode};
use jsonrpsee::{core::client::ClientT, http_client::HttpClient, rpc_params};
use pallet_event_router::{location_of, MessageId, MessageStatus, Outcome, Service, Timeout};
use plexus_runtime::{Hash, RuntimeCall};
use sp_core::{sr25519, Pair};

use super::genesis;

pub fn decode_hex(value: &str) -> Vec<u8> {
	hex::decode(value.trim_start_matches("0x")).unwrap()
}

pub async fn genesis_hash(client: &HttpClient) -> Hash {
	Hash::from_slice(&decode_hex(&genesis(client).await))
}

pub async fn status(client: &HttpClient, id: MessageId) -> MessageStatus {
	let args = format!("0x{}", hex::encode(id.encode()));
	let raw: String = client
		.request("state_call", rpc_params!["EventRouterApi_message_status", args])
		.await
		.unwrap();
	MessageStatus::decode(&mut &decode_hex(&raw)[..]).unwrap()
}

/// Alice sends an `Xcm` request to `destination`, due within `timeout_ms`: a remark that must
/// succeed there. Returns its id.
pub async fn send_within(
	client: &HttpClient,
	destination: Hash,
	sequence: u64,
	timeout_ms: u64,
) -> MessageId {
	let alice = sr25519::Pair::from_string("//Alice", None).unwrap();
	let origin = genesis_hash(client).await;
	let who = plexus_runtime::AccountId::from(alice.public());
	let nonce: u32 =
		client.request("system_accountNextIndex", rpc_params![who.to_string()]).await.unwrap();
	let now_ms =
		std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()
			as u64;
	let call = RuntimeCall::EventRouter(pallet_event_router::Call::send {
		destination: Some(Box::new(location_of(destination.0))),
		service: Service::Xcm,
		payload: plexus_runtime::xcm_config::remark_program(
			format!("request {sequence}").as_bytes(),
		)
		.try_into()
		.unwrap(),
		max_weight: frame_support::weights::Weight::from_parts(1_000_000_000, 64 * 1024),
		timeout: Timeout { height: None, timestamp: Some(now_ms + timeout_ms) },
	});
	let xt = plexus_runtime::signing::sign(call, &alice, nonce, origin);
	let bytes = format!("0x{}", hex::encode(xt.encode()));
	let _: String = client.request("author_submitExtrinsic", rpc_params![bytes]).await.unwrap();
	MessageId { origin: origin.0, sequence }
}

/// The digest the request's acknowledgement carries, once it is settled `Ok` on its origin.
pub fn settled_ok(status: &MessageStatus) -> Option<[u8; 32]> {
	match status {
		MessageStatus::Settled(Outcome::Ok(digest)) => Some(*digest),
		_ => None,
	}
}

/// As [`send_within`], due within ten minutes.
pub async fn send(client: &HttpClient, destination: Hash, sequence: u64) -> MessageId {
	send_within(client, destination, sequence, 600_000).await
}
