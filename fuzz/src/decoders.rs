//! `payload_decoders`: a routed request's payload, as its destination's runtime serves it. The
//! payload goes to the real services of the Plexus runtime (`RuntimeServices::execute`), each of
//! which decodes it with its own depth limit (`decode_all_with_depth_limit`): `VersionedXcm` for
//! `Xcm`, `ContractRequest` for `Contract`, `CommitRequest` for `Transaction` and
//! `AccessRequest` for `DataProtection`. Run in a storage transaction that is rolled back, as
//! the router does on failure, on one network built once per thread.
//!
//! Input: one byte choosing the service (bits 0-1) and the weight limit (bits 2-3), then the
//! payload. Invariant: nothing panics, whatever the payload.

use frame_support::weights::Weight;
use plexus_primitives::{
	envelope::{MessageId, Service},
	service::{RemoteOrigin, ServiceHandler},
};
use plexus_runtime::{services::RuntimeServices, AccountId, Runtime};
use plexus_testkit::in_process::Network;
use std::cell::RefCell;

/// The network the requests come from, and the account that sends them there.
pub const ORIGIN_NETWORK: [u8; 32] = [0x22; 32];
pub const SENDER: [u8; 32] = [0x01; 32];

pub const SERVICES: [Service; 4] =
	[Service::Xcm, Service::Contract, Service::Transaction, Service::DataProtection];

thread_local! {
	static NETWORK: RefCell<Option<Network>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's network, built on first use (a genesis of the real runtime).
pub fn with_network<R>(f: impl FnOnce(&mut Network) -> R) -> R {
	NETWORK.with(|network| {
		let mut network = network.borrow_mut();
		let network = network.get_or_insert_with(|| {
			let mut network = Network::new(1, "fuzz");
			// A block, so that the clock and the block number are set as in any block.
			network.block(|| ());
			network
		});
		f(network)
	})
}

/// The fuzz target: see the module's documentation.
pub fn payload_decoders(data: &[u8]) {
	let Some((&selector, payload)) = data.split_first() else { return };
	let service = SERVICES[usize::from(selector & 3)];
	let most: Weight = <Runtime as pallet_event_router::Config>::MaxDispatchWeight::get();
	let max_weight = match (selector >> 2) & 3 {
		0 => Weight::zero(),
		1 => Weight::from_parts(1_000_000_000, 64 * 1024),
		_ => most,
	};
	let account = AccountId::from(SENDER);
	let origin = RemoteOrigin {
		network: &ORIGIN_NETWORK,
		account: &account,
		message: MessageId { origin: ORIGIN_NETWORK, sequence: 0 },
	};
	with_network(|network| {
		network.read(|| {
			sp_io::storage::start_transaction();
			let _ = RuntimeServices::execute(origin, service, payload, max_weight);
			sp_io::storage::rollback_transaction();
		})
	});
}
