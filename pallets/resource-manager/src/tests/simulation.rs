//! Property tests: three honest networks, the real router and resource manager on each, a
//! fourth, hostile network bridged to some of them, and a relayer that drops, delays, duplicates
//! and reorders packets, restarts from chain state, and submits genuine and forged timeout
//! proofs.
//!
//! - The honest networks form a full mesh, or a line whose ends reach each other through the
//!   middle (a next hop). They never route through the hostile network.
//! - The hostile network runs the same pallets, and also puts forged acknowledgements on its
//!   lanes: `TimedOut`, `Unroutable`, `Ok` or a refusal, for any honest network's commit request,
//!   in its own name or another network's.
//! - Every network keeps its own clock: it starts skewed from the others, runs fast or slow, and
//!   a network may also jump ahead on its own.
//! - Anyone seals timeouts on targets, with a transaction's real deadline or with a guess.
//!
//! Whatever happens, after every step:
//!
//! - a transaction is never applied on its target while aborted on its coordinator, is applied
//!   only before its deadline (on the target's clock), and a no vote is never applied;
//! - exactly once: a target applies a transaction at most once (one `Applied`, one transfer), a
//!   coordinator decides it at most once (one `Committed` or `Aborted`), and a committed one has
//!   its target's receipt;
//! - holds equal what open transactions hold and are paid out exactly for commits; router fees
//!   are held for open transactions, earned (still held: no relayer confirms delivery here) for
//!   answered ones, refunded for the rest, and the total issuance never changes;
//! - a target reports a transaction timed out only if it is never applied there;
//! - forged proofs and refused seals leave no trace;
//! - only finished transactions are forgotten, and what a network forgot never lets a
//!   transaction be applied again (the checks use what they saw before it was forgotten).
//!
//! At the end the relayer delivers whatever it held back with the clocks where they are (late,
//! perhaps where a clock lags), then every clock passes every deadline and it delivers the rest:
//! nothing is in doubt, and each transaction is committed exactly when it was applied. Then
//! every clock passes every retention window: each applied transaction's commit request is
//! replayed before and after its receipt is forgotten and refused both times, and nothing is
//! left of any transaction but what its action wrote.

use super::mock::*;
use crate::*;
use frame_support::traits::fungible::{Inspect, InspectHold};
use pallet_event_router::{Acknowledgement, Failure, MessageId, Outcome, Packet, Transport};
use plexus_primitives::{contract::Limits, retention::BUCKET_MS};
use proptest::prelude::*;
use sp_io::TestExternalities;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

mod forgetting;

/// Networks 1..=HONEST are honest; network HOSTILE is not.
const HONEST: u8 = 3;
const HOSTILE: u8 = 4;
const NETWORKS: u8 = 4;

fn state_root() -> Vec<u8> {
	sp_io::storage::root(sp_runtime::StateVersion::V1)
}
const HOLD: Balance = 300;
const TRANSFER: Balance = 10;

#[derive(Clone, Debug)]
enum Kind {
	Record,
	Transfer,
	/// A transfer the remote account cannot pay: the target votes no.
	Overdraft,
	Call,
	Revert,
}

/// What the hostile network claims happened to a message.
#[derive(Clone, Copy, Debug)]
enum Forged {
	TimedOut,
	Unroutable,
	Ok,
	Refused,
}

impl Forged {
	fn outcome(self) -> Outcome {
		match self {
			Forged::TimedOut => Outcome::TimedOut,
			Forged::Unroutable => Outcome::Err(Failure::Unroutable),
			Forged::Ok => Outcome::Ok([0xee; 32]),
			Forged::Refused => Outcome::Err(Failure::Reverted),
		}
	}
}

