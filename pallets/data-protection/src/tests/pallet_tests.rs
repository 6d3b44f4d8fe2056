use super::mock::*;
use crate::*;
use frame_support::{assert_noop, assert_ok};
use plexus_primitives::{
	envelope::{Failure, MessageId},
	service::RemoteOrigin,
};
use sp_runtime::MultiSignature;

const COMMITMENT: [u8; 32] = [0xc0; 32];
const DAY: u64 = 24 * 3_600_000;

fn policy_with(rules: Vec<Rule>) -> PolicyId {
	assert_ok!(DataProtection::create_policy(
		signed(&controller()),
		rules.try_into().unwrap(),
		TTL
	));
	NextPolicy::<Test>::get() - 1
}

fn register_with(policy: PolicyId, category: Category, commitment: [u8; 32]) -> RecordId {
	assert_ok!(DataProtection::register(
		signed(&controller()),
		subject(),
		category,
		commitment,
		held_by(&[1, 2], commitment),
		now() + DAY,
		policy,
	));
	NextRecord::<Test>::get() - 1
}

/// A record whose policy allows `billing` on consent, `audit` on legal obligation for auditors,
/// and `research` on consent approved by the subject.
fn standard_record() -> RecordId {
	let policy = policy_with(vec![
		rule("billing", LegalBasis::Consent, None, Approver::Policy),
		rule("audit", LegalBasis::LegalObligation, Some("auditor"), Approver::Policy),
		rule("research", LegalBasis::Consent, None, Approver::Subject),
	]);
	register_with(policy, Category::Contact, COMMITMENT)
}

fn consent(purpose: &str, expires_at: Option<u64>) {
	assert_ok!(DataProtection::grant_consent(
		signed(&subject()),
		controller(),
		tag(purpose),
		expires_at
	));
}

fn ask(record: RecordId, purpose: &str) -> (RequestId, RequestState) {
	assert_ok!(DataProtection::request_access(signed(&requester()), record, tag(purpose)));
	let id = NextRequest::<Test>::get() - 1;
	(id, Requests::<Test>::get(id).unwrap().state)
}

fn rejected(reason: Reason) -> RequestState {
	RequestState::Decided { decision: Decision::Rejected(reason), at: now() }
}

fn approved(basis: LegalBasis, approver: Approver) -> RequestState {
	RequestState::Decided {
		decision: Decision::Approved { basis, approver, expires_at: now() + TTL },
		at: now(),
	}
}

#[test]
fn bad_policies_are_refused_and_change_nothing() {
	new_test_ext().execute_with(|| {
		let create = |rules: Vec<Rule>, ttl| {
			DataProtection::create_policy(signed(&controller()), rules.try_into().unwrap(), ttl)
		};
		let billing = rule("billing", LegalBasis::Consent, None, Approver::Policy);
		assert_noop!(create(vec![], TTL), Error::<Test>::NoRules);
		assert_noop!(
			create(vec![billing.clone(), billing.clone()], TTL),
			Error::<Test>::DuplicatePurpose
		);
		assert_noop!(
			create(vec![rule("", LegalBasis::Consent, None, Approver::Policy)], TTL),
			Error::<Test>::EmptyPurpose
		);
		assert_noop!(create(vec![billing.clone()], 0), Error::<Test>::ApprovalTtlOutOfRange);
		assert_noop!(create(vec![billing], DAY + 1), Error::<Test>::ApprovalTtlOutOfRange);
		assert_eq!(NextPolicy::<Test>::get(), 0);
	});
}

