//! # Data protection
//!
//! The data protection compliance service of a Plexus network. Personal data never touches the
//! ledger: it lives encrypted in the data vaults of the nodes that hold it. The ledger holds
//! what makes access to it accountable: a salted commitment of each record, its holders, the
//! policy that governs it, the subject's consents, and every access decision with its reason.
//!
//! ## The protocol
//!
//! 1. **Policy.** A controller creates a [`Policy`] ([`Pallet::create_policy`]): the purposes
//!    its records may be read for, each on a legal basis, with the role a requester must hold
//!    ([`Pallet::set_role`]) and who approves (the policy at once, the subject, or the
//!    controller). Policies never change.
//! 2. **Register.** The data enters a node's vault through its `vault_put` RPC, never an
//!    extrinsic. The vault keeps it encrypted and returns the salted commitment with its
//!    custody signature: the holder's signature over [`Custody`] (this network, the commitment,
//!    the subject and the controller). The controller registers the record
//!    ([`Pallet::register`]): subject, category, commitment, each holder with its custody
//!    signature, retention, policy. Without every named holder's signature over exactly this
//!    subject and controller the ledger refuses the record, so no one registers a commitment
//!    they did not put, nor under another subject (a front-run `register` copying the
//!    commitment from the transaction pool fails). Special categories (health, biometric,
//!    genetic) need a policy whose every purpose rests on consent.
//! 3. **Consent.** The subject grants consent to a controller for a purpose, with an optional
//!    expiry ([`Pallet::grant_consent`]), and may withdraw it ([`Pallet::withdraw_consent`]).
//!    An expired consent stops counting by itself.
//! 4. **Request.** A requester asks to read a record for a purpose ([`Pallet::request_access`]),
//!    or asks from another network through the event router (`Service::DataProtection`; the
//!    request then acts as the sender's remote account here). The policy decides at once, or
//!    the request waits for its approver ([`Pallet::decide`]), who can approve only what the
//!    policy's checks still allow. Every decision, approved or rejected with a [`Reason`], is
//!    stored, announced and never changed; a routed request's acknowledgement carries it back.
//!    A record has at most `MaxOpenRequestsPerRecord` requests waiting for their approver; one
//!    more is refused ([`Error::TooManyOpenRequests`]) and nothing is stored.
//! 5. **Read.** A vault serves a record only to the approved requester, who signs the read, and
//!    only while the runtime API `DataProtectionApi::grant` says the approval stands: unexpired,
//!    the record readable, and a consent-based approval's consent still standing.
//! 6. **Erase.** The subject or controller asks for erasure ([`Pallet::request_erasure`]); the
//!    retention sweep asks by itself in `on_initialize` once a record's `retain_until` has
//!    passed; rectification ([`Pallet::rectify`]) asks for the superseded version. Each holder
//!    destroys the record's key and its signed attestation is submitted
//!    ([`Pallet::attest_erasure`]); with the last one the record is `Erased`.
//! 7. **Audit and portability.** `DataProtectionApi::audit` lists a record's requests and
//!    decisions; `records_of` lists a subject's records for an export bundle, which the vault
//!    assembles with the salts that prove each commitment. Both are paged ([`MAX_PAGE`] at most
//!    per call, oldest first, with the id the next page starts at), so a trail inflated by
//!    spam or a subject named in many records never makes one answer too large.
//! 8. **Forget.** What the ledger keeps is bounded ([`sweep`]). A record's trail keeps its newest
//!    `MaxRequestsPerRecord` requests; an older one is forgotten `AuditRetention` after it left
//!    the trail (or, if still pending then, after its decision). An `Erased` record, its
//!    attestations and its requests are forgotten `AuditRetention` after erasure
//!    ([`Event::RecordForgotten`]): the audit trail outlives the data, for accountability. The
//!    sweep runs in `on_initialize` over an index ordered by due time, at most
//!    `MaxSweepPerBlock` entries a block, whatever the history.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod consent;
pub mod erasure;
pub mod policy;
pub mod weights;

mod access;
mod records;
pub mod sweep;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
#[cfg(test)]
mod tests;

pub use consent::Consent;
pub use pallet::*;
pub use plexus_primitives::data_protection::{
	AccessAnswer, AccessRequest, Approver, AuditEntry, Category, Custody, Decision,
	ErasureAttestation, ErasureCause, Grant, LegalBasis, PolicyId, Reason, Record, RecordId,
	RecordState, RequestId, RequestState, Rule, Tag,
};
pub use policy::Policy;
pub use sweep::Due;
pub use weights::WeightInfo;

