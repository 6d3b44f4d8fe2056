//! `timeout_proof`: the proof of non-delivery behind `claim_timeout`, on the real runtime. Two
//! networks in one process (plexus-testkit), alpha and beta, bridged in slot 1 with real GRANDPA
//! justifications; alpha has sent two requests to beta and beta received the first. Alpha's light
//! client imported three of beta's headers: before the delivery, after it, and after the
//! requests' deadline. The input picks one of these headers (or an unknown one), a real storage
//! proof of beta's inbound lane, block number and clock at it, and damages it: flipped bytes,
//! nodes cut, dropped, repeated, swapped or added, or a proof made of the input's bytes.
//!
//! It is checked two ways: through `PeerSlots::prove_not_delivered` (the runtime's prover) with a
//! lane, nonce, timeout and `height_applies` of the input's choosing, and through the
//! `claim_timeout` extrinsic for one of alpha's two requests (in a storage transaction rolled
//! back afterwards). Invariants: nothing panics; a proof is accepted only if beta's real state
//! at the header it names shows the packet late (sound); an undamaged proof is accepted exactly
//! when that state shows it late (complete).

use arbitrary::{Result, Unstructured};
use codec::DecodeLimit;
use pallet_event_router::{traits::PeerLaneState, DeliveryProver, MessageId, Timeout};
use plexus_relay::slot::Slot;
use plexus_runtime::{
	bridges::{PeerSlots, PeerStateProof},
	Hash, RuntimeCall, RuntimeOrigin, System,
};
use plexus_testkit::{
	fixtures::remark_request,
	in_process::{bridge, deliver, relay_finality, relayer, signed, Network, BLOCK_MS},
};
use sp_core::storage::StorageKey;
use sp_runtime::traits::Dispatchable;
use std::cell::RefCell;

const SLOT: Slot = Slot(1);
/// The requests' deadline: after beta's second imported header, before its third.
const DEADLINE_MS: u64 = 12 * BLOCK_MS;

/// One of beta's headers that alpha's light client imported, with a proof of it and the state the
/// proof shows.
struct Imported {
	hash: Hash,
	proof: Vec<Vec<u8>>,
	state: PeerLaneState,
}

struct Setup {
	alpha: Network,
	headers: Vec<Imported>,
	/// Alpha's two requests: lane nonces 1 (delivered) and 2 (never delivered).
	requests: [(MessageId, u64); 2],
	timeout: Timeout,
}

thread_local! {
	static SETUP: RefCell<Option<Setup>> = const { RefCell::new(None) };
}

fn build() -> Setup {
	let mut alpha = Network::new(1, "alpha");
	let mut beta = Network::new(2, "beta");
	bridge(&mut alpha, SLOT, &mut beta, SLOT);
	let timeout = Timeout { height: None, timestamp: Some(DEADLINE_MS) };
	let requests = [0, 1].map(|sequence| {
		alpha.block(|| {
			let call = remark_request(beta.address(), b"fuzz", timeout);
			signed(call, relayer()).expect("the request is sent");
		});
		(MessageId { origin: alpha.address(), sequence }, sequence + 1)
	});
	let keys = [
		SLOT.inbound_lane_key(),
		StorageKey(bp_runtime::storage_value_final_key(b"System", b"Number").to_vec()),
		StorageKey(bp_runtime::storage_value_final_key(b"Timestamp", b"Now").to_vec()),
	];
	let mut headers = Vec::new();
	let mut import = |beta: &mut Network, alpha: &mut Network| {
		relay_finality(SLOT, beta, alpha);
		let hash = beta.best.hash();
		let state = PeerLaneState {
			last_delivered_nonce: beta.inbound_lane(SLOT).last_delivered_nonce(),
			height: beta.best.number,
			timestamp: u64::from(beta.best.number) * BLOCK_MS,
		};
		headers.push(Imported { hash, proof: beta.prove(hash, &keys), state });
	};
	// Before the delivery.
	beta.block(|| ());
	import(&mut beta, &mut alpha);
	// After the first request's delivery, before the deadline.
	relay_finality(SLOT, &alpha, &mut beta);
	deliver(SLOT, &mut alpha, &mut beta, (1, 1));
	import(&mut beta, &mut alpha);
	// Past the deadline.
	while u64::from(beta.best.number) * BLOCK_MS <= DEADLINE_MS + BLOCK_MS {
		beta.block(|| ());
	}
	import(&mut beta, &mut alpha);
	assert!(headers[0].state.timestamp < DEADLINE_MS && headers[1].state.timestamp < DEADLINE_MS);
	assert_eq!(headers[1].state.last_delivered_nonce, 1);
	Setup { alpha, headers, requests, timeout }
}

/// The fuzz target: see the module's documentation.
pub fn timeout_proof(data: &[u8]) {
	SETUP.with(|setup| {
		let mut setup = setup.borrow_mut();
		let setup = setup.get_or_insert_with(build);
		let _ = run(setup, &mut Unstructured::new(data));
	})
}

