//! One network's JSON-RPC, typed: the few methods the relayer needs, decoded into the runtime's
//! own types (every Plexus network runs the same runtime).

use codec::{Decode, Encode};
use jsonrpsee::{
	core::client::{ClientT, Subscription, SubscriptionClientT},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use plexus_runtime::{AccountId, Hash, Header, Nonce, RuntimeCall};
use sp_core::{sr25519, storage::StorageKey, Pair};
use std::time::Duration;

/// What went wrong talking to a network.
pub type Error = String;

pub struct Client {
	pub url: String,
	rpc: WsClient,
	genesis: Hash,
}

fn hex_bytes(value: &str) -> Result<Vec<u8>, Error> {
	hex::decode(value.trim_start_matches("0x")).map_err(|e| format!("bad hex from RPC: {e}"))
}

impl Client {
	pub async fn connect(url: &str) -> Result<Self, Error> {
		let rpc = WsClientBuilder::default()
			.request_timeout(Duration::from_secs(30))
			.max_request_size(64 * 1024 * 1024)
			.max_response_size(64 * 1024 * 1024)
			.build(url)
			.await
			.map_err(|e| format!("cannot connect to {url}: {e}"))?;
		let genesis: Hash = rpc
			.request("chain_getBlockHash", rpc_params![0])
			.await
			.map_err(|e| format!("{url}: chain_getBlockHash(0): {e}"))?;
		Ok(Self { url: url.to_string(), rpc, genesis })
	}

	/// False once the connection dropped (the node stopped); the client does not reconnect.
	pub fn is_connected(&self) -> bool {
		self.rpc.is_connected()
	}

	pub fn genesis(&self) -> Hash {
		self.genesis
	}

	/// Any JSON-RPC method of the node, e.g. its own `vault_*`.
	pub async fn call<R: serde::de::DeserializeOwned>(
		&self,
		method: &str,
		params: jsonrpsee::core::params::ArrayParams,
	) -> Result<R, Error> {
		self.rpc.request(method, params).await.map_err(|e| format!("{}: {method}: {e}", self.url))
	}

	pub async fn finalized_head(&self) -> Result<Header, Error> {
		let hash: Hash = self.call("chain_getFinalizedHead", rpc_params![]).await?;
		self.header(hash).await
	}

	pub async fn best_hash(&self) -> Result<Hash, Error> {
		self.call("chain_getBlockHash", rpc_params![]).await
	}

	pub async fn block_hash(&self, number: u32) -> Result<Hash, Error> {
		let hash: Option<Hash> = self.call("chain_getBlockHash", rpc_params![number]).await?;
		hash.ok_or_else(|| format!("{}: no block #{number}", self.url))
	}

	pub async fn header(&self, hash: Hash) -> Result<Header, Error> {
		let header: Option<Header> = self.call("chain_getHeader", rpc_params![hash]).await?;
		header.ok_or_else(|| format!("{}: no header {hash:?}", self.url))
	}

	/// The raw value at `key`, at block `at` (best block when `None`).
	pub async fn storage_raw(
		&self,
		key: &StorageKey,
		at: Option<Hash>,
	) -> Result<Option<Vec<u8>>, Error> {
		let key = format!("0x{}", hex::encode(&key.0));
		let value: Option<String> = self.call("state_getStorage", rpc_params![key, at]).await?;
		value.map(|v| hex_bytes(&v)).transpose()
	}

	pub async fn storage<T: Decode>(
		&self,
		key: &StorageKey,
		at: Option<Hash>,
	) -> Result<Option<T>, Error> {
		match self.storage_raw(key, at).await? {
			None => Ok(None),
			Some(bytes) => T::decode(&mut &bytes[..]).map(Some).map_err(|e| {
				format!("{}: undecodable value at {}: {e}", self.url, hex::encode(&key.0))
			}),
		}
	}

	/// The raw values at `keys`, at block `at`, in one request.
	pub async fn storage_many(
		&self,
		keys: &[StorageKey],
		at: Hash,
	) -> Result<Vec<Option<Vec<u8>>>, Error> {
		#[derive(serde::Deserialize)]
		struct ChangeSet {
			changes: Vec<(String, Option<String>)>,
		}
		let keys: Vec<String> = keys.iter().map(|k| format!("0x{}", hex::encode(&k.0))).collect();
		let sets: Vec<ChangeSet> =
			self.call("state_queryStorageAt", rpc_params![keys.clone(), at]).await?;
		let mut values: std::collections::HashMap<String, Option<String>> =
			sets.into_iter().flat_map(|set| set.changes).collect();
		keys.iter()
			.map(|key| values.remove(key).flatten().map(|value| hex_bytes(&value)).transpose())
			.collect()
	}

	/// A storage proof of `keys` at block `at`.
	pub async fn read_proof(&self, keys: &[StorageKey], at: Hash) -> Result<Vec<Vec<u8>>, Error> {
		#[derive(serde::Deserialize)]
		struct ReadProof {
			proof: Vec<String>,
		}
		let keys: Vec<String> = keys.iter().map(|k| format!("0x{}", hex::encode(&k.0))).collect();
		let proof: ReadProof = self.call("state_getReadProof", rpc_params![keys, at]).await?;
		proof.proof.iter().map(|node| hex_bytes(node)).collect()
	}

	/// Calls a runtime API function with SCALE-encoded arguments.
	pub async fn runtime_call<T: Decode>(
		&self,
		function: &str,
		args: &[u8],
		at: Option<Hash>,
	) -> Result<T, Error> {
		let args = format!("0x{}", hex::encode(args));
		let out: String = self.call("state_call", rpc_params![function, args, at]).await?;
		T::decode(&mut &hex_bytes(&out)?[..]).map_err(|e| format!("{}: {function}: {e}", self.url))
	}

	/// Every GRANDPA justification the node produces or imports from now on (hex SCALE).
	pub async fn subscribe_justifications(&self) -> Result<Subscription<String>, Error> {
		self.rpc
			.subscribe(
				"grandpa_subscribeJustifications",
				rpc_params![],
				"grandpa_unsubscribeJustifications",
			)
			.await
			.map_err(|e| format!("{}: grandpa_subscribeJustifications: {e}", self.url))
	}

	pub async fn next_nonce(&self, who: &AccountId) -> Result<Nonce, Error> {
		self.call("system_accountNextIndex", rpc_params![who.to_string()]).await
	}

	/// Signs `call` and hands it to the network's transaction pool. Returns the transaction hash.
	pub async fn submit(&self, call: RuntimeCall, signer: &sr25519::Pair) -> Result<Hash, Error> {
		let who: AccountId = signer.public().into();
		let nonce = self.next_nonce(&who).await?;
		self.submit_with_nonce(call, signer, nonce).await
	}

	/// As [`Self::submit`], with a nonce the caller keeps (for bursts from one account).
	pub async fn submit_with_nonce(
		&self,
		call: RuntimeCall,
		signer: &sr25519::Pair,
		nonce: Nonce,
	) -> Result<Hash, Error> {
		let extrinsic = plexus_runtime::signing::sign(call, signer, nonce, self.genesis);
		let bytes = format!("0x{}", hex::encode(extrinsic.encode()));
		self.call("author_submitExtrinsic", rpc_params![bytes]).await
	}
}
