//! What the dashboard remembers of finalized events: routed messages hop by hop, transactions in
//! doubt, and access decisions. Fed by [`Index::add`] with classified events (no accounts), each
//! list bounded; testable without a chain.

use super::snapshot::{
	camel, DataProtection, DecisionView, Hop, InDoubt, Message, Minute, Transactions, TxRecent,
	LIST_LIMIT,
};
use crate::monitor::{
	events::{Observation, Settled, Step, TxStep},
	service_name,
};
use plexus_primitives::envelope::NetworkAddress;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// The most messages remembered (the snapshot lists the latest [`LIST_LIMIT`]).
pub const MESSAGES_KEPT: usize = 1_000;
/// In-doubt transactions remembered.
pub const IN_DOUBT_KEPT: usize = 1_000;
/// Hops kept per message: a request, its acknowledgement, and forwarding on the way.
const HOPS_KEPT: usize = 16;
/// Decisions are counted per minute over this many minutes.
pub const MINUTES_KEPT: u64 = 60;
/// Messages counted for rates over this long.
pub const RATE_WINDOW_MS: u64 = 60_000;

struct MessageEntry {
	origin: NetworkAddress,
	sequence: u64,
	destination: Option<NetworkAddress>,
	service: Option<&'static str>,
	status: &'static str,
	hops: Vec<(NetworkAddress, Step, u32)>,
	/// When it last changed (insertion order of updates), for "latest".
	touched: u64,
}

struct Pending {
	target: Option<NetworkAddress>,
	block: u32,
	deadline: Option<u64>,
}

#[derive(Default)]
pub struct Index {
	names: HashMap<NetworkAddress, String>,
	messages: HashMap<(NetworkAddress, u64), MessageEntry>,
	clock: u64,
	in_doubt: BTreeMap<(NetworkAddress, u64), (NetworkAddress, Pending)>,
	recent: VecDeque<TxRecent>,
	minutes: BTreeMap<u64, (u64, u64)>,
	decisions: VecDeque<DecisionView>,
	/// (network, next hop) → when messages left through it (ms).
	departures: HashMap<(NetworkAddress, NetworkAddress), VecDeque<u64>>,
}

impl Index {
	/// Names networks by their address (genesis hash) in what the snapshot shows.
	pub fn name(&mut self, address: NetworkAddress, name: &str) {
		self.names.insert(address, name.to_string());
	}

	fn named(&self, address: &NetworkAddress) -> String {
		self.names.get(address).cloned().unwrap_or_else(|| plexus_client::hex0x(address))
	}

	/// Adds what `network` recorded in finalized block `block`, at chain time `now_ms`.
	pub fn add(&mut self, network: NetworkAddress, block: u32, now_ms: u64, o: &Observation) {
		match o {
			Observation::Message(m) => {
				if matches!(m.step, Step::Sent | Step::Forwarded | Step::AckQueued) {
					if let Some(next_hop) = m.next_hop {
						let times = self.departures.entry((network, next_hop)).or_default();
						times.push_back(now_ms);
						while times
							.front()
							.is_some_and(|t| now_ms.saturating_sub(*t) > RATE_WINDOW_MS)
						{
							times.pop_front();
						}
					}
				}
				self.clock += 1;
				let key = (m.id.origin, m.id.sequence);
				if !self.messages.contains_key(&key) && self.messages.len() >= MESSAGES_KEPT {
					let oldest =
						self.messages.iter().min_by_key(|(_, e)| e.touched).map(|(k, _)| *k);
					if let Some(oldest) = oldest {
						self.messages.remove(&oldest);
					}
				}
				let entry = self.messages.entry(key).or_insert_with(|| MessageEntry {
					origin: m.id.origin,
					sequence: m.id.sequence,
					destination: None,
					service: None,
					status: "inFlight",
					hops: Vec::new(),
					touched: 0,
				});
				entry.touched = self.clock;
				entry.destination = entry.destination.or(m.destination);
				entry.service = entry.service.or(m.service.map(|s| service_name(&s)));
				if entry.hops.len() < HOPS_KEPT {
					entry.hops.push((network, m.step, block));
				}
				entry.status = match (m.step, m.settled) {
					(Step::Acknowledged, Some(Settled::Ok)) => "ok",
					(Step::Acknowledged, Some(Settled::Err(_))) => "err",
					(Step::Acknowledged, Some(Settled::TimedOut)) => "timedOut",
					(Step::TimedOut, _) => "timeoutProven",
					(Step::Unroutable, _) => "unroutable",
					_ => entry.status,
				};
			},
			Observation::Transaction(t) => {
				let key = (t.tx.coordinator, t.tx.sequence);
				match t.step {
					TxStep::Prepared => {
						let pending = Pending { target: t.target, block, deadline: t.deadline };
						self.in_doubt.insert(key, (network, pending));
						// The nodes count every one (plexus_resource_manager_in_doubt); this
						// list keeps the newest.
						while self.in_doubt.len() > IN_DOUBT_KEPT {
							let oldest = self.in_doubt.iter().min_by_key(|(_, (_, p))| p.block);
							let Some(oldest) = oldest.map(|(k, _)| *k) else { break };
							self.in_doubt.remove(&oldest);
						}
					},
					TxStep::Committed | TxStep::Aborted => {
						self.in_doubt.remove(&key);
					},
					_ => {},
				}
				self.recent.push_front(TxRecent {
					network: self.named(&network),
					coordinator: self.named(&t.tx.coordinator),
					sequence: t.tx.sequence,
					event: t.step.label(),
					block,
				});
				self.recent.truncate(LIST_LIMIT);
			},
			Observation::Decision(d) => {
				let minute = now_ms / 60_000;
				let counts = self.minutes.entry(minute).or_default();
				if d.approved {
					counts.0 += 1;
				} else {
					counts.1 += 1;
				}
				while self.minutes.len() as u64 > MINUTES_KEPT {
					self.minutes.pop_first();
				}
				self.decisions.push_front(DecisionView {
					network: self.named(&network),
					request: d.request,
					block,
					decision: if d.approved { "approved" } else { "rejected" },
					reason: d.reason.map(camel),
					basis: d.basis.map(camel),
				});
				self.decisions.truncate(LIST_LIMIT);
			},
			_ => {},
		}
	}

