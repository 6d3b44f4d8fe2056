//! `vault_rows`: the node's data vault (`plexus_node::vault`) over a database and key files that
//! someone damaged. A vault made once per process holds three records; each input starts from a
//! fresh copy of it, damages it through the vault's store and the file system as the input says (a sealed
//! row's bytes flipped, cut, extended, its version or accounts changed, or replaced by the
//! input's bytes; an erasure time of any length; a key file removed, cut or replaced), then opens
//! the vault and reads, looks up, erases and reads again every record (and one never put).
//!
//! Rows are damaged through `Vault::raw_store` (its `raw_get`/`raw_set`), which write the store's
//! tables as `node/src/vault/store.rs` documents them (`rows`: commitment → sealed row, `erased`:
//! commitment → erasure time) without any check. Keys live at
//! `keys/<subject hex>/<commitment hex>.key`.
//!
//! Invariants: nothing panics; every damage is an error or, where it changed nothing that
//! matters, the record as it was put: a record only ever opens to the data, subject and
//! controller it was put with; once `erase` succeeds the record never opens again.

use arbitrary::{Result, Unstructured};
use plexus_node::vault::{RawTable, Vault, VaultError};
use sp_core::crypto::AccountId32;
use std::{
	cell::RefCell,
	fs,
	path::{Path, PathBuf},
};

/// A record the pristine vault holds.
struct Record {
	commitment: [u8; 32],
	subject: AccountId32,
	controller: AccountId32,
	data: Vec<u8>,
}

struct Pristine {
	/// The vault as `put` left it; never opened again.
	dir: PathBuf,
	/// Where each input's copy goes.
	scratch: PathBuf,
	records: Vec<Record>,
}

impl Drop for Pristine {
	// Test threads end after their test: nothing is left on tmpfs.
	fn drop(&mut self) {
		if let Some(base) = self.dir.parent() {
			let _ = fs::remove_dir_all(base);
		}
	}
}

thread_local! {
	static PRISTINE: RefCell<Option<Pristine>> = const { RefCell::new(None) };
}

/// On tmpfs where there is one: the vault syncs every write, and each input writes a few.
fn base() -> PathBuf {
	let shm = Path::new("/dev/shm");
	let root = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
	root.join(format!("plexus-fuzz-vault-{}", std::process::id()))
}

fn pristine() -> Pristine {
	let base = base();
	let _ = fs::remove_dir_all(&base);
	let dir = base.join("pristine");
	let vault = Vault::open(&dir).expect("a new vault opens");
	let records = [(5u8, 8u8, &b"Alice Example, 1 Main St"[..]), (5, 9, b""), (6, 8, &[0; 300])]
		.into_iter()
		.map(|(subject, controller, data)| {
			let (subject, controller) =
				(AccountId32::new([subject; 32]), AccountId32::new([controller; 32]));
			let commitment = vault.put(&subject, &controller, data).expect("a put succeeds");
			Record { commitment, subject, controller, data: data.to_vec() }
		})
		.collect();
	drop(vault);
	Pristine { dir, scratch: base.join("scratch"), records }
}

/// The fuzz target: see the module's documentation.
pub fn vault_rows(data: &[u8]) {
	PRISTINE.with(|pristine| {
		let mut pristine = pristine.borrow_mut();
		let pristine = pristine.get_or_insert_with(self::pristine);
		let _ = fs::remove_dir_all(&pristine.scratch);
		copy_dir(&pristine.dir, &pristine.scratch).expect("the vault copies");
		let _ = run(pristine, &mut Unstructured::new(data));
	})
}

