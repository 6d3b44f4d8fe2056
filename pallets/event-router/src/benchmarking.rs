//! Benchmarks of every call, of the three inbound paths (request, acknowledgement, forward), of
//! forgetting one entry in the block's sweep, and of paying one relayer.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Mutate;
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;
use traits::BenchmarkHelper;

const PEER: NetworkAddress = [0xb0; 32];
const FAR: NetworkAddress = [0xc0; 32];

fn bind_two_peers<T: Config>() -> (LaneOf<T>, LaneOf<T>) {
	let (near, far) = T::BenchmarkHelper::lanes();
	Peers::<T>::insert(PEER, near);
	LanePeers::<T>::insert(near, PEER);
	Peers::<T>::insert(FAR, far);
	LanePeers::<T>::insert(far, FAR);
	(near, far)
}

fn funded<T: Config>() -> T::AccountId {
	let who: T::AccountId = whitelisted_caller();
	let amount = Pallet::<T>::message_fee(T::MaxPayloadSize::get(), T::MaxDispatchWeight::get())
		.saturating_mul(1_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

/// A request from PEER for `destination`, with the largest payload.
fn request_to<T: Config>(destination: NetworkAddress) -> Envelope<T::AccountId> {
	Envelope {
		id: MessageId { origin: PEER, sequence: 0 },
		sender: whitelisted_caller::<T::AccountId>(),
		destination,
		service: Service::Xcm,
		payload: alloc::vec![0u8; T::MaxPayloadSize::get() as usize],
		max_weight: Weight::zero(),
		timeout: far_future::<T>(),
		sent_at: 0,
	}
}

/// The latest timeout `send` accepts.
fn far_future<T: Config>() -> Timeout {
	let latest = Pallet::<T>::now_ms().saturating_add(T::MaxRequestLifetime::get());
	Timeout { height: Some(u32::MAX), timestamp: Some(latest) }
}

/// Sends one request from `who` to PEER and returns its id.
fn send_one<T: Config>(who: &T::AccountId) -> MessageId {
	let id = MessageId { origin: T::ThisNetwork::get(), sequence: NextSequence::<T>::get() };
	Pallet::<T>::send(
		RawOrigin::Signed(who.clone()).into(),
		Some(Box::new(location_of(PEER))),
		Service::Xcm,
		Default::default(),
		Weight::zero(),
		far_future::<T>(),
	)
	.expect("a funded sender and a bound peer");
	id
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn send(n: Linear<0, { T::MaxPayloadSize::get() }>) {
		bind_two_peers::<T>();
		let who = funded::<T>();
		let payload: BoundedVec<u8, T::MaxPayloadSize> =
			alloc::vec![1u8; n as usize].try_into().expect("n is within the bound");
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who),
			Some(Box::new(location_of(PEER))),
			Service::Xcm,
			payload,
			T::MaxDispatchWeight::get(),
			far_future::<T>(),
		);
		assert_eq!(NextSequence::<T>::get(), 1);
	}

	#[benchmark]
	fn claim_timeout() {
		bind_two_peers::<T>();
		let who = funded::<T>();
		let timeout = Timeout { height: Some(1), timestamp: Some(1) };
		let id = MessageId { origin: T::ThisNetwork::get(), sequence: 0 };
		// Sent with a deadline already behind it, as if it had waited a long time.
		let sent = {
			let _ = send_one::<T>(&who);
			let mut sent = Outbox::<T>::get(id).expect("just sent");
			sent.flight.timeout = timeout;
			Outbox::<T>::insert(id, sent.clone());
			sent
		};
		let proof =
			T::BenchmarkHelper::late_proof(sent.flight.lane, sent.flight.lane_nonce, &timeout);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id, proof);
		assert_eq!(Settled::<T>::get(id), Some(Outcome::TimedOut));
	}

	#[benchmark]
	fn bind_peer() -> Result<(), BenchmarkError> {
		let (lane, _) = T::BenchmarkHelper::lanes();
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, PEER, lane);
		assert_eq!(Peers::<T>::get(PEER), Some(lane));
		Ok(())
	}

	#[benchmark]
	fn unbind_peer() -> Result<(), BenchmarkError> {
		bind_two_peers::<T>();
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, PEER);
		assert!(!Peers::<T>::contains_key(PEER));
		Ok(())
	}

	#[benchmark]
	fn set_next_hop() -> Result<(), BenchmarkError> {
		bind_two_peers::<T>();
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, [0xd0; 32], Some(PEER));
		assert_eq!(NextHops::<T>::get([0xd0; 32]), Some(PEER));
		Ok(())
	}

	#[benchmark]
	fn set_provider() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Service::Contract, Some(PEER));
		assert_eq!(Providers::<T>::get(Service::Contract), Some(PEER));
		Ok(())
	}

	#[benchmark]
	fn retry_ack() {
		bind_two_peers::<T>();
		let who = funded::<T>();
		let id = MessageId { origin: PEER, sequence: 7 };
		Inbox::<T>::insert(id, Receipt { outcome: Outcome::TimedOut, ack_queued: false });
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id);
		assert!(Inbox::<T>::get(id).is_some_and(|r| r.ack_queued));
	}

	#[benchmark]
	fn receive_request() {
		let (lane, _) = bind_two_peers::<T>();
		let envelope = request_to::<T>(T::ThisNetwork::get());
		let packet = Packet::Request(envelope.clone()).encode();
		#[block]
		{
			Pallet::<T>::receive(lane, &packet);
		}
		assert!(Inbox::<T>::contains_key(envelope.id));
	}

	#[benchmark]
	fn receive_ack() {
		bind_two_peers::<T>();
		let who = funded::<T>();
		let id = send_one::<T>(&who);
		let lane = Peers::<T>::get(PEER).expect("bound");
		// The delivery already confirmed: settling pays the relayer, the costliest settlement.
		let nonce = Outbox::<T>::get(id).expect("just sent").flight.lane_nonce;
		let relayer: T::AccountId = account("relayer", 0, 0);
		Pallet::<T>::on_delivery_confirmed(lane, &relayer, nonce..=nonce);
		let ack = Acknowledgement { id, responder: PEER, outcome: Outcome::Ok([7; 32]) };
		let packet = Packet::<T::AccountId>::Ack(ack).encode();
		#[block]
		{
			Pallet::<T>::receive(lane, &packet);
		}
		assert!(Settled::<T>::contains_key(id));
	}

	#[benchmark]
	fn forward() {
		let (near, _) = bind_two_peers::<T>();
		let far_away: NetworkAddress = [0xe0; 32];
		// PEER speaks for FAR_AWAY's packets; they go on to FAR.
		NextHops::<T>::insert(far_away, FAR);
		let envelope = request_to::<T>(far_away);
		let packet = Packet::Request(envelope.clone()).encode();
		#[block]
		{
			Pallet::<T>::receive(near, &packet);
		}
		assert!(Forwarded::<T>::contains_key(envelope.id));
	}

	/// One entry forgotten, of the kind that costs most: a receipt, read to check that its
	/// acknowledgement left, then removed with its index key.
	#[benchmark]
	fn sweep_key() {
		let id = MessageId { origin: PEER, sequence: 7 };
		Inbox::<T>::insert(id, Receipt { outcome: Outcome::TimedOut, ack_queued: true });
		// Any time but minute 0, which the retention cursor reads as "nothing scheduled".
		let minute = plexus_primitives::retention::BUCKET_MS;
		let due = Pallet::<T>::now_ms().max(minute);
		Pallet::<T>::forget_at(Expiring::Inbox(id), due);
		let later = due.saturating_add(2 * minute);
		#[block]
		{
			Pallet::<T>::sweep(later);
		}
		assert!(!Inbox::<T>::contains_key(id));
	}

	/// A delivery confirmation naming the relayer of a message already answered: the fee moves
	/// from the sender's hold to the relayer, a new account.
	#[benchmark]
	fn pay_relayer() {
		bind_two_peers::<T>();
		let who = funded::<T>();
		let id = send_one::<T>(&who);
		let sent = Outbox::<T>::get(id).expect("just sent");
		let lane = sent.flight.lane;
		let nonce = sent.flight.lane_nonce;
		let ack = Acknowledgement { id, responder: PEER, outcome: Outcome::Ok([7; 32]) };
		Pallet::<T>::receive(lane, &Packet::<T::AccountId>::Ack(ack).encode());
		let relayer: T::AccountId = account("relayer", 0, 0);
		let touched;
		#[block]
		{
			touched = Pallet::<T>::on_delivery_confirmed(lane, &relayer, nonce..=nonce);
		}
		assert_eq!(touched, 1);
		assert!(!HeldFees::<T>::contains_key((lane, nonce)));
		assert_eq!(T::Currency::balance(&relayer), sent.fee);
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::tests::mock::new_bench_ext(),
		crate::tests::mock::Test
	);
}
