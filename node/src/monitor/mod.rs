//! Operations metrics of this node's network, served on its Prometheus endpoint.
//!
//! 1. When the node serves Prometheus metrics, the service spawns [`run`] (`plexus-monitor`).
//! 2. For every finalized block, in order and once, it reads `System::Events` at that block,
//!    turns each event into an [`events::Observation`] (no accounts, no payloads) and counts it
//!    ([`metrics::MonitorMetrics`]). A block whose events this binary cannot decode is counted
//!    as undecodable and skipped.
//! 3. Every [`SCAN_EVERY`], at the finalized block, it reads what is outstanding: the router's
//!    Outbox (messages in flight, past their timeout, the oldest's age) and the resource
//!    manager's in-doubt list (those past their deadline), each read up to [`SCAN_LIMIT`]
//!    entries.
//!
//! The vault counts its own RPC outcomes ([`metrics::VaultMetrics`], in `rpc/vault.rs`).
//! Counters start at 0 when the node starts; every node of a network reports the same values,
//! so alert rules take `max by (network)`.

pub mod events;
pub mod metrics;
mod scan;

use crate::service::FullClient;
use futures::StreamExt;
use plexus_primitives::envelope::Service;
use plexus_runtime::{Hash, RuntimeEvent};
use sc_client_api::{BlockchainEvents, StorageProvider};
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Header as _;
use std::{sync::Arc, time::Duration};

pub use metrics::{MonitorMetrics, VaultMetrics};

/// How often outstanding messages and transactions are counted.
pub const SCAN_EVERY: Duration = Duration::from_secs(10);
/// The most entries one scan reads of the Outbox or the in-doubt list.
pub const SCAN_LIMIT: usize = 10_000;
/// The most finalized blocks read per notification: a node catching up counts the newest ones.
const CATCH_UP_LIMIT: u32 = 1_000;

/// The key of a storage value of the runtime's pallet `pallet` (by its name in the runtime).
pub fn storage_value_key(pallet: &str, item: &str) -> Vec<u8> {
	[sp_io::hashing::twox_128(pallet.as_bytes()), sp_io::hashing::twox_128(item.as_bytes())]
		.concat()
}

/// The label of a service.
pub fn service_name(service: &Service) -> &'static str {
	match service {
		Service::Xcm => "xcm",
		Service::Contract => "contract",
		Service::DataProtection => "data_protection",
		Service::Transaction => "transaction",
	}
}

type Events = Vec<frame_system::EventRecord<RuntimeEvent, Hash>>;

/// Steps 2 and 3, until the node stops.
pub async fn run(client: Arc<FullClient>, metrics: MonitorMetrics) {
	let mut finality = client.finality_notification_stream();
	let mut scan = tokio::time::interval(SCAN_EVERY);
	let mut scanner = scan::Scanner::default();
	let mut counted = client.info().finalized_number;
	metrics.finalized_block.set(counted.into());
	loop {
		tokio::select! {
			notification = finality.next() => {
				let Some(notification) = notification else { return };
				let to = *notification.header.number();
				let from = (counted + 1).max(to.saturating_sub(CATCH_UP_LIMIT - 1));
				metrics.skipped_blocks.inc_by(u64::from(from.saturating_sub(counted + 1)));
				for number in from..=to {
					count_block(&client, &metrics, number);
				}
				counted = counted.max(to);
				metrics.finalized_block.set(counted.into());
			},
			_ = scan.tick() => {
				let at = client.info().finalized_hash;
				scanner.scan(&client, at, &metrics);
			},
		}
	}
}

/// Counts the events of finalized block `number`.
fn count_block(client: &FullClient, metrics: &MonitorMetrics, number: u32) {
	let hash = match client.hash(number) {
		Ok(Some(hash)) => hash,
		_ => return metrics.skipped_blocks.inc(),
	};
	match block_events(client, hash) {
		BlockEvents::Decoded(events) => {
			for record in events {
				if let Some(observation) = events::classify(&record.event) {
					metrics.observe(&observation);
				}
			}
		},
		BlockEvents::Undecodable => metrics.undecodable_blocks.inc(),
		BlockEvents::Unavailable => metrics.skipped_blocks.inc(),
	}
}

enum BlockEvents {
	Decoded(Events),
	/// They do not decode with this binary's runtime types (a runtime upgrade it does not know).
	Undecodable,
	/// The block's state is gone: a consumer prunes it, and one that syncs sees finality jump
	/// past blocks it has already pruned.
	Unavailable,
}

fn block_events(client: &FullClient, hash: Hash) -> BlockEvents {
	use codec::Decode;
	match client.storage(hash, &plexus_client::follow::events_key()) {
		Err(_) => BlockEvents::Unavailable,
		Ok(None) => BlockEvents::Decoded(Vec::new()),
		Ok(Some(data)) => match Events::decode(&mut &data.0[..]) {
			Ok(events) => BlockEvents::Decoded(events),
			Err(_) => BlockEvents::Undecodable,
		},
	}
}

/// Starts [`run`] if the node serves Prometheus metrics.
pub fn spawn(
	task_manager: &sc_service::TaskManager,
	client: Arc<FullClient>,
	registry: Option<&prometheus_endpoint::Registry>,
) -> Result<(), String> {
	let Some(registry) = registry else { return Ok(()) };
	let metrics = MonitorMetrics::register(registry)
		.map_err(|e| format!("cannot register the monitor's metrics: {e}"))?;
	// Blocks on storage reads; a blocking task keeps them off the async workers.
	task_manager.spawn_handle().spawn_blocking("plexus-monitor", None, run(client, metrics));
	Ok(())
}