#[test]
fn bad_registrations_are_refused_and_change_nothing() {
	new_test_ext().execute_with(|| {
		let consent_only =
			policy_with(vec![rule("care", LegalBasis::Consent, None, Approver::Policy)]);
		let mixed = policy_with(vec![
			rule("care", LegalBasis::Consent, None, Approver::Policy),
			rule("stats", LegalBasis::LegitimateInterests, None, Approver::Policy),
		]);
		let register = |who: &AccountId, category, holders, retain_until, policy| {
			DataProtection::register(
				signed(who),
				subject(),
				category,
				COMMITMENT,
				holders,
				retain_until,
				policy,
			)
		};
		let later = now() + DAY;
		assert_noop!(
			register(&controller(), Category::Contact, held_by(&[1], COMMITMENT), later, 9),
			Error::<Test>::UnknownPolicy
		);
		assert_noop!(
			register(&requester(), Category::Contact, held_by(&[1], COMMITMENT), later, mixed),
			Error::<Test>::NotPolicyController
		);
		assert_noop!(
			register(&controller(), Category::Health, held_by(&[1], COMMITMENT), later, mixed),
			Error::<Test>::SpecialCategoryNeedsConsent
		);
		assert_noop!(
			register(&controller(), Category::Contact, held_by(&[], COMMITMENT), later, mixed),
			Error::<Test>::NoHolders
		);
		assert_noop!(
			register(&controller(), Category::Contact, held_by(&[1, 1], COMMITMENT), later, mixed),
			Error::<Test>::DuplicateHolder
		);
		assert_noop!(
			register(&controller(), Category::Contact, held_by(&[1], COMMITMENT), now(), mixed),
			Error::<Test>::RetentionInPast
		);
		let health = register_with(consent_only, Category::Health, COMMITMENT);
		assert_eq!(ByCommitment::<Test>::get(COMMITMENT), Some(health));
		assert_eq!(DataProtection::records_of(&subject(), 0, MAX_PAGE), (vec![health], None));
		assert_noop!(
			register(&controller(), Category::Contact, held_by(&[1], COMMITMENT), later, mixed),
			Error::<Test>::CommitmentInUse
		);
	});
}

/// Holders with the signatures given, as a call names them.
fn named(list: Vec<(u8, MultiSignature)>) -> SignedHolders<Test> {
	list.into_iter()
		.map(|(i, signature)| (holder(i), signature))
		.collect::<Vec<_>>()
		.try_into()
		.unwrap()
}

#[test]
fn a_commitment_registers_only_with_each_holders_custody_for_its_subject_and_controller() {
	new_test_ext().execute_with(|| {
		let rules = || vec![rule("stats", LegalBasis::LegitimateInterests, None, Approver::Policy)];
		let policy = policy_with(rules());
		// Mallory has a policy of her own that approves anything at once: only custody stops her.
		let mallory = account("Mallory");
		assert_ok!(DataProtection::create_policy(
			signed(&mallory),
			rules().try_into().unwrap(),
			TTL
		));
		let mallorys = NextPolicy::<Test>::get() - 1;
		let register = |who: &AccountId, subject: AccountId, holders, policy| {
			DataProtection::register(
				signed(who),
				subject,
				Category::Contact,
				COMMITMENT,
				holders,
				now() + DAY,
				policy,
			)
		};

		// What the controller's pending `register` shows in the pool: the vaults' custody of
		// the commitment for subject() and controller(). Front-running with it fails, whether
		// Mallory names the same subject or herself.
		let pending = held_by(&[1, 2], COMMITMENT);
		assert_noop!(
			register(&mallory, subject(), pending.clone(), mallorys),
			Error::<Test>::BadCustody
		);
		assert_noop!(
			register(&mallory, mallory.clone(), pending.clone(), mallorys),
			Error::<Test>::BadCustody
		);

		// The controller's own: data put for one subject is not registered under another.
		let someone = account("Someone");
		let for_someone = custody(1, COMMITMENT, &someone, &controller());
		assert_noop!(
			register(&controller(), subject(), named(vec![(1, for_someone)]), policy),
			Error::<Test>::BadCustody
		);
		// A signature by a vault that is not the holder named, or over another commitment, or
		// for another network; one bad holder among good ones is enough.
		let refused = [
			named(vec![(1, custody(3, COMMITMENT, &subject(), &controller()))]),
			named(vec![(1, custody(1, [0xc1; 32], &subject(), &controller()))]),
			named(vec![(1, custody_on(REMOTE_NET, 1, COMMITMENT, &subject(), &controller()))]),
			named(vec![
				(1, custody(1, COMMITMENT, &subject(), &controller())),
				(2, custody(1, COMMITMENT, &subject(), &controller())),
			]),
		];
		for holders in refused {
			assert_noop!(
				register(&controller(), subject(), holders, policy),
				Error::<Test>::BadCustody
			);
		}

		assert_ok!(register(&controller(), subject(), pending, policy));
		let record = Records::<Test>::get(0).unwrap();
		assert_eq!(
			(record.subject, record.controller, record.holders.into_inner()),
			(subject(), controller(), vec![holder(1), holder(2)])
		);
		assert!(matches!(
			last_event(),
			Event::RecordRegistered { record: 0, commitment: COMMITMENT, .. }
		));
	});
}

