//! # The Plexus relayer
//!
//! Carries one bridge (two networks joined in one peer slot, docs/bridges.md) in both
//! directions. A round *towards* a target submits only to that target, so the two directions
//! run side by side with nonces of their own; every round, towards target T from source S:
//!
//! 0. **Set changes** ([`finality`]). While T's light client holds an older GRANDPA authority
//!    set of S than S's finalized head has, it can verify nothing newer: prove the header that
//!    enacts S's next set change (`grandpa_proveFinality`), submit it, wait (bounded) until T's
//!    light client holds the next set, and repeat, one mandatory header at a time, in order.
//! 1. **Finality.** If S announced a GRANDPA justification (`grandpa_subscribeJustifications`)
//!    of a header newer than the newest S header T's light client knows, signed by the set the
//!    light client holds, and that header carries messages or confirmations for T (or T's light
//!    client is [`HEADER_REFRESH_BLOCKS`] behind), submit it to T. A justification by another
//!    set is never submitted (it would fail, fee paid), nor one that does not verify locally.
//!    Messages and confirmations below are proven at that header (or at the one T knows).
//! 2. **Messages.** If S's outbound lane has messages T's inbound lane has not received, read
//!    them (one `state_queryStorageAt`), prove as many as fit a delivery transaction (by count,
//!    dispatch weight and size) and submit them to T, declaring the weight T will reserve.
//! 3. **Confirmations.** If S's inbound lane has received messages of T that T has not seen
//!    confirmed, prove S's inbound lane and submit it to T.
//!
//! Steps 1 to 3 go into one block of T with consecutive nonces; the round then waits (bounded)
//! until T's state shows them, rather than submit them again. A new justification from either
//! network starts the next round at once; otherwise rounds are `interval` apart.
//!
//! The relayer keeps no state: every round starts from what the two chains say, so it can be
//! stopped and restarted at any point. Two relayers on one bridge are harmless: T refuses a
//! transaction that would not continue a lane where it stands (`RejectObsoleteBridgeCalls`),
//! before it costs a fee.

pub mod finality;
pub mod init;
pub mod metrics;
pub mod secret;
pub mod slot;

