//! `topology_parse`: `launch`'s topology files (`Topology::parse`, then the peer slots of its
//! bridges). An input starting with byte 0 describes a topology compactly (networks, then
//! bridges as pairs of network indices) and is written out as TOML, so that the slot search
//! meets many dense, valid topologies; any other input is the file's text itself.
//!
//! Invariants: nothing panics; parsing returns within `LIMIT` (the slot search is
//! bounded); a topology that parses has a slot per bridge, in `1..=PEER_SLOTS`, different for
//! bridges that meet at a network; and it reads back the same once written out again.

use plexus_node::launch::topology::Topology;
use plexus_runtime::bridges::PEER_SLOTS;
use std::time::{Duration, Instant};

/// Far above what a bounded search takes, even unoptimised; an exponential one takes hours.
const LIMIT: Duration = Duration::from_secs(10);

/// The fuzz target: see the module's documentation.
pub fn topology_parse(data: &[u8]) {
	let text = match data.split_first() {
		Some((&0, rest)) => compact(rest),
		_ => match std::str::from_utf8(data) {
			Ok(text) => text.to_string(),
			Err(_) => return,
		},
	};
	let started = Instant::now();
	let parsed = Topology::parse(&text);
	assert!(started.elapsed() < LIMIT, "parsing took {:?}", started.elapsed());
	let Ok(topology) = parsed else { return };

	let slots = topology.bridge_slots().expect("a valid topology has its slots");
	let edges = topology.bridge_edges();
	assert_eq!(slots.len(), edges.len());
	for (i, &(a, b)) in edges.iter().enumerate() {
		assert!((1..=PEER_SLOTS).contains(&slots[i]), "bridge {i} has slot {}", slots[i]);
		for (j, &(c, d)) in edges.iter().enumerate().skip(i + 1) {
			if a == c || a == d || b == c || b == d {
				assert_ne!(slots[i], slots[j], "bridges {i} and {j} meet but share a slot");
			}
		}
	}
	let written = toml::to_string(&topology).expect("a topology writes out");
	assert_eq!(Topology::parse(&written).as_ref(), Ok(&topology), "written out as {written}");
}

/// A topology file from bytes: the first says how many networks (at most 40, past the cap of
/// 16), each of the next ones a bridge's two ends (network indices in the high and low nibble,
/// then one more byte for networks past the 16th).
fn compact(bytes: &[u8]) -> String {
	let Some((&count, bridges)) = bytes.split_first() else { return String::new() };
	let networks = usize::from(count % 41);
	let mut text = String::new();
	for n in 0..networks {
		text += &format!("[[network]]\nname = \"n{n}\"\nid = {}\nproducers = 1\n", n + 1);
	}
	for pair in bridges.chunks(2) {
		let a =
			usize::from(pair[0] >> 4) + 16 * usize::from(pair.get(1).copied().unwrap_or(0) >> 6);
		let b = usize::from(pair[0] & 15) + 16 * usize::from(pair.get(1).copied().unwrap_or(0) & 3);
		text += &format!("[[bridge]]\nbetween = [\"n{a}\", \"n{b}\"]\n");
	}
	text
}
