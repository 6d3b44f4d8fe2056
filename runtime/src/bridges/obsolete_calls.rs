//! A transaction extension that keeps stale bridge transactions out of the pool and out of
//! blocks: finality proofs of headers the light client already has, and deliveries or
//! confirmations that do not continue their lane exactly where it stands (replayed, reordered
//! or already relayed by another relayer).
//!
//! The bridge pallets themselves accept such a delivery and skip its messages; this extension
//! makes it invalid instead, so that a relayer pays nothing for it and the chain stores nothing.
//! It is the check polkadot-sdk's bridge hubs make, done per peer slot with the pallets' own
//! `CallSubType` helpers.

use crate::{Runtime, RuntimeCall};
use codec::{Decode, DecodeWithMemTracking, Encode};
use frame_support::{
	instances::{Instance1, Instance2, Instance3, Instance4},
	weights::Weight,
};
use scale_info::TypeInfo;
use sp_runtime::{
	impl_tx_ext_default,
	traits::{DispatchInfoOf, DispatchOriginOf, Implication, TransactionExtension, ValidateResult},
	transaction_validity::{TransactionSource, TransactionValidityError, ValidTransaction},
};

#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Copy, Eq, PartialEq, Default, TypeInfo)]
pub struct RejectObsoleteBridgeCalls;

impl core::fmt::Debug for RejectObsoleteBridgeCalls {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "RejectObsoleteBridgeCalls")
	}
}

/// Whether `call` is one the check reads state for.
fn is_bridge_call(call: &RuntimeCall) -> bool {
	matches!(
		call,
		RuntimeCall::BridgeSlot1Grandpa(_)
			| RuntimeCall::BridgeSlot2Grandpa(_)
			| RuntimeCall::BridgeSlot3Grandpa(_)
			| RuntimeCall::BridgeSlot4Grandpa(_)
			| RuntimeCall::BridgeSlot1Messages(_)
			| RuntimeCall::BridgeSlot2Messages(_)
			| RuntimeCall::BridgeSlot3Messages(_)
			| RuntimeCall::BridgeSlot4Messages(_)
	)
}

/// Refuses `call` if it is a bridge call that would change nothing.
pub fn check(call: &RuntimeCall) -> Result<(), TransactionValidityError> {
	macro_rules! slot {
		($instance:ident) => {
			pallet_bridge_grandpa::CallSubType::<Runtime, $instance>::check_obsolete_submit_finality_proof(call)?;
			pallet_bridge_messages::CallSubType::<Runtime, $instance>::check_obsolete_call(call)?;
		};
	}
	if is_bridge_call(call) {
		slot!(Instance1);
		slot!(Instance2);
		slot!(Instance3);
		slot!(Instance4);
	}
	Ok(())
}

impl TransactionExtension<RuntimeCall> for RejectObsoleteBridgeCalls {
	const IDENTIFIER: &'static str = "RejectObsoleteBridgeCalls";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &RuntimeCall) -> Weight {
		// The light client's best header, or the lane's state.
		if is_bridge_call(call) {
			<Runtime as frame_system::Config>::DbWeight::get().reads(1)
		} else {
			Weight::zero()
		}
	}

	fn validate(
		&self,
		origin: DispatchOriginOf<RuntimeCall>,
		call: &RuntimeCall,
		_info: &DispatchInfoOf<RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Implication,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, RuntimeCall> {
		check(call)?;
		Ok((ValidTransaction::default(), (), origin))
	}

	impl_tx_ext_default!(RuntimeCall; prepare);
}
