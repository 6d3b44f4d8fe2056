//! `plexus-node benchmark`: frame-benchmarking's commands wired to this node's client and
//! runtime. `pallet` and `storage` need the `runtime-benchmarks` feature.
//!
//! `benchmark overhead` and `benchmark extrinsic` fill blocks with transactions signed here, with
//! the same extensions a wallet uses, so the base weights they measure include the signature
//! check and every transaction extension.

use crate::{cli::Cli, service};
use frame_benchmarking_cli::{BenchmarkCmd, ExtrinsicFactory, SUBSTRATE_REFERENCE_HARDWARE};
use plexus_runtime::{
	opaque::Block, signing, AccountId, Balance, BalancesCall, SystemCall, EXISTENTIAL_DEPOSIT,
};
use sc_cli::SubstrateCli;
use sc_client_api::BlockBackend;
use sc_service::PartialComponents;
use sp_core::sr25519;
use sp_inherents::{InherentData, InherentDataProvider};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::HashingFor, OpaqueExtrinsic};
use std::sync::Arc;

const NEEDS_FEATURE: &str = "this benchmark needs a node built with \
	`--features runtime-benchmarks` (scripts/weights.sh builds one and runs every benchmark)";

/// Runs one `benchmark` subcommand.
pub fn run(cli: &Cli, cmd: &BenchmarkCmd) -> sc_cli::Result<()> {
	let runner = cli.create_runner(cmd)?;
	runner.sync_run(|config| match cmd {
		BenchmarkCmd::Pallet(cmd) => {
			if !cfg!(feature = "runtime-benchmarks") {
				return Err(NEEDS_FEATURE.into());
			}
			cmd.run_with_spec::<HashingFor<Block>, service::HostFunctions>(Some(config.chain_spec))
		},
		BenchmarkCmd::Block(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			cmd.run(client)
		},
		#[cfg(not(feature = "runtime-benchmarks"))]
		BenchmarkCmd::Storage(_) => Err(NEEDS_FEATURE.into()),
		#[cfg(feature = "runtime-benchmarks")]
		BenchmarkCmd::Storage(cmd) => {
			let PartialComponents { client, backend, .. } = service::new_partial(&config)?;
			let db = backend.expose_db();
			let storage = backend.expose_storage();
			let shared_trie_cache = backend.expose_shared_trie_cache();
			cmd.run(config, client, db, storage, shared_trie_cache)
		},
		BenchmarkCmd::Overhead(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			let remark = SignedCallBuilder::remark(client.clone());
			cmd.run(
				config.chain_spec.name().into(),
				client,
				inherent_benchmark_data()?,
				Vec::new(),
				&remark,
				false,
			)
		},
		BenchmarkCmd::Extrinsic(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			let factory = ExtrinsicFactory(vec![
				Box::new(SignedCallBuilder::remark(client.clone())),
				Box::new(SignedCallBuilder::transfer_keep_alive(client.clone())),
			]);
			cmd.run(client, inherent_benchmark_data()?, Vec::new(), &factory)
		},
		BenchmarkCmd::Machine(cmd) => cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()),
	})
}

/// Builds signed `system.remark` or `balances.transfer_keep_alive` transactions from Alice.
struct SignedCallBuilder {
	client: Arc<service::FullClient>,
	pallet: &'static str,
	extrinsic: &'static str,
	call: plexus_runtime::RuntimeCall,
}

impl SignedCallBuilder {
	fn remark(client: Arc<service::FullClient>) -> Self {
		let call = SystemCall::remark { remark: Vec::new() }.into();
		Self { client, pallet: "system", extrinsic: "remark", call }
	}

	fn transfer_keep_alive(client: Arc<service::FullClient>) -> Self {
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
fn inherent_benchmark_data() -> sc_cli::Result<InherentData> {
	let mut data = InherentData::new();
	let timestamp = sp_timestamp::InherentDataProvider::new(0.into());
	futures::executor::block_on(timestamp.provide_inherent_data(&mut data))
		.map_err(|e| format!("creating the timestamp inherent: {e:?}"))?;
	Ok(data)
}
