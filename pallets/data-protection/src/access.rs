//! Access requests, local and routed, their decisions, and what a vault may serve.

use crate::{
	consent,
	policy::{self, Facts, Verdict},
	*,
};
use alloc::vec::Vec;
use codec::DecodeLimit;
use plexus_primitives::{
	envelope::Failure,
	service::{failure_of_dispatch_error, RemoteOrigin},
};

/// Access requests are flat; anything nested deeper is hostile.
const REQUEST_DECODE_DEPTH: u32 = 4;

impl<T: Config> Pallet<T> {
	/// Applies `decide` to what the ledger holds on `purpose` for `record`, asked by `requester`.
	fn with_facts<R>(
		record: &StoredRecord<T>,
		requester: &T::AccountId,
		purpose: &Tag,
		now: u64,
		decide: impl FnOnce(
			&Facts<'_, T::AccountId, BoundedVec<T::AccountId, T::MaxHolders>, T::MaxRules>,
		) -> R,
	) -> Result<R, DispatchError> {
		let governing = Policies::<T>::get(record.policy).ok_or(Error::<T>::UnknownPolicy)?;
		let roles = Roles::<T>::get(&record.controller, requester);
		let consent = Consents::<T>::get(&record.subject, (&record.controller, purpose));
		let facts = Facts {
			record,
			policy: &governing,
			purpose,
			roles: &roles,
			consent: consent.as_ref(),
			now,
		};
		Ok(decide(&facts))
	}

	/// Records a request and its verdict. Fails (changing nothing) for a record this network
	/// does not know, and for one more request waiting for the record's approver than
	/// `MaxOpenRequestsPerRecord`: every other request about a known record is decided on the
	/// ledger.
	pub(crate) fn open_request(
		requester: T::AccountId,
		origin: Option<(NetworkAddress, T::AccountId, MessageId)>,
		ask: AccessRequest,
	) -> Result<AccessAnswer, DispatchError> {
		let record = Records::<T>::get(ask.record).ok_or(Error::<T>::UnknownRecord)?;
		let now = Self::now_ms();
		let verdict = Self::with_facts(&record, &requester, &ask.purpose, now, policy::evaluate)?;
		let mut trail = Trails::<T>::get(ask.record);
		let state = match verdict {
			Verdict::Decided(decision) => RequestState::Decided { decision, at: now },
			Verdict::Pending(approver) => {
				// Anyone the policy lets through may ask: the approver's queue is what is bounded.
				ensure!(
					trail.pending < T::MaxOpenRequestsPerRecord::get(),
					Error::<T>::TooManyOpenRequests
				);
				trail.pending += 1;
				RequestState::Pending { approver }
			},
		};
		let id = NextRequest::<T>::get();
		NextRequest::<T>::put(id.saturating_add(1));
		RecordRequests::<T>::insert(ask.record, sorted(id), ());
		Requests::<T>::insert(
			id,
			Request {
				record: ask.record,
				requester: requester.clone(),
				origin,
				purpose: ask.purpose,
				asked_at: now,
				state,
			},
		);
		trail.kept += 1;
		if trail.kept > T::MaxRequestsPerRecord::get() {
			Self::evict_oldest(ask.record, &mut trail, now);
		}
		Trails::<T>::insert(ask.record, trail);
		match state {
			RequestState::Decided { decision, .. } => Self::deposit_event(Event::AccessDecided {
				request: id,
				record: ask.record,
				requester,
				decision,
			}),
			RequestState::Pending { approver } => Self::deposit_event(Event::AccessPending {
				request: id,
				record: ask.record,
				approver,
			}),
		}
		Ok(AccessAnswer { request: id, state })
	}

