//! Benchmarks of every call and of the retention sweep's work per record, each on its most
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

	#[benchmark]
	fn request_access() {
		let (_, _, requester, record) = record::<T>(1);
		#[extrinsic_call]
		_(RawOrigin::Signed(requester), record, tag(T::MaxRules::get() - 1));
		let request = Requests::<T>::get(0).expect("recorded");
		assert!(matches!(
			request.state,
			RequestState::Decided { decision: Decision::Approved { .. }, .. }
		));
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
		#[extrinsic_call]
		_(RawOrigin::Signed(subject), 0, true);
		assert!(matches!(Requests::<T>::get(0).unwrap().state, RequestState::Decided { .. }));
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
	fn sweep_record() {
		let (_, _, _, record) = record::<T>(T::MaxHolders::get());
		T::BenchmarkHelper::set_time(START + 2_000_000);
		#[block]
		{
			Pallet::<T>::sweep(Weight::from_parts(u64::MAX, u64::MAX));
		}
		assert!(matches!(Records::<T>::get(record).unwrap().state, RecordState::Erasing { .. }));
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::tests::mock::new_test_ext(),
		crate::tests::mock::Test
	);
}