#[test]
fn an_audit_trail_comes_in_pages_of_at_most_max_page() {
	new_test_ext().execute_with(|| {
		let record = standard_record();
		let other = register_with(NextPolicy::<Test>::get() - 1, Category::Contact, [0xc1; 32]);
		// 400 requests, one in four about the other record. Ids pass 255: a key that did not
		// sort by number (little-endian, hashed) would put 256 before 1.
		let mut mine = Vec::new();
		for i in 0..400 {
			let on = if i % 4 == 3 { other } else { record };
			let (id, _) = ask(on, "billing");
			if on == record {
				mine.push(id);
			}
		}
		let ids = |entries: Vec<AuditEntry<AccountId>>| -> Vec<RequestId> {
			entries.into_iter().map(|entry| entry.request).collect()
		};

		let (page, next) = DataProtection::audit(record, 0, u32::MAX);
		assert_eq!(ids(page), mine[..MAX_PAGE as usize]);
		assert_eq!(next, Some(mine[MAX_PAGE as usize]));
		let (page, next) = DataProtection::audit(record, mine[MAX_PAGE as usize], u32::MAX);
		assert_eq!((ids(page), next), (mine[MAX_PAGE as usize..].to_vec(), None));

		// Following `next` walks the whole trail once, in order.
		let (mut walked, mut from) = (Vec::new(), 0);
		loop {
			let (page, next) = DataProtection::audit(record, from, 7);
			assert!(page.len() <= 7);
			walked.extend(ids(page));
			match next {
				Some(id) => from = id,
				None => break,
			}
		}
		assert_eq!(walked, mine);

		// `from` need not be one of the record's requests (3 is the other record's).
		assert_eq!(ids(DataProtection::audit(record, 3, 2).0), vec![4, 5]);
		assert_eq!(DataProtection::audit(record, 0, 0), (vec![], Some(0)));
		assert_eq!(DataProtection::audit(record, 400, 10), (vec![], None));
		assert_eq!(DataProtection::audit(99, 0, 10), (vec![], None));
	});
}

#[test]
fn a_subjects_records_come_in_pages_and_erased_ones_leave_them() {
	new_test_ext().execute_with(|| {
		let policy =
			policy_with(vec![rule("billing", LegalBasis::Consent, None, Approver::Policy)]);
		let someone = account("Someone");
		let mut mine = Vec::new();
		for i in 0u32..300 {
			let commitment = sp_io::hashing::blake2_256(&i.encode());
			if i % 5 == 4 {
				let custody = custody(1, commitment, &someone, &controller());
				assert_ok!(DataProtection::register(
					signed(&controller()),
					someone.clone(),
					Category::Contact,
					commitment,
					named(vec![(1, custody)]),
					now() + DAY,
					policy,
				));
			} else {
				mine.push(register_with(policy, Category::Contact, commitment));
			}
		}
		assert_eq!(mine.len(), 240);
		let (page, next) = DataProtection::records_of(&subject(), 0, 1_000);
		assert_eq!((page, next), (mine.clone(), None));
		let (page, next) = DataProtection::records_of(&subject(), 0, 100);
		assert_eq!((page, next), (mine[..100].to_vec(), Some(mine[100])));
		// Record 4 is Someone's: the page starts at the next of the subject's.
		assert_eq!(DataProtection::records_of(&subject(), 4, 2), (vec![5, 6], Some(7)));
		assert_eq!(DataProtection::records_of(&someone, 0, 3), (vec![4, 9, 14], Some(19)));

		// Erased, a record drops out of its subject's pages.
		assert_ok!(DataProtection::request_erasure(signed(&subject()), 5));
		for i in [1, 2] {
			assert_ok!(DataProtection::attest_erasure(
				signed(&requester()),
				5,
				holder(i),
				now(),
				attestation(i, 5, now()),
			));
		}
		assert_eq!(DataProtection::records_of(&subject(), 4, 2), (vec![6, 7], Some(8)));
		assert_eq!(DataProtection::records_of(&subject(), 5, 1), (vec![6], Some(7)));
	});
}

