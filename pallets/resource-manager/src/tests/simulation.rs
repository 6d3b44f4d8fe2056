//! Property tests: three networks, the real router and resource manager on each, and a relayer
//! that drops, delays, duplicates and reorders packets, restarts from chain state, and submits
//! genuine and forged timeout proofs. Whatever it does:
//!
//! - a transaction is never applied on its target while aborted on its coordinator, and once
//!   every packet is through, it is committed exactly when it was applied;
//! - each is applied at most once, and only before its deadline;
//! - holds always equal what open transactions hold, and are paid out exactly for commits;
//! - forged proofs are refused without a trace;
//! - after the relayer restarts from chain state and drains the lanes, nothing is in doubt.

use super::mock::*;
use crate::*;
use frame_support::traits::fungible::{Inspect, InspectHold};
use plexus_primitives::contract::Limits;
use proptest::prelude::*;
use sp_io::TestExternalities;
use std::collections::BTreeMap;

const NETWORKS: u8 = 3;

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
	Tick {
		network: u8,
		ms: u64,
	},
	/// Claims the timeout of a coordinator's transaction with its target's newest finalized
	/// state, or with a forgery of it.
	Claim {
		network: u8,
		pick: usize,
		forged: bool,
	},
	Seal {
		network: u8,
		pick: usize,
	},
}

fn network_index() -> impl Strategy<Value = u8> {
	1..=NETWORKS
}

fn step() -> impl Strategy<Value = Step> {
	let kind = prop_oneof![
		Just(Kind::Record),
		Just(Kind::Transfer),
		Just(Kind::Overdraft),
		Just(Kind::Call),
		Just(Kind::Revert),
	];
	prop_oneof![
		3 => (network_index(), 1..NETWORKS, kind, 2_000u64..30_000, any::<bool>()).prop_map(
			|(from, offset, kind, deadline_in, hold)| Step::Prepare {
				from,
				to: (from - 1 + offset) % NETWORKS + 1,
				kind,
				deadline_in,
				hold,
			}
		),
		6 => any::<usize>().prop_map(|pick| Step::Deliver { pick }),
		1 => any::<usize>().prop_map(|pick| Step::Duplicate { pick }),
		1 => any::<usize>().prop_map(|pick| Step::Drop { pick }),
		1 => Just(Step::Restart),
		3 => (network_index(), 500u64..8_000).prop_map(|(network, ms)| Step::Tick { network, ms }),
		1 => (network_index(), any::<usize>(), any::<bool>())
			.prop_map(|(network, pick, forged)| Step::Claim { network, pick, forged }),
		1 => (network_index(), any::<usize>())
			.prop_map(|(network, pick)| Step::Seal { network, pick }),
	]
}

/// What the test knows of a transaction it opened (never read by the pallets).
#[derive(Clone, Debug)]
struct Opened {
	target: u8,
	kind: Kind,
	deadline: Timeout,
	hold: bool,
}

struct World {
	nets: Vec<TestExternalities>,
	/// Every packet ever queued on each lane (from, to), by nonce: the lanes' own storage.
	lanes: BTreeMap<(u8, u8), Vec<Queued>>,
	/// What the relayer currently holds, not yet delivered as far as it knows.
	pool: Vec<Queued>,
	delivered: Vec<Queued>,
	/// Per coordinator, its transactions by sequence.
	opened: BTreeMap<u8, Vec<Opened>>,
}