#[derive(Clone, Debug)]
enum Step {
	Prepare {
		from: u8,
		to: u8,
		kind: Kind,
		deadline_in: u64,
		hold: bool,
	},
	/// Delivers the `pick`-th packet the relayer holds (possibly out of order: then refused).
	Deliver {
		pick: usize,
	},
	/// Delivers a packet that was already delivered again.
	Duplicate {
		pick: usize,
	},
	/// The relayer forgets a packet (it stays on its lane).
	Drop {
		pick: usize,
	},
	/// The relayer restarts and re-reads every undelivered packet from the lanes.
	Restart,
	/// One network's clock jumps ahead by `ms`.
	Tick {
		network: u8,
		ms: u64,
	},
	/// `ms` pass: every network's clock moves on at its own rate.
	Elapse {
		ms: u64,
	},
	/// Claims the timeout of a transaction's commit request with the newest finalized state of
	/// its next hop, or with a forgery of it: on the coordinator, or (`at_middle`, for a request
	/// that goes through a middle network) on the middle network against the target. It picks
	/// among the open transactions of `coordinator` (fixed schedules), or of every network.
	Claim {
		coordinator: Option<u8>,
		pick: usize,
		forged: bool,
		at_middle: bool,
	},
	/// Seals the timeout of a transaction on its target, with its real deadline or with a
	/// deadline long past (`guess`).
	Seal {
		network: u8,
		pick: usize,
		guess: bool,
	},
	/// The hostile network puts an acknowledgement of some commit request on one of its lanes.
	Forge {
		lane: usize,
		pick: usize,
		responder: u8,
		outcome: Forged,
	},
}

fn honest() -> impl Strategy<Value = u8> {
	1..=HONEST
}

fn step() -> impl Strategy<Value = Step> {
	let kind = prop_oneof![
		Just(Kind::Record),
		Just(Kind::Transfer),
		Just(Kind::Overdraft),
		Just(Kind::Call),
		Just(Kind::Revert),
	];
	// Mostly what a network on the way may say, in the hostile network's own name: the answers
	// a router could mistake for a hop giving up.
	let forged = prop_oneof![
		3 => Just(Forged::TimedOut),
		3 => Just(Forged::Unroutable),
		1 => Just(Forged::Ok),
		1 => Just(Forged::Refused),
	];
	let responder = prop_oneof![3 => Just(HOSTILE), 2 => honest()];
	prop_oneof![
		3 => (honest(), 1..HONEST, kind, 2_000u64..30_000, any::<bool>()).prop_map(
			|(from, offset, kind, deadline_in, hold)| Step::Prepare {
				from,
				to: (from - 1 + offset) % HONEST + 1,
				kind,
				deadline_in,
				hold,
			}
		),
		6 => any::<usize>().prop_map(|pick| Step::Deliver { pick }),
		1 => any::<usize>().prop_map(|pick| Step::Duplicate { pick }),
		1 => any::<usize>().prop_map(|pick| Step::Drop { pick }),
		1 => Just(Step::Restart),
		2 => (1..=NETWORKS, 500u64..8_000).prop_map(|(network, ms)| Step::Tick { network, ms }),
		2 => (500u64..8_000).prop_map(|ms| Step::Elapse { ms }),
		3 => (any::<usize>(), proptest::bool::weighted(0.25), any::<bool>()).prop_map(
			|(pick, forged, at_middle)| Step::Claim { coordinator: None, pick, forged, at_middle }
		),
		1 => (honest(), any::<usize>(), any::<bool>())
			.prop_map(|(network, pick, guess)| Step::Seal { network, pick, guess }),
		3 => (any::<usize>(), any::<usize>(), responder, forged).prop_map(
			|(lane, pick, responder, outcome)| Step::Forge { lane, pick, responder, outcome }
		),
	]
}

/// A network's clock: how far it is from the others at genesis, and how fast it runs.
#[derive(Clone, Copy, Debug)]
struct Clock {
	skew_ms: i64,
	rate_per_mille: u64,
}

/// Which networks are bridged, and every network's clock.
#[derive(Clone, Debug)]
struct Topology {
	/// `None`: the honest networks form a full mesh; `Some(m)`: a line whose middle is `m`.
	middle: Option<u8>,
	/// The honest networks bridged to the hostile one (at least one).
	hostile_peers: Vec<u8>,
	clocks: [Clock; NETWORKS as usize],
}

impl Topology {
	fn mesh() -> Self {
		let clock = Clock { skew_ms: 0, rate_per_mille: 1_000 };
		Self {
			middle: None,
			hostile_peers: (1..=HONEST).collect(),
			clocks: [clock; NETWORKS as usize],
		}
	}

