//! What arrives on a lane: a delivered packet is checked against the lane it came on and passed
//! on when it is for a further network (step 3); a request addressed here is executed (step 4)
//! and answered (step 5); an acknowledgement addressed here goes to settlement (step 6).

use crate::{settlement::may_answer, *};
use alloc::vec::Vec;
use codec::DecodeLimit;
use frame_support::storage::{with_transaction, TransactionOutcome};
use plexus_primitives::service::failure_of_dispatch_error;
use sp_runtime::DispatchError;

/// How deep a decoded packet may nest; packets are flat, so anything deeper is hostile.
const PACKET_DECODE_DEPTH: u32 = 16;

impl<T: Config> Pallet<T> {
	/// Step 3: the weight the runtime reserves before handing `packet` to [`Self::receive`]: the
	/// router's work on the path the packet will take, plus, for a request executed here, the
	/// weight it may use. What is not used is refunded after [`Self::receive`] says what was.
	pub fn packet_weight(packet: &[u8]) -> Weight {
		Self::packet_weight_at(packet, &T::ThisNetwork::get())
	}

	/// [`Self::packet_weight`] on the network `here`, read from no storage: what a relayer
	/// declares for a delivery to `here`, computed off-chain.
	pub fn packet_weight_at(packet: &[u8], here: &NetworkAddress) -> Weight {
		match Self::decode_packet(packet) {
			None => Self::rejection_weight(),
			Some(packet) if packet.final_destination() != *here => T::WeightInfo::forward(),
			Some(Packet::Request(envelope)) => T::WeightInfo::receive_request()
				.saturating_add(envelope.max_weight.min(T::MaxDispatchWeight::get())),
			Some(Packet::Ack(_)) => {
				T::WeightInfo::receive_ack().saturating_add(T::OnSettled::weight())
			},
		}
	}

	/// A packet refused before any path began (unbound lane, malformed, untrusted author): what
	/// it read is the start of every path, so each path's measured weight covers it.
	fn rejection_weight() -> Weight {
		T::WeightInfo::receive_request()
			.min(T::WeightInfo::receive_ack())
			.min(T::WeightInfo::forward())
	}

	/// A packet, whole: trailing bytes make it malformed, so that what is forwarded is exactly
	/// what was decoded and checked.
	fn decode_packet(bytes: &[u8]) -> Option<Packet<T::AccountId>> {
		Packet::<T::AccountId>::decode_all_with_depth_limit(PACKET_DECODE_DEPTH, &mut &bytes[..])
			.ok()
	}

	/// Step 3: handles a packet delivered on `lane`. Never fails: whatever happens is recorded
	/// and announced, and the lane moves on. Returns the weight used.
	pub fn receive(lane: LaneOf<T>, packet: &[u8]) -> Weight {
		let Some(peer) = LanePeers::<T>::get(lane) else {
			Self::deposit_event(Event::PacketRejected {
				from: None,
				reason: Rejection::UnboundLane,
			});
			return Self::rejection_weight();
		};
		let Some(decoded) = Self::decode_packet(packet) else {
			Self::deposit_event(Event::PacketRejected {
				from: Some(peer),
				reason: Rejection::Malformed,
			});
			return Self::rejection_weight();
		};
		if !StorageRoutes::<T>::default().trusts(&peer, &decoded.author()) {
			Self::deposit_event(Event::PacketRejected {
				from: Some(peer),
				reason: Rejection::UntrustedAuthor,
			});
			return Self::rejection_weight();
		}
		if decoded.final_destination() != T::ThisNetwork::get() {
			return Self::forward(&peer, decoded, packet.to_vec());
		}
		match decoded {
			Packet::Request(envelope) => Self::execute(&peer, envelope),
			Packet::Ack(ack) => Self::settle(ack),
		}
	}

