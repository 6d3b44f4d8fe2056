//! What tests build their cases from.

use frame_support::weights::Weight;
use plexus_client::{Client, Signer};
use plexus_primitives::envelope::{MessageId, MessageStatus, Outcome, Service, Timeout};
use plexus_runtime::{AccountId, Balance, Hash, RuntimeCall};
use sp_core::{sr25519, Pair};

pub use plexus_client::{
	evm::{evm_address, uint_word, word, Fixture, ESCROW_FIXTURE},
	now_ms,
};

/// Two networks of one producer each, bridged.
pub const TWO_NETWORKS: &str = r#"
[[network]]
name = "a"
id = 1
producers = 1

[[network]]
name = "b"
id = 2
producers = 1

[[bridge]]
between = ["a", "b"]
"#;

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

/// The cross-host test's topology (tests/tests/hosts.rs, docs/notes/kubernetes-plan.md §4.4):
/// alpha with 4 producers, so that GRANDPA's threshold (3) survives one lost host, and a consumer;
/// beta with 2 producers, whose threshold (2) makes its finality cross hosts too; one bridge.
pub const HOSTS_TOPOLOGY: &str = r#"
[[network]]
name = "alpha"
id = 1
producers = 4
consumers = 1
block_time_ms = 3000

[[network]]
name = "beta"
id = 2
producers = 2
block_time_ms = 3000

[[bridge]]
between = ["alpha", "beta"]
"#;

pub fn dev_pair(uri: &str) -> sr25519::Pair {
	plexus_client::author::dev_pair(uri).expect("a development key")
}

pub fn account(uri: &str) -> AccountId {
	AccountId::from(dev_pair(uri).public())
}

/// The account that acts for `who` of network `from` on any other network
/// (`plexus_runtime::identity::RemoteAccount`).
pub fn remote(from: [u8; 32], who: AccountId) -> AccountId {
	use sp_runtime::traits::Convert;
	// The converter reads this network's own genesis hash from storage; any other will do.
	sp_io::TestExternalities::default()
		.execute_with(|| plexus_runtime::identity::RemoteAccount::convert((from, who)))
}

/// A committed contract fixture (contracts/fixtures/) as tests use it: a method the contract
/// does not have fails the test.
pub struct Abi(Fixture);

impl Abi {
	/// `contracts/fixtures/Escrow.json`.
	pub fn escrow() -> Self {
		Self(Fixture::escrow())
	}

	/// A fixture's JSON text, e.g. `include_str!(".../Notary.json")`.
	pub fn of(json: &str) -> Self {
		Self(Fixture::parse(json).expect("a committed fixture"))
	}

	/// The deployment code followed by the constructor's arguments.
	pub fn code(&self, constructor_args: &[[u8; 32]]) -> Vec<u8> {
		self.0.deploy_code(constructor_args).expect("the fixture's bytecode")
	}

	/// Call data for `signature` with `words` as its arguments.
	pub fn call(&self, signature: &str, words: &[[u8; 32]]) -> Vec<u8> {
		self.0.call(signature, words).expect("a method of the contract")
	}
}

/// Call data for the escrow fixture's `signature` with `words` as its arguments.
pub fn escrow_call(signature: &str, words: &[[u8; 32]]) -> Vec<u8> {
	Abi::escrow().call(signature, words)
}

/// The escrow's deployment code, `arbiter` deciding.
pub fn escrow_code(arbiter: sp_core::H160) -> Vec<u8> {
	Abi::escrow().code(&[word(arbiter)])
}

/// The routed `Xcm` request the tests send: a remark on `destination` that must succeed there,
/// due within `timeout_ms`.
pub fn remark_request(destination: [u8; 32], text: &[u8], timeout: Timeout) -> RuntimeCall {
	RuntimeCall::EventRouter(pallet_event_router::Call::send {
		destination: Some(Box::new(pallet_event_router::location_of(destination))),
		service: Service::Xcm,
		payload: plexus_runtime::xcm_config::remark_program(text)
			.try_into()
			.expect("a remark fits a payload"),
		max_weight: Weight::from_parts(1_000_000_000, 64 * 1024),
		timeout,
	})
}

/// Alice sends [`remark_request`] `request {sequence}` through `client`'s network to
/// `destination`, due within `timeout_ms`. Returns its id (`sequence` is the router's next).
pub async fn send_within(
	client: &Client,
	destination: Hash,
	sequence: u64,
	timeout_ms: u64,
) -> MessageId {
	let timeout = Timeout { height: None, timestamp: Some(now_ms() + timeout_ms) };
	let call = remark_request(destination.0, format!("request {sequence}").as_bytes(), timeout);
	client.submit(call, &dev_pair("//Alice")).await.expect("the pool takes the request");
	MessageId { origin: client.genesis().0, sequence }
}

/// As [`send_within`], due within ten minutes.
pub async fn send(client: &Client, destination: Hash, sequence: u64) -> MessageId {
	send_within(client, destination, sequence, 600_000).await
}

/// Alice as a [`Signer`] that counts her nonces.
pub fn alice() -> Signer {
	Signer::new(dev_pair("//Alice"))
}

/// Where message `id` stands on `client`'s network, by `EventRouterApi` at the best block.
pub async fn status(client: &Client, id: MessageId) -> MessageStatus {
	client
		.runtime_call("EventRouterApi_message_status", &codec::Encode::encode(&id), None)
		.await
		.expect("EventRouterApi answers")
}

/// The digest a request's acknowledgement carries, once it is settled `Ok` on its origin.
pub fn settled_ok(status: &MessageStatus) -> Option<[u8; 32]> {
	match status {
		MessageStatus::Settled(Outcome::Ok(digest)) => Some(*digest),
		_ => None,
	}
}

/// Waits (at most five minutes) until request `id` is settled `Ok` on its origin, and checks that
/// its destination received it: what "settled exactly once" means on two networks.
pub async fn settled_once(origin: &Client, destination: &Client, id: MessageId) {
	crate::deployment::wait_for(
		"the request to be settled",
		std::time::Duration::from_secs(300),
		|| async { settled_ok(&status(origin, id).await) },
	)
	.await;
	let received = status(destination, id).await;
	assert!(
		matches!(received, MessageStatus::Received { .. }),
		"{id:?} on its destination: {received:?}"
	);
}

/// What the resource manager holds from `who` at block `at`.
pub async fn transaction_hold(client: &Client, who: &AccountId, at: Hash) -> Balance {
	let key = pallet_balances::Holds::<plexus_runtime::Runtime>::hashed_key_for(who);
	let holds: Vec<(plexus_runtime::RuntimeHoldReason, Balance)> =
		client.storage_at(key, Some(at)).await.unwrap().unwrap_or_default();
	let reason: plexus_runtime::RuntimeHoldReason =
		pallet_resource_manager::HoldReason::Transaction.into();
	holds.iter().filter(|(id, _)| *id == reason).map(|(_, amount)| amount).sum()
}
