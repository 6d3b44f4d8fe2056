//! The data vault: the off-ledger store of personal data a node holds for its network's
//! data-protection pallet.
//!
//! - **Data** lives in its own RocksDB (`<chain dir>/vault/data`), each record sealed with
//!   ChaCha20-Poly1305 under a key of its own, bound by the AEAD's associated data to its
//!   commitment and subject. The sealed plaintext is `salt ‖ data`: the salt that makes the
//!   ledger's commitment unguessable never leaves the vault except to the subject (export) or an
//!   approved requester.
//! - **Keys** live apart, one file per record under the subject's directory
//!   (`<chain dir>/vault/keys/<subject>/<commitment>.key`). Erasure overwrites the key file,
//!   syncs it and unlinks it, and drops the sealed row: once the key is gone, nothing on disk
//!   can open the data again (crypto-shredding).
//! - **The holder key** (`<chain dir>/vault/holder.seed`, sr25519, made on first start) is this
//!   vault's identity on the ledger: records name it among their holders, and it signs erasure
//!   attestations.
//!
//! The vault itself never decides who may read: the RPC in `rpc/vault.rs` asks the ledger.

use chacha20poly1305::{
	aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
	ChaCha20Poly1305, Key, Nonce,
};
use kvdb::KeyValueDB;
use plexus_primitives::data_protection::commitment;
use sp_core::{crypto::AccountId32, sr25519, Pair};
use std::{
	fs,
	io::Write,
	path::{Path, PathBuf},
};
use zeroize::Zeroizing;

/// Sealed records, by commitment: subject ‖ nonce ‖ ciphertext.
const DATA: u32 = 0;
/// Reads served, by the digest of their signed request: each signed read is served once.
const READS: u32 = 1;
/// Records whose key this vault destroyed, by commitment: the destruction time (Unix ms).
const ERASED: u32 = 2;
const COLUMNS: u32 = 3;
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
	#[error("the vault's storage failed: {0}")]
	Io(#[from] std::io::Error),
	#[error("this vault holds no data under that commitment")]
	Unknown,
	#[error("this vault destroyed that record's key")]
	Erased,
	#[error("the sealed record does not open under its key (damaged or tampered with)")]
	Corrupt,
	#[error("this vault already holds data under that commitment")]
	Exists,
}

/// What the vault opened: the salt and the data whose commitment the ledger holds.
pub struct Opened {
	pub salt: [u8; 32],
	pub data: Zeroizing<Vec<u8>>,
}

pub struct Vault {
	db: kvdb_rocksdb::Database,
	keys: PathBuf,
	holder: sr25519::Pair,
}

impl Vault {
	/// Opens (or creates) the vault in `dir`.
	pub fn open(dir: &Path) -> Result<Self, VaultError> {
		fs::create_dir_all(dir.join("keys"))?;
		let config = kvdb_rocksdb::DatabaseConfig::with_columns(COLUMNS);
		let db = kvdb_rocksdb::Database::open(&config, dir.join("data"))?;
		let holder = load_or_create_holder(&dir.join("holder.seed"))?;
		Ok(Self { db, keys: dir.join("keys"), holder })
	}

	/// This vault's account on the ledger.
	pub fn holder(&self) -> AccountId32 {
		self.holder.public().into()
	}

	/// Signs `payload` with the holder key.
	pub fn sign(&self, payload: &[u8]) -> sr25519::Signature {
		self.holder.sign(payload)
	}

	fn key_path(&self, subject: &AccountId32, commitment: &[u8; 32]) -> PathBuf {
		let subject: &[u8] = subject.as_ref();
		self.keys.join(hex::encode(subject)).join(format!("{}.key", hex::encode(commitment)))
	}

