//! Reading a network: headers and heads, blocks, storage and its proofs, runtime API calls,
//! GRANDPA justifications and finality proofs.

use crate::{from_hex, hex0x, rpc_params, Client, Error};
use codec::{Decode, Encode};
use jsonrpsee::core::client::Subscription;
use plexus_runtime::{BlockNumber, Hash, Header};
use sp_core::storage::StorageKey;

/// A block as `chain_getBlock` gives it: its header and its extrinsics, still encoded.
#[derive(serde::Deserialize)]
pub struct RawBlock {
	pub header: Header,
	pub extrinsics: Vec<sp_core::Bytes>,
}

#[derive(serde::Deserialize)]
struct SignedBlock {
	block: RawBlock,
}

/// What `system_health` says of a node.
#[derive(serde::Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Health {
	pub peers: u64,
	pub is_syncing: bool,
	pub should_have_peers: bool,
}

/// What `grandpa_proveFinality` answers, decoded: the SCALE layout of sc-consensus-grandpa's
/// `FinalityProof` (the node sends it encoded, as hex bytes).
#[derive(Encode, Decode, Debug, Clone, PartialEq, Eq)]
pub struct FinalityProof {
	/// The block the justification finalizes: the last block of the authority set in which the
	/// block asked for was finalized (for a set change, the block that enacts it); for a block
	/// of the current set, the newest block with a justification.
	pub block: Hash,
	/// Its GRANDPA justification, SCALE-encoded.
	pub justification: Vec<u8>,
	/// The headers after the block asked for, up to and including `block`, in order.
	pub unknown_headers: Vec<Header>,
}

/// The storage key of pallet-grandpa's `CurrentSetId` (`Grandpa::CurrentSetId`).
pub fn grandpa_set_id_key() -> StorageKey {
	StorageKey(
		[sp_io::hashing::twox_128(b"Grandpa"), sp_io::hashing::twox_128(b"CurrentSetId")].concat(),
	)
}

impl Client {
	pub async fn best_hash(&self) -> Result<Hash, Error> {
		self.call("chain_getBlockHash", rpc_params![]).await
	}

	pub async fn finalized_hash(&self) -> Result<Hash, Error> {
		self.call("chain_getFinalizedHead", rpc_params![]).await
	}

	pub async fn block_hash(&self, number: BlockNumber) -> Result<Hash, Error> {
		let hash: Option<Hash> = self.call("chain_getBlockHash", rpc_params![number]).await?;
		hash.ok_or_else(|| format!("{}: no block #{number}", self.url))
	}

	pub async fn header(&self, hash: Hash) -> Result<Header, Error> {
		let header: Option<Header> = self.call("chain_getHeader", rpc_params![hash]).await?;
		header.ok_or_else(|| format!("{}: no header {hash:?}", self.url))
	}

	pub async fn best_header(&self) -> Result<Header, Error> {
		let header: Option<Header> = self.call("chain_getHeader", rpc_params![]).await?;
		header.ok_or_else(|| format!("{}: no best header", self.url))
	}

	pub async fn finalized_head(&self) -> Result<Header, Error> {
		self.header(self.finalized_hash().await?).await
	}

	pub async fn best_number(&self) -> Result<BlockNumber, Error> {
		Ok(self.best_header().await?.number)
	}

	pub async fn finalized_number(&self) -> Result<BlockNumber, Error> {
		Ok(self.finalized_head().await?.number)
	}

	/// The block `hash`, its extrinsics still encoded.
	pub async fn block(&self, hash: Hash) -> Result<RawBlock, Error> {
		let block: Option<SignedBlock> = self.call("chain_getBlock", rpc_params![hash]).await?;
		block.map(|b| b.block).ok_or_else(|| format!("{}: no block {hash:?}", self.url))
	}

	pub async fn health(&self) -> Result<Health, Error> {
		self.call("system_health", rpc_params![]).await
	}

	/// The raw value at `key`, at block `at` (best block when `None`).
	pub async fn storage_raw(
		&self,
		key: &StorageKey,
		at: Option<Hash>,
	) -> Result<Option<Vec<u8>>, Error> {
		let value: Option<String> =
			self.call("state_getStorage", rpc_params![hex0x(&key.0), at]).await?;
		value.map(|v| from_hex(&v)).transpose()
	}