	/// Messages that left `network` through `next_hop` in the minute before `now_ms`.
	pub fn per_minute(
		&self,
		network: &NetworkAddress,
		next_hop: &NetworkAddress,
		now_ms: u64,
	) -> u64 {
		self.departures.get(&(*network, *next_hop)).map_or(0, |times| {
			times.iter().filter(|t| now_ms.saturating_sub(**t) <= RATE_WINDOW_MS).count() as u64
		})
	}

	/// The latest messages, newest first.
	pub fn messages(&self) -> Vec<Message> {
		let mut entries: Vec<&MessageEntry> = self.messages.values().collect();
		entries.sort_by_key(|e| std::cmp::Reverse(e.touched));
		entries
			.into_iter()
			.take(LIST_LIMIT)
			.map(|e| Message {
				origin: self.named(&e.origin),
				sequence: e.sequence,
				destination: e.destination.map(|d| self.named(&d)),
				service: e.service,
				status: e.status,
				hops: e
					.hops
					.iter()
					.map(|(n, step, block)| Hop {
						network: self.named(n),
						step: step.name(),
						block: *block,
					})
					.collect(),
			})
			.collect()
	}

	/// Transactions in doubt (their deadline judged at `now_ms`) and the latest events.
	pub fn transactions(&self, now_ms: u64) -> Transactions {
		Transactions {
			in_doubt: self
				.in_doubt
				.iter()
				.take(LIST_LIMIT)
				.map(|((coordinator, sequence), (network, p))| InDoubt {
					network: self.named(network),
					coordinator: self.named(coordinator),
					sequence: *sequence,
					target: p.target.map(|t| self.named(&t)),
					prepared_block: Some(p.block),
					deadline: p.deadline,
					past_deadline: p.deadline.is_some_and(|d| now_ms > d),
				})
				.collect(),
			recent: self.recent.iter().cloned().collect(),
		}
	}

