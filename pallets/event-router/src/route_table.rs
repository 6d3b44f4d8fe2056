//! Which lane a packet leaves on, and which lanes may speak for which networks.
//!
//! Two governance-set tables decide it: the *peers* (networks with a direct bridge, each bound to
//! the lane of that bridge) and the *next hops* (for a network with no direct bridge, the peer
//! that forwards to it). The rules are written against [`RouteTable`] so that they can be tested
//! without a runtime; the pallet implements it over its storage ([`StorageRoutes`]).

use crate::{Config, LaneOf, NextHops, Peers};
use plexus_primitives::envelope::NetworkAddress;

/// Where a packet for some destination goes next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Route<Lane> {
	/// The directly bridged network that receives it.
	pub peer: NetworkAddress,
	pub lane: Lane,
	/// Whether `peer` is the destination itself.
	pub direct: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RouteError {
	/// Neither a peer nor a network with a next hop.
	NoRoute,
	/// The next hop set for the destination is not (or no longer) a bound peer.
	NextHopNotPeer,
}

pub trait RouteTable {
	type Lane: Copy;

	/// The lane of the direct bridge to `peer`, if there is one.
	fn lane_to(&self, peer: &NetworkAddress) -> Option<Self::Lane>;

	/// The peer that forwards packets for `destination`, if governance set one.
	fn next_hop(&self, destination: &NetworkAddress) -> Option<NetworkAddress>;

	/// The next step towards `destination`. A direct bridge wins over a configured next hop.
	fn route(&self, destination: &NetworkAddress) -> Result<Route<Self::Lane>, RouteError> {
		if let Some(lane) = self.lane_to(destination) {
			return Ok(Route { peer: *destination, lane, direct: true });
		}
		let peer = self.next_hop(destination).ok_or(RouteError::NoRoute)?;
		let lane = self.lane_to(&peer).ok_or(RouteError::NextHopNotPeer)?;
		Ok(Route { peer, lane, direct: false })
	}

	/// Whether a packet authored by `author` may arrive on the lane from `lane_peer`: the peer
	/// speaks for itself, and for the networks this table reaches through it. Anything else
	/// would let one network impersonate another.
	fn trusts(&self, lane_peer: &NetworkAddress, author: &NetworkAddress) -> bool {
		lane_peer == author || self.next_hop(author).as_ref() == Some(lane_peer)
	}
}

/// The route table over the pallet's storage.
pub struct StorageRoutes<T>(core::marker::PhantomData<T>);

impl<T> Default for StorageRoutes<T> {
	fn default() -> Self {
		Self(Default::default())
	}
}

impl<T: Config> RouteTable for StorageRoutes<T> {
	type Lane = LaneOf<T>;

	fn lane_to(&self, peer: &NetworkAddress) -> Option<Self::Lane> {
		Peers::<T>::get(peer)
	}

	fn next_hop(&self, destination: &NetworkAddress) -> Option<NetworkAddress> {
		NextHops::<T>::get(destination)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use alloc::collections::BTreeMap;

	#[derive(Default)]
	struct Table {
		peers: BTreeMap<NetworkAddress, u8>,
		hops: BTreeMap<NetworkAddress, NetworkAddress>,
	}

	impl RouteTable for Table {
		type Lane = u8;
		fn lane_to(&self, peer: &NetworkAddress) -> Option<u8> {
			self.peers.get(peer).copied()
		}
		fn next_hop(&self, destination: &NetworkAddress) -> Option<NetworkAddress> {
			self.hops.get(destination).copied()
		}
	}

	const B: NetworkAddress = [2; 32];
	const C: NetworkAddress = [3; 32];
	const D: NetworkAddress = [4; 32];

	#[test]
	fn direct_peer_is_preferred_over_next_hop() {
		let mut table = Table::default();
		table.peers.insert(B, 1);
		table.peers.insert(C, 2);
		table.hops.insert(C, B);
		assert_eq!(table.route(&C), Ok(Route { peer: C, lane: 2, direct: true }));
	}

	#[test]
	fn next_hop_must_be_a_peer() {
		let mut table = Table::default();
		table.hops.insert(C, B);
		assert_eq!(table.route(&C), Err(RouteError::NextHopNotPeer));
		table.peers.insert(B, 7);
		assert_eq!(table.route(&C), Ok(Route { peer: B, lane: 7, direct: false }));
		assert_eq!(table.route(&D), Err(RouteError::NoRoute));
	}

	#[test]
	fn a_peer_speaks_only_for_itself_and_what_we_route_through_it() {
		let mut table = Table::default();
		table.peers.insert(B, 1);
		table.peers.insert(D, 2);
		table.hops.insert(C, B);
		assert!(table.trusts(&B, &B));
		assert!(table.trusts(&B, &C));
		assert!(!table.trusts(&D, &C));
		assert!(!table.trusts(&B, &D));
	}
}
