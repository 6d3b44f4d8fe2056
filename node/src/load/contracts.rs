//! `plexus-node load contracts`: simple contract calls per second on one network.
//!
//! 1. `//Alice` deploys the Solidity escrow of contracts/ (its committed EVM fixture), arbiter
//!    herself.
//! 2. The weight of one `open(seller)` call (a payment of 1 µUNIT into a new deal: a few storage
//!    writes and an event) is found by a `ReviveApi_call` dry-run.
//! 3. `--calls` such calls are signed by `//Alice` with consecutive nonces and submitted at once.
//! 4. Blocks are followed through their events (`Revive.ContractEmitted` of the escrow): calls
//!    per second from the first block that holds one to the last, and the most in one block.

use super::transfers::machine;
use crate::progress::{Progress, Summary};
use codec::Encode;
use plexus_client::{
	evm::{word, Fixture},
	Client, Follower,
};
use plexus_runtime::{AccountId, Balance, RuntimeCall, RuntimeEvent, UNIT};
use sp_core::{crypto::Pair as _, sr25519, H160};
use sp_runtime::Weight;
use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

const DEPOSIT_LIMIT: Balance = UNIT;
const PAYMENT: Balance = UNIT / 1_000_000;

#[derive(Debug, clap::Parser)]
pub struct ContractsCmd {
	/// Websocket RPC endpoint of a node of the network.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	pub rpc: String,
	/// Contract calls to send.
	#[arg(long, default_value_t = 1_000)]
	pub calls: u32,
	/// Give up after this many seconds.
	#[arg(long, default_value_t = 600)]
	pub timeout: u64,
}

/// The 20-byte address of `account` (`ReviveApi_address`).
async fn address_of(client: &Client, account: &AccountId) -> Result<H160, String> {
	client.runtime_call::<H160>("ReviveApi_address", &account.encode(), None).await
}

impl ContractsCmd {
	pub(super) async fn run(&self) -> Result<(), String> {
		let escrow = Fixture::escrow();
		let client = Client::connect(&self.rpc).await?;
		let alice = sr25519::Pair::from_string("//Alice", None).expect("a valid dev seed");
		let alice_account: AccountId = alice.public().into();
		let bob: AccountId = sr25519::Pair::from_string("//Bob", None).unwrap().public().into();
		let (alice_h160, bob_h160) =
			(address_of(&client, &alice_account).await?, address_of(&client, &bob).await?);

		let columns = ["submitted", "in blocks", "finalized"];
		let mut progress = Progress::new("load contracts", &columns, Some(u64::from(self.calls)));

		// 1. Deploy.
		let code = escrow.deploy_code(&[word(alice_h160)])?;
		// A fresh address on every run.
		let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
		let salt =
			sp_io::hashing::blake2_256(&now.map_err(|e| e.to_string())?.as_nanos().to_le_bytes());
		let deploy = RuntimeCall::Revive(pallet_revive::Call::instantiate_with_code {
			value: 0,
			weight_limit: Weight::from_parts(50_000_000_000, 4 * 1024 * 1024),
			storage_deposit_limit: 10 * UNIT,
			code,
			data: vec![],
			salt: Some(salt),
		});
		let mut follower = Follower::new(&client).await?;
		client.submit(deploy, &alice).await?;
		let deadline = Instant::now() + Duration::from_secs(self.timeout);
		let contract = loop {
			if Instant::now() > deadline {
				return Err("the escrow was not deployed in time".into());
			}
			let found = follower.poll().await?.into_iter().find_map(|(_, event)| match event {
				RuntimeEvent::Revive(pallet_revive::Event::Instantiated { deployer, contract })
					if deployer == alice_h160 =>
				{
					Some(contract)
				},
				_ => None,
			});
			if let Some(contract) = found {
				break contract;
			}
			progress.tick();
			tokio::time::sleep(Duration::from_millis(500)).await;
		};
		progress.phase(&format!("load: escrow deployed at {contract:?}"));

		// 2. Weigh one call with a dry-run; give each call 20 % more.
		let data = escrow.call("open(address)", &[word(bob_h160)])?;
		let args = (
			alice_account.clone(),
			contract,
			PAYMENT,
			None::<Weight>,
			None::<Balance>,
			data.clone(),
		)
			.encode();
		// `ContractResult` starts with the weight consumed and the weight required.
		let (_, required): (Weight, Weight) =
			client.runtime_call("ReviveApi_call", &args, None).await?;
		let weight_limit =
			Weight::from_parts(required.ref_time() * 6 / 5, required.proof_size() * 6 / 5);
		progress.phase(&format!(
			"load: one open(seller) needs {required}; sending {} calls",
			self.calls
		));

		// 3. Submit.
		let mut nonce = client.next_nonce(&alice_account).await?;
		let started = Instant::now();
		let mut submitted = 0u64;
		for _ in 0..self.calls {
			let call = RuntimeCall::Revive(pallet_revive::Call::call {
				dest: contract,
				value: PAYMENT,
				weight_limit,
				storage_deposit_limit: DEPOSIT_LIMIT,
				data: data.clone(),
			});
			client.submit_with_nonce(call, &alice, nonce).await?;
			nonce += 1;
			submitted += 1;
			progress.set(&[submitted, 0, 0]);
		}
		progress.phase(&format!("load: submitted in {:.1} s", started.elapsed().as_secs_f64()));

		// 4. Count them in blocks.
		let mut per_block: BTreeMap<u32, (u32, Instant)> = BTreeMap::new();
		let mut done = 0;
		while done < self.calls {
			if Instant::now() > deadline {
				return Err(format!("only {done} of {} calls landed in time", self.calls));
			}
			let now = Instant::now();
			for (block, event) in follower.poll().await? {
				if let RuntimeEvent::Revive(pallet_revive::Event::ContractEmitted {
					contract: from,
					..
				}) = event
				{
					if from == contract {
						per_block.entry(block).or_insert((0, now)).0 += 1;
						done += 1;
					}
				}
			}
			// Followed in best blocks; those at or below the finalized head are final.
			let head = client.finalized_number().await?;
			let finalized: u64 = per_block.range(..=head).map(|(_, &(n, _))| u64::from(n)).sum();
			progress.set(&[submitted, u64::from(done), finalized]);
			tokio::time::sleep(Duration::from_millis(200)).await;
		}
		progress.finish();
		let first = per_block.values().next().map(|(_, at)| *at).unwrap_or(started);
		let last = per_block.values().last().map(|(_, at)| *at).unwrap_or(started);
		let most = per_block.values().map(|(n, _)| *n).max().unwrap_or(0);
		let window = last.duration_since(first).as_secs_f64();
		let mut summary = Summary::new("load contracts");
		summary.row("contract calls landed", format!("{done} in {} blocks", per_block.len()));
		summary.row("most in one block", most);
		if window > 0.0 {
			summary.row(
				"calls per second",
				format!(
					"{:.0} (from the first block holding one to the last, {window:.1} s)",
					done as f64 / window
				),
			);
		}
		summary.row("weight of one call", required);
		summary.row("machine", machine());
		summary.print();
		Ok(())
	}
}
