// This file is part of Plexus. SPDX-License-Identifier: GPL-3.0-or-later WITH Classpath-exception-2.0
// Measured on this project's development machine by `scripts/weights.sh`; see docs/benchmarks.md.

//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 64.0.0
//! DATE: 2026-11-25 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `AMD EPYC`
//!
//! DATABASE: `RocksDb`, RUNTIME: `Plexus Development`
//! BLOCK-NUM: `Number(11)`
//! SKIP-WRITE: `false`, SKIP-READ: `false`, WARMUPS: `2`
//! STATE-VERSION: `V1`, STATE-CACHE-SIZE: ``
//! WEIGHT-PATH: `/work/main/runtime/src/weights`
//! METRIC: `Average`, WEIGHT-MUL: `1.0`, WEIGHT-ADD: `0`

// Executed Command:
//   /root/.cache/plexus/target-release/release/plexus-node
//   benchmark
//   storage
//   --chain
//   dev
//   --base-path
//   /tmp/tpsdb
//   --state-version
//   1
//   --batch-size
//   1
//   --header
//   /work/main/scripts/weights-header.txt
//   --weight-path
//   /work/main/runtime/src/weights
//   --warmups
//   2

/// Storage DB weights for the `Plexus Development` runtime and `RocksDb`.
pub mod constants {
	use frame_support::weights::constants;
	use sp_core::parameter_types;
	use sp_weights::RuntimeDbWeight;

	parameter_types! {
		/// By default, Substrate uses `RocksDB`, so this will be the weight used throughout
		/// the runtime.
		pub const RocksDbWeight: RuntimeDbWeight = RuntimeDbWeight {
			/// Time to read one storage item.
			/// Calculated by multiplying the *Average* of all values with `1.0` and adding `0`.
			///
			/// Stats nanoseconds:
			///   Min, Max: 921, 2_859_769
			///   Average:  10_859
			///   Median:   8_062
			///   Std-Dev:  86786.68
			///
			/// Percentiles nanoseconds:
			///   99th: 13_369
			///   95th: 9_734
			///   75th: 8_894
			read: 10_859 * constants::WEIGHT_REF_TIME_PER_NANOS,

			/// Time to write one storage item.
			/// Calculated by multiplying the *Average* of all values with `1.0` and adding `0`.
			///
			/// Stats nanoseconds:
			///   Min, Max: 9_434, 25_222_039
			///   Average:  59_864
			///   Median:   36_574
			///   Std-Dev:  766112.84
			///
			/// Percentiles nanoseconds:
			///   99th: 66_629
			///   95th: 42_042
			///   75th: 38_287
			write: 59_864 * constants::WEIGHT_REF_TIME_PER_NANOS,
		};
	}

	#[cfg(test)]
	mod test_db_weights {
		use super::constants::RocksDbWeight as W;
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
