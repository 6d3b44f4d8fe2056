//! M6: what the ledger forgets and when. The retention sweep over the due index, the purge of
//! erased records, the bounds on a record's requests, and the sweep's per-block bound.

use super::mock::*;
use crate::*;
use frame_support::{assert_noop, assert_ok};
use plexus_primitives::{
	envelope::{Failure, MessageId},
	service::RemoteOrigin,
};

const DAY: u64 = 24 * 3_600_000;

/// A policy with `billing` on consent approved at once, and `research` on consent approved by
/// the subject; the subject consents to `research` only.
fn policy() -> PolicyId {
	let rules = vec![
		rule("billing", LegalBasis::Consent, None, Approver::Policy),
		rule("research", LegalBasis::Consent, None, Approver::Subject),
	];
	assert_ok!(DataProtection::create_policy(
		signed(&controller()),
		rules.try_into().unwrap(),
		TTL
	));
	assert_ok!(DataProtection::grant_consent(
		signed(&subject()),
		controller(),
		tag("research"),
		None
	));
	NextPolicy::<Test>::get() - 1
}

/// Registers a record held by holder 1 under a commitment made of `seed`.
fn register(policy: PolicyId, seed: u32, retain_until: u64) -> RecordId {
	let commitment = sp_io::hashing::blake2_256(&seed.encode());
	assert_ok!(DataProtection::register(
		signed(&controller()),
		subject(),
		Category::Contact,
		commitment,
		held_by(&[1], commitment),
		retain_until,
		policy,
	));
	NextRecord::<Test>::get() - 1
}

fn ask(record: RecordId, purpose: &str) -> RequestId {
	assert_ok!(DataProtection::request_access(signed(&requester()), record, tag(purpose)));
	NextRequest::<Test>::get() - 1
}

/// Has `record` erased: asked by the subject, attested by holder 1 at once. Returns when.
fn erase(record: RecordId) -> u64 {
	assert_ok!(DataProtection::request_erasure(signed(&subject()), record));
	let at = now();
	assert_ok!(DataProtection::attest_erasure(
		signed(&requester()),
		record,
		holder(1),
		at,
		attestation(1, record, at),
	));
	assert!(matches!(Records::<Test>::get(record).unwrap().state, RecordState::Erased { .. }));
	at
}

fn trail_ids(record: RecordId) -> Vec<RequestId> {
	RecordRequests::<Test>::iter_key_prefix(record).map(u64::from_be_bytes).collect()
}

#[test]
fn a_record_past_retention_is_erased_in_the_next_block_however_many_came_before() {
	new_test_ext().execute_with(|| {
		let policy = policy();
		for seed in 0..1_000 {
			register(policy, seed, now() + DAY);
		}
		// The newest record, with the shortest retention.
		let retain_until = now() + 10 * 60_000 + 1;
		let last = register(policy, 1_000, retain_until);
		run_until(retain_until);
		assert_eq!(Records::<Test>::get(last).unwrap().state, RecordState::Active);

		set_now(minute_after(retain_until));
		next_block();
		assert!(matches!(
			Records::<Test>::get(last).unwrap().state,
			RecordState::Erasing { cause: ErasureCause::Retention, .. }
		));
		assert!(matches!(last_event(), Event::ErasureRequested { record, .. } if record == last));
		let active = Records::<Test>::iter()
			.filter(|(_, record)| record.state == RecordState::Active)
			.count();
		assert_eq!(active, 1_000, "the others are kept till their own time");
	});
}