use bp_messages::{InboundLaneData, MessageNonce, OutboundLaneData};
use bp_runtime::HeaderId;
use codec::Decode;
use finality::Announced;
use frame_support::weights::Weight;
use plexus_client::{wait_until, Client, Error};
use plexus_runtime::{AccountId, BlockNumber, EventRouter, Hash, Nonce};
use slot::{Justification, Slot};
use sp_core::storage::StorageKey;
use sp_core::{sr25519, Pair};
use std::{
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

/// The relayer's exit status when a network runs a runtime it cannot make transactions for
/// (`EX_CONFIG` of sysexits.h): restarting the same relayer would not help.
pub const EXIT_CANNOT_SERVE: i32 = 78;

/// Most messages proven in one delivery transaction.
pub const MAX_MESSAGES_PER_DELIVERY: MessageNonce = 1024;

/// The share of a block's normal-class budget (weight and length) that one delivery's messages
/// may take: the rest covers the proof, the header that comes with it, and other transactions.
const DELIVERY_SHARE_PERCENT: u64 = 50;

/// A new source header with nothing to carry is still relayed when the target's light client is
/// this many blocks behind.
pub const HEADER_REFRESH_BLOCKS: u32 = 8;

/// A justification subscription silent for this long is made again. A node drops the
/// subscription of a client that falls behind without a word (sc-rpc's `pipe_from_stream`), and
/// the connection stays up; GRANDPA finalizes at least once a block (60 s at most) on a live
/// network, so three minutes of silence mean the subscription is dead or finality stalled (and
/// then resubscribing costs one call every three minutes).
pub const JUSTIFICATION_SILENCE: Duration = Duration::from_secs(180);

/// What the task that follows an end's justifications shares with the relayer.
struct Following {
	latest: Option<Justification>,
	/// Counts subscriptions made, so that the task of a replaced one changes nothing.
	subscription: u64,
	/// When the current subscription was made or last delivered something.
	heard: Instant,
	/// False once the current subscription has ended.
	open: bool,
}

/// One side of a bridge, and the newest GRANDPA justification it has announced.
pub struct End {
	pub name: String,
	pub client: Client,
	following: Arc<Mutex<Following>>,
	/// The task that follows the current subscription.
	task: Mutex<Option<tokio::task::AbortHandle>>,
	/// Woken at each new justification, so that a round starts as soon as there is news.
	news: Arc<tokio::sync::Notify>,
	/// The runtime's spec_version when last looked at (0: not yet), to say when it is upgraded.
	spec_version: std::sync::atomic::AtomicU32,
}

impl End {
	/// Whether this relayer can still make transactions for the network's runtime
	/// ([`plexus_client::author::servable`]); says so in the log when it was upgraded. The error,
	/// which begins with [`plexus_client::author::CANNOT_SERVE`], is final: relaying on would
	/// only pay for failing transactions.
	pub async fn check_runtime(&self) -> Result<(), Error> {
		use std::sync::atomic::Ordering;
		// A failed read is a passing failure, which the round reports.
		let Ok(version) = self.client.runtime_version(None).await else { return Ok(()) };
		plexus_client::author::servable(&version).map_err(|e| format!("{}: {e}", self.name))?;
		let before = self.spec_version.swap(version.spec_version, Ordering::Relaxed);
		if before != 0 && before != version.spec_version {
			log::info!(
				target: "relay",
				"{}: runtime upgraded from spec_version {before} to {}; same transaction format, \
				 relaying on",
				self.name,
				version.spec_version
			);
		}
		Ok(())
	}

	/// Connects to `url` and follows its GRANDPA justifications. They are not kept on chain for
	/// every block and `grandpa_proveFinality` needs an authority set change to have happened, so
	/// the newest one announced is what a finality proof is made of; after a restart the next
	/// one comes within a block or two.
	pub async fn connect(name: &str, url: &str) -> Result<Self, Error> {
		let client = Client::connect(url).await?;
		let following =
			Following { latest: None, subscription: 0, heard: Instant::now(), open: false };
		let end = Self {
			name: name.to_string(),
			client,
			following: Arc::new(Mutex::new(following)),
			task: Mutex::new(None),
			news: Arc::new(tokio::sync::Notify::new()),
			spec_version: Default::default(),
		};
		end.follow().await?;
		Ok(end)
	}

	/// Subscribes to the end's justifications, in place of an earlier subscription.
	async fn follow(&self) -> Result<(), Error> {
		let mut subscription = self.client.subscribe_justifications().await?;
		let this = {
			let mut following = self.following.lock().expect("never poisoned");
			following.subscription += 1;
			following.heard = Instant::now();
			following.open = true;
			following.subscription
		};
		let (following, wake, source) =
			(self.following.clone(), self.news.clone(), self.name.clone());
		let task = tokio::spawn(async move {
			while let Some(item) = subscription.next().await {
				let decoded = item.map_err(|e| e.to_string()).and_then(|hex| {
					let bytes =
						hex::decode(hex.trim_start_matches("0x")).map_err(|e| e.to_string())?;
					Justification::decode(&mut &bytes[..]).map_err(|e| e.to_string())
				});
				let mut following = following.lock().expect("never poisoned");
				if following.subscription != this {
					return;
				}
				following.heard = Instant::now();
				match decoded {
					Ok(justification) => {
						following.latest = Some(justification);
						wake.notify_one();
					},
					Err(e) => log::warn!(target: "relay", "{source}: bad justification: {e}"),
				}
			}
			// Noticed at the next round; not woken at once, so that a node ending every
			// subscription straight away costs a subscription per round, not a busy loop.
			let mut following = following.lock().expect("never poisoned");
			if following.subscription == this {
				following.open = false;
			}
		});
		if let Some(old) = self.task.lock().expect("never poisoned").replace(task.abort_handle()) {
			old.abort();
		}
		Ok(())
	}

	/// Subscribes again if the subscription has ended, or has said nothing for `silence`, while
	/// the connection stayed up; returns why it did. The newest justification is kept.
	pub async fn keep_following(&self, silence: Duration) -> Result<Option<String>, Error> {
		let why = {
			let following = self.following.lock().expect("never poisoned");
			if !following.open {
				Some("the justification subscription ended".to_string())
			} else if following.heard.elapsed() >= silence {
				Some(format!("no justification for {} s", following.heard.elapsed().as_secs()))
			} else {
				None
			}
		};
		if why.is_some() {
			self.follow().await?;
		}
		Ok(why)
	}

	fn latest_justification(&self) -> Option<Justification> {
		self.following.lock().expect("never poisoned").latest.clone()
	}
}

impl Drop for End {
	fn drop(&mut self) {
		if let Some(task) = self.task.get_mut().expect("never poisoned").take() {
			task.abort();
		}
	}
}

/// A peer slot's two lanes, as one round towards a target sees them.
struct Lanes {
	/// The newest message the source has queued for the target.
	sent: MessageNonce,
	/// The newest of them the target has received.
	delivered: MessageNonce,
	/// The source's inbound lane: what it has received of the target's messages.
	received: Option<InboundLaneData<AccountId>>,
	/// The newest of the target's messages whose delivery the target has seen confirmed.
	confirmed: MessageNonce,
}

impl Lanes {
	fn messages_pending(&self) -> bool {
		self.sent > self.delivered
	}

	fn confirmations_pending(&self) -> bool {
		self.received.as_ref().is_some_and(|lane| lane.last_delivered_nonce() > self.confirmed)
	}

	fn has_work(&self) -> bool {
		self.messages_pending() || self.confirmations_pending()
	}
}

/// One direction of a bridge, and what its last round did.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundReport {
	/// Set-change (mandatory) headers imported in step 0.
	pub set_changes: u64,
	/// Finality proofs submitted in step 1.
	pub headers: u64,
	pub messages: u64,
	pub confirmations: u64,
	/// Source finalized number minus the number the target's light client knows.
	pub header_lag: u32,
}

