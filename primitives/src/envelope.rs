//! What travels on a lane: requests ([`Envelope`]) and their answers ([`Acknowledgement`]), both
//! wrapped in a [`Packet`].
//!
//! Every network runs the same runtime, so both ends agree on this encoding. Block numbers and
//! timestamps are fixed-width (`u32`, milliseconds in `u64`) because they are read on a network
//! other than the one that wrote them.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_weights::Weight;

/// A network, named by its genesis hash (XCM's `NetworkId::ByGenesis`).
pub type NetworkAddress = [u8; 32];

/// The kinds of service a network can offer to others.
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
pub enum Service {
	/// A versioned XCM program (`VersionedXcm<()>`), e.g. `Transact`.
	Xcm,
	/// A smart-contract request, served by the contract executor.
	Contract,
	/// A data-protection request, served by the data-protection pallet.
	DataProtection,
	/// A commit request of another network's transaction resource manager.
	Transaction,
}

/// A message's identity on every network it touches: the network that sent it and the
/// sequence number that network gave it.
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
	PartialOrd,
	Ord,
	Debug,
)]
pub struct MessageId {
	pub origin: NetworkAddress,
	pub sequence: u64,
}

/// When a request stops being worth executing. Either bound, or both; a request is expired once
/// one of them has passed on the destination. The event router requires the timestamp.
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
	Default,
	Debug,
)]
pub struct Timeout {
	/// The last block number of the destination network at which the request may execute.
	pub height: Option<u32>,
	/// The last timestamp (Unix milliseconds) at which the request may execute.
	pub timestamp: Option<u64>,
}

impl Timeout {
	/// Whether a network whose best block is `height` at time `now` must refuse to execute.
	pub fn has_passed(&self, height: u32, now: u64) -> bool {
		self.height.is_some_and(|h| height > h) || self.timestamp.is_some_and(|t| now > t)
	}

	pub fn is_unbounded(&self) -> bool {
		self.height.is_none() && self.timestamp.is_none()
	}
}

/// A request for a service on another network.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Envelope<AccountId> {
	pub id: MessageId,
	/// The account that sent it, on `id.origin`.
	pub sender: AccountId,
	pub destination: NetworkAddress,
	pub service: Service,
	pub payload: Vec<u8>,
	/// The most the destination may spend executing the payload.
	pub max_weight: Weight,
	pub timeout: Timeout,
	/// When the origin network sent it (Unix milliseconds).
	pub sent_at: u64,
}

/// Why a request did not execute, or failed.
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
pub enum Failure {
	/// A network on the way knows no route to the destination.
	Unroutable,
	/// The destination does not serve this kind of service.
	ServiceUnavailable,
	/// The destination could not decode the payload.
	MalformedPayload,
	/// Executing the payload needs more than the request's `max_weight`.
	WeightLimitExceeded,
	/// The lane it came on may not speak for the network it claims to come from.
	UntrustedOrigin,
	/// The payload executed and failed in a pallet; its state changes were rolled back.
	Module { index: u8, error: [u8; 4] },
	/// The payload executed and failed otherwise (arithmetic, tokens, …); rolled back.
	Dispatch,
	/// An XCM program stopped at top-level instruction `instruction` with XCM error code `error`
	/// (the index of `xcm::latest::Error`'s variant); its state changes were rolled back.
	Xcm { instruction: u8, error: u8 },
	/// A contract reverted; its state changes were rolled back.
	Reverted,
	/// The request's timeout has no timestamp, or one further ahead than the destination
	/// accepts (twice the router's `MaxRequestLifetime`): not executed. Only an origin that does
	/// not cap its timeouts sends such a request.
	TimeoutTooFar,
}

/// The destination's answer to a request.
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
pub enum Outcome {
	/// Executed; the digest is blake2-256 of the service's result.
	Ok([u8; 32]),
	/// Not executed, or executed and rolled back.
	Err(Failure),
	/// Arrived after its timeout and was not executed.
	TimedOut,
}

/// An answer on its way back to the request's origin.
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
pub struct Acknowledgement {
	pub id: MessageId,
	/// The network that decided the outcome.
	pub responder: NetworkAddress,
	pub outcome: Outcome,
}

/// The unit a lane carries.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum Packet<AccountId> {
	Request(Envelope<AccountId>),
	Ack(Acknowledgement),
}

impl<AccountId> Packet<AccountId> {
	/// The network this packet is finally for.
	pub fn final_destination(&self) -> NetworkAddress {
		match self {
			Packet::Request(envelope) => envelope.destination,
			Packet::Ack(ack) => ack.id.origin,
		}
	}

	/// The network that vouches for the packet's content.
	pub fn author(&self) -> NetworkAddress {
		match self {
			Packet::Request(envelope) => envelope.id.origin,
			Packet::Ack(ack) => ack.responder,
		}
	}
}

/// What one network knows of a message, as `EventRouterApi::message_status` reports it.
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
pub enum MessageStatus {
	/// This network has never seen it, or has forgotten it: the event router forgets a settled
	/// outcome, a receipt and a forwarding record some time (its `Retention`) after the
	/// message's settlement or deadline.
	Unknown,
	/// Sent from here; waiting for its acknowledgement or a proven timeout.
	AwaitingAck { destination: NetworkAddress, next_hop: NetworkAddress, lane_nonce: u64 },
	/// Sent from here and settled once and for all.
	Settled(Outcome),
	/// Passed through here towards `next_hop`; its acknowledgement has not come back yet.
	Forwarded { next_hop: NetworkAddress, lane_nonce: u64 },
	/// Addressed to this network, which decided `outcome`. `ack_queued` is false while no route
	/// back to the origin exists (`retry_ack` sends it once one does).
	Received { outcome: Outcome, ack_queued: bool },
}
