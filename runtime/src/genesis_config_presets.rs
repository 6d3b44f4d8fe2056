//! Genesis presets: `development` (one producer, Alice) and `local_testnet` (Alice and Bob).
//!
//! Each preset is a JSON patch over the default genesis. `plexus-node launch` and zombienet start
//! from one of them and overwrite the producers' session keys (`session.keys`), the network
//! identity and the balances. The first producers are pallet-session's genesis keys: it sets
//! Aura's and GRANDPA's authorities from them (theirs stay empty in genesis) and pallet-producers
//! adopts them as its set.

use crate::{
	bridges::SLOT_LANE, AccountId, BalancesConfig, NetworkInfoConfig, RuntimeGenesisConfig,
	SessionConfig, SessionKeys, SudoConfig, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use plexus_primitives::{NetworkId, DEFAULT_BLOCK_TIME_MS};
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::PresetId;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Balance given to each endowed account.
pub const ENDOWMENT: u128 = 1_000_000 * UNIT;

/// The genesis patch of a network: its identity, producers, endowed accounts and sudo key. Each
/// producer's account is the account of its Aura key (the same sr25519 public key): see
/// [`network_genesis_with_producers`] to name other accounts.
pub fn network_genesis(
	network_id: NetworkId,
	name: &str,
	block_time_ms: u64,
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
) -> Value {
	let producers = authorities
		.into_iter()
		.map(|(aura, grandpa)| (aura_account(&aura), aura, grandpa))
		.collect();
	network_genesis_with_producers(
		network_id,
		name,
		block_time_ms,
		producers,
		endowed_accounts,
		root,
	)
}

/// The account of the same sr25519 public key as an Aura key.
pub fn aura_account(aura: &AuraId) -> AccountId {
	sp_core::sr25519::Public::from(aura.clone()).into()
}

/// The genesis patch of a network whose producers are `(account, aura, grandpa)`: the account
/// registers the two keys and is the producer governance removes or keeps.
pub fn network_genesis_with_producers(
	network_id: NetworkId,
	name: &str,
	block_time_ms: u64,
	producers: Vec<(AccountId, AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: producers
				.into_iter()
				.map(|(account, aura, grandpa)| {
					(account.clone(), account, SessionKeys { aura, grandpa })
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
		// No `revive.mapped_accounts`: balances' genesis creates the endowed accounts, and
		// `AutoMapper` maps each as it is created.
		network_info: NetworkInfoConfig {
			network_id,
			name: name.as_bytes().to_vec(),
			block_time_ms,
		},
		bridge_slot_1_messages: pallet_bridge_messages::GenesisConfig {
			opened_lanes: vec![SLOT_LANE],
		},
		bridge_slot_2_messages: pallet_bridge_messages::GenesisConfig {
			opened_lanes: vec![SLOT_LANE],
		},
		bridge_slot_3_messages: pallet_bridge_messages::GenesisConfig {
			opened_lanes: vec![SLOT_LANE],
		},
		bridge_slot_4_messages: pallet_bridge_messages::GenesisConfig {
			opened_lanes: vec![SLOT_LANE],
		},
	})
}

fn keyring_authority(k: Sr25519Keyring, e: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(k.public().into(), e.public().into())
}

/// The 20-byte addresses of the Ethereum development keys Alith, Baltathar, Charleth, Dorothy
/// and Ethan: keys whose secrets are public, which eth-rpc's `--dev`, Hardhat and Moonbeam's
/// tools know. For testnets only, like `//Alice`.
pub const ETH_DEV_ADDRESSES: [[u8; 20]; 5] = [
	sp_core::hex2array!("f24ff3a9cf04c71dbc94d0b566f7a27b94566cac"),
	sp_core::hex2array!("3cd0a705a2dc65e5b1e1205896baa2be8a07c6e0"),
	sp_core::hex2array!("798d4ba9baf0064ec19eb4f0a1a45785ae9d6dfc"),
	sp_core::hex2array!("773539d4ac0e786233d90a233654ccee26a613d9"),
	sp_core::hex2array!("ff64d3f6efe2317ee2807d223a0bdc4c0c49dfdb"),
];

/// The account revive runs an Ethereum address's transactions as: the address, then twelve
/// `0xEE` bytes.
pub fn eth_account(address: [u8; 20]) -> AccountId {
	let mut account = [0xEE; 32];
	account[..20].copy_from_slice(&address);
	account.into()
}

/// The development accounts, endowed on testnets: `//Alice` … `//Ferdie` and their stashes, and
/// the Ethereum development keys' accounts ([`ETH_DEV_ADDRESSES`]).
pub fn well_known_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|k| k != &Sr25519Keyring::One && k != &Sr25519Keyring::Two)
		.map(|k| k.to_account_id())
		.chain(ETH_DEV_ADDRESSES.into_iter().map(eth_account))
		.collect()
}

/// One producer (Alice); network 1, "plexus-dev".
pub fn development_genesis() -> Value {
	network_genesis(
		NetworkId(1),
		"plexus-dev",
		DEFAULT_BLOCK_TIME_MS,
		vec![keyring_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		well_known_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// Two producers (Alice, Bob); network 1, "plexus-local".
pub fn local_testnet_genesis() -> Value {
	network_genesis(
		NetworkId(1),
		"plexus-local",
		DEFAULT_BLOCK_TIME_MS,
		vec![
			keyring_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			keyring_authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		well_known_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_genesis(),
		_ => return None,
	};
	Some(serde_json::to_string(&patch).expect("a JSON value always serialises; qed").into_bytes())
}

pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}

/// The genesis storage of a network whose genesis is `patch` laid over the default config, as a
/// node's chain-spec builder makes it. For tests and tools that run the runtime natively.
#[cfg(feature = "std")]
pub fn genesis_storage(patch: Value) -> Result<sp_core::storage::Storage, String> {
	fn merge(base: &mut Value, patch: Value) {
		match (base, patch) {
			(Value::Object(base), Value::Object(patch)) => {
				for (k, v) in patch {
					merge(base.entry(k).or_insert(Value::Null), v);
				}
			},
			(base, patch) => *base = patch,
		}
	}
	let mut config =
		serde_json::to_value(RuntimeGenesisConfig::default()).map_err(|e| e.to_string())?;
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).map_err(|e| e.to_string())?;
	sp_runtime::BuildStorage::build_storage(&config)
}