fn run(pristine: &Pristine, u: &mut Unstructured) -> Result<()> {
	let dir = &pristine.scratch;
	let unknown = [0xee; 32];
	let mut commitments: Vec<[u8; 32]> = pristine.records.iter().map(|r| r.commitment).collect();
	commitments.push(unknown);
	{
		let db = Vault::open(dir).expect("the copy opens");
		for _ in 0..u.int_in_range(0..=4)? {
			let commitment = *u.choose(&commitments)?;
			let subject = pristine
				.records
				.iter()
				.find(|r| r.commitment == commitment)
				.map(|r| r.subject.clone())
				.unwrap_or_else(|| AccountId32::new([5; 32]));
			match u.int_in_range(0..=3)? {
				0 => {
					let mut row = db
						.raw_store()
						.raw_get(RawTable::Rows, &commitment)
						.expect("a read")
						.unwrap_or_default();
					damage(&mut row, u)?;
					db.raw_store()
						.raw_set(RawTable::Rows, &commitment, Some(&row))
						.expect("a write");
				},
				1 => {
					let len = u.int_in_range(0..=12)?;
					let at = u.bytes(len)?;
					db.raw_store()
						.raw_set(RawTable::Erased, &commitment, Some(at))
						.expect("a write");
				},
				2 => db.raw_store().raw_set(RawTable::Rows, &commitment, None).expect("a delete"),
				_ => {
					let subject: &[u8] = subject.as_ref();
					let key = dir
						.join("keys")
						.join(hex::encode(subject))
						.join(format!("{}.key", hex::encode(commitment)));
					match u.int_in_range(0..=2)? {
						0 => {
							let _ = fs::remove_file(&key);
						},
						1 => {
							let mut bytes = fs::read(&key).unwrap_or_default();
							damage(&mut bytes, u)?;
							let _ = fs::write(&key, bytes);
						},
						_ => {
							let len = u.int_in_range(0..=40)?;
							let bytes = u.bytes(len)?.to_vec();
							let _ = fs::create_dir_all(key.parent().expect("under keys/"));
							let _ = fs::write(&key, bytes);
						},
					}
				},
			}
		}
	}

	let vault = match Vault::open(dir) {
		Ok(vault) => vault,
		Err(VaultError::Io(_)) => return Ok(()),
		Err(e) => panic!("a vault with damaged rows does not open: {e}"),
	};
	let mut now = 1_000;
	for commitment in &commitments {
		let record = pristine.records.iter().find(|r| r.commitment == *commitment);
		if let Ok(opened) = vault.get(commitment) {
			let record = record.expect("only a record put opens");
			assert_eq!(&opened.data[..], &record.data[..], "a damaged row opened to other data");
			assert_eq!(opened.subject, record.subject, "a damaged row opened for another subject");
			assert_eq!(opened.controller, record.controller, "… or another controller");
		}
		// The clear part may be damaged: an answer or an error, never a panic.
		let _ = vault.owner(commitment);
		now += 1;
		if u.arbitrary()? && vault.erase(commitment, now).is_ok() {
			assert!(vault.get(commitment).is_err(), "an erased record still opens");
		}
	}
	Ok(())
}

/// Damages `bytes` as the input says: flips, cuts, extends, or sets the version byte or an
/// account of a row.
fn damage(bytes: &mut Vec<u8>, u: &mut Unstructured) -> Result<()> {
	for _ in 0..u.int_in_range(1..=3)? {
		match u.int_in_range(0..=4)? {
			0 if !bytes.is_empty() => {
				let at = u.int_in_range(0..=bytes.len() - 1)?;
				bytes[at] ^= u.int_in_range(1..=255)?;
			},
			1 => {
				let keep = u.int_in_range(0..=bytes.len())?;
				bytes.truncate(keep);
			},
			2 => {
				let len = u.int_in_range(0..=64)?;
				bytes.extend_from_slice(u.bytes(len)?);
			},
			3 if !bytes.is_empty() => bytes[0] = u.arbitrary()?,
			_ => {
				// One of a row's two accounts (bytes 1..33, 33..65) replaced.
				let at = if u.arbitrary()? { 1 } else { 33 };
				let account: [u8; 32] = u.arbitrary()?;
				if bytes.len() >= at + 32 {
					bytes[at..at + 32].copy_from_slice(&account);
				}
			},
		}
	}
	Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
	fs::create_dir_all(to)?;
	for entry in fs::read_dir(from)? {
		let entry = entry?;
		let target = to.join(entry.file_name());
		if entry.file_type()?.is_dir() {
			copy_dir(&entry.path(), &target)?;
		} else {
			fs::copy(entry.path(), &target)?;
		}
	}
	Ok(())
}
