//! Routed requests from a test: Alice sends with the event router, statuses come from
//! `EventRouterApi` (SCALE over `state_call`).

#![allow(dead_code)]

use codec::{Decode, Encode};
use jsonrpsee::{core::client::ClientT, http_client::HttpClient, rpc_params};
use pallet_event_router::{location_of, MessageId, MessageStatus, Outcome, Service, Timeout};
use plexus_runtime::{Hash, RuntimeCall};
use sp_core::{sr25519, Pair};

use super::genesis;

/// Three networks in a line (a–b–c), so a reaches c only through b. One producer per network
/// keeps three networks and two relayers light on two cores.
pub const LINE_TOPOLOGY: &str = r#"
[[network]]
name = "a"
id = 1
producers = 1

[[network]]
name = "b"
id = 2
producers = 1

[[network]]
name = "c"
id = 3
producers = 1

[[bridge]]
between = ["a", "b"]

[[bridge]]
between = ["b", "c"]
"#;

pub fn now_ms() -> u64 {
	std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

pub fn account(uri: &str) -> plexus_runtime::AccountId {
	plexus_runtime::AccountId::from(dev_pair(uri).public())
}

/// The account that acts for `who` of network `from` on any other network.
pub fn remote(from: Hash, who: plexus_runtime::AccountId) -> plexus_runtime::AccountId {
	use sp_runtime::traits::Convert;
	// The converter reads this network's own genesis hash from storage; any other will do.
	sp_io::TestExternalities::default()
		.execute_with(|| plexus_runtime::xcm_config::RemoteAccount::convert((from.0, who)))
}

/// The SCALE value under `key` at the best block.
pub async fn storage<T: Decode>(client: &HttpClient, key: Vec<u8>) -> Option<T> {
	let key = format!("0x{}", hex::encode(key));
	let raw: Option<String> = client.request("state_getStorage", rpc_params![key]).await.unwrap();
	raw.map(|raw| T::decode(&mut &decode_hex(&raw)[..]).unwrap())
}

pub fn decode_hex(value: &str) -> Vec<u8> {
	hex::decode(value.trim_start_matches("0x")).unwrap()
}

pub async fn genesis_hash(client: &HttpClient) -> Hash {
	Hash::from_slice(&decode_hex(&genesis(client).await))
}

pub async fn status(client: &HttpClient, id: MessageId) -> MessageStatus {
	state_call(client, "EventRouterApi_message_status", id).await
}

/// Calls runtime API `method` with SCALE `args` at the best block and decodes its answer.
pub async fn state_call<T: Decode>(client: &HttpClient, method: &str, args: impl Encode) -> T {
	let args = format!("0x{}", hex::encode(args.encode()));
	let raw: String = client.request("state_call", rpc_params![method, args]).await.unwrap();
	T::decode(&mut &decode_hex(&raw)[..]).unwrap()
}

pub fn dev_pair(uri: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(uri, None).unwrap()
}

/// Signs `call` as `signer` with its next nonce (pool included) and submits it; returns once the
/// pool took it.
pub async fn submit(client: &HttpClient, signer: &sr25519::Pair, call: RuntimeCall) {
	let genesis = genesis_hash(client).await;
	let who = plexus_runtime::AccountId::from(signer.public());
	let nonce: u32 =
		client.request("system_accountNextIndex", rpc_params![who.to_string()]).await.unwrap();
	let xt = plexus_runtime::signing::sign(call, signer, nonce, genesis);
	let bytes = format!("0x{}", hex::encode(xt.encode()));
	let _: String = client.request("author_submitExtrinsic", rpc_params![bytes]).await.unwrap();
}

/// Alice sends an `Xcm` request to `destination`, due within `timeout_ms`: a remark that must
/// succeed there. Returns its id.
pub async fn send_within(
	client: &HttpClient,
	destination: Hash,
	sequence: u64,
	timeout_ms: u64,
) -> MessageId {
	let origin = genesis_hash(client).await;
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
	submit(client, &dev_pair("//Alice"), call).await;
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