	fn bridged(&self, a: u8, b: u8) -> bool {
		match (a, b) {
			_ if a == b => false,
			(HOSTILE, other) | (other, HOSTILE) => self.hostile_peers.contains(&other),
			_ => self.middle.is_none_or(|m| a == m || b == m),
		}
	}

	/// The first hop from `from` towards `to` on a shortest path through honest networks only
	/// (ties go to the lowest number), or `None` if they are bridged or not connected.
	fn next_hop(&self, from: u8, to: u8) -> Option<u8> {
		if self.bridged(from, to) {
			return None;
		}
		let mut first: BTreeMap<u8, u8> = BTreeMap::new();
		let mut queue = VecDeque::from([from]);
		while let Some(at) = queue.pop_front() {
			for next in 1..=NETWORKS {
				if !self.bridged(at, next) || next == from || first.contains_key(&next) {
					continue;
				}
				let hop = if at == from { next } else { first[&at] };
				if next == to {
					return Some(hop);
				}
				if next != HOSTILE {
					first.insert(next, hop);
					queue.push_back(next);
				}
			}
		}
		None
	}

	/// The network a packet from `from` to `to` goes to first.
	fn first_hop(&self, from: u8, to: u8) -> u8 {
		self.next_hop(from, to).unwrap_or(to)
	}
}

fn topology() -> impl Strategy<Value = Topology> {
	// Skews as large as the longest deadline: a network on the way may be past a deadline that
	// the target is still before.
	let clock = (-30_000i64..30_000, 800u64..=1_200)
		.prop_map(|(skew_ms, rate_per_mille)| Clock { skew_ms, rate_per_mille });
	(
		// Mostly lines: only there do requests pass a network on the way.
		prop_oneof![1 => Just(None), 3 => honest().prop_map(Some)],
		proptest::sample::subsequence((1..=HONEST).collect::<Vec<_>>(), 1..=HONEST as usize),
		proptest::array::uniform4(clock),
	)
		.prop_map(|(middle, hostile_peers, clocks)| Topology { middle, hostile_peers, clocks })
}

/// What the test knows of a transaction it opened (never read by the pallets).
#[derive(Clone, Debug)]
struct Opened {
	target: u8,
	kind: Kind,
	deadline: Timeout,
	hold: bool,
	message: MessageId,
	/// The router fee held for its commit request.
	fee: Balance,
}

struct World {
	topology: Topology,
	nets: Vec<TestExternalities>,
	/// Every network's total issuance at genesis.
	issuance: Vec<Balance>,
	/// Every packet ever queued on each lane (from, to), by nonce: the lanes' own storage.
	lanes: BTreeMap<(u8, u8), Vec<Queued>>,
	/// What the relayer currently holds, not yet delivered as far as it knows.
	pool: Vec<Queued>,
	delivered: Vec<Queued>,
	/// Per coordinator, its transactions by sequence.
	opened: BTreeMap<u8, Vec<Opened>>,
	/// Transactions some target has reported as timed out, by coordinator and sequence.
	reported_timed_out: BTreeSet<(u8, u64)>,
	/// The last state and receipt seen of each transaction, for when they are forgotten.
	states: BTreeMap<TxId, TxState>,
	receipts: BTreeMap<TxId, TxReceipt>,
}

impl World {
	fn new(topology: Topology) -> Self {
		reset();
		let mut nets: Vec<_> = (1..=NETWORKS).map(|n| network(n, NETWORKS)).collect();
		for (index, net) in nets.iter_mut().enumerate() {
			let me = index as u8 + 1;
			net.execute_with(|| {
				let root = || RuntimeOrigin::root();
				for other in (1..=NETWORKS).filter(|other| !topology.bridged(me, *other)) {
					if other == me {
						continue;
					}
					EventRouter::unbind_peer(root(), address(other)).expect("bound at genesis");
				}
				for to in (1..=NETWORKS).filter(|to| *to != me) {
					if let Some(hop) = topology.next_hop(me, to) {
						EventRouter::set_next_hop(root(), address(to), Some(address(hop)))
							.expect("the hop is a peer");
					}
				}
				let skew = topology.clocks[index].skew_ms;
				pallet_timestamp::Now::<Test>::put(GENESIS_MS.saturating_add_signed(skew));
				finalize(NETWORKS);
			});
		}
		let issuance = nets.iter_mut().map(|net| net.execute_with(Balances::total_issuance));
		Self {
			topology,
			issuance: issuance.collect(),
			nets,
			lanes: BTreeMap::new(),
			pool: Vec::new(),
			delivered: Vec::new(),
			opened: BTreeMap::new(),
			reported_timed_out: BTreeSet::new(),
			states: BTreeMap::new(),
			receipts: BTreeMap::new(),
		}
	}