	/// Takes the oldest request the record's trail keeps out of it: decided, it is forgotten
	/// `AuditRetention` from now; pending, `AuditRetention` after its decision. Reads one key
	/// and one request: every request from `evict_from` on is kept, so the next key is it.
	fn evict_oldest(record: RecordId, trail: &mut Trail, now: u64) {
		let mut keys = match trail.evict_from.checked_sub(1) {
			None => RecordRequests::<T>::iter_key_prefix(record),
			Some(before) => RecordRequests::<T>::iter_key_prefix_from(
				record,
				RecordRequests::<T>::hashed_key_for(record, sorted(before)),
			),
		};
		let Some(oldest) = keys.next().map(u64::from_be_bytes) else { return };
		trail.evict_from = oldest.saturating_add(1);
		trail.kept = trail.kept.saturating_sub(1);
		let decided = Requests::<T>::get(oldest)
			.is_some_and(|request| matches!(request.state, RequestState::Decided { .. }));
		if decided {
			Self::file(Due::Request(oldest), now.saturating_add(T::AuditRetention::get()));
		}
	}

	pub(crate) fn decide_pending(
		who: &T::AccountId,
		id: RequestId,
		approve: bool,
	) -> DispatchResult {
		let mut request = Requests::<T>::get(id).ok_or(Error::<T>::UnknownRequest)?;
		let RequestState::Pending { approver } = request.state else {
			return Err(Error::<T>::AlreadyDecided.into());
		};
		let record = Records::<T>::get(request.record).ok_or(Error::<T>::UnknownRecord)?;
		let entitled = match approver {
			Approver::Subject => &record.subject,
			Approver::Controller => &record.controller,
			Approver::Policy => return Err(Error::<T>::AlreadyDecided.into()),
		};
		ensure!(entitled == who, Error::<T>::NotApprover);
		let now = Self::now_ms();
		let decision = if approve {
			Self::with_facts(&record, &request.requester, &request.purpose, now, |facts| {
				policy::confirm(facts, approver)
			})?
		} else {
			Decision::Rejected(match approver {
				Approver::Subject => Reason::RefusedBySubject,
				_ => Reason::RefusedByController,
			})
		};
		request.state = RequestState::Decided { decision, at: now };
		let trail = Trails::<T>::mutate(request.record, |trail| {
			trail.pending = trail.pending.saturating_sub(1);
			*trail
		});
		// Evicted from the trail while pending: its time starts now it is decided.
		if id < trail.evict_from {
			Self::file(Due::Request(id), now.saturating_add(T::AuditRetention::get()));
		}
		Self::deposit_event(Event::AccessDecided {
			request: id,
			record: request.record,
			requester: request.requester.clone(),
			decision,
		});
		Requests::<T>::insert(id, request);
		Ok(())
	}

	/// Asks for access as `requester` (a local account, e.g. a contract's): what
	/// `request_access` does, for other pallets and precompiles.
	pub fn ask(requester: T::AccountId, ask: AccessRequest) -> Result<AccessAnswer, DispatchError> {
		Self::open_request(requester, None, ask)
	}

	/// Serves a routed `Service::DataProtection` request: an [`AccessRequest`] from an account of
	/// another network, decided here as its remote account. The answer's digest is acknowledged.
	pub fn serve(
		origin: RemoteOrigin<'_, T::AccountId>,
		payload: &[u8],
		max_weight: Weight,
	) -> (Result<Vec<u8>, Failure>, Weight) {
		let weight = request_access_weight::<T>();
		if !weight.all_lte(max_weight) {
			return (Err(Failure::WeightLimitExceeded), Weight::zero());
		}
		let Ok(ask) =
			AccessRequest::decode_all_with_depth_limit(REQUEST_DECODE_DEPTH, &mut &payload[..])
		else {
			return (Err(Failure::MalformedPayload), weight);
		};
		let requester = T::RemoteAccount::convert((*origin.network, origin.account.clone()));
		let from = Some((*origin.network, origin.account.clone(), origin.message));
		match Self::open_request(requester, from, ask) {
			Ok(answer) => (Ok(answer.encode()), weight),
			Err(error) => (Err(failure_of_dispatch_error(error)), weight),
		}
	}