	/// Step 3: passes a packet for a further network on, towards its destination.
	fn forward(from: &NetworkAddress, packet: Packet<T::AccountId>, bytes: Vec<u8>) -> Weight {
		match packet {
			Packet::Request(envelope) => Self::forward_request(from, envelope, bytes),
			Packet::Ack(ack) => Self::forward_ack(from, ack, bytes),
		}
		T::WeightInfo::forward()
	}

	/// Step 3 for a request: passed on unchanged, unless it is past its deadline here, or cannot
	/// go on: then it stops here and is answered `TimedOut` or `Unroutable`.
	fn forward_request(from: &NetworkAddress, envelope: Envelope<T::AccountId>, bytes: Vec<u8>) {
		let (id, destination) = (envelope.id, envelope.destination);
		// The previous hop proves a timeout against this network's clock (heights are the
		// destination's alone): once the deadline has passed here, the origin may have settled
		// the message as timed out, and the request must not reach a network whose clock lags.
		if envelope.timeout.timestamp.is_some_and(|deadline| Self::now_ms() > deadline) {
			Self::deposit_event(Event::ForwardTimedOut { id });
			Self::give_up(id, Outcome::TimedOut);
			return;
		}
		match Self::pass_on(from, &destination, bytes) {
			Some((route, lane_nonce)) => {
				let flight = InFlight {
					destination,
					next_hop: route.peer,
					lane: route.lane,
					lane_nonce,
					timeout: envelope.timeout,
				};
				Forwarded::<T>::insert(id, flight);
				Self::forget_at(
					Expiring::Forwarded(id),
					Self::due_after_deadline(&envelope.timeout),
				);
				Self::deposit_event(Event::Forwarded { id, next_hop: route.peer, lane_nonce });
			},
			None => {
				Self::deposit_event(Event::Unroutable { id, destination });
				Self::give_up(id, Outcome::Err(Failure::Unroutable));
			},
		}
	}

	/// Step 5 on the way back: an acknowledgement of a request this network forwarded, from the
	/// request's destination, passes on unchanged; one from the next hop it went to, saying that
	/// the request stopped there, passes on as this network's own answer, so that the network
	/// before this one hears it from its own next hop. Anything else is dropped: it is not from
	/// the message's path.
	fn forward_ack(from: &NetworkAddress, ack: Acknowledgement, bytes: Vec<u8>) {
		let id = ack.id;
		let Some(flight) = Forwarded::<T>::get(id).filter(|flight| may_answer(flight, &ack)) else {
			Self::deposit_event(Event::AckIgnored { id });
			return;
		};
		let bytes = if ack.responder == flight.destination {
			bytes
		} else {
			let ack = Acknowledgement { responder: T::ThisNetwork::get(), ..ack };
			Packet::<T::AccountId>::Ack(ack).encode()
		};
		match Self::pass_on(from, &id.origin, bytes) {
			Some((route, lane_nonce)) => {
				Forwarded::<T>::remove(id);
				Self::deposit_event(Event::Forwarded { id, next_hop: route.peer, lane_nonce });
			},
			None => Self::deposit_event(Event::Unroutable { id, destination: id.origin }),
		}
	}

	/// Queues `bytes` on the lane towards `destination`, unless that would send them back to
	/// `from` (a loop). Returns the route taken and the lane nonce.
	fn pass_on(
		from: &NetworkAddress,
		destination: &NetworkAddress,
		bytes: Vec<u8>,
	) -> Option<(Route<LaneOf<T>>, u64)> {
		let route = StorageRoutes::<T>::default().route(destination).ok()?;
		if route.peer == *from {
			return None;
		}
		T::Transport::send(route.lane, bytes).ok().map(|nonce| (route, nonce))
	}

