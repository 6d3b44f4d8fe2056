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

/// A runtime's name and versions, as `state_getRuntimeVersion` gives them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
	pub spec_name: String,
	pub spec_version: u32,
	pub transaction_version: u32,
}

/// Whether this build can make transactions for a network running `version`: the same runtime
/// (`spec_name`) with the same transaction format (`transaction_version`, which a runtime raises
/// when its calls or transaction extensions change), at any `spec_version`. This build encodes
/// calls with its own copy of the runtime, so a new format needs a new build of the tool.
pub fn servable(version: &RuntimeVersion) -> Result<(), Error> {
	let ours = &plexus_runtime::VERSION;
	if version.spec_name != ours.spec_name
		|| version.transaction_version != ours.transaction_version
	{
		return Err(format!(
			"{CANNOT_SERVE}: the network runs {} spec_version {} with transaction_version {}, and \
			 this build of plexus-node makes transactions for {} transaction_version {} (spec_version \
			 {}); use a plexus-node built from the runtime the network now runs",
			version.spec_name,
			version.spec_version,
			version.transaction_version,
			ours.spec_name,
			ours.transaction_version,
			ours.spec_version,
		));
	}
	Ok(())
}

/// How [`servable`]'s refusal begins, so that a caller can tell it from a passing failure.
pub const CANNOT_SERVE: &str = "cannot serve this runtime";

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

	/// As [`Self::submit`], with a nonce the caller keeps. Signed for the runtime version of the
	/// best block, which [`servable`] must accept.
	pub async fn submit_with_nonce(
		&self,
		call: RuntimeCall,
		signer: &sr25519::Pair,
		nonce: Nonce,
	) -> Result<Hash, Error> {
		let version = self.runtime_version(None).await?;
		servable(&version).map_err(|e| format!("{}: {e}", self.url))?;
		let extrinsic = plexus_runtime::signing::sign_for(
			call,
			signer,
			nonce,
			self.genesis(),
			version.spec_version,
		);
		self.submit_encoded(&extrinsic.encode()).await
	}

	/// What the network's runtime says it is at block `at` (best block when `None`).
	pub async fn runtime_version(&self, at: Option<Hash>) -> Result<RuntimeVersion, Error> {
		self.call("state_getRuntimeVersion", rpc_params![at]).await
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

	fn version(spec_name: &str, spec_version: u32, transaction_version: u32) -> RuntimeVersion {
		RuntimeVersion { spec_name: spec_name.into(), spec_version, transaction_version }
	}

	#[test]
	fn a_new_spec_version_is_served_and_a_new_transaction_format_is_not() {
		let ours = &plexus_runtime::VERSION;
		let (spec, tx) = (ours.spec_version, ours.transaction_version);
		assert_eq!(servable(&version("plexus", spec, tx)), Ok(()));
		assert_eq!(servable(&version("plexus", spec + 1, tx)), Ok(()), "an upgrade");
		let refused = servable(&version("plexus", spec + 1, tx + 1)).unwrap_err();
		assert!(refused.starts_with(CANNOT_SERVE), "{refused}");
		assert!(refused.contains(&format!("transaction_version {}", tx + 1)), "{refused}");
		assert!(servable(&version("polkadot", spec, tx)).is_err(), "another runtime");
		// The JSON the node answers with.
		let json = serde_json::json!({
			"specName": "plexus", "implName": "plexus", "authoringVersion": 1,
			"specVersion": spec, "implVersion": 0, "apis": [], "transactionVersion": tx,
			"systemVersion": 1, "stateVersion": 1
		});
		let parsed: RuntimeVersion = serde_json::from_value(json).unwrap();
		assert_eq!(parsed, version("plexus", spec, tx));
	}

	#[test]
	fn a_transaction_is_signed_for_the_spec_version_it_names() {
		use plexus_runtime::{signing, SignedPayload, VERSION};
		use sp_runtime::{generic::Preamble, traits::Verify};
		let alice = dev_pair("//Alice").unwrap();
		let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![7] });
		let genesis = Hash::repeat_byte(1);
		let next = VERSION.spec_version + 1;
		let xt = signing::sign_for(call.clone(), &alice, 0, genesis, next);
		let Preamble::Signed(_, signature, extension) = xt.0.preamble else { panic!("signed") };
		// What CheckSpecVersion and the other extensions add to the payload, at `spec_version`.
		let signed_for = |spec_version: u32| {
			let implicit = (
				(),
				spec_version,
				VERSION.transaction_version,
				genesis,
				genesis,
				(),
				(),
				(),
				(),
				(),
				(),
			);
			let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
			payload.using_encoded(|bytes| signature.verify(bytes, &alice.public().into()))
		};
		assert!(signed_for(next));
		assert!(!signed_for(VERSION.spec_version), "not valid before the upgrade");
	}

	#[test]
	fn a_signer_is_the_account_of_its_uri() {
		let alice = Signer::from_uri("//Alice").unwrap();
		assert_eq!(alice.account(), sp_keyring::Sr25519Keyring::Alice.to_account_id());
		assert!(Signer::from_uri("0x1234").is_err());
	}
}