	pub fn data_protection(&self) -> DataProtection {
		DataProtection {
			per_minute: self
				.minutes
				.iter()
				.map(|(minute, (approved, rejected))| Minute {
					minute: *minute,
					approved: *approved,
					rejected: *rejected,
				})
				.collect(),
			latest: self.decisions.iter().cloned().collect(),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::monitor::events::{AccessDecision, MessageStep, TxEvent};
	use plexus_primitives::{
		envelope::{MessageId, Service},
		transaction::TxId,
	};

	const A: NetworkAddress = [1; 32];
	const B: NetworkAddress = [2; 32];

	fn step(step: Step, settled: Option<Settled>, next_hop: Option<NetworkAddress>) -> Observation {
		Observation::Message(MessageStep {
			id: MessageId { origin: A, sequence: 7 },
			step,
			next_hop,
			destination: (step == Step::Sent).then_some(B),
			service: (step == Step::Sent).then_some(Service::Xcm),
			settled,
			lane_nonce: None,
		})
	}

	fn index() -> Index {
		let mut index = Index::default();
		index.name(A, "alpha");
		index.name(B, "beta");
		index
	}

	#[test]
	fn a_message_is_followed_hop_by_hop_until_it_settles() {
		let mut index = index();
		index.add(A, 10, 1_000, &step(Step::Sent, None, Some(B)));
		assert_eq!(index.messages()[0].status, "inFlight");
		index.add(B, 4, 4_000, &step(Step::Executed, Some(Settled::Ok), None));
		index.add(B, 4, 4_000, &step(Step::AckQueued, None, Some(A)));
		index.add(A, 13, 7_000, &step(Step::Acknowledged, Some(Settled::Ok), None));
		let messages = index.messages();
		assert_eq!(messages.len(), 1);
		let m = &messages[0];
		assert_eq!((m.origin.as_str(), m.sequence, m.status), ("alpha", 7, "ok"));
		assert_eq!(m.destination.as_deref(), Some("beta"));
		assert_eq!(m.service, Some("xcm"));
		let hops: Vec<_> = m.hops.iter().map(|h| (h.network.as_str(), h.step, h.block)).collect();
		assert_eq!(
			hops,
			[
				("alpha", "sent", 10),
				("beta", "executed", 4),
				("beta", "ackQueued", 4),
				("alpha", "acknowledged", 13)
			]
		);
		assert_eq!(index.per_minute(&A, &B, 7_000), 1);
		assert_eq!(index.per_minute(&B, &A, 7_000), 1);
		assert_eq!(index.per_minute(&A, &B, 70_000), 0, "a minute later");
	}

	#[test]
	fn in_doubt_transactions_are_bounded() {
		let mut index = index();
		for sequence in 0..(IN_DOUBT_KEPT as u64 + 5) {
			let o = Observation::Transaction(TxEvent {
				tx: TxId { coordinator: B, sequence },
				step: TxStep::Prepared,
				target: Some(A),
				deadline: None,
				abort: None,
			});
			index.add(B, sequence as u32, 0, &o);
		}
		assert_eq!(index.in_doubt.len(), IN_DOUBT_KEPT);
		assert!(!index.in_doubt.contains_key(&(B, 0)), "the oldest went first");
		assert!(index.in_doubt.contains_key(&(B, IN_DOUBT_KEPT as u64 + 4)));
	}

	#[test]
	fn memory_is_bounded() {
		let mut index = index();
		for sequence in 0..(MESSAGES_KEPT as u64 + 10) {
			let o = Observation::Message(MessageStep {
				id: MessageId { origin: A, sequence },
				step: Step::Sent,
				next_hop: Some(B),
				destination: Some(B),
				service: None,
				settled: None,
				lane_nonce: None,
			});
			index.add(A, 1, sequence, &o);
		}
		assert_eq!(index.messages.len(), MESSAGES_KEPT);
		assert!(!index.messages.contains_key(&(A, 0)), "the oldest went first");
		let listed = index.messages();
		assert_eq!(listed.len(), LIST_LIMIT);
		assert_eq!(listed[0].sequence, MESSAGES_KEPT as u64 + 9, "newest first");
	}

	#[test]
	fn transactions_leave_doubt_when_decided_and_decisions_count_per_minute() {
		let mut index = index();
		let tx = TxId { coordinator: B, sequence: 3 };
		let event = |step, deadline| {
			Observation::Transaction(TxEvent { tx, step, target: Some(A), deadline, abort: None })
		};
		index.add(B, 20, 0, &event(TxStep::Prepared, Some(5_000)));
		let t = index.transactions(6_000);
		assert_eq!(t.in_doubt.len(), 1);
		assert!(t.in_doubt[0].past_deadline);
		assert_eq!(t.in_doubt[0].target.as_deref(), Some("alpha"));
		index.add(B, 25, 0, &event(TxStep::Committed, None));
		let t = index.transactions(6_000);
		assert!(t.in_doubt.is_empty());
		assert_eq!(t.recent[0].event, "committed");

		for (i, approved) in [true, false, false].into_iter().enumerate() {
			let d = AccessDecision {
				request: i as u64,
				approved,
				reason: (!approved).then_some("no_consent"),
				basis: approved.then_some("legitimate_interests"),
			};
			index.add(B, 30, 120_000 + i as u64, &Observation::Decision(d));
		}
		let dp = index.data_protection();
		assert_eq!(dp.per_minute, [Minute { minute: 2, approved: 1, rejected: 2 }]);
		assert_eq!(dp.latest[0].reason.as_deref(), Some("noConsent"));
		assert_eq!(dp.latest[2].basis.as_deref(), Some("legitimateInterests"));
	}
}
