//! # Transaction resource manager
//!
//! Commits an outcome on another Plexus network atomically: either the target applies it and the
//! coordinator consumes what it held, or neither happens. Two-phase commit with the decision
//! taken on the target and a presumed abort, carried by the event router.
//!
//! ## The protocol
//!
//! 1. **Prepare (coordinator).** [`Pallet::prepare`] (or the contract executor, through
//!    [`Coordinator`]) records a transaction as `Prepared` with a [`TxId`], holds what it moves
//!    from the initiator ([`Hold`]), and sends a [`CommitRequest`] to the target as a routed
//!    `Service::Transaction` request whose router timeout is the transaction's deadline.
//! 2. **Commit (target).** The target applies the request's [`Action`] (a transfer, a record
//!    write or a contract call) as the initiator's remote account, only if its deadline has not
//!    passed, it holds no receipt for the transaction yet, and no timeout was sealed for it. It
//!    stores a [`TxReceipt`] (`Applied`, with the call's return data) and answers with it; the
//!    acknowledgement carries the receipt's digest. A failed action is rolled back and answered
//!    as a refusal: the target's vote is no.
//! 3. **Seal (target, presumed abort).** A target that saw a commit request and did not apply
//!    it keeps the deadline that request carried ([`Deadlines`]). Once that deadline has passed
//!    there, anyone may call [`Pallet::seal_timeout`] with it: the transaction can then never
//!    be applied there, and [`Pallet::status`] reports it timed out. A seal for a transaction
//!    whose request never arrived, or for any other deadline, is refused (`UnknownDeadline`): the
//!    target cannot know such a transaction's real deadline, and a seal of a made-up one would
//!    report a live transaction as decided. The router already refuses to execute a request
//!    past its timeout, and rolls back what a refused commit wrote, this record included; so
//!    under the router a transaction that was not applied is `Unknown` on its target, and its
//!    coordinator's state is the one that tells.
//! 4. **Decide (coordinator).** The router settles the commit request exactly once. An `Ok`
//!    acknowledgement proves the receipt: the transaction is `Committed` and the hold is paid to
//!    its beneficiary. A refusal, a `TimedOut` answer or a timeout proven against the target's
//!    state (the router's `claim_timeout`) makes it `Aborted` and releases the hold. Neither
//!    happens twice.
//! 5. **Forget (both sides).** What is kept of a transaction goes once nothing can ask for it
//!    again ([`Expiring`]), `Retention` after that moment, by a sweep in `on_initialize` that
//!    does at most `MaxSweepPerBlock` keys a block:
//!    - on a target, its receipt, known deadline and seal go `Retention` after its deadline's
//!      time: past the deadline, the router refuses to execute its commit request and
//!      [`Pallet::commit`] refuses it too (`DeadlinePassed`), so it can never be applied again.
//!      That is why a commit request must carry a deadline with a time (`UnboundedDeadline`);
//!    - on the coordinator, a finished (`Committed` or `Aborted`) transaction goes `Retention`
//!      after it finished: the router settled its request once and for all, and the hold is
//!      paid or returned. Its initiator may [`Pallet::forget`] it before. A `Prepared` one is in
//!      doubt and is never forgotten.
//!
//!    [`Pallet::status`] (and [`Pallet::receipt_of`]) report a forgotten transaction `Unknown`:
//!    read the outcome within `Retention`, or from the events.
//!
//! A transaction stays `Prepared` (in doubt) only while its commit request is in flight; every
//! step is on chain, so a restarted relayer finishes it from chain state alone, and
//! [`Pallet::in_doubt`] lists what is open (the `ResourceManagerApi` runtime API).
//!
//! Records written on a target by `Record` actions are bounded per owner (`MaxRecordsPerOwner`
//! keys); a `Record` action with an empty value deletes its key. What they occupy is otherwise
//! paid by the routed request's fee at the origin.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod coordinator;
mod expiry;
mod participant;
pub mod weights;

#[cfg(test)]
mod tests;

pub use pallet::*;
pub use plexus_primitives::transaction::{
	AbortReason, Action, CommitRequest, Coordinator, Hold, ReceiptStatus, TxId, TxReceipt, TxState,
	TxStatus,
};
pub use weights::WeightInfo;

