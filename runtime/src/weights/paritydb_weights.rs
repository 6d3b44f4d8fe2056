// This file is part of Plexus. SPDX-License-Identifier: GPL-3.0-or-later WITH Classpath-exception-2.0
// Measured on this project's development machine by `scripts/weights.sh`; see docs/benchmarks.md.

//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 64.0.0
//! DATE: 2026-12-03 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `Intel(R) Xeon(R) Processor`
//!
//! DATABASE: `ParityDb`, RUNTIME: `Plexus Development`
//! BLOCK-NUM: `Number(0)`
//! SKIP-WRITE: `false`, SKIP-READ: `false`, WARMUPS: `2`
//! STATE-VERSION: `V1`, STATE-CACHE-SIZE: ``
//! WEIGHT-PATH: `runtime/src/weights`
//! METRIC: `P99Percentile`, WEIGHT-MUL: `1.0`, WEIGHT-ADD: `0`

// Executed Command:
//   /root/.cache/plexus/target/release/plexus-node
//   benchmark
//   storage
//   --chain
//   /tmp/tmp.Sm9dmvjxr6.json
//   --base-path
//   /tmp/tmp.OVtWOtutRU
//   --database
//   paritydb
//   --state-version
//   1
//   --batch-size
//   5000
//   --metric
//   p99
//   --header
//   scripts/weights-header.txt
//   --weight-path
//   runtime/src/weights
//   --warmups
//   2

/// Storage DB weights for the `Plexus Development` runtime and `ParityDb`.
pub mod constants {
	use frame_support::weights::constants;
	use sp_core::parameter_types;
	use sp_weights::RuntimeDbWeight;

	parameter_types! {
		/// `ParityDB` can be enabled with a feature flag, but is still experimental. These weights
		/// are available for brave runtime engineers who may want to try this out as default.
		pub const ParityDbWeight: RuntimeDbWeight = RuntimeDbWeight {
			/// Time to read one storage item.
			/// Calculated by multiplying the *P99Percentile* of all values with `1.0` and adding `0`.
			///
			/// Stats nanoseconds:
			///   Min, Max: 1_553, 3_225_441
			///   Average:  6_579
			///   Median:   6_109
			///   Std-Dev:  13397.99
			///
			/// Percentiles nanoseconds:
			///   99th: 9_750
			///   95th: 7_688
			///   75th: 6_623
			read: 9_750 * constants::WEIGHT_REF_TIME_PER_NANOS,

			/// Time to write one storage item.
			/// Calculated by multiplying the *P99Percentile* of all values with `1.0` and adding `0`.
			///
			/// Stats nanoseconds:
			///   Min, Max: 13_129, 27_756
			///   Average:  16_999
			///   Median:   16_600
			///   Std-Dev:  2934.63
			///
			/// Percentiles nanoseconds:
			///   99th: 27_756
			///   95th: 19_699
			///   75th: 16_980
			write: 27_756 * constants::WEIGHT_REF_TIME_PER_NANOS,
		};
	}

	#[cfg(test)]
	mod test_db_weights {
		use super::constants::ParityDbWeight as W;
		use sp_weights::constants;

		/// Checks that all weights exist and have sane values.
		// NOTE: If this test fails but you are sure that the generated values are fine,
		// you can delete it.
		#[test]
		fn bound() {
			// At least 1 µs.
			assert!(
				W::get().reads(1).ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS,
				"Read weight should be at least 1 µs."
			);
			assert!(
				W::get().writes(1).ref_time() >= constants::WEIGHT_REF_TIME_PER_MICROS,
				"Write weight should be at least 1 µs."
			);
			// At most 1 ms.
			assert!(
				W::get().reads(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
				"Read weight should be at most 1 ms."
			);
			assert!(
				W::get().writes(1).ref_time() <= constants::WEIGHT_REF_TIME_PER_MILLIS,
				"Write weight should be at most 1 ms."
			);
		}
	}
}
