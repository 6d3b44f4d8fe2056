//! `plexus-node load routing`: round trips of routed requests over one bridge.
//!
//! 1. `--from`'s `//Alice` sends `--messages` requests (`Service::Xcm`, each asking for the weight
//!    the destination's XCM weigher gives its program) to the `--to` network,
//!    as fast as its pool takes them.
//! 2. Both chains are followed block by block through their events: `EventRouter.Sent` and
//!    `EventRouter.Acknowledged` on the origin, `EventRouter.Executed` on the destination.
//! 3. Per message: the time from the origin finalizing the block that sent it to the origin
//!    importing the block that settled it (seconds, and origin block times); for the lane: requests
//!    executed per second on the destination while the burst was being delivered.
//!
//! A relayer must be running on the bridge (as `launch` does).

use super::{percentile, transfers::machine};
use crate::progress::{Progress, Summary};
use pallet_event_router::{location_of, Event as RouterEvent, MessageId, Service, Timeout};
use plexus_client::{Client, Follower};
use plexus_runtime::{RuntimeCall, RuntimeEvent};
use sp_core::{crypto::Pair as _, sr25519};
use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

#[derive(Debug, clap::Parser)]
pub struct RoutingCmd {
	/// Websocket RPC endpoint of the origin network.
	#[arg(long)]
	pub from: String,
	/// Websocket RPC endpoint of the destination network (bridged to the origin).
	#[arg(long)]
	pub to: String,
	/// Requests to send.
	#[arg(long, default_value_t = 100)]
	pub messages: u32,
	/// Give up after this many seconds.
	#[arg(long, default_value_t = 600)]
	pub timeout: u64,
}

#[derive(Default)]
struct Trip {
	sent_block: Option<u32>,
	sent_final_at: Option<Instant>,
	executed_at: Option<Instant>,
	settled_at: Option<Instant>,
}

impl RoutingCmd {
	pub(super) async fn run(&self) -> Result<(), String> {
		let origin = Client::connect(&self.from).await?;
		let destination = Client::connect(&self.to).await?;
		let block_ms: u64 = origin
			.runtime_call::<plexus_primitives::NetworkIdentity>(
				"NetworkInfoApi_identity",
				&[],
				None,
			)
			.await?
			.block_time_ms;
		let to = destination.genesis();
		let mut on_origin = Follower::new(&origin).await?;
		let mut on_destination = Follower::new(&destination).await?;
		let alice = sr25519::Pair::from_string("//Alice", None).expect("a valid dev seed");
		let alice_account: plexus_runtime::AccountId = alice.public().into();

		let now_ms = plexus_client::now_ms();
		let timeout = Timeout { height: None, timestamp: Some(now_ms + self.timeout * 1_000) };
		let columns = ["sent", "executed", "settled"];
		let mut progress = Progress::new("load routing", &columns, Some(u64::from(self.messages)));
		progress.phase(&format!(
			"load: sending {} requests from {} to {}",
			self.messages, self.from, self.to
		));
		let started = Instant::now();
		let mut nonce = origin.next_nonce(&alice_account).await?;
		// Each request is a remark run on the destination as Alice's remote account.
		let payload = plexus_runtime::xcm_config::remark_program(b"bench routing");
		// Ask for what the program weighs: the router reserves a request's `max_weight` in the
		// destination's block until it runs, so asking for more carries fewer per block.
		let max_weight = plexus_runtime::xcm_config::program_weight(&payload)
			.expect("the remark program is one the executor weighs");
		let mut sent = 0u64;
		for _ in 0..self.messages {
			let call = RuntimeCall::EventRouter(pallet_event_router::Call::send {
				destination: Some(Box::new(location_of(to.0))),
				service: Service::Xcm,
				payload: payload.clone().try_into().expect("within the payload bound"),
				max_weight,
				timeout,
			});
			origin.submit_with_nonce(call, &alice, nonce).await?;
			nonce += 1;
			sent += 1;
			progress.set(&[sent, 0, 0]);
		}
		progress.phase(&format!(
			"load: submitted in {:.1} s; following both chains",
			started.elapsed().as_secs_f64()
		));

		let mut trips: BTreeMap<MessageId, Trip> = BTreeMap::new();
		let deadline = started + Duration::from_secs(self.timeout);
		let mut settled = 0;
		while settled < self.messages as usize {
			if Instant::now() > deadline {
				return Err(format!(
					"only {settled} of {} requests settled in time",
					self.messages
				));
			}
			let now = Instant::now();
			for (block, event) in on_origin.poll().await? {
				let RuntimeEvent::EventRouter(event) = event else { continue };
				match event {
					RouterEvent::Sent { id, sender, .. } if sender == alice_account => {
						trips.entry(id).or_default().sent_block = Some(block)
					},
					RouterEvent::Acknowledged { id, .. } => {
						if let Some(trip) = trips.get_mut(&id) {
							trip.settled_at.get_or_insert(now);
						}
					},
					_ => {},
				}
			}
			for (_, event) in on_destination.poll().await? {
				if let RuntimeEvent::EventRouter(RouterEvent::Executed { id, .. }) = event {
					if let Some(trip) = trips.get_mut(&id) {
						trip.executed_at.get_or_insert(now);
					}
				}
			}
			let finalized = origin.finalized_head().await?.number;
			for trip in trips.values_mut() {
				if trip.sent_block.is_some_and(|b| b <= finalized) {
					trip.sent_final_at.get_or_insert(now);
				}
			}
			settled = trips.values().filter(|t| t.settled_at.is_some()).count();
			let ran = trips.values().filter(|t| t.executed_at.is_some()).count();
			progress.set(&[sent, ran as u64, settled as u64]);
			tokio::time::sleep(Duration::from_millis(200)).await;
		}

		progress.finish();
		let mut latencies: Vec<f64> = trips
			.values()
			.filter_map(|t| Some(t.settled_at?.duration_since(t.sent_final_at?).as_secs_f64()))
			.collect();
		latencies.sort_by(|a, b| a.total_cmp(b));
		let executed: Vec<Instant> = trips.values().filter_map(|t| t.executed_at).collect();
		let first = executed.iter().min().copied().unwrap_or(started);
		let last = executed.iter().max().copied().unwrap_or(started);
		let window = last.duration_since(first).as_secs_f64();
		let block_secs = block_ms as f64 / 1_000.0;
		let (median, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
		let mut summary = Summary::new("load routing");
		summary.row("requests settled", settled);
		summary.row(
			"round trip after origin finality",
			format!(
				"median {median:.1} s ({:.1} blocks), p99 {p99:.1} s ({:.1} blocks)",
				median / block_secs,
				p99 / block_secs
			),
		);
		let lane = if window > 0.0 {
			format!(
				"{:.0} requests/s executed on the destination ({} over {window:.1} s)",
				executed.len() as f64 / window,
				executed.len()
			)
		} else {
			format!("all {} executed within one block", executed.len())
		};
		summary.row("lane rate", lane);
		summary.row("machine", machine());
		summary.print();
		Ok(())
	}
}