	/// Seals `data` of `subject` under a fresh key and a fresh salt; returns its commitment.
	pub fn put(&self, subject: &AccountId32, data: &[u8]) -> Result<[u8; 32], VaultError> {
		let mut salt = [0u8; 32];
		chacha20poly1305::aead::rand_core::RngCore::fill_bytes(&mut OsRng, &mut salt);
		let commitment = commitment(&salt, data);
		if self.db.has_key(DATA, &commitment)? || self.key_path(subject, &commitment).exists() {
			return Err(VaultError::Exists);
		}
		let key = ChaCha20Poly1305::generate_key(&mut OsRng);
		let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
		let mut plaintext = Zeroizing::new(Vec::with_capacity(32 + data.len()));
		plaintext.extend_from_slice(&salt);
		plaintext.extend_from_slice(data);
		let aad = associated_data(&commitment, subject);
		let sealed = ChaCha20Poly1305::new(&key)
			.encrypt(&nonce, Payload { msg: &plaintext, aad: &aad })
			.map_err(|_| VaultError::Corrupt)?;

		// The key first: a crash between the two writes leaves an orphan key, never data
		// without one.
		let path = self.key_path(subject, &commitment);
		fs::create_dir_all(path.parent().expect("under keys/"))?;
		let mut file = fs::File::create(&path)?;
		file.write_all(key.as_slice())?;
		file.sync_all()?;
		let mut row = Vec::with_capacity(32 + NONCE_LEN + sealed.len());
		row.extend_from_slice(subject.as_ref());
		row.extend_from_slice(nonce.as_slice());
		row.extend_from_slice(&sealed);
		let mut tx = self.db.transaction();
		tx.put(DATA, &commitment, &row);
		self.db.write(tx)?;
		Ok(commitment)
	}

	/// Opens the record under `commitment`.
	pub fn get(&self, commitment: &[u8; 32]) -> Result<Opened, VaultError> {
		if self.db.has_key(ERASED, commitment)? {
			return Err(VaultError::Erased);
		}
		let row = self.db.get(DATA, commitment)?.ok_or(VaultError::Unknown)?;
		if row.len() < 32 + NONCE_LEN {
			return Err(VaultError::Corrupt);
		}
		let subject = AccountId32::new(row[..32].try_into().expect("32 bytes"));
		let nonce = Nonce::from_slice(&row[32..32 + NONCE_LEN]);
		let key = Zeroizing::new(fs::read(self.key_path(&subject, commitment)).map_err(|e| {
			if e.kind() == std::io::ErrorKind::NotFound {
				VaultError::Erased
			} else {
				e.into()
			}
		})?);
		if key.len() != 32 {
			return Err(VaultError::Corrupt);
		}
		let aad = associated_data(commitment, &subject);
		let plaintext = Zeroizing::new(
			ChaCha20Poly1305::new(Key::from_slice(&key))
				.decrypt(nonce, Payload { msg: &row[32 + NONCE_LEN..], aad: &aad })
				.map_err(|_| VaultError::Corrupt)?,
		);
		let salt: [u8; 32] = plaintext[..32].try_into().map_err(|_| VaultError::Corrupt)?;
		Ok(Opened { salt, data: Zeroizing::new(plaintext[32..].to_vec()) })
	}

	/// Destroys the key of the record under `commitment` (and drops its sealed row). Returns
	/// when it was destroyed; asking again returns the same time.
	pub fn erase(&self, commitment: &[u8; 32], now_ms: u64) -> Result<u64, VaultError> {
		if let Some(at) = self.db.get(ERASED, commitment)? {
			return Ok(u64::from_le_bytes(at[..8].try_into().map_err(|_| VaultError::Corrupt)?));
		}
		let row = self.db.get(DATA, commitment)?.ok_or(VaultError::Unknown)?;
		let subject = AccountId32::new(row[..32].try_into().map_err(|_| VaultError::Corrupt)?);
		let path = self.key_path(&subject, commitment);
		if path.exists() {
			// Overwrite in place before unlinking, so the key's bytes leave the file system's
			// blocks too where the file system overwrites in place.
			let mut file = fs::OpenOptions::new().write(true).open(&path)?;
			file.write_all(&[0u8; 32])?;
			file.sync_all()?;
			drop(file);
			fs::remove_file(&path)?;
			if let Some(dir) = path.parent() {
				fs::File::open(dir)?.sync_all()?;
			}
		}
		let mut tx = self.db.transaction();
		tx.delete(DATA, commitment);
		tx.put(ERASED, commitment, &now_ms.to_le_bytes());
		self.db.write(tx)?;
		Ok(now_ms)
	}

	/// Records that the signed read `token` was served; false if it was already.
	pub fn first_read(&self, token: &[u8; 32], now_ms: u64) -> Result<bool, VaultError> {
		if self.db.has_key(READS, token)? {
			return Ok(false);
		}
		let mut tx = self.db.transaction();
		tx.put(READS, token, &now_ms.to_le_bytes());
		self.db.write(tx)?;
		Ok(true)
	}
}