use frame_support::{pallet_prelude::*, traits::UnixTime};
use frame_system::pallet_prelude::*;
use plexus_primitives::envelope::{MessageId, NetworkAddress};
use sp_runtime::traits::{Convert, IdentifyAccount, UniqueSaturatedInto, Verify};

/// A record as this network stores it.
pub type StoredRecord<T> = Record<
	<T as frame_system::Config>::AccountId,
	BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxHolders>,
>;

/// The holders a `register` or `rectify` call names, each with its custody signature (the
/// holder's signature over [`Custody`]).
pub type SignedHolders<T> = BoundedVec<
	(<T as frame_system::Config>::AccountId, <T as Config>::Signature),
	<T as Config>::MaxHolders,
>;

/// Most entries one page of `audit` or `records_of` returns, whatever the caller asks.
pub const MAX_PAGE: u32 = 256;

/// A record or request id as a storage key that iterates in numeric order (big-endian,
/// unhashed): the paged runtime APIs resume from an id without reading what comes before it.
pub type SortedId = [u8; 8];

pub(crate) fn sorted(id: u64) -> SortedId {
	id.to_be_bytes()
}

/// What `register(h)` and `rectify(h)` cost with their `h` custody signatures checked.
///
/// The measured `register`/`rectify` figures predate the custody signatures, so each check is
/// charged as one `attest_erasure` (measured, and one sr25519 verification plus storage work
/// besides): an upper bound built of measured figures. Re-run `scripts/weights.sh` (issue 15),
/// whose benchmarks now sign every holder, then charge the new figures alone.
pub fn with_custody<T: Config>(measured: Weight, holders: u32) -> Weight {
	measured.saturating_add(T::WeightInfo::attest_erasure().saturating_mul(holders.into()))
}

/// What a call costs with the storage of the retention index ([`sweep`]) it touches: `reads`
/// and `writes` at the runtime's `DbWeight` on top of `weight`.
///
/// The measured figures predate the index, and the `DbWeights` fallback counts what they
/// measured, so each call adds its index work here. Once `scripts/weights.sh` re-measures the
/// benchmarks (which now file, evict and schedule), charge the measured figures alone.
pub fn with_index<T: Config>(weight: Weight, reads: u64, writes: u64) -> Weight {
	weight.saturating_add(T::DbWeight::get().reads_writes(reads, writes))
}

/// What one access request costs, local or routed: the worst decision, the record's trail, and
/// evicting its oldest request into the index.
pub fn request_access_weight<T: Config>() -> Weight {
	with_index::<T>(T::WeightInfo::request_access(), 4, 3)
}

/// A record's trail of requests: how many wait for their approver, and which ones it keeps
/// for as long as the record lives (every request from id `evict_from` on, `kept` of them).
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Trail {
	pub pending: u32,
	pub kept: u32,
	/// Requests below it left the trail: each is forgotten `AuditRetention` after it left, or
	/// after its decision if it was pending then.
	pub evict_from: RequestId,
}

