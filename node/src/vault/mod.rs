//! The data vault: the off-ledger store of personal data a node holds for its network's
//! data-protection pallet.
//!
//! - **Data** lives in the vault's own redb file (`<chain dir>/vault/rows.redb`, every commit on
//!   the disk before it returns), each record sealed with ChaCha20-Poly1305 under a key of its own. Each row keeps the
//!   record's subject and controller in the clear, and the AEAD's associated data binds them,
//!   with the commitment, to the ciphertext: the RPC serves a record only when the ledger's
//!   record names the same subject and controller (`Opened`). The sealed plaintext is
//!   `salt ‖ data`: the salt that makes the ledger's commitment unguessable never leaves the
//!   vault except to the subject (export) or an approved requester.
//! - **Keys** live apart, one file per record under the subject's directory
//!   (`<chain dir>/vault/keys/<subject>/<commitment>.key`), written once. Erasure overwrites the
//!   key file, syncs it and unlinks it, and drops the sealed row: once the key is gone, nothing
//!   on disk can open the data again (crypto-shredding).
//! - **The holder key** (`<chain dir>/vault/holder.seed`, sr25519, made on first start) is this
//!   vault's identity on the ledger: it signs the custody statement that lets a controller
//!   register a commitment naming this vault, and erasure attestations.
//! - **On disk** every directory is 0700 and every file 0600 (`disk`), and every write is
//!   durable before the RPC answers (`store`): a custody signature is never handed out for data
//!   that a crash could still lose.
//!
//! The vault itself never decides who may read: the RPC in `rpc/vault.rs` asks the ledger.

mod disk;
mod store;

use chacha20poly1305::{
	aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
	ChaCha20Poly1305, Key, Nonce,
};
use plexus_primitives::data_protection::commitment;
use sp_core::{crypto::AccountId32, sr25519, Pair};
use std::{
	fs,
	path::{Path, PathBuf},
};
pub use store::RawTable;
use store::Store;
use zeroize::Zeroizing;

/// The row format's version: `1 ‖ subject ‖ controller ‖ nonce ‖ ciphertext`.
const ROW_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const ROW_HEADER: usize = 1 + 32 + 32 + NONCE_LEN;
/// The largest record one `put` takes, in bytes.
pub const MAX_RECORD_LEN: usize = 1 << 20;

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
	#[error("this vault already holds, or held, data under that commitment")]
	Exists,
	#[error("a record holds at most {MAX_RECORD_LEN} bytes")]
	TooLarge,
	#[error(
		"{} holds a vault written by an earlier Plexus, whose rows are not bound to a \
		 controller; move it away to start an empty vault",
		.0.display()
	)]
	OldLayout(PathBuf),
	#[error(
		"{} holds vault rows that an earlier Plexus kept in RocksDB (its store/ directory), which \
		 this Plexus does not read; serve or erase them with that Plexus, or move the directory \
		 away to start an empty vault",
		.0.display()
	)]
	RocksDbStore(PathBuf),
}

/// What the vault opened: whose data it is, under which controller, and the salt and data whose
/// commitment the ledger holds.
pub struct Opened {
	pub subject: AccountId32,
	pub controller: AccountId32,
	pub salt: [u8; 32],
	pub data: Zeroizing<Vec<u8>>,
}

/// A row's clear part: whose record it is.
struct RowHeader<'a> {
	subject: AccountId32,
	controller: AccountId32,
	nonce: &'a [u8],
	sealed: &'a [u8],
}

fn parse_row(row: &[u8]) -> Result<RowHeader<'_>, VaultError> {
	if row.len() < ROW_HEADER || row[0] != ROW_VERSION {
		return Err(VaultError::Corrupt);
	}
	let account = |at: usize| -> AccountId32 {
		let bytes: [u8; 32] = row[at..at + 32].try_into().expect("the length was checked");
		bytes.into()
	};
	Ok(RowHeader {
		subject: account(1),
		controller: account(33),
		nonce: &row[65..ROW_HEADER],
		sealed: &row[ROW_HEADER..],
	})
}

pub struct Vault {
	store: Store,
	keys: PathBuf,
	holder: sr25519::Pair,
}

