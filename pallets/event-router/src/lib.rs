//! # Event router
//!
//! The application layer over the bridge lanes between Plexus networks: a request for a service
//! on another network goes out in an [`Envelope`], and always comes back settled, once, by an
//! [`Acknowledgement`] or by a proven timeout.
//!
//! ## The protocol
//!
//! 1. **Send.** A signed account calls [`Pallet::send`] with a destination network
//!    (`GlobalConsensus(ByGenesis(..))`, or none to use the network governance registered as the
//!    provider of the service), a [`Service`], a payload, the weight it may use there and a
//!    [`Timeout`], whose timestamp is required and at most `MaxRequestLifetime` ahead (so that
//!    every network can forget the request in bounded time, step 7). The router holds the
//!    message fee from the sender ([`Pallet::message_fee`]: a base fee, a fee per payload byte
//!    and `WeightToFee(max_weight)`, what the destination's relayer pays to dispatch it),
//!    numbers the message ([`MessageId`]: this network and a sequence number), and queues it on
//!    the lane of the next hop: the destination itself when a bridge joins them, otherwise the
//!    peer governance named as the next hop ([`route_table`]).
//! 2. **Carry.** The bridge pallets and the relayer move the packet: a relayer can delay it but
//!    cannot forge, reorder or duplicate it. When the next hop confirms delivery, the bridge
//!    names the relayer that delivered it ([`Pallet::on_delivery_confirmed`]).
//! 3. **Receive.** The runtime hands every delivered packet to [`Pallet::receive`] together with
//!    the lane it arrived on. The lane alone says which network the packet comes from; a packet
//!    claiming to be from another network is accepted only if this network routes that network
//!    through the lane's peer. Trailing bytes make a packet malformed. A request for a further
//!    network is forwarded unchanged (same id, origin and timeout), unless its timeout's
//!    timestamp has passed on this network: then it stops here and is answered `TimedOut`
//!    (heights count only on the destination). A request that cannot go on is answered
//!    `Unroutable`.
//! 4. **Execute.** At its destination a request whose timeout has no timestamp, or one more
//!    than twice `MaxRequestLifetime` ahead of this network's clock (its origin does not enforce
//!    the cap), is answered `Err(TimeoutTooFar)` and not executed. A request that is past its
//!    timeout (height or timestamp, on the destination) is not executed and is answered
//!    `TimedOut`. Otherwise the [`ServiceHandler`] executes it inside a storage transaction,
//!    within its weight limit: a failure rolls back every change it made and is answered
//!    `Err(reason)`; a success is answered `Ok(digest of the result)`.
//! 5. **Acknowledge.** The answer travels back to the origin the same way, hop by hop. If no
//!    route back exists the answer waits on the destination until [`Pallet::retry_ack`]. A
//!    network on the way passes an answer on only for a request it forwarded, and only from
//!    that request's destination (unchanged) or from the next hop it sent the request to, which
//!    may only answer `TimedOut` or `Unroutable` (passed on in this network's name, so that
//!    each hop vouches for the next). Any other answer is dropped. Acknowledgements and
//!    forwarded requests carry no fee: the relayers of the networks on the way are not paid.
//! 6. **Settle.** On the origin, the first acknowledgement from the destination, or a `TimedOut`
//!    or `Unroutable` from the next hop, settles the message: on `Ok` and `Err` (the message
//!    was carried and answered) the held fee is earned by the relayer that delivered the
//!    request to the next hop, and paid to it out of the hold as soon as the next hop's
//!    delivery confirmation names it (before or after the answer); `TimedOut` and `Unroutable`
//!    release it to the sender. An answer from any other network, even one the lane speaks
//!    for, is ignored: no network off the message's path can abort it. Anyone may instead
//!    settle it with [`Pallet::claim_timeout`] and a storage proof (at most
//!    [`MAX_TIMEOUT_PROOF_SIZE`] bytes) that the next hop had not received it at one of its
//!    headers past the timeout; the fee is released. That next hop then refuses to execute it,
//!    or to pass it on, should it still arrive: its clock is the one the proof was made against.
//!    So a request aborted at its origin is never executed on its destination, however far
//!    behind the clocks of the networks after the next hop are. A settled message is never
//!    settled again.
//! 7. **Forget.** What a network keeps about a message that nothing can ask for again goes, on
//!    this network's clock, a sweep at the start of each block forgetting at most
//!    `MaxSweepPerBlock` entries ([`plexus_primitives::retention`]); the deadline counted is the
//!    timeout's timestamp, never more than twice `MaxRequestLifetime` ahead of when it was seen:
//!    - a request's `Inbox` receipt, `Retention` after its deadline, once its acknowledgement
//!      has left (a stalled one stays until [`Pallet::retry_ack`] sends it). A copy arriving
//!      later is past its deadline: it is answered `TimedOut` and not executed, so duplicates
//!      need no receipt any more;
//!    - a `Settled` outcome, `Retention` after settlement: later answers are ignored with or
//!      without it;
//!    - a `Forwarded` request, `Retention` after its deadline. An acknowledgement arriving later
//!      is ignored: the origin then never hears it by this path, and its message stays
//!      awaiting an answer with its fee held; and a timeout must be claimed here within that
//!      window.
//!
//!    [`Pallet::message_status`] then answers `Unknown` for what was forgotten.
//!
//! Every step emits an event; [`Pallet::message_status`] (the `EventRouterApi` runtime API)
//! tells where a message stands on each network it touched.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod fees;
mod inbound;
mod location;
mod outbound;
mod pruning;
pub mod route_table;
mod settlement;
pub mod traits;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod tests;

