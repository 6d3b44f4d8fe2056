//! Property tests: random sequences of consents, withdrawals, roles, requests, approvals, time
//! and erasure, checked against a model of consent after every step.

use super::mock::*;
use crate::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// billing: consent, at once; research: consent, the subject approves; audit: legal obligation
/// for auditors; marketing: not in the policy.
const PURPOSES: [&str; 4] = ["billing", "research", "audit", "marketing"];

#[derive(Clone, Debug)]
enum Op {
	Grant { purpose: usize, lasts: Option<u64> },
	Withdraw { purpose: usize },
	Wait { ms: u64 },
	Role { granted: bool },
	Ask { purpose: usize },
	Decide { nth: usize, approve: bool, as_subject: bool },
	Erase,
}

fn op() -> impl Strategy<Value = Op> {
	prop_oneof![
		(0..2usize, proptest::option::of(1u64..5_000))
			.prop_map(|(purpose, lasts)| Op::Grant { purpose, lasts }),
		(0..2usize).prop_map(|purpose| Op::Withdraw { purpose }),
		(0u64..3_000).prop_map(|ms| Op::Wait { ms }),
		any::<bool>().prop_map(|granted| Op::Role { granted }),
		(0..4usize).prop_map(|purpose| Op::Ask { purpose }),
		(0..4usize, any::<bool>(), any::<bool>())
			.prop_map(|(nth, approve, as_subject)| Op::Decide { nth, approve, as_subject }),
		Just(Op::Erase),
	]
}

/// The model of one consent: when it expires, and whether it was withdrawn.
#[derive(Clone, Copy)]
struct ModelConsent {
	expires_at: Option<u64>,
	withdrawn: bool,
}

fn standing(model: &BTreeMap<usize, ModelConsent>, purpose: usize, now: u64) -> bool {
	model
		.get(&purpose)
		.is_some_and(|c| !c.withdrawn && c.expires_at.is_none_or(|expiry| now < expiry))
}