pub struct Relayer {
	pub slot: Slot,
	pub signer: sr25519::Pair,
	pub metrics: Option<metrics::Metrics>,
}

impl Relayer {
	fn account(&self) -> AccountId {
		self.signer.public().into()
	}

	/// The slot's lanes as a round towards `target` sees them: the source's at source header
	/// `at`, the target's at its best block.
	async fn lanes(&self, source: &End, target: &End, at: Hash) -> Result<Lanes, Error> {
		let outbound: Option<OutboundLaneData> =
			source.client.storage(&self.slot.outbound_lane_key(), Some(at)).await?;
		let received = source.client.storage(&self.slot.inbound_lane_key(), Some(at)).await?;
		let (delivered, confirmed) = self.delivered_and_confirmed(target).await?;
		Ok(Lanes {
			sent: outbound.map(|lane| lane.latest_generated_nonce).unwrap_or(0),
			delivered,
			received,
			confirmed,
		})
	}

	/// The newest source message `target` has received, and the newest of its own messages it
	/// has seen confirmed.
	async fn delivered_and_confirmed(
		&self,
		target: &End,
	) -> Result<(MessageNonce, MessageNonce), Error> {
		let inbound: Option<InboundLaneData<AccountId>> =
			target.client.storage(&self.slot.inbound_lane_key(), None).await?;
		let outbound: Option<OutboundLaneData> =
			target.client.storage(&self.slot.outbound_lane_key(), None).await?;
		Ok((
			inbound.map(|lane| lane.last_delivered_nonce()).unwrap_or(0),
			outbound.map(|lane| lane.latest_received_nonce).unwrap_or(0),
		))
	}

	/// Step 1. Submits `announced` (a source header newer than the target knows, verified
	/// against the light client's set `set_id`) to the target; the header is known there once
	/// the submission lands.
	async fn relay_finality(
		&self,
		source: &End,
		target: &End,
		announced: Announced,
		set_id: u64,
		known: BlockNumber,
		nonce: &mut Nonce,
	) -> Result<(), Error> {
		let Announced { justification, header, .. } = announced;
		let number = header.number;
		let call = self.slot.submit_finality_proof(header, justification, set_id);
		target.client.submit_with_nonce(call, &self.signer, *nonce).await?;
		*nonce += 1;
		log::info!(
			target: "relay",
			"{} -> {}: submitted finality of #{number} (target knew #{known})",
			source.name, target.name
		);
		Ok(())
	}

	/// Step 2. The messages `lanes` shows undelivered, proven at `at`, a header the target knows
	/// or will know from a submission ahead of this one in the same block. Returns the nonces
	/// submitted.
	async fn relay_messages(
		&self,
		source: &End,
		target: &End,
		at: HeaderId<Hash, BlockNumber>,
		lanes: &Lanes,
		nonce: &mut Nonce,
	) -> Result<(MessageNonce, MessageNonce), Error> {
		let first = lanes.delivered + 1;
		let last = lanes.sent.min(lanes.delivered + MAX_MESSAGES_PER_DELIVERY);
		let keys: Vec<StorageKey> = (first..=last).map(|n| self.slot.message_key(n)).collect();
		let stored = source.client.storage_many(&keys, at.1).await?;

		let (weight_budget, size_budget) = delivery_budget();
		let mut dispatch_weight = Weight::zero();
		let mut size = 0usize;
		let mut proven = Vec::new();
		for (message, (key, value)) in (first..).zip(keys.into_iter().zip(stored)) {
			let packet = value.as_deref().and_then(slot::packet_of_stored).ok_or_else(|| {
				format!("{}: message {message} is missing or malformed", source.name)
			})?;
			let here = target.client.genesis().0;
			let weight = dispatch_weight.saturating_add(packet_weight(&packet, &here));
			// The first message always goes: the runtime caps a single packet well within both.
			if !proven.is_empty()
				&& (weight.any_gt(weight_budget) || size + packet.len() > size_budget)
			{
				break;
			}
			dispatch_weight = weight;
			size += packet.len();
			proven.push(key);
		}
		let last = first + proven.len() as MessageNonce - 1;
		proven.push(self.slot.outbound_lane_key());
		let proof = source.client.read_proof(&proven, at.1).await?;
		let call =
			self.slot.receive_messages(self.account(), at.1, proof, (first, last), dispatch_weight);
		target.client.submit_with_nonce(call, &self.signer, *nonce).await?;
		*nonce += 1;
		log::info!(
			target: "relay",
			"{} -> {}: submitted messages {first}..={last} proven at #{}",
			source.name, target.name, at.0
		);
		Ok((first, last))
	}

