//! What the vault's RPC asks the ledger. A trait, so that the RPC's rules are tested against a
//! ledger written down in the test (`tests.rs`), and served by the node's client here.

use plexus_primitives::{
	data_protection::{Grant, Reason, Record, RecordId, RequestId},
	DataProtectionApi,
};
use plexus_runtime::{opaque::Block, AccountId};
use sc_client_api::ProofProvider;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::H256;
use std::sync::Arc;

pub type LedgerRecord = Record<AccountId, Vec<AccountId>>;

pub trait Ledger: Send + Sync + 'static {
	/// The network's genesis hash: signed requests name it.
	fn network(&self) -> [u8; 32];
	/// The block every vault decision is read at.
	fn finalized(&self) -> H256;
	fn record(&self, at: H256, id: RecordId) -> Result<Option<LedgerRecord>, String>;
	fn grant(
		&self,
		at: H256,
		request: RequestId,
	) -> Result<Result<Grant<AccountId>, Reason>, String>;
	/// Up to `limit` of `subject`'s records from `from` on, and where the next page starts.
	fn records_of(
		&self,
		at: H256,
		subject: &AccountId,
		from: RecordId,
		limit: u32,
	) -> Result<(Vec<RecordId>, Option<RecordId>), String>;
	/// A storage proof of the records `ids` at `at`, as trie nodes.
	fn record_proof(&self, at: H256, ids: &[RecordId]) -> Result<Vec<Vec<u8>>, String>;
}

/// The node's own ledger: its client's runtime API and storage proofs.
pub struct ClientLedger<C>(pub Arc<C>);

impl<C> Ledger for ClientLedger<C>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ ProofProvider<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: DataProtectionApi<Block, AccountId>,
{
	fn network(&self) -> [u8; 32] {
		self.0.info().genesis_hash.0
	}

	fn finalized(&self) -> H256 {
		self.0.info().finalized_hash
	}

	fn record(&self, at: H256, id: RecordId) -> Result<Option<LedgerRecord>, String> {
		self.0.runtime_api().record(at, id).map_err(|e| e.to_string())
	}

	fn grant(
		&self,
		at: H256,
		request: RequestId,
	) -> Result<Result<Grant<AccountId>, Reason>, String> {
		self.0.runtime_api().grant(at, request).map_err(|e| e.to_string())
	}

	fn records_of(
		&self,
		at: H256,
		subject: &AccountId,
		from: RecordId,
		limit: u32,
	) -> Result<(Vec<RecordId>, Option<RecordId>), String> {
		self.0.runtime_api().records_of(at, subject.clone(), from, limit).map_err(|e| e.to_string())
	}

	fn record_proof(&self, at: H256, ids: &[RecordId]) -> Result<Vec<Vec<u8>>, String> {
		let keys: Vec<Vec<u8>> = ids
			.iter()
			.map(|id| {
				pallet_data_protection::Records::<plexus_runtime::Runtime>::hashed_key_for(id)
			})
			.collect();
		let proof =
			self.0.read_proof(at, &mut keys.iter().map(|k| &k[..])).map_err(|e| e.to_string())?;
		Ok(proof.into_iter_nodes().collect())
	}
}
