//! What arrives on a lane: a delivered packet is checked against the lane it came on and passed
//! on when it is for a further network (step 3); a request addressed here is executed (step 4)
//! and answered (step 5); an acknowledgement addressed here goes to settlement (step 6).

use crate::*;
use alloc::vec::Vec;
use codec::DecodeLimit;
use frame_support::storage::{with_transaction, TransactionOutcome};
use plexus_primitives::service::failure_of_dispatch_error;
use sp_runtime::DispatchError;

/// How deep a decoded packet may nest; packets are flat, so anything deeper is hostile.
const PACKET_DECODE_DEPTH: u32 = 16;

impl<T: Config> Pallet<T> {
	/// Step 3: the weight the runtime reserves before handing `packet` to [`Self::receive`]: the
	/// router's own work plus, for a request, the weight it may use.
	pub fn packet_weight(packet: &[u8]) -> Weight {
		let base = T::WeightInfo::receive_request()
			.max(T::WeightInfo::receive_ack().saturating_add(T::OnSettled::weight()))
			.max(T::WeightInfo::forward());
		match Packet::<T::AccountId>::decode_with_depth_limit(PACKET_DECODE_DEPTH, &mut &packet[..])
		{
			Ok(Packet::Request(envelope)) => {
				base.saturating_add(envelope.max_weight.min(T::MaxDispatchWeight::get()))
			},
			_ => base,
		}
	}

	/// Step 3: handles a packet delivered on `lane`. Never fails: whatever happens is recorded
	/// and announced, and the lane moves on. Returns the weight used.
	pub fn receive(lane: LaneOf<T>, packet: &[u8]) -> Weight {
		let Some(peer) = LanePeers::<T>::get(lane) else {
			Self::deposit_event(Event::PacketRejected {
				from: None,
				reason: Rejection::UnboundLane,
			});
			return T::WeightInfo::receive_ack();
		};
		let Ok(decoded) =
			Packet::<T::AccountId>::decode_with_depth_limit(PACKET_DECODE_DEPTH, &mut &packet[..])
		else {
			Self::deposit_event(Event::PacketRejected {
				from: Some(peer),
				reason: Rejection::Malformed,
			});
			return T::WeightInfo::receive_ack();
		};
		if !StorageRoutes::<T>::default().trusts(&peer, &decoded.author()) {
			Self::deposit_event(Event::PacketRejected {
				from: Some(peer),
				reason: Rejection::UntrustedAuthor,
			});
			return T::WeightInfo::receive_ack();
		}
		if decoded.final_destination() != T::ThisNetwork::get() {
			return Self::forward(&peer, decoded, packet.to_vec());
		}
		match decoded {
			Packet::Request(envelope) => Self::execute(&peer, envelope),
			Packet::Ack(ack) => Self::settle(ack),
		}
	}

	/// Step 3: passes a packet for a further network on, unchanged, towards its destination. A
	/// request that cannot go on is answered `Unroutable`.
	fn forward(from: &NetworkAddress, packet: Packet<T::AccountId>, bytes: Vec<u8>) -> Weight {
		let destination = packet.final_destination();
		let route: Option<Route<LaneOf<T>>> = StorageRoutes::<T>::default()
			.route(&destination)
			// Sending a packet back where it came from would loop.
			.ok()
			.filter(|route| route.peer != *from);
		let sent = route.and_then(|route| {
			T::Transport::send(route.lane, bytes).ok().map(|nonce| (route, nonce))
		});
		match (packet, sent) {
			(Packet::Request(envelope), Some((route, lane_nonce))) => {
				let flight = InFlight {
					destination,
					next_hop: route.peer,
					lane: route.lane,
					lane_nonce,
					timeout: envelope.timeout,
				};
				Forwarded::<T>::insert(envelope.id, flight);
				Self::deposit_event(Event::Forwarded {
					id: envelope.id,
					next_hop: route.peer,
					lane_nonce,
				});
			},
			(Packet::Ack(ack), Some((route, lane_nonce))) => {
				Forwarded::<T>::remove(ack.id);
				Self::deposit_event(Event::Forwarded {
					id: ack.id,
					next_hop: route.peer,
					lane_nonce,
				});
			},
			(Packet::Request(envelope), None) => {
				Self::deposit_event(Event::Unroutable { id: envelope.id, destination });
				let ack = Acknowledgement {
					id: envelope.id,
					responder: T::ThisNetwork::get(),
					outcome: Outcome::Err(Failure::Unroutable),
				};
				let _ = Self::send_packet(
					&envelope.id.origin,
					Packet::<T::AccountId>::Ack(ack).encode(),
				);
			},
			(Packet::Ack(ack), None) => {
				Self::deposit_event(Event::Unroutable { id: ack.id, destination });
			},
		}
		T::WeightInfo::forward()
	}

	/// Step 4: decides a request addressed here, once: past its timeout it is answered
	/// `TimedOut`; otherwise the service executes it in a storage transaction, within its weight.
	fn execute(peer: &NetworkAddress, envelope: Envelope<T::AccountId>) -> Weight {
		let id = envelope.id;
		if Inbox::<T>::contains_key(id) {
			Self::deposit_event(Event::PacketRejected {
				from: Some(*peer),
				reason: Rejection::Duplicate,
			});
			return T::WeightInfo::receive_ack();
		}
		let mut used = Weight::zero();
		let outcome = if envelope.timeout.has_passed(Self::height(), Self::now_ms()) {
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
