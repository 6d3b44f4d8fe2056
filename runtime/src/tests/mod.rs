//! Runtime tests on native externalities: presets build, a signed transfer applies, two
//! networks made from this one runtime differ at genesis; the XCM service; contracts; and the
//! contract executor and resource manager on pallet-revive; data protection; producers that
//! governance changes on a live network.

mod contracts;
mod data_protection;
mod eth;
mod precompiles;
mod producers;
mod transactions;
mod weights;
mod xcm_service;

use super::*;
use codec::{Decode, Encode};
use frame_support::traits::Get;
use sp_core::{sr25519, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{Hash as _, Header as _},
	StateVersion,
};

fn externalities_from(patch: serde_json::Value) -> sp_io::TestExternalities {
	sp_io::TestExternalities::new(
		genesis_config_presets::genesis_storage(patch).expect("genesis builds"),
	)
}

/// Runs `test` inside block 1 of a development network (its parent is the genesis hash that
/// genesis left in `BlockHash(0)`).
fn in_block<R>(test: impl FnOnce() -> R) -> R {
	externalities_from(preset("development")).execute_with(|| {
		let genesis = frame_system::BlockHash::<Runtime>::get(0);
		Executive::initialize_block(&Header::new(
			1,
			Default::default(),
			Default::default(),
			genesis,
			Default::default(),
		));
		test()
	})
}

fn preset(name: &str) -> serde_json::Value {
	let bytes = genesis_config_presets::get_preset(&name.into()).expect("preset exists");
	serde_json::from_slice(&bytes).unwrap()
}

/// The hash of the genesis header a node would build from this state.
fn genesis_hash(ext: &mut sp_io::TestExternalities) -> H256 {
	let state_root = ext
		.execute_with(|| H256::decode(&mut &sp_io::storage::root(StateVersion::V1)[..]).unwrap());
	let extrinsics_root =
		<<Header as sp_runtime::traits::Header>::Hashing as sp_runtime::traits::Hash>::ordered_trie_root(
			vec![],
			StateVersion::V1,
		);
	Header::new(0, extrinsics_root, state_root, Default::default(), Default::default()).hash()
}

#[test]
fn presets_are_listed_and_build() {
	let names: Vec<String> = genesis_config_presets::preset_names()
		.into_iter()
		.map(|p| String::from_utf8(AsRef::<[u8]>::as_ref(&p).to_vec()).unwrap())
		.collect();
	assert_eq!(names, vec!["development".to_string(), "local_testnet".to_string()]);

	for (name, authorities) in [("development", 1), ("local_testnet", 2)] {
		externalities_from(preset(name)).execute_with(|| {
			assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), authorities, "{name}");
			assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), authorities);
			assert_eq!(
				pallet_sudo::Key::<Runtime>::get(),
				Some(Sr25519Keyring::Alice.to_account_id())
			);
			assert_eq!(
				Balances::free_balance(Sr25519Keyring::Bob.to_account_id()),
				genesis_config_presets::ENDOWMENT
			);
			assert_eq!(NetworkInfo::identity().network_id, NetworkId(1));
		});
	}
	assert!(genesis_config_presets::get_preset(&"nonsense".into()).is_none());
}

#[test]
fn block_time_comes_from_genesis() {
	let mut patch = preset("development");
	patch["networkInfo"]["blockTimeMs"] = 5_000.into();
	externalities_from(patch).execute_with(|| {
		assert_eq!(Aura::slot_duration(), 5_000);
		assert_eq!(<Runtime as pallet_timestamp::Config>::MinimumPeriod::get(), 2_500);
	});
}

#[test]
fn unknown_genesis_key_is_refused() {
	let mut patch = preset("development");
	patch["networkInfo"]["colour"] = "blue".into();
	let error = genesis_config_presets::genesis_storage(patch)
		.expect_err("a misspelt genesis field must not be ignored");
	assert!(error.contains("colour"), "{error}");
}

