//! # Network info pallet
//!
//! Every Plexus network runs the same runtime. This pallet holds what makes one network itself,
//! all of it fixed at genesis and never changed afterwards:
//!
//! 1. its [`NetworkId`] — the number other networks and the event router address it by;
//! 2. its name — shown by clients, and part of the genesis state, so two networks built from one
//!    runtime with different names or ids always have different genesis hashes;
//! 3. its block time — the Aura slot duration and the timestamp pallet's minimum period are read
//!    from here ([`SlotDuration`], [`MinimumPeriod`]), so a topology file can choose it per network
//!    without a second runtime build.
//!
//! The genesis build refuses an empty, over-long or non-UTF-8 name and a block time outside
//! [`MIN_BLOCK_TIME_MS`]`..=`[`MAX_BLOCK_TIME_MS`]: a chain spec carrying such values fails to
//! build instead of producing a broken network.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use plexus_primitives::{
	NetworkId, NetworkIdentity, DEFAULT_BLOCK_TIME_MS, MAX_BLOCK_TIME_MS, MAX_NETWORK_NAME_LEN,
	MIN_BLOCK_TIME_MS,
};

use frame_support::traits::Get;

#[cfg(test)]
mod tests;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{pallet_prelude::*, BoundedVec};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	/// This network's id.
	#[pallet::storage]
	pub type Network<T> = StorageValue<_, NetworkId, ValueQuery>;

	/// This network's name (UTF-8).
	#[pallet::storage]
	pub type Name<T> = StorageValue<_, BoundedVec<u8, ConstU32<MAX_NETWORK_NAME_LEN>>, ValueQuery>;

	/// Target block time in milliseconds; the Aura slot duration.
	#[pallet::storage]
	pub type BlockTimeMillis<T> = StorageValue<_, u64, ValueQuery, DefaultBlockTime>;

	#[pallet::type_value]
	pub fn DefaultBlockTime() -> u64 {
		DEFAULT_BLOCK_TIME_MS
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		pub network_id: NetworkId,
		/// UTF-8 name; serialised as a plain string in chain specs.
		#[serde(with = "name_as_string")]
		pub name: Vec<u8>,
		/// Zero means [`DEFAULT_BLOCK_TIME_MS`].
		pub block_time_ms: u64,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let name = if self.name.is_empty() { b"plexus".to_vec() } else { self.name.clone() };
			let block_time =
				if self.block_time_ms == 0 { DEFAULT_BLOCK_TIME_MS } else { self.block_time_ms };
			if let Err(e) = plexus_primitives::validate_identity(&name, block_time) {
				panic!("invalid network identity in genesis: {e}");
			}
			Network::<T>::put(self.network_id);
			Name::<T>::put(BoundedVec::truncate_from(name));
			BlockTimeMillis::<T>::put(block_time);
		}
	}

	impl<T: Config> Pallet<T> {
		/// The network's identity, as the runtime API reports it.
		pub fn identity() -> NetworkIdentity {
			NetworkIdentity {
				network_id: Network::<T>::get(),
				name: Name::<T>::get().into_inner(),
				block_time_ms: BlockTimeMillis::<T>::get(),
			}
		}
	}
}

mod name_as_string {
	use alloc::{string::String, vec::Vec};
	use serde::{Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer>(name: &[u8], s: S) -> Result<S::Ok, S::Error> {
		s.serialize_str(&String::from_utf8_lossy(name))
	}

	pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
		Ok(String::deserialize(d)?.into_bytes())
	}
}

/// Aura slot duration read from genesis.
pub struct SlotDuration<T>(core::marker::PhantomData<T>);
impl<T: Config> Get<u64> for SlotDuration<T> {
	fn get() -> u64 {
		BlockTimeMillis::<T>::get()
	}
}

/// Timestamp minimum period: half the slot, as Aura requires.
pub struct MinimumPeriod<T>(core::marker::PhantomData<T>);
impl<T: Config> Get<u64> for MinimumPeriod<T> {
	fn get() -> u64 {
		BlockTimeMillis::<T>::get() / 2
	}
}
