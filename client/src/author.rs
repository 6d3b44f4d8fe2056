//! Signing and submitting transactions, with the runtime's own extensions.

use crate::{hex0x, rpc_params, Client, Error};
use codec::Encode;
use plexus_runtime::{AccountId, Hash, Nonce, RuntimeCall};
use sp_core::{sr25519, Pair};

/// A development key from a secret URI such as `//Alice`.
pub fn dev_pair(suri: &str) -> Result<sr25519::Pair, Error> {
	sr25519::Pair::from_string(suri, None).map_err(|e| format!("bad secret URI {suri:?}: {e:?}"))
}

/// A key and the nonce its next transaction takes: read once from the node, then counted here,
/// so that a burst from one account does not wait for each transaction to reach the pool.
pub struct Signer {
	pub pair: sr25519::Pair,
	next: Option<Nonce>,
}

impl Signer {
	pub fn new(pair: sr25519::Pair) -> Self {
		Self { pair, next: None }
	}

	/// From a secret URI such as `//Alice`.
	pub fn from_uri(suri: &str) -> Result<Self, Error> {
		Ok(Self::new(dev_pair(suri)?))
	}

	pub fn account(&self) -> AccountId {
		self.pair.public().into()
	}

	/// Forgets the counted nonce: the next submission reads it from the node again (after a
	/// transaction was refused, or dropped from the pool).
	pub fn resync(&mut self) {
		self.next = None;
	}
}

impl Client {
	/// The nonce `who`'s next transaction takes, counting those in the node's pool.
	pub async fn next_nonce(&self, who: &AccountId) -> Result<Nonce, Error> {
		self.call("system_accountNextIndex", rpc_params![who.to_string()]).await
	}

	/// Signs `call` with the nonce the node expects next and hands it to the pool. Returns the
	/// transaction's hash.
	pub async fn submit(&self, call: RuntimeCall, signer: &sr25519::Pair) -> Result<Hash, Error> {
		let nonce = self.next_nonce(&signer.public().into()).await?;
		self.submit_with_nonce(call, signer, nonce).await
	}

	/// As [`Self::submit`], with a nonce the caller keeps.
	pub async fn submit_with_nonce(
		&self,
		call: RuntimeCall,
		signer: &sr25519::Pair,
		nonce: Nonce,
	) -> Result<Hash, Error> {
		let extrinsic = plexus_runtime::signing::sign(call, signer, nonce, self.genesis());
		self.submit_encoded(&extrinsic.encode()).await
	}

	/// As [`Self::submit`], counting `signer`'s nonce locally; a refused transaction makes the
	/// next one read it from the node again.
	pub async fn submit_as(&self, signer: &mut Signer, call: RuntimeCall) -> Result<Hash, Error> {
		let nonce = match signer.next {
			Some(nonce) => nonce,
			None => self.next_nonce(&signer.account()).await?,
		};
		match self.submit_with_nonce(call, &signer.pair, nonce).await {
			Ok(hash) => {
				signer.next = Some(nonce + 1);
				Ok(hash)
			},
			Err(e) => {
				signer.resync();
				Err(e)
			},
		}
	}

	/// Hands an extrinsic encoded elsewhere (signed up front, for load) to the pool.
	pub async fn submit_encoded(&self, extrinsic: &[u8]) -> Result<Hash, Error> {
		self.call("author_submitExtrinsic", rpc_params![hex0x(extrinsic)]).await
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_signer_is_the_account_of_its_uri() {
		let alice = Signer::from_uri("//Alice").unwrap();
		assert_eq!(alice.account(), sp_keyring::Sr25519Keyring::Alice.to_account_id());
		assert!(Signer::from_uri("0x1234").is_err());
	}
}