pub use location::{location_of, network_of};
pub use pallet::*;
pub use plexus_primitives::envelope::{
	Acknowledgement, Envelope, Failure, MessageId, MessageStatus, NetworkAddress, Outcome, Packet,
	Service, Timeout,
};
pub use plexus_primitives::service::{OnSettled, RemoteOrigin, RequestSender, ServiceHandler};
pub use route_table::{Route, RouteError, RouteTable, StorageRoutes};
pub use traits::{DeliveryProver, Transport};
pub use weights::WeightInfo;

use alloc::boxed::Box;
use codec::{Decode, Encode};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		UnixTime,
	},
	weights::WeightToFee,
};
use frame_system::pallet_prelude::*;
use sp_runtime::traits::UniqueSaturatedInto;
use xcm::VersionedLocation;

/// The most bytes a proof given to [`Pallet::claim_timeout`] may encode to. Checking a proof
/// hashes every node of it, and the call's weight does not grow with it; a proof of one inbound
/// lane, one block number and one timestamp needs a few kilobytes.
pub const MAX_TIMEOUT_PROOF_SIZE: u32 = 16 * 1024;

pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
pub type LaneOf<T> = <<T as Config>::Transport as Transport>::Lane;

/// A message this network put on a lane and has not seen settled yet.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct InFlight<Lane> {
	pub destination: NetworkAddress,
	/// The peer the lane leads to.
	pub next_hop: NetworkAddress,
	pub lane: Lane,
	/// The packet's nonce on that lane: what a proof of non-delivery is about.
	pub lane_nonce: u64,
	pub timeout: Timeout,
}

/// A message sent from here: who pays for it, and where it went.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Sent<AccountId, Balance, Lane> {
	pub sender: AccountId,
	pub fee: Balance,
	pub flight: InFlight<Lane>,
}

/// What became of a request addressed to this network.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Receipt {
	pub outcome: Outcome,
	/// Whether the acknowledgement is on its way back (false: waiting for a route).
	pub ack_queued: bool,
}

/// The fee of a message sent from here, held from its sender until it is paid to the relayer
/// that delivered the message to the next hop, or refunded. Keyed by the lane and lane nonce
/// the next hop's delivery confirmation names.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct HeldFee<AccountId, Balance> {
	pub id: MessageId,
	pub sender: AccountId,
	pub amount: Balance,
	/// The request was answered `Ok` or `Err`: the fee is the deliverer's.
	pub earned: bool,
	/// The relayer that delivered the message, once the next hop confirmed its delivery.
	pub deliverer: Option<AccountId>,
}

