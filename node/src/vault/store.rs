//! The vault's database: sealed rows, erasure times and the once-only request set, in one
//! RocksDB whose every write is synced before it returns.
//!
//! kvdb-rocksdb (what the node's own database uses) writes without syncing, which is right for
//! a chain that can re-sync but not for a vault: a `vault_put` answered before its row reached
//! the disk could leave a commitment on the ledger whose data a power cut lost. So the vault
//! opens RocksDB itself, with `WriteOptions::set_sync(true)`.
//!
//! Keys, by a one-byte prefix:
//! - `d ‖ commitment` → a sealed row (see `Row`);
//! - `e ‖ commitment` → when this vault destroyed the record's key (u64 LE, Unix ms);
//! - `u ‖ token` → until when the signed request `token` could still be presented (u64 LE);
//! - `t ‖ until (u64 BE) ‖ token` → nothing: the same set in order of expiry, for pruning.

use super::VaultError;
use rocksdb::{Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};
use std::{path::Path, sync::Mutex};

const DATA: u8 = b'd';
const ERASED: u8 = b'e';
const USED: u8 = b'u';
const USED_BY_EXPIRY: u8 = b't';

/// How many expired once-only entries one call prunes at most: the cost of a request does not
/// grow with the history, and the set still shrinks faster than one entry per request.
const PRUNE_BATCH: usize = 64;

fn key(prefix: u8, id: &[u8]) -> Vec<u8> {
	let mut key = Vec::with_capacity(1 + id.len());
	key.push(prefix);
	key.extend_from_slice(id);
	key
}

fn expiry_key(until: u64, token: &[u8; 32]) -> Vec<u8> {
	let mut key = Vec::with_capacity(1 + 8 + 32);
	key.push(USED_BY_EXPIRY);
	key.extend_from_slice(&until.to_be_bytes());
	key.extend_from_slice(token);
	key
}

fn io(e: rocksdb::Error) -> VaultError {
	VaultError::Io(std::io::Error::other(e.into_string()))
}

pub struct Store {
	db: DB,
	/// Check-then-write sequences (once-only tokens, erasure) run under this lock, so two
	/// concurrent calls cannot both see "absent".
	writer: Mutex<()>,
}

impl Store {
	pub fn open(path: &Path) -> Result<Self, VaultError> {
		let mut options = Options::default();
		options.create_if_missing(true);
		let db = DB::open(&options, path).map_err(io)?;
		Ok(Self { db, writer: Mutex::new(()) })
	}

