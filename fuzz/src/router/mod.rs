//! `router_receive`: four networks' event routers (the mock runtime of [`mock`]) bridged in one
//! of two shapes, driven by the input: sends, deliveries in lane order, delivery confirmations
//! naming a relayer, clocks moving apart (each new block sweeping what the router forgets),
//! closed lanes, timeout claims with honest proofs of a peer's sealed states, acknowledgement
//! retries, and, when the input names one, a hostile network that puts forged, replayed or
//! arbitrary packets on its lanes (what its governance or validators can do).
//!
//! Invariants, checked after every step and once more after all packets are delivered:
//! - nothing panics;
//! - a message settles at most once, on its origin, with `earned + refunded` equal to its fee,
//!   and a request executes at most once on a network (a copy arriving after its receipt was
//!   forgotten is answered `TimedOut`, unless it was first refused as `TimeoutTooFar`);
//! - on every network, fees held at send = fees still held (earned ones included, until paid) +
//!   paid to relayers + refunded; the total issuance never changes, and the relayer holds exactly
//!   what it was paid; a relayer is paid only for a message answered `Ok` or `Err`, once; no id
//!   is both in `Outbox` and in `Settled`;
//! - once every packet is delivered and confirmed, every earned fee has been paid;
//! - a `TimedOut` or `Unroutable` settlement comes from the message's destination or next hop;
//! - when the hostile network is not on a message's path: a message settled `TimedOut` or
//!   `Unroutable` never ran on its destination, and one settled by its destination's answer
//!   settled with the outcome the destination decided;
//! - `receive` never uses more weight than `packet_weight` reserved for the packet.

pub mod mock;

use arbitrary::{Result, Unstructured};
use codec::{Decode, Encode};
use frame_support::{
	traits::fungible::{Inspect, InspectHold},
	weights::Weight,
};
use mock::*;
use pallet_event_router::{
	location_of, Acknowledgement, Envelope, Event, Failure, HoldReason, MessageId, NetworkAddress,
	Outbox, Outcome, Packet, Service, Settled, Timeout,
};
use sp_runtime::traits::Dispatchable;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

const NETWORKS: usize = 4;
const ADDRESSES: [NetworkAddress; NETWORKS] = [[0xaa; 32], [0xbb; 32], [0xcc; 32], [0xdd; 32]];
/// Steps per input; deliveries after the last step are bounded by `FINAL_DELIVERIES`.
const MAX_STEPS: usize = 64;
const FINAL_DELIVERIES: usize = 256;
const START_MS: u64 = 1_000_000;

/// A shape of the mesh: bridges `(a, b, lane)` (a bridge uses the same lane number on both
/// ends) and next hops `(at, destination, via)`, symmetric as `launch` sets them.
struct Shape {
	bridges: &'static [(usize, usize, u8)],
	hops: &'static [(usize, usize, usize)],
}

static SHAPES: [Shape; 2] = [
	// A – B – C – D
	Shape {
		bridges: &[(0, 1, 1), (1, 2, 2), (2, 3, 3)],
		hops: &[(0, 2, 1), (0, 3, 1), (1, 3, 2), (2, 0, 1), (3, 0, 2), (3, 1, 2)],
	},
	// A, B and C in a triangle, D hanging off C.
	Shape {
		bridges: &[(0, 1, 1), (1, 2, 2), (0, 2, 3), (2, 3, 1)],
		hops: &[(0, 3, 2), (1, 3, 2), (3, 0, 2), (3, 1, 2)],
	},
];

impl Shape {
	fn lane(&self, a: usize, b: usize) -> Option<u8> {
		self.bridges
			.iter()
			.find_map(|&(x, y, lane)| ((x, y) == (a, b) || (x, y) == (b, a)).then_some(lane))
	}

	/// The networks a packet from `from` to `to` passes, both ends included.
	fn path(&self, from: usize, to: usize) -> Vec<usize> {
		let mut path = vec![from];
		let mut at = from;
		while at != to && path.len() <= NETWORKS {
			at = if self.lane(at, to).is_some() {
				to
			} else {
				match self.hops.iter().find(|&&(x, d, _)| (x, d) == (at, to)) {
					Some(&(_, _, via)) => via,
					None => break,
				}
			};
			path.push(at);
		}
		path
	}
}

/// A network's state as a finalized header shows it: what a proof of non-delivery is made from.
#[derive(Clone)]
struct Sealed {
	/// Per lane: the last packet received from the peer on that lane.
	delivered: BTreeMap<u8, u64>,
	height: u32,
	timestamp: u64,
}

