// This file is part of Plexus. SPDX-License-Identifier: GPL-3.0-or-later WITH Classpath-exception-2.0

//! The extensions' measured weights, with the sender's account counted once.
//!
//! `CheckNonce` and `ChargeTransactionPayment` both read and write the sender's `System::Account`,
//! and each one's measured weight charges that read and write at `DbWeight`. In a block the second
//! access hits the overlay (its cost is in the second extension's measured compute) and the key is
//! committed once. Every signed transaction is charged `charge_transaction_payment`'s weight, with
//! the account's read and write, so the nonce check here keeps its measured compute and leaves the
//! account's database terms to the payment. Nothing else changes: the other functions are the
//! measured ones (`frame_system_extensions.rs`).

use super::frame_system_extensions::WeightInfo as Measured;
use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};
use frame_system::ExtensionsWeightInfo;

pub struct ExtensionWeights<T>(PhantomData<T>);

impl<T: frame_system::Config> ExtensionsWeightInfo for ExtensionWeights<T> {
	fn check_genesis() -> Weight {
		Measured::<T>::check_genesis()
	}
	fn check_mortality_mortal_transaction() -> Weight {
		Measured::<T>::check_mortality_mortal_transaction()
	}
	fn check_mortality_immortal_transaction() -> Weight {
		Measured::<T>::check_mortality_immortal_transaction()
	}
	fn check_non_zero_sender() -> Weight {
		Measured::<T>::check_non_zero_sender()
	}
	/// The sender's account read and write are the payment's (see the module's documentation).
	fn check_nonce() -> Weight {
		Measured::<T>::check_nonce().saturating_sub(T::DbWeight::get().reads_writes(1, 1))
	}
	fn check_spec_version() -> Weight {
		Measured::<T>::check_spec_version()
	}
	fn check_tx_version() -> Weight {
		Measured::<T>::check_tx_version()
	}
	fn check_weight() -> Weight {
		Measured::<T>::check_weight()
	}
	fn weight_reclaim() -> Weight {
		Measured::<T>::weight_reclaim()
	}
}
