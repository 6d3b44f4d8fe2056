//! `plexus-node producer add | retire`: changes the producers of a network that `launch` runs.
//!
//! Adding a producer:
//! 1. Make its session keys (in its keystore) and node key, and add its record to
//!    deployment.json; the running launch notices and starts the node.
//! 2. Wait until the node has caught up with its network.
//! 3. Fund its account (the Aura key's, as at genesis) from the governance key, and register its
//!    keys from that account (`Session::set_keys`, with the proof that it holds them).
//! 4. Governance admits it (`Producers::add_producer`).
//! 5. Wait until GRANDPA's finalized authority set holds its key and the new set finalizes.
//!
//! Retiring one: governance removes it (`Producers::remove_producer`); once a finalized set
//! without it finalizes, its record is marked retired and launch stops the node. The producer
//! whose RPC the relayers of a bridged network use is not retired.
//!
//! Launched networks are testnets whose sudo key is the well-known `//Alice`, which is what
//! signs the governance calls here.

use super::{
	control::{first_producer, governance_client, listed, sudo_call, wait, POLL, SUDO},
	plan::{Deployment, Role},
};
use plexus_client::{author::Signer, follow::Follower, Client};
use plexus_runtime::{AccountId, RuntimeCall, RuntimeEvent, UNIT};
use sp_consensus_grandpa::{AuthorityId as GrandpaId, AuthorityList};
use sp_core::{crypto::Ss58Codec, storage::StorageKey};
use std::{
	path::{Path, PathBuf},
	time::Duration,
};

/// What a new producer's account gets: pallet-session's key deposit and fees, with room.
const FUNDING: u128 = 10 * UNIT;

#[derive(Debug, clap::Parser)]
pub struct ProducerCmd {
	#[command(subcommand)]
	pub action: ProducerAction,

	/// The base path of the running launch (default: launch's own default).
	#[arg(long, global = true)]
	pub base_path: Option<PathBuf>,

	/// Give up on any one step after this many seconds.
	#[arg(long, global = true, default_value_t = 600)]
	pub timeout: u64,
}

#[derive(Debug, clap::Subcommand)]
pub enum ProducerAction {
	/// Start a new producer of a launched network and make it an authority.
	Add {
		/// The network, as the topology names it.
		network: String,
	},
	/// Take a producer out of its network's authority set, then stop its node.
	Retire {
		network: String,
		/// The node, as launch.json names it (e.g. beta-producer-2).
		node: String,
	},
}

impl ProducerCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		let (base, runtime) = super::control::on_launch(&self.base_path)?;
		let limit = Duration::from_secs(self.timeout);
		let outcome = runtime.block_on(async {
			match &self.action {
				ProducerAction::Add { network } => add(&base, network, limit).await,
				ProducerAction::Retire { network, node } => {
					retire(&base, network, node, limit).await
				},
			}
		});
		outcome.map_err(|e| format!("plexus producer: {e}").into())
	}
}

async fn add(base: &Path, network: &str, limit: Duration) -> Result<(), String> {
	let mut deployment = Deployment::open(base)?;
	deployment.network(network)?;
	let chain = governance_client(base, network).await?;

	let (name, keys) = deployment.add_producer(network)?;
	let account = keys.account();
	println!(
		"{name}: session keys made in {} (account {})",
		deployment.keystore_dir(network, &name)?.display(),
		account.to_ss58check()
	);

	let node = wait("launch to start it", limit, || async {
		Ok(listed(base, network)?.into_iter().find(|n| n.name == name))
	})
	.await?;
	let own = Client::connect_retrying(&node.rpc, limit).await?;
	let target = chain.finalized_number().await?;
	wait("it to catch up with its network", limit, || async {
		let best = own.best_number().await.unwrap_or(0);
		Ok((best >= target).then_some(()))
	})
	.await?;
	println!("{name}: running at {}, synced past #{target}", node.rpc);

	let mut sudo = Signer::from_uri(SUDO)?;
	let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: account.clone().into(),
		value: FUNDING,
	});
	let mut events = Follower::new(&chain).await?;
	chain.submit_as(&mut sudo, transfer).await?;
	let funded = |_: u32, e: &RuntimeEvent| match e {
		RuntimeEvent::Balances(pallet_balances::Event::Transfer { to, .. }) if *to == account => {
			Some(())
		},
		_ => None,
	};
	events.wait_for_event("the funding transfer", limit, POLL, funded).await?;

	let set_keys = RuntimeCall::Session(pallet_session::Call::set_keys {
		keys: keys.runtime_keys(),
		proof: keys.ownership_proof(&account),
	});
	chain.submit_as(&mut Signer::new(keys.account_pair()), set_keys).await?;
	wait("its keys to be registered", limit, || async {
		let registered: Option<plexus_runtime::SessionKeys> =
			chain.storage(&next_keys_key(&account), None).await?;
		Ok(registered.is_some().then_some(()))
	})
	.await?;
	println!("{name}: keys registered (Session::set_keys)");

	let admit =
		RuntimeCall::Producers(pallet_producers::Call::add_producer { who: account.clone() });
	let mut events = Follower::new(&chain).await?;
	chain.submit_as(&mut sudo, sudo_call(admit)).await?;
	events
		.wait_for_event("the admission", limit, POLL, |_, e| governed(e, &account, true))
		.await??;
	println!("{name}: admitted (Producers::add_producer); it votes from the second session end");

	let grandpa: GrandpaId = keys.grandpa.into();
	let set_id = wait_for_set(&chain, limit, |set| set.iter().any(|(k, _)| *k == grandpa)).await?;
	println!("{name}: in GRANDPA's authority set {set_id}, which finalizes");
	Ok(())
}

