//! Weights of the event router.
//!
//! The runtime uses weights measured on its own machine by `plexus-benchmark pallet`
//! (`scripts/weights.sh` writes them to runtime/src/weights/). The `()` implementation here is
//! for tests: generous round figures with the storage accesses each path makes (including the
//! held fee's entry, scheduling what to forget, and paying a relayer on settlement).

use frame_support::weights::{constants::RocksDbWeight, Weight};

pub trait WeightInfo {
	fn send(payload_len: u32) -> Weight;
	fn claim_timeout() -> Weight;
	fn bind_peer() -> Weight;
	fn unbind_peer() -> Weight;
	fn set_next_hop() -> Weight;
	fn set_provider() -> Weight;
	fn retry_ack() -> Weight;
	/// Receiving a request addressed here, excluding what its execution uses.
	fn receive_request() -> Weight;
	/// Receiving an acknowledgement and settling its message.
	fn receive_ack() -> Weight;
	/// Passing a packet on to the next hop.
	fn forward() -> Weight;
	/// Forgetting one entry in the block's sweep: its index key, and the entry (step 7).
	fn sweep_key() -> Weight;
	/// Paying one earned fee to the relayer named by a delivery confirmation.
	fn pay_relayer() -> Weight;
}

impl WeightInfo for () {
	fn send(payload_len: u32) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(2_000, 1).saturating_mul(payload_len.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(6, 6))
	}
	fn claim_timeout() -> Weight {
		Weight::from_parts(80_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads_writes(5, 6))
	}
	fn bind_peer() -> Weight {
		Weight::from_parts(15_000_000, 3_000)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2))
	}
	fn unbind_peer() -> Weight {
		Weight::from_parts(15_000_000, 3_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 2))
	}
	fn set_next_hop() -> Weight {
		Weight::from_parts(15_000_000, 3_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn set_provider() -> Weight {
		Weight::from_parts(12_000_000, 0).saturating_add(RocksDbWeight::get().writes(1))
	}
	fn retry_ack() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn receive_request() -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads_writes(7, 6))
	}
	fn receive_ack() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads_writes(8, 9))
	}
	fn forward() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(6, 5))
	}
	fn sweep_key() -> Weight {
		RocksDbWeight::get().reads_writes(2, 2)
	}
	fn pay_relayer() -> Weight {
		RocksDbWeight::get().reads_writes(4, 4)
	}
}