#[test]
fn two_networks_have_different_genesis_hashes() {
	let mut a = preset("local_testnet");
	a["networkInfo"]["networkId"] = 1.into();
	a["networkInfo"]["name"] = "alpha".into();
	let mut b = a.clone();
	b["networkInfo"]["networkId"] = 2.into();
	b["networkInfo"]["name"] = "beta".into();

	let hash_a = genesis_hash(&mut externalities_from(a.clone()));
	let hash_b = genesis_hash(&mut externalities_from(b));
	assert_ne!(hash_a, hash_b);
	// Deterministic: the same spec gives the same genesis on every node.
	assert_eq!(hash_a, genesis_hash(&mut externalities_from(a)));
}

fn signed_transfer(
	from: &sr25519::Pair,
	to: AccountId,
	amount: Balance,
	nonce: Nonce,
	genesis: H256,
) -> UncheckedExtrinsic {
	let call =
		RuntimeCall::Balances(BalancesCall::transfer_keep_alive { dest: to.into(), value: amount });
	signing::sign(call, from, nonce, genesis)
}

#[test]
fn signed_transfer_applies_and_pays_fee() {
	in_block(|| {
		let alice = Sr25519Keyring::Alice.pair();
		let dave = Sr25519Keyring::Dave.to_account_id();
		let genesis = frame_system::BlockHash::<Runtime>::get(0);

		let before_alice = Balances::free_balance(Sr25519Keyring::Alice.to_account_id());
		let before_dave = Balances::free_balance(&dave);
		let xt = signed_transfer(&alice, dave.clone(), 5 * UNIT, 0, genesis);
		let len = xt.encoded_size();
		Executive::apply_extrinsic(xt).expect("valid").expect("dispatched");

		assert_eq!(Balances::free_balance(&dave), before_dave + 5 * UNIT);
		let after_alice = Balances::free_balance(Sr25519Keyring::Alice.to_account_id());
		assert!(after_alice < before_alice - 5 * UNIT, "a fee was charged ({len} bytes)");
		assert_eq!(System::account_nonce(Sr25519Keyring::Alice.to_account_id()), 1);

		// Replaying the same signed transaction is refused: its nonce is spent.
		let replay = signed_transfer(&alice, dave.clone(), 5 * UNIT, 0, genesis);
		assert!(Executive::apply_extrinsic(replay).is_err());
		assert_eq!(Balances::free_balance(&dave), before_dave + 5 * UNIT);
	});
}

#[test]
fn transfer_signed_for_another_network_is_refused() {
	in_block(|| {
		let dave = Sr25519Keyring::Dave.to_account_id();
		let before = Balances::free_balance(&dave);
		let other_network = BlakeTwo256::hash(b"another genesis");
		let xt =
			signed_transfer(&Sr25519Keyring::Alice.pair(), dave.clone(), UNIT, 0, other_network);
		assert!(Executive::apply_extrinsic(xt).is_err());
		assert_eq!(Balances::free_balance(&dave), before);
	});
}

#[test]
fn inherents_are_in_the_extrinsic_format_every_tool_reads() {
	use sp_block_builder::runtime_decl_for_block_builder::BlockBuilderV6;
	use sp_runtime::generic::Preamble;
	in_block(|| {
		let mut data = sp_inherents::InherentData::new();
		// Early in Aura's slot 0, which `in_block` is in.
		data.put_data(*b"timstap0", &1u64).unwrap();
		let inherents = Runtime::inherent_extrinsics(data);
		assert_eq!(inherents.len(), 1, "the timestamp");
		// As the block carries it: format 4, bare.
		let carried = UncheckedExtrinsic::decode(&mut &inherents[0].encode()[..]).unwrap();
		assert!(matches!(carried.0.preamble, Preamble::Bare(4)), "{:?}", carried.0.preamble);
		assert_eq!(Executive::apply_extrinsic(carried), Ok(Ok(())));
		// Set, and no earlier than one minimum period after genesis, as the pallet makes it.
		let minimum = <Runtime as pallet_timestamp::Config>::MinimumPeriod::get();
		assert_eq!(pallet_timestamp::Now::<Runtime>::get(), minimum.max(1));
	});
}
