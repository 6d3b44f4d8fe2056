//! Contracts: the Solidity escrow of contracts/ (its committed EVM fixture) deployed and run by
//! pallet-revive through the same extrinsics a user submits.

use super::in_block;
use crate::{contracts::EVM_CHAIN_ID_BASE, *};
use frame_support::{traits::Get, weights::Weight};
use pallet_revive::{AddressMapper, ExecConfig, TransactionLimits};
use plexus_testkit::fixtures::{uint_word, word, Abi};
use sp_core::{H160, U256};
use sp_keyring::Sr25519Keyring;

use sp_runtime::DispatchResult;

const WEIGHT_LIMIT: Weight = Weight::from_parts(200_000_000_000, 4 * 1024 * 1024);
const DEPOSIT_LIMIT: Balance = 10 * UNIT;

pub(super) fn account(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
}

pub(super) fn address(who: Sr25519Keyring) -> H160 {
	<Runtime as pallet_revive::Config>::AddressMapper::to_address(&account(who))
}

/// Alice deploys the escrow with herself as arbiter; returns its address.
fn deploy(escrow: &Abi) -> H160 {
	let code = escrow.code(&[word(address(Sr25519Keyring::Alice))]);
	Revive::instantiate_with_code(
		RuntimeOrigin::signed(account(Sr25519Keyring::Alice)),
		0,
		WEIGHT_LIMIT,
		DEPOSIT_LIMIT,
		code,
		vec![],
		Some([7; 32]),
	)
	.expect("the escrow deploys");
	System::events()
		.into_iter()
		.find_map(|record| match record.event {
			RuntimeEvent::Revive(pallet_revive::Event::Instantiated { contract, .. }) => {
				Some(contract)
			},
			_ => None,
		})
		.expect("an Instantiated event")
}

fn call(who: Sr25519Keyring, contract: H160, value: Balance, data: Vec<u8>) -> DispatchResult {
	Revive::call(
		RuntimeOrigin::signed(account(who)),
		contract,
		value,
		WEIGHT_LIMIT,
		DEPOSIT_LIMIT,
		data,
	)
	.map(|_| ())
	.map_err(|e| e.error)
}

/// A read-only call (a dry-run, as `ReviveApi::call` makes it); returns the output.
fn view(contract: H160, data: Vec<u8>) -> Vec<u8> {
	let result = Revive::bare_call(
		RuntimeOrigin::signed(account(Sr25519Keyring::Dave)),
		contract,
		U256::zero(),
		TransactionLimits::WeightAndDeposit { weight_limit: WEIGHT_LIMIT, deposit_limit: 0 },
		data,
		&ExecConfig::new_substrate_tx_without_bump(),
	);
	let output = result.result.expect("the view succeeds");
	assert!(!output.did_revert(), "the view reverted");
	output.data
}

/// The escrow's `State` of deal `id`: 0 none, 1 open, 2 released, 3 refunded.
fn state_of(escrow: &Abi, contract: H160, id: u64) -> u8 {
	let output = view(contract, escrow.call("stateOf(uint256)", &[uint_word(id)]));
	assert_eq!(output.len(), 32);
	output[31]
}

#[test]
fn each_network_has_its_own_evm_chain_id() {
	in_block(|| {
		let network = pallet_network_info::Network::<Runtime>::get().0;
		assert_eq!(contracts::EvmChainId::get(), EVM_CHAIN_ID_BASE + u64::from(network));
		pallet_network_info::Network::<Runtime>::put(NetworkId(network + 1));
		assert_eq!(contracts::EvmChainId::get(), EVM_CHAIN_ID_BASE + u64::from(network) + 1);
	});
}

#[test]
fn the_solidity_escrow_holds_and_releases_a_payment() {
	let escrow = Abi::escrow();
	in_block(|| {
		let contract = deploy(&escrow);
		let arbiter = view(contract, escrow.call("arbiter()", &[]));
		assert_eq!(arbiter, word(address(Sr25519Keyring::Alice)));

		// Bob pays 5 UNIT into a deal for Charlie.
		let charlie_before = Balances::free_balance(account(Sr25519Keyring::Charlie));
		let open = escrow.call("open(address)", &[word(address(Sr25519Keyring::Charlie))]);
		call(Sr25519Keyring::Bob, contract, 5 * UNIT, open).expect("Bob opens a deal");
		assert_eq!(state_of(&escrow, contract, 0), 1, "open");
		assert!(System::events().iter().any(|record| matches!(
			&record.event,
			RuntimeEvent::Revive(pallet_revive::Event::ContractEmitted { contract: c, .. }) if *c == contract
		)));

		// Only the arbiter decides; a refused call changes nothing.
		let release = escrow.call("release(uint256)", &[uint_word(0)]);
		assert!(call(Sr25519Keyring::Bob, contract, 0, release.clone()).is_err());
		assert_eq!(state_of(&escrow, contract, 0), 1, "still open");

		call(Sr25519Keyring::Alice, contract, 0, release.clone()).expect("Alice releases it");
		assert_eq!(state_of(&escrow, contract, 0), 2, "released");
		assert_eq!(
			Balances::free_balance(account(Sr25519Keyring::Charlie)),
			charlie_before + 5 * UNIT,
			"the seller was paid"
		);

		// A deal is settled once.
		assert!(call(Sr25519Keyring::Alice, contract, 0, release).is_err());
		let refund = escrow.call("refund(uint256)", &[uint_word(0)]);
		assert!(call(Sr25519Keyring::Alice, contract, 0, refund).is_err());
		assert_eq!(state_of(&escrow, contract, 0), 2);
	});
}

#[test]
fn an_empty_payment_reverts() {
	let escrow = Abi::escrow();
	in_block(|| {
		let contract = deploy(&escrow);
		let open = escrow.call("open(address)", &[word(address(Sr25519Keyring::Charlie))]);
		assert!(call(Sr25519Keyring::Bob, contract, 0, open).is_err());
		assert_eq!(state_of(&escrow, contract, 0), 0, "no deal");
		let next = view(contract, escrow.call("nextDeal()", &[]));
		assert_eq!(next, uint_word(0));
	});
}
