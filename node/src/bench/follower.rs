//! Follows one chain's blocks in order, reading each block's events from storage.

use plexus_relay::client::Client;
use plexus_runtime::{Hash, RuntimeEvent};
use sp_core::storage::StorageKey;

type Events = Vec<frame_system::EventRecord<RuntimeEvent, Hash>>;

pub struct Follower<'a> {
	client: &'a Client,
	next: u32,
}

impl<'a> Follower<'a> {
	/// Starts after the current best block.
	pub async fn new(client: &'a Client) -> Result<Self, String> {
		let best = client.header(client.best_hash().await?).await?;
		Ok(Self { next: best.number + 1, client })
	}

	/// The events of every block imported since the last call, with their block numbers.
	pub async fn poll(&mut self) -> Result<Vec<(u32, RuntimeEvent)>, String> {
		let best = self.client.header(self.client.best_hash().await?).await?.number;
		let key = StorageKey(
			[sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat(),
		);
		let mut found = Vec::new();
		while self.next <= best {
			let hash = self.client.block_hash(self.next).await?;
			let events: Events = self.client.storage(&key, Some(hash)).await?.unwrap_or_default();
			found.extend(events.into_iter().map(|record| (self.next, record.event)));
			self.next += 1;
		}
		Ok(found)
	}
}
