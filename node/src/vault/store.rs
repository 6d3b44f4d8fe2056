//! The vault's database: sealed rows, erasure times and the once-only request set, in one redb
//! file (`rows.redb`) whose every commit is on the disk before it returns.
//!
//! The node's own database (ParityDb) queues its writes and commits them in the background, which
//! is right for a chain that can re-sync but not for a vault: a `vault_put` answered before its
//! row reached the disk could leave a commitment on the ledger whose data a power cut lost. redb
//! commits with `Durability::Immediate` (its default, set here explicitly) and runs one write
//! transaction at a time, so a check and the write that depends on it are one step.
//!
//! Tables (keys and values are bytes; `Store::raw_get` and `raw_set` read and writes them as they are, for the
//! tests and the fuzz target that damage rows):
//! - `rows`: commitment → a sealed row (see `Row`);
//! - `erased`: commitment → when this vault destroyed the record's key (u64 LE, Unix ms);
//! - `used`: token → until when the signed request `token` could still be presented (u64 LE);
//! - `used_by_expiry`: until (u64 BE) ‖ token → nothing: the same set in order of expiry.

use super::{disk, VaultError};
use redb::{
	Database, Durability, ReadableDatabase, ReadableTable, Table, TableDefinition, WriteTransaction,
};
use std::{fs, os::unix::fs::OpenOptionsExt, path::Path};

const ROWS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("rows");
const ERASED: TableDefinition<&[u8], &[u8]> = TableDefinition::new("erased");
const USED: TableDefinition<&[u8], &[u8]> = TableDefinition::new("used");
const USED_BY_EXPIRY: TableDefinition<&[u8], ()> = TableDefinition::new("used_by_expiry");

/// The store's file in the vault's directory.
pub const FILE: &str = "rows.redb";

/// How many expired once-only entries one call prunes at most: the cost of a request does not
/// grow with the history, and the set still shrinks faster than one entry per request.
const PRUNE_BATCH: usize = 64;

/// redb's page cache; a vault's working set is a few rows, and a host runs many nodes.
const CACHE_BYTES: usize = 16 << 20;

fn expiry_key(until: u64, token: &[u8; 32]) -> [u8; 40] {
	let mut key = [0; 40];
	key[..8].copy_from_slice(&until.to_be_bytes());
	key[8..].copy_from_slice(token);
	key
}

fn io(e: impl Into<redb::Error>) -> VaultError {
	VaultError::Io(std::io::Error::other(e.into().to_string()))
}

fn time(bytes: &[u8]) -> Result<u64, VaultError> {
	Ok(u64::from_le_bytes(bytes.try_into().map_err(|_| VaultError::Corrupt)?))
}

/// One of the store's tables, by name (for `Store::raw`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawTable {
	Rows,
	Erased,
}

impl RawTable {
	fn definition(self) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
		match self {
			RawTable::Rows => ROWS,
			RawTable::Erased => ERASED,
		}
	}
}

pub struct Store {
	db: Database,
}

impl Store {
	/// Opens the store in `dir` (the vault's directory), creating it 0600 if it is not there.
	pub fn open(dir: &Path) -> Result<Self, VaultError> {
		let path = dir.join(FILE);
		if !path.exists() {
			fs::OpenOptions::new()
				.write(true)
				.create_new(true)
				.mode(disk::FILE_MODE)
				.open(&path)?
				.sync_all()?;
			disk::sync_parent(&path)?;
		}
		// A file damaged outside redb is an error, not a panic.
		let db = Database::builder()
			.set_cache_size(CACHE_BYTES)
			.set_check_integrity_on_open(true)
			.create(&path)
			.map_err(io)?;
		let store = Self { db };
		store.write(|txn| {
			txn.open_table(ROWS).map_err(io)?;
			txn.open_table(ERASED).map_err(io)?;
			txn.open_table(USED).map_err(io)?;
			txn.open_table(USED_BY_EXPIRY).map_err(io)?;
			Ok(())
		})?;
		Ok(store)
	}

