//! # The Plexus relayer
//!
//! Carries one bridge (two networks joined in one peer slot, docs/bridges.md) in both
//! directions. For each direction *source → target*, every round:
//!
//! 1. **Finality.** If the source has finalized past the newest source header the target's
//!    light client knows, ask the source for a GRANDPA finality proof of the next block
//!    (`grandpa_proveFinality` returns the last block of an older authority set first, so
//!    set-change headers go in order) and submit it to the target.
//! 2. **Messages.** If the source's outbound lane (as of that known header) has messages the
//!    target's inbound lane has not received, prove them with a storage proof at that header
//!    and submit them to the target, declaring the dispatch weight the target will reserve.
//! 3. **Confirmations.** If the target has received messages the source has not seen confirmed,
//!    prove the target's inbound lane at a target header the source knows and submit it to the
//!    source.
//!
//! The relayer keeps no state: every round starts from what the two chains say, so it can be
//! stopped and restarted at any point, and two relayers on one bridge only waste fees (the
//! chains refuse what is obsolete).

pub mod client;
pub mod init;
pub mod metrics;
pub mod slot;

use bp_messages::{InboundLaneData, MessageNonce, OutboundLaneData, UnrewardedRelayersState};
use bp_runtime::HeaderId;
use client::{Client, Error};
use codec::Decode;
use frame_support::weights::Weight;
use plexus_runtime::{AccountId, BlockNumber, Hash, Nonce};
use slot::{Justification, Slot};
use sp_core::{sr25519, Pair};
use std::{
	sync::{Arc, Mutex},
	time::Duration,
};

/// Most messages proven in one delivery transaction.
pub const MAX_MESSAGES_PER_DELIVERY: MessageNonce = 256;

/// One side of a bridge, and the newest GRANDPA justification it has announced.
pub struct End {
	pub name: String,
	pub client: Client,
	latest_justification: Arc<Mutex<Option<Justification>>>,
}

impl End {
	/// Connects to `url` and follows its GRANDPA justifications. They are not kept on chain for
	/// every block and `grandpa_proveFinality` needs an authority set change to have happened, so
	/// the newest one announced is what a finality proof is made of; after a restart the next
	/// one comes within a block or two.
	pub async fn connect(name: &str, url: &str) -> Result<Self, Error> {
		let client = Client::connect(url).await?;
		let latest_justification = Arc::new(Mutex::new(None));
		let mut subscription = client.subscribe_justifications().await?;
		let latest = latest_justification.clone();
		let source = name.to_string();
		tokio::spawn(async move {
			while let Some(item) = subscription.next().await {
				let decoded = item.map_err(|e| e.to_string()).and_then(|hex| {
					let bytes =
						hex::decode(hex.trim_start_matches("0x")).map_err(|e| e.to_string())?;
					Justification::decode(&mut &bytes[..]).map_err(|e| e.to_string())
				});
				match decoded {
					Ok(justification) => {
						*latest.lock().expect("never poisoned") = Some(justification)
					},
					Err(e) => log::warn!(target: "relay", "{source}: bad justification: {e}"),
				}
			}
		});
		Ok(Self { name: name.to_string(), client, latest_justification })
	}

	fn latest_justification(&self) -> Option<Justification> {
		self.latest_justification.lock().expect("never poisoned").clone()
	}
}

