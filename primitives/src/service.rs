//! What the event router and the pallets behind it agree on: where a routed request comes from
//! ([`RemoteOrigin`]), how a network serves requests ([`ServiceHandler`]), how a pallet sends one
//! ([`RequestSender`]) and learns how it was settled ([`OnSettled`]).
//!
//! They sit next to the wire types of [`crate::envelope`] so that a service pallet depends on
//! these definitions only, not on the router; the runtime joins the two.

use crate::envelope::{Failure, MessageId, NetworkAddress, Outcome, Service, Timeout};
use alloc::vec::Vec;
use sp_runtime::DispatchError;
use sp_weights::Weight;

/// Where a request executes.
pub struct RemoteOrigin<'a, AccountId> {
	/// The network the request comes from (proven by the lane it arrived on).
	pub network: &'a NetworkAddress,
	/// The account that sent it on that network.
	pub account: &'a AccountId,
	/// The routed message that carries the request.
	pub message: MessageId,
}

/// Executes the requests of one or more [`Service`]s on this network.
pub trait ServiceHandler<AccountId> {
	/// Whether this network serves `service` at all.
	fn serves(service: Service) -> bool;

	/// Executes `payload` within `max_weight`. Returns the service's result (its digest goes in
	/// the acknowledgement) and the weight used. The router rolls back the state changes of a
	/// failed execution.
	fn execute(
		origin: RemoteOrigin<'_, AccountId>,
		service: Service,
		payload: &[u8],
		max_weight: Weight,
	) -> (Result<Vec<u8>, Failure>, Weight);
}

/// A network that serves nothing: every request is answered `ServiceUnavailable`.
impl<AccountId> ServiceHandler<AccountId> for () {
	fn serves(_: Service) -> bool {
		false
	}

	fn execute(
		_: RemoteOrigin<'_, AccountId>,
		_: Service,
		_: &[u8],
		_: Weight,
	) -> (Result<Vec<u8>, Failure>, Weight) {
		(Err(Failure::ServiceUnavailable), Weight::zero())
	}
}

/// Sends requests for other pallets, under the same rules and fees as the router's `send`
/// extrinsic.
pub trait RequestSender<AccountId> {
	/// Holds the fee from `sender` and queues the request; fails with no side effects.
	fn send_request(
		sender: &AccountId,
		destination: NetworkAddress,
		service: Service,
		payload: Vec<u8>,
		max_weight: Weight,
		timeout: Timeout,
	) -> Result<MessageId, DispatchError>;

	/// What [`Self::send_request`] costs for a payload of `payload_len` bytes.
	fn send_weight(payload_len: u32) -> Weight;
}

/// Told when a message sent from this network is settled: exactly once per message, by its
/// acknowledgement or by a proven timeout. Pallets that send through the router (the resource
/// manager) learn their requests' fate here.
pub trait OnSettled {
	fn on_settled(id: MessageId, outcome: &Outcome) -> Weight;

	/// The most [`Self::on_settled`] costs; the router reserves it with every settlement.
	fn weight() -> Weight;
}

impl OnSettled for () {
	fn on_settled(_: MessageId, _: &Outcome) -> Weight {
		Weight::zero()
	}

	fn weight() -> Weight {
		Weight::zero()
	}
}

/// The [`Failure`] a dispatch error is answered as: a pallet's error keeps its pallet index and
/// error code, so the sender can tell which one it was; any other error is `Dispatch`.
pub fn failure_of_dispatch_error(error: DispatchError) -> Failure {
	match error {
		DispatchError::Module(module) => {
			Failure::Module { index: module.index, error: module.error }
		},
		_ => Failure::Dispatch,
	}
}