	/// Step 3. Confirms to the target the delivery of its own messages, proven by the source's
	/// inbound lane (`received`) at `at`. Returns the newest nonce confirmed.
	async fn relay_confirmations(
		&self,
		source: &End,
		target: &End,
		at: HeaderId<Hash, BlockNumber>,
		received: &InboundLaneData<AccountId>,
		nonce: &mut Nonce,
	) -> Result<MessageNonce, Error> {
		let delivered = received.last_delivered_nonce();
		let proof = source.client.read_proof(&[self.slot.inbound_lane_key()], at.1).await?;
		let call = self.slot.receive_confirmations(at.1, proof, received.into());
		target.client.submit_with_nonce(call, &self.signer, *nonce).await?;
		*nonce += 1;
		log::info!(
			target: "relay",
			"{} -> {}: confirmed delivery of {}'s messages up to {delivered}",
			source.name, target.name, target.name
		);
		Ok(delivered)
	}

	/// Waits (bounded: about 20 s) for submitted transactions to show in the chain's state.
	async fn settle<F, Fut>(&self, check: F)
	where
		F: FnMut() -> Fut,
		Fut: std::future::Future<Output = Result<bool, Error>>,
	{
		if let Err(e) = wait_until(80, Duration::from_millis(250), check).await {
			log::warn!(target: "relay", "a submitted transaction has not landed yet: {e}");
		}
	}

	/// One round towards `target`: the set changes of `source` the target's light client lacks,
	/// one at a time; then finality, messages and confirmations from `source`, in one block of
	/// the target (consecutive nonces); then it waits for them to land.
	pub async fn round(&self, source: &End, target: &End) -> Result<RoundReport, Error> {
		let Some(mut known) = self.slot.known_header(target).await? else {
			return Ok(RoundReport::default());
		};
		let finalized = source.client.finalized_head().await?;
		let mut report = RoundReport::default();
		let fresh =
			self.follow_set_changes(source, target, &finalized, &mut known, &mut report).await?;
		let header_lag = finalized.number.saturating_sub(known.0);
		report.header_lag = header_lag;
		let at = fresh.as_ref().map_or(known, |(announced, _)| {
			HeaderId(announced.header.number, announced.header.hash())
		});
		let lanes = self.lanes(source, target, at.1).await?;
		// A header goes only with something to carry, or to keep the light client fresh. Lanes
		// only grow, so when the newer header carries nothing, the known one carries nothing
		// either and the round is over.
		let justification =
			fresh.filter(|_| lanes.has_work() || header_lag >= HEADER_REFRESH_BLOCKS);
		if justification.is_some() || lanes.has_work() {
			let mut nonce = target.client.next_nonce(&self.account()).await?;
			if let Some((announced, set_id)) = justification {
				self.relay_finality(source, target, announced, set_id, known.0, &mut nonce).await?;
				report.headers = 1;
			}
			let mut delivered = None;
			if lanes.messages_pending() {
				let (first, last) =
					self.relay_messages(source, target, at, &lanes, &mut nonce).await?;
				report.messages = last - first + 1;
				delivered = Some(last);
			}
			let mut confirmed = None;
			if let Some(received) =
				lanes.received.as_ref().filter(|_| lanes.confirmations_pending())
			{
				let up_to =
					self.relay_confirmations(source, target, at, received, &mut nonce).await?;
				report.confirmations = up_to - lanes.confirmed;
				confirmed = Some(up_to);
			}
			let header = (report.headers > 0).then_some(at.0);
			self.settle(|| async {
				let header_in = match header {
					Some(number) => {
						self.slot.known_header(target).await?.is_some_and(|id| id.0 >= number)
					},
					None => true,
				};
				let (now_delivered, now_confirmed) = self.delivered_and_confirmed(target).await?;
				Ok(header_in
					&& delivered.is_none_or(|last| now_delivered >= last)
					&& confirmed.is_none_or(|up_to| now_confirmed >= up_to))
			})
			.await;
		}
		if let Some(metrics) = &self.metrics {
			metrics.record(&source.name, &target.name, &report);
		}
		Ok(report)
	}