/// An entry the router forgets once its window has passed (step 7).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum Expiring {
	/// The [`Inbox`] receipt of a request addressed here.
	Inbox(MessageId),
	/// The [`Settled`] outcome of a message sent from here.
	Settled(MessageId),
	/// The [`Forwarded`] record of a request that passed through here.
	Forwarded(MessageId),
}

/// Why an inbound packet was dropped without an answer.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rejection {
	/// No peer is bound to the lane it came on.
	UnboundLane,
	/// It does not decode as a packet, or has bytes after one.
	Malformed,
	/// Its author may not send through that lane.
	UntrustedAuthor,
	/// A request already received here (it came again through another path).
	Duplicate,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Holds message fees while messages are in flight.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;
		type RuntimeHoldReason: From<HoldReason>;
		/// The lanes under the router.
		type Transport: Transport;
		/// Proves from a peer's state that a packet was not delivered in time.
		type DeliveryProver: DeliveryProver<LaneOf<Self>>;
		/// Executes the requests addressed to this network.
		type Services: ServiceHandler<Self::AccountId>;
		/// Told of every settlement of a message sent from here.
		type OnSettled: OnSettled;
		/// Binds peers and sets routes.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// This network's address (its genesis hash).
		type ThisNetwork: Get<NetworkAddress>;
		/// Unix time, for timestamps and timeouts.
		type UnixTime: UnixTime;
		/// Largest payload a request may carry.
		#[pallet::constant]
		type MaxPayloadSize: Get<u32>;
		/// Most weight a request may ask for at its destination. Together with the payload size
		/// it keeps any single message small enough for a delivery transaction, so that no
		/// message can block a lane.
		#[pallet::constant]
		type MaxDispatchWeight: Get<Weight>;
		/// Fee per message, held at send.
		#[pallet::constant]
		type BaseFee: Get<BalanceOf<Self>>;
		/// Fee per payload byte, held at send.
		#[pallet::constant]
		type ByteFee: Get<BalanceOf<Self>>;
		/// The fee for the weight a request may use at its destination, held at send: what the
		/// relayer pays there to dispatch it (the transaction-payment pallet's `WeightToFee`).
		type WeightToFee: WeightToFee<Balance = BalanceOf<Self>>;
		/// How far ahead of now (milliseconds) the timestamp of a request's timeout may be at
		/// `send`. Bounds how long any network keeps what it knows of the request (step 7).
		#[pallet::constant]
		type MaxRequestLifetime: Get<u64>;
		/// How long (milliseconds) a receipt, a forwarded request or a settled outcome is kept
		/// past its deadline or settlement, for clients to read (step 7).
		#[pallet::constant]
		type Retention: Get<u64>;
		/// Most entries forgotten per block (step 7); as many buckets are looked at.
		#[pallet::constant]
		type MaxSweepPerBlock: Get<u32>;
		type WeightInfo: WeightInfo;
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: traits::BenchmarkHelper<
			LaneOf<Self>,
			<Self::DeliveryProver as DeliveryProver<LaneOf<Self>>>::Proof,
		>;
	}

	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The fee of a message in flight.
		MessageFee,
	}

	/// Sequence number of the next message sent from this network.
	#[pallet::storage]
	pub type NextSequence<T> = StorageValue<_, u64, ValueQuery>;

	/// Networks joined to this one by a bridge, with the lane of that bridge.
	#[pallet::storage]
	pub type Peers<T: Config> = StorageMap<_, Blake2_128Concat, NetworkAddress, LaneOf<T>>;

	/// The reverse of [`Peers`]: which network each bound lane leads to.
	#[pallet::storage]
	pub type LanePeers<T: Config> = StorageMap<_, Blake2_128Concat, LaneOf<T>, NetworkAddress>;

	/// For networks with no direct bridge: the peer that forwards to them.
	#[pallet::storage]
	pub type NextHops<T> = StorageMap<_, Blake2_128Concat, NetworkAddress, NetworkAddress>;

	/// The network that serves each service, for requests sent without a destination.
	#[pallet::storage]
	pub type Providers<T> = StorageMap<_, Blake2_128Concat, Service, NetworkAddress>;

	/// Messages sent from here that are not settled yet.
	#[pallet::storage]
	pub type Outbox<T: Config> =
		StorageMap<_, Blake2_128Concat, MessageId, Sent<T::AccountId, BalanceOf<T>, LaneOf<T>>>;

	/// How each message sent from here was settled.
	#[pallet::storage]
	pub type Settled<T> = StorageMap<_, Blake2_128Concat, MessageId, Outcome>;

	/// Requests this network forwarded and whose acknowledgement has not passed back yet.
	#[pallet::storage]
	pub type Forwarded<T: Config> = StorageMap<_, Blake2_128Concat, MessageId, InFlight<LaneOf<T>>>;

	/// Requests addressed to this network, and what became of them.
	#[pallet::storage]
	pub type Inbox<T> = StorageMap<_, Blake2_128Concat, MessageId, Receipt>;

	/// The fees of messages sent from here still held, by lane and lane nonce: until refunded,
	/// or paid to the relayer once the message is both answered and its delivery confirmed.
	#[pallet::storage]
	pub type HeldFees<T: Config> =
		StorageMap<_, Blake2_128Concat, (LaneOf<T>, u64), HeldFee<T::AccountId, BalanceOf<T>>>;

	/// What to forget, by the minute it falls due (step 7, [`plexus_primitives::retention`]).
	#[pallet::storage]
	pub type PruneIndex<T> = StorageDoubleMap<_, Twox64Concat, u64, Blake2_128Concat, Expiring, ()>;

	/// The first minute of [`PruneIndex`] not yet swept (0: nothing ever scheduled).
	#[pallet::storage]
	pub type PruneCursor<T> = StorageValue<_, u64, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A request left this network.
		Sent {
			id: MessageId,
			sender: T::AccountId,
			destination: NetworkAddress,
			service: Service,
			next_hop: NetworkAddress,
			lane_nonce: u64,
			fee: BalanceOf<T>,
		},
		/// A packet for another network passed through: a request, or the acknowledgement of
		/// one forwarded from here.
		Forwarded {
			id: MessageId,
			next_hop: NetworkAddress,
			lane_nonce: u64,
		},
		/// A request addressed here was decided.
		Executed {
			id: MessageId,
			service: Service,
			outcome: Outcome,
		},
		/// The acknowledgement of a request is on its way to the origin.
		AckQueued {
			id: MessageId,
			next_hop: NetworkAddress,
		},
		/// No route leads back to the origin; `retry_ack` sends the acknowledgement later.
		AckStalled {
			id: MessageId,
		},
		/// A message sent from here was settled by its acknowledgement: the fee is earned if
		/// the request was carried to its destination and answered (kept held until it is paid
		/// to the relayer that delivered it, `RelayerPaid`), refunded otherwise.
		Acknowledged {
			id: MessageId,
			outcome: Outcome,
			fee_earned: BalanceOf<T>,
			refunded: BalanceOf<T>,
		},
		/// The fee of an answered message was paid to the relayer that delivered it.
		RelayerPaid {
			id: MessageId,
			relayer: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// A message sent from here was settled by a proven timeout.
		TimedOut {
			id: MessageId,
			refunded: BalanceOf<T>,
		},
		/// A request for another network stops here, late: proven so at its next hop, or past
		/// its deadline on arrival here. `TimedOut` goes back to its origin.
		ForwardTimedOut {
			id: MessageId,
		},
		/// An acknowledgement was dropped: its message was already settled here, or was never
		/// sent or forwarded from here, or the acknowledgement comes from a network that may not
		/// answer it (neither the destination nor, for `TimedOut` or `Unroutable`, the next hop).
		AckIgnored {
			id: MessageId,
		},
		/// A packet for this network or beyond could not be routed and was answered `Unroutable`.
		Unroutable {
			id: MessageId,
			destination: NetworkAddress,
		},
		/// A delivered packet was dropped without an answer.
		PacketRejected {
			from: Option<NetworkAddress>,
			reason: Rejection,
		},
		PeerBound {
			network: NetworkAddress,
			lane: LaneOf<T>,
		},
		PeerUnbound {
			network: NetworkAddress,
			lane: LaneOf<T>,
		},
		NextHopSet {
			destination: NetworkAddress,
			next_hop: Option<NetworkAddress>,
		},
		ProviderSet {
			service: Service,
			network: Option<NetworkAddress>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The destination is not `GlobalConsensus(ByGenesis(..))` seen from a network
		/// (`parents: 1`).
		UnsupportedDestination,
		/// The message would go to this network itself.
		DestinationIsSelf,
		/// No destination was given and no network is registered for the service.
		NoProvider,
		/// No bridge and no next hop leads to the destination.
		NoRoute,
		/// The destination's next hop is not a bound peer.
		NextHopNotPeer,
		/// The timeout has no timestamp (a height alone does not bound the request in time).
		UnboundedTimeout,
		/// The timeout's timestamp is more than `MaxRequestLifetime` ahead.
		TimeoutTooFar,
		/// The timeout's timestamp has already passed here.
		TimeoutInPast,
		/// `max_weight` exceeds `MaxDispatchWeight`.
		WeightLimitTooHigh,
		/// The encoded packet exceeds what a lane carries.
		PacketTooLarge,
		/// The network is already bound to a lane.
		PeerAlreadyBound,
		/// The lane is already bound to another network.
		LaneInUse,
		/// The network is not a bound peer.
		NotAPeer,
		/// No unsettled message with this id was sent from here or forwarded by here.
		NotInFlight,
		/// The request has no stalled acknowledgement here.
		NoStalledAck,
		/// The payload exceeds `MaxPayloadSize`.
		PayloadTooLarge,
		/// The timeout proof exceeds [`MAX_TIMEOUT_PROOF_SIZE`](crate::MAX_TIMEOUT_PROOF_SIZE).
		ProofTooLarge,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Step 7: forgets what fell due, within the block's budget.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			// Nothing ever scheduled (so at genesis, before the clock is first set).
			if PruneCursor::<T>::get() == 0 {
				return T::DbWeight::get().reads(1);
			}
			Self::sweep(Self::now_ms())
		}

		fn integrity_test() {
			assert!(T::MaxSweepPerBlock::get() > 0, "a sweep that forgets nothing never ends");
			assert!(T::MaxRequestLifetime::get() > 0, "no request could be sent");
		}
	}

	#[pallet::extra_constants]
	impl<T: Config> Pallet<T> {
		/// The most bytes a proof given to `claim_timeout` may encode to.
		#[pallet::constant_name(MaxTimeoutProofSize)]
		fn max_timeout_proof_size() -> u32 {
			MAX_TIMEOUT_PROOF_SIZE
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Sends a request for `service` to `destination` (or to the registered provider of the
		/// service), to execute there with at most `max_weight`, before `timeout` (a timestamp
		/// at most `MaxRequestLifetime` ahead is required; a height may be added). Holds the fee
		/// ([`Pallet::message_fee`]: `BaseFee + ByteFee · payload length +
		/// WeightToFee(max_weight)`) until the message is settled: it is paid to the relayer that
		/// delivered the request if the request is answered `Ok` or `Err`, refunded otherwise.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::send(payload.len() as u32))]
		pub fn send(
			origin: OriginFor<T>,
			destination: Option<Box<VersionedLocation>>,
			service: Service,
			payload: BoundedVec<u8, T::MaxPayloadSize>,
			max_weight: Weight,
			timeout: Timeout,
		) -> DispatchResult {
			let sender = ensure_signed(origin)?;
			let destination = match destination {
				Some(location) => {
					network_of(*location).ok_or(Error::<T>::UnsupportedDestination)?
				},
				None => Providers::<T>::get(service).ok_or(Error::<T>::NoProvider)?,
			};
			Self::do_send(sender, destination, service, payload.into_inner(), max_weight, timeout)
				.map(|_| ())
		}

		/// Settles a message sent (or forwarded) by this network as timed out, given a storage
		/// proof (at most [`MAX_TIMEOUT_PROOF_SIZE`] bytes) that its next hop had not received
		/// it at a header past its timeout. Sent messages get their fee back; forwarded ones
		/// answer `TimedOut` to their origin.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim_timeout().saturating_add(T::OnSettled::weight()))]
		pub fn claim_timeout(
			origin: OriginFor<T>,
			id: MessageId,
			proof: <T::DeliveryProver as DeliveryProver<LaneOf<T>>>::Proof,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_claim_timeout(id, proof)
		}

		/// Binds `network` to the lane of the bridge that joins it to this network.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::bind_peer())]
		pub fn bind_peer(
			origin: OriginFor<T>,
			network: NetworkAddress,
			lane: LaneOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(network != T::ThisNetwork::get(), Error::<T>::DestinationIsSelf);
			ensure!(!Peers::<T>::contains_key(network), Error::<T>::PeerAlreadyBound);
			ensure!(!LanePeers::<T>::contains_key(lane), Error::<T>::LaneInUse);
			Peers::<T>::insert(network, lane);
			LanePeers::<T>::insert(lane, network);
			Self::deposit_event(Event::PeerBound { network, lane });
			Ok(())
		}

		/// Unbinds a peer. Packets still arriving on its lane are then dropped.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unbind_peer())]
		pub fn unbind_peer(origin: OriginFor<T>, network: NetworkAddress) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let lane = Peers::<T>::take(network).ok_or(Error::<T>::NotAPeer)?;
			LanePeers::<T>::remove(lane);
			Self::deposit_event(Event::PeerUnbound { network, lane });
			Ok(())
		}

		/// Sets (or, with `None`, removes) the peer that forwards packets for `destination`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_next_hop())]
		pub fn set_next_hop(
			origin: OriginFor<T>,
			destination: NetworkAddress,
			next_hop: Option<NetworkAddress>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(destination != T::ThisNetwork::get(), Error::<T>::DestinationIsSelf);
			match next_hop {
				Some(hop) => {
					ensure!(hop != destination, Error::<T>::NextHopNotPeer);
					ensure!(Peers::<T>::contains_key(hop), Error::<T>::NotAPeer);
					NextHops::<T>::insert(destination, hop);
				},
				None => NextHops::<T>::remove(destination),
			}
			Self::deposit_event(Event::NextHopSet { destination, next_hop });
			Ok(())
		}

		/// Registers (or, with `None`, removes) the network that serves `service`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_provider())]
		pub fn set_provider(
			origin: OriginFor<T>,
			service: Service,
			network: Option<NetworkAddress>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			match network {
				Some(network) => Providers::<T>::insert(service, network),
				None => Providers::<T>::remove(service),
			}
			Self::deposit_event(Event::ProviderSet { service, network });
			Ok(())
		}

		/// Sends again the acknowledgement of a request received here that found no route back.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::retry_ack())]
		pub fn retry_ack(origin: OriginFor<T>, id: MessageId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_retry_ack(id)
		}
	}

	impl<T: Config> From<RouteError> for Error<T> {
		fn from(error: RouteError) -> Self {
			match error {
				RouteError::NoRoute => Error::NoRoute,
				RouteError::NextHopNotPeer => Error::NextHopNotPeer,
			}
		}
	}
}