async fn retire(base: &Path, network: &str, node: &str, limit: Duration) -> Result<(), String> {
	let mut deployment = Deployment::open(base)?;
	let record = deployment.network(network)?.nodes.iter().find(|n| n.name == node && !n.retired);
	match record {
		None => return Err(format!("{network} has no running node {node:?}")),
		Some(r) if r.role != Role::Producer => return Err(format!("{node} is not a producer")),
		Some(_) => {},
	}
	let bridged =
		deployment.topology.bridges.iter().any(|b| b.between.iter().any(|n| n == network));
	if bridged && first_producer(base, network)?.name == node {
		return Err(format!(
			"{node} serves the RPC that the relayers of {network}'s bridges use; retire another \
			 producer"
		));
	}
	let (aura, grandpa) = super::keys::installed(&deployment.keystore_dir(network, node)?)?;
	let account: AccountId = aura.into();
	let chain = governance_client(base, network).await?;

	let remove =
		RuntimeCall::Producers(pallet_producers::Call::remove_producer { who: account.clone() });
	let mut events = Follower::new(&chain).await?;
	chain.submit_as(&mut Signer::from_uri(SUDO)?, sudo_call(remove)).await?;
	events
		.wait_for_event("the removal", limit, POLL, |_, e| governed(e, &account, false))
		.await??;
	println!(
		"{node}: removed (Producers::remove_producer); it stops voting at the second session end"
	);

	let grandpa: GrandpaId = grandpa.into();
	let set_id = wait_for_set(&chain, limit, |set| !set.iter().any(|(k, _)| *k == grandpa)).await?;
	println!("{node}: not in GRANDPA's authority set {set_id}, which finalizes");

	deployment.retire(network, node)?;
	wait("launch to stop it", limit, || async {
		Ok((!listed(base, network)?.iter().any(|n| n.name == node)).then_some(()))
	})
	.await?;
	println!("{node}: retired and stopped; its directory is kept");
	Ok(())
}

/// The outcome of a governance call on `who`, from the events that tell it: the producer added
/// (or removed), or the sudo call's error.
fn governed(event: &RuntimeEvent, who: &AccountId, added: bool) -> Option<Result<(), String>> {
	use pallet_producers::Event as P;
	match event {
		RuntimeEvent::Producers(P::ProducerAdded { who: w }) if added && w == who => Some(Ok(())),
		RuntimeEvent::Producers(P::ProducerRemoved { who: w }) if !added && w == who => {
			Some(Ok(()))
		},
		RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Err(e) }) => {
			Some(Err(format!("governance refused the call: {e:?}")))
		},
		_ => None,
	}
}

/// Waits until the authority set of the finalized block satisfies `holds` and a block after
/// the one that enacted it is finalized too (the new set votes); returns its set id.
async fn wait_for_set(
	chain: &Client,
	limit: Duration,
	holds: impl Fn(&AuthorityList) -> bool,
) -> Result<u64, String> {
	let (set_id, enacted_by) = wait("the authority set to change", limit, || async {
		let finalized = chain.finalized_hash().await?;
		let set: AuthorityList =
			chain.runtime_call("GrandpaApi_grandpa_authorities", &[], Some(finalized)).await?;
		if !holds(&set) {
			return Ok(None);
		}
		let number = chain.header(finalized).await?.number;
		Ok(Some((chain.grandpa_set_id(Some(finalized)).await?, number)))
	})
	.await?;
	wait("the new set to finalize a block", limit, || async {
		Ok((chain.finalized_number().await? > enacted_by).then_some(()))
	})
	.await?;
	Ok(set_id)
}

/// The storage key of pallet-session's `NextKeys(who)`.
fn next_keys_key(who: &AccountId) -> StorageKey {
	use codec::Encode;
	let encoded = who.encode();
	StorageKey(
		[
			&sp_io::hashing::twox_128(b"Session")[..],
			&sp_io::hashing::twox_128(b"NextKeys"),
			&sp_io::hashing::twox_64(&encoded),
			&encoded,
		]
		.concat(),
	)
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_keyring::Sr25519Keyring;

	#[test]
	fn governance_outcomes_are_read_from_the_events_about_the_account() {
		let dave = Sr25519Keyring::Dave.to_account_id();
		let eve = Sr25519Keyring::Eve.to_account_id();
		use pallet_producers::Event as P;
		let added = RuntimeEvent::Producers(P::ProducerAdded { who: dave.clone() });
		assert_eq!(governed(&added, &dave, true), Some(Ok(())));
		assert_eq!(governed(&added, &eve, true), None, "someone else");
		assert_eq!(governed(&added, &dave, false), None, "not a removal");
		let removed = RuntimeEvent::Producers(P::ProducerRemoved { who: dave.clone() });
		assert_eq!(governed(&removed, &dave, false), Some(Ok(())));
		let refused = RuntimeEvent::Sudo(pallet_sudo::Event::Sudid {
			sudo_result: Err(sp_runtime::DispatchError::Other("TooManyProducers")),
		});
		assert!(governed(&refused, &dave, true).unwrap().unwrap_err().contains("TooManyProducers"));
	}

	#[test]
	fn the_next_keys_key_is_pallet_sessions() {
		let dave = Sr25519Keyring::Dave.to_account_id();
		let key = next_keys_key(&dave);
		let expected = pallet_session::NextKeys::<plexus_runtime::Runtime>::hashed_key_for(&dave);
		assert_eq!(key.0, expected);
	}
}