	/// The value at `key`, at block `at` (best block when `None`), decoded.
	pub async fn storage<T: Decode>(
		&self,
		key: &StorageKey,
		at: Option<Hash>,
	) -> Result<Option<T>, Error> {
		match self.storage_raw(key, at).await? {
			None => Ok(None),
			Some(bytes) => T::decode(&mut &bytes[..])
				.map(Some)
				.map_err(|e| format!("{}: undecodable value at {}: {e}", self.url, hex0x(&key.0))),
		}
	}

	/// As [`Self::storage`], for a key given as bytes (a FRAME storage item's `hashed_key_for`).
	pub async fn storage_at<T: Decode>(
		&self,
		key: Vec<u8>,
		at: Option<Hash>,
	) -> Result<Option<T>, Error> {
		self.storage(&StorageKey(key), at).await
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
		let keys: Vec<String> = keys.iter().map(|k| hex0x(&k.0)).collect();
		let sets: Vec<ChangeSet> =
			self.call("state_queryStorageAt", rpc_params![keys.clone(), at]).await?;
		let mut values: std::collections::HashMap<String, Option<String>> =
			sets.into_iter().flat_map(|set| set.changes).collect();
		keys.iter()
			.map(|key| values.remove(key).flatten().map(|value| from_hex(&value)).transpose())
			.collect()
	}

	/// A storage proof of `keys` at block `at`.
	pub async fn read_proof(&self, keys: &[StorageKey], at: Hash) -> Result<Vec<Vec<u8>>, Error> {
		#[derive(serde::Deserialize)]
		struct ReadProof {
			proof: Vec<String>,
		}
		let keys: Vec<String> = keys.iter().map(|k| hex0x(&k.0)).collect();
		let proof: ReadProof = self.call("state_getReadProof", rpc_params![keys, at]).await?;
		proof.proof.iter().map(|node| from_hex(node)).collect()
	}

	/// Calls runtime API `function` (e.g. `EventRouterApi_message_status`) with SCALE-encoded
	/// arguments at block `at` (best block when `None`) and decodes its answer.
	pub async fn runtime_call<T: Decode>(
		&self,
		function: &str,
		args: &[u8],
		at: Option<Hash>,
	) -> Result<T, Error> {
		let out: String = self.call("state_call", rpc_params![function, hex0x(args), at]).await?;
		T::decode(&mut &from_hex(&out)?[..]).map_err(|e| format!("{}: {function}: {e}", self.url))
	}

	/// The GRANDPA authority set id in block `at`'s state (best block when `None`). The runtime
	/// raises it in the block that schedules a change, and that block is still finalized by the
	/// old set: the set that finalizes a block is the id in its *parent's* state.
	pub async fn grandpa_set_id(&self, at: Option<Hash>) -> Result<u64, Error> {
		// A value query: absent means 0.
		Ok(self.storage(&grandpa_set_id_key(), at).await?.unwrap_or_default())
	}

	/// A proof that block `number` is final (`grandpa_proveFinality`): the justification of the
	/// last block of the authority set that finalized it, so that a light client can follow set
	/// changes one at a time. `None` when the node has no such justification. The node refuses
	/// a block it has not finalized, and one it has no set-change history for (a warp-synced
	/// node).
	pub async fn prove_finality(
		&self,
		number: BlockNumber,
	) -> Result<Option<FinalityProof>, Error> {
		const METHOD: &str = "grandpa_proveFinality";
		let encoded: Option<sp_core::Bytes> = self.call(METHOD, rpc_params![number]).await?;
		encoded
			.map(|bytes| {
				FinalityProof::decode(&mut &bytes[..]).map_err(|e| {
					format!("{}: {METHOD}({number}): undecodable proof: {e}", self.url)
				})
			})
			.transpose()
	}

	/// Every GRANDPA justification the node produces or imports from now on (hex SCALE).
	/// Needs a WebSocket connection.
	pub async fn subscribe_justifications(&self) -> Result<Subscription<String>, Error> {
		use jsonrpsee::core::client::SubscriptionClientT;
		const METHOD: &str = "grandpa_subscribeJustifications";
		self.ws(METHOD)?
			.subscribe(METHOD, rpc_params![], "grandpa_unsubscribeJustifications")
			.await
			.map_err(|e| format!("{}: {METHOD}: {e}", self.url))
	}
}