impl<T: Config> Pallet<T> {
	fn now_ms() -> u64 {
		T::UnixTime::now().as_millis().unique_saturated_into()
	}

	fn height() -> u32 {
		frame_system::Pallet::<T>::block_number().unique_saturated_into()
	}

	/// What this network knows of message `id` (the `EventRouterApi` runtime API). A message
	/// whose settled outcome, receipt or forwarding record was forgotten (step 7) is `Unknown`.
	pub fn message_status(id: MessageId) -> MessageStatus {
		if let Some(sent) = Outbox::<T>::get(id) {
			return MessageStatus::AwaitingAck {
				destination: sent.flight.destination,
				next_hop: sent.flight.next_hop,
				lane_nonce: sent.flight.lane_nonce,
			};
		}
		if let Some(outcome) = Settled::<T>::get(id) {
			return MessageStatus::Settled(outcome);
		}
		if let Some(receipt) = Inbox::<T>::get(id) {
			return MessageStatus::Received {
				outcome: receipt.outcome,
				ack_queued: receipt.ack_queued,
			};
		}
		if let Some(flight) = Forwarded::<T>::get(id) {
			return MessageStatus::Forwarded {
				next_hop: flight.next_hop,
				lane_nonce: flight.lane_nonce,
			};
		}
		MessageStatus::Unknown
	}
}