impl World {
	fn new() -> Self {
		reset();
		let mut nets: Vec<_> = (1..=NETWORKS).map(|n| network(n, NETWORKS)).collect();
		for net in &mut nets {
			net.execute_with(|| finalize(NETWORKS));
		}
		Self {
			nets,
			lanes: BTreeMap::new(),
			pool: Vec::new(),
			delivered: Vec::new(),
			opened: BTreeMap::new(),
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

	fn apply(&mut self, step: Step) {
		match step {
			Step::Prepare { from, to, kind, deadline_in, hold } => {
				let deadline = Timeout {
					height: None,
					timestamp: Some(
						self.on(from, pallet_timestamp::Now::<Test>::get) + deadline_in,
					),
				};
				let action = match kind {
					Kind::Record => Action::Record { key: b"k".to_vec(), value: b"v".to_vec() },
					Kind::Transfer => Action::Transfer { to: CHARLIE, amount: TRANSFER },
					Kind::Overdraft => Action::Transfer { to: CHARLIE, amount: 10 * ENDOWMENT },
					Kind::Call | Kind::Revert => Action::Call {
						contract: if matches!(kind, Kind::Call) { ECHO } else { REVERTS },
						input: b"in".to_vec(),
						value: 0,
						limits: Limits { weight: CALL_WEIGHT, deposit: 0 },
					},
				};
				let hold_arg = hold.then_some(Hold { amount: HOLD, beneficiary: BOB });
				let opened = self.on(from, || {
					ResourceManager::prepare(
						RuntimeOrigin::signed(ALICE),
						address(to),
						action,
						deadline,
						hold_arg,
					)
				});
				if opened.is_ok() {
					self.opened.entry(from).or_default().push(Opened {
						target: to,
						kind,
						deadline,
						hold,
					});
				}
				self.collect();
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
			Step::Claim { network, pick, forged } => self.claim(network, pick, forged),
			Step::Seal { network, pick } => self.seal(network, pick),
			_ => {},
		}
	}

	fn claim(&mut self, coordinator: u8, pick: usize, forged: bool) {
		let Some(opened) = self.opened.get(&coordinator).filter(|o| !o.is_empty()) else {
			return;
		};
		let sequence = (pick % opened.len()) as u64;
		let target = opened[sequence as usize].target;
		let newest = HISTORY.with(|h| {
			*h.borrow()
				.iter()
				.rev()
				.find(|s| s.network == target && s.from == coordinator)
				.expect("every network finalized at genesis")
		});
		let proof = if forged {
			// Claims a later time and nothing delivered: a state the target never had.
			Snapshot { last_delivered_nonce: 0, timestamp: newest.timestamp + 1_000_000, ..newest }
		} else {
			newest
		};
		let before = self.on(coordinator, state_root);
		let result = self.on(coordinator, || {
			let message = Transactions::<Test>::get(sequence).expect("opened").message;
			pallet_event_router::Pallet::<Test>::claim_timeout(
				RuntimeOrigin::signed(CHARLIE),
				message,
				proof,
			)
		});
		if forged {
			assert!(result.is_err(), "a forged proof was accepted");
		}
		if result.is_err() {
			assert_eq!(self.on(coordinator, state_root), before);
		}
		self.collect();
	}

	fn seal(&mut self, target: u8, pick: usize) {
		let candidates: Vec<(u8, u64, Timeout)> = self
			.opened
			.iter()
			.flat_map(|(coordinator, opened)| {
				opened
					.iter()
					.enumerate()
					.filter(|(_, o)| o.target == target)
					.map(move |(sequence, o)| (*coordinator, sequence as u64, o.deadline))
			})
			.collect();
		if candidates.is_empty() {
			return;
		}
		let (coordinator, sequence, deadline) = candidates[pick % candidates.len()];
		let tx = TxId { coordinator: address(coordinator), sequence };
		let _ = self.on(target, || {
			ResourceManager::seal_timeout(RuntimeOrigin::signed(CHARLIE), tx, deadline)
		});
	}

	/// Checks what must hold at every moment.
	fn check_safety(&mut self) {
		for coordinator in 1..=NETWORKS {
			let opened = self.opened.get(&coordinator).cloned().unwrap_or_default();
			let mut open_holds = 0;
			let mut paid = 0;
			for (sequence, o) in opened.iter().enumerate() {
				let tx = TxId { coordinator: address(coordinator), sequence: sequence as u64 };
				let state = self
					.on(coordinator, || Transactions::<Test>::get(tx.sequence))
					.expect("every opened transaction is recorded")
					.state;
				let receipt = self.on(o.target, || ResourceManager::receipt_of(tx));
				if let Some(receipt) = &receipt {
					assert!(
						!matches!(state, TxState::Aborted(_)),
						"{tx:?} applied on its target but aborted on its coordinator"
					);
					assert!(
						receipt.timestamp <= o.deadline.timestamp.unwrap(),
						"{tx:?} applied after its deadline"
					);
					assert!(!matches!(o.kind, Kind::Revert | Kind::Overdraft));
				}
				match state {
					TxState::Prepared if o.hold => open_holds += HOLD,
					TxState::Committed { receipt: digest } => {
						let receipt = receipt.expect("committed without a receipt on the target");
						assert_eq!(digest, receipt.digest());
						if o.hold {
							paid += HOLD;
						}
					},
					_ => {},
				}
			}
			let (held, bob) = self.on(coordinator, || {
				(
					Balances::balance_on_hold(&HoldReason::Transaction.into(), &ALICE),
					Balances::balance(&BOB),
				)
			});
			assert_eq!(held, open_holds, "holds on network {coordinator} drifted");
			assert_eq!(bob, ENDOWMENT + paid, "payouts on network {coordinator} drifted");
		}
		// Transfers applied exactly once each.
		for target in 1..=NETWORKS {
			let applied_transfers = self
				.opened
				.iter()
				.flat_map(|(c, opened)| {
					opened.iter().enumerate().map(move |(s, o)| (*c, s as u64, o.clone()))
				})
				.filter(|(_, _, o)| o.target == target && matches!(o.kind, Kind::Transfer))
				.filter(|(c, s, _)| {
					let tx = TxId { coordinator: address(*c), sequence: *s };
					self.nets[target as usize - 1]
						.execute_with(|| ResourceManager::receipt_of(tx).is_some())
				})
				.count() as Balance;
			let charlie = self.on(target, || Balances::balance(&CHARLIE));
			assert_eq!(charlie, ENDOWMENT + applied_transfers * TRANSFER);
		}
	}

	/// Every network's clock passes every deadline, the relayer restarts and drains the lanes.
	fn settle_everything(&mut self) {
		for n in 1..=NETWORKS {
			self.on(n, || next_block(100_000, NETWORKS));
		}
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
		for coordinator in 1..=NETWORKS {
			assert!(
				self.on(coordinator, ResourceManager::in_doubt).is_empty(),
				"network {coordinator} still has transactions in doubt"
			);
			let opened = self.opened.get(&coordinator).cloned().unwrap_or_default();
			for (sequence, o) in opened.iter().enumerate() {
				let tx = TxId { coordinator: address(coordinator), sequence: sequence as u64 };
				let state =
					self.on(coordinator, || Transactions::<Test>::get(tx.sequence)).unwrap().state;
				let applied = self.on(o.target, || ResourceManager::receipt_of(tx)).is_some();
				assert_eq!(
					matches!(state, TxState::Committed { .. }),
					applied,
					"{tx:?}: committed on the coordinator exactly when applied on the target"
				);
			}
		}
	}
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

	#[test]
	fn transactions_are_atomic_under_a_hostile_relayer(
		steps in proptest::collection::vec(step(), 1..60)
	) {
		let mut world = World::new();
		for step in steps {
			world.apply(step);
			world.check_safety();
		}
		world.settle_everything();
		world.check_safety();
		world.check_liveness();
	}
}

/// The harness is not vacuous: a fixed schedule reaches a commit, a no vote, a proven timeout
/// and a late arrival, and the checks hold throughout.
#[test]
fn a_fixed_schedule_reaches_every_outcome() {
	let mut world = World::new();
	let steps = [
		Step::Prepare { from: 1, to: 2, kind: Kind::Record, deadline_in: 20_000, hold: true },
		Step::Prepare { from: 1, to: 3, kind: Kind::Revert, deadline_in: 20_000, hold: true },
		Step::Prepare { from: 2, to: 3, kind: Kind::Transfer, deadline_in: 3_000, hold: true },
		Step::Deliver { pick: 0 },
		Step::Deliver { pick: 0 },
		Step::Duplicate { pick: 0 },
		// Network 3 passes the third transaction's deadline before it arrives.
		Step::Tick { network: 3, ms: 5_000 },
		Step::Claim { network: 2, pick: 0, forged: true },
		Step::Claim { network: 2, pick: 0, forged: false },
	];
	for step in steps {
		world.apply(step);
		world.check_safety();
	}
	world.settle_everything();
	world.check_safety();
	world.check_liveness();
	let state = |world: &mut World, n: u8, s: u64| {
		world.on(n, || Transactions::<Test>::get(s)).unwrap().state
	};
	assert!(matches!(state(&mut world, 1, 0), TxState::Committed { .. }));
	assert_eq!(
		state(&mut world, 1, 1),
		TxState::Aborted(AbortReason::Refused(pallet_event_router::Failure::Reverted))
	);
	assert_eq!(state(&mut world, 2, 0), TxState::Aborted(AbortReason::TimedOut));
}