/// An access request as this network keeps it.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Request<AccountId> {
	pub record: RecordId,
	/// The account that acts here: the signer, or a routed sender's remote account.
	pub requester: AccountId,
	/// For a routed request: where it came from, who sent it there, and the message.
	pub origin: Option<(NetworkAddress, AccountId, MessageId)>,
	pub purpose: Tag,
	pub asked_at: u64,
	pub state: RequestState,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// What holders sign custody and erasure attestations with (`MultiSignature` in the
		/// runtime).
		type Signature: Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>>
			+ Parameter
			+ MaxEncodedLen;
		/// This network's genesis hash: custody signatures and attestations name the network
		/// they are for.
		type ThisNetwork: Get<NetworkAddress>;
		type UnixTime: UnixTime;
		/// The local account that acts for an account of another network.
		type RemoteAccount: Convert<(NetworkAddress, Self::AccountId), Self::AccountId>;
		#[pallet::constant]
		type MaxRules: Get<u32>;
		/// Most roles an account holds from one controller.
		#[pallet::constant]
		type MaxRoles: Get<u32>;
		#[pallet::constant]
		type MaxHolders: Get<u32>;
		/// Longest approval a policy may give, in ms.
		#[pallet::constant]
		type MaxApprovalTtl: Get<u64>;
		/// How long an erased record, and a request that left its record's trail, stay on the
		/// ledger for audit, in ms. At least `MaxApprovalTtl`: an approval that still stands is
		/// never forgotten.
		#[pallet::constant]
		type AuditRetention: Get<u64>;
		/// Most requests of one record waiting for their approver.
		#[pallet::constant]
		type MaxOpenRequestsPerRecord: Get<u32>;
		/// How many of a record's newest requests its trail keeps for as long as the record
		/// lives (at least 1).
		#[pallet::constant]
		type MaxRequestsPerRecord: Get<u32>;
		/// Most index entries, and most index minutes, the sweep looks at in one block.
		#[pallet::constant]
		type MaxSweepPerBlock: Get<u32>;
		type WeightInfo: WeightInfo;
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId, Self::Signature>;
	}

	#[pallet::storage]
	pub type NextPolicy<T> = StorageValue<_, PolicyId, ValueQuery>;

	#[pallet::storage]
	pub type Policies<T: Config> =
		StorageMap<_, Twox64Concat, PolicyId, Policy<T::AccountId, T::MaxRules>>;

	/// The roles each controller gave each account (its requesters).
	#[pallet::storage]
	pub type Roles<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<Tag, T::MaxRoles>,
		ValueQuery,
	>;

	#[pallet::storage]
	pub type NextRecord<T> = StorageValue<_, RecordId, ValueQuery>;

	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Twox64Concat, RecordId, StoredRecord<T>>;

	/// Commitments in use: one record per commitment, so a vault finds its record.
	#[pallet::storage]
	pub type ByCommitment<T> = StorageMap<_, Identity, [u8; 32], RecordId>;

	/// Each subject's records not yet erased, by [`sorted`] record id (for `records_of`'s pages).
	#[pallet::storage]
	pub type SubjectRecords<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Identity, SortedId, ()>;

	/// Consents, by subject, then controller and purpose.
	#[pallet::storage]
	pub type Consents<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		(T::AccountId, Tag),
		Consent,
	>;

	#[pallet::storage]
	pub type NextRequest<T> = StorageValue<_, RequestId, ValueQuery>;

	/// Every access request and its decision; a decided request never changes.
	#[pallet::storage]
	pub type Requests<T: Config> = StorageMap<_, Twox64Concat, RequestId, Request<T::AccountId>>;

	/// The audit index: the requests for each record, by [`sorted`] request id (for `audit`'s
	/// pages).
	#[pallet::storage]
	pub type RecordRequests<T> =
		StorageDoubleMap<_, Twox64Concat, RecordId, Identity, SortedId, ()>;

	/// Holders' signed attestations that they destroyed a record's key: (destroyed at, signature).
	#[pallet::storage]
	pub type Attestations<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		RecordId,
		Blake2_128Concat,
		T::AccountId,
		(u64, T::Signature),
	>;

	/// Each record's trail of requests (see [`Trail`]); gone with the record.
	#[pallet::storage]
	pub type Trails<T> = StorageMap<_, Twox64Concat, RecordId, Trail, ValueQuery>;

	/// What falls due when: the minute (`plexus_primitives::retention::bucket`), then what is
	/// due. The sweep's index.
	#[pallet::storage]
	pub type DueIndex<T> = StorageDoubleMap<_, Twox64Concat, u64, Blake2_128Concat, Due, ()>;

	/// The next minute of [`DueIndex`] the sweep looks at (0: nothing filed yet).
	#[pallet::storage]
	pub type DueCursor<T> = StorageValue<_, u64, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		PolicyCreated {
			policy: PolicyId,
			controller: T::AccountId,
		},
		RoleSet {
			controller: T::AccountId,
			account: T::AccountId,
			role: Tag,
			granted: bool,
		},
		RecordRegistered {
			record: RecordId,
			subject: T::AccountId,
			controller: T::AccountId,
			category: Category,
			commitment: [u8; 32],
		},
		ConsentGranted {
			subject: T::AccountId,
			controller: T::AccountId,
			purpose: Tag,
			expires_at: Option<u64>,
		},
		ConsentWithdrawn {
			subject: T::AccountId,
			controller: T::AccountId,
			purpose: Tag,
		},
		/// A request passed the policy's checks and waits for `approver`.
		AccessPending {
			request: RequestId,
			record: RecordId,
			approver: Approver,
		},
		/// A request was decided; the decision is final.
		AccessDecided {
			request: RequestId,
			record: RecordId,
			requester: T::AccountId,
			decision: Decision,
		},
		/// The holders must destroy the record's key and attest it.
		ErasureRequested {
			record: RecordId,
			cause: ErasureCause,
			holders: BoundedVec<T::AccountId, T::MaxHolders>,
		},
		ErasureAttested {
			record: RecordId,
			holder: T::AccountId,
			destroyed_at: u64,
		},
		/// Every holder destroyed the record's key.
		RecordErased {
			record: RecordId,
			cause: ErasureCause,
		},
		/// `new` supersedes `old`, which is being erased.
		RecordRectified {
			old: RecordId,
			new: RecordId,
			commitment: [u8; 32],
		},
		/// An erased record's audit retention is over: it, its attestations and its requests
		/// are forgotten.
		RecordForgotten {
			record: RecordId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A policy needs at least one rule.
		NoRules,
		/// Two rules name the same purpose.
		DuplicatePurpose,
		EmptyPurpose,
		/// The approval time is zero or above `MaxApprovalTtl`.
		ApprovalTtlOutOfRange,
		UnknownPolicy,
		/// Only the policy's controller may use it.
		NotPolicyController,
		/// The account already holds `MaxRoles` roles from this controller.
		TooManyRoles,
		/// A record needs at least one holder.
		NoHolders,
		DuplicateHolder,
		/// `retain_until` is not in the future.
		RetentionInPast,
		/// Special categories of data need a policy whose every purpose rests on consent.
		SpecialCategoryNeedsConsent,
		/// Another record has this commitment.
		CommitmentInUse,
		UnknownRecord,
		/// Only the record's controller may do this.
		NotController,
		/// Only the record's subject or controller may do this.
		NotSubjectOrController,
		/// The consent's expiry is not in the future.
		ExpiryInPast,
		UnknownConsent,
		ConsentAlreadyWithdrawn,
		UnknownRequest,
		/// The request was already decided; decisions never change.
		AlreadyDecided,
		/// Only the approver the policy names may decide this request.
		NotApprover,
		/// The record is erased, being erased, or superseded.
		RecordNotActive,
		AlreadyErasing,
		AlreadyErased,
		/// The record is not being erased.
		NotErasing,
		/// The account is not one of the record's holders.
		NotHolder,
		AlreadyAttested,
		/// The attestation's signature is not the holder's.
		BadAttestation,
		/// The attestation says the key was destroyed before erasure was asked, or in the future.
		AttestationOutOfTime,
		/// A named holder's custody signature is not that holder's signature over [`Custody`]
		/// with this network, the commitment, the subject and the controller: that vault does
		/// not keep this data for them. (Last, so earlier errors keep their indices.)
		BadCustody,
		/// The record already has `MaxOpenRequestsPerRecord` requests waiting for their
		/// approver, who must decide some first.
		TooManyOpenRequests,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			Self::sweep()
		}

		fn integrity_test() {
			assert!(
				T::AuditRetention::get() >= T::MaxApprovalTtl::get(),
				"an approval that stands must outlive its request's pruning"
			);
			assert!(T::MaxRequestsPerRecord::get() >= 1, "a trail keeps the newest request");
			assert!(T::MaxSweepPerBlock::get() >= 1, "the sweep must make progress");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates a policy owned by the caller (a controller).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_policy(rules.len() as u32))]
		pub fn create_policy(
			origin: OriginFor<T>,
			rules: BoundedVec<Rule, T::MaxRules>,
			approval_ttl_ms: u64,
		) -> DispatchResult {
			let controller = ensure_signed(origin)?;
			Self::do_create_policy(controller, rules, approval_ttl_ms).map(|_| ())
		}

		/// Grants `role` to `account` as the caller's (a controller's) requester, or takes it back.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_role())]
		pub fn set_role(
			origin: OriginFor<T>,
			account: T::AccountId,
			role: Tag,
			granted: bool,
		) -> DispatchResult {
			let controller = ensure_signed(origin)?;
			Roles::<T>::try_mutate(&controller, &account, |roles| -> DispatchResult {
				let held = roles.iter().position(|r| r == &role);
				match (granted, held) {
					(true, None) => {
						roles.try_push(role.clone()).map_err(|_| Error::<T>::TooManyRoles)?
					},
					(false, Some(i)) => {
						roles.remove(i);
					},
					_ => {},
				}
				Ok(())
			})?;
			Self::deposit_event(Event::RoleSet { controller, account, role, granted });
			Ok(())
		}

		/// Registers a record of `subject`'s data held by `holders`, as its controller (the
		/// caller). `commitment` is the salted commitment the vaults returned, and each holder
		/// comes with its custody signature over [`Custody`] { this network, `commitment`,
		/// `subject`, the caller }, which its `vault_put` returned.
		#[pallet::call_index(2)]
		#[pallet::weight(with_index::<T>(
			with_custody::<T>(T::WeightInfo::register(holders.len() as u32), holders.len() as u32),
			1,
			2,
		))]
		pub fn register(
			origin: OriginFor<T>,
			subject: T::AccountId,
			category: Category,
			commitment: [u8; 32],
			holders: SignedHolders<T>,
			retain_until: u64,
			policy: PolicyId,
		) -> DispatchResult {
			let controller = ensure_signed(origin)?;
			Self::do_register(
				controller,
				subject,
				category,
				commitment,
				holders,
				retain_until,
				policy,
			)
			.map(|_| ())
		}

		/// Consents, as the subject, to `controller` processing the caller's data for `purpose`
		/// until `expires_at` (Unix ms; none: until withdrawn). Replaces an earlier consent.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::grant_consent())]
		pub fn grant_consent(
			origin: OriginFor<T>,
			controller: T::AccountId,
			purpose: Tag,
			expires_at: Option<u64>,
		) -> DispatchResult {
			let subject = ensure_signed(origin)?;
			let now = Self::now_ms();
			ensure!(expires_at.is_none_or(|expiry| expiry > now), Error::<T>::ExpiryInPast);
			let consent = Consent { granted_at: now, expires_at, withdrawn_at: None };
			Consents::<T>::insert(&subject, (&controller, &purpose), consent);
			Self::deposit_event(Event::ConsentGranted { subject, controller, purpose, expires_at });
			Ok(())
		}

		/// Withdraws the caller's consent; it stays on the ledger, marked withdrawn.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw_consent())]
		pub fn withdraw_consent(
			origin: OriginFor<T>,
			controller: T::AccountId,
			purpose: Tag,
		) -> DispatchResult {
			let subject = ensure_signed(origin)?;
			Consents::<T>::try_mutate(&subject, (&controller, &purpose), |consent| {
				let consent = consent.as_mut().ok_or(Error::<T>::UnknownConsent)?;
				ensure!(consent.withdrawn_at.is_none(), Error::<T>::ConsentAlreadyWithdrawn);
				consent.withdrawn_at = Some(Self::now_ms());
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::ConsentWithdrawn { subject, controller, purpose });
			Ok(())
		}

		/// Asks to read `record` for `purpose`. Decided at once, or pending the approver.
		#[pallet::call_index(5)]
		#[pallet::weight(request_access_weight::<T>())]
		pub fn request_access(
			origin: OriginFor<T>,
			record: RecordId,
			purpose: Tag,
		) -> DispatchResult {
			let requester = ensure_signed(origin)?;
			Self::open_request(requester, None, AccessRequest { record, purpose }).map(|_| ())
		}

		/// Approves or refuses a pending request, as the approver its policy names.
		#[pallet::call_index(6)]
		#[pallet::weight(with_index::<T>(T::WeightInfo::decide(), 2, 3))]
		pub fn decide(origin: OriginFor<T>, request: RequestId, approve: bool) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::decide_pending(&who, request, approve)
		}

		/// Asks the holders to erase `record`, as its subject or controller.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::request_erasure(T::MaxHolders::get()))]
		pub fn request_erasure(origin: OriginFor<T>, record: RecordId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let stored = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
			let cause = if who == stored.subject {
				ErasureCause::Subject
			} else if who == stored.controller {
				ErasureCause::Controller
			} else {
				return Err(Error::<T>::NotSubjectOrController.into());
			};
			Self::start_erasure(record, stored, cause)
		}

		/// Submits `holder`'s signed attestation that it destroyed `record`'s key at
		/// `destroyed_at`. Anyone may submit it; the signature is the holder's.
		#[pallet::call_index(8)]
		#[pallet::weight(with_index::<T>(T::WeightInfo::attest_erasure(), 1, 2))]
		pub fn attest_erasure(
			origin: OriginFor<T>,
			record: RecordId,
			holder: T::AccountId,
			destroyed_at: u64,
			signature: T::Signature,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_attest(record, holder, destroyed_at, signature)
		}

		/// Replaces `record` with a corrected version whose data the vaults committed to as
		/// `commitment`; the old version is erased. As the record's controller; each holder
		/// comes with its custody signature over [`Custody`] { this network, `commitment`, the
		/// record's subject, the caller }.
		#[pallet::call_index(9)]
		#[pallet::weight(with_index::<T>(
			with_custody::<T>(T::WeightInfo::rectify(holders.len() as u32), holders.len() as u32),
			1,
			2,
		))]
		pub fn rectify(
			origin: OriginFor<T>,
			record: RecordId,
			commitment: [u8; 32],
			holders: SignedHolders<T>,
		) -> DispatchResult {
			let controller = ensure_signed(origin)?;
			Self::do_rectify(controller, record, commitment, holders).map(|_| ())
		}
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn now_ms() -> u64 {
		T::UnixTime::now().as_millis().unique_saturated_into()
	}
}