/// One direction of a bridge, and what its last round did.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundReport {
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

	async fn target_set_id(&self, target: &End) -> Result<u64, Error> {
		// `StoredAuthoritySet { authorities: BoundedVec<(AuthorityId, weight)>, set_id }`.
		let set: Option<(Vec<(sp_consensus_grandpa::AuthorityId, u64)>, u64)> =
			target.client.storage(&self.slot.authority_set_key(), None).await?;
		Ok(set.map(|(_, id)| id).unwrap_or_default())
	}

	/// Step 1. Returns how many headers were submitted, the remaining lag, and the newest source
	/// header the target will know once the submission lands (`None`: not initialised).
	async fn relay_finality(
		&self,
		source: &End,
		target: &End,
		nonce: &mut Nonce,
	) -> Result<(u64, u32, Option<HeaderId<Hash, BlockNumber>>), Error> {
		let Some(known) = self.slot.known_header(target).await? else {
			return Ok((0, 0, None));
		};
		let finalized = source.client.finalized_head().await?;
		let lag = finalized.number.saturating_sub(known.0);
		let newer = source
			.latest_justification()
			.filter(|justification| justification.commit.target_number > known.0);
		let Some(justification) = newer else {
			return Ok((0, lag, Some(known)));
		};
		let header = source.client.header(justification.commit.target_hash).await?;
		let set_id = self.target_set_id(target).await?;
		let id = HeaderId(header.number, justification.commit.target_hash);
		let call = self.slot.submit_finality_proof(header, justification, set_id);
		target.client.submit_with_nonce(call, &self.signer, *nonce).await?;
		*nonce += 1;
		log::info!(
			target: "relay",
			"{} -> {}: submitted finality of #{} (target knew #{})",
			source.name, target.name, id.0, known.0
		);
		Ok((1, lag, Some(id)))
	}

	/// Step 2. Messages proven at `at`, a header the target knows or will know from a
	/// submission ahead of this one in the same block. Returns the nonces submitted.
	async fn relay_messages(
		&self,
		source: &End,
		target: &End,
		at: HeaderId<Hash, BlockNumber>,
		nonce: &mut Nonce,
	) -> Result<Option<(MessageNonce, MessageNonce)>, Error> {
		let outbound: Option<OutboundLaneData> =
			source.client.storage(&self.slot.outbound_lane_key(), Some(at.1)).await?;
		let Some(outbound) = outbound else { return Ok(None) };
		let inbound: Option<InboundLaneData<AccountId>> =
			target.client.storage(&self.slot.inbound_lane_key(), None).await?;
		let delivered = inbound.map(|lane| lane.last_delivered_nonce()).unwrap_or(0);
		if outbound.latest_generated_nonce <= delivered {
			return Ok(None);
		}
		let first = delivered + 1;
		let last = outbound.latest_generated_nonce.min(delivered + MAX_MESSAGES_PER_DELIVERY);
		let mut keys = Vec::new();
		let mut dispatch_weight = Weight::zero();
		for message in first..=last {
			let key = self.slot.message_key(message);
			// Stored as the SCALE encoding of the packet bytes.
			let stored: Option<Vec<u8>> = source.client.storage(&key, Some(at.1)).await?;
			let packet =
				stored.and_then(|payload| Vec::<u8>::decode(&mut &payload[..]).ok()).ok_or_else(
					|| format!("{}: message {message} is missing or malformed", source.name),
				)?;
			dispatch_weight =
				dispatch_weight.saturating_add(plexus_runtime::EventRouter::packet_weight(&packet));
			keys.push(key);
		}
		keys.push(self.slot.outbound_lane_key());
		let proof = source.client.read_proof(&keys, at.1).await?;
		let call =
			self.slot.receive_messages(self.account(), at.1, proof, (first, last), dispatch_weight);
		target.client.submit_with_nonce(call, &self.signer, *nonce).await?;
		*nonce += 1;
		log::info!(
			target: "relay",
			"{} -> {}: submitted messages {first}..={last} proven at #{}",
			source.name, target.name, at.0
		);
		Ok(Some((first, last)))
	}

	/// Step 3. Returns how many messages the submitted confirmation covers.
	async fn relay_confirmations(&self, source: &End, target: &End) -> Result<u64, Error> {
		// The source must know a target header at which the target had received them.
		let Some(known) = self.slot.known_header(source).await? else { return Ok(0) };
		let outbound: Option<OutboundLaneData> =
			source.client.storage(&self.slot.outbound_lane_key(), None).await?;
		let Some(outbound) = outbound else { return Ok(0) };
		let inbound: Option<InboundLaneData<AccountId>> =
			target.client.storage(&self.slot.inbound_lane_key(), Some(known.1)).await?;
		let Some(inbound) = inbound else { return Ok(0) };
		let delivered = inbound.last_delivered_nonce();
		if delivered <= outbound.latest_received_nonce {
			return Ok(0);
		}
		let proof = target.client.read_proof(&[self.slot.inbound_lane_key()], known.1).await?;
		let state = UnrewardedRelayersState::from(&inbound);
		let call = self.slot.receive_confirmations(known.1, proof, state);
		source.client.submit(call, &self.signer).await?;
		log::info!(
			target: "relay",
			"{} -> {}: confirmed delivery up to {delivered}",
			source.name, target.name
		);
		self.settle(|| async {
			let outbound: Option<OutboundLaneData> =
				source.client.storage(&self.slot.outbound_lane_key(), None).await?;
			Ok(outbound.is_some_and(|lane| lane.latest_received_nonce >= delivered))
		})
		.await;
		Ok(delivered - outbound.latest_received_nonce)
	}

	/// Waits (bounded: about 20 s) for a submitted transaction to show in the chain's state.
	async fn settle<F, Fut>(&self, check: F)
	where
		F: FnMut() -> Fut,
		Fut: std::future::Future<Output = Result<bool, Error>>,
	{
		if let Err(e) = wait_until(40, Duration::from_millis(500), check).await {
			log::warn!(target: "relay", "a submitted transaction has not landed yet: {e}");
		}
	}

	/// One round in one direction. A finality proof and the messages proven at its header go
	/// in one block (consecutive nonces); the round then waits for them to land rather than
	/// submit them again.
	pub async fn round(&self, source: &End, target: &End) -> Result<RoundReport, Error> {
		let mut nonce = target.client.next_nonce(&self.account()).await?;
		let (headers, header_lag, known) = self.relay_finality(source, target, &mut nonce).await?;
		let delivered = match known {
			Some(at) => self.relay_messages(source, target, at, &mut nonce).await?,
			None => None,
		};
		if headers > 0 || delivered.is_some() {
			let header = known.filter(|_| headers > 0).map(|id| id.0);
			self.settle(|| async {
				let header_in = match header {
					Some(number) => {
						self.slot.known_header(target).await?.is_some_and(|known| known.0 >= number)
					},
					None => true,
				};
				let messages_in = match delivered {
					Some((_, last)) => {
						let inbound: Option<InboundLaneData<AccountId>> =
							target.client.storage(&self.slot.inbound_lane_key(), None).await?;
						inbound.is_some_and(|lane| lane.last_delivered_nonce() >= last)
					},
					None => true,
				};
				Ok(header_in && messages_in)
			})
			.await;
		}
		let messages = delivered.map(|(first, last)| last - first + 1).unwrap_or(0);
		let confirmations = self.relay_confirmations(source, target).await?;
		let report = RoundReport { headers, messages, confirmations, header_lag };
		if let Some(metrics) = &self.metrics {
			metrics.record(&source.name, &target.name, &report);
		}
		Ok(report)
	}

	/// Relays both directions until a connection drops (then returns why: restart it). A failed
	/// round is logged and retried after `interval`; nothing is lost because nothing is kept.
	pub async fn run(&self, a: &End, b: &End, interval: Duration) -> Error {
		loop {
			for end in [a, b] {
				if !end.client.is_connected() {
					return format!("lost the connection to {} ({})", end.name, end.client.url);
				}
			}
			for (source, target) in [(a, b), (b, a)] {
				if let Err(e) = self.round(source, target).await {
					log::warn!(target: "relay", "{} -> {}: {e}", source.name, target.name);
				}
			}
			tokio::time::sleep(interval).await;
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

/// A development key from a secret URI such as `//Alice`.
pub fn signer(suri: &str) -> Result<sr25519::Pair, Error> {
	sr25519::Pair::from_string(suri, None).map_err(|e| format!("bad signer {suri:?}: {e:?}"))
}
