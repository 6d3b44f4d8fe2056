//! Which peer slot each bridge of a topology uses, and which peer forwards to each network that
//! has no direct bridge. See docs/bridges.md: a bridge uses the same slot on both of its ends,
//! and a network uses each slot once, so assigning slots is colouring the topology's edges with
//! `PEER_SLOTS` colours.

use plexus_runtime::bridges::PEER_SLOTS;
use std::collections::{BTreeMap, VecDeque};

/// Why a topology's bridges cannot be laid out on peer slots.
#[derive(Debug, PartialEq, Eq)]
pub enum SlotError {
	/// The network has more direct bridges than the runtime has slots.
	TooManyBridges { network: usize, bridges: usize },
	/// Every network has few enough bridges, but no assignment gives both ends of every bridge
	/// the same free slot.
	NoAssignment,
}

/// The slot (1-based) of each bridge, in the order given. `bridges` name networks by index.
pub fn assign(networks: usize, bridges: &[(usize, usize)]) -> Result<Vec<u8>, SlotError> {
	let mut degree = vec![0usize; networks];
	for &(a, b) in bridges {
		degree[a] += 1;
		degree[b] += 1;
	}
	let busiest = degree.iter().enumerate().find(|(_, d)| **d > PEER_SLOTS as usize);
	if let Some((network, &bridges)) = busiest {
		return Err(SlotError::TooManyBridges { network, bridges });
	}
	let mut used = vec![[false; PEER_SLOTS as usize]; networks];
	let mut slots = vec![0u8; bridges.len()];
	if colour(0, bridges, &mut used, &mut slots) {
		Ok(slots)
	} else {
		Err(SlotError::NoAssignment)
	}
}

/// Backtracking over bridges in order; topologies are small.
fn colour(
	next: usize,
	bridges: &[(usize, usize)],
	used: &mut [[bool; PEER_SLOTS as usize]],
	slots: &mut [u8],
) -> bool {
	let Some(&(a, b)) = bridges.get(next) else { return true };
	for slot in 0..PEER_SLOTS as usize {
		if used[a][slot] || used[b][slot] {
			continue;
		}
		used[a][slot] = true;
		used[b][slot] = true;
		slots[next] = slot as u8 + 1;
		if colour(next + 1, bridges, used, slots) {
			return true;
		}
		used[a][slot] = false;
		used[b][slot] = false;
	}
	false
}

/// For every ordered pair (from, to) of connected networks without a direct bridge, the peer of
/// `from` that starts a shortest path to `to` (ties go to the lowest index).
pub fn next_hops(networks: usize, bridges: &[(usize, usize)]) -> BTreeMap<(usize, usize), usize> {
	let mut peers = vec![Vec::new(); networks];
	for &(a, b) in bridges {
		peers[a].push(b);
		peers[b].push(a);
	}
	for list in &mut peers {
		list.sort_unstable();
	}
	let mut hops = BTreeMap::new();
	for from in 0..networks {
		// Breadth-first from `from`, remembering the first hop that reached each network.
		let mut first_hop: Vec<Option<usize>> = vec![None; networks];
		let mut queue = VecDeque::new();
		for &peer in &peers[from] {
			first_hop[peer] = Some(peer);
			queue.push_back(peer);
		}
		while let Some(at) = queue.pop_front() {
			for &next in &peers[at] {
				if next != from && first_hop[next].is_none() {
					first_hop[next] = first_hop[at];
					queue.push_back(next);
				}
			}
		}
		for (to, hop) in first_hop.into_iter().enumerate() {
			if let Some(hop) = hop.filter(|hop| *hop != to) {
				hops.insert((from, to), hop);
			}
		}
	}
	hops
}

#[cfg(test)]
mod tests {
	use super::*;

	fn check(networks: usize, bridges: &[(usize, usize)]) -> Vec<u8> {
		let slots = assign(networks, bridges).expect("colourable");
		for (i, &(a, b)) in bridges.iter().enumerate() {
			assert!((1..=PEER_SLOTS).contains(&slots[i]));
			for (j, &(c, d)) in bridges.iter().enumerate() {
				let shares_a_network = a == c || a == d || b == c || b == d;
				if i != j && shares_a_network {
					assert_ne!(slots[i], slots[j], "bridges {i} and {j} meet at a network");
				}
			}
		}
		slots
	}

	#[test]
	fn bridges_meeting_at_a_network_get_different_slots() {
		assert_eq!(check(2, &[(0, 1)]), vec![1]);
		check(3, &[(0, 1), (1, 2)]);
		check(3, &[(0, 1), (1, 2), (0, 2)]);
		// A complete graph of 4 networks needs 3 slots; of 5, 5 colours: too many.
		check(4, &[(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]);
		let k5: Vec<_> = (0..5).flat_map(|a| (a + 1..5).map(move |b| (a, b))).collect();
		assert_eq!(assign(5, &k5), Err(SlotError::NoAssignment));
	}

	#[test]
	fn a_network_with_more_bridges_than_slots_is_named() {
		let star: Vec<_> = (1..=5).map(|leaf| (0, leaf)).collect();
		assert_eq!(assign(6, &star), Err(SlotError::TooManyBridges { network: 0, bridges: 5 }));
	}

	#[test]
	fn next_hops_follow_shortest_paths_and_skip_direct_peers() {
		// 0 - 1 - 2 - 3, and 4 on its own.
		let hops = next_hops(5, &[(0, 1), (1, 2), (2, 3)]);
		assert_eq!(hops.get(&(0, 2)), Some(&1));
		assert_eq!(hops.get(&(0, 3)), Some(&1));
		assert_eq!(hops.get(&(3, 0)), Some(&2));
		assert_eq!(hops.get(&(1, 3)), Some(&2));
		assert_eq!(hops.get(&(0, 1)), None, "direct peers need no next hop");
		assert!(hops.keys().all(|(from, to)| *from != 4 && *to != 4), "4 is unreachable");
	}
}