	fn on<R>(&mut self, n: u8, f: impl FnOnce() -> R) -> R {
		self.nets[n as usize - 1].execute_with(f)
	}

	/// Moves what the networks queued onto the lanes and into the relayer's hands.
	fn collect(&mut self) {
		for packet in drain_outbox() {
			self.lanes.entry((packet.from, packet.to)).or_default().push(packet.clone());
			self.pool.push(packet);
		}
	}

	fn deliver(&mut self, packet: Queued) -> bool {
		let accepted = self.on(packet.to, || receive(&packet));
		self.on(packet.to, || finalize(NETWORKS));
		if accepted {
			self.delivered.push(packet);
		}
		self.collect();
		accepted
	}

	fn restart_relayer(&mut self) {
		let mut pool = Vec::new();
		for ((from, to), packets) in self.lanes.clone() {
			let last = self.on(to, || last_delivered(from));
			pool.extend(packets.into_iter().filter(|p| p.nonce > last));
		}
		self.pool = pool;
	}

	/// The transactions still in doubt on their coordinators, or every one if none is.
	fn open_or_all(&mut self, coordinator: Option<u8>) -> Vec<(u8, u64, Opened)> {
		let all: Vec<_> = self
			.all_opened()
			.into_iter()
			.filter(|(c, _, _)| coordinator.is_none_or(|only| *c == only))
			.collect();
		let open: Vec<_> = all
			.iter()
			.filter(|(c, s, _)| {
				let state = self.on(*c, || Transactions::<Test>::get(s)).map(|t| t.state);
				state == Some(TxState::Prepared)
			})
			.cloned()
			.collect();
		if open.is_empty() {
			all
		} else {
			open
		}
	}

	fn all_opened(&self) -> Vec<(u8, u64, Opened)> {
		self.opened
			.iter()
			.flat_map(|(c, opened)| {
				opened.iter().enumerate().map(move |(s, o)| (*c, s as u64, o.clone()))
			})
			.collect()
	}

	fn apply(&mut self, step: Step) {
		match step {
			Step::Prepare { from, to, kind, deadline_in, hold } => {
				self.prepare(from, to, kind, deadline_in, hold)
			},
			Step::Deliver { pick } if !self.pool.is_empty() => {
				let packet = self.pool.remove(pick % self.pool.len());
				if !self.deliver(packet.clone()) {
					// Refused (out of order): the relayer keeps it for later.
					self.pool.push(packet);
				}
			},
			Step::Duplicate { pick } if !self.delivered.is_empty() => {
				let packet = self.delivered[pick % self.delivered.len()].clone();
				let before = self.on(packet.to, state_root);
				let accepted = self.on(packet.to, || receive(&packet));
				assert!(!accepted, "a lane took a packet twice");
				assert_eq!(self.on(packet.to, state_root), before);
			},
			Step::Drop { pick } if !self.pool.is_empty() => {
				self.pool.remove(pick % self.pool.len());
			},
			Step::Restart => self.restart_relayer(),
			Step::Tick { network, ms } => self.on(network, || next_block(ms, NETWORKS)),
			Step::Elapse { ms } => {
				for n in 1..=NETWORKS {
					let rate = self.topology.clocks[n as usize - 1].rate_per_mille;
					self.on(n, || next_block(ms * rate / 1_000, NETWORKS));
				}
			},
			Step::Claim { coordinator, pick, forged, at_middle } => {
				self.claim(coordinator, pick, forged, at_middle)
			},
			Step::Seal { network, pick, guess } => self.seal(network, pick, guess),
			Step::Forge { lane, pick, responder, outcome } => {
				self.forge(lane, pick, responder, outcome)
			},
			_ => {},
		}
	}