struct Net {
	ext: sp_io::TestExternalities,
	/// Lane → index of the peer at its other end.
	peers: BTreeMap<u8, usize>,
	delivered: BTreeMap<u8, u64>,
	height: u32,
	now: u64,
	sealed: Vec<Sealed>,
	// What the driver learnt from the network's events.
	fees_sent: Balance,
	paid: Balance,
	refunded: Balance,
}

/// A message some network sent, as the driver knows it.
struct Message {
	origin: usize,
	destination: usize,
	path: Vec<usize>,
	fee: Balance,
	settled: Option<Outcome>,
}

/// Packets on the lanes, per (sending network, lane), in lane order, with their lane nonce.
type Lanes = BTreeMap<(usize, u8), VecDeque<(u64, Vec<u8>)>>;

struct World {
	shape: &'static Shape,
	nets: Vec<Net>,
	/// Packets on the lanes, per (sending network, lane), in lane order, with their lane nonce.
	queues: Lanes,
	/// Lane nonces delivered but not yet confirmed to their sender, per (sending network, lane).
	unconfirmed: BTreeMap<(usize, u8), Vec<u64>>,
	/// Messages whose fee a relayer was paid.
	paid: BTreeSet<MessageId>,
	hostile: Option<usize>,
	/// Packets the hostile network received: what it can replay.
	seen: Vec<Vec<u8>>,
	messages: BTreeMap<MessageId, Message>,
	/// What each network decided for the requests addressed to it.
	executed: BTreeMap<(usize, MessageId), Outcome>,
}

/// The fuzz target: see the module's documentation.
pub fn router_receive(data: &[u8]) {
	let mut u = Unstructured::new(data);
	// Out of input is not an error here: the steps taken so far are checked all the same.
	let Ok(mut world) = World::new(&mut u) else { return };
	let mut steps = 0;
	while !u.is_empty() && steps < MAX_STEPS {
		steps += 1;
		if world.step(&mut u).is_err() {
			break;
		}
		world.check();
	}
	world.finish();
	world.check();
}

impl World {
	fn new(u: &mut Unstructured) -> Result<Self> {
		CLOSED.with(|closed| closed.borrow_mut().clear());
		drain_outbox();
		let shape = &SHAPES[u.int_in_range(0..=SHAPES.len() - 1)?];
		let hostile = match u.int_in_range(0..=NETWORKS)? {
			n if n < NETWORKS => Some(n),
			_ => None,
		};
		let genesis = genesis();
		let nets = (0..NETWORKS)
			.map(|i| {
				let mut ext = sp_io::TestExternalities::new(genesis.clone());
				let peers: BTreeMap<u8, usize> = shape
					.bridges
					.iter()
					.filter_map(|&(a, b, lane)| match i {
						_ if i == a => Some((lane, b)),
						_ if i == b => Some((lane, a)),
						_ => None,
					})
					.collect();
				ext.execute_with(|| {
					ThisNetwork::set(&ADDRESSES[i]);
					System::set_block_number(1);
					pallet_timestamp::Now::<Mock>::put(START_MS);
					for (&lane, &peer) in &peers {
						governance(pallet_event_router::Call::bind_peer {
							network: ADDRESSES[peer],
							lane,
						});
					}
					for &(_, destination, via) in shape.hops.iter().filter(|h| h.0 == i) {
						governance(pallet_event_router::Call::set_next_hop {
							destination: ADDRESSES[destination],
							next_hop: Some(ADDRESSES[via]),
						});
					}
					System::reset_events();
				});
				Net {
					ext,
					delivered: peers.keys().map(|&lane| (lane, 0)).collect(),
					peers,
					height: 1,
					now: START_MS,
					sealed: Vec::new(),
					fees_sent: 0,
					paid: 0,
					refunded: 0,
				}
			})
			.collect();
		Ok(Self {
			shape,
			nets,
			queues: BTreeMap::new(),
			unconfirmed: BTreeMap::new(),
			paid: BTreeSet::new(),
			hostile,
			seen: Vec::new(),
			messages: BTreeMap::new(),
			executed: BTreeMap::new(),
		})
	}