	/// Whether request `id` is an approval a vault may serve now (`DataProtectionApi::grant`).
	pub fn grant(id: RequestId) -> Result<Grant<T::AccountId>, Reason> {
		let request = Requests::<T>::get(id).ok_or(Reason::UnknownRequest)?;
		let RequestState::Decided {
			decision: Decision::Approved { basis, expires_at, .. }, ..
		} = request.state
		else {
			return Err(Reason::NotApproved);
		};
		let now = Self::now_ms();
		if now >= expires_at {
			return Err(Reason::ApprovalExpired);
		}
		let record = Records::<T>::get(request.record).ok_or(Reason::UnknownRecord)?;
		policy::readable(&record, now)?;
		if basis == LegalBasis::Consent || record.category.is_special() {
			let consent =
				Consents::<T>::get(&record.subject, (&record.controller, &request.purpose));
			consent::standing(consent.as_ref(), now)?;
		}
		Ok(Grant {
			request: id,
			record: request.record,
			commitment: record.commitment,
			subject: record.subject,
			signer: request.origin.map(|(_, sender, _)| sender).unwrap_or(request.requester),
			expires_at,
		})
	}

	/// One page of a record's audit trail (`DataProtectionApi::audit`): its requests from id
	/// `from` on, oldest first, at most `limit` of them (and never more than [`MAX_PAGE`]), and
	/// the id the next page starts at, if there is one. Reads O(`limit`) entries.
	pub fn audit(
		record: RecordId,
		from: RequestId,
		limit: u32,
	) -> (Vec<AuditEntry<T::AccountId>>, Option<RequestId>) {
		let keys = match from.checked_sub(1) {
			None => RecordRequests::<T>::iter_key_prefix(record),
			Some(before) => RecordRequests::<T>::iter_key_prefix_from(
				record,
				RecordRequests::<T>::hashed_key_for(record, sorted(before)),
			),
		};
		let (ids, next) = page(keys, limit);
		let entries = ids
			.into_iter()
			.filter_map(|id| {
				let request = Requests::<T>::get(id)?;
				Some(AuditEntry {
					request: id,
					requester: request.requester,
					origin: request.origin.map(|(network, sender, _)| (network, sender)),
					purpose: request.purpose,
					asked_at: request.asked_at,
					state: request.state,
				})
			})
			.collect();
		(entries, next)
	}

	/// A record with its holders as a plain list (`DataProtectionApi::record`).
	pub fn record(id: RecordId) -> Option<Record<T::AccountId, Vec<T::AccountId>>> {
		Records::<T>::get(id).map(|record| record.with_holders(BoundedVec::into_inner))
	}

	/// One page of the records of `subject` not yet erased (`DataProtectionApi::records_of`):
	/// ids from `from` on, in order, at most `limit` of them (and never more than
	/// [`MAX_PAGE`]), and the id the next page starts at, if there is one. Reads O(`limit`)
	/// keys.
	pub fn records_of(
		subject: &T::AccountId,
		from: RecordId,
		limit: u32,
	) -> (Vec<RecordId>, Option<RecordId>) {
		let keys = match from.checked_sub(1) {
			None => SubjectRecords::<T>::iter_key_prefix(subject),
			Some(before) => SubjectRecords::<T>::iter_key_prefix_from(
				subject,
				SubjectRecords::<T>::hashed_key_for(subject, sorted(before)),
			),
		};
		page(keys, limit)
	}
}

/// The first `limit` ids (at most [`MAX_PAGE`]) of `keys`, which iterate in numeric order, and
/// the one after them, if any: where the next page starts.
fn page(keys: impl Iterator<Item = SortedId>, limit: u32) -> (Vec<u64>, Option<u64>) {
	let limit = limit.min(MAX_PAGE) as usize;
	let mut ids: Vec<u64> = keys.take(limit + 1).map(u64::from_be_bytes).collect();
	let next = if ids.len() > limit { ids.pop() } else { None };
	(ids, next)
}
