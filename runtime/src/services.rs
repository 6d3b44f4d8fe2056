//! What this network serves to the event router: the services a routed request may ask for.
//!
//! - `Xcm`: an XCM program run by [`crate::xcm_config`] as the remote sender.
//! - `Contract`: a contract request run by the contract executor on pallet-revive.
//! - `Transaction`: a commit request of another network's resource manager.
//! - `DataProtection`: an access request, decided by the data-protection pallet.

use crate::AccountId;
use alloc::vec::Vec;
use frame_support::weights::Weight;
use plexus_primitives::{
	envelope::{Failure, Service},
	service::{RemoteOrigin, ServiceHandler},
};

pub struct RuntimeServices;

impl ServiceHandler<AccountId> for RuntimeServices {
	fn serves(service: Service) -> bool {
		matches!(
			service,
			Service::Xcm | Service::Contract | Service::Transaction | Service::DataProtection
		)
	}

	fn execute(
		origin: RemoteOrigin<'_, AccountId>,
		service: Service,
		payload: &[u8],
		max_weight: Weight,
	) -> (Result<Vec<u8>, Failure>, Weight) {
		match service {
			Service::Xcm => {
				crate::xcm_config::execute(origin.network, origin.account, payload, max_weight)
			},
			Service::Contract => crate::ContractExecutor::serve(origin, payload, max_weight),
			Service::Transaction => crate::ResourceManager::commit(origin, payload, max_weight),
			Service::DataProtection => crate::DataProtection::serve(origin, payload, max_weight),
		}
	}
}