impl Vault {
	/// Opens (or creates) the vault in `dir`, tightening the modes of what is there.
	pub fn open(dir: &Path) -> Result<Self, VaultError> {
		if dir.join("data").exists() {
			return Err(VaultError::OldLayout(dir.to_path_buf()));
		}
		// Refused, not replaced by an empty vault: the records it holds exist nowhere else.
		if dir.join("store").exists() {
			return Err(VaultError::RocksDbStore(dir.to_path_buf()));
		}
		disk::private_dir(&dir.join("keys"))?;
		let store = Store::open(dir)?;
		let holder = load_or_create_holder(&dir.join("holder.seed"))?;
		disk::restrict_tree(dir)?;
		Ok(Self { store, keys: dir.join("keys"), holder })
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

	/// Seals `data` of `subject`, put by `controller`, under a fresh key and a fresh salt;
	/// returns its commitment once key and row are on disk.
	pub fn put(
		&self,
		subject: &AccountId32,
		controller: &AccountId32,
		data: &[u8],
	) -> Result<[u8; 32], VaultError> {
		if data.len() > MAX_RECORD_LEN {
			return Err(VaultError::TooLarge);
		}
		let mut salt = [0u8; 32];
		chacha20poly1305::aead::rand_core::RngCore::fill_bytes(&mut OsRng, &mut salt);
		let commitment = commitment(&salt, data);
		let mut key = Zeroizing::new([0u8; 32]);
		chacha20poly1305::aead::rand_core::RngCore::fill_bytes(&mut OsRng, &mut key[..]);
		let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
		let mut plaintext = Zeroizing::new(Vec::with_capacity(32 + data.len()));
		plaintext.extend_from_slice(&salt);
		plaintext.extend_from_slice(data);
		let aad = associated_data(&commitment, subject, controller);
		let sealed = ChaCha20Poly1305::new(Key::from_slice(&key[..]))
			.encrypt(&nonce, Payload { msg: &plaintext, aad: &aad })
			.map_err(|_| VaultError::Corrupt)?;

		// The key first: a crash between the two writes leaves an orphan key, never data
		// without one.
		let path = self.key_path(subject, &commitment);
		disk::private_dir(path.parent().expect("under keys/"))?;
		disk::create_new(&path, &key[..]).map_err(|e| {
			if e.kind() == std::io::ErrorKind::AlreadyExists {
				VaultError::Exists
			} else {
				e.into()
			}
		})?;
		let mut row = Vec::with_capacity(ROW_HEADER + sealed.len());
		row.push(ROW_VERSION);
		row.extend_from_slice(subject.as_ref());
		row.extend_from_slice(controller.as_ref());
		row.extend_from_slice(nonce.as_slice());
		row.extend_from_slice(&sealed);
		self.store.insert_row(&commitment, &row)?;
		Ok(commitment)
	}

	/// Opens the record under `commitment`.
	pub fn get(&self, commitment: &[u8; 32]) -> Result<Opened, VaultError> {
		if self.store.erased_at(commitment)?.is_some() {
			return Err(VaultError::Erased);
		}
		let row = self.store.row(commitment)?.ok_or(VaultError::Unknown)?;
		let row = parse_row(&row)?;
		let key =
			Zeroizing::new(fs::read(self.key_path(&row.subject, commitment)).map_err(|e| {
				if e.kind() == std::io::ErrorKind::NotFound {
					VaultError::Erased
				} else {
					e.into()
				}
			})?);
		if key.len() != 32 {
			return Err(VaultError::Corrupt);
		}
		let aad = associated_data(commitment, &row.subject, &row.controller);
		let plaintext = Zeroizing::new(
			ChaCha20Poly1305::new(Key::from_slice(&key))
				.decrypt(Nonce::from_slice(row.nonce), Payload { msg: row.sealed, aad: &aad })
				.map_err(|_| VaultError::Corrupt)?,
		);
		if plaintext.len() < 32 {
			return Err(VaultError::Corrupt);
		}
		let salt: [u8; 32] = plaintext[..32].try_into().expect("the length was checked");
		Ok(Opened {
			subject: row.subject,
			controller: row.controller,
			salt,
			data: Zeroizing::new(plaintext[32..].to_vec()),
		})
	}

	/// Whose record `commitment` is, if this vault holds it, without opening it.
	pub fn owner(
		&self,
		commitment: &[u8; 32],
	) -> Result<Option<(AccountId32, AccountId32)>, VaultError> {
		match self.store.row(commitment)? {
			None => Ok(None),
			Some(row) => {
				let row = parse_row(&row)?;
				Ok(Some((row.subject, row.controller)))
			},
		}
	}

	/// Destroys the key of the record under `commitment` (and drops its sealed row). Returns
	/// when it was destroyed; asking again returns the same time. A record this vault does not
	/// hold (never put here, or lost) is recorded as erased now: there is nothing here to
	/// destroy, and its holder can still attest so.
	pub fn erase(&self, commitment: &[u8; 32], now_ms: u64) -> Result<u64, VaultError> {
		self.store.erase(commitment, now_ms, |row| {
			let Some(row) = row else { return Ok(()) };
			let row = parse_row(&row)?;
			let path = self.key_path(&row.subject, commitment);
			if path.exists() {
				disk::destroy(&path)?;
			}
			Ok(())
		})
	}

	/// Records that the signed request `token` was served, keeping it until `until` (when it
	/// could no longer be presented); false if it was already.
	pub fn first_use(&self, token: &[u8; 32], until: u64, now_ms: u64) -> Result<bool, VaultError> {
		self.store.first_use(token, until, now_ms)
	}

	/// The vault's store as it is (`Store::raw_get`, `Store::raw_set`): for tests and the fuzz
	/// target that damage rows, never for serving requests.
	#[doc(hidden)]
	pub fn raw_store(&self) -> &store::Store {
		&self.store
	}
}

fn associated_data(
	commitment: &[u8; 32],
	subject: &AccountId32,
	controller: &AccountId32,
) -> Vec<u8> {
	let mut aad = commitment.to_vec();
	aad.extend_from_slice(subject.as_ref());
	aad.extend_from_slice(controller.as_ref());
	aad
}

fn load_or_create_holder(path: &Path) -> Result<sr25519::Pair, VaultError> {
	let seed: Zeroizing<Vec<u8>> = match fs::read(path) {
		Ok(seed) => Zeroizing::new(seed),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
			let mut seed = Zeroizing::new(vec![0u8; 32]);
			chacha20poly1305::aead::rand_core::RngCore::fill_bytes(&mut OsRng, &mut seed);
			disk::create_new(path, &seed)?;
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
	use std::os::unix::fs::PermissionsExt;

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

	/// Every directory and file under `dir` with permission bits for group or others.
	fn open_to_others(dir: &Path) -> Vec<PathBuf> {
		let mut found = Vec::new();
		for entry in fs::read_dir(dir).unwrap().flatten() {
			let path = entry.path();
			if fs::metadata(&path).unwrap().permissions().mode() & 0o077 != 0 {
				found.push(path.clone());
			}
			if path.is_dir() {
				found.extend(open_to_others(&path));
			}
		}
		found
	}

	const SUBJECT: AccountId32 = AccountId32::new([5; 32]);
	const CONTROLLER: AccountId32 = AccountId32::new([8; 32]);

	#[test]
	fn data_opens_until_its_key_is_destroyed_and_survives_a_restart() {
		let dir = temp("life");
		let secret = b"Alice Example, 1 Main St, blood type 0+";
		let (commitment, holder) = {
			let vault = Vault::open(&dir).unwrap();
			let commitment = vault.put(&SUBJECT, &CONTROLLER, secret).unwrap();
			let opened = vault.get(&commitment).unwrap();
			assert_eq!(&opened.data[..], secret);
			assert_eq!((opened.subject, opened.controller), (SUBJECT, CONTROLLER));
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
		assert_eq!(vault.owner(&commitment).unwrap(), Some((SUBJECT, CONTROLLER)));
		let key_file = vault.key_path(&SUBJECT, &commitment);
		let key = fs::read(&key_file).unwrap();
		assert_eq!(vault.erase(&commitment, 77).unwrap(), 77);
		assert_eq!(
			vault.erase(&commitment, 99).unwrap(),
			77,
			"erasing again reports the first time"
		);
		assert!(matches!(vault.get(&commitment), Err(VaultError::Erased)));
		assert!(
			matches!(vault.put(&SUBJECT, &CONTROLLER, secret), Ok(c) if c != commitment),
			"a new put of the same data gets a new salt"
		);
		drop(vault);

		let vault = Vault::open(&dir).unwrap();
		assert!(matches!(vault.get(&commitment), Err(VaultError::Erased)));
		assert!(!key_file.exists());
		assert!(!files_contain(&dir, &key), "the key is in no file");
		fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn keys_rows_and_directories_are_private_to_the_node() {
		let dir = temp("modes");
		// SAFETY: umask only changes this process's default for new files; a permissive one
		// shows that the vault does not rely on it.
		let old = unsafe { libc::umask(0o000) };
		let vault = Vault::open(&dir).unwrap();
		let commitment = vault.put(&SUBJECT, &CONTROLLER, b"private").unwrap();
		unsafe { libc::umask(old) };
		assert!(vault.key_path(&SUBJECT, &commitment).exists());
		assert_eq!(open_to_others(&dir), Vec::<PathBuf>::new());
		drop(vault);

		// A vault left open to others is tightened when it opens.
		let key_dir = dir.join("keys").join(hex::encode(SUBJECT));
		fs::set_permissions(&key_dir, fs::Permissions::from_mode(0o755)).unwrap();
		let _vault = Vault::open(&dir).unwrap();
		assert_eq!(open_to_others(&dir), Vec::<PathBuf>::new());
		fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn a_tampered_misplaced_or_short_row_is_an_error_never_a_panic() {
		let dir = temp("tamper");
		let vault = Vault::open(&dir).unwrap();
		let commitment = vault.put(&SUBJECT, &CONTROLLER, b"payload").unwrap();
		let mut row = vault.store.row(&commitment).unwrap().unwrap();
		let last = row.len() - 1;
		row[last] ^= 1;
		vault.raw_store().raw_set(RawTable::Rows, &commitment, Some(&row)).unwrap();
		assert!(matches!(vault.get(&commitment), Err(VaultError::Corrupt)));

		// The subject and controller in the clear are bound to the ciphertext: a row moved to
		// another controller does not open.
		let mut row = vault.store.row(&commitment).unwrap().unwrap();
		row[last] ^= 1;
		row[33] ^= 1;
		vault.raw_store().raw_set(RawTable::Rows, &commitment, Some(&row)).unwrap();
		assert!(matches!(vault.get(&commitment), Err(VaultError::Corrupt)));
		assert!(matches!(vault.get(&[0; 32]), Err(VaultError::Unknown)));

		for short in [&[][..], &[1u8; 5][..], &[1u8; 40][..], &[2u8; 200][..]] {
			let c = [short.len() as u8 + 1; 32];
			vault.raw_store().raw_set(RawTable::Rows, &c, Some(short)).unwrap();
			assert!(matches!(vault.get(&c), Err(VaultError::Corrupt)), "{} bytes", short.len());
			assert!(matches!(vault.owner(&c), Err(VaultError::Corrupt)));
			assert!(matches!(vault.erase(&c, 5), Err(VaultError::Corrupt)));
		}
		let c = [0xee; 32];
		vault.raw_store().raw_set(RawTable::Erased, &c, Some(&[1, 2, 3])).unwrap();
		assert!(matches!(vault.erase(&c, 5), Err(VaultError::Corrupt)));
		assert!(matches!(vault.get(&c), Err(VaultError::Corrupt)));
		fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn erasing_what_is_not_here_records_it_and_bounds_hold() {
		let dir = temp("absent");
		let vault = Vault::open(&dir).unwrap();
		assert_eq!(vault.erase(&[4; 32], 10).unwrap(), 10);
		assert_eq!(vault.erase(&[4; 32], 20).unwrap(), 10);
		assert!(matches!(
			vault.put(&SUBJECT, &CONTROLLER, &vec![0; MAX_RECORD_LEN + 1]),
			Err(VaultError::TooLarge)
		));
		fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn a_vault_of_the_old_layout_is_refused_not_read() {
		let dir = temp("old");
		fs::create_dir_all(dir.join("data")).unwrap();
		assert!(matches!(Vault::open(&dir), Err(VaultError::OldLayout(_))));
		fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn a_vault_kept_in_rocksdb_is_refused_and_left_as_it_was() {
		let dir = temp("rocksdb");
		fs::create_dir_all(dir.join("store")).unwrap();
		fs::write(dir.join("store").join("CURRENT"), b"MANIFEST-000005\n").unwrap();
		let error = Vault::open(&dir).err().expect("refused");
		assert!(matches!(error, VaultError::RocksDbStore(_)));
		assert!(error.to_string().contains("move the directory away"), "{error}");
		let left: Vec<_> = fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name()).collect();
		assert_eq!(left, vec![std::ffi::OsString::from("store")], "nothing was created beside it");
		fs::remove_dir_all(&dir).unwrap();
	}
}
