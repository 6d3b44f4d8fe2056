//! The Ethereum transaction path: `Revive::eth_transact` carrying a transaction signed by a real
//! Ethereum signer (revive's `Account`, secp256k1), as eth-rpc submits it, checked by
//! `contracts::EthExtraImpl`.

use super::*;
use crate::contracts::EVM_CHAIN_ID_BASE;
use frame_support::weights::{Weight, WeightToFee};
use pallet_revive::{
	evm::{
		Account, GenericTransaction, Transaction1559Unsigned, TransactionLegacyUnsigned,
		TransactionSigned, TransactionUnsigned,
	},
	AddressMapper,
};
use sp_core::{H160, U256};
use sp_runtime::{
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	ApplyExtrinsicResult,
};

type Mapper = <Runtime as pallet_revive::Config>::AddressMapper;

/// The secret keys of the Ethereum development accounts, public by design (Moonbeam's dev keys,
/// which eth-rpc's `--dev` and Hardhat users know).
const ETH_DEV_SECRETS: [[u8; 32]; 5] = [
	sp_core::hex2array!("5fb92d6e98884f76de468fa3f6278f8807c48bebc13595d45af5bdc4da702133"),
	sp_core::hex2array!("8075991ce870b93a8870eca0c0f91913d12f47948ca0fd25b49c6fa7cdbeee8b"),
	sp_core::hex2array!("0b6e18cafb6ed99687ec547bd28139cafdd2bffe70e6b688025de6b445aa5c5b"),
	sp_core::hex2array!("39539ab1876910bbf3a223d84a29e28f1cb4e2e456503e7e91ed39b2e7223d68"),
	sp_core::hex2array!("7dce9bc8babb68fec1409be38c8e1a52650206a7ed90ff956ae8a6d15eeaaef4"),
];

fn alith() -> Account {
	Account::from_secret_key(ETH_DEV_SECRETS[0])
}

/// This development network's chain id (network 1).
fn chain_id() -> U256 {
	U256::from(EVM_CHAIN_ID_BASE + 1)
}

/// The extrinsic eth-rpc makes of a signed Ethereum transaction: a bare `eth_transact`, in
/// format 4 as subxt builds it.
fn eth_extrinsic(signed: &TransactionSigned) -> UncheckedExtrinsic {
	let call =
		RuntimeCall::Revive(pallet_revive::Call::eth_transact { payload: signed.signed_payload() });
	sp_runtime::generic::UncheckedExtrinsic::new_bare_legacy(call).into()
}

/// A value transfer of `value` wei from `from` to `to` with this gas limit, as EIP-1559.
fn transfer_1559(
	from: &Account,
	to: H160,
	value: U256,
	nonce: u32,
	gas: U256,
) -> TransactionSigned {
	transfer_1559_on(chain_id(), from, to, value, nonce, gas)
}

/// As [`transfer_1559`], signed for the chain `chain`.
fn transfer_1559_on(
	chain: U256,
	from: &Account,
	to: H160,
	value: U256,
	nonce: u32,
	gas: U256,
) -> TransactionSigned {
	let price = Revive::evm_base_fee();
	from.sign_transaction(TransactionUnsigned::Transaction1559Unsigned(Transaction1559Unsigned {
		chain_id: chain,
		nonce: nonce.into(),
		gas,
		gas_price: price,
		max_fee_per_gas: price,
		to: Some(to),
		value,
		..Default::default()
	}))
}

/// The same transfer as a legacy transaction with nonce 0, for `chain`, or for no chain at all
/// (before EIP-155).
fn transfer_legacy(
	chain: Option<U256>,
	from: &Account,
	to: H160,
	value: U256,
	gas: U256,
) -> TransactionSigned {
	from.sign_transaction(TransactionUnsigned::TransactionLegacyUnsigned(
		TransactionLegacyUnsigned {
			chain_id: chain,
			gas,
			gas_price: Revive::evm_base_fee(),
			to: Some(to),
			value,
			..Default::default()
		},
	))
}