	fn step(&mut self, u: &mut Unstructured) -> Result<()> {
		match u.int_in_range(0..=10)? {
			0 | 1 => self.send(u),
			2 | 3 => {
				let (from, lane) = self.pick_queue(u)?;
				for _ in 0..u.int_in_range(1..=4)? {
					self.deliver(from, lane);
				}
				Ok(())
			},
			4 => self.tick(u),
			5 => self.claim_timeout(u),
			6 => self.retry_ack(u),
			7 => {
				let net = u.int_in_range(0..=NETWORKS - 1)?;
				let lane = u.int_in_range(1..=3)?;
				CLOSED.with(|closed| {
					let mut closed = closed.borrow_mut();
					if !closed.remove(&(ADDRESSES[net], lane)) {
						closed.insert((ADDRESSES[net], lane));
					}
				});
				Ok(())
			},
			8 => self.inject(u),
			9 => self.confirm(u),
			_ => {
				self.deliver_everything();
				Ok(())
			},
		}
	}

	fn send(&mut self, u: &mut Unstructured) -> Result<()> {
		let from = u.int_in_range(0..=NETWORKS - 1)?;
		let to = u.int_in_range(0..=NETWORKS - 1)?;
		let sender = if u.arbitrary()? { ALICE } else { BOB };
		let service = if u.ratio(7, 8)? { Service::Xcm } else { Service::Contract };
		let len = u.int_in_range(0..=8)?;
		let mut payload = u.bytes(len)?.to_vec();
		// Mostly the toy service's instructions; sometimes anything.
		if let Some(first) = payload.first_mut() {
			if u.ratio(3, 4)? {
				*first %= 3;
			}
		}
		let max_weight = Weight::from_parts(u.int_in_range(0..=2_000_000_000)?, 0);
		let now = self.nets[from].now;
		let timeout = Timeout {
			height: if u.arbitrary()? { Some(u.int_in_range(0..=40)?) } else { None },
			// Without a timestamp, or too far ahead, `send` refuses it.
			timestamp: if u.ratio(7, 8)? { Some(now + u.int_in_range(0..=700_000)?) } else { None },
		};
		let call = pallet_event_router::Call::send {
			destination: Some(Box::new(location_of(ADDRESSES[to]))),
			service,
			payload: payload.try_into().expect("shorter than MaxPayloadSize"),
			max_weight,
			timeout,
		};
		self.on(from, || {
			let _ = RuntimeCall::EventRouter(call).dispatch(RuntimeOrigin::signed(sender));
		});
		Ok(())
	}

	/// A non-empty lane if there is one, otherwise any lane.
	fn pick_queue(&self, u: &mut Unstructured) -> Result<(usize, u8)> {
		let busy: Vec<(usize, u8)> =
			self.queues.iter().filter(|(_, q)| !q.is_empty()).map(|(k, _)| *k).collect();
		if busy.is_empty() {
			let net = u.int_in_range(0..=NETWORKS - 1)?;
			let lanes: Vec<u8> = self.nets[net].peers.keys().copied().collect();
			return Ok((net, *u.choose(&lanes)?));
		}
		Ok(*u.choose(&busy)?)
	}

	/// Delivers the next packet on `lane` from `from`, as the bridge does: in order, once.
	fn deliver(&mut self, from: usize, lane: u8) -> bool {
		let Some((nonce, packet)) = self.queues.get_mut(&(from, lane)).and_then(|q| q.pop_front())
		else {
			return false;
		};
		self.unconfirmed.entry((from, lane)).or_default().push(nonce);
		let to = self.nets[from].peers[&lane];
		*self.nets[to].delivered.get_mut(&lane).expect("a lane of the bridge") += 1;
		if Some(to) == self.hostile {
			self.seen.push(packet.clone());
		}
		let decoded = Packet::<AccountId>::decode(&mut &packet[..]).ok();
		let settles_here = match &decoded {
			Some(Packet::Ack(ack)) if ack.id.origin == ADDRESSES[to] => Some(*ack),
			_ => None,
		};
		let was_settled =
			settles_here.and_then(|ack| self.messages.get(&ack.id)).map(|m| m.settled);
		let (declared, used, flight) = self.on(to, || {
			let flight = settles_here.and_then(|ack| Outbox::<Mock>::get(ack.id)).map(|s| s.flight);
			let declared = EventRouter::packet_weight(&packet);
			(declared, EventRouter::receive(lane, &packet), flight)
		});
		assert!(
			used.all_lte(declared),
			"receive used {used:?}, more than packet_weight reserved ({declared:?})"
		);
		// Whoever settled a message by this ack must have been entitled to give up on it.
		if let (Some(ack), Some(flight)) = (settles_here, flight) {
			let settled = self.messages.get(&ack.id).and_then(|m| m.settled);
			if was_settled == Some(None) && settled.is_some() && gives_up(&ack.outcome) {
				assert!(
					ack.responder == flight.destination || ack.responder == flight.next_hop,
					"{:?} settled {:?} by an ack from {:?}: neither its destination {:?} nor its \
					 next hop {:?}",
					ack.id,
					ack.outcome,
					ack.responder,
					flight.destination,
					flight.next_hop,
				);
			}
		}
		true
	}