	/// Runs `f` in one write transaction and commits it durably; redb runs one at a time, so
	/// what `f` reads is still true when its writes land.
	fn write<T>(
		&self,
		f: impl FnOnce(&WriteTransaction) -> Result<T, VaultError>,
	) -> Result<T, VaultError> {
		let mut txn = self.db.begin_write().map_err(io)?;
		txn.set_durability(Durability::Immediate).map_err(io)?;
		let out = f(&txn)?;
		txn.commit().map_err(io)?;
		Ok(out)
	}

	fn get(&self, table: RawTable, id: &[u8]) -> Result<Option<Vec<u8>>, VaultError> {
		let txn = self.db.begin_read().map_err(io)?;
		let table = txn.open_table(table.definition()).map_err(io)?;
		let value = table.get(id).map_err(io)?.map(|v| v.value().to_vec());
		Ok(value)
	}

	pub fn row(&self, commitment: &[u8; 32]) -> Result<Option<Vec<u8>>, VaultError> {
		self.get(RawTable::Rows, commitment)
	}

	pub fn erased_at(&self, commitment: &[u8; 32]) -> Result<Option<u64>, VaultError> {
		self.get(RawTable::Erased, commitment)?.map(|at| time(&at)).transpose()
	}

	/// Stores a new row, durably; refuses a commitment that is held or was erased here.
	pub fn insert_row(&self, commitment: &[u8; 32], row: &[u8]) -> Result<(), VaultError> {
		self.write(|txn| {
			let mut rows = txn.open_table(ROWS).map_err(io)?;
			let erased = txn.open_table(ERASED).map_err(io)?;
			if rows.get(&commitment[..]).map_err(io)?.is_some()
				|| erased.get(&commitment[..]).map_err(io)?.is_some()
			{
				return Err(VaultError::Exists);
			}
			rows.insert(&commitment[..], row).map_err(io)?;
			Ok(())
		})
	}

	/// Runs `destroy` (which destroys the key) unless the record was erased already, then drops
	/// the row and records `now`, in one durable commit. Returns the first erasure's time.
	pub fn erase(
		&self,
		commitment: &[u8; 32],
		now: u64,
		destroy: impl FnOnce(Option<Vec<u8>>) -> Result<(), VaultError>,
	) -> Result<u64, VaultError> {
		self.write(|txn| {
			let mut rows = txn.open_table(ROWS).map_err(io)?;
			let mut erased = txn.open_table(ERASED).map_err(io)?;
			if let Some(at) = erased.get(&commitment[..]).map_err(io)? {
				return time(at.value());
			}
			let row = rows.get(&commitment[..]).map_err(io)?.map(|v| v.value().to_vec());
			// If this fails, nothing below is written: the transaction is dropped, not committed.
			destroy(row)?;
			rows.remove(&commitment[..]).map_err(io)?;
			erased.insert(&commitment[..], &now.to_le_bytes()[..]).map_err(io)?;
			Ok(now)
		})
	}

	/// Marks the signed request `token` used until `until` (Unix ms); false if it was used.
	/// Prunes up to `PRUNE_BATCH` entries that expired before `now`.
	pub fn first_use(&self, token: &[u8; 32], until: u64, now: u64) -> Result<bool, VaultError> {
		self.write(|txn| {
			let mut used = txn.open_table(USED).map_err(io)?;
			let mut by_expiry = txn.open_table(USED_BY_EXPIRY).map_err(io)?;
			prune(&mut used, &mut by_expiry, now)?;
			let fresh = used.get(&token[..]).map_err(io)?.is_none();
			if fresh {
				used.insert(&token[..], &until.to_le_bytes()[..]).map_err(io)?;
				by_expiry.insert(&expiry_key(until, token)[..], ()).map_err(io)?;
			}
			Ok(fresh)
		})
	}

	/// How many once-only entries are kept (for tests and the operator's view).
	#[cfg(test)]
	pub fn used_entries(&self) -> usize {
		let txn = self.db.begin_read().unwrap();
		use redb::ReadableTableMetadata;
		txn.open_table(USED).unwrap().len().unwrap() as usize
	}