/// What a wallet asks eth-rpc before sending: the gas a transfer needs (revive's dry run, whose
/// changes a node throws away, as this does).
fn estimated_gas(from: &Account, to: H160, value: U256) -> U256 {
	let tx = GenericTransaction {
		from: Some(from.address()),
		to: Some(to),
		value: Some(value),
		chain_id: Some(chain_id()),
		..Default::default()
	};
	frame_support::storage::with_transaction(|| {
		let info = Revive::dry_run_eth_transact(tx, None, true, None);
		sp_runtime::TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>(info))
	})
	.unwrap()
	.expect("the dry run succeeds")
	.eth_gas
}

fn apply(signed: &TransactionSigned) -> ApplyExtrinsicResult {
	Executive::apply_extrinsic(eth_extrinsic(signed))
}

fn refused(result: ApplyExtrinsicResult) -> InvalidTransaction {
	match result {
		Err(TransactionValidityError::Invalid(why)) => why,
		other => panic!("expected an invalid transaction, got {other:?}"),
	}
}

/// One wei in this runtime's 12-decimal units is dust; transfers here move whole micro-units.
fn wei(native: Balance) -> U256 {
	Revive::convert_native_to_evm(native)
}

#[test]
fn the_ethereum_development_keys_are_endowed_under_their_addresses() {
	in_block(|| {
		for (secret, address) in
			ETH_DEV_SECRETS.iter().zip(genesis_config_presets::ETH_DEV_ADDRESSES)
		{
			let account = Account::from_secret_key(*secret);
			assert_eq!(account.address(), H160(address));
			assert_eq!(
				account.substrate_account(),
				genesis_config_presets::eth_account(address),
				"the account revive runs its transactions as"
			);
			// What it can spend: the endowment less the existential deposit.
			assert_eq!(
				Revive::evm_balance(&account.address()),
				wei(genesis_config_presets::ENDOWMENT - EXISTENTIAL_DEPOSIT)
			);
		}
	});
}

#[test]
fn an_ethereum_transfer_signed_for_this_network_applies_once() {
	in_block(|| {
		let alith = alith();
		let to = H160::repeat_byte(0x42);
		let value = wei(3 * UNIT);
		let before = Revive::evm_balance(&alith.address());
		let gas = estimated_gas(&alith, to, value);

		let signed = transfer_1559(&alith, to, value, 0, gas);
		assert_eq!(apply(&signed), Ok(Ok(())));
		assert_eq!(Revive::evm_balance(&to), value);
		assert_eq!(Revive::evm_nonce(&alith.address()), 1);
		let spent = before - Revive::evm_balance(&alith.address());
		assert!(spent > value, "the fee is paid on top: spent {spent}, sent {value}");

		// The same signed transaction again: its nonce is used.
		assert_eq!(refused(apply(&signed)), InvalidTransaction::Stale);
		assert_eq!(Revive::evm_balance(&to), value, "paid once");
	});
}

#[test]
fn forged_or_misdirected_ethereum_transactions_are_refused_and_change_nothing() {
	in_block(|| {
		let alith = alith();
		let to = H160::repeat_byte(0x43);
		let value = wei(UNIT);
		let gas = estimated_gas(&alith, to, value);
		let balance = Revive::evm_balance(&alith.address());
		let unchanged = || {
			assert_eq!(Revive::evm_balance(&to), U256::zero());
			assert_eq!(Revive::evm_balance(&alith.address()), balance);
			assert_eq!(Revive::evm_nonce(&alith.address()), 0);
		};

		// A signature that recovers no key.
		let TransactionSigned::Transaction1559Signed(mut forged) =
			transfer_1559(&alith, to, value, 0, gas)
		else {
			unreachable!("signed as 1559")
		};
		forged.r = U256::zero();
		let forged = TransactionSigned::Transaction1559Signed(forged);
		assert_eq!(refused(apply(&forged)), InvalidTransaction::BadProof);
		unchanged();

		// Another network's chain id (beta's).
		let beta = U256::from(EVM_CHAIN_ID_BASE + 2);
		let for_beta = transfer_1559_on(beta, &alith, to, value, 0, gas);
		assert_eq!(refused(apply(&for_beta)), InvalidTransaction::Call);
		unchanged();

		// A legacy transaction without a chain id, valid on every chain that takes them.
		let replayable = transfer_legacy(None, &alith, to, value, gas);
		assert_eq!(refused(apply(&replayable)), InvalidTransaction::Call);
		unchanged();

		// A nonce from the future.
		let early = transfer_1559(&alith, to, value, 1, gas);
		assert_eq!(refused(apply(&early)), InvalidTransaction::Future);
		unchanged();

		// Too little gas for the transfer's weight.
		let starved = transfer_1559(&alith, to, value, 0, U256::from(1));
		assert_eq!(refused(apply(&starved)), InvalidTransaction::Payment);
		unchanged();

		// The same legacy transaction with this network's chain id is accepted.
		let protected = transfer_legacy(Some(chain_id()), &alith, to, value, gas);
		assert_eq!(apply(&protected), Ok(Ok(())));
		assert_eq!(Revive::evm_balance(&to), value);
	});
}

