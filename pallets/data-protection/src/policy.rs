//! Access policies and the decision they make.
//!
//! A policy belongs to a controller and lists the purposes its records may be read for, each
//! with the legal basis it rests on, the role a requester must hold, and who approves. It never
//! changes: records point at one policy, and a new version is a new policy.
//!
//! [`evaluate`] is the whole decision, a pure function of what the ledger holds when a request
//! arrives or is approved. It checks, in this order: the record can be read at all (not erased,
//! not superseded, within retention); the policy has a rule for the purpose; the requester holds
//! the rule's role; a consent-based purpose has the subject's standing consent. Only then does
//! the rule's approver decide: the policy at once, or the subject or the controller later.

use crate::consent::{self, Consent};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec};
use plexus_primitives::data_protection::{
	Approver, Category, Decision, LegalBasis, Reason, Record, RecordState, Rule, Tag,
};
use scale_info::TypeInfo;

#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
#[scale_info(skip_type_params(MaxRules))]
pub struct Policy<AccountId, MaxRules: Get<u32>> {
	pub controller: AccountId,
	pub rules: BoundedVec<Rule, MaxRules>,
	/// How long an approval lasts, in ms.
	pub approval_ttl_ms: u64,
}

impl<AccountId, MaxRules: Get<u32>> Policy<AccountId, MaxRules> {
	pub fn rule(&self, purpose: &Tag) -> Option<&Rule> {
		self.rules.iter().find(|rule| &rule.purpose == purpose)
	}

	/// Whether every purpose rests on consent: what a special category of data needs.
	pub fn consent_only(&self) -> bool {
		self.rules.iter().all(|rule| rule.basis == LegalBasis::Consent)
	}
}

/// Why a policy is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Invalid {
	NoRules,
	DuplicatePurpose,
	EmptyPurpose,
}

/// Checks a policy's rules before it is created.
pub fn validate(rules: &[Rule]) -> Result<(), Invalid> {
	if rules.is_empty() {
		return Err(Invalid::NoRules);
	}
	for (i, rule) in rules.iter().enumerate() {
		if rule.purpose.is_empty() {
			return Err(Invalid::EmptyPurpose);
		}
		if rules[..i].iter().any(|earlier| earlier.purpose == rule.purpose) {
			return Err(Invalid::DuplicatePurpose);
		}
	}
	Ok(())
}

/// What the policy says about one request.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
	Decided(Decision),
	/// Every check passed; `approver` decides.
	Pending(Approver),
}

/// Everything the ledger holds that bears on one request.
pub struct Facts<'a, AccountId, Holders, MaxRules: Get<u32>> {
	pub record: &'a Record<AccountId, Holders>,
	pub policy: &'a Policy<AccountId, MaxRules>,
	pub purpose: &'a Tag,
	/// The roles the requester holds from the record's controller.
	pub roles: &'a [Tag],
	/// The subject's consent for the controller and this purpose, if any.
	pub consent: Option<&'a Consent>,
	pub now: u64,
}

/// Decides a request on the policy alone (see the module doc).
pub fn evaluate<AccountId, Holders, MaxRules: Get<u32>>(
	facts: &Facts<'_, AccountId, Holders, MaxRules>,
) -> Verdict {
	match check(facts) {
		Err(reason) => Verdict::Decided(Decision::Rejected(reason)),
		Ok(rule) => match rule.approver {
			Approver::Policy => Verdict::Decided(approval(facts, rule, Approver::Policy)),
			approver => Verdict::Pending(approver),
		},
	}
}

/// The decision when `approver` approves a pending request: the policy's checks again, as the
/// ledger stands now (a consent may have been withdrawn meanwhile), then approval.
pub fn confirm<AccountId, Holders, MaxRules: Get<u32>>(
	facts: &Facts<'_, AccountId, Holders, MaxRules>,
	approver: Approver,
) -> Decision {
	match check(facts) {
		Err(reason) => Decision::Rejected(reason),
		Ok(rule) => approval(facts, rule, approver),
	}
}

fn approval<AccountId, Holders, MaxRules: Get<u32>>(
	facts: &Facts<'_, AccountId, Holders, MaxRules>,
	rule: &Rule,
	approver: Approver,
) -> Decision {
	Decision::Approved {
		basis: rule.basis,
		approver,
		expires_at: facts.now.saturating_add(facts.policy.approval_ttl_ms),
	}
}

/// The checks every approval passes; the rule that allows the request.
fn check<'a, AccountId, Holders, MaxRules: Get<u32>>(
	facts: &Facts<'a, AccountId, Holders, MaxRules>,
) -> Result<&'a Rule, Reason> {
	readable(facts.record, facts.now)?;
	let rule = facts.policy.rule(facts.purpose).ok_or(Reason::PurposeNotAllowed)?;
	if let Some(role) = &rule.role {
		if !facts.roles.contains(role) {
			return Err(Reason::RoleMissing);
		}
	}
	if rule.basis == LegalBasis::Consent || facts.record.category.is_special() {
		consent::standing(facts.consent, facts.now)?;
	}
	Ok(rule)
}

/// Whether a record's data may be read at all at `now`.
pub fn readable<AccountId, Holders>(
	record: &Record<AccountId, Holders>,
	now: u64,
) -> Result<(), Reason> {
	if record.superseded_by.is_some() {
		return Err(Reason::Superseded);
	}
	if record.state != RecordState::Active {
		return Err(Reason::Erased);
	}
	if now > record.retain_until {
		return Err(Reason::RetentionOver);
	}
	Ok(())
}

/// Whether `category` may be governed by `policy`.
pub fn admits<AccountId, MaxRules: Get<u32>>(
	policy: &Policy<AccountId, MaxRules>,
	category: Category,
) -> bool {
	!category.is_special() || policy.consent_only()
}
