//! Following a network's blocks and events in order, and waiting with a bound.

use crate::{Client, Error};
use plexus_runtime::{BlockNumber, Hash, RuntimeEvent};
use sp_core::storage::StorageKey;
use std::time::{Duration, Instant};

type Events = Vec<frame_system::EventRecord<RuntimeEvent, Hash>>;

/// The storage key of `System::Events`.
pub fn events_key() -> StorageKey {
	StorageKey([sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat())
}

/// Reads each new block's events once, in block order: best blocks (what happened as soon as
/// it happened), or finalized blocks only (what can no longer be undone).
pub struct Follower<'a> {
	client: &'a Client,
	next: BlockNumber,
	finalized_only: bool,
}

impl<'a> Follower<'a> {
	/// Follows best blocks, starting after the current one.
	pub async fn new(client: &'a Client) -> Result<Self, Error> {
		let best = client.best_number().await?;
		Ok(Self { next: best + 1, client, finalized_only: false })
	}

	/// Follows finalized blocks, starting after the current finalized one.
	pub async fn finalized(client: &'a Client) -> Result<Self, Error> {
		let finalized = client.finalized_number().await?;
		Ok(Self { next: finalized + 1, client, finalized_only: true })
	}

	/// Follows best blocks from block `number` on (to see what already happened).
	pub fn from_block(client: &'a Client, number: BlockNumber) -> Self {
		Self { client, next: number, finalized_only: false }
	}

	/// The events of every block imported (or finalized) since the last call, with their block
	/// numbers.
	pub async fn poll(&mut self) -> Result<Vec<(BlockNumber, RuntimeEvent)>, Error> {
		let best = if self.finalized_only {
			self.client.finalized_number().await?
		} else {
			self.client.best_number().await?
		};
		let key = events_key();
		let mut found = Vec::new();
		while self.next <= best {
			let hash = self.client.block_hash(self.next).await?;
			let events: Events = self.client.storage(&key, Some(hash)).await?.unwrap_or_default();
			found.extend(events.into_iter().map(|record| (self.next, record.event)));
			self.next += 1;
		}
		Ok(found)
	}

	/// Polls every `every` until `pick` returns something for an event, for at most `limit`.
	/// The error says what was awaited and for how long.
	pub async fn wait_for_event<T>(
		&mut self,
		what: &str,
		limit: Duration,
		every: Duration,
		mut pick: impl FnMut(BlockNumber, &RuntimeEvent) -> Option<T>,
	) -> Result<T, Error> {
		let deadline = Instant::now() + limit;
		loop {
			for (number, event) in self.poll().await? {
				if let Some(found) = pick(number, &event) {
					return Ok(found);
				}
			}
			if Instant::now() >= deadline {
				return Err(format!("{}: no {what} within {limit:?}", self.client.url));
			}
			tokio::time::sleep(every).await;
		}
	}
}

/// Waits until `check` holds, polling every `every`, at most `attempts` times.
pub async fn wait_until<F, Fut>(attempts: u32, every: Duration, mut check: F) -> Result<(), Error>
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Result<bool, Error>>,
{
	for _ in 0..attempts {
		if check().await? {
			return Ok(());
		}
		tokio::time::sleep(every).await;
	}
	Err(format!("gave up after {attempts} attempts"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn waiting_stops_at_its_bound_or_when_the_check_holds() {
		let mut calls = 0;
		let result = wait_until(3, Duration::from_millis(1), || {
			calls += 1;
			async { Ok(false) }
		})
		.await;
		assert_eq!(result, Err("gave up after 3 attempts".to_string()));
		assert_eq!(calls, 3);

		let mut calls = 0;
		let result = wait_until(10, Duration::from_millis(1), || {
			calls += 1;
			let done = calls == 2;
			async move { Ok(done) }
		})
		.await;
		assert_eq!(result, Ok(()));
		assert_eq!(calls, 2);
	}

	#[test]
	fn events_live_under_system_events() {
		let key = events_key();
		assert_eq!(
			crate::hex0x(&key.0),
			"0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
		);
	}
}
