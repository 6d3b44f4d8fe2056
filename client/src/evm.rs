//! What talking to Solidity contracts on pallet-revive needs: ABI words, the EVM address of a
//! Substrate account, and the committed escrow fixture (`contracts/fixtures/Escrow.json`).

use crate::{from_hex, Error};
use plexus_runtime::{AccountId, Runtime};
use sp_core::{H160, U256};

/// `contracts/src/Escrow.sol` as `contracts/compile.mjs` built it: ABI, selectors, bytecode.
pub const ESCROW_FIXTURE: &str = include_str!("../../contracts/fixtures/Escrow.json");

/// A 20-byte address as one 32-byte ABI word (left-padded).
pub fn word(address: H160) -> [u8; 32] {
	let mut word = [0u8; 32];
	word[12..].copy_from_slice(address.as_bytes());
	word
}

/// A number as one 32-byte ABI word (big-endian).
pub fn uint_word(value: impl Into<U256>) -> [u8; 32] {
	value.into().to_big_endian()
}

/// The EVM address pallet-revive gives `account` (what `ReviveApi_address` answers), by the
/// runtime's own address mapper.
pub fn evm_address(account: &AccountId) -> H160 {
	<<Runtime as pallet_revive::Config>::AddressMapper as pallet_revive::AddressMapper<Runtime>>::to_address(account)
}

/// A compiled contract of `contracts/fixtures/`.
pub struct Fixture {
	json: serde_json::Value,
}

impl Fixture {
	pub fn parse(text: &str) -> Result<Self, Error> {
		let json: serde_json::Value =
			serde_json::from_str(text).map_err(|e| format!("a malformed contract fixture: {e}"))?;
		Ok(Self { json })
	}

	/// The escrow fixture that this crate carries.
	pub fn escrow() -> Self {
		Self::parse(ESCROW_FIXTURE).expect("the committed fixture is checked in CI; qed")
	}

	/// The deployment code followed by the constructor's ABI-encoded arguments.
	pub fn deploy_code(&self, constructor_args: &[[u8; 32]]) -> Result<Vec<u8>, Error> {
		let code = self.json["bytecode"].as_str().ok_or("the fixture has no bytecode")?;
		let mut code = from_hex(code)?;
		constructor_args.iter().for_each(|w| code.extend_from_slice(w));
		Ok(code)
	}

	/// The 4-byte selector of `signature`, e.g. `open(address)`.
	pub fn selector(&self, signature: &str) -> Result<[u8; 4], Error> {
		let hex = self.json["methodIdentifiers"][signature]
			.as_str()
			.ok_or_else(|| format!("the contract has no method {signature}"))?;
		from_hex(hex)?.try_into().map_err(|_| format!("a malformed selector for {signature}"))
	}

	/// Call data: the selector of `signature` and its arguments as ABI words.
	pub fn call(&self, signature: &str, words: &[[u8; 32]]) -> Result<Vec<u8>, Error> {
		let mut data = self.selector(signature)?.to_vec();
		words.iter().for_each(|w| data.extend_from_slice(w));
		Ok(data)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn escrow_calls_are_selector_and_words() {
		let escrow = Fixture::escrow();
		let seller = H160::repeat_byte(0x11);
		let data = escrow.call("open(address)", &[word(seller)]).unwrap();
		assert_eq!(&data[..4], &[0xb9, 0x54, 0x60, 0xf8]);
		assert_eq!(&data[4 + 12..], seller.as_bytes());
		assert_eq!(data.len(), 36);
		assert_eq!(escrow.call("release(uint256)", &[uint_word(5)]).unwrap()[35], 5);
		assert_eq!(uint_word(u128::MAX)[..16], [0; 16]);
		assert_eq!(uint_word(0x0102u64)[30..], [1, 2]);
		assert!(escrow.call("steal()", &[]).unwrap_err().contains("no method steal()"));
	}

	#[test]
	fn the_evm_address_of_a_substrate_account_is_its_hash_tail() {
		// pallet-revive maps an account that is not Ethereum-derived to keccak256(account)[12..].
		let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
		let expected = H160::from_slice(&sp_io::hashing::keccak_256(alice.as_ref())[12..]);
		assert_eq!(evm_address(&alice), expected);
	}
}