	fn prepare(&mut self, from: u8, to: u8, kind: Kind, deadline_in: u64, hold: bool) {
		let deadline = Timeout {
			height: None,
			timestamp: Some(self.on(from, pallet_timestamp::Now::<Test>::get) + deadline_in),
		};
		let action = action_of(&kind);
		let hold_arg = hold.then_some(Hold { amount: HOLD, beneficiary: BOB });
		let opened = self.on(from, || {
			let fees = || Balances::balance_on_hold(&fee_reason(), &ALICE);
			let before = fees();
			let sequence = NextTransaction::<Test>::get();
			ResourceManager::prepare(
				RuntimeOrigin::signed(ALICE),
				address(to),
				action,
				deadline,
				hold_arg,
			)
			.map(|()| {
				(Transactions::<Test>::get(sequence).expect("prepared").message, fees() - before)
			})
		});
		if let Ok((message, fee)) = opened {
			self.opened.entry(from).or_default().push(Opened {
				target: to,
				kind,
				deadline,
				hold,
				message,
				fee,
			});
		}
		self.collect();
	}

	fn claim(&mut self, coordinator: Option<u8>, pick: usize, forged: bool, at_middle: bool) {
		// The relayer claims what is still open, mostly.
		let candidates = self.open_or_all(coordinator);
		if candidates.is_empty() {
			return;
		}
		let (coordinator, _, Opened { target, message, .. }) =
			candidates[pick % candidates.len()].clone();
		let first_hop = self.topology.first_hop(coordinator, target);
		// On the middle network, it is the forwarded request's timeout, proven at the target.
		let (claimer, prover) = if at_middle && first_hop != target {
			(first_hop, target)
		} else {
			(coordinator, first_hop)
		};
		let newest = HISTORY.with(|h| {
			*h.borrow()
				.iter()
				.rev()
				.find(|s| s.network == prover && s.from == claimer)
				.expect("every network finalized at genesis")
		});
		let proof = if forged {
			// Claims a later time and nothing delivered: a state the prover never had.
			Snapshot { last_delivered_nonce: 0, timestamp: newest.timestamp + 1_000_000, ..newest }
		} else {
			newest
		};
		let before = self.on(claimer, state_root);
		let result = self.on(claimer, || {
			EventRouter::claim_timeout(RuntimeOrigin::signed(CHARLIE), message, proof)
		});
		if forged {
			assert!(result.is_err(), "a forged proof was accepted");
		}
		if result.is_err() {
			assert_eq!(self.on(claimer, state_root), before);
		}
		self.collect();
	}

	fn seal(&mut self, target: u8, pick: usize, guess: bool) {
		let candidates: Vec<_> =
			self.all_opened().into_iter().filter(|(_, _, o)| o.target == target).collect();
		if candidates.is_empty() {
			return;
		}
		let (coordinator, sequence, o) = &candidates[pick % candidates.len()];
		let tx = TxId { coordinator: address(*coordinator), sequence: *sequence };
		let deadline =
			if guess { Timeout { height: Some(0), timestamp: None } } else { o.deadline };
		let before = self.on(target, state_root);
		let result = self.on(target, || {
			ResourceManager::seal_timeout(RuntimeOrigin::signed(CHARLIE), tx, deadline)
		});
		if result.is_err() {
			assert_eq!(self.on(target, state_root), before, "a refused seal left a trace");
		}
	}

	/// The hostile network queues an acknowledgement of an honest commit request on one of its
	/// lanes, as its governance could by writing its outbound lane.
	fn forge(&mut self, lane: usize, pick: usize, responder: u8, outcome: Forged) {
		// It watches the honest networks, and answers what is still open there.
		let candidates = self.open_or_all(None);
		if candidates.is_empty() {
			return;
		}
		let id = candidates[pick % candidates.len()].2.message;
		let peers = &self.topology.hostile_peers;
		let lane = peers[lane % peers.len()];
		let ack = Acknowledgement { id, responder: address(responder), outcome: outcome.outcome() };
		self.on(HOSTILE, || {
			<MockTransport as Transport>::send(lane, Packet::<AccountId>::Ack(ack).encode())
				.expect("the mock lane takes any packet")
		});
		self.collect();
	}