fn setup() -> RecordId {
	let rules = vec![
		rule("billing", LegalBasis::Consent, None, Approver::Policy),
		rule("research", LegalBasis::Consent, None, Approver::Subject),
		rule("audit", LegalBasis::LegalObligation, Some("auditor"), Approver::Policy),
	];
	DataProtection::create_policy(signed(&controller()), rules.try_into().unwrap(), TTL).unwrap();
	DataProtection::register(
		signed(&controller()),
		subject(),
		Category::Contact,
		[7; 32],
		held_by(&[1], [7; 32]),
		now() + 10 * TTL,
		0,
	)
	.unwrap();
	0
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

	#[test]
	fn no_path_approves_without_the_policys_grounds(ops in proptest::collection::vec(op(), 1..60)) {
		new_test_ext().execute_with(|| -> Result<(), TestCaseError> {
			let record = setup();
			let mut consents: BTreeMap<usize, ModelConsent> = BTreeMap::new();
			let mut auditor = false;
			let mut erased = false;
			let mut decided: BTreeMap<RequestId, RequestState> = BTreeMap::new();

			for op in ops {
				let t = now();
				let requests_before = NextRequest::<Test>::get();
				match op {
					Op::Grant { purpose, lasts } => {
						let expires_at = lasts.map(|ms| t + ms);
						DataProtection::grant_consent(signed(&subject()), controller(), tag(PURPOSES[purpose]), expires_at).unwrap();
						consents.insert(purpose, ModelConsent { expires_at, withdrawn: false });
					},
					Op::Withdraw { purpose } => {
						let done = DataProtection::withdraw_consent(signed(&subject()), controller(), tag(PURPOSES[purpose]));
						let had = consents.get(&purpose).is_some_and(|c| !c.withdrawn);
						prop_assert_eq!(done.is_ok(), had);
						if let Some(c) = consents.get_mut(&purpose) { c.withdrawn = true; }
					},
					Op::Wait { ms } => set_now(t + ms),
					Op::Role { granted } => {
						DataProtection::set_role(signed(&controller()), requester(), tag("auditor"), granted).unwrap();
						auditor = granted;
					},
					Op::Ask { purpose } => {
						let open = Trails::<Test>::get(record).pending;
						if let Err(error) = DataProtection::request_access(signed(&requester()), record, tag(PURPOSES[purpose])) {
							// Only a full queue of requests waiting for the approver refuses one, and
							// the refusal stores nothing.
							prop_assert_eq!(error, DispatchError::from(Error::<Test>::TooManyOpenRequests));
							prop_assert_eq!(open, MAX_OPEN);
							prop_assert_eq!(NextRequest::<Test>::get(), requests_before);
						}
					},
					Op::Decide { nth, approve, as_subject } => {
						let pending: Vec<RequestId> = Requests::<Test>::iter()
							.filter(|(_, r)| matches!(r.state, RequestState::Pending { .. }))
							.map(|(id, _)| id)
							.collect();
						if let Some(&id) = pending.get(nth % pending.len().max(1)) {
							let who = if as_subject { subject() } else { controller() };
							let result = DataProtection::decide(signed(&who), id, approve);
							prop_assert_eq!(result.is_ok(), as_subject, "only the subject decides research");
						}
					},
					Op::Erase => {
						let result = DataProtection::request_erasure(signed(&subject()), record);
						prop_assert_eq!(result.is_ok(), !erased);
						erased = true;
					},
				}

				// The trail counts exactly the requests waiting for their approver.
				let waiting = Requests::<Test>::iter()
					.filter(|(_, r)| matches!(r.state, RequestState::Pending { .. }))
					.count() as u32;
				prop_assert_eq!(Trails::<Test>::get(record).pending, waiting);
				// Decisions never change.
				for (id, state) in &decided {
					prop_assert_eq!(&Requests::<Test>::get(id).unwrap().state, state);
				}
				// Decisions made in this step rest on what the model says held at that moment.
				for (id, request) in Requests::<Test>::iter() {
					let RequestState::Decided { decision, at } = request.state else { continue };
					if decided.insert(id, request.state).is_some() { continue; }
					let purpose = PURPOSES.iter().position(|p| p.as_bytes() == &request.purpose[..]).unwrap();
					let by_approver = matches!(op, Op::Decide { .. });
					prop_assert!(id >= requests_before || by_approver);
					prop_assert_eq!(at, now());
					if let Decision::Approved { basis, expires_at, .. } = decision {
						prop_assert!(!erased, "nothing is approved once erasure is asked");
						prop_assert_eq!(expires_at, at + TTL);
						match purpose {
							0 | 1 => {
								prop_assert_eq!(basis, LegalBasis::Consent);
								prop_assert!(standing(&consents, purpose, at), "approved without standing consent");
							},
							2 => prop_assert!(auditor && basis == LegalBasis::LegalObligation),
							_ => prop_assert!(false, "an unlisted purpose was approved"),
						}
					} else if purpose < 2 && !erased {
						let Decision::Rejected(reason) = decision else { unreachable!() };
						let refused = matches!(reason, Reason::RefusedBySubject);
						prop_assert!(refused || !standing(&consents, purpose, at), "rejected with standing consent: {reason:?}");
					}
				}
				// The vault is served only what still stands now.
				for (id, request) in Requests::<Test>::iter() {
					if let Ok(grant) = DataProtection::grant(id) {
						let RequestState::Decided { decision: Decision::Approved { basis, .. }, .. } = request.state else {
							prop_assert!(false, "granted without approval");
							unreachable!()
						};
						prop_assert!(now() < grant.expires_at && !erased);
						let purpose = PURPOSES.iter().position(|p| p.as_bytes() == &request.purpose[..]).unwrap();
						prop_assert!(basis != LegalBasis::Consent || standing(&consents, purpose, now()));
					}
				}
			}
			Ok(())
		})?;
	}
}