#[test]
fn consent_for_the_purpose_approves_at_once_and_the_vault_may_serve_it() {
	new_test_ext().execute_with(|| {
		let record = standard_record();
		consent("billing", None);
		let (id, state) = ask(record, "billing");
		assert_eq!(state, approved(LegalBasis::Consent, Approver::Policy));
		assert!(matches!(
			last_event(),
			Event::AccessDecided { request, decision: Decision::Approved { .. }, .. } if request == id
		));
		let grant = DataProtection::grant(id).unwrap();
		assert_eq!(
			(grant.record, grant.commitment, grant.signer),
			(record, COMMITMENT, requester())
		);
		assert_eq!(grant.expires_at, now() + TTL);
		let (audit, next) = DataProtection::audit(record, 0, MAX_PAGE);
		assert_eq!((audit.len(), next), (1, None));
		assert_eq!(
			(audit[0].request, &audit[0].requester, audit[0].origin.clone()),
			(id, &requester(), None)
		);
	});
}

#[test]
fn without_a_standing_consent_the_request_is_rejected_on_the_ledger() {
	new_test_ext().execute_with(|| {
		let record = standard_record();
		assert_eq!(ask(record, "billing").1, rejected(Reason::NoConsent));

		// Consent for another purpose does not count.
		consent("research", None);
		assert_eq!(ask(record, "billing").1, rejected(Reason::NoConsent));

		consent("billing", Some(now() + 1_000));
		assert_eq!(ask(record, "billing").1, approved(LegalBasis::Consent, Approver::Policy));
		// It expires by itself.
		set_now(now() + 1_000);
		assert_eq!(ask(record, "billing").1, rejected(Reason::ConsentExpired));

		consent("billing", None);
		assert_ok!(DataProtection::withdraw_consent(
			signed(&subject()),
			controller(),
			tag("billing")
		));
		assert_eq!(ask(record, "billing").1, rejected(Reason::ConsentWithdrawn));
		assert_noop!(
			DataProtection::withdraw_consent(signed(&subject()), controller(), tag("billing")),
			Error::<Test>::ConsentAlreadyWithdrawn
		);
		assert_noop!(
			DataProtection::grant_consent(signed(&subject()), controller(), tag("x"), Some(now())),
			Error::<Test>::ExpiryInPast
		);

		// Every request is in the audit trail, rejections included.
		let reasons: Vec<_> =
			DataProtection::audit(record, 0, MAX_PAGE).0.into_iter().map(|e| e.state).collect();
		assert_eq!(reasons.len(), 5);
		assert!(matches!(
			reasons[0],
			RequestState::Decided { decision: Decision::Rejected(Reason::NoConsent), .. }
		));
		assert!(matches!(
			reasons[4],
			RequestState::Decided { decision: Decision::Rejected(Reason::ConsentWithdrawn), .. }
		));
	});
}