	fn deliver_everything(&mut self) {
		for _ in 0..FINAL_DELIVERIES {
			let Some((&(from, lane), _)) = self.queues.iter().find(|(_, q)| !q.is_empty()) else {
				return;
			};
			self.deliver(from, lane);
		}
	}

	/// The peer at the other end of a lane confirms what it received, naming the relayer: the
	/// sender learns it through its bridge. Nonces are delivered in order, so they form a range.
	fn confirm(&mut self, u: &mut Unstructured) -> Result<()> {
		let pending: Vec<(usize, u8)> =
			self.unconfirmed.iter().filter(|(_, n)| !n.is_empty()).map(|(k, _)| *k).collect();
		if pending.is_empty() {
			return Ok(());
		}
		let (net, lane) = *u.choose(&pending)?;
		self.confirm_lane(net, lane);
		Ok(())
	}

	fn confirm_lane(&mut self, net: usize, lane: u8) {
		let nonces = self.unconfirmed.remove(&(net, lane)).unwrap_or_default();
		let (Some(&first), Some(&last)) = (nonces.first(), nonces.last()) else { return };
		self.on(net, || EventRouter::on_delivery_confirmed(lane, &RELAYER, first..=last));
	}

	/// The end of a run: everything delivered and confirmed, then every earned fee is paid.
	fn finish(&mut self) {
		self.deliver_everything();
		let lanes: Vec<(usize, u8)> = self.unconfirmed.keys().copied().collect();
		for (net, lane) in lanes {
			self.confirm_lane(net, lane);
		}
		if self.queues.values().any(|q| !q.is_empty()) {
			return;
		}
		for (id, message) in &self.messages {
			if message.settled.is_some_and(|outcome| !gives_up(&outcome)) {
				assert!(self.paid.contains(id), "{id:?} was answered and delivered, but not paid");
			}
		}
	}

	/// A new block on one network: its state so far is sealed (provable), its clock moves on.
	fn tick(&mut self, u: &mut Unstructured) -> Result<()> {
		let net = u.int_in_range(0..=NETWORKS - 1)?;
		let blocks = u.int_in_range(1..=4)?;
		let ms = u.int_in_range(1..=40_000)?;
		let n = &mut self.nets[net];
		n.sealed.push(Sealed {
			delivered: n.delivered.clone(),
			height: n.height,
			timestamp: n.now,
		});
		n.height += blocks;
		n.now += ms;
		let (height, now) = (n.height, n.now);
		self.on(net, || {
			use frame_support::traits::Hooks;
			System::set_block_number(height as u64);
			pallet_timestamp::Now::<Mock>::put(now);
			EventRouter::on_initialize(height as u64);
		});
		Ok(())
	}

	/// Someone claims a timeout with a proof of one of the next hop's sealed states (an honest
	/// proof), or with a forged one, which must be refused.
	fn claim_timeout(&mut self, u: &mut Unstructured) -> Result<()> {
		let net = u.int_in_range(0..=NETWORKS - 1)?;
		let id = self.pick_id(u)?;
		let authentic = u.ratio(7, 8)?;
		let flight = self.on(net, || {
			pallet_event_router::Outbox::<Mock>::get(id)
				.map(|sent| sent.flight)
				.or_else(|| pallet_event_router::Forwarded::<Mock>::get(id))
		});
		let proof = match flight {
			Some(flight) => {
				let Some(&hop) = self.nets[net].peers.get(&flight.lane) else { return Ok(()) };
				let sealed = &self.nets[hop].sealed;
				if sealed.is_empty() {
					return Ok(());
				}
				let state = &sealed[u.int_in_range(0..=sealed.len() - 1)?];
				MockProof {
					authentic,
					last_delivered_nonce: state.delivered[&flight.lane],
					height: state.height,
					timestamp: state.timestamp,
				}
			},
			None => MockProof { authentic, last_delivered_nonce: 0, height: 0, timestamp: 0 },
		};
		let call = pallet_event_router::Call::claim_timeout { id, proof };
		let result =
			self.on(net, || RuntimeCall::EventRouter(call).dispatch(RuntimeOrigin::signed(BOB)));
		assert!(authentic || result.is_err(), "a forged timeout proof was accepted for {id:?}");
		Ok(())
	}

