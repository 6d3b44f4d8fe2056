//! # Contract executor
//!
//! The contract execution service of a Plexus network: runs contract requests, local or routed
//! from another network, on the runtime's contract engine (pallet-revive: EVM bytecode from
//! `solc`, or PolkaVM), records their outcome, and hands it to the transaction resource manager
//! when the request asks for the outcome to be committed elsewhere.
//!
//! ## The flow
//!
//! 1. **Request.** A [`ContractRequest`] arrives either as a routed `Service::Contract` request
//!    (the event router calls [`Pallet::serve`] with the message and its sender) or through the
//!    [`Pallet::execute`] extrinsic. A routed request runs as the sender's remote account on this
//!    network (the account XCM derives for it), never as a local account.
//! 2. **Limits.** The request's weight limit must fit the weight the router reserved for it;
//!    its storage deposit limit caps what the caller pays. Nothing runs otherwise.
//! 3. **Execute.** The engine deploys or calls. A revert, or a call that cannot run, fails the
//!    whole request and every state change it made is rolled back (`Failure::Reverted`, or the
//!    engine's reason); the router acknowledges it as an error.
//! 4. **Outcome.** A success becomes a [`ContractOutcome`]: the contract, its return data, the
//!    digest of its logs, the weight it used, and the outcome hash that names it on every
//!    network. It is stored ([`Executions`]) and announced ([`Event::Executed`]).
//! 5. **Commit elsewhere.** If the request says [`CommitTo`], the outcome is handed to the
//!    resource manager, which prepares a transaction applying it on the target network: the
//!    outcome itself written as a record, or the target's contract called with the outcome's
//!    return data as its arguments. If the transaction cannot be opened, the request fails.
//! 6. **Answer.** A routed request is answered with an [`ExecutionReport`] (outcome hash,
//!    return data, transaction id); the acknowledgement carries its digest back to the sender.
//! 7. **Forget.** An execution's record ([`Executions`], [`ByMessage`]) is forgotten
//!    `Retention` after it ran, by a sweep in `on_initialize` over an index ordered by time
//!    (`plexus_primitives::retention`), at most `MaxSweepPerBlock` executions a block. Nothing
//!    reads them afterwards: no runtime API or RPC serves them, the router's acknowledgement
//!    already carried the report, the resource manager keeps its own transaction, and the
//!    [`Event::Executed`] in the block stays the permanent record.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use plexus_primitives::contract::{
	Apply, CommitTo, ContractAddress, ContractCall, ContractEngine, ContractOutcome,
	ContractRequest, ExecutionReport, Limits,
};
pub use weights::WeightInfo;

use alloc::{boxed::Box, vec::Vec};
use codec::DecodeLimit;
use frame_support::{dispatch::PostDispatchInfo, pallet_prelude::*, traits::UnixTime};
use frame_system::pallet_prelude::*;
use plexus_primitives::{
	envelope::{Failure, MessageId, NetworkAddress},
	retention,
	service::{failure_of_dispatch_error, RemoteOrigin},
	transaction::{Action, Coordinator, TxId},
};
use sp_runtime::traits::{Convert, UniqueSaturatedInto};

/// Contract requests are shallow; anything nested deeper is hostile.
const REQUEST_DECODE_DEPTH: u32 = 8;

