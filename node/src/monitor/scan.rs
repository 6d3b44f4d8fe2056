//! Step 3 of the monitor: what is outstanding at the finalized block, read from state with a cap.

use super::{metrics::MonitorMetrics, SCAN_LIMIT};
use crate::service::FullClient;
use codec::Decode;
use plexus_client::hex0x;
use plexus_primitives::envelope::{MessageId, NetworkAddress};
use plexus_runtime::{AccountId, Hash, Runtime};
use sc_client_api::StorageProvider;
use sp_core::storage::StorageKey;
use std::collections::{HashMap, HashSet};

type OutboxEntry = pallet_event_router::Sent<
	AccountId,
	pallet_event_router::BalanceOf<Runtime>,
	pallet_event_router::LaneOf<Runtime>,
>;
type Transaction =
	pallet_resource_manager::Transaction<AccountId, pallet_resource_manager::BalanceOf<Runtime>>;

use super::storage_value_key as prefix;

pub(super) fn outbox_prefix() -> Vec<u8> {
	prefix("EventRouter", "Outbox")
}

pub(super) fn in_doubt_prefix() -> Vec<u8> {
	prefix("ResourceManager", "InDoubt")
}

fn transaction_key(sequence: u64) -> Vec<u8> {
	let id = sequence.to_le_bytes();
	[prefix("ResourceManager", "Transactions"), sp_io::hashing::twox_64(&id).to_vec(), id.to_vec()]
		.concat()
}

/// The map key after its storage prefix: `Blake2_128Concat` (16 bytes of hash, then the key)
/// or `Twox64Concat` (8 bytes).
pub(super) fn decode_key<K: Decode>(full: &[u8], prefix_len: usize, hash_len: usize) -> Option<K> {
	let mut rest = full.get(prefix_len + hash_len..)?;
	let key = K::decode(&mut rest).ok()?;
	rest.is_empty().then_some(key)
}

/// When each message in flight was first seen, so the oldest's age survives between scans.
#[derive(Default)]
pub(super) struct Scanner {
	first_seen: HashMap<(NetworkAddress, u64), u64>,
	/// When each in-doubt sequence was first seen (chain time, ms).
	in_doubt_since: HashMap<u64, u64>,
}

/// What one scan of the Outbox found.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Outstanding {
	pub in_flight: u64,
	pub past_timeout: u64,
	/// The oldest message's age in seconds, by the next hop it left through.
	pub oldest: Vec<(NetworkAddress, u64)>,
	pub truncated: bool,
}

impl Scanner {
	pub fn scan(&mut self, client: &FullClient, at: Hash, metrics: &MonitorMetrics) {
		let now = read::<u64>(client, at, &prefix("Timestamp", "Now")).unwrap_or(0);
		let outbox = outbox_prefix();
		let entries = client
			.storage_pairs(at, Some(&StorageKey(outbox.clone())), None)
			.map(|pairs| {
				pairs
					.take(SCAN_LIMIT + 1)
					.filter_map(|(k, v)| {
						let id = decode_key::<MessageId>(&k.0, outbox.len(), 16)?;
						let entry = OutboxEntry::decode(&mut &v.0[..]).ok()?;
						Some((id, entry.flight.next_hop, entry.flight.timeout.timestamp))
					})
					.collect::<Vec<_>>()
			})
			.unwrap_or_default();
		let found = self.outstanding(entries, now);
		metrics.in_flight.set(found.in_flight);
		metrics.in_flight_past_timeout.set(found.past_timeout);
		metrics.oldest_in_flight_seconds.reset();
		for (next_hop, age) in &found.oldest {
			metrics.oldest_in_flight_seconds.with_label_values(&[&hex0x(next_hop)]).set(*age);
		}

		let in_doubt = in_doubt_prefix();
		let sequences: Vec<u64> = client
			.storage_keys(at, Some(&StorageKey(in_doubt.clone())), None)
			.map(|keys| {
				keys.take(SCAN_LIMIT + 1)
					.filter_map(|k| decode_key::<u64>(&k.0, in_doubt.len(), 8))
					.collect()
			})
			.unwrap_or_default();
		let counted =
			read::<u32>(client, at, &prefix("ResourceManager", "CounterForInDoubt")).unwrap_or(0);
		metrics.in_doubt.set(counted.into());
		let past_deadline = sequences
			.iter()
			.take(SCAN_LIMIT)
			.filter_map(|s| read::<Transaction>(client, at, &transaction_key(*s)))
			.filter(|t| t.deadline.timestamp.is_some_and(|d| now > d))
			.count();
		metrics.in_doubt_past_deadline.set(past_deadline as u64);
		let oldest = self.oldest_in_doubt(&sequences[..sequences.len().min(SCAN_LIMIT)], now);
		metrics.oldest_in_doubt_seconds.set(oldest);
		metrics.scan_truncated.set(u64::from(found.truncated || sequences.len() > SCAN_LIMIT));
	}

