//! The collector behind the dashboard: every [`TICK`] it reads what launch runs (the [`View`]
//! the supervision loop publishes), each child's metrics and memory, and each network's chain
//! through safe RPC methods only, and publishes a [`Snapshot`] when anything changed.
//!
//! Per network it follows finalized blocks on one node (a producer if one runs), reads each
//! block's events and classifies them (`crate::monitor::events`), at most [`CATCH_UP`] blocks a
//! tick. Per bridge it reads both ends' lanes and light clients, so header lag and messages in
//! flight are measured from the chains, also while the relayer is down.

use super::{
	index::Index,
	metrics::LaunchMetrics,
	scrape::{self, Samples},
	snapshot::{self, ChildState, Snapshot},
	View, ViewChild,
};
use codec::Decode;
use plexus_client::{follow::events_key, Client};
use plexus_primitives::envelope::NetworkAddress;
use plexus_relay::slot::Slot;
use plexus_runtime::{Hash, RuntimeEvent};
use sp_core::storage::StorageKey;
use std::{
	collections::{BTreeMap, HashMap, VecDeque},
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::sync::watch;

pub const TICK: Duration = Duration::from_secs(2);
/// An unchanged snapshot is published again this often (its times move on).
const REPUBLISH: Duration = Duration::from_secs(10);
/// On first reaching a network, its events are read from this many finalized blocks back: a
/// relaunched deployment shows its recent past, not its whole history.
const HISTORY: u32 = 600;
/// How often the collector tries to go back to a producer after falling back to a consumer.
const PREFER_PRODUCER_EVERY: Duration = Duration::from_secs(15);
/// Finalized blocks read per network and tick; more wait for the next tick.
const CATCH_UP: u32 = 50;
/// Block times are averaged over this long.
const BLOCK_TIME_WINDOW: Duration = Duration::from_secs(60);

type Events = Vec<frame_system::EventRecord<RuntimeEvent, Hash>>;

/// One network's connection and how far its events were read.
#[derive(Default)]
struct Following {
	client: Option<Client>,
	/// The node the client talks to.
	node: String,
	/// The next block to read; 0 until the network is first reached.
	next: u32,
	heights: VecDeque<(Instant, u64)>,
	/// Whether `node` is a producer (archive state); else when a producer was last tried.
	on_producer: bool,
	producer_tried: Option<Instant>,
}

pub struct Collector {
	started: Instant,
	index: Index,
	networks: BTreeMap<String, Following>,
	/// Per (source, target): the first lane nonce not yet delivered, and when it was first seen.
	waiting: HashMap<(String, String), (u64, Instant)>,
	metrics: LaunchMetrics,
	/// The last snapshot published, without its times.
	last: String,
	published: Instant,
}

fn state(child: &ViewChild) -> ChildState {
	if child.given_up {
		ChildState::GivenUp
	} else if !child.running {
		ChildState::Down
	} else if child.since_restart.is_some_and(|d| d.as_secs() < snapshot::RESTARTING_SECONDS) {
		ChildState::Restarting
	} else {
		ChildState::Up
	}
}

impl Collector {
	pub fn new(metrics: LaunchMetrics) -> Self {
		Self {
			started: Instant::now(),
			index: Index::default(),
			networks: BTreeMap::new(),
			waiting: HashMap::new(),
			metrics,
			last: String::new(),
			published: Instant::now(),
		}
	}

	/// Collects until `view`'s sender is gone, publishing on `out`.
	pub async fn run(mut self, mut view: watch::Receiver<View>, out: watch::Sender<Arc<str>>) {
		loop {
			let started = Instant::now();
			let current = view.borrow_and_update().clone();
			let mut snapshot = self.collect(&current).await;
			let json = serde_json::to_string(&snapshot).expect("a snapshot serializes");
			// The times always change: publish when something else did too, or every 10 s.
			(snapshot.generated_at, snapshot.uptime_seconds) = (0, 0);
			let content = serde_json::to_string(&snapshot).expect("a snapshot serializes");
			if content != self.last || self.published.elapsed() >= REPUBLISH {
				self.last = content;
				self.published = Instant::now();
				if out.send(json.into()).is_err() {
					return;
				}
			}
			// Every TICK at most, however often launch publishes what runs.
			tokio::time::sleep(TICK.saturating_sub(started.elapsed())).await;
			if view.has_changed().is_err() {
				return;
			}
		}
	}

	async fn collect(&mut self, view: &View) -> Snapshot {
		let now_ms = plexus_client::now_ms();
		// Every child's metrics, side by side.
		let scrapes = futures::future::join_all(view.nodes.iter().map(|n| scrape::get(&n.metrics)));
		let samples: Vec<Option<Samples>> =
			scrapes.await.into_iter().map(|t| t.map(|t| Samples::parse(&t))).collect();
		let mut finalized_of: HashMap<String, u64> = HashMap::new();
		let mut networks = Vec::new();
		for network in &view.networks {
			let mut nodes = Vec::new();
			let (mut best, mut finalized, mut peers, mut pool, mut in_doubt) = (0, 0, 0, 0, 0);
			for (node, samples) in view.nodes.iter().zip(&samples) {
				if node.network != network.name {
					continue;
				}
				let s = samples.as_ref();
				let height = |status| {
					s.and_then(|s| s.get_u64("substrate_block_height", &[("status", status)]))
				};
				let node_peers = s.and_then(|s| s.get_u64("substrate_sub_libp2p_peers_count", &[]));
				best = best.max(height("best").unwrap_or(0));
				finalized = finalized.max(height("finalized").unwrap_or(0));
				peers = peers.max(node_peers.unwrap_or(0));
				pool = pool.max(
					s.and_then(|s| s.get_u64("substrate_ready_transactions_number", &[]))
						.unwrap_or(0),
				);
				in_doubt = in_doubt.max(
					s.and_then(|s| s.get_u64("plexus_resource_manager_in_doubt", &[])).unwrap_or(0),
				);
				let memory = scrape::resident_memory(node.child.pid);
				let mut state = state(&node.child);
				if state == ChildState::Up && s.is_none() {
					state = ChildState::Restarting;
				}
				self.metrics.child(&node.child, "node", memory);
				nodes.push(snapshot::Node {
					name: node.child.name.clone(),
					kind: "node",
					role: node.role.clone(),
					pid: node.child.pid,
					state,
					restarts: node.child.restarts,
					memory_bytes: memory,
					best: height("best"),
					finalized: height("finalized"),
					peers: node_peers,
					rpc: node.rpc.clone(),
				});
			}
			let following = self.networks.entry(network.name.clone()).or_default();
			let block_time_ms = block_time(&mut following.heights, best);
			let genesis = self.follow(view, &network.name, now_ms).await;
			finalized_of.insert(network.name.clone(), finalized);
			let mut n = snapshot::Network {
				name: network.name.clone(),
				id: network.id,
				genesis: genesis.map(plexus_client::hex0x).unwrap_or_default(),
				health: snapshot::Health::Ok,
				best,
				finalized,
				finality_lag: best.saturating_sub(finalized),
				block_time_ms,
				peers,
				pool,
				in_doubt,
				nodes,
			};
			n.health = snapshot::network_health(&n);
			networks.push(n);
		}

		let mut bridges = Vec::new();
		for bridge in &view.bridges {
			let memory = scrape::resident_memory(bridge.relayer.pid);
			self.metrics.child(&bridge.relayer, "relayer", memory);
			let mut directions = Vec::new();
			for (source, target) in [(0, 1), (1, 0)] {
				let (source, target) = (&bridge.between[source], &bridge.between[target]);
				let d = self.direction(bridge.slot, source, target, &finalized_of, now_ms).await;
				if let Some(lag) = d.header_lag {
					self.metrics.header_lag(source, target, lag);
				}
				directions.push(d);
			}
			let mut b = snapshot::Bridge {
				between: bridge.between.clone(),
				health: snapshot::Health::Ok,
				relayer: snapshot::Child {
					name: bridge.relayer.name.clone(),
					state: state(&bridge.relayer),
					pid: bridge.relayer.pid,
					restarts: bridge.relayer.restarts,
					memory_bytes: memory,
				},
				directions,
			};
			b.health = snapshot::bridge_health(&b);
			bridges.push(b);
		}
		let eth_rpc = view
			.eth_rpc
			.iter()
			.map(|e| {
				self.metrics.child(&e.child, "eth-rpc", scrape::resident_memory(e.child.pid));
				snapshot::EthRpc {
					network: e.network.clone(),
					name: e.child.name.clone(),
					url: e.url.clone(),
					state: state(&e.child),
					pid: e.child.pid,
					restarts: e.child.restarts,
				}
			})
			.collect();
		self.metrics.end_tick();
		Snapshot {
			api: snapshot::API_VERSION,
			generated_at: now_ms,
			uptime_seconds: self.started.elapsed().as_secs(),
			networks,
			bridges,
			eth_rpc,
			messages: self.index.messages(),
			transactions: self.index.transactions(now_ms),
			data_protection: self.index.data_protection(),
		}
	}

	/// Reads `network`'s newly finalized blocks into the index; its address once known.
	async fn follow(&mut self, view: &View, network: &str, now_ms: u64) -> Option<NetworkAddress> {
		let following = self.networks.get_mut(network)?;
		let alive = |name: &str| view.nodes.iter().any(|n| n.child.name == name && n.child.running);
		if following.client.as_ref().is_some_and(|c| !c.is_connected() || !alive(&following.node)) {
			following.client = None;
		}
		// A producer keeps every block's state; a consumer prunes old ones, so one is used only
		// while no producer answers, and a producer is tried again now and then.
		let retry_producer = following.client.is_some()
			&& !following.on_producer
			&& following.producer_tried.is_none_or(|t| t.elapsed() >= PREFER_PRODUCER_EVERY);
		if following.client.is_none() || retry_producer {
			let mut candidates: Vec<_> = view
				.nodes
				.iter()
				.filter(|n| n.network == network && n.child.running)
				.filter(|n| !retry_producer || n.role == "producer")
				.collect();
			candidates.sort_by_key(|n| n.role != "producer");
			if retry_producer {
				following.producer_tried = Some(Instant::now());
			}
			for node in candidates {
				if let Ok(client) =
					Client::connect_with_timeout(&node.rpc, Duration::from_secs(3)).await
				{
					following.client = Some(client);
					following.node = node.child.name.clone();
					following.on_producer = node.role == "producer";
					break;
				}
			}
		}
		let client = following.client.as_ref()?;
		let genesis = client.genesis().0;
		self.index.name(genesis, network);
		let Ok(finalized) = client.finalized_number().await else {
			following.client = None;
			return Some(genesis);
		};
		if following.next == 0 {
			following.next = finalized.saturating_sub(HISTORY).max(1);
		}
		let until = finalized.min(following.next.saturating_add(CATCH_UP - 1));
		let now_key = StorageKey(crate::monitor::storage_value_key("Timestamp", "Now"));
		while following.next <= until {
			let number = following.next;
			let Ok(hash) = client.block_hash(number).await else { break };
			// A block whose state this node no longer has is skipped: waiting would not bring it.
			let values = match client.storage_many(&[events_key(), now_key.clone()], hash).await {
				Ok(values) => values,
				Err(_) if !client.is_connected() => break,
				Err(_) => {
					following.next += 1;
					continue;
				},
			};
			let time = values
				.get(1)
				.and_then(|v| v.as_ref())
				.and_then(|v| u64::decode(&mut &v[..]).ok())
				.unwrap_or(now_ms);
			// Events of a runtime this binary does not know do not decode; the nodes count such
			// blocks (plexus_monitor_undecodable_blocks_total).
			let events = values.first().cloned().flatten().map(|v| Events::decode(&mut &v[..]));
			if let Some(Ok(events)) = events {
				for record in events {
					if let Some(o) = crate::monitor::events::classify(&record.event) {
						self.index.add(genesis, number, time, &o);
					}
				}
			}
			following.next += 1;
		}
		Some(genesis)
	}

	/// One direction of a bridge, read from both ends' chains.
	async fn direction(
		&mut self,
		slot: u8,
		source: &str,
		target: &str,
		finalized_of: &HashMap<String, u64>,
		now_ms: u64,
	) -> snapshot::Direction {
		let slot = Slot(slot);
		let client = |name: &str| self.networks.get(name).and_then(|f| f.client.as_ref());
		let (source_client, target_client) = (client(source), client(target));
		let source_lane = match source_client {
			Some(c) => slot.lane_nonces(c).await.ok(),
			None => None,
		};
		let target_lane = match target_client {
			Some(c) => slot.lane_nonces(c).await.ok(),
			None => None,
		};
		let known = match target_client {
			Some(c) => slot.known_number(c).await.ok().flatten(),
			None => None,
		};
		let header_lag = known
			.and_then(|known| finalized_of.get(source).map(|f| f.saturating_sub(u64::from(known))));
		let lane = snapshot::Lane {
			generated: source_lane.map_or(0, |l| l.generated),
			delivered: target_lane.map_or(0, |l| l.delivered),
			confirmed: source_lane.map_or(0, |l| l.confirmed),
		};
		let in_flight = lane.generated.saturating_sub(lane.delivered);
		let key = (source.to_string(), target.to_string());
		let oldest_age_seconds = if in_flight == 0 {
			self.waiting.remove(&key);
			None
		} else {
			let next = lane.delivered + 1;
			let entry = self.waiting.entry(key).or_insert((next, Instant::now()));
			if entry.0 != next {
				*entry = (next, Instant::now());
			}
			Some(entry.1.elapsed().as_secs())
		};
		let address = |name: &str| {
			self.networks.get(name).and_then(|f| f.client.as_ref()).map(|c| c.genesis().0)
		};
		let messages_per_minute = match (address(source), address(target)) {
			(Some(s), Some(t)) => self.index.per_minute(&s, &t, now_ms),
			_ => 0,
		};
		snapshot::Direction {
			source: source.to_string(),
			target: target.to_string(),
			header_lag,
			lane,
			in_flight,
			oldest_age_seconds,
			messages_per_minute,
		}
	}
}

/// Milliseconds per block over the last minute of best heights, with `best` now.
fn block_time(heights: &mut VecDeque<(Instant, u64)>, best: u64) -> Option<u64> {
	let now = Instant::now();
	heights.push_back((now, best));
	while heights.front().is_some_and(|(t, _)| now.duration_since(*t) > BLOCK_TIME_WINDOW) {
		heights.pop_front();
	}
	let (t0, b0) = *heights.front()?;
	let blocks = best.checked_sub(b0).filter(|b| *b > 0)?;
	Some(now.duration_since(t0).as_millis() as u64 / blocks)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_childs_state_follows_the_supervisor() {
		let child = |running, given_up, since: Option<u64>| ViewChild {
			name: "x".into(),
			pid: 1,
			restarts: 0,
			since_restart: since.map(Duration::from_secs),
			given_up,
			running,
		};
		assert_eq!(state(&child(true, false, None)), ChildState::Up);
		assert_eq!(state(&child(true, false, Some(5))), ChildState::Restarting);
		assert_eq!(state(&child(true, false, Some(300))), ChildState::Up);
		assert_eq!(state(&child(false, false, None)), ChildState::Down);
		assert_eq!(state(&child(false, true, None)), ChildState::GivenUp);
	}

	#[test]
	fn block_time_is_averaged_over_the_window() {
		let mut heights = VecDeque::new();
		let start = Instant::now() - Duration::from_secs(30);
		heights.push_back((start, 10));
		let ms = block_time(&mut heights, 20).unwrap();
		assert!((2_900..=3_200).contains(&ms), "{ms}");
		let mut still = VecDeque::new();
		assert_eq!(block_time(&mut still, 5), None, "one sample is no rate");
	}
}
