//! Which peer slot each bridge of a topology uses, and which peer forwards to each network that
//! has no direct bridge. See docs/bridges.md: a bridge uses the same slot on both of its ends,
//! and a network uses each slot once, so assigning slots is colouring the topology's edges with
//! `PEER_SLOTS` colours.

use plexus_runtime::bridges::PEER_SLOTS;
use std::collections::{BTreeMap, VecDeque};

/// Most slot tries of the search before it gives up. Deciding whether a topology whose busiest
/// networks have exactly `PEER_SLOTS` bridges fits is NP-complete, and backtracking can take
/// exponential time on a crafted one; this keeps `launch --check` well under a second on any.
pub const SEARCH_STEPS: u64 = 1_000_000;

/// Why a topology's bridges cannot be laid out on peer slots.
#[derive(Debug, PartialEq, Eq)]
pub enum SlotError {
	/// The network has more direct bridges than the runtime has slots.
	TooManyBridges { network: usize, bridges: usize },
	/// Every network has few enough bridges, but no assignment gives both ends of every bridge
	/// the same free slot.
	NoAssignment,
	/// The search took [`SEARCH_STEPS`] tries without finding an assignment or ruling one out.
	SearchTooLong,
}

/// The slot (1-based) of each bridge, in the order given. `bridges` name networks by index.
///
/// The first assignment in file order: bridges earlier in the file take lower slots, so a
/// topology keeps its slots from one launch to the next.
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
	let mut steps = SEARCH_STEPS;
	// Connected parts of the topology do not constrain each other, so each is searched on its
	// own: a dead end in one never makes the search retry every assignment of the others.
	for part in components(networks, bridges) {
		let part_networks = part.iter().flat_map(|&i| [bridges[i].0, bridges[i].1]);
		let part_networks = part_networks.collect::<std::collections::BTreeSet<_>>().len();
		// A slot joins at most half of a part's networks, pairwise; more bridges than the slots
		// can hold is refused at once (K5: 10 bridges, 4 slots of 2).
		if part.len() > PEER_SLOTS as usize * (part_networks / 2) {
			return Err(SlotError::NoAssignment);
		}
		if !colour(&part, bridges, &mut used, &mut slots, &mut steps)? {
			return Err(SlotError::NoAssignment);
		}
	}
	Ok(slots)
}

/// The bridges of each connected part of the topology, each part in file order.
fn components(networks: usize, bridges: &[(usize, usize)]) -> Vec<Vec<usize>> {
	// Union-find over networks, then bridges grouped by their part's root.
	let mut parent: Vec<usize> = (0..networks).collect();
	fn root(parent: &mut [usize], mut n: usize) -> usize {
		while parent[n] != n {
			parent[n] = parent[parent[n]];
			n = parent[n];
		}
		n
	}
	for &(a, b) in bridges {
		let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
		parent[ra] = rb;
	}
	let mut parts: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
	for (i, &(a, _)) in bridges.iter().enumerate() {
		parts.entry(root(&mut parent, a)).or_default().push(i);
	}
	parts.into_values().collect()
}

/// Backtracking over the bridges `part` lists, in order, within the budget `steps`.
fn colour(
	part: &[usize],
	bridges: &[(usize, usize)],
	used: &mut [[bool; PEER_SLOTS as usize]],
	slots: &mut [u8],
	steps: &mut u64,
) -> Result<bool, SlotError> {
	let Some((&next, rest)) = part.split_first() else { return Ok(true) };
	let (a, b) = bridges[next];
	for slot in 0..PEER_SLOTS as usize {
		*steps = steps.checked_sub(1).ok_or(SlotError::SearchTooLong)?;
		if used[a][slot] || used[b][slot] {
			continue;
		}
		used[a][slot] = true;
		used[b][slot] = true;
		slots[next] = slot as u8 + 1;
		if colour(rest, bridges, used, slots, steps)? {
			return Ok(true);
		}
		used[a][slot] = false;
		used[b][slot] = false;
	}
	Ok(false)
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
		assert_eq!(assign(5, &k5(0)), Err(SlotError::NoAssignment));
	}

	#[test]
	fn a_network_with_more_bridges_than_slots_is_named() {
		let star: Vec<_> = (1..=5).map(|leaf| (0, leaf)).collect();
		assert_eq!(assign(6, &star), Err(SlotError::TooManyBridges { network: 0, bridges: 5 }));
	}

	/// K5 on networks `first..first + 5`: every degree is 4 = `PEER_SLOTS`, but it needs 5 slots.
	fn k5(first: usize) -> Vec<(usize, usize)> {
		(0..5).flat_map(|a| (a + 1..5).map(move |b| (first + a, first + b))).collect()
	}

	#[test]
	fn disjoint_bridges_before_a_dead_end_are_not_retried() {
		// The audit's case: 20 bridges that share no network, then K5. Searched as one, the
		// dead end retried every one of the 4^20 assignments of the bridges before it.
		let mut bridges: Vec<_> = (0..20).map(|i| (2 * i, 2 * i + 1)).collect();
		bridges.extend(k5(40));
		assert_eq!(assign(45, &bridges), Err(SlotError::NoAssignment));
	}

	#[test]
	fn a_search_that_runs_too_long_gives_up() {
		// K5 without one bridge (9 bridges, 4 slots of at most 2 on 5 networks) has no
		// assignment; a chain of 20 bridges ahead of it, in the same part, lets the search try
		// 4 * 3^19 ways before it could say so.
		let k5_less_one: Vec<_> = k5(0).into_iter().filter(|b| *b != (0, 1)).collect();
		let mut bridges: Vec<_> = (5..25).map(|n| (n, n + 1)).collect();
		bridges.push((25, 0));
		bridges.extend(k5_less_one.iter().copied());
		assert_eq!(assign(26, &bridges), Err(SlotError::SearchTooLong));
		// On its own, the same dead end is refused without a search.
		assert_eq!(assign(5, &k5_less_one), Err(SlotError::NoAssignment));
	}

	#[test]
	fn slots_follow_file_order_across_parts() {
		// Two parts, interleaved in the file: each bridge takes the lowest slot free at both
		// ends, as a single search in file order gives (launches keep their slots).
		assert_eq!(check(6, &[(0, 1), (2, 3), (1, 4), (3, 5), (0, 4)]), vec![1, 1, 2, 2, 3]);
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
