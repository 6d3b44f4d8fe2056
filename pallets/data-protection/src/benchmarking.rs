//! Benchmarks of every call and of the sweep's work per entry of its index, each on its most
//! expensive path.

use super::*;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;
use plexus_primitives::data_protection::{signing_payload, CUSTODY_CONTEXT, ERASURE_CONTEXT};

/// Sets up what the benchmarks need from the runtime.
pub trait BenchmarkHelper<AccountId, Signature> {
	/// Holder `index`'s account (a different one for each `index` below `MaxHolders`, the same
	/// one each time for an `index`) and its signature over `payload`.
	fn holder_signature(index: u32, payload: &[u8]) -> (AccountId, Signature);
	/// Sets the clock the pallet reads (`T::UnixTime`).
	fn set_time(ms: u64);
}

const START: u64 = 1_000_000_000;

fn tag(seed: u32) -> Tag {
	let mut name = b"purpose-".to_vec();
	name.extend_from_slice(&seed.to_le_bytes());
	name.try_into().expect("shorter than MAX_TAG_LEN")
}

fn rules<T: Config>(n: u32) -> BoundedVec<Rule, T::MaxRules> {
	(0..n)
		.map(|i| Rule {
			purpose: tag(i),
			basis: LegalBasis::Consent,
			role: Some(tag(1_000 + i)),
			approver: Approver::Policy,
		})
		.collect::<Vec<_>>()
		.try_into()
		.expect("n <= MaxRules")
}

/// `n` of the helper's holders, each with its custody signature over `commitment` kept for
/// `subject` and `controller`.
fn holders<T: Config>(
	n: u32,
	commitment: [u8; 32],
	subject: &T::AccountId,
	controller: &T::AccountId,
) -> SignedHolders<T> {
	let custody = Custody {
		network: T::ThisNetwork::get(),
		commitment,
		subject: subject.clone(),
		controller: controller.clone(),
	};
	let payload = signing_payload(CUSTODY_CONTEXT, &custody);
	(0..n)
		.map(|i| T::BenchmarkHelper::holder_signature(i, &payload))
		.collect::<Vec<_>>()
		.try_into()
		.expect("n <= MaxHolders")
}

/// A controller with a full policy, a record of `holders` of the helper's holders, the
/// subject's consent, and the requester's role: everything `request_access` reads.
fn record<T: Config>(n_holders: u32) -> (T::AccountId, T::AccountId, T::AccountId, RecordId) {
	T::BenchmarkHelper::set_time(START);
	let (controller, subject, requester): (T::AccountId, T::AccountId, T::AccountId) =
		(account("controller", 0, 0), account("subject", 0, 0), whitelisted_caller());
	let max = T::MaxRules::get();
	let policy = Pallet::<T>::do_create_policy(controller.clone(), rules::<T>(max), 60_000)
		.expect("a valid policy");
	let record = Pallet::<T>::do_register(
		controller.clone(),
		subject.clone(),
		Category::Health,
		[7; 32],
		holders::<T>(n_holders, [7; 32], &subject, &controller),
		START + 1_000_000,
		policy,
	)
	.expect("a valid record");
	// The last rule is the one found last.
	let purpose = tag(max - 1);
	Consents::<T>::insert(
		&subject,
		(&controller, &purpose),
		Consent { granted_at: START, expires_at: None, withdrawn_at: None },
	);
	let roles: BoundedVec<Tag, T::MaxRoles> = vec![tag(1_000 + max - 1)].try_into().unwrap();
	Roles::<T>::insert(&controller, &requester, roles);
	(controller, subject, requester, record)
}