#[test]
fn roles_and_purposes_are_checked() {
	new_test_ext().execute_with(|| {
		let record = standard_record();
		assert_eq!(ask(record, "marketing").1, rejected(Reason::PurposeNotAllowed));
		assert_eq!(ask(record, "audit").1, rejected(Reason::RoleMissing));
		// A role from another controller does not count.
		assert_ok!(DataProtection::set_role(signed(&subject()), requester(), tag("auditor"), true));
		assert_eq!(ask(record, "audit").1, rejected(Reason::RoleMissing));
		assert_ok!(DataProtection::set_role(
			signed(&controller()),
			requester(),
			tag("auditor"),
			true
		));
		// A legal obligation needs no consent.
		let (id, state) = ask(record, "audit");
		assert_eq!(state, approved(LegalBasis::LegalObligation, Approver::Policy));
		assert_ok!(DataProtection::grant(id));
		assert_ok!(DataProtection::set_role(
			signed(&controller()),
			requester(),
			tag("auditor"),
			false
		));
		assert_eq!(ask(record, "audit").1, rejected(Reason::RoleMissing));

		for role in ["a", "b", "c", "d"] {
			assert_ok!(DataProtection::set_role(
				signed(&controller()),
				requester(),
				tag(role),
				true
			));
		}
		assert_noop!(
			DataProtection::set_role(signed(&controller()), requester(), tag("e"), true),
			Error::<Test>::TooManyRoles
		);
	});
}

#[test]
fn the_subject_decides_a_pending_request_and_decisions_never_change() {
	new_test_ext().execute_with(|| {
		let record = standard_record();
		// Without consent, the subject is never even asked.
		assert_eq!(ask(record, "research").1, rejected(Reason::NoConsent));
		consent("research", None);
		let (id, state) = ask(record, "research");
		assert_eq!(state, RequestState::Pending { approver: Approver::Subject });
		assert_eq!(DataProtection::grant(id), Err(Reason::NotApproved));
		assert_noop!(
			DataProtection::decide(signed(&controller()), id, true),
			Error::<Test>::NotApprover
		);
		assert_noop!(
			DataProtection::decide(signed(&requester()), id, true),
			Error::<Test>::NotApprover
		);
		assert_ok!(DataProtection::decide(signed(&subject()), id, true));
		assert_eq!(
			Requests::<Test>::get(id).unwrap().state,
			approved(LegalBasis::Consent, Approver::Subject)
		);
		assert_noop!(
			DataProtection::decide(signed(&subject()), id, false),
			Error::<Test>::AlreadyDecided
		);

		// A refusal is final too.
		let (refused, _) = ask(record, "research");
		assert_ok!(DataProtection::decide(signed(&subject()), refused, false));
		assert_eq!(
			Requests::<Test>::get(refused).unwrap().state,
			rejected(Reason::RefusedBySubject)
		);
		assert_noop!(
			DataProtection::decide(signed(&subject()), refused, true),
			Error::<Test>::AlreadyDecided
		);

		// Consent withdrawn while pending: the subject's approval cannot override the policy.
		let (late, _) = ask(record, "research");
		assert_ok!(DataProtection::withdraw_consent(
			signed(&subject()),
			controller(),
			tag("research")
		));
		assert_ok!(DataProtection::decide(signed(&subject()), late, true));
		assert_eq!(Requests::<Test>::get(late).unwrap().state, rejected(Reason::ConsentWithdrawn));
		assert_noop!(
			DataProtection::decide(signed(&subject()), 99, true),
			Error::<Test>::UnknownRequest
		);
	});
}

#[test]
fn an_approval_stops_being_served_when_it_expires_or_its_consent_goes() {
	new_test_ext().execute_with(|| {
		let record = standard_record();
		consent("billing", None);
		let (id, _) = ask(record, "billing");
		assert_ok!(DataProtection::grant(id));
		assert_ok!(DataProtection::withdraw_consent(
			signed(&subject()),
			controller(),
			tag("billing")
		));
		assert_eq!(DataProtection::grant(id), Err(Reason::ConsentWithdrawn));
		// The decision itself stays as it was made.
		assert!(matches!(
			Requests::<Test>::get(id).unwrap().state,
			RequestState::Decided { decision: Decision::Approved { .. }, .. }
		));

		consent("billing", None);
		let (fresh, _) = ask(record, "billing");
		set_now(now() + TTL - 1);
		assert_ok!(DataProtection::grant(fresh));
		set_now(now() + 1);
		assert_eq!(DataProtection::grant(fresh), Err(Reason::ApprovalExpired));
		assert_eq!(DataProtection::grant(77), Err(Reason::UnknownRequest));
	});
}