fn run(setup: &mut Setup, u: &mut Unstructured) -> Result<()> {
	let raw = u.ratio(1, 8)?;
	let (proof, header, damaged) = if raw {
		// A proof as the extrinsic's argument decodes it, from the input's bytes.
		let bytes = u.bytes(u.len())?;
		let Ok(proof) = PeerStateProof::decode_all_with_depth_limit(64, &mut &bytes[..]) else {
			return Ok(());
		};
		let header = setup.headers.iter().position(|h| h.hash == proof.header_hash);
		(proof, header, true)
	} else {
		let choice = u.int_in_range(0..=setup.headers.len())?;
		let header = (choice < setup.headers.len()).then_some(choice);
		let header_hash = match header {
			Some(i) => setup.headers[i].hash,
			None => Hash::from(u.arbitrary::<[u8; 32]>()?),
		};
		let mut nodes = setup.headers[choice.min(setup.headers.len() - 1)].proof.clone();
		let damaged = damage(&mut nodes, u)?;
		(PeerStateProof { header_hash, storage_proof: nodes }, header, damaged)
	};
	let state = header.map(|i| setup.headers[i].state);

	if u.arbitrary()? {
		let lane = u.int_in_range(0..=5)?;
		let nonce = u.int_in_range(0..=3)?;
		let timeout = Timeout {
			height: if u.arbitrary()? { Some(u.int_in_range(0..=20)?) } else { None },
			timestamp: if u.arbitrary()? { Some(u.int_in_range(0..=20)? * BLOCK_MS) } else { None },
		};
		let height_applies = u.arbitrary()?;
		let accepted = setup.alpha.read(|| {
			PeerSlots::prove_not_delivered(lane, nonce, &timeout, height_applies, proof).is_ok()
		});
		let late = state.is_some_and(|s| s.proves_late(nonce, &timeout, height_applies));
		assert!(!accepted || (lane == SLOT.0 && late), "an unsound proof was accepted");
		if !damaged && lane == SLOT.0 && state.is_some() {
			assert_eq!(accepted, late, "an honest proof was judged wrongly");
		}
	} else {
		let (id, nonce) = setup.requests[usize::from(u.arbitrary::<bool>()?)];
		let timeout = setup.timeout;
		let claim =
			RuntimeCall::EventRouter(pallet_event_router::Call::claim_timeout { id, proof });
		let accepted = setup.alpha.read(|| {
			sp_io::storage::start_transaction();
			let result = claim.dispatch(RuntimeOrigin::signed(relayer()));
			System::reset_events();
			sp_io::storage::rollback_transaction();
			result.is_ok()
		});
		// Beta is the destination, so heights count (the timeout has none).
		let late = state.is_some_and(|s| s.proves_late(nonce, &timeout, true));
		assert!(!accepted || late, "claim_timeout accepted an unsound proof for {id:?}");
		if !damaged && state.is_some() {
			assert_eq!(accepted, late, "claim_timeout judged an honest proof wrongly for {id:?}");
		}
	}
	Ok(())
}

/// Damages a proof as the input says; returns whether anything changed.
fn damage(nodes: &mut Vec<Vec<u8>>, u: &mut Unstructured) -> Result<bool> {
	let original = nodes.clone();
	for _ in 0..u.int_in_range(0..=4)? {
		let len = nodes.len();
		match u.int_in_range(0..=6)? {
			0 if len > 0 => {
				let node = &mut nodes[u.int_in_range(0..=len - 1)?];
				if !node.is_empty() {
					let at = u.int_in_range(0..=node.len() - 1)?;
					node[at] ^= u.int_in_range(1..=255)?;
				}
			},
			1 if len > 0 => {
				let node = &mut nodes[u.int_in_range(0..=len - 1)?];
				let keep = u.int_in_range(0..=node.len())?;
				node.truncate(keep);
			},
			2 if len > 0 => {
				nodes.remove(u.int_in_range(0..=len - 1)?);
			},
			3 if len > 0 => {
				let node = nodes[u.int_in_range(0..=len - 1)?].clone();
				nodes.push(node);
			},
			4 if len > 1 => nodes.swap(u.int_in_range(0..=len - 1)?, u.int_in_range(0..=len - 1)?),
			5 => {
				let size = u.int_in_range(0..=600)?;
				nodes.push(u.bytes(size)?.to_vec());
			},
			6 => {
				// A node of the input's making, in place of one of the proof's.
				let size = u.int_in_range(0..=200)?;
				let node = u.bytes(size)?.to_vec();
				if len > 0 {
					let at = u.int_in_range(0..=len - 1)?;
					nodes[at] = node;
				} else {
					nodes.push(node);
				}
			},
			_ => {},
		}
	}
	// A reordered proof proves the same: only a changed set of nodes counts as damage.
	let (mut a, mut b) = (original, nodes.clone());
	a.sort();
	b.sort();
	Ok(a != b)
}
