//! Who is who across networks.
//!
//! A network's address is its genesis hash ([`GenesisHash`]): every network built from this one
//! runtime has a genesis of its own, and frame-system keeps its hash forever. The event router,
//! the resource manager and data protection know this network by it, and XCM places it in the
//! universe as `GlobalConsensus(ByGenesis(genesis hash))` ([`UniversalLocation`]).
//!
//! An account of another network acts here as one local account: the one XCM's
//! [`ExternalConsensusLocationsConverterFor`] derives for
//! `../GlobalConsensus(ByGenesis(network))/AccountId32(account)` ([`RemoteAccount`]), the same
//! derivation bridge hubs use, so wallets and tools can compute it. It is that account whether
//! the sender arrives by XCM, a contract request, a resource-manager commit or a data-protection
//! request; no one holds its key, and no local account can be it.

use crate::{AccountId, Runtime};
use frame_support::traits::Get;
use plexus_primitives::envelope::NetworkAddress;
use sp_runtime::traits::{BlakeTwo256, Hash};
use xcm::latest::prelude::*;
use xcm_builder::ExternalConsensusLocationsConverterFor;
use xcm_executor::traits::ConvertLocation;

/// This network's address for the router: its genesis hash, which frame-system keeps forever.
pub struct GenesisHash;

impl Get<[u8; 32]> for GenesisHash {
	fn get() -> [u8; 32] {
		frame_system::BlockHash::<Runtime>::get(0).0
	}
}

/// Where this network sits in the universe of consensus systems: a global consensus of its own,
/// named by its genesis hash, as the router addresses it.
pub struct UniversalLocation;

impl Get<InteriorLocation> for UniversalLocation {
	fn get() -> InteriorLocation {
		[GlobalConsensus(NetworkId::ByGenesis(GenesisHash::get()))].into()
	}
}

/// The local account that acts for a remote location.
pub type LocationToAccountId = ExternalConsensusLocationsConverterFor<UniversalLocation, AccountId>;

/// The location of `account` on the network `network`, seen from here.
pub fn remote_account_location(network: &NetworkAddress, account: &AccountId) -> Location {
	Location::new(
		1,
		[
			GlobalConsensus(NetworkId::ByGenesis(*network)),
			AccountId32 { network: None, id: account.clone().into() },
		],
	)
}

/// The local account of an account of another network: the one XCM's `Transact` dispatches as,
/// so a remote sender is the same account whether it arrives by XCM, a contract request, a
/// commit of the resource manager or a data-protection request.
pub struct RemoteAccount;

impl sp_runtime::traits::Convert<(NetworkAddress, AccountId), AccountId> for RemoteAccount {
	fn convert((network, account): (NetworkAddress, AccountId)) -> AccountId {
		let location = remote_account_location(&network, &account);
		LocationToAccountId::convert_location(&location).unwrap_or_else(|| {
			// Unreachable: the converter maps every remote AccountId32. Still an account no one
			// holds the key of, never a local one.
			BlakeTwo256::hash_of(&(b"plexus/remote", network, account)).0.into()
		})
	}
}