	fn retry_ack(&mut self, u: &mut Unstructured) -> Result<()> {
		let net = u.int_in_range(0..=NETWORKS - 1)?;
		let id = self.pick_id(u)?;
		let call = pallet_event_router::Call::retry_ack { id };
		self.on(net, || {
			let _ = RuntimeCall::EventRouter(call).dispatch(RuntimeOrigin::signed(BOB));
		});
		Ok(())
	}

	/// The hostile network (if any) queues a packet of its making on one of its lanes, past its
	/// own router: arbitrary bytes, a forged acknowledgement or request, or a replay.
	fn inject(&mut self, u: &mut Unstructured) -> Result<()> {
		let Some(hostile) = self.hostile else { return Ok(()) };
		let lanes: Vec<u8> = self.nets[hostile].peers.keys().copied().collect();
		let lane = *u.choose(&lanes)?;
		let packet = match u.int_in_range(0..=3)? {
			0 => {
				let len = u.int_in_range(0..=96)?;
				u.bytes(len)?.to_vec()
			},
			1 => Packet::<AccountId>::Ack(Acknowledgement {
				id: self.pick_id(u)?,
				responder: self.pick_address(u)?,
				outcome: pick_outcome(u)?,
			})
			.encode(),
			2 => {
				let id =
					MessageId { origin: self.pick_address(u)?, sequence: u.int_in_range(0..=8)? };
				Packet::Request(Envelope {
					id,
					sender: ALICE,
					destination: self.pick_address(u)?,
					service: Service::Xcm,
					payload: vec![u.int_in_range(0..=3)?],
					max_weight: Weight::from_parts(u.int_in_range(0..=2_000_000)?, 0),
					timeout: Timeout {
						height: Some(u.int_in_range(0..=40)?),
						timestamp: Some(START_MS + u.int_in_range(0..=400_000)?),
					},
					sent_at: START_MS,
				})
				.encode()
			},
			_ => {
				if self.seen.is_empty() {
					return Ok(());
				}
				u.choose(&self.seen)?.clone()
			},
		};
		self.on(hostile, || {
			let _ = <MockTransport as pallet_event_router::Transport>::send(lane, packet);
		});
		Ok(())
	}

	/// A message id: mostly of a message sent so far, sometimes one never sent.
	fn pick_id(&self, u: &mut Unstructured) -> Result<MessageId> {
		let known: Vec<MessageId> = self.messages.keys().copied().collect();
		if !known.is_empty() && u.ratio(7, 8)? {
			return Ok(*u.choose(&known)?);
		}
		Ok(MessageId { origin: self.pick_address(u)?, sequence: u.int_in_range(0..=4)? })
	}

	fn pick_address(&self, u: &mut Unstructured) -> Result<NetworkAddress> {
		Ok(match u.int_in_range(0..=NETWORKS)? {
			n if n < NETWORKS => ADDRESSES[n],
			_ => [0xee; 32],
		})
	}

	/// Runs `f` on network `net`, then collects what it queued and what its events say.
	fn on<R>(&mut self, net: usize, f: impl FnOnce() -> R) -> R {
		let (result, events) = self.nets[net].ext.execute_with(|| {
			let result = f();
			let events: Vec<Event<Mock>> = System::events()
				.into_iter()
				.filter_map(|record| match record.event {
					RuntimeEvent::EventRouter(event) => Some(event),
					_ => None,
				})
				.collect();
			System::reset_events();
			(result, events)
		});
		for (lane, nonce, packet) in drain_outbox() {
			self.queues.entry((net, lane)).or_default().push_back((nonce, packet));
		}
		for event in events {
			self.learn(net, event);
		}
		result
	}