use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		UnixTime,
	},
};
use frame_system::pallet_prelude::*;
use plexus_primitives::{
	contract::ContractEngine,
	envelope::{MessageId, NetworkAddress, Timeout},
	service::RequestSender,
};
use sp_runtime::traits::Convert;

pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A transaction this network coordinates.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Transaction<AccountId, Balance> {
	pub initiator: AccountId,
	pub target: NetworkAddress,
	/// The routed commit request that carries it.
	pub message: MessageId,
	pub deadline: Timeout,
	pub outcome_hash: [u8; 32],
	/// What is held from the initiator, and for whom.
	pub hold: Option<(Balance, AccountId)>,
	pub state: TxState,
}

/// What an entry of the expiry index ([`Expiry`]) stands for: what is forgotten when it falls
/// due.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Expiring {
	/// A transaction of another coordinator, on its target: its receipt, or its known deadline
	/// and the seal of it. Due `Retention` after its deadline's time.
	Target(TxId),
	/// A finished transaction coordinated here, by sequence number. Due `Retention` after it
	/// finished.
	Finished(u64),
}

/// A receipt as the target keeps it.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[scale_info(skip_type_params(MaxResult))]
pub struct StoredReceipt<MaxResult: Get<u32>> {
	pub status: ReceiptStatus,
	pub outcome_hash: [u8; 32],
	pub result: BoundedVec<u8, MaxResult>,
	pub height: u32,
	pub timestamp: u64,
}