	/// Reads a raw entry of `table`: for tests and the fuzz target that damage a vault.
	#[doc(hidden)]
	pub fn raw_get(&self, table: RawTable, id: &[u8]) -> Result<Option<Vec<u8>>, VaultError> {
		self.get(table, id)
	}

	/// Writes (`Some`) or removes (`None`) a raw entry of `table`, bypassing every check: for
	/// tests and the fuzz target that damage a vault, never for serving requests.
	#[doc(hidden)]
	pub fn raw_set(
		&self,
		table: RawTable,
		id: &[u8],
		value: Option<&[u8]>,
	) -> Result<(), VaultError> {
		self.write(|txn| {
			let mut table = txn.open_table(table.definition()).map_err(io)?;
			if let Some(value) = value {
				table.insert(id, value).map_err(io)?;
			} else {
				table.remove(id).map_err(io)?;
			}
			Ok(())
		})
	}
}

/// Drops up to `PRUNE_BATCH` once-only entries whose time ran out before `now`.
fn prune(
	used: &mut Table<&[u8], &[u8]>,
	by_expiry: &mut Table<&[u8], ()>,
	now: u64,
) -> Result<(), VaultError> {
	let expired = by_expiry
		.iter()
		.map_err(io)?
		.take(PRUNE_BATCH)
		.map(|entry| entry.map(|(k, _)| k.value().to_vec()).map_err(io))
		.take_while(|key| match key {
			Ok(key) => key.len() == 40 && u64::from_be_bytes(key[..8].try_into().unwrap()) < now,
			Err(_) => true,
		})
		.collect::<Result<Vec<_>, _>>()?;
	for key in expired {
		used.remove(&key[8..]).map_err(io)?;
		by_expiry.remove(&key[..]).map_err(io)?;
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn temp(tag: &str) -> std::path::PathBuf {
		let dir = std::env::temp_dir().join(format!("plexus-store-{tag}-{}", std::process::id()));
		let _ = fs::remove_dir_all(&dir);
		fs::create_dir_all(&dir).unwrap();
		dir
	}

	#[test]
	fn a_request_is_used_once_and_forgotten_after_it_expires() {
		let dir = temp("once");
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
		fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn a_check_and_its_insertion_are_one_step_under_concurrency() {
		let dir = temp("race");
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
		fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn a_failed_erasure_writes_nothing() {
		let dir = temp("erase");
		let store = Store::open(&dir).unwrap();
		store.insert_row(&[4; 32], b"row").unwrap();
		let refused = store.erase(&[4; 32], 7, |_| Err(VaultError::Corrupt));
		assert!(matches!(refused, Err(VaultError::Corrupt)));
		assert_eq!(store.row(&[4; 32]).unwrap().as_deref(), Some(&b"row"[..]));
		assert_eq!(store.erased_at(&[4; 32]).unwrap(), None);
		let destroyed = |row: Option<Vec<u8>>| {
			assert_eq!(row.as_deref(), Some(&b"row"[..]), "destroy sees the row");
			Ok(())
		};
		assert_eq!(store.erase(&[4; 32], 8, destroyed).unwrap(), 8);
		assert_eq!(store.erase(&[4; 32], 9, |_| panic!("destroyed twice")).unwrap(), 8);
		assert!(matches!(store.insert_row(&[4; 32], b"again"), Err(VaultError::Exists)));
		fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn the_store_file_is_private_and_a_damaged_one_is_an_error() {
		use std::os::unix::fs::PermissionsExt;
		let dir = temp("file");
		drop(Store::open(&dir).unwrap());
		let path = dir.join(FILE);
		assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
		let mut bytes = fs::read(&path).unwrap();
		for b in bytes.iter_mut().take(64) {
			*b ^= 0x5a;
		}
		fs::write(&path, bytes).unwrap();
		assert!(matches!(Store::open(&dir), Err(VaultError::Io(_))));
		fs::remove_dir_all(&dir).unwrap();
	}
}