	fn learn(&mut self, net: usize, event: Event<Mock>) {
		match event {
			Event::Sent { id, fee, destination, .. } => {
				let destination =
					ADDRESSES.iter().position(|a| *a == destination).expect("a known network");
				self.nets[net].fees_sent += fee;
				let path = self.shape.path(net, destination);
				let message = Message { origin: net, destination, path, fee, settled: None };
				assert!(self.messages.insert(id, message).is_none(), "{id:?} was sent twice");
			},
			Event::Acknowledged { id, outcome, fee_earned, refunded } => {
				self.settle(net, id, outcome, fee_earned, refunded)
			},
			Event::RelayerPaid { id, relayer, amount } => {
				assert_eq!(relayer, RELAYER, "{id:?} paid to someone no confirmation named");
				let message = self.messages.get(&id).expect("only a message sent is paid for");
				assert_eq!(message.origin, net, "{id:?} paid for on another network");
				assert!(
					message.settled.is_some_and(|outcome| !gives_up(&outcome)),
					"{id:?} paid for, but settled {:?}",
					message.settled
				);
				assert_eq!(amount, message.fee, "{id:?}: the relayer is paid its whole fee");
				assert!(self.paid.insert(id), "{id:?} paid twice");
				self.nets[net].paid += amount;
			},
			Event::TimedOut { id, refunded } => {
				self.settle(net, id, Outcome::TimedOut, 0, refunded)
			},
			Event::Executed { id, outcome, .. } => match self.executed.get(&(net, id)) {
				// A copy (a replay) after the receipt was forgotten: past its deadline, never
				// executed; unless the first was refused for a deadline too far ahead of this
				// network's clock, whose receipt goes before the deadline (the router's
				// documented limit, for clocks a lifetime apart).
				Some(first) => assert!(
					outcome == Outcome::TimedOut || *first == Outcome::Err(Failure::TimeoutTooFar),
					"{id:?} decided twice on network {net}: {first:?}, then {outcome:?}"
				),
				None => {
					self.executed.insert((net, id), outcome);
				},
			},
			_ => {},
		}
	}

	fn settle(
		&mut self,
		net: usize,
		id: MessageId,
		outcome: Outcome,
		earned: Balance,
		refunded: Balance,
	) {
		let message = self.messages.get_mut(&id).expect("only a message sent is settled");
		assert_eq!(message.origin, net, "{id:?} settled on a network other than its origin");
		assert!(
			message.settled.is_none(),
			"{id:?} settled twice: {:?}, then {outcome:?}",
			message.settled
		);
		message.settled = Some(outcome);
		assert_eq!(earned + refunded, message.fee, "{id:?}: earned + refunded is not its fee");
		self.nets[net].refunded += refunded;
	}

	fn check(&mut self) {
		for net in 0..NETWORKS {
			let (sent, paid, refunded) = {
				let n = &self.nets[net];
				(n.fees_sent, n.paid, n.refunded)
			};
			self.on(net, || {
				let reason = RuntimeHoldReason::from(HoldReason::MessageFee);
				let held = Balances::balance_on_hold(&reason, &ALICE)
					+ Balances::balance_on_hold(&reason, &BOB);
				assert_eq!(sent, held + paid + refunded, "fees on network {net}");
				assert_eq!(Balances::balance(&RELAYER), paid, "the relayer's pay on {net}");
				assert_eq!(
					<Balances as Inspect<AccountId>>::total_issuance(),
					2 * ENDOWMENT,
					"issuance on {net}"
				);
				for (id, _) in Outbox::<Mock>::iter() {
					assert!(
						!Settled::<Mock>::contains_key(id),
						"{id:?} both in flight and settled"
					);
				}
			});
		}
		for (id, message) in &self.messages {
			if self.hostile.is_some_and(|h| message.path.contains(&h)) {
				continue;
			}
			let ran = self.executed.get(&(message.destination, *id));
			match message.settled {
				Some(outcome) if gives_up(&outcome) => assert!(
					matches!(ran, None | Some(Outcome::TimedOut)),
					"{id:?} settled {outcome:?} on its origin, but its destination decided {ran:?}"
				),
				Some(outcome) => assert_eq!(
					ran,
					Some(&outcome),
					"{id:?} settled by its destination's answer, which the destination never gave"
				),
				None => {},
			}
		}
	}
}

/// Whether an outcome says the request went no further than its responder.
fn gives_up(outcome: &Outcome) -> bool {
	matches!(outcome, Outcome::TimedOut | Outcome::Err(Failure::Unroutable))
}

fn pick_outcome(u: &mut Unstructured) -> Result<Outcome> {
	Ok(match u.int_in_range(0..=3)? {
		0 => Outcome::TimedOut,
		1 => Outcome::Err(Failure::Unroutable),
		2 => Outcome::Err(Failure::MalformedPayload),
		_ => Outcome::Ok(u.arbitrary()?),
	})
}

fn governance(call: pallet_event_router::Call<Mock>) {
	RuntimeCall::EventRouter(call)
		.dispatch(RuntimeOrigin::root())
		.expect("the mesh's governance calls succeed");
}
