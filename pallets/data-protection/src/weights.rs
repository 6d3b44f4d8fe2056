//! Weights of the data-protection pallet.
//!
//! The Plexus runtime uses the figures `scripts/weights.sh` measures from `benchmarking.rs`
//! (runtime/src/weights/pallet_data_protection.rs). [`DbWeights`] is a conservative fallback for
//! a runtime that has not measured them: each call's storage reads and writes at the runtime's
//! `DbWeight`, plus a fixed compute allowance (and a signature check for each attestation and
//! each holder's custody signature).

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

pub trait WeightInfo {
	/// A policy of `rules` rules.
	fn create_policy(rules: u32) -> Weight;
	fn set_role() -> Weight;
	/// A record with `holders` holders, each one's custody signature checked.
	fn register(holders: u32) -> Weight;
	fn grant_consent() -> Weight;
	fn withdraw_consent() -> Weight;
	/// The worst request: a consent-based rule behind a role, decided at once.
	fn request_access() -> Weight;
	fn decide() -> Weight;
	fn request_erasure(holders: u32) -> Weight;
	/// One attestation, its signature checked (the last one, which erases the record).
	fn attest_erasure() -> Weight;
	/// A new version with `holders` holders, each one's custody signature checked.
	fn rectify(holders: u32) -> Weight;
	/// The sweep starts erasing one record past its retention.
	fn sweep_retain() -> Weight;
	/// The sweep forgets one request that left its record's trail.
	fn sweep_request() -> Weight;
	/// The sweep forgets an erased record with `MaxHolders` attestations and `r` of its
	/// requests (at most `sweep::PURGE_CHUNK`).
	fn sweep_purge(r: u32) -> Weight;
}

/// Compute allowance per call, and per signature check (an sr25519 verification is ~50 µs).
const COMPUTE: u64 = 60_000_000;
const SIGNATURE: u64 = 80_000_000;
const PROOF: u64 = 4_096;

/// Estimated weights from storage access counts (see the module doc).
pub struct DbWeights<T>(PhantomData<T>);

impl<T: crate::Config> WeightInfo for DbWeights<T> {
	fn create_policy(rules: u32) -> Weight {
		Weight::from_parts(COMPUTE + 2_000_000 * rules as u64, PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(1, 2))
	}
	fn set_role() -> Weight {
		Weight::from_parts(COMPUTE, PROOF).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn register(holders: u32) -> Weight {
		// Reads: the policy, the commitment index, NextRecord; writes: record, indexes.
		Weight::from_parts(COMPUTE + (1_000_000 + SIGNATURE) * holders as u64, 3 * PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(3, 4))
	}
	fn grant_consent() -> Weight {
		Weight::from_parts(COMPUTE, PROOF).saturating_add(T::DbWeight::get().writes(1))
	}
	fn withdraw_consent() -> Weight {
		Weight::from_parts(COMPUTE, PROOF).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn request_access() -> Weight {
		// Reads: record, policy, roles, consent, NextRequest; writes: request, index, counter.
		Weight::from_parts(2 * COMPUTE, 5 * PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(5, 3))
	}
	fn decide() -> Weight {
		Weight::from_parts(2 * COMPUTE, 5 * PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(5, 1))
	}
	fn request_erasure(holders: u32) -> Weight {
		Weight::from_parts(COMPUTE + 1_000_000 * holders as u64, 2 * PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn attest_erasure() -> Weight {
		Weight::from_parts(COMPUTE + SIGNATURE, 3 * PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(2, 4))
	}
	fn rectify(holders: u32) -> Weight {
		Weight::from_parts(2 * COMPUTE + (2_000_000 + SIGNATURE) * holders as u64, 5 * PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(5, 6))
	}
	fn sweep_retain() -> Weight {
		// Reads: the record; writes: the record, the index entry.
		Weight::from_parts(COMPUTE / 2, 2 * PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(1, 2))
	}
	fn sweep_request() -> Weight {
		// Reads: the request; writes: it, its audit index entry, the index entry.
		Weight::from_parts(COMPUTE / 2, PROOF).saturating_add(T::DbWeight::get().reads_writes(1, 3))
	}
	fn sweep_purge(r: u32) -> Weight {
		// Reads: the record, the attestations, the audit keys; writes: the record, its trail,
		// each attestation, each request and its audit entry, the index entry.
		let holders = T::MaxHolders::get() as u64;
		Weight::from_parts(COMPUTE + 1_000_000 * r as u64, (3 + r as u64) * PROOF).saturating_add(
			T::DbWeight::get().reads_writes(2 + holders + r as u64, 3 + holders + 2 * r as u64),
		)
	}
}

/// For mocks: every call costs a small fixed amount.
impl WeightInfo for () {
	fn create_policy(_: u32) -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn set_role() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn register(_: u32) -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn grant_consent() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn withdraw_consent() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn request_access() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn decide() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn request_erasure(_: u32) -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn attest_erasure() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn rectify(_: u32) -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn sweep_retain() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn sweep_request() -> Weight {
		Weight::from_parts(10_000, 0)
	}
	fn sweep_purge(r: u32) -> Weight {
		Weight::from_parts(10_000 + 1_000 * r as u64, 0)
	}
}
