//! Consent: a subject's permission for one controller to process their data for one purpose.
//!
//! A consent counts only while it stands: not withdrawn, and not past its expiry. Expiry needs
//! no sweep; [`Consent::standing`] compares it with the time of each decision.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use plexus_primitives::data_protection::Reason;
use scale_info::TypeInfo;

#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Consent {
	/// Unix ms.
	pub granted_at: u64,
	/// Unix ms from which it no longer counts; none: until withdrawn.
	pub expires_at: Option<u64>,
	/// Unix ms; a withdrawn consent stays on the ledger as evidence.
	pub withdrawn_at: Option<u64>,
}

impl Consent {
	/// Whether the consent counts at `now`, and if not, why.
	pub fn standing(&self, now: u64) -> Result<(), Reason> {
		if self.withdrawn_at.is_some() {
			return Err(Reason::ConsentWithdrawn);
		}
		if self.expires_at.is_some_and(|expiry| now >= expiry) {
			return Err(Reason::ConsentExpired);
		}
		Ok(())
	}
}

/// Whether `consent` (the subject's consent for this controller and purpose, if any) counts.
pub fn standing(consent: Option<&Consent>, now: u64) -> Result<(), Reason> {
	consent.ok_or(Reason::NoConsent)?.standing(now)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_consent_stops_counting_when_withdrawn_or_expired() {
		let consent = Consent { granted_at: 10, expires_at: Some(100), withdrawn_at: None };
		assert_eq!(standing(Some(&consent), 99), Ok(()));
		assert_eq!(standing(Some(&consent), 100), Err(Reason::ConsentExpired));
		let withdrawn = Consent { withdrawn_at: Some(50), ..consent.clone() };
		assert_eq!(standing(Some(&withdrawn), 60), Err(Reason::ConsentWithdrawn));
		let open = Consent { expires_at: None, ..consent };
		assert_eq!(standing(Some(&open), u64::MAX), Ok(()));
		assert_eq!(standing(None, 0), Err(Reason::NoConsent));
	}
}
