//! Bringing a bridge up (docs/bridges.md): each side's light client starts from the other's
//! finalized header and GRANDPA authority set, and each side's event router binds the slot to the
//! other's genesis hash. Both are governance calls (sudo on a testnet); what is already done is
//! skipped, so this can run again after a restart.

use crate::{slot::Slot, End};
use bp_header_chain::InitializationData;
use bp_runtime::BasicOperatingMode;
use codec::Encode;
use frame_support::Blake2_128Concat;
use plexus_client::{wait_until, Error};
use plexus_runtime::{Hash, RuntimeCall};
use sp_core::sr25519;
use sp_runtime::traits::Header as _;
use std::time::Duration;

fn router_key(map: &str, key: &[u8]) -> sp_core::storage::StorageKey {
	bp_runtime::storage_map_final_key::<Blake2_128Concat>("EventRouter", map, key)
}

/// Whether `end`'s router has `peer` bound.
pub async fn is_bound(end: &End, peer: Hash) -> Result<bool, Error> {
	let lane: Option<u8> = end.client.storage(&router_key("Peers", &peer.0.encode()), None).await?;
	Ok(lane.is_some())
}

/// Initialises both light clients of the bridge in `slot` and binds the slot on both routers.
pub async fn initialize(a: &End, b: &End, slot: Slot, sudo: &sr25519::Pair) -> Result<(), Error> {
	for (this, peer) in [(a, b), (b, a)] {
		if slot.known_header(this).await?.is_none() {
			let header = peer.client.finalized_head().await?;
			let at = Some(header.hash());
			let authority_list: Vec<(sp_consensus_grandpa::AuthorityId, u64)> =
				peer.client.runtime_call("GrandpaApi_grandpa_authorities", &[], at).await?;
			let set_id: u64 =
				peer.client.runtime_call("GrandpaApi_current_set_id", &[], at).await?;
			log::info!(
				target: "relay",
				"{}: initialising slot {} with {} #{} ({} authorities, set {set_id})",
				this.name, slot.0, peer.name, header.number(), authority_list.len()
			);
			let init = InitializationData {
				header: Box::new(header),
				authority_list,
				set_id,
				operating_mode: BasicOperatingMode::Normal,
			};
			this.client.submit(slot.initialize(init), sudo).await?;
		}
		if !is_bound(this, peer.client.genesis()).await? {
			this.client.submit(slot.bind_peer(peer.client.genesis()), sudo).await?;
		}
	}
	for (this, peer) in [(a, b), (b, a)] {
		wait_until(60, Duration::from_millis(500), || async {
			Ok(slot.known_header(this).await?.is_some()
				&& is_bound(this, peer.client.genesis()).await?)
		})
		.await
		.map_err(|e| format!("{}: slot {} did not come up: {e}", this.name, slot.0))?;
	}
	Ok(())
}

/// Routes `destination` through `via` (a bound peer) on `end`, unless already so.
pub async fn set_next_hop(
	end: &End,
	destination: Hash,
	via: Hash,
	sudo: &sr25519::Pair,
) -> Result<(), Error> {
	let current: Option<[u8; 32]> =
		end.client.storage(&router_key("NextHops", &destination.0.encode()), None).await?;
	if current == Some(via.0) {
		return Ok(());
	}
	let call =
		crate::slot::sudo(RuntimeCall::EventRouter(pallet_event_router::Call::set_next_hop {
			destination: destination.0,
			next_hop: Some(via.0),
		}));
	end.client.submit(call, sudo).await?;
	wait_until(60, Duration::from_millis(500), || async {
		let now: Option<[u8; 32]> =
			end.client.storage(&router_key("NextHops", &destination.0.encode()), None).await?;
		Ok(now == Some(via.0))
	})
	.await
	.map_err(|e| format!("{}: next hop not set: {e}", end.name))
}