impl<MaxResult: Get<u32>> StoredReceipt<MaxResult> {
	pub fn to_receipt(&self, tx: TxId) -> TxReceipt {
		TxReceipt {
			tx,
			status: self.status,
			outcome_hash: self.outcome_hash,
			result: self.result.to_vec(),
			height: self.height,
			timestamp: self.timestamp,
		}
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Holds what open transactions move; pays transfers on targets.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;
		type RuntimeHoldReason: From<HoldReason>;
		/// Carries commit requests to targets (the event router).
		type Router: RequestSender<Self::AccountId>;
		/// Runs the contract calls that targets apply.
		type Contracts: ContractEngine<Self::AccountId>;
		/// The local account that acts for an account of another network (the same one XCM
		/// derives), as whom a target applies actions.
		type RemoteAccount: Convert<(NetworkAddress, Self::AccountId), Self::AccountId>;
		/// This network's address (its genesis hash).
		type ThisNetwork: Get<NetworkAddress>;
		type UnixTime: UnixTime;
		/// Longest key of a record action.
		#[pallet::constant]
		type MaxKeyLen: Get<u32>;
		/// Longest value of a record action.
		#[pallet::constant]
		type MaxValueLen: Get<u32>;
		/// Longest contract return data a receipt keeps.
		#[pallet::constant]
		type MaxResultLen: Get<u32>;
		/// How long (ms) what is known of a transaction is kept once nothing can ask for it any
		/// more: after its deadline on a target, after it finished on its coordinator. The time
		/// left to read its outcome (`status`, `receipt_of`); see step 5.
		#[pallet::constant]
		type Retention: Get<u64>;
		/// Most record keys one owner (a remote account) may hold on this network.
		#[pallet::constant]
		type MaxRecordsPerOwner: Get<u32>;
		/// Most keys of the expiry index forgotten in one block, and most of its (minute)
		/// buckets looked at: the sweep's per-block bound.
		#[pallet::constant]
		type MaxSweepPerBlock: Get<u32>;
		type WeightInfo: WeightInfo;
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper;
	}

	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Funds of an open transaction, paid out on commit, returned on abort.
		Transaction,
	}

	/// Sequence number of the next transaction this network coordinates.
	#[pallet::storage]
	pub type NextTransaction<T> = StorageValue<_, u64, ValueQuery>;

	/// Transactions this network coordinates, by sequence number.
	#[pallet::storage]
	pub type Transactions<T: Config> =
		StorageMap<_, Twox64Concat, u64, Transaction<T::AccountId, BalanceOf<T>>>;

	/// Which transaction each commit request carries.
	#[pallet::storage]
	pub type ByMessage<T> = StorageMap<_, Blake2_128Concat, MessageId, u64>;

	/// Transactions still `Prepared`: the in-doubt list, kept apart so it is cheap to read.
	#[pallet::storage]
	pub type InDoubt<T> = CountedStorageMap<_, Twox64Concat, u64, ()>;

	/// Transactions of other coordinators that this network applied, until `Retention` after
	/// their deadline.
	#[pallet::storage]
	pub type Receipts<T: Config> =
		StorageMap<_, Blake2_128Concat, TxId, StoredReceipt<T::MaxResultLen>>;

	/// The deadline of each transaction of another coordinator whose commit request reached this
	/// network and was not applied: the deadline its first request carried, the only one its
	/// timeout can be sealed for. Removed when the transaction is applied (its receipt decides
	/// it then); at most one entry per transaction its coordinator asked this network to apply,
	/// forgotten with its seal `Retention` after the deadline.
	#[pallet::storage]
	pub type Deadlines<T> = StorageMap<_, Blake2_128Concat, TxId, Timeout>;

	/// Timeouts sealed here: transaction and deadline, with the block number and time of the
	/// seal. Only the deadline in `Deadlines` can be sealed; the transaction is refused from
	/// then on.
	#[pallet::storage]
	pub type Seals<T> =
		StorageDoubleMap<_, Blake2_128Concat, TxId, Blake2_128Concat, Timeout, (u32, u64)>;

	/// Records written by committed `Record` actions: owner (network and account), key, value.
	/// At most `MaxRecordsPerOwner` keys per owner; an empty value deletes the key.
	#[pallet::storage]
	pub type Records<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		(NetworkAddress, T::AccountId),
		Blake2_128Concat,
		BoundedVec<u8, T::MaxKeyLen>,
		BoundedVec<u8, T::MaxValueLen>,
	>;

	/// How many keys each owner holds in `Records` (no entry: none).
	#[pallet::storage]
	pub type RecordCount<T: Config> =
		StorageMap<_, Blake2_128Concat, (NetworkAddress, T::AccountId), u32>;

	/// What to forget when: the minute (`retention::bucket`) it falls due, then what it is.
	#[pallet::storage]
	pub type Expiry<T> = StorageDoubleMap<_, Twox64Concat, u64, Blake2_128Concat, Expiring, ()>;

	/// The oldest minute of `Expiry` the sweep has not emptied yet (0: nothing ever filed).
	#[pallet::storage]
	pub type ExpiryCursor<T> = StorageValue<_, u64, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A transaction was prepared here and its commit request sent.
		Prepared {
			tx: TxId,
			initiator: T::AccountId,
			target: NetworkAddress,
			message: MessageId,
			deadline: Timeout,
			outcome_hash: [u8; 32],
			held: BalanceOf<T>,
		},
		/// The target applied it; the hold was paid to its beneficiary.
		Committed { tx: TxId, receipt: [u8; 32], paid: BalanceOf<T> },
		/// It will never be applied; the hold was returned.
		Aborted { tx: TxId, reason: AbortReason, released: BalanceOf<T> },
		/// This network applied a transaction of another coordinator.
		Applied { tx: TxId, initiator: T::AccountId, outcome_hash: [u8; 32], receipt: [u8; 32] },
		/// A transaction's deadline passed here without a commit; it can no longer be applied.
		Sealed { tx: TxId, deadline: Timeout },
		/// Its initiator removed a finished transaction's record.
		Forgotten { tx: TxId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A transaction needs another network as its target.
		TargetIsSelf,
		/// The held amount does not fit this network's balance type.
		AmountTooLarge,
		/// A hold below the existential deposit could not be paid to a new beneficiary.
		HoldBelowMinimum,
		/// A record key longer than `MaxKeyLen`.
		KeyTooLong,
		/// A record value longer than `MaxValueLen`.
		ValueTooLong,
		/// A contract's return data longer than `MaxResultLen`.
		ResultTooLong,
		/// The commit request does not come from the transaction's coordinator.
		NotCoordinator,
		/// The transaction was already decided here.
		AlreadyDecided,
		/// A timeout was sealed for this transaction.
		Sealed,
		/// The transaction's deadline has passed here.
		DeadlinePassed,
		/// The deadline has not passed here yet.
		DeadlineNotPassed,
		/// No commit request of the transaction with this deadline reached this network, so its
		/// timeout cannot be sealed here: a seal needs the deadline the coordinator gave it.
		UnknownDeadline,
		/// No transaction with this number is coordinated here.
		UnknownTransaction,
		/// Only the initiator may do this.
		NotInitiator,
		/// The transaction is still in doubt.
		NotFinished,
		/// A deadline without a time (a block number only): what a target keeps of the
		/// transaction is forgotten by its deadline's time, so a commit request needs one.
		UnboundedDeadline,
		/// The owner already holds `MaxRecordsPerOwner` record keys here; an empty value
		/// deletes one.
		TooManyRecords,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Step 5: forgets what fell due, at most `MaxSweepPerBlock` keys.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			Self::sweep_expired()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Prepares a transaction that applies `action` on `target` before `deadline`: holds
		/// `hold` from the caller and sends the commit request.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::prepare(action.encoded_size() as u32))]
		pub fn prepare(
			origin: OriginFor<T>,
			target: NetworkAddress,
			action: Action<T::AccountId>,
			deadline: Timeout,
			hold: Option<Hold<T::AccountId>>,
		) -> DispatchResult {
			let initiator = ensure_signed(origin)?;
			let outcome_hash = sp_io::hashing::blake2_256(&action.encode());
			Self::open_transaction(&initiator, target, action, deadline, hold, outcome_hash)
				.map(|_| ())
		}

		/// Seals the timeout of a transaction whose commit request reached this network and was
		/// not applied, once its deadline (the one that request carried) has passed here: it can
		/// then never be applied here. Anyone may call it.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::seal_timeout())]
		pub fn seal_timeout(origin: OriginFor<T>, tx: TxId, deadline: Timeout) -> DispatchResult {
			ensure_signed(origin)?;
			Self::seal(tx, deadline)
		}

		/// Removes the record of a finished transaction this network coordinated (XA forget),
		/// before the sweep would, `Retention` after it finished.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::forget())]
		pub fn forget(origin: OriginFor<T>, sequence: u64) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let transaction =
				Transactions::<T>::get(sequence).ok_or(Error::<T>::UnknownTransaction)?;
			ensure!(transaction.initiator == who, Error::<T>::NotInitiator);
			ensure!(transaction.state != TxState::Prepared, Error::<T>::NotFinished);
			Transactions::<T>::remove(sequence);
			ByMessage::<T>::remove(transaction.message);
			Self::deposit_event(Event::Forgotten { tx: Self::tx_id(sequence) });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	fn tx_id(sequence: u64) -> TxId {
		TxId { coordinator: T::ThisNetwork::get(), sequence }
	}

	pub(crate) fn now_ms() -> u64 {
		use sp_runtime::traits::UniqueSaturatedInto;
		T::UnixTime::now().as_millis().unique_saturated_into()
	}

	fn height() -> u32 {
		use sp_runtime::traits::UniqueSaturatedInto;
		frame_system::Pallet::<T>::block_number().unique_saturated_into()
	}

	/// What this network knows of `tx` (the `ResourceManagerApi` runtime API): `Unknown` also
	/// once it was forgotten (step 5).
	pub fn status(tx: TxId) -> TxStatus {
		if tx.coordinator == T::ThisNetwork::get() {
			return match Transactions::<T>::get(tx.sequence) {
				Some(t) => TxStatus::Coordinated {
					target: t.target,
					state: t.state,
					outcome_hash: t.outcome_hash,
				},
				None => TxStatus::Unknown,
			};
		}
		if let Some(receipt) = Receipts::<T>::get(tx) {
			return TxStatus::Decided(receipt.to_receipt(tx));
		}
		// Only a seal of the transaction's own deadline decides it: one of a deadline chosen by
		// whoever sealed it says nothing about when a commit of it may still arrive.
		match Deadlines::<T>::get(tx).and_then(|deadline| Seals::<T>::get(tx, deadline)) {
			Some((height, timestamp)) => TxStatus::Decided(TxReceipt {
				tx,
				status: ReceiptStatus::TimedOut,
				outcome_hash: [0; 32],
				result: alloc::vec::Vec::new(),
				height,
				timestamp,
			}),
			None => TxStatus::Unknown,
		}
	}

	/// The transactions this network coordinates that are still in doubt, oldest first.
	pub fn in_doubt() -> alloc::vec::Vec<TxId> {
		let mut open: alloc::vec::Vec<u64> = InDoubt::<T>::iter_keys().collect();
		open.sort_unstable();
		open.into_iter().map(Self::tx_id).collect()
	}
}