/// A successful execution, as this network keeps it.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[scale_info(skip_type_params(MaxReturn))]
pub struct Execution<AccountId, MaxReturn: Get<u32>> {
	/// Who ran it: a local account, or the remote account of a routed request's sender.
	pub caller: AccountId,
	/// The routed message that asked for it (none for a local request).
	pub message: Option<MessageId>,
	pub contract: ContractAddress,
	pub outcome_hash: [u8; 32],
	pub return_data: BoundedVec<u8, MaxReturn>,
	pub logs_digest: [u8; 32],
	pub weight_used: Weight,
	/// The transaction that commits the outcome elsewhere.
	pub transaction: Option<TxId>,
	pub height: u32,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Runs contracts (pallet-revive in the runtime).
		type Engine: ContractEngine<Self::AccountId>;
		/// Commits outcomes elsewhere (the resource manager).
		type Coordinator: Coordinator<Self::AccountId>;
		/// The local account that acts for an account of another network.
		type RemoteAccount: Convert<(NetworkAddress, Self::AccountId), Self::AccountId>;
		/// Longest return data an execution may produce (and this pallet keeps).
		#[pallet::constant]
		type MaxReturnData: Get<u32>;
		/// The clock executions are forgotten by.
		type UnixTime: UnixTime;
		/// How long an execution's record is kept after it ran, in ms.
		#[pallet::constant]
		type Retention: Get<u64>;
		/// Most executions, and most minutes of the index, the sweep looks at in one block.
		#[pallet::constant]
		type MaxSweepPerBlock: Get<u32>;
		type WeightInfo: WeightInfo;
	}

	/// Number of the next execution.
	#[pallet::storage]
	pub type NextExecution<T> = StorageValue<_, u64, ValueQuery>;

	/// The successful executions of the last `Retention` on this network.
	#[pallet::storage]
	pub type Executions<T: Config> =
		StorageMap<_, Twox64Concat, u64, Execution<T::AccountId, T::MaxReturnData>>;

	/// The execution each routed request led to (forgotten with it).
	#[pallet::storage]
	pub type ByMessage<T> = StorageMap<_, Blake2_128Concat, MessageId, u64>;

	/// When each execution is forgotten: the minute (`retention::bucket`), then the execution.
	#[pallet::storage]
	pub type DueIndex<T> = StorageDoubleMap<_, Twox64Concat, u64, Blake2_128Concat, u64, ()>;

	/// The next minute of [`DueIndex`] the sweep looks at (0: nothing filed yet).
	#[pallet::storage]
	pub type DueCursor<T> = StorageValue<_, u64, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A contract request executed successfully.
		Executed {
			execution: u64,
			caller: T::AccountId,
			message: Option<MessageId>,
			contract: ContractAddress,
			outcome_hash: [u8; 32],
			weight_used: Weight,
		},
		/// Its outcome is being committed on `target` by transaction `tx`.
		CommitOpened { execution: u64, tx: TxId, target: NetworkAddress },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The contract reverted; nothing it did remains.
		Reverted,
		/// The engine could not run the request (no such contract, limits too low, …).
		NotExecuted,
		/// The contract returned more than `MaxReturnData` bytes.
		ReturnDataTooLong,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			Self::sweep()
		}

		fn integrity_test() {
			assert!(T::MaxSweepPerBlock::get() >= 1, "the sweep must make progress");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Executes a contract request as the caller, and commits its outcome elsewhere if the
		/// request says so. Charged for what the execution used.
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::request_weight(request))]
		pub fn execute(
			origin: OriginFor<T>,
			request: Box<ContractRequest>,
		) -> DispatchResultWithPostInfo {
			let caller = ensure_signed(origin)?;
			let (result, used) = Self::run(&caller, None, *request);
			let post = PostDispatchInfo { actual_weight: Some(used), pays_fee: Pays::Yes };
			match result {
				Ok(_) => Ok(post),
				Err(failure) => Err(sp_runtime::DispatchErrorWithPostInfo {
					post_info: post,
					error: error_of::<T>(failure),
				}),
			}
		}
	}
}

/// The dispatch error a local request fails with.
fn error_of<T: Config>(failure: Failure) -> DispatchError {
	match failure {
		Failure::Reverted => Error::<T>::Reverted.into(),
		Failure::Module { index, error } => {
			DispatchError::Module(sp_runtime::ModuleError { index, error, message: None })
		},
		_ => Error::<T>::NotExecuted.into(),
	}
}

impl<T: Config> Pallet<T> {
	/// The most a request can cost: this pallet's bookkeeping, the engine's limit, and opening
	/// the transaction that commits it elsewhere.
	pub fn request_weight(request: &ContractRequest) -> Weight {
		let commit = match &request.commit {
			Some(commit) => T::Coordinator::open_weight(
				(commit.apply.encoded_size() as u32).saturating_add(T::MaxReturnData::get()),
			),
			None => Weight::zero(),
		};
		T::WeightInfo::execute_overhead()
			.saturating_add(T::Engine::max_weight(&request.call))
			.saturating_add(commit)
	}

	/// Serves a routed `Service::Contract` request; the router rolls back a failure's changes.
	pub fn serve(
		origin: RemoteOrigin<'_, T::AccountId>,
		payload: &[u8],
		max_weight: Weight,
	) -> (Result<Vec<u8>, Failure>, Weight) {
		let overhead = T::WeightInfo::execute_overhead();
		let Ok(request) =
			ContractRequest::decode_all_with_depth_limit(REQUEST_DECODE_DEPTH, &mut &payload[..])
		else {
			return (Err(Failure::MalformedPayload), overhead);
		};
		if !Self::request_weight(&request).all_lte(max_weight) {
			return (Err(Failure::WeightLimitExceeded), overhead);
		}
		let caller = T::RemoteAccount::convert((*origin.network, origin.account.clone()));
		let (result, used) = Self::run(&caller, Some(origin.message), request);
		(result.map(|report| report.encode()), used)
	}