	fn write(&self, batch: WriteBatch) -> Result<(), VaultError> {
		let mut options = WriteOptions::default();
		options.set_sync(true);
		self.db.write_opt(batch, &options).map_err(io)
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
		// A panic while holding it cannot leave the database half-written (batches are atomic).
		self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	pub fn row(&self, commitment: &[u8; 32]) -> Result<Option<Vec<u8>>, VaultError> {
		self.db.get(key(DATA, commitment)).map_err(io)
	}

	pub fn erased_at(&self, commitment: &[u8; 32]) -> Result<Option<u64>, VaultError> {
		match self.db.get(key(ERASED, commitment)).map_err(io)? {
			None => Ok(None),
			Some(at) => {
				let at: [u8; 8] = at[..].try_into().map_err(|_| VaultError::Corrupt)?;
				Ok(Some(u64::from_le_bytes(at)))
			},
		}
	}

	/// Stores a new row, durably; refuses a commitment that is held or was erased here.
	pub fn insert_row(&self, commitment: &[u8; 32], row: &[u8]) -> Result<(), VaultError> {
		let _guard = self.lock();
		if self.row(commitment)?.is_some() || self.erased_at(commitment)?.is_some() {
			return Err(VaultError::Exists);
		}
		let mut batch = WriteBatch::default();
		batch.put(key(DATA, commitment), row);
		self.write(batch)
	}

	/// Runs `destroy` (which destroys the key) unless the record was erased already, then drops
	/// the row and records `now`, in one synced batch. Returns the first erasure's time.
	pub fn erase(
		&self,
		commitment: &[u8; 32],
		now: u64,
		destroy: impl FnOnce(Option<Vec<u8>>) -> Result<(), VaultError>,
	) -> Result<u64, VaultError> {
		let _guard = self.lock();
		if let Some(at) = self.erased_at(commitment)? {
			return Ok(at);
		}
		destroy(self.row(commitment)?)?;
		let mut batch = WriteBatch::default();
		batch.delete(key(DATA, commitment));
		batch.put(key(ERASED, commitment), now.to_le_bytes());
		self.write(batch)?;
		Ok(now)
	}

	/// Marks the signed request `token` used until `until` (Unix ms); false if it was used.
	/// Prunes up to `PRUNE_BATCH` entries that expired before `now`.
	pub fn first_use(&self, token: &[u8; 32], until: u64, now: u64) -> Result<bool, VaultError> {
		let _guard = self.lock();
		let mut batch = WriteBatch::default();
		let start = [USED_BY_EXPIRY];
		let expired = self
			.db
			.iterator(IteratorMode::From(&start, Direction::Forward))
			.take(PRUNE_BATCH)
			.map_while(|item| item.ok())
			.take_while(|(k, _)| {
				k.len() == 41
					&& k[0] == USED_BY_EXPIRY
					&& u64::from_be_bytes(k[1..9].try_into().expect("8 bytes")) < now
			})
			.map(|(k, _)| k)
			.collect::<Vec<_>>();
		for k in expired {
			batch.delete(key(USED, &k[9..]));
			batch.delete(&k);
		}
		let fresh = self.db.get(key(USED, token)).map_err(io)?.is_none();
		if fresh {
			batch.put(key(USED, token), until.to_le_bytes());
			batch.put(expiry_key(until, token), b"");
		}
		self.write(batch)?;
		Ok(fresh)
	}

	/// How many once-only entries are kept (for tests and the operator's view).
	#[cfg(test)]
	pub fn used_entries(&self) -> usize {
		let start = [USED];
		self.db
			.iterator(IteratorMode::From(&start, Direction::Forward))
			.map_while(|item| item.ok())
			.take_while(|(k, _)| k[0] == USED)
			.count()
	}

	/// Writes a raw row (tests of damaged rows).
	#[cfg(test)]
	pub fn put_raw_row(&self, commitment: &[u8; 32], row: &[u8]) {
		let mut batch = WriteBatch::default();
		batch.put(key(DATA, commitment), row);
		self.write(batch).unwrap();
	}

	/// Writes a raw erasure time (tests of damaged rows).
	#[cfg(test)]
	pub fn put_raw_erased(&self, commitment: &[u8; 32], value: &[u8]) {
		let mut batch = WriteBatch::default();
		batch.put(key(ERASED, commitment), value);
		self.write(batch).unwrap();
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_request_is_used_once_and_forgotten_after_it_expires() {
		let dir = std::env::temp_dir().join(format!("plexus-store-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		let store = Store::open(&dir).unwrap();
		assert!(store.first_use(&[1; 32], 1_000, 0).unwrap());
		assert!(!store.first_use(&[1; 32], 1_000, 10).unwrap(), "a replay is refused");
		assert!(store.first_use(&[2; 32], 5_000, 10).unwrap());
		assert_eq!(store.used_entries(), 2);
		// Past the first one's expiry it is pruned; it could not be presented any more anyway.
		assert!(store.first_use(&[3; 32], 9_000, 2_000).unwrap());
		assert_eq!(store.used_entries(), 2);
		assert!(!store.first_use(&[2; 32], 5_000, 2_000).unwrap(), "still refused until expiry");
		drop(store);
		let store = Store::open(&dir).unwrap();
		assert!(!store.first_use(&[3; 32], 9_000, 2_000).unwrap(), "kept across a restart");
		std::fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn a_check_and_its_insertion_are_one_step_under_concurrency() {
		let dir = std::env::temp_dir().join(format!("plexus-store-race-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		let store = std::sync::Arc::new(Store::open(&dir).unwrap());
		let served: usize = (0..8)
			.map(|_| {
				let store = store.clone();
				std::thread::spawn(move || store.first_use(&[9; 32], 1_000, 0).unwrap())
			})
			.collect::<Vec<_>>()
			.into_iter()
			.map(|t| t.join().unwrap() as usize)
			.sum();
		assert_eq!(served, 1);
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
