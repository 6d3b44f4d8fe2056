//! A record's life on the ledger: policy, registration, rectification and erasure (its
//! retention and forgetting are filed in the sweep's index, [`crate::sweep`]).

use crate::{
	erasure::{self, Refusal},
	policy::{self, Invalid},
	*,
};
use alloc::vec::Vec;
use plexus_primitives::data_protection::{signing_payload, CUSTODY_CONTEXT, ERASURE_CONTEXT};

impl<T: Config> From<Invalid> for Error<T> {
	fn from(invalid: Invalid) -> Self {
		match invalid {
			Invalid::NoRules => Error::NoRules,
			Invalid::DuplicatePurpose => Error::DuplicatePurpose,
			Invalid::EmptyPurpose => Error::EmptyPurpose,
		}
	}
}

impl<T: Config> From<Refusal> for Error<T> {
	fn from(refusal: Refusal) -> Self {
		match refusal {
			Refusal::AlreadyErasing => Error::AlreadyErasing,
			Refusal::AlreadyErased => Error::AlreadyErased,
			Refusal::NotErasing => Error::NotErasing,
		}
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_create_policy(
		controller: T::AccountId,
		rules: BoundedVec<Rule, T::MaxRules>,
		approval_ttl_ms: u64,
	) -> Result<PolicyId, DispatchError> {
		policy::validate(&rules).map_err(Error::<T>::from)?;
		ensure!(
			approval_ttl_ms > 0 && approval_ttl_ms <= T::MaxApprovalTtl::get(),
			Error::<T>::ApprovalTtlOutOfRange
		);
		let id = NextPolicy::<T>::get();
		NextPolicy::<T>::put(id.saturating_add(1));
		Policies::<T>::insert(
			id,
			Policy { controller: controller.clone(), rules, approval_ttl_ms },
		);
		Self::deposit_event(Event::PolicyCreated { policy: id, controller });
		Ok(id)
	}

	/// Checks a new record's terms and its holders' custody signatures; returns the holders as
	/// the record keeps them.
	fn check_new_record(
		controller: &T::AccountId,
		subject: &T::AccountId,
		category: Category,
		commitment: &[u8; 32],
		holders: SignedHolders<T>,
		retain_until: u64,
		policy: PolicyId,
	) -> Result<BoundedVec<T::AccountId, T::MaxHolders>, DispatchError> {
		let governing = Policies::<T>::get(policy).ok_or(Error::<T>::UnknownPolicy)?;
		ensure!(&governing.controller == controller, Error::<T>::NotPolicyController);
		ensure!(policy::admits(&governing, category), Error::<T>::SpecialCategoryNeedsConsent);
		ensure!(!holders.is_empty(), Error::<T>::NoHolders);
		for (i, (holder, _)) in holders.iter().enumerate() {
			ensure!(!holders[..i].iter().any(|(h, _)| h == holder), Error::<T>::DuplicateHolder);
		}
		ensure!(retain_until > Self::now_ms(), Error::<T>::RetentionInPast);
		ensure!(!ByCommitment::<T>::contains_key(commitment), Error::<T>::CommitmentInUse);
		// Last, as the costliest check. The statement names the subject and the controller, so
		// a signature copied from someone else's pending `register` proves nothing for ours.
		let custody = Custody {
			network: T::ThisNetwork::get(),
			commitment: *commitment,
			subject: subject.clone(),
			controller: controller.clone(),
		};
		let payload = signing_payload(CUSTODY_CONTEXT, &custody);
		for (holder, signature) in holders.iter() {
			ensure!(signature.verify(&payload[..], holder), Error::<T>::BadCustody);
		}
		let accounts: Vec<T::AccountId> =
			holders.into_inner().into_iter().map(|(holder, _)| holder).collect();
		// Same bound as the call's list: nothing is cut.
		Ok(BoundedVec::truncate_from(accounts))
	}

	fn insert_record(id: RecordId, record: StoredRecord<T>) {
		NextRecord::<T>::put(id.saturating_add(1));
		ByCommitment::<T>::insert(record.commitment, id);
		SubjectRecords::<T>::insert(&record.subject, sorted(id), ());
		Self::file(Due::Retain(id, record.retain_until), record.retain_until);
		Self::deposit_event(Event::RecordRegistered {
			record: id,
			subject: record.subject.clone(),
			controller: record.controller.clone(),
			category: record.category,
			commitment: record.commitment,
		});
		Records::<T>::insert(id, record);
	}

	pub(crate) fn do_register(
		controller: T::AccountId,
		subject: T::AccountId,
		category: Category,
		commitment: [u8; 32],
		holders: SignedHolders<T>,
		retain_until: u64,
		policy: PolicyId,
	) -> Result<RecordId, DispatchError> {
		let holders = Self::check_new_record(
			&controller,
			&subject,
			category,
			&commitment,
			holders,
			retain_until,
			policy,
		)?;
		let id = NextRecord::<T>::get();
		let record = Record {
			subject,
			controller,
			category,
			commitment,
			holders,
			retain_until,
			policy,
			version: 1,
			supersedes: None,
			superseded_by: None,
			registered_at: Self::now_ms(),
			state: RecordState::Active,
		};
		Self::insert_record(id, record);
		Ok(id)
	}

	pub(crate) fn do_rectify(
		controller: T::AccountId,
		old: RecordId,
		commitment: [u8; 32],
		holders: SignedHolders<T>,
	) -> Result<RecordId, DispatchError> {
		let mut previous = Records::<T>::get(old).ok_or(Error::<T>::UnknownRecord)?;
		ensure!(previous.controller == controller, Error::<T>::NotController);
		ensure!(
			previous.state == RecordState::Active && previous.superseded_by.is_none(),
			Error::<T>::RecordNotActive
		);
		let holders = Self::check_new_record(
			&controller,
			&previous.subject,
			previous.category,
			&commitment,
			holders,
			previous.retain_until,
			previous.policy,
		)?;
		let new = NextRecord::<T>::get();
		let record = Record {
			commitment,
			holders,
			version: previous.version.saturating_add(1),
			supersedes: Some(old),
			superseded_by: None,
			registered_at: Self::now_ms(),
			state: RecordState::Active,
			..previous.clone()
		};
		Self::insert_record(new, record);
		previous.superseded_by = Some(new);
		Self::start_erasure(old, previous, ErasureCause::Rectified)?;
		Self::deposit_event(Event::RecordRectified { old, new, commitment });
		Ok(new)
	}

	/// Moves `record` to `Erasing` and tells its holders.
	pub(crate) fn start_erasure(
		id: RecordId,
		mut record: StoredRecord<T>,
		cause: ErasureCause,
	) -> DispatchResult {
		record.state =
			erasure::request(record.state, cause, Self::now_ms()).map_err(Error::<T>::from)?;
		Self::deposit_event(Event::ErasureRequested {
			record: id,
			cause,
			holders: record.holders.clone(),
		});
		Records::<T>::insert(id, record);
		Ok(())
	}

	pub(crate) fn do_attest(
		id: RecordId,
		holder: T::AccountId,
		destroyed_at: u64,
		signature: T::Signature,
	) -> DispatchResult {
		let mut record = Records::<T>::get(id).ok_or(Error::<T>::UnknownRecord)?;
		let requested_at = match record.state {
			RecordState::Erasing { requested_at, .. } => requested_at,
			RecordState::Active => return Err(Error::<T>::NotErasing.into()),
			RecordState::Erased { .. } => return Err(Error::<T>::AlreadyErased.into()),
		};
		ensure!(record.holders.contains(&holder), Error::<T>::NotHolder);
		ensure!(!Attestations::<T>::contains_key(id, &holder), Error::<T>::AlreadyAttested);
		// The vault's clock and the chain's may differ by a little; a minute either way.
		let now = Self::now_ms();
		ensure!(
			destroyed_at.saturating_add(60_000) >= requested_at
				&& destroyed_at <= now.saturating_add(60_000),
			Error::<T>::AttestationOutOfTime
		);
		let statement = ErasureAttestation {
			network: T::ThisNetwork::get(),
			record: id,
			commitment: record.commitment,
			destroyed_at,
		};
		ensure!(
			signature.verify(&signing_payload(ERASURE_CONTEXT, &statement)[..], &holder),
			Error::<T>::BadAttestation
		);
		record.state = erasure::attest(record.state, record.holders.len() as u32, now)
			.map_err(Error::<T>::from)?;
		Attestations::<T>::insert(id, &holder, (destroyed_at, signature));
		Self::deposit_event(Event::ErasureAttested { record: id, holder, destroyed_at });
		if let RecordState::Erased { cause, at } = record.state {
			ByCommitment::<T>::remove(record.commitment);
			SubjectRecords::<T>::remove(&record.subject, sorted(id));
			Self::file(Due::Purge(id), at.saturating_add(T::AuditRetention::get()));
			Self::deposit_event(Event::RecordErased { record: id, cause });
		}
		Records::<T>::insert(id, record);
		Ok(())
	}
}
