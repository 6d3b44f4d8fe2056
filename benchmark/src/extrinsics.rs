//! The transactions that `overhead` and `extrinsic` fill blocks with: signed here, with the same
//! extensions a wallet uses, so that the base weights they measure include the signature check and
//! every transaction extension.

use plexus_node::service;
use plexus_runtime::{signing, AccountId, Balance, BalancesCall, SystemCall, EXISTENTIAL_DEPOSIT};
use sc_client_api::BlockBackend;
use sp_core::sr25519;
use sp_inherents::{InherentData, InherentDataProvider};
use sp_keyring::Sr25519Keyring;
use sp_runtime::OpaqueExtrinsic;
use std::sync::Arc;

/// Builds signed `system.remark` or `balances.transfer_keep_alive` transactions from Alice.
pub struct SignedCallBuilder {
	client: Arc<service::FullClient>,
	pallet: &'static str,
	extrinsic: &'static str,
	call: plexus_runtime::RuntimeCall,
}

impl SignedCallBuilder {
	pub fn remark(client: Arc<service::FullClient>) -> Self {
		let call = SystemCall::remark { remark: Vec::new() }.into();
		Self { client, pallet: "system", extrinsic: "remark", call }
	}

	pub fn transfer_keep_alive(client: Arc<service::FullClient>) -> Self {
		let dest: AccountId = Sr25519Keyring::Bob.to_account_id();
		let value: Balance = EXISTENTIAL_DEPOSIT;
		let call = BalancesCall::transfer_keep_alive { dest: dest.into(), value }.into();
		Self { client, pallet: "balances", extrinsic: "transfer_keep_alive", call }
	}
}

impl frame_benchmarking_cli::ExtrinsicBuilder for SignedCallBuilder {
	fn pallet(&self) -> &str {
		self.pallet
	}

	fn extrinsic(&self) -> &str {
		self.extrinsic
	}

	fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
		let genesis =
			self.client.block_hash(0).ok().flatten().ok_or("the database has no genesis block")?;
		let signer: sr25519::Pair = Sr25519Keyring::Alice.pair();
		let extrinsic = signing::sign(self.call.clone(), &signer, nonce, genesis);
		Ok(extrinsic.into())
	}
}

/// Inherents of a block at time 0: Aura's slot 0 then matches the empty digest.
pub fn inherent_benchmark_data() -> sc_cli::Result<InherentData> {
	let mut data = InherentData::new();
	let timestamp = sp_timestamp::InherentDataProvider::new(0.into());
	futures::executor::block_on(timestamp.provide_inherent_data(&mut data))
		.map_err(|e| format!("creating the timestamp inherent: {e:?}"))?;
	Ok(data)
}