#[test]
fn a_block_starts_at_most_max_sweep_per_block_erasures_and_the_rest_follow() {
	new_test_ext().execute_with(|| {
		let policy = policy();
		let retain_until = now() + 60_000;
		let n = 2 * MAX_SWEEP + 3;
		for seed in 0..n {
			register(policy, seed, retain_until);
		}
		let erasing = || {
			Records::<Test>::iter()
				.filter(|(_, record)| matches!(record.state, RecordState::Erasing { .. }))
				.count() as u32
		};
		set_now(minute_after(retain_until));
		for block in 1..=3 {
			let before = erasing();
			let weight = next_block();
			assert_eq!(erasing(), (block * MAX_SWEEP).min(n));
			// Charged for each record it erased (the mock's `sweep_retain` is 10_000).
			assert!(weight.ref_time() >= 10_000 * u64::from(erasing() - before));
		}
		assert_eq!(erasing(), n);
		assert_eq!(DueIndex::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_stale_retention_entry_is_dropped() {
	new_test_ext().execute_with(|| {
		let policy = policy();
		let retain_until = now() + 60_000;
		let record = register(policy, 0, retain_until);
		// Erased on request before its retention ended: nothing left to do at retain_until.
		let erased_at = erase(record);
		set_now(minute_after(retain_until));
		let events = System::events().len();
		next_block();
		assert_eq!(
			Records::<Test>::get(record).unwrap().state,
			RecordState::Erased { at: erased_at, cause: ErasureCause::Subject }
		);
		assert_eq!(System::events().len(), events, "no erasure asked again");
		assert!(!DueIndex::<Test>::iter_keys().any(|(_, due)| matches!(due, Due::Retain(..))));
	});
}

#[test]
fn an_erased_record_and_its_trail_are_forgotten_after_audit_retention_and_not_before() {
	new_test_ext().execute_with(|| {
		let policy = policy();
		let record = register(policy, 0, now() + 3 * AUDIT_RETENTION);
		let kept = register(policy, 1, now() + 3 * AUDIT_RETENTION);
		let approved = ask(record, "research");
		assert_ok!(DataProtection::decide(signed(&subject()), approved, true));
		let rejected = ask(record, "billing");
		let other = ask(kept, "billing");
		let erased_at = erase(record);
		// Asked after erasure: rejected, and kept with the rest of the trail.
		let late = ask(record, "research");

		run_until(erased_at + AUDIT_RETENTION);
		// The whole audit trail is still there for the retention.
		assert!(Records::<Test>::get(record).is_some());
		assert_eq!(Attestations::<Test>::iter_prefix(record).count(), 1);
		assert_eq!(
			DataProtection::audit(record, 0, MAX_PAGE).0.len(),
			3,
			"{approved}, {rejected}, {late}"
		);

		set_now(minute_after(erased_at + AUDIT_RETENTION));
		next_block();
		assert!(System::events()
			.iter()
			.any(|e| e.event == RuntimeEvent::DataProtection(Event::RecordForgotten { record })));
		assert_eq!(Records::<Test>::get(record), None);
		assert_eq!(Attestations::<Test>::iter_prefix(record).count(), 0);
		assert_eq!(Trails::<Test>::get(record), Trail::default());
		for id in [approved, rejected, late] {
			assert_eq!(Requests::<Test>::get(id), None);
			assert_eq!(DataProtection::grant(id), Err(Reason::UnknownRequest));
		}
		assert_eq!(DataProtection::audit(record, 0, MAX_PAGE), (vec![], None));
		// Another record's trail is untouched.
		assert!(Requests::<Test>::get(other).is_some());
		assert!(Records::<Test>::get(kept).is_some());

		// Now an unknown record: refused, and nothing is stored.
		assert_noop!(
			DataProtection::request_access(signed(&requester()), record, tag("billing")),
			Error::<Test>::UnknownRecord
		);
		assert_noop!(
			DataProtection::request_erasure(signed(&subject()), record),
			Error::<Test>::UnknownRecord
		);
	});
}

#[test]
fn a_purge_forgets_a_chunk_of_requests_per_entry_and_continues() {
	new_test_ext().execute_with(|| {
		let policy = policy();
		let record = register(policy, 0, now() + 3 * AUDIT_RETENTION);
		let erased_at = erase(record);
		set_now(erased_at + 60_000);
		let asked = 2 * sweep::PURGE_CHUNK + 5;
		for _ in 0..asked {
			ask(record, "billing");
		}
		run_until(erased_at + AUDIT_RETENTION);
		assert_eq!(trail_ids(record).len() as u32, asked);

		set_now(minute_after(erased_at + AUDIT_RETENTION));
		next_block();
		// The record goes first, then the requests a chunk at a time.
		assert_eq!(Records::<Test>::get(record), None);
		assert_eq!(trail_ids(record).len() as u32, asked - sweep::PURGE_CHUNK);
		run_until(now() + 10 * 60_000);
		assert_eq!(trail_ids(record), Vec::<RequestId>::new());
		assert_eq!(Requests::<Test>::iter().count(), 0);
		// Nothing left behind in the index but the record's (stale) retention entry.
		assert!(DueIndex::<Test>::iter_keys().all(|(_, due)| matches!(due, Due::Retain(..))));
	});
}

#[test]
fn a_record_has_at_most_max_open_requests_waiting_for_its_approver() {
	new_test_ext().execute_with(|| {
		let record = register(policy(), 0, now() + DAY);
		let pending: Vec<_> = (0..MAX_OPEN).map(|_| ask(record, "research")).collect();
		assert_eq!(Trails::<Test>::get(record).pending, MAX_OPEN);
		assert_noop!(
			DataProtection::request_access(signed(&requester()), record, tag("research")),
			Error::<Test>::TooManyOpenRequests
		);
		// Routed: refused as a module error, nothing stored.
		let sender = account("Far");
		let message = MessageId { origin: REMOTE_NET, sequence: 1 };
		let payload = AccessRequest { record, purpose: tag("research") }.encode();
		let (answer, _) = DataProtection::serve(
			RemoteOrigin { network: &REMOTE_NET, account: &sender, message },
			&payload,
			Weight::from_parts(u64::MAX, u64::MAX),
		);
		assert!(matches!(answer, Err(Failure::Module { .. })));
		assert_eq!(NextRequest::<Test>::get(), MAX_OPEN as u64);

		// A request decided at once is not held up by the queue.
		let at_once = ask(record, "billing");
		assert!(matches!(
			Requests::<Test>::get(at_once).unwrap().state,
			RequestState::Decided { .. }
		));
		// The approver decides one: room for one more.
		assert_ok!(DataProtection::decide(signed(&subject()), pending[0], false));
		assert_eq!(Trails::<Test>::get(record).pending, MAX_OPEN - 1);
		ask(record, "research");
		assert_eq!(Trails::<Test>::get(record).pending, MAX_OPEN);
	});
}

#[test]
fn a_trail_keeps_its_newest_requests_and_forgets_older_ones_after_audit_retention() {
	new_test_ext().execute_with(|| {
		let record = register(policy(), 0, now() + 3 * AUDIT_RETENTION);
		let asked = MAX_KEPT as u64 + 5;
		let t = now();
		for _ in 0..asked {
			ask(record, "billing");
		}
		let trail = Trails::<Test>::get(record);
		assert_eq!((trail.kept, trail.evict_from), (MAX_KEPT, 5));
		// Nothing is forgotten before its time: the whole trail is audited.
		run_until(t + AUDIT_RETENTION);
		assert_eq!(trail_ids(record), (0..asked).collect::<Vec<_>>());

		set_now(minute_after(t + AUDIT_RETENTION));
		next_block();
		assert_eq!(trail_ids(record), (5..asked).collect::<Vec<_>>());
		assert_eq!(Requests::<Test>::get(0), None);
		let (page, next) = DataProtection::audit(record, 0, 3);
		assert_eq!(
			(page.iter().map(|e| e.request).collect::<Vec<_>>(), next),
			(vec![5, 6, 7], Some(8))
		);
		// The kept ones stay for as long as the record lives.
		run_until(now() + AUDIT_RETENTION);
		assert_eq!(trail_ids(record).len() as u32, MAX_KEPT);
	});
}

#[test]
fn a_request_evicted_while_pending_is_kept_until_audit_retention_after_its_decision() {
	new_test_ext().execute_with(|| {
		let record = register(policy(), 0, now() + 4 * AUDIT_RETENTION);
		let waiting = ask(record, "research");
		for _ in 0..MAX_KEPT {
			ask(record, "billing");
		}
		assert_eq!(Trails::<Test>::get(record).evict_from, waiting + 1);
		// Out of the trail, but waiting for its approver: never forgotten undecided.
		run_until(now() + 2 * AUDIT_RETENTION);
		assert!(Requests::<Test>::get(waiting).is_some());
		assert_ok!(DataProtection::decide(signed(&subject()), waiting, true));
		let decided = now();
		assert_eq!(Trails::<Test>::get(record).pending, 0);
		// Its approval stands: served until it expires, long before it is forgotten.
		assert_ok!(DataProtection::grant(waiting));

		run_until(decided + AUDIT_RETENTION);
		assert!(Requests::<Test>::get(waiting).is_some());
		set_now(minute_after(decided + AUDIT_RETENTION));
		next_block();
		assert_eq!(Requests::<Test>::get(waiting), None);
		assert!(!trail_ids(record).contains(&waiting));
	});
}