	/// Checks what must hold at every moment.
	fn check_safety(&mut self) {
		for coordinator in 1..=HONEST {
			let opened = self.opened.get(&coordinator).cloned().unwrap_or_default();
			let decisions = self.on(coordinator, decisions);
			let (mut open_holds, mut paid, mut open_fees, mut earned) = (0, 0, 0, 0);
			for (sequence, o) in opened.iter().enumerate() {
				let tx = TxId { coordinator: address(coordinator), sequence: sequence as u64 };
				let state = self.state_seen(coordinator, tx);
				let receipt = self.receipt_seen(o.target, tx);
				if let Some(receipt) = &receipt {
					assert!(
						!matches!(state, TxState::Aborted(_)),
						"{tx:?} applied on its target but aborted on its coordinator ({state:?})"
					);
					assert!(
						receipt.timestamp <= o.deadline.timestamp.unwrap(),
						"{tx:?} applied after its deadline"
					);
					assert!(!matches!(o.kind, Kind::Revert | Kind::Overdraft));
				}
				let applied = self.on(o.target, || {
					events()
						.iter()
						.filter(|e| matches!(e, Event::Applied { tx: t, .. } if *t == tx))
						.count()
				});
				assert_eq!(
					applied,
					usize::from(receipt.is_some()),
					"{tx:?} applied {applied} times"
				);
				let decided = decisions.get(&tx).copied().unwrap_or(0);
				assert_eq!(
					decided,
					usize::from(state != TxState::Prepared),
					"{tx:?} decided {decided} times, now {state:?}"
				);
				match state {
					TxState::Prepared => {
						open_fees += o.fee;
						if o.hold {
							open_holds += HOLD;
						}
					},
					TxState::Committed { receipt: digest } => {
						let receipt =
							receipt.as_ref().expect("committed without a receipt on the target");
						assert_eq!(digest, receipt.digest());
						earned += o.fee;
						if o.hold {
							paid += HOLD;
						}
					},
					// The target (or a network on the way, for `Unroutable`) never ran it.
					TxState::Aborted(AbortReason::TimedOut)
					| TxState::Aborted(AbortReason::Refused(Failure::Unroutable)) => {},
					TxState::Aborted(AbortReason::Refused(_)) => earned += o.fee,
				}
				if self.reported_timed_out.contains(&(coordinator, tx.sequence)) {
					assert!(receipt.is_none(), "{tx:?} reported timed out, then applied");
				}
			}
			let (held, fees_held, alice, bob, issuance) = self.on(coordinator, || {
				(
					Balances::balance_on_hold(&HoldReason::Transaction.into(), &ALICE),
					Balances::balance_on_hold(&fee_reason(), &ALICE),
					Balances::total_balance(&ALICE),
					Balances::balance(&BOB),
					Balances::total_issuance(),
				)
			});
			assert_eq!(held, open_holds, "holds on network {coordinator} drifted");
			assert_eq!(bob, ENDOWMENT + paid, "payouts on network {coordinator} drifted");
			assert_eq!(fees_held, open_fees + earned, "fees held on network {coordinator} drifted");
			assert_eq!(alice, ENDOWMENT - paid, "the initiator on {coordinator} drifted");
			let genesis = self.issuance[coordinator as usize - 1];
			assert_eq!(issuance, genesis, "issuance on network {coordinator} drifted");
		}
		// Transfers applied exactly once each; what a target reports timed out stays so.
		for target in 1..=HONEST {
			let mine: Vec<_> =
				self.all_opened().into_iter().filter(|(_, _, o)| o.target == target).collect();
			let mut applied_transfers = 0;
			for (coordinator, sequence, o) in mine {
				let tx = TxId { coordinator: address(coordinator), sequence };
				let receipt = self.receipt_seen(target, tx);
				let status = self.on(target, || ResourceManager::status(tx));
				if receipt.is_some() && matches!(o.kind, Kind::Transfer) {
					applied_transfers += 1;
				}
				if let TxStatus::Decided(TxReceipt { status: ReceiptStatus::TimedOut, .. }) = status
				{
					assert!(receipt.is_none());
					self.reported_timed_out.insert((coordinator, sequence));
				}
			}
			let charlie = self.on(target, || Balances::balance(&CHARLIE));
			assert_eq!(charlie, ENDOWMENT + applied_transfers * TRANSFER);
		}
	}