/// Stores request `id` about `record`, decided (rejected), in its audit trail.
fn decided_request<T: Config>(
	id: RequestId,
	record: RecordId,
	requester: T::AccountId,
	purpose: Tag,
) {
	let state =
		RequestState::Decided { decision: Decision::Rejected(Reason::NoConsent), at: START };
	let request = Request { record, requester, origin: None, purpose, asked_at: START, state };
	Requests::<T>::insert(id, request);
	RecordRequests::<T>::insert(record, sorted(id), ());
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_policy(r: Linear<1, { T::MaxRules::get() }>) {
		let controller: T::AccountId = whitelisted_caller();
		let rules = rules::<T>(r);
		#[extrinsic_call]
		_(RawOrigin::Signed(controller), rules, 60_000);
		assert_eq!(NextPolicy::<T>::get(), 1);
	}

	#[benchmark]
	fn set_role() {
		let controller: T::AccountId = whitelisted_caller();
		let roles: BoundedVec<Tag, T::MaxRoles> =
			(0..T::MaxRoles::get() - 1).map(tag).collect::<Vec<_>>().try_into().unwrap();
		let requester: T::AccountId = account("requester", 0, 0);
		Roles::<T>::insert(&controller, &requester, roles);
		#[extrinsic_call]
		_(RawOrigin::Signed(controller.clone()), requester.clone(), tag(99), true);
		assert_eq!(Roles::<T>::get(&controller, &requester).len() as u32, T::MaxRoles::get());
	}

	/// Every holder's custody signature is checked.
	#[benchmark]
	fn register(h: Linear<1, { T::MaxHolders::get() }>) {
		T::BenchmarkHelper::set_time(START);
		let controller: T::AccountId = whitelisted_caller();
		let subject: T::AccountId = account("subject", 0, 0);
		let policy = Pallet::<T>::do_create_policy(controller.clone(), rules::<T>(1), 60_000)
			.expect("a valid policy");
		let holders = holders::<T>(h, [7; 32], &subject, &controller);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(controller),
			subject,
			Category::Health,
			[7; 32],
			holders,
			START + 1,
			policy,
		);
		assert_eq!(NextRecord::<T>::get(), 1);
	}

	#[benchmark]
	fn grant_consent() {
		T::BenchmarkHelper::set_time(START);
		let subject: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(subject.clone()), account("controller", 0, 0), tag(0), Some(START + 1));
		assert_eq!(Consents::<T>::iter_prefix(&subject).count(), 1);
	}

	#[benchmark]
	fn withdraw_consent() {
		let subject: T::AccountId = whitelisted_caller();
		let controller: T::AccountId = account("controller", 0, 0);
		let consent = Consent { granted_at: 0, expires_at: None, withdrawn_at: None };
		Consents::<T>::insert(&subject, (&controller, &tag(0)), consent);
		#[extrinsic_call]
		_(RawOrigin::Signed(subject.clone()), controller.clone(), tag(0));
		assert!(Consents::<T>::get(&subject, (&controller, &tag(0)))
			.unwrap()
			.withdrawn_at
			.is_some());
	}

	/// The record's trail is full: the oldest request, decided, is evicted and filed.
	#[benchmark]
	fn request_access() {
		let (_, _, requester, record) = record::<T>(1);
		let purpose = tag(T::MaxRules::get() - 1);
		decided_request::<T>(0, record, requester.clone(), purpose.clone());
		NextRequest::<T>::put(1);
		let full = Trail { pending: 0, kept: T::MaxRequestsPerRecord::get(), evict_from: 0 };
		Trails::<T>::insert(record, full);
		#[extrinsic_call]
		_(RawOrigin::Signed(requester), record, purpose);
		let request = Requests::<T>::get(1).expect("recorded");
		assert!(matches!(
			request.state,
			RequestState::Decided { decision: Decision::Approved { .. }, .. }
		));
		assert_eq!(Trails::<T>::get(record).evict_from, 1);
		assert_eq!(DueIndex::<T>::iter().count(), 2, "the record's retention and request 0");
	}

	#[benchmark]
	fn decide() {
		let (controller, subject, requester, record) = record::<T>(1);
		let purpose = tag(T::MaxRules::get() - 1);
		Requests::<T>::insert(
			0,
			Request {
				record,
				requester,
				origin: None,
				purpose,
				asked_at: START,
				state: RequestState::Pending { approver: Approver::Subject },
			},
		);
		let _ = controller;
		// It left the trail while pending: deciding it files it.
		Trails::<T>::insert(record, Trail { pending: 1, kept: 0, evict_from: 1 });
		#[extrinsic_call]
		_(RawOrigin::Signed(subject), 0, true);
		assert!(matches!(Requests::<T>::get(0).unwrap().state, RequestState::Decided { .. }));
		assert_eq!(DueIndex::<T>::iter().count(), 2, "the record's retention and request 0");
	}

	#[benchmark]
	fn request_erasure(h: Linear<1, { T::MaxHolders::get() }>) {
		let (_, subject, _, record) = record::<T>(h);
		#[extrinsic_call]
		_(RawOrigin::Signed(subject), record);
		assert!(matches!(Records::<T>::get(record).unwrap().state, RecordState::Erasing { .. }));
	}

	#[benchmark]
	fn attest_erasure() {
		let (_, subject, _, record) = record::<T>(1);
		Pallet::<T>::request_erasure(RawOrigin::Signed(subject).into(), record).unwrap();
		let statement = ErasureAttestation {
			network: T::ThisNetwork::get(),
			record,
			commitment: [7; 32],
			destroyed_at: START,
		};
		let (holder, signature) =
			T::BenchmarkHelper::holder_signature(0, &signing_payload(ERASURE_CONTEXT, &statement));
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), record, holder, START, signature);
		assert!(matches!(Records::<T>::get(record).unwrap().state, RecordState::Erased { .. }));
	}

	/// Every holder's custody signature is checked.
	#[benchmark]
	fn rectify(h: Linear<1, { T::MaxHolders::get() }>) {
		let (controller, subject, _, record) = record::<T>(h);
		let holders = holders::<T>(h, [8; 32], &subject, &controller);
		#[extrinsic_call]
		_(RawOrigin::Signed(controller), record, [8; 32], holders);
		assert!(Records::<T>::get(record).unwrap().superseded_by.is_some());
	}

	#[benchmark]
	fn sweep_retain() {
		let (_, _, _, record) = record::<T>(T::MaxHolders::get());
		let until = Records::<T>::get(record).unwrap().retain_until;
		let (bucket, due) = DueIndex::<T>::iter_keys().next().expect("filed at registration");
		T::BenchmarkHelper::set_time(until + 1);
		#[block]
		{
			Pallet::<T>::forget(bucket, due);
		}
		assert_eq!(due, Due::Retain(record, until));
		assert!(matches!(Records::<T>::get(record).unwrap().state, RecordState::Erasing { .. }));
	}

	#[benchmark]
	fn sweep_request() {
		let (_, _, requester, record) = record::<T>(1);
		decided_request::<T>(0, record, requester, tag(0));
		Pallet::<T>::file(Due::Request(0), START + 1);
		let bucket = plexus_primitives::retention::bucket(START + 1);
		#[block]
		{
			Pallet::<T>::forget(bucket, Due::Request(0));
		}
		assert!(Requests::<T>::get(0).is_none());
		assert_eq!(RecordRequests::<T>::iter_key_prefix(record).count(), 0);
	}

	/// An erased record with every holder's attestation and `r` requests.
	#[benchmark]
	fn sweep_purge(r: Linear<0, { sweep::PURGE_CHUNK }>) {
		let holders = T::MaxHolders::get();
		let (_, _, requester, record) = record::<T>(holders);
		Records::<T>::mutate(record, |stored| {
			stored.as_mut().unwrap().state =
				RecordState::Erased { at: START, cause: ErasureCause::Subject };
		});
		for i in 0..holders {
			let (holder, signature) = T::BenchmarkHelper::holder_signature(i, b"attested");
			Attestations::<T>::insert(record, holder, (START, signature));
		}
		for id in 0..r as u64 {
			decided_request::<T>(id, record, requester.clone(), tag(0));
		}
		Pallet::<T>::file(Due::Purge(record), START + 1);
		let bucket = plexus_primitives::retention::bucket(START + 1);
		#[block]
		{
			assert!(Pallet::<T>::forget(bucket, Due::Purge(record)).1, "done in one entry");
		}
		assert!(Records::<T>::get(record).is_none());
		assert_eq!(Attestations::<T>::iter_prefix(record).count(), 0);
		assert_eq!(Requests::<T>::iter().count(), 0);
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::tests::mock::new_test_ext(),
		crate::tests::mock::Test
	);
}
