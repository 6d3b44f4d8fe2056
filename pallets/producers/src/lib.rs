//! # Producers
//!
//! The block producers of a Plexus network: the accounts whose session keys are Aura's
//! authorities and GRANDPA's voters. The network's governance origin adds and removes them while
//! the network runs; pallet-session carries each change to Aura and GRANDPA.
//!
//! ## The protocol
//!
//! 1. **Keys.** A would-be producer runs a node, has it make session keys for its account
//!    (`author_rotateKeysWithOwner` with the account's SCALE-encoded id as owner: the keys and a
//!    proof that their holder signed that account) and registers them from the account with
//!    `Session::set_keys(keys, proof)`, which holds pallet-session's key deposit.
//! 2. **Admission.** The governance origin calls [`Pallet::add_producer`]. Only an account with
//!    registered session keys is admitted (`NoSessionKeys`): one without would never author or
//!    vote, and two thirds of GRANDPA's voters must vote. At most `MaxProducers` (Aura's and
//!    GRANDPA's `MaxAuthorities`). [`Pallet::remove_producer`] takes one out, never the last one
//!    with keys (`LastProducer`).
//! 3. **Session ends.** A session can end every `SessionPeriod` blocks, and ends only when there is
//!    something to carry ([`Rotation`]): the producers with keys differ from the set pallet-session
//!    has queued (a producer was added or removed, or set or purged its keys), or a queued change
//!    waits to be applied. pallet-session charges a session end as a full block (its
//!    `on_initialize` returns the block's maximum weight, so that block takes no normal
//!    transaction): a network whose producers do not change has no session ends at all.
//! 4. **Planning.** At a session end pallet-session asks [`SessionManager::new_session`] for the set
//!    after the one it is starting. It gets the producers with keys if they differ from the starting
//!    set, otherwise `None`, and then queues the starting set again with its current keys, marked
//!    changed only if a key changed. GRANDPA starts a new authority set (a new set id) exactly when
//!    pallet-session marks a change, so a set that stays the same never makes one and a bridged
//!    peer's light client needs a mandatory header only for a real change.
//! 5. **Enactment.** What one session end queued, the next applies: Aura's authorities change in
//!    that block, and GRANDPA schedules a standard change with delay 0, enacted in the same block
//!    (the only kind pallet-bridge-grandpa accepts). A call thus takes effect at the second
//!    session end after it, one to two `SessionPeriod`s later.
//! 6. **Never empty.** A session never ends while no producer has keys (all of them purged their
//!    keys): pallet-session would queue an empty set, which Aura ignores but GRANDPA would adopt,
//!    ending finality. Aura and GRANDPA keep the set they have until a producer has keys again.
//!
//! At genesis the producers are pallet-session's genesis `keys` validators, adopted when session 0
//! starts: a chain spec lists them once, in pallet-session's genesis.
//!
//! GRANDPA finalizes a block only with more than two thirds of its voters: with one to three
//! producers every one of them must vote. Admit a producer once its node runs with its keys, and
//! remove one while the others still finalize: a standard change is enacted only when the old set
//! finalizes the block that carries it.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod weights;

#[cfg(test)]
mod tests;

