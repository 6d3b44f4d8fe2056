//! The erasure state machine: crypto-shredding attested by every holder.
//!
//! ```text
//!   Active ──request──▶ Erasing { attested: 0 } ──attest × holders──▶ Erased
//! ```
//!
//! A record's data lives only in its holders' vaults, encrypted under a key only they keep.
//! Erasure asks each holder to destroy the key; each signs an [`ErasureAttestation`] saying so,
//! and the record is `Erased` when the last holder's attestation is in. Nothing leaves `Erased`.
//!
//! [`ErasureAttestation`]: plexus_primitives::data_protection::ErasureAttestation

use plexus_primitives::data_protection::{ErasureCause, RecordState};

/// Why a transition is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Refusal {
	AlreadyErasing,
	AlreadyErased,
	NotErasing,
}

/// Starts erasing an active record.
pub fn request(state: RecordState, cause: ErasureCause, now: u64) -> Result<RecordState, Refusal> {
	match state {
		RecordState::Active => Ok(RecordState::Erasing { requested_at: now, cause, attested: 0 }),
		RecordState::Erasing { .. } => Err(Refusal::AlreadyErasing),
		RecordState::Erased { .. } => Err(Refusal::AlreadyErased),
	}
}

/// Counts one more holder's attestation (the caller checks it is a new, valid one); the last of
/// `holders` makes the record `Erased`.
pub fn attest(state: RecordState, holders: u32, now: u64) -> Result<RecordState, Refusal> {
	match state {
		RecordState::Erasing { requested_at, cause, attested } => {
			let attested = attested.saturating_add(1);
			Ok(if attested >= holders {
				RecordState::Erased { at: now, cause }
			} else {
				RecordState::Erasing { requested_at, cause, attested }
			})
		},
		RecordState::Active => Err(Refusal::NotErasing),
		RecordState::Erased { .. } => Err(Refusal::AlreadyErased),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn two_holders_erase_a_record_in_two_attestations() {
		let erasing = request(RecordState::Active, ErasureCause::Subject, 5).unwrap();
		let one = attest(erasing, 2, 6).unwrap();
		assert!(matches!(one, RecordState::Erasing { attested: 1, .. }));
		let done = attest(one, 2, 7).unwrap();
		assert_eq!(done, RecordState::Erased { at: 7, cause: ErasureCause::Subject });
		assert_eq!(attest(done, 2, 8), Err(Refusal::AlreadyErased));
		assert_eq!(request(done, ErasureCause::Controller, 8), Err(Refusal::AlreadyErased));
		assert_eq!(request(one, ErasureCause::Controller, 8), Err(Refusal::AlreadyErasing));
		assert_eq!(attest(RecordState::Active, 2, 8), Err(Refusal::NotErasing));
	}

	#[derive(Clone, Copy, Debug)]
	enum Step {
		Request,
		Attest,
	}

	proptest! {
		/// Whatever arrives in whatever order, a record is erased exactly when it was asked to be
		/// and every holder attested, and it never becomes active again.
		#[test]
		fn erased_exactly_after_the_last_attestation(
			holders in 1u32..5,
			steps in proptest::collection::vec(
				prop_oneof![Just(Step::Request), Just(Step::Attest)], 0..20),
		) {
			let mut state = RecordState::Active;
			let (mut requested, mut attested) = (false, 0u32);
			for (now, step) in steps.into_iter().enumerate() {
				let before = state;
				let next = match step {
					Step::Request => request(state, ErasureCause::Subject, now as u64),
					Step::Attest => attest(state, holders, now as u64),
				};
				match next {
					Ok(next) => {
						match step {
							Step::Request => requested = true,
							Step::Attest => attested += 1,
						}
						state = next;
					},
					Err(_) => prop_assert_eq!(state, before),
				}
				let erased = matches!(state, RecordState::Erased { .. });
				prop_assert_eq!(erased, requested && attested >= holders);
				prop_assert!(attested <= holders);
				prop_assert!(requested || state == RecordState::Active);
			}
		}
	}
}