#[test]
fn a_substrate_account_is_mapped_when_created_so_ethereum_transfers_reach_it() {
	in_block(|| {
		let fresh = <sr25519::Pair as sp_core::Pair>::from_seed(&[9; 32]);
		let fresh_account: AccountId = sp_core::Pair::public(&fresh).into();
		let address = Mapper::to_address(&fresh_account);
		assert!(!Mapper::is_mapped(&fresh_account));

		let genesis = frame_system::BlockHash::<Runtime>::get(0);
		let xt =
			signed_transfer(&Sr25519Keyring::Alice.pair(), fresh_account.clone(), UNIT, 0, genesis);
		assert_eq!(Executive::apply_extrinsic(xt), Ok(Ok(())));
		assert!(Mapper::is_mapped(&fresh_account), "mapped on creation");
		assert_eq!(Mapper::to_account_id(&address), fresh_account);

		// An Ethereum transfer to that address lands in the sr25519 account, not in a
		// fallback account nobody holds the key of.
		let alith = alith();
		let value = wei(2 * UNIT);
		let gas = estimated_gas(&alith, address, value);
		assert_eq!(apply(&transfer_1559(&alith, address, value, 0, gas)), Ok(Ok(())));
		assert_eq!(Balances::free_balance(&fresh_account), 3 * UNIT);
	});
}

#[test]
fn the_extensions_of_ethereum_and_substrate_transactions_encode_alike() {
	// `SetOrigin`'s flag is not encoded: eth-rpc's and every other signer's payloads agree.
	let substrate = crate::contracts::tx_extension(7, 0, false);
	let ethereum = crate::contracts::tx_extension(7, 0, true);
	assert_ne!(substrate, ethereum);
	assert_eq!(substrate.encode(), ethereum.encode());
	assert_eq!(signing::tx_extension(7).encode(), substrate.encode());
}

#[test]
fn revives_fee_model_charges_what_identity_fee_did() {
	// `BlockRatioFee` takes the larger of a ref-time fee and a proof-size fee priced so that a
	// whole block of either costs the same. This runtime's block proof size is unbounded
	// (u64::MAX), so a proof costs 1 per 18 MB: every real weight pays its ref time, as under
	// `IdentityFee`.
	type Fee = <Runtime as pallet_transaction_payment::Config>::WeightToFee;
	const MIB: u64 = 1024 * 1024;
	for (ref_time, proof_size) in
		[(0, 0), (1_000, 64 * MIB), (125_000_000, 3_593), (1_000_000_000_000, 1_000_000_000)]
	{
		let weight = Weight::from_parts(ref_time, proof_size);
		assert_eq!(Fee::weight_to_fee(&weight), Balance::from(ref_time), "{weight:?}");
	}
	// A whole block's proof costs what a whole block's ref time does.
	let block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
	let whole_proof = Fee::weight_to_fee(&Weight::from_parts(0, block.proof_size()));
	let whole_time = Balance::from(block.ref_time());
	assert!(whole_proof.abs_diff(whole_time) <= whole_time / 1_000_000, "{whole_proof}");
}