	/// The relayer restarts and drains the lanes with the clocks where they are (whatever was
	/// held back arrives late, perhaps where a clock lags); then every clock passes every
	/// deadline and it drains them again.
	fn settle_everything(&mut self) {
		self.drain();
		self.check_safety();
		let last_deadline = self
			.all_opened()
			.iter()
			.filter_map(|(_, _, o)| o.deadline.timestamp)
			.max()
			.unwrap_or(GENESIS_MS);
		for n in 1..=NETWORKS {
			let now = self.on(n, pallet_timestamp::Now::<Test>::get);
			let past = last_deadline.max(now) + 100_000;
			self.on(n, || next_block(past - now, NETWORKS));
		}
		self.drain();
	}

	fn drain(&mut self) {
		for _ in 0..16 {
			self.restart_relayer();
			if self.pool.is_empty() {
				break;
			}
			let mut pool = core::mem::take(&mut self.pool);
			pool.sort_by_key(|p| (p.from, p.to, p.nonce));
			for packet in pool {
				assert!(self.deliver(packet), "in-order delivery is accepted");
			}
		}
		assert!(self.pool.is_empty(), "the lanes never drained");
	}

	fn check_liveness(&mut self) {
		for coordinator in 1..=HONEST {
			assert!(
				self.on(coordinator, ResourceManager::in_doubt).is_empty(),
				"network {coordinator} still has transactions in doubt"
			);
			let opened = self.opened.get(&coordinator).cloned().unwrap_or_default();
			for (sequence, o) in opened.iter().enumerate() {
				let tx = TxId { coordinator: address(coordinator), sequence: sequence as u64 };
				let state = self.state_seen(coordinator, tx);
				let applied = self.receipt_seen(o.target, tx).is_some();
				assert_eq!(
					matches!(state, TxState::Committed { .. }),
					applied,
					"{tx:?}: committed on the coordinator exactly when applied on the target"
				);
			}
		}
	}

	fn run(&mut self, steps: impl IntoIterator<Item = Step>) {
		for step in steps {
			self.apply(step);
			self.check_safety();
		}
		self.settle_everything();
		self.check_safety();
		self.check_liveness();
		self.forget_everything();
		self.check_liveness();
	}

	fn state(&mut self, coordinator: u8, sequence: u64) -> TxState {
		self.state_seen(coordinator, TxId { coordinator: address(coordinator), sequence })
	}
}

fn action_of(kind: &Kind) -> Action<AccountId> {
	match kind {
		Kind::Record => Action::Record { key: b"k".to_vec(), value: b"v".to_vec() },
		Kind::Transfer => Action::Transfer { to: CHARLIE, amount: TRANSFER },
		Kind::Overdraft => Action::Transfer { to: CHARLIE, amount: 10 * ENDOWMENT },
		Kind::Call | Kind::Revert => Action::Call {
			contract: if matches!(kind, Kind::Call) { ECHO } else { REVERTS },
			input: b"in".to_vec(),
			value: 0,
			limits: Limits { weight: CALL_WEIGHT, deposit: 0 },
		},
	}
}

fn fee_reason() -> RuntimeHoldReason {
	pallet_event_router::HoldReason::MessageFee.into()
}

/// How many times this network, as coordinator, decided each transaction.
fn decisions() -> BTreeMap<TxId, usize> {
	let mut decided = BTreeMap::new();
	for event in events() {
		if let Event::Committed { tx, .. } | Event::Aborted { tx, .. } = event {
			*decided.entry(tx).or_default() += 1;
		}
	}
	decided
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

	#[test]
	fn transactions_are_atomic_under_a_hostile_network_relayer_and_skewed_clocks(
		topology in topology(),
		steps in proptest::collection::vec(step(), 1..60)
	) {
		World::new(topology).run(steps);
	}
}

