//! The dashboard's JSON (`GET /api/v1/snapshot`, and each `snapshot` event of
//! `/api/v1/events`), version 1. Field by field in docs/observability.md; the shape is pinned by
//! `golden/snapshot.json`, which the page's tests read too.
//!
//! Nothing personal is in it: messages, transactions and decisions are shown by the ids the
//! ledgers give them, with steps, outcomes and reason codes, never accounts, record ids or
//! payloads (`crate::monitor::events`).

use super::super::monitoring::rules;
use serde::Serialize;

pub const API_VERSION: u32 = 1;
/// The most messages, in-doubt transactions, transaction events and decisions listed.
pub const LIST_LIMIT: usize = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Health {
	Ok,
	Warn,
	Bad,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChildState {
	Up,
	/// Restarted within the last [`RESTARTING_SECONDS`], or not answering yet.
	Restarting,
	Down,
	GivenUp,
}

/// A child restarted this recently shows as restarting.
pub const RESTARTING_SECONDS: u64 = 30;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
	pub api: u32,
	pub generated_at: u64,
	pub uptime_seconds: u64,
	pub networks: Vec<Network>,
	pub bridges: Vec<Bridge>,
	pub eth_rpc: Vec<EthRpc>,
	pub messages: Vec<Message>,
	pub transactions: Transactions,
	pub data_protection: DataProtection,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Network {
	pub name: String,
	pub id: u32,
	pub genesis: String,
	pub health: Health,
	pub best: u64,
	pub finalized: u64,
	pub finality_lag: u64,
	pub block_time_ms: Option<u64>,
	pub peers: u64,
	pub pool: u64,
	pub in_doubt: u64,
	pub nodes: Vec<Node>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
	pub name: String,
	pub kind: &'static str,
	pub role: String,
	pub pid: u32,
	pub state: ChildState,
	pub restarts: u32,
	pub memory_bytes: Option<u64>,
	pub best: Option<u64>,
	pub finalized: Option<u64>,
	pub peers: Option<u64>,
	pub rpc: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bridge {
	pub between: [String; 2],
	pub health: Health,
	pub relayer: Child,
	pub directions: Vec<Direction>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Child {
	pub name: String,
	pub state: ChildState,
	pub pid: u32,
	pub restarts: u32,
	pub memory_bytes: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Direction {
	pub source: String,
	pub target: String,
	/// The source's finalized number minus the newest source header the target's light client
	/// knows: read from both chains, so it grows when the relayer is down.
	pub header_lag: Option<u64>,
	pub lane: Lane,
	pub in_flight: u64,
	pub oldest_age_seconds: Option<u64>,
	pub messages_per_minute: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lane {
	/// Messages the source put on the lane.
	pub generated: u64,
	/// Of those, the last the target received.
	pub delivered: u64,
	/// Of those, the last whose delivery the source has seen confirmed.
	pub confirmed: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EthRpc {
	pub network: String,
	pub name: String,
	pub url: String,
	pub state: ChildState,
	pub pid: u32,
	pub restarts: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
	pub origin: String,
	pub sequence: u64,
	pub destination: Option<String>,
	pub service: Option<&'static str>,
	pub status: &'static str,
	pub hops: Vec<Hop>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hop {
	pub network: String,
	pub step: &'static str,
	pub block: u32,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transactions {
	pub in_doubt: Vec<InDoubt>,
	pub recent: Vec<TxRecent>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InDoubt {
	pub network: String,
	pub coordinator: String,
	pub sequence: u64,
	pub target: Option<String>,
	pub prepared_block: Option<u32>,
	pub deadline: Option<u64>,
	pub past_deadline: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TxRecent {
	pub network: String,
	pub coordinator: String,
	pub sequence: u64,
	pub event: &'static str,
	pub block: u32,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataProtection {
	pub per_minute: Vec<Minute>,
	pub latest: Vec<DecisionView>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Minute {
	/// Unix minute.
	pub minute: u64,
	pub approved: u64,
	pub rejected: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionView {
	pub network: String,
	pub request: u64,
	pub block: u32,
	pub decision: &'static str,
	pub reason: Option<String>,
	pub basis: Option<String>,
}

/// A network's health: bad when no node answers or nothing is finalized; warn when finality
/// lags as far as the alert rule's threshold, a node is not up, or transactions are in doubt.
pub fn network_health(n: &Network) -> Health {
	let up = n.nodes.iter().filter(|x| x.state == ChildState::Up).count();
	if up == 0 || n.finalized == 0 {
		Health::Bad
	} else if n.finality_lag > rules::FINALITY_LAG_BLOCKS || up < n.nodes.len() || n.in_doubt > 0 {
		Health::Warn
	} else {
		Health::Ok
	}
}

/// A bridge's health: bad when its relayer is given up or down; warn when a direction's header
/// lag passes the alert rule's threshold or the relayer is restarting.
pub fn bridge_health(b: &Bridge) -> Health {
	let lagging =
		b.directions.iter().any(|d| d.header_lag.is_some_and(|lag| lag > rules::HEADER_LAG_BLOCKS));
	match b.relayer.state {
		ChildState::GivenUp | ChildState::Down => Health::Bad,
		ChildState::Restarting => Health::Warn,
		ChildState::Up if lagging => Health::Warn,
		ChildState::Up => Health::Ok,
	}
}

/// camelCase of a snake_case code (`no_consent` → `noConsent`), as the JSON spells codes.
pub fn camel(snake: &str) -> String {
	let mut out = String::with_capacity(snake.len());
	let mut upper = false;
	for c in snake.chars() {
		if c == '_' {
			upper = true;
		} else if upper {
			out.push(c.to_ascii_uppercase());
			upper = false;
		} else {
			out.push(c);
		}
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	fn node(name: &str, role: &str, pid: u32, state: ChildState, restarts: u32) -> Node {
		let (memory, best, rpc) = match name {
			"alpha-producer-1" => (150_000_000, 120, 40001),
			"alpha-consumer-1" => (90_000_000, 119, 40011),
			_ => (140_000_000, 60, 40021),
		};
		Node {
			name: name.into(),
			kind: "node",
			role: role.into(),
			pid,
			state,
			restarts,
			memory_bytes: Some(memory),
			best: Some(best),
			finalized: Some(if best > 100 { 118 } else { 30 }),
			peers: Some(3),
			rpc: format!("ws://127.0.0.1:{rpc}"),
		}
	}

	fn network(
		name: &str,
		id: u32,
		heights: (u64, u64, u64),
		pool: u64,
		nodes: Vec<Node>,
	) -> Network {
		let (best, finalized, in_doubt) = heights;
		let mut n = Network {
			name: name.into(),
			id,
			genesis: format!("0x{}", id.to_string().repeat(64)),
			health: Health::Bad,
			best,
			finalized,
			finality_lag: best - finalized,
			block_time_ms: Some(if id == 1 { 3000 } else { 3010 }),
			peers: 3,
			pool,
			in_doubt,
			nodes,
		};
		n.health = network_health(&n);
		n
	}

	fn hop(network: &str, step: &'static str, block: u32) -> Hop {
		Hop { network: network.into(), step, block }
	}

	/// `golden/snapshot.json`, which the page's tests read, is what this module writes, and the
	/// healths in it are the ones the rules' thresholds give.
	#[test]
	fn the_golden_snapshot_is_what_the_server_writes() {
		let direction =
			|source: &str, target: &str, lag, lane: (u64, u64, u64), age, rate| Direction {
				source: source.into(),
				target: target.into(),
				header_lag: Some(lag),
				lane: Lane { generated: lane.0, delivered: lane.1, confirmed: lane.2 },
				in_flight: lane.0 - lane.1,
				oldest_age_seconds: age,
				messages_per_minute: rate,
			};
		let mut bridge = Bridge {
			between: ["alpha".into(), "beta".into()],
			health: Health::Bad,
			relayer: Child {
				name: "relay-alpha-beta".into(),
				state: ChildState::Up,
				pid: 4400,
				restarts: 0,
				memory_bytes: Some(30_000_000),
			},
			directions: vec![
				direction("alpha", "beta", 3, (12, 12, 11), None, 4),
				direction("beta", "alpha", 40, (5, 4, 4), Some(12), 1),
			],
		};
		// beta -> alpha lags 40 blocks, past the rules' 32, though the relayer is up.
		bridge.health = bridge_health(&bridge);
		let snapshot = Snapshot {
			api: API_VERSION,
			generated_at: 1_733_313_600_000,
			uptime_seconds: 420,
			networks: vec![
				network(
					"alpha",
					1,
					(120, 118, 0),
					0,
					vec![
						node("alpha-producer-1", "producer", 4242, ChildState::Up, 0),
						node("alpha-consumer-1", "consumer", 4250, ChildState::Restarting, 1),
					],
				),
				network(
					"beta",
					2,
					(60, 30, 1),
					2,
					vec![node("beta-producer-1", "producer", 4300, ChildState::Up, 0)],
				),
			],
			bridges: vec![bridge],
			eth_rpc: vec![EthRpc {
				network: "alpha".into(),
				name: "alpha-eth-rpc".into(),
				url: "http://127.0.0.1:40100".into(),
				state: ChildState::Up,
				pid: 4500,
				restarts: 0,
			}],
			messages: vec![
				Message {
					origin: "alpha".into(),
					sequence: 7,
					destination: Some("beta".into()),
					service: Some("xcm"),
					status: "ok",
					hops: vec![
						hop("alpha", "sent", 101),
						hop("beta", "executed", 57),
						hop("beta", "ackQueued", 57),
						hop("alpha", "acknowledged", 108),
					],
				},
				Message {
					origin: "beta".into(),
					sequence: 3,
					destination: Some("alpha".into()),
					service: Some("transaction"),
					status: "inFlight",
					hops: vec![hop("beta", "sent", 58)],
				},
			],
			transactions: Transactions {
				in_doubt: vec![InDoubt {
					network: "beta".into(),
					coordinator: "beta".into(),
					sequence: 3,
					target: Some("alpha".into()),
					prepared_block: Some(58),
					deadline: Some(1_733_313_660_000),
					past_deadline: false,
				}],
				recent: vec![TxRecent {
					network: "alpha".into(),
					coordinator: "alpha".into(),
					sequence: 2,
					event: "committed",
					block: 100,
				}],
			},
			data_protection: DataProtection {
				per_minute: vec![Minute { minute: 28_888_560, approved: 3, rejected: 1 }],
				latest: vec![
					DecisionView {
						network: "beta".into(),
						request: 12,
						block: 91,
						decision: "rejected",
						reason: Some(camel("no_consent")),
						basis: None,
					},
					DecisionView {
						network: "beta".into(),
						request: 11,
						block: 90,
						decision: "approved",
						reason: None,
						basis: Some(camel("consent")),
					},
				],
			},
		};
		let golden: serde_json::Value =
			serde_json::from_str(include_str!("golden/snapshot.json")).unwrap();
		assert_eq!(serde_json::to_value(&snapshot).unwrap(), golden);
	}

	#[test]
	fn health_follows_the_rules_thresholds() {
		let mut n = network(
			"alpha",
			1,
			(120, 118, 0),
			0,
			vec![node("alpha-producer-1", "producer", 1, ChildState::Up, 0)],
		);
		assert_eq!(network_health(&n), Health::Ok);
		n.finality_lag = rules::FINALITY_LAG_BLOCKS + 1;
		assert_eq!(network_health(&n), Health::Warn);
		n.nodes[0].state = ChildState::Down;
		assert_eq!(network_health(&n), Health::Bad);
		assert_eq!(camel("legitimate_interests"), "legitimateInterests");
	}
}