fn associated_data(commitment: &[u8; 32], subject: &AccountId32) -> Vec<u8> {
	let mut aad = commitment.to_vec();
	aad.extend_from_slice(subject.as_ref());
	aad
}

fn load_or_create_holder(path: &Path) -> Result<sr25519::Pair, VaultError> {
	let seed: Zeroizing<Vec<u8>> = match fs::read(path) {
		Ok(seed) => Zeroizing::new(seed),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
			let mut seed = Zeroizing::new(vec![0u8; 32]);
			chacha20poly1305::aead::rand_core::RngCore::fill_bytes(&mut OsRng, &mut seed);
			let mut options = fs::OpenOptions::new();
			options.write(true).create_new(true);
			#[cfg(unix)]
			std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
			let mut file = options.open(path)?;
			file.write_all(&seed)?;
			file.sync_all()?;
			seed
		},
		Err(e) => return Err(e.into()),
	};
	let seed: [u8; 32] = seed[..].try_into().map_err(|_| VaultError::Corrupt)?;
	Ok(sr25519::Pair::from_seed(&seed))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn temp(tag: &str) -> PathBuf {
		let dir = std::env::temp_dir().join(format!("plexus-vault-{tag}-{}", std::process::id()));
		let _ = fs::remove_dir_all(&dir);
		dir
	}

	fn files_contain(dir: &Path, needle: &[u8]) -> bool {
		fs::read_dir(dir).unwrap().flatten().any(|entry| {
			let path = entry.path();
			if path.is_dir() {
				files_contain(&path, needle)
			} else {
				let bytes = fs::read(&path).unwrap_or_default();
				bytes.windows(needle.len()).any(|w| w == needle)
			}
		})
	}

	#[test]
	fn data_opens_until_its_key_is_destroyed_and_survives_a_restart() {
		let dir = temp("life");
		let subject = AccountId32::new([5; 32]);
		let secret = b"Alice Example, 1 Main St, blood type 0+";
		let (commitment, holder) = {
			let vault = Vault::open(&dir).unwrap();
			let commitment = vault.put(&subject, secret).unwrap();
			let opened = vault.get(&commitment).unwrap();
			assert_eq!(&opened.data[..], secret);
			assert_eq!(
				plexus_primitives::data_protection::commitment(&opened.salt, secret),
				commitment
			);
			(commitment, vault.holder())
		};
		// Nothing on disk holds the plaintext.
		assert!(!files_contain(&dir, secret));

		let vault = Vault::open(&dir).unwrap();
		assert_eq!(vault.holder(), holder, "the holder key persists");
		assert_eq!(&vault.get(&commitment).unwrap().data[..], secret);
		let key_file = vault.key_path(&subject, &commitment);
		let key = fs::read(&key_file).unwrap();
		assert_eq!(vault.erase(&commitment, 77).unwrap(), 77);
		assert_eq!(
			vault.erase(&commitment, 99).unwrap(),
			77,
			"erasing again reports the first time"
		);
		assert!(matches!(vault.get(&commitment), Err(VaultError::Erased)));
		drop(vault);

		let vault = Vault::open(&dir).unwrap();
		assert!(matches!(vault.get(&commitment), Err(VaultError::Erased)));
		assert!(!key_file.exists());
		assert!(!files_contain(&dir, &key), "the key is in no file");
		fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn a_tampered_or_misplaced_record_does_not_open() {
		let dir = temp("tamper");
		let vault = Vault::open(&dir).unwrap();
		let subject = AccountId32::new([6; 32]);
		let commitment = vault.put(&subject, b"payload").unwrap();
		let mut row = vault.db.get(DATA, &commitment).unwrap().unwrap();
		let last = row.len() - 1;
		row[last] ^= 1;
		let mut tx = vault.db.transaction();
		tx.put(DATA, &commitment, &row);
		vault.db.write(tx).unwrap();
		assert!(matches!(vault.get(&commitment), Err(VaultError::Corrupt)));
		assert!(matches!(vault.get(&[0; 32]), Err(VaultError::Unknown)));
		// Each signed read is served once.
		assert!(vault.first_read(&[1; 32], 5).unwrap());
		assert!(!vault.first_read(&[1; 32], 6).unwrap());
		fs::remove_dir_all(&dir).unwrap();
	}
}