pub use pallet::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{dispatch::DispatchClass, pallet_prelude::*};
use frame_system::pallet_prelude::*;
use sp_runtime::traits::Zero;

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ pallet_session::Config<ValidatorId = <Self as frame_system::Config>::AccountId>
	{
		/// Adds and removes producers.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// At most this many producers: no more than Aura and GRANDPA take.
		#[pallet::constant]
		type MaxProducers: Get<u32>;
		/// A session can end every this many blocks ([`Rotation`]); zero: never.
		#[pallet::constant]
		type SessionPeriod: Get<BlockNumberFor<Self>>;
		type WeightInfo: WeightInfo;
	}

	/// The producers, in the order they were admitted (genesis' first). Each had session keys
	/// when admitted.
	#[pallet::storage]
	pub type Producers<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxProducers>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` authors and votes from the second session end on.
		ProducerAdded { who: T::AccountId },
		/// `who` stops authoring and voting at the second session end.
		ProducerRemoved { who: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account has no session keys: it registers them with `Session::set_keys` first.
		NoSessionKeys,
		AlreadyProducer,
		NotProducer,
		/// There are `MaxProducers` producers already.
		TooManyProducers,
		/// The removal would leave no producer with session keys.
		LastProducer,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxProducers::get() > 0, "a network needs room for a producer");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Admits `who`, which has session keys, as a producer. Governance only.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::add_producer(T::MaxProducers::get()))]
		pub fn add_producer(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(pallet_session::NextKeys::<T>::contains_key(&who), Error::<T>::NoSessionKeys);
			Producers::<T>::try_mutate(|producers| {
				ensure!(!producers.contains(&who), Error::<T>::AlreadyProducer);
				producers.try_push(who.clone()).map_err(|_| Error::<T>::TooManyProducers)
			})?;
			Self::deposit_event(Event::ProducerAdded { who });
			Ok(())
		}

		/// Removes `who` from the producers, unless no producer with keys would remain.
		/// Governance only.
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::remove_producer(T::MaxProducers::get()))]
		pub fn remove_producer(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Producers::<T>::try_mutate(|producers| {
				let index =
					producers.iter().position(|p| p == &who).ok_or(Error::<T>::NotProducer)?;
				producers.remove(index);
				ensure!(
					producers.iter().any(pallet_session::NextKeys::<T>::contains_key),
					Error::<T>::LastProducer
				);
				Ok::<_, Error<T>>(())
			})?;
			Self::deposit_event(Event::ProducerRemoved { who });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The producers that have session keys, with their keys: the set a session end would plan.
	pub fn planned() -> Vec<(T::AccountId, T::Keys)> {
		Producers::<T>::get()
			.into_iter()
			.filter_map(|p| pallet_session::NextKeys::<T>::get(&p).map(|keys| (p, keys)))
			.collect()
	}

	/// Whether a session end has something to carry: a queued change to apply, or a plan that
	/// differs from the queued set. Never when no producer has keys.
	pub fn rotation_due() -> bool {
		let planned = Self::planned();
		!planned.is_empty()
			&& (pallet_session::QueuedChanged::<T>::get()
				|| planned != pallet_session::QueuedKeys::<T>::get())
	}
}

/// pallet-session's `ShouldEndSession`: a session ends at a multiple of `SessionPeriod` blocks,
/// and only when [`Pallet::rotation_due`]. Its reads are charged to the block they happen in.
pub struct Rotation<T>(core::marker::PhantomData<T>);

impl<T: Config> pallet_session::ShouldEndSession<BlockNumberFor<T>> for Rotation<T> {
	fn should_end_session(now: BlockNumberFor<T>) -> bool {
		let period = T::SessionPeriod::get();
		if period.is_zero() || !(now % period).is_zero() {
			return false;
		}
		let count = Producers::<T>::decode_len().unwrap_or(0) as u32;
		frame_system::Pallet::<T>::register_extra_weight_unchecked(
			<T as Config>::WeightInfo::rotation_check(count),
			DispatchClass::Mandatory,
		);
		Pallet::<T>::rotation_due()
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	/// The producers with keys if they differ from the set session `index - 1` starts with,
	/// else `None`: pallet-session then keeps that set and marks a change only if a key changed,
	/// so that GRANDPA makes no new set for an unchanged one.
	fn new_session(_index: u32) -> Option<Vec<T::AccountId>> {
		let planned: Vec<_> = Producers::<T>::get()
			.into_iter()
			.filter(|p| pallet_session::NextKeys::<T>::contains_key(p))
			.collect();
		(!planned.is_empty() && planned != pallet_session::Validators::<T>::get())
			.then_some(planned)
	}

	/// The genesis sets are pallet-session's genesis `keys`.
	fn new_session_genesis(_index: u32) -> Option<Vec<T::AccountId>> {
		None
	}

	/// Session 0 starts at genesis: its validators are the first producers.
	fn start_session(index: u32) {
		if index == 0 && Producers::<T>::get().is_empty() {
			let genesis = BoundedVec::try_from(pallet_session::Validators::<T>::get())
				.expect("genesis lists at most MaxProducers producers");
			Producers::<T>::put(genesis);
		}
	}

	fn end_session(_index: u32) {}
}
