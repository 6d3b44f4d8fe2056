//! JSON-RPC beyond what sc-service provides: account nonces, fee queries, GRANDPA
//! (`grandpa_roundState`, `grandpa_proveFinality`, `grandpa_subscribeJustifications`), which
//! relayers use to prove one network's finality to another, and the status of routed messages
//! (`eventRouter_messageStatus`) and of resource-manager transactions (`resourceManager_*`), the
//! ledger's data-protection records and audit trails (`dataProtection_*`), and the node's data
//! vault (`vault_*`). Their shared helpers (error, hex, parameter parsing, outcome JSON) are in
//! `json`.

mod data_protection;
mod event_router;
mod json;
mod resource_manager;
mod vault;

use std::sync::Arc;

use jsonrpsee::RpcModule;
use plexus_runtime::{opaque::Block, AccountId, Balance, Nonce};
use sc_consensus_grandpa::{
	FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
};
use sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer};
use sc_rpc::SubscriptionTaskExecutor;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_runtime::traits::NumberFor;

type Hash = <Block as sp_runtime::traits::Block>::Hash;

pub struct GrandpaDeps<B> {
	pub shared_voter_state: SharedVoterState,
	pub shared_authority_set: SharedAuthoritySet<Hash, NumberFor<Block>>,
	pub justification_stream: GrandpaJustificationStream<Block>,
	pub subscription_executor: SubscriptionTaskExecutor,
	pub finality_provider: Arc<FinalityProofProvider<B, Block>>,
}

pub struct FullDeps<C, P, B> {
	pub client: Arc<C>,
	pub pool: Arc<P>,
	pub grandpa: GrandpaDeps<B>,
	pub vault: Arc<crate::vault::Vault>,
	/// Registered once by the service: the builder may run more than once.
	pub vault_metrics: Option<crate::monitor::VaultMetrics>,
}

pub fn create_full<C, P, B>(
	deps: FullDeps<C, P, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ sc_client_api::ProofProvider<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: plexus_primitives::EventRouterApi<Block>,
	C::Api: plexus_primitives::ResourceManagerApi<Block>,
	C::Api: plexus_primitives::DataProtectionApi<Block, AccountId>,
	P: TransactionPool + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
	B::State: sc_client_api::StateBackend<sp_runtime::traits::HashingFor<Block>>,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, grandpa, vault, vault_metrics } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(event_router::module(client.clone())?)?;
	module.merge(resource_manager::module(client.clone())?)?;
	module.merge(data_protection::module(client.clone())?)?;
	module.merge(vault::module(vault::ClientLedger(client), vault, vault_metrics)?)?;
	module.merge(
		Grandpa::new(
			grandpa.subscription_executor,
			grandpa.shared_authority_set,
			grandpa.shared_voter_state,
			grandpa.justification_stream,
			grandpa.finality_provider,
		)
		.into_rpc(),
	)?;

	Ok(module)
}
