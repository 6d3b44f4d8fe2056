//! What the runtime plugs under the router: the lanes, and the proofs of non-delivery. What it
//! plugs on top (the services, and the pallets that send and hear of settlements) is in
//! [`plexus_primitives::service`], so that those pallets need not depend on the router.

use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use plexus_primitives::envelope::Timeout;

/// The bridge lanes the router sends packets on (pallet-bridge-messages in the runtime).
pub trait Transport {
	/// Names one direct bridge: in the Plexus runtime, the peer slot of a pair of bridge pallets.
	type Lane: Parameter + MaxEncodedLen + Copy + Ord;

	/// Queues `packet` on `lane` and returns the lane's nonce for it. Fails without side effects
	/// if the lane does not accept it (closed, full, too large).
	fn send(lane: Self::Lane, packet: Vec<u8>) -> Result<u64, DispatchError>;

	/// The largest encoded packet `lane` carries.
	fn max_packet_size() -> u32;
}

/// Checks a peer network's state, read through its on-chain light client.
pub trait DeliveryProver<Lane> {
	/// A storage proof of the peer at one of its finalized headers.
	type Proof: Parameter;

	/// Succeeds only if `proof` shows that, on the peer bound to `lane`, the packet with lane
	/// nonce `nonce` had not been received at a header past `timeout`. `height_applies` says
	/// whether the peer is the request's destination (its heights are the timeout's heights);
	/// otherwise only the timestamp bound counts.
	fn prove_not_delivered(
		lane: Lane,
		nonce: u64,
		timeout: &Timeout,
		height_applies: bool,
		proof: Self::Proof,
	) -> DispatchResult;
}

/// What a proof of non-delivery establishes about a peer, at one of its finalized headers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PeerLaneState {
	/// The nonce of the last packet the peer's inbound lane from us had received.
	pub last_delivered_nonce: u64,
	/// The header's block number.
	pub height: u32,
	/// The peer's timestamp at that header (Unix milliseconds).
	pub timestamp: u64,
}

impl PeerLaneState {
	/// Whether this state proves that packet `nonce` missed `timeout`: it had not arrived, and
	/// the peer was already past the deadline, so it will refuse to execute it.
	pub fn proves_late(&self, nonce: u64, timeout: &Timeout, height_applies: bool) -> bool {
		let undelivered = self.last_delivered_nonce < nonce;
		let past_height = height_applies && timeout.height.is_some_and(|h| self.height > h);
		let past_time = timeout.timestamp.is_some_and(|t| self.timestamp > t);
		undelivered && (past_height || past_time)
	}
}

/// Sets up what the benchmarks need from the runtime's lanes and light clients.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<Lane, Proof> {
	/// Two distinct lanes that accept packets.
	fn lanes() -> (Lane, Lane);
	/// A proof, valid for the runtime's prover, that packet `nonce` on `lane` missed `timeout`.
	fn late_proof(lane: Lane, nonce: u64, timeout: &Timeout) -> Proof;
}

#[cfg(test)]
mod tests {
	use super::*;

	const TIMEOUT: Timeout = Timeout { height: Some(10), timestamp: Some(5_000) };

	fn state(last_delivered_nonce: u64, height: u32, timestamp: u64) -> PeerLaneState {
		PeerLaneState { last_delivered_nonce, height, timestamp }
	}

	#[test]
	fn only_an_undelivered_packet_past_its_deadline_is_late() {
		// Delivered: never late, whatever the clock says.
		assert!(!state(3, 99, 99_999).proves_late(3, &TIMEOUT, true));
		// Not delivered, but the deadline has not passed on the peer.
		assert!(!state(2, 10, 5_000).proves_late(3, &TIMEOUT, true));
		// Past the height, or past the time.
		assert!(state(2, 11, 0).proves_late(3, &TIMEOUT, true));
		assert!(state(2, 0, 5_001).proves_late(3, &TIMEOUT, true));
	}

	#[test]
	fn heights_count_only_on_the_destination() {
		assert!(!state(0, 11, 0).proves_late(1, &TIMEOUT, false));
		assert!(state(0, 0, 5_001).proves_late(1, &TIMEOUT, false));
		let height_only = Timeout { height: Some(10), timestamp: None };
		assert!(!state(0, 1_000, u64::MAX).proves_late(1, &height_only, false));
	}
}
