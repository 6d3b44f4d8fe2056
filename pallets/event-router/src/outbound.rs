//! What this network puts on its lanes on its own account: the requests sent from here (step 1),
//! for the `send` extrinsic and for other pallets ([`RequestSender`]); the acknowledgements it
//! answers with, towards their origin (step 5); and the timeout claims that settle a message its
//! next hop never received (step 6).

use crate::*;
use alloc::vec::Vec;
use sp_runtime::DispatchError;

impl<T: Config> Pallet<T> {
	/// Step 1: checks and queues a request: the body of [`Pallet::send`], and [`RequestSender`]
	/// for other pallets. Writes before it fails; callers run it in a storage transaction.
	pub(crate) fn do_send(
		sender: T::AccountId,
		destination: NetworkAddress,
		service: Service,
		payload: Vec<u8>,
		max_weight: Weight,
		timeout: Timeout,
	) -> Result<MessageId, DispatchError> {
		ensure!(destination != T::ThisNetwork::get(), Error::<T>::DestinationIsSelf);
		ensure!(payload.len() as u32 <= T::MaxPayloadSize::get(), Error::<T>::PayloadTooLarge);
		// Every network forgets the request in time bounded by its timestamp (step 7).
		let deadline = timeout.timestamp.ok_or(Error::<T>::UnboundedTimeout)?;
		let now = Self::now_ms();
		ensure!(deadline > now, Error::<T>::TimeoutInPast);
		ensure!(deadline - now <= T::MaxRequestLifetime::get(), Error::<T>::TimeoutTooFar);
		ensure!(max_weight.all_lte(T::MaxDispatchWeight::get()), Error::<T>::WeightLimitTooHigh);
		let route = StorageRoutes::<T>::default().route(&destination).map_err(Error::<T>::from)?;

		let fee = Self::message_fee(payload.len() as u32, max_weight);
		let envelope = Envelope {
			id: MessageId { origin: T::ThisNetwork::get(), sequence: NextSequence::<T>::get() },
			sender: sender.clone(),
			destination,
			service,
			payload,
			max_weight,
			timeout,
			sent_at: now,
		};
		let id = envelope.id;
		let packet = Packet::Request(envelope).encode();
		ensure!(packet.len() as u32 <= T::Transport::max_packet_size(), Error::<T>::PacketTooLarge);
		T::Currency::hold(&HoldReason::MessageFee.into(), &sender, fee)?;
		let lane_nonce = T::Transport::send(route.lane, packet)?;
		NextSequence::<T>::put(id.sequence.saturating_add(1));

		let flight =
			InFlight { destination, next_hop: route.peer, lane: route.lane, lane_nonce, timeout };
		Outbox::<T>::insert(id, Sent { sender: sender.clone(), fee, flight });
		let held =
			HeldFee { id, sender: sender.clone(), amount: fee, earned: false, deliverer: None };
		HeldFees::<T>::insert((route.lane, lane_nonce), held);
		Self::deposit_event(Event::Sent {
			id,
			sender,
			destination,
			service,
			next_hop: route.peer,
			lane_nonce,
			fee,
		});
		Ok(id)
	}

	/// Step 5: queues an encoded packet towards `destination`; returns the peer it went to.
	/// Every acknowledgement written here leaves this way (one passing through is forwarded).
	pub(crate) fn send_packet(
		destination: &NetworkAddress,
		packet: Vec<u8>,
	) -> Result<NetworkAddress, DispatchError> {
		let route = StorageRoutes::<T>::default().route(destination).map_err(Error::<T>::from)?;
		T::Transport::send(route.lane, packet)?;
		Ok(route.peer)
	}

	/// Step 6, by a proven timeout: the body of [`Pallet::claim_timeout`]. A message sent from
	/// here is settled `TimedOut` and its fee released; a forwarded one answers `TimedOut` to its
	/// origin, which settles it in turn.
	pub(crate) fn do_claim_timeout(
		id: MessageId,
		proof: <T::DeliveryProver as DeliveryProver<LaneOf<T>>>::Proof,
	) -> DispatchResult {
		if let Some(sent) = Outbox::<T>::get(id) {
			Self::prove_late(&sent.flight, proof)?;
			Outbox::<T>::remove(id);
			let refunded = Self::refund(&sent);
			Settled::<T>::insert(id, Outcome::TimedOut);
			Self::forget_at(Expiring::Settled(id), Self::due_after_settlement());
			Self::deposit_event(Event::TimedOut { id, refunded });
			T::OnSettled::on_settled(id, &Outcome::TimedOut);
			return Ok(());
		}
		let flight = Forwarded::<T>::get(id).ok_or(Error::<T>::NotInFlight)?;
		Self::prove_late(&flight, proof)?;
		Forwarded::<T>::remove(id);
		Self::deposit_event(Event::ForwardTimedOut { id });
		Self::give_up(id, Outcome::TimedOut);
		Ok(())
	}

	/// Step 5 for a network on the way: answers the origin of request `id`, in this network's
	/// name, that the request stops here (`TimedOut` or `Unroutable`). The origin, or the hop
	/// before this one, accepts such an answer from its next hop alone.
	pub(crate) fn give_up(id: MessageId, outcome: Outcome) {
		let ack = Acknowledgement { id, responder: T::ThisNetwork::get(), outcome };
		// The origin may be unreachable from here; the answer is then lost, and the origin
		// settles with its own proof against its next hop where it can.
		let _ = Self::send_packet(&id.origin, Packet::<T::AccountId>::Ack(ack).encode());
	}

	/// Step 6: succeeds only if `proof` shows that the next hop of `flight` had not received it
	/// at one of its headers past the timeout. Heights count only when it is the destination.
	fn prove_late(
		flight: &InFlight<LaneOf<T>>,
		proof: <T::DeliveryProver as DeliveryProver<LaneOf<T>>>::Proof,
	) -> DispatchResult {
		// Checking a proof hashes all of it; the call's weight is constant, so its size is bounded.
		ensure!(proof.encoded_size() <= MAX_TIMEOUT_PROOF_SIZE as usize, Error::<T>::ProofTooLarge);
		let height_applies = flight.next_hop == flight.destination;
		T::DeliveryProver::prove_not_delivered(
			flight.lane,
			flight.lane_nonce,
			&flight.timeout,
			height_applies,
			proof,
		)
	}
}

impl<T: Config> RequestSender<T::AccountId> for Pallet<T> {
	fn send_request(
		sender: &T::AccountId,
		destination: NetworkAddress,
		service: Service,
		payload: Vec<u8>,
		max_weight: Weight,
		timeout: Timeout,
	) -> Result<MessageId, DispatchError> {
		// Not every caller runs in a storage transaction of its own; a refusal leaves no trace.
		frame_support::storage::with_storage_layer(|| {
			Self::do_send(sender.clone(), destination, service, payload, max_weight, timeout)
		})
	}

	fn send_weight(payload_len: u32) -> Weight {
		T::WeightInfo::send(payload_len)
	}
}