	/// The age in seconds of the oldest of `sequences` (in doubt now, at chain time `now` ms),
	/// each aged from when a scan first saw it; 0 when none is in doubt.
	pub fn oldest_in_doubt(&mut self, sequences: &[u64], now: u64) -> u64 {
		let present: HashSet<u64> = sequences.iter().copied().collect();
		self.in_doubt_since.retain(|s, _| present.contains(s));
		sequences
			.iter()
			.map(|s| now.saturating_sub(*self.in_doubt_since.entry(*s).or_insert(now)) / 1_000)
			.max()
			.unwrap_or(0)
	}

	/// Counts the Outbox `entries` (id, next hop, timeout) at chain time `now` (ms), and ages
	/// each from when a scan first saw it.
	pub fn outstanding(
		&mut self,
		mut entries: Vec<(MessageId, NetworkAddress, Option<u64>)>,
		now: u64,
	) -> Outstanding {
		let truncated = entries.len() > SCAN_LIMIT;
		entries.truncate(SCAN_LIMIT);
		let present: HashSet<(NetworkAddress, u64)> =
			entries.iter().map(|(id, ..)| (id.origin, id.sequence)).collect();
		self.first_seen.retain(|id, _| present.contains(id));
		let mut oldest: HashMap<NetworkAddress, u64> = HashMap::new();
		let mut past_timeout = 0;
		for (id, next_hop, timeout) in &entries {
			let seen = *self.first_seen.entry((id.origin, id.sequence)).or_insert(now);
			let age = now.saturating_sub(seen) / 1_000;
			let slot = oldest.entry(*next_hop).or_insert(0);
			*slot = (*slot).max(age);
			if timeout.is_some_and(|t| now > t) {
				past_timeout += 1;
			}
		}
		let mut oldest: Vec<_> = oldest.into_iter().collect();
		oldest.sort();
		Outstanding { in_flight: entries.len() as u64, past_timeout, oldest, truncated }
	}
}

fn read<T: Decode>(client: &FullClient, at: Hash, key: &[u8]) -> Option<T> {
	let data = client.storage(at, &StorageKey(key.to_vec())).ok()??;
	T::decode(&mut &data.0[..]).ok()
}

#[cfg(test)]
mod tests {
	use super::*;
	use frame_support::{storage::StoragePrefixedMap, traits::PalletInfoAccess};

	#[test]
	fn the_keys_are_the_runtimes() {
		assert_eq!(outbox_prefix(), pallet_event_router::Outbox::<Runtime>::final_prefix());
		assert_eq!(
			transaction_key(7),
			pallet_resource_manager::Transactions::<Runtime>::hashed_key_for(7)
		);
		let timestamp = <plexus_runtime::Timestamp as PalletInfoAccess>::name();
		assert_eq!(prefix(timestamp, "Now"), prefix("Timestamp", "Now"));
		let id = MessageId { origin: [3; 32], sequence: 9 };
		let key = pallet_event_router::Outbox::<Runtime>::hashed_key_for(id);
		assert_eq!(decode_key::<MessageId>(&key, outbox_prefix().len(), 16), Some(id));
		let key = pallet_resource_manager::InDoubt::<Runtime>::hashed_key_for(5);
		assert!(key.starts_with(&in_doubt_prefix()));
		assert_eq!(decode_key::<u64>(&key, in_doubt_prefix().len(), 8), Some(5));
		assert_eq!(decode_key::<u64>(&key[..key.len() - 1], in_doubt_prefix().len(), 8), None);
	}

	#[test]
	fn a_transaction_in_doubt_ages_until_it_is_decided() {
		let mut scanner = Scanner::default();
		assert_eq!(scanner.oldest_in_doubt(&[], 1_000), 0);
		assert_eq!(scanner.oldest_in_doubt(&[3], 10_000), 0);
		assert_eq!(scanner.oldest_in_doubt(&[3, 4], 70_000), 60);
		// 3 is decided: 4 is now the oldest, aged from when it was first seen.
		assert_eq!(scanner.oldest_in_doubt(&[4], 100_000), 30);
		assert_eq!(scanner.in_doubt_since.len(), 1);
	}

	#[test]
	fn the_oldest_message_ages_from_when_it_was_first_seen() {
		let (a, b) = ([1; 32], [2; 32]);
		let id = |s| MessageId { origin: [9; 32], sequence: s };
		let mut scanner = Scanner::default();
		let first = scanner.outstanding(vec![(id(1), a, Some(50_000))], 10_000);
		assert_eq!(first.oldest, vec![(a, 0)]);
		assert_eq!((first.in_flight, first.past_timeout), (1, 0));
		let later =
			scanner.outstanding(vec![(id(1), a, Some(50_000)), (id(2), b, Some(55_000))], 60_000);
		assert_eq!(later.oldest, vec![(a, 50), (b, 0)]);
		assert_eq!(later.past_timeout, 2, "both timeouts passed by 60 s");
		// Settled messages are forgotten.
		let after = scanner.outstanding(vec![(id(2), b, None)], 70_000);
		assert_eq!(after.oldest, vec![(b, 10)]);
		assert_eq!(scanner.first_seen.len(), 1);
		assert!(!after.truncated);
		let many = (0..=SCAN_LIMIT as u64).map(|s| (id(s + 10), a, None)).collect();
		let capped = scanner.outstanding(many, 80_000);
		assert!(capped.truncated);
		assert_eq!(capped.in_flight, SCAN_LIMIT as u64);
	}
}
