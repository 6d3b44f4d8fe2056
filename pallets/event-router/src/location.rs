//! Networks as XCM locations: how [`Pallet::send`](crate::Pallet::send) reads its destination
//! (step 1), and how clients write one.
//!
//! Only `GlobalConsensus(ByGenesis(..))` seen from a network names a network; any other location
//! (a parachain, an account, this network's own interior) is refused.

use crate::NetworkAddress;
use xcm::{
	latest::{Junction, Junctions, Location, NetworkId as XcmNetworkId},
	VersionedLocation,
};

/// Step 1: the network a location names: `GlobalConsensus(ByGenesis(hash))` seen from a network.
pub fn network_of(location: VersionedLocation) -> Option<NetworkAddress> {
	let location: Location = location.try_into().ok()?;
	match (location.parents, location.interior) {
		(1, Junctions::X1(junctions)) => match junctions.as_ref() {
			[Junction::GlobalConsensus(XcmNetworkId::ByGenesis(genesis))] => Some(*genesis),
			_ => None,
		},
		_ => None,
	}
}

/// Step 1: the location of a network, as [`network_of`] reads it (the destination of a `send`).
pub fn location_of(network: NetworkAddress) -> VersionedLocation {
	Location::new(1, [Junction::GlobalConsensus(XcmNetworkId::ByGenesis(network))]).into()
}