	/// Step 4: decides a request addressed here, once: with no deadline or one too far ahead it is
	/// answered `Err(TimeoutTooFar)`, past its timeout `TimedOut`; otherwise the service executes
	/// it in a storage transaction, within its weight. Its receipt is forgotten `Retention` after
	/// its deadline, once the answer has left (step 7).
	fn execute(peer: &NetworkAddress, envelope: Envelope<T::AccountId>) -> Weight {
		let id = envelope.id;
		if Inbox::<T>::contains_key(id) {
			Self::deposit_event(Event::PacketRejected {
				from: Some(*peer),
				reason: Rejection::Duplicate,
			});
			return T::WeightInfo::receive_request();
		}
		let mut used = Weight::zero();
		let now = Self::now_ms();
		let latest = now.saturating_add(Self::max_deadline_lead());
		let outcome = if envelope.timeout.timestamp.is_none_or(|deadline| deadline > latest) {
			// Its receipt could not be forgotten in bounded time after its deadline.
			Outcome::Err(Failure::TimeoutTooFar)
		} else if envelope.timeout.has_passed(Self::height(), now) {
			Outcome::TimedOut
		} else if !T::Services::serves(envelope.service) {
			Outcome::Err(Failure::ServiceUnavailable)
		} else if !envelope.max_weight.all_lte(T::MaxDispatchWeight::get()) {
			Outcome::Err(Failure::WeightLimitExceeded)
		} else {
			let origin =
				RemoteOrigin { network: &id.origin, account: &envelope.sender, message: id };
			let result = with_transaction(|| {
				let (result, weight) = T::Services::execute(
					origin,
					envelope.service,
					&envelope.payload,
					envelope.max_weight,
				);
				used = weight.min(envelope.max_weight);
				match result {
					Ok(output) => TransactionOutcome::Commit(Ok::<_, DispatchError>(Ok(output))),
					Err(failure) => TransactionOutcome::Rollback(Ok(Err(failure))),
				}
			});
			match result {
				Ok(Ok(output)) => Outcome::Ok(sp_io::hashing::blake2_256(&output)),
				Ok(Err(failure)) => Outcome::Err(failure),
				// Too many nested storage layers: nothing ran.
				Err(error) => Outcome::Err(failure_of_dispatch_error(error)),
			}
		};
		Self::deposit_event(Event::Executed { id, service: envelope.service, outcome });
		let ack_queued = Self::acknowledge(id, outcome);
		Inbox::<T>::insert(id, Receipt { outcome, ack_queued });
		if ack_queued {
			Self::forget_at(Expiring::Inbox(id), Self::due_after_deadline(&envelope.timeout));
		}
		T::WeightInfo::receive_request().saturating_add(used)
	}

	/// Step 5, once a route back exists: the body of [`Pallet::retry_ack`], which sends again
	/// the acknowledgement that [`Self::acknowledge`] could not.
	pub(crate) fn do_retry_ack(id: MessageId) -> DispatchResult {
		let receipt =
			Inbox::<T>::get(id).filter(|r| !r.ack_queued).ok_or(Error::<T>::NoStalledAck)?;
		let ack =
			Acknowledgement { id, responder: T::ThisNetwork::get(), outcome: receipt.outcome };
		let next_hop = Self::send_packet(&id.origin, Packet::<T::AccountId>::Ack(ack).encode())?;
		Inbox::<T>::insert(id, Receipt { ack_queued: true, ..receipt });
		// The receipt does not keep the deadline, which was at most `max_deadline_lead` after
		// the request arrived, so before that much from now.
		Self::forget_at(Expiring::Inbox(id), Self::due_after_deadline(&Timeout::default()));
		Self::deposit_event(Event::AckQueued { id, next_hop });
		Ok(())
	}

	/// Step 5: sends the answer to request `id` towards its origin. Returns whether it left; if
	/// no route back exists it waits for [`Pallet::retry_ack`].
	fn acknowledge(id: MessageId, outcome: Outcome) -> bool {
		let ack = Acknowledgement { id, responder: T::ThisNetwork::get(), outcome };
		match Self::send_packet(&id.origin, Packet::<T::AccountId>::Ack(ack).encode()) {
			Ok(next_hop) => {
				Self::deposit_event(Event::AckQueued { id, next_hop });
				true
			},
			Err(_) => {
				Self::deposit_event(Event::AckStalled { id });
				false
			},
		}
	}
}