	/// Steps 3–5 for one request. Returns the report or why it failed, and the weight used.
	fn run(
		caller: &T::AccountId,
		message: Option<MessageId>,
		request: ContractRequest,
	) -> (Result<ExecutionReport, Failure>, Weight) {
		let overhead = T::WeightInfo::execute_overhead();
		let outcome = match T::Engine::execute(caller, &request.call) {
			Ok(outcome) => outcome,
			Err(failure) => {
				return (
					Err(failure),
					overhead.saturating_add(T::Engine::max_weight(&request.call)),
				)
			},
		};
		let mut used = overhead.saturating_add(outcome.weight_used);
		if outcome.reverted {
			return (Err(Failure::Reverted), used);
		}
		let Ok(return_data) =
			BoundedVec::<u8, T::MaxReturnData>::try_from(outcome.return_data.clone())
		else {
			return (Err(failure_of_dispatch_error(Error::<T>::ReturnDataTooLong.into())), used);
		};
		let outcome_hash = outcome.hash();
		let execution = NextExecution::<T>::get();

		let transaction = match request.commit {
			Some(CommitTo { target, deadline, apply }) => {
				let action = match apply {
					Apply::Record { key } => Action::Record { key, value: outcome.encode() },
					Apply::Call { contract, selector, limits } => {
						let mut input = selector;
						input.extend_from_slice(&outcome.return_data);
						Action::Call { contract, input, value: 0, limits }
					},
				};
				used =
					used.saturating_add(T::Coordinator::open_weight(action.encoded_size() as u32));
				match T::Coordinator::open(caller, target, action, deadline, None, outcome_hash) {
					Ok(tx) => {
						Self::deposit_event(Event::CommitOpened { execution, tx, target });
						Some(tx)
					},
					Err(error) => return (Err(failure_of_dispatch_error(error)), used),
				}
			},
			None => None,
		};

		let report = Self::record(
			caller,
			message,
			execution,
			outcome,
			outcome_hash,
			return_data,
			transaction,
		);
		(Ok(report), used)
	}

	/// Step 4's bookkeeping for a successful outcome: stores it, files it for forgetting and
	/// announces it. Part of what `execute_overhead` measures.
	pub(crate) fn record(
		caller: &T::AccountId,
		message: Option<MessageId>,
		execution: u64,
		outcome: ContractOutcome,
		outcome_hash: [u8; 32],
		return_data: BoundedVec<u8, T::MaxReturnData>,
		transaction: Option<TxId>,
	) -> ExecutionReport {
		NextExecution::<T>::put(execution.saturating_add(1));
		Executions::<T>::insert(
			execution,
			Execution {
				caller: caller.clone(),
				message,
				contract: outcome.contract,
				outcome_hash,
				return_data,
				logs_digest: outcome.logs_digest,
				weight_used: outcome.weight_used,
				transaction,
				height: sp_runtime::traits::UniqueSaturatedInto::unique_saturated_into(
					frame_system::Pallet::<T>::block_number(),
				),
			},
		);
		if let Some(id) = message {
			ByMessage::<T>::insert(id, execution);
		}
		Self::file(execution, Self::now_ms().saturating_add(T::Retention::get()));
		Self::deposit_event(Event::Executed {
			execution,
			caller: caller.clone(),
			message,
			contract: outcome.contract,
			outcome_hash,
			weight_used: outcome.weight_used,
		});
		ExecutionReport { outcome_hash, return_data: outcome.return_data, transaction }
	}

	fn now_ms() -> u64 {
		T::UnixTime::now().as_millis().unique_saturated_into()
	}

	/// Files `execution` to be forgotten at `at_ms`.
	fn file(execution: u64, at_ms: u64) {
		let mut cursor = DueCursor::<T>::get();
		let bucket = retention::schedule(&mut cursor, Self::now_ms(), at_ms);
		DueCursor::<T>::put(cursor);
		DueIndex::<T>::insert(bucket, execution, ());
	}

	/// Forgets the executions whose retention is over, at most `MaxSweepPerBlock` of them and
	/// of the index's minutes; returns the weight.
	pub(crate) fn sweep() -> Weight {
		let budget = T::MaxSweepPerBlock::get();
		let mut cursor = DueCursor::<T>::get();
		let swept = retention::sweep(
			&mut cursor,
			Self::now_ms(),
			budget,
			budget,
			|bucket, n| DueIndex::<T>::iter_key_prefix(bucket).take(n as usize).collect(),
			Self::forget,
		);
		DueCursor::<T>::put(cursor);
		// The clock and the cursor, one look per minute, then each execution.
		T::DbWeight::get()
			.reads_writes(2u64.saturating_add(swept.buckets.into()), 1)
			.saturating_add(T::WeightInfo::forget_execution().saturating_mul(swept.keys.into()))
	}

	/// Removes `execution` from minute `bucket` of the index, with its record and message link.
	pub(crate) fn forget(bucket: u64, execution: u64) {
		DueIndex::<T>::remove(bucket, execution);
		if let Some(Execution { message: Some(message), .. }) = Executions::<T>::take(execution) {
			ByMessage::<T>::remove(message);
		}
	}
}
