// This file is part of Plexus. SPDX-License-Identifier: GPL-3.0-or-later WITH Classpath-exception-2.0
// Measured on this project's development machine by `scripts/weights.sh`; see docs/benchmarks.md.

//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 64.0.0
//! DATE: 2026-12-03 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `Intel(R) Xeon(R) Processor`
//!
//! DATABASE: `RocksDb`, RUNTIME: `Plexus Development`
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
//   /tmp/tmp.xU1EBFlq5q
//   --database
//   rocksdb
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
			/// Calculated by multiplying the *P99Percentile* of all values with `1.0` and adding `0`.
			///
			/// Stats nanoseconds:
			///   Min, Max: 2_176, 2_711_842
			///   Average:  12_598
			///   Median:   11_775
			///   Std-Dev:  13498.12
			///
			/// Percentiles nanoseconds:
			///   99th: 20_934
			///   95th: 15_687
			///   75th: 13_108
			read: 20_934 * constants::WEIGHT_REF_TIME_PER_NANOS,

			/// Time to write one storage item.
			/// Calculated by multiplying the *P99Percentile* of all values with `1.0` and adding `0`.
			///
			/// Stats nanoseconds:
			///   Min, Max: 22_454, 34_305
			///   Average:  29_441
			///   Median:   29_533
			///   Std-Dev:  3585.64
			///
			/// Percentiles nanoseconds:
			///   99th: 34_305
			///   95th: 33_741
			///   75th: 32_388
			write: 34_305 * constants::WEIGHT_REF_TIME_PER_NANOS,
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