	/// Relays both directions, side by side, until a connection drops (then returns why:
	/// restart it). A failed round is logged and retried after `interval`; nothing is lost
	/// because nothing is kept. A justification subscription that ends or falls silent is made
	/// again; if that fails, this returns why.
	pub async fn run(&self, a: &End, b: &End, interval: Duration) -> Error {
		loop {
			for end in [a, b] {
				if !end.client.is_connected() {
					return format!("lost the connection to {} ({})", end.name, end.client.url);
				}
				if let Err(e) = end.check_runtime().await {
					return e;
				}
				match end.keep_following(JUSTIFICATION_SILENCE).await {
					Ok(Some(why)) => {
						log::warn!(target: "relay", "{}: {why}; subscribed again", end.name)
					},
					Ok(None) => {},
					Err(e) => {
						return format!("{}: cannot follow its justifications: {e}", end.name)
					},
				}
			}
			let (to_b, to_a) = tokio::join!(self.round(a, b), self.round(b, a));
			for (result, source, target) in [(to_b, a, b), (to_a, b, a)] {
				if let Err(e) = result {
					log::warn!(target: "relay", "{} -> {}: {e}", source.name, target.name);
					if let Some(metrics) = &self.metrics {
						metrics.round_failed(&source.name, &target.name);
					}
				}
			}
			tokio::select! {
				_ = a.news.notified() => {},
				_ = b.news.notified() => {},
				_ = tokio::time::sleep(interval) => {},
			}
		}
	}
}

/// The weight `target` reserves for `packet`, which the delivery declares. Computed here, with no
/// chain state: the router's rule for the target network, named by its genesis hash.
fn packet_weight(packet: &[u8], target: &plexus_primitives::envelope::NetworkAddress) -> Weight {
	EventRouter::packet_weight_at(packet, target)
}

/// The weight a packet's own destination reserves for it: never less than what a network on its
/// way reserves. For callers that weigh a delivery without knowing its target (the in-process
/// test kit, the fuzz targets).
pub fn packet_weight_at_destination(packet: &[u8]) -> Weight {
	use codec::Decode;
	let destination = plexus_primitives::envelope::Packet::<AccountId>::decode(&mut &packet[..])
		.map(|packet| packet.final_destination())
		.unwrap_or_default();
	packet_weight(packet, &destination)
}

/// How much dispatch weight and how many packet bytes one delivery may carry: a share of the
/// target's largest normal transaction, as the bridge pallets see it (every network runs this
/// runtime, so every slot's peer has the same limits).
fn delivery_budget() -> (Weight, usize) {
	use bp_runtime::Chain;
	type Peer = plexus_runtime::bridges::SlotPeer<1>;
	(
		Peer::max_extrinsic_weight().saturating_mul(DELIVERY_SHARE_PERCENT) / 100,
		(u64::from(Peer::max_extrinsic_size()) * DELIVERY_SHARE_PERCENT / 100) as usize,
	)
}

#[cfg(test)]
mod delivery_weight_tests {
	use super::*;
	use codec::Encode;
	use plexus_primitives::envelope::{Envelope, MessageId, Packet, Service, Timeout};

	fn request_to(destination: [u8; 32], max_weight: Weight) -> Vec<u8> {
		Packet::Request(Envelope::<AccountId> {
			id: MessageId { origin: [1; 32], sequence: 7 },
			sender: AccountId::from([2; 32]),
			destination,
			service: Service::Xcm,
			payload: vec![0],
			max_weight,
			timeout: Timeout { height: None, timestamp: Some(1) },
			sent_at: 0,
		})
		.encode()
	}

	/// The relayer runs outside any chain's state: weighing a packet must read none (it did, and
	/// every delivery failed), and must follow the target's path for it.
	#[test]
	fn packets_are_weighed_for_the_target_without_chain_state() {
		let target = [3; 32];
		let asks = Weight::from_parts(5_000_000, 1_000);
		let executed_there = packet_weight(&request_to(target, asks), &target);
		let passed_on = packet_weight(&request_to([4; 32], asks), &target);
		assert!(executed_there.all_gte(asks), "{executed_there:?} reserves what the request asks");
		assert_eq!(passed_on, packet_weight(&request_to([4; 32], Weight::zero()), &target));
		assert_ne!(executed_there, passed_on);
	}
}
