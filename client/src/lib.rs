//! # plexus-client
//!
//! The one client that Plexus's tools use to talk to a Plexus network: the relayer, `launch`,
//! the load generators and the end-to-end tests. Every network runs the same runtime, so answers
//! are decoded into the runtime's own types.
//!
//! - [`Client`]: a connection over WebSocket (`ws://`) or HTTP (`http://`), made with bounded
//!   retries, and any JSON-RPC method of the node ([`Client::call`]);
//! - [`chain`]: headers, block numbers, best and finalized heads, storage reads and proofs,
//!   runtime API calls;
//! - [`author`]: signing with the runtime's extensions and submitting, with a [`Signer`] that
//!   keeps its own nonce for bursts;
//! - [`follow`]: following blocks and their events in order, and bounded waits;
//! - [`node_rpc`]: the node's own methods (`eventRouter_*`, `resourceManager_*`,
//!   `dataProtection_*`, `vault_*`) returning Rust types;
//! - [`evm`]: ABI words, a Substrate account's EVM address, the escrow fixture's call data.

pub mod author;
pub mod chain;
pub mod evm;
pub mod follow;
pub mod node_rpc;

pub use author::Signer;
pub use follow::{wait_until, Follower};
pub use jsonrpsee::core::params::ArrayParams;
pub use jsonrpsee::rpc_params;

use jsonrpsee::{
	core::client::ClientT,
	http_client::{HttpClient, HttpClientBuilder},
	ws_client::{WsClient, WsClientBuilder},
};
use plexus_runtime::Hash;
use std::time::{Duration, Instant};

/// What went wrong talking to a network, said so that a person can act on it.
pub type Error = String;

/// How long one request may take before it counts as failed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest request or answer: a delivery with its storage proof, or a block full of transfers.
const MAX_MESSAGE_SIZE: u32 = 64 * 1024 * 1024;

// One per connection: the size of the WebSocket client is no burden.
#[allow(clippy::large_enum_variant)]
enum Transport {
	/// Keeps one connection; subscriptions work; [`Client::is_connected`] turns false for good
	/// once the node goes away.
	Ws(WsClient),
	/// A request per call; no subscriptions. Suits polling nodes that come and go.
	Http(HttpClient),
}

/// One node of one network.
pub struct Client {
	pub url: String,
	transport: Transport,
	genesis: Hash,
}

impl Client {
	/// Connects to `url` (`ws://…` or `http://…`) once and reads the network's genesis hash.
	pub async fn connect(url: &str) -> Result<Self, Error> {
		Self::connect_with_timeout(url, REQUEST_TIMEOUT).await
	}

	/// As [`Self::connect`], each request bounded by `timeout`.
	pub async fn connect_with_timeout(url: &str, timeout: Duration) -> Result<Self, Error> {
		let transport = if url.starts_with("http://") || url.starts_with("https://") {
			Transport::Http(
				HttpClientBuilder::default()
					.request_timeout(timeout)
					.max_request_size(MAX_MESSAGE_SIZE)
					.max_response_size(MAX_MESSAGE_SIZE)
					.build(url)
					.map_err(|e| format!("bad RPC address {url}: {e}"))?,
			)
		} else {
			Transport::Ws(
				WsClientBuilder::default()
					.request_timeout(timeout)
					// Load generators keep thousands of submissions in flight on one connection.
					.max_concurrent_requests(100_000)
					.max_request_size(MAX_MESSAGE_SIZE)
					.max_response_size(MAX_MESSAGE_SIZE)
					.build(url)
					.await
					.map_err(|e| format!("cannot connect to {url}: {e}"))?,
			)
		};
		let mut client = Self { url: url.to_string(), transport, genesis: Hash::zero() };
		client.genesis = client.block_hash(0).await?;
		Ok(client)
	}

	/// Connects to `url`, trying again every 500 ms while the node does not answer, for at most
	/// `limit`. The error names the address and the last failure.
	pub async fn connect_retrying(url: &str, limit: Duration) -> Result<Self, Error> {
		let deadline = Instant::now() + limit;
		loop {
			match Self::connect(url).await {
				Ok(client) => return Ok(client),
				Err(e) if Instant::now() >= deadline => {
					return Err(format!("gave up after {limit:?}: {e}"))
				},
				Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
			}
		}
	}

	/// False once a WebSocket connection dropped (the node stopped); it does not reconnect.
	/// Always true over HTTP, where each call connects anew.
	pub fn is_connected(&self) -> bool {
		match &self.transport {
			Transport::Ws(ws) => ws.is_connected(),
			Transport::Http(_) => true,
		}
	}

	/// The network's genesis hash: its address for the router.
	pub fn genesis(&self) -> Hash {
		self.genesis
	}

	/// Any JSON-RPC method of the node; the typed methods of this crate are built on it.
	pub async fn call<R: serde::de::DeserializeOwned>(
		&self,
		method: &str,
		params: ArrayParams,
	) -> Result<R, Error> {
		let answer = match &self.transport {
			Transport::Ws(ws) => ws.request(method, params).await,
			Transport::Http(http) => http.request(method, params).await,
		};
		answer.map_err(|e| format!("{}: {method}: {e}", self.url))
	}

	pub(crate) fn ws(&self, method: &str) -> Result<&WsClient, Error> {
		match &self.transport {
			Transport::Ws(ws) => Ok(ws),
			Transport::Http(_) => {
				Err(format!("{}: {method} needs a WebSocket connection (ws://)", self.url))
			},
		}
	}
}

/// Milliseconds since the Unix epoch, by this machine's clock (the unit of the runtime's
/// timestamps and of routed requests' timeouts).
pub fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_millis() as u64)
		.unwrap_or_default()
}

/// `0x`-prefixed lowercase hex, as every Substrate RPC takes and gives bytes.
pub fn hex0x(bytes: impl AsRef<[u8]>) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// Bytes from `0x`-prefixed (or bare) hex.
pub fn from_hex(value: &str) -> Result<Vec<u8>, Error> {
	hex::decode(value.trim_start_matches("0x")).map_err(|e| format!("bad hex {value:?}: {e}"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn hex_round_trips_with_and_without_prefix() {
		assert_eq!(hex0x([0xde, 0xad]), "0xdead");
		assert_eq!(from_hex("0xdead").unwrap(), vec![0xde, 0xad]);
		assert_eq!(from_hex("dead").unwrap(), vec![0xde, 0xad]);
		assert!(from_hex("0xdeadz").unwrap_err().contains("bad hex"));
	}

	#[tokio::test]
	async fn connecting_to_nothing_fails_within_its_bound() {
		// Port 9 (discard) on loopback: nothing listens there in a test sandbox.
		let started = Instant::now();
		let error = Client::connect_retrying("ws://127.0.0.1:9", Duration::from_secs(1))
			.await
			.err()
			.expect("no node listens there");
		assert!(error.contains("gave up after"), "{error}");
		assert!(error.contains("127.0.0.1:9"), "{error}");
		assert!(started.elapsed() < Duration::from_secs(10));
	}
}