#[test]
fn erasure_completes_with_every_holders_signed_attestation() {
	new_test_ext().execute_with(|| {
		let record = standard_record();
		consent("billing", None);
		let (before, _) = ask(record, "billing");
		assert_noop!(
			DataProtection::request_erasure(signed(&requester()), record),
			Error::<Test>::NotSubjectOrController
		);
		let attest = |_: u8, who: AccountId, at: u64, signature| {
			DataProtection::attest_erasure(signed(&requester()), record, who, at, signature)
		};
		assert_noop!(
			attest(1, holder(1), now(), attestation(1, record, now())),
			Error::<Test>::NotErasing
		);
		assert_ok!(DataProtection::request_erasure(signed(&subject()), record));
		assert!(matches!(
			last_event(),
			Event::ErasureRequested { cause: ErasureCause::Subject, .. }
		));
		assert_noop!(
			DataProtection::request_erasure(signed(&controller()), record),
			Error::<Test>::AlreadyErasing
		);
		// Data being erased is no longer served, nor granted again.
		assert_eq!(DataProtection::grant(before), Err(Reason::Erased));
		assert_eq!(ask(record, "billing").1, rejected(Reason::Erased));

		let t = now() + 10;
		set_now(t);
		// Forged: holder 2's signature for holder 1; holder 1's signature over another time.
		assert_noop!(
			attest(1, holder(1), t, attestation(2, record, t)),
			Error::<Test>::BadAttestation
		);
		assert_noop!(
			attest(1, holder(1), t, attestation(1, record, t - 1)),
			Error::<Test>::BadAttestation
		);
		assert_noop!(attest(3, holder(3), t, attestation(3, record, t)), Error::<Test>::NotHolder);
		assert_noop!(
			attest(1, holder(1), t + 120_000, attestation(1, record, t + 120_000)),
			Error::<Test>::AttestationOutOfTime
		);
		assert_ok!(attest(1, holder(1), t, attestation(1, record, t)));
		assert!(matches!(
			Records::<Test>::get(record).unwrap().state,
			RecordState::Erasing { attested: 1, .. }
		));
		assert_noop!(
			attest(1, holder(1), t, attestation(1, record, t)),
			Error::<Test>::AlreadyAttested
		);
		assert_ok!(attest(2, holder(2), t, attestation(2, record, t)));
		assert_eq!(
			Records::<Test>::get(record).unwrap().state,
			RecordState::Erased { at: t, cause: ErasureCause::Subject }
		);
		assert!(matches!(last_event(), Event::RecordErased { .. }));
		assert_eq!(ByCommitment::<Test>::get(COMMITMENT), None);
		assert_eq!(DataProtection::records_of(&subject(), 0, MAX_PAGE), (vec![], None));
		assert_noop!(
			attest(2, holder(2), t, attestation(2, record, t)),
			Error::<Test>::AlreadyErased
		);
	});
}

#[test]
fn the_retention_sweep_erases_records_past_their_time() {
	new_test_ext().execute_with(|| {
		let record = standard_record();
		let retain_until = Records::<Test>::get(record).unwrap().retain_until;
		consent("billing", None);
		next_block();
		assert_eq!(Records::<Test>::get(record).unwrap().state, RecordState::Active);
		// Each block of a running chain: a minute at a time up to the last moment it is kept.
		run_until(retain_until);
		assert_eq!(Records::<Test>::get(record).unwrap().state, RecordState::Active);
		set_now(retain_until + 1);
		// Past retention, it is refused even before the sweep reaches it.
		assert_eq!(ask(record, "billing").1, rejected(Reason::RetentionOver));
		// The sweep starts erasing it in the first block after its minute.
		set_now(minute_after(retain_until));
		next_block();
		assert!(matches!(
			Records::<Test>::get(record).unwrap().state,
			RecordState::Erasing { cause: ErasureCause::Retention, .. }
		));
	});
}

