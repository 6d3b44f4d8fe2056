//! Keys that `launch` makes for its nodes: session keys of producers, written to their keystores,
//! and libp2p node keys, from which bootnode addresses follow.

use sc_keystore::LocalKeystore;
use sp_core::{crypto::KeyTypeId, ed25519, sr25519, Pair};
use sp_keystore::Keystore;
use std::path::Path;

pub const AURA: KeyTypeId = KeyTypeId(*b"aura");
pub const GRANDPA: KeyTypeId = KeyTypeId(*b"gran");

/// A producer's session keys: Aura (sr25519) and GRANDPA (ed25519), from one secret phrase.
pub struct SessionKeys {
	phrase: String,
	pub aura: sr25519::Public,
	pub grandpa: ed25519::Public,
}

impl SessionKeys {
	pub fn generate() -> Self {
		let (_, phrase, _) = sr25519::Pair::generate_with_phrase(None);
		Self::from_phrase(&phrase).expect("a freshly generated phrase is valid; qed")
	}

	pub fn from_phrase(phrase: &str) -> Result<Self, String> {
		let aura = sr25519::Pair::from_phrase(phrase, None)
			.map_err(|e| format!("bad session key phrase: {e:?}"))?
			.0
			.public();
		let grandpa = ed25519::Pair::from_phrase(phrase, None)
			.map_err(|e| format!("bad session key phrase: {e:?}"))?
			.0
			.public();
		Ok(Self { phrase: phrase.to_string(), aura, grandpa })
	}

	/// The secret phrase both keys come from, for a keystore elsewhere (a Kubernetes Secret).
	pub fn phrase(&self) -> &str {
		&self.phrase
	}

	/// The account that registers these keys: the account of the Aura key, as at genesis.
	pub fn account(&self) -> plexus_runtime::AccountId {
		self.aura.into()
	}

	pub fn runtime_keys(&self) -> plexus_runtime::SessionKeys {
		plexus_runtime::SessionKeys { aura: self.aura.into(), grandpa: self.grandpa.into() }
	}

	/// What `Session::set_keys` takes as proof that `owner` holds both keys: each key's
	/// signature of the owner's statement of ownership.
	pub fn ownership_proof(&self, owner: &plexus_runtime::AccountId) -> Vec<u8> {
		use codec::Encode;
		let statement = sp_core::proof_of_possession::statement_of_ownership(&owner.encode());
		let aura =
			sr25519::Pair::from_phrase(&self.phrase, None).expect("checked when made; qed").0;
		let grandpa =
			ed25519::Pair::from_phrase(&self.phrase, None).expect("checked when made; qed").0;
		(aura.sign(&statement), grandpa.sign(&statement)).encode()
	}

	/// The pair that signs for [`Self::account`].
	pub fn account_pair(&self) -> sr25519::Pair {
		sr25519::Pair::from_phrase(&self.phrase, None).expect("checked when made; qed").0
	}

	/// Writes both keys into the keystore at `dir`, where the node will look for them.
	pub fn install(&self, dir: &Path) -> Result<(), String> {
		let keystore = LocalKeystore::open(dir, None)
			.map_err(|e| format!("cannot open keystore {}: {e}", dir.display()))?;
		keystore
			.insert(AURA, &self.phrase, self.aura.as_ref())
			.map_err(|()| format!("cannot write the aura key to {}", dir.display()))?;
		keystore
			.insert(GRANDPA, &self.phrase, self.grandpa.as_ref())
			.map_err(|()| format!("cannot write the grandpa key to {}", dir.display()))?;
		Ok(())
	}
}

/// The public session keys in the keystore at `dir`: a producer's Aura and GRANDPA keys.
pub fn installed(dir: &Path) -> Result<(sr25519::Public, ed25519::Public), String> {
	if !dir.is_dir() {
		return Err(format!("{} holds no keystore: not a producer", dir.display()));
	}
	let keystore = LocalKeystore::open(dir, None)
		.map_err(|e| format!("cannot open keystore {}: {e}", dir.display()))?;
	let aura = keystore.sr25519_public_keys(AURA);
	let grandpa = keystore.ed25519_public_keys(GRANDPA);
	match (aura.as_slice(), grandpa.as_slice()) {
		([aura], [grandpa]) => Ok((*aura, *grandpa)),
		_ => Err(format!(
			"{} holds {} aura and {} grandpa keys; expected one of each",
			dir.display(),
			aura.len(),
			grandpa.len()
		)),
	}
}

/// A node's libp2p identity.
#[derive(Clone)]
pub struct NodeKey {
	secret: [u8; 32],
}

impl NodeKey {
	pub fn generate() -> Self {
		Self { secret: sc_network_types::ed25519::SecretKey::generate().to_bytes() }
	}

	pub fn from_hex(hex_secret: &str) -> Result<Self, String> {
		let bytes = hex::decode(hex_secret.trim()).map_err(|e| format!("bad node key: {e}"))?;
		let secret: [u8; 32] =
			bytes.try_into().map_err(|_| "a node key is 32 bytes".to_string())?;
		Ok(Self { secret })
	}

	pub fn to_hex(&self) -> String {
		hex::encode(self.secret)
	}

	pub fn peer_id(&self) -> String {
		let secret = sc_network_types::ed25519::SecretKey::try_from_bytes(self.secret)
			.expect("32 bytes are a valid ed25519 secret; qed");
		sc_network_types::ed25519::Keypair::from(secret).public().to_peer_id().to_base58()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn session_keys_land_in_the_keystore() {
		let dir = std::env::temp_dir().join(format!("plexus-keys-{}", std::process::id()));
		let keys = SessionKeys::generate();
		keys.install(&dir).unwrap();
		let keystore = LocalKeystore::open(&dir, None).unwrap();
		assert!(keystore.has_keys(&[(keys.aura.to_vec(), AURA), (keys.grandpa.to_vec(), GRANDPA)]));
		let other = SessionKeys::generate();
		assert!(!keystore.has_keys(&[(other.aura.to_vec(), AURA)]));
		assert_eq!(installed(&dir).unwrap(), (keys.aura, keys.grandpa));
		other.install(&dir).unwrap();
		assert!(installed(&dir).unwrap_err().contains("2 aura and 2 grandpa"));
		std::fs::remove_dir_all(dir).unwrap();
	}

	#[test]
	fn the_ownership_proof_is_what_pallet_session_checks() {
		use codec::Encode;
		use sp_runtime::traits::OpaqueKeys;
		let keys = SessionKeys::generate();
		let owner = keys.account();
		let proof = keys.ownership_proof(&owner);
		assert!(keys.runtime_keys().ownership_proof_is_valid(&owner.encode(), &proof));
		let someone_else = SessionKeys::generate().account();
		assert!(!keys.runtime_keys().ownership_proof_is_valid(&someone_else.encode(), &proof));
		assert_eq!(sp_core::sr25519::Public::from(keys.account_pair().public()), keys.aura);
	}

	#[test]
	fn node_key_round_trips_and_names_a_peer() {
		let key = NodeKey::generate();
		let again = NodeKey::from_hex(&key.to_hex()).unwrap();
		assert_eq!(key.peer_id(), again.peer_id());
		assert!(key.peer_id().starts_with("12D3KooW"));
		assert_ne!(key.peer_id(), NodeKey::generate().peer_id());
		assert!(NodeKey::from_hex("abcd").is_err());
	}
}