/// The harness is not vacuous: a fixed schedule reaches a commit, a no vote, a proven timeout
/// and a late arrival, and the checks hold throughout.
#[test]
fn a_fixed_schedule_reaches_every_outcome() {
	let mut world = World::new(Topology::mesh());
	world.run([
		Step::Prepare { from: 1, to: 2, kind: Kind::Record, deadline_in: 20_000, hold: true },
		Step::Prepare { from: 1, to: 3, kind: Kind::Revert, deadline_in: 20_000, hold: true },
		Step::Prepare { from: 2, to: 3, kind: Kind::Transfer, deadline_in: 3_000, hold: true },
		Step::Deliver { pick: 0 },
		Step::Deliver { pick: 0 },
		Step::Duplicate { pick: 0 },
		// Network 3 passes the third transaction's deadline before it arrives.
		Step::Tick { network: 3, ms: 5_000 },
		Step::Claim { coordinator: Some(2), pick: 0, forged: true, at_middle: false },
		Step::Claim { coordinator: Some(2), pick: 0, forged: false, at_middle: false },
	]);
	assert!(matches!(world.state(1, 0), TxState::Committed { .. }));
	assert_eq!(world.state(1, 1), TxState::Aborted(AbortReason::Refused(Failure::Reverted)));
	assert_eq!(world.state(2, 0), TxState::Aborted(AbortReason::TimedOut));
}

/// H2: the hostile network answers `TimedOut` for a commit request between two honest networks,
/// directly to the coordinator, and through a network the coordinator routes it by. The target
/// still applies the request: the coordinator must not have aborted.
#[test]
fn a_hostile_network_cannot_time_out_a_request_it_is_not_on_the_path_of() {
	// The coordinator is bridged to the hostile network.
	let mut world = World::new(Topology { hostile_peers: vec![1], ..Topology::mesh() });
	world.run([
		Step::Prepare { from: 1, to: 2, kind: Kind::Record, deadline_in: 20_000, hold: true },
		Step::Forge { lane: 0, pick: 0, responder: HOSTILE, outcome: Forged::TimedOut },
		// The forged answer first, then the request.
		Step::Deliver { pick: 1 },
		Step::Deliver { pick: 0 },
	]);
	assert!(matches!(world.state(1, 0), TxState::Committed { .. }));

	// The coordinator reaches the hostile network through the target, which passes answers on.
	let mut world = World::new(Topology { hostile_peers: vec![2], ..Topology::mesh() });
	world.run([
		Step::Prepare { from: 1, to: 2, kind: Kind::Record, deadline_in: 20_000, hold: true },
		Step::Forge { lane: 0, pick: 0, responder: HOSTILE, outcome: Forged::Unroutable },
		Step::Deliver { pick: 1 },
		Step::Deliver { pick: 1 },
		Step::Deliver { pick: 0 },
	]);
	assert!(matches!(world.state(1, 0), TxState::Committed { .. }));
}

/// M4: a timeout proven at the middle network (its clock is ahead) must stop the request there,
/// though the target's clock lags behind the deadline.
#[test]
fn a_timeout_proven_at_the_middle_stops_the_request_there() {
	let mut world = World::new(Topology { middle: Some(2), ..Topology::mesh() });
	world.run([
		Step::Prepare { from: 1, to: 3, kind: Kind::Record, deadline_in: 10_000, hold: true },
		Step::Tick { network: 2, ms: 20_000 },
		Step::Claim { coordinator: Some(1), pick: 0, forged: false, at_middle: false },
		// The relayer delivers the request to the middle after all, then whatever follows it.
		Step::Deliver { pick: 0 },
		Step::Deliver { pick: 0 },
	]);
	assert_eq!(world.state(1, 0), TxState::Aborted(AbortReason::TimedOut));
	// Never applied: no receipt was ever seen (the run ends with every receipt forgotten).
	assert!(!world.receipts.contains_key(&TxId { coordinator: A, sequence: 0 }));
}

/// A seal of a guessed deadline before the request arrives neither blocks the transaction nor
/// makes its target report it timed out.
#[test]
fn a_guessed_seal_does_not_decide_a_live_transaction() {
	let mut world = World::new(Topology::mesh());
	world.run([
		Step::Prepare { from: 1, to: 2, kind: Kind::Record, deadline_in: 20_000, hold: false },
		Step::Seal { network: 2, pick: 0, guess: true },
		Step::Deliver { pick: 0 },
	]);
	assert!(matches!(world.state(1, 0), TxState::Committed { .. }));
	assert!(world.reported_timed_out.is_empty());
}