#[test]
fn rectification_supersedes_the_old_version_and_erases_it() {
	new_test_ext().execute_with(|| {
		let old = standard_record();
		let corrected = [0xc1; 32];
		let rectify = |who: &AccountId, commitment, holders| {
			DataProtection::rectify(signed(who), old, commitment, holders)
		};
		assert_noop!(
			rectify(&subject(), corrected, held_by(&[1], corrected)),
			Error::<Test>::NotController
		);
		assert_noop!(
			rectify(&controller(), COMMITMENT, held_by(&[1], COMMITMENT)),
			Error::<Test>::CommitmentInUse
		);
		// The custody must be of the new commitment, for the record's subject and the caller.
		let signed_for = |subject: &AccountId, controller: &AccountId, commitment| {
			vec![(holder(1), custody(1, commitment, subject, controller))].try_into().unwrap()
		};
		assert_noop!(
			rectify(&controller(), corrected, held_by(&[1], COMMITMENT)),
			Error::<Test>::BadCustody
		);
		assert_noop!(
			rectify(&controller(), corrected, signed_for(&requester(), &controller(), corrected)),
			Error::<Test>::BadCustody
		);
		assert_noop!(
			rectify(&controller(), corrected, signed_for(&subject(), &requester(), corrected)),
			Error::<Test>::BadCustody
		);
		assert_ok!(rectify(&controller(), corrected, held_by(&[1], corrected)));
		let new = NextRecord::<Test>::get() - 1;
		let (previous, current) =
			(Records::<Test>::get(old).unwrap(), Records::<Test>::get(new).unwrap());
		assert_eq!(
			(previous.superseded_by, current.supersedes, current.version),
			(Some(new), Some(old), 2)
		);
		assert!(matches!(
			previous.state,
			RecordState::Erasing { cause: ErasureCause::Rectified, .. }
		));
		consent("billing", None);
		assert_eq!(ask(old, "billing").1, rejected(Reason::Superseded));
		assert_eq!(ask(new, "billing").1, approved(LegalBasis::Consent, Approver::Policy));
		assert_noop!(
			rectify(&controller(), [0xc2; 32], held_by(&[1], [0xc2; 32])),
			Error::<Test>::RecordNotActive
		);
	});
}

#[test]
fn a_routed_request_is_decided_here_as_the_senders_remote_account() {
	new_test_ext().execute_with(|| {
		let record = standard_record();
		consent("billing", None);
		let sender = account("Far");
		let message = MessageId { origin: REMOTE_NET, sequence: 4 };
		let serve = |payload: &[u8], max| {
			DataProtection::serve(
				RemoteOrigin { network: &REMOTE_NET, account: &sender, message },
				payload,
				max,
			)
		};
		let ask = AccessRequest { record, purpose: tag("billing") };
		let enough = Weight::from_parts(1_000_000, 0);

		assert_eq!(serve(&[1, 2, 3], enough).0, Err(Failure::MalformedPayload));
		assert_eq!(serve(&ask.encode(), Weight::zero()).0, Err(Failure::WeightLimitExceeded));
		let unknown = AccessRequest { record: 42, purpose: tag("billing") };
		assert!(matches!(serve(&unknown.encode(), enough).0, Err(Failure::Module { .. })));
		assert_eq!(NextRequest::<Test>::get(), 0, "refusals record nothing");

		let (answer, _) = serve(&ask.encode(), enough);
		let answer = AccessAnswer::decode(&mut &answer.unwrap()[..]).unwrap();
		assert_eq!(answer.state, approved(LegalBasis::Consent, Approver::Policy));
		let stored = Requests::<Test>::get(answer.request).unwrap();
		assert_eq!(stored.requester, HashedRemote::convert((REMOTE_NET, sender.clone())));
		assert_eq!(stored.origin, Some((REMOTE_NET, sender.clone(), message)));
		// The vault must see the read signed by the sender itself.
		assert_eq!(DataProtection::grant(answer.request).unwrap().signer, sender);
		assert_eq!(DataProtection::audit(record, 0, 1).0[0].origin, Some((REMOTE_NET, sender)));
	});
}
