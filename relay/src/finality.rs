//! Which finality proof a round submits, and step 0: the mandatory headers.
//!
//! The target's light client (pallet-bridge-grandpa) knows one GRANDPA authority set of the
//! source, and learns the next only by importing the header that enacts the change (a
//! `ScheduledChange` digest with delay 0), justified by the set it knows. A justification by any
//! other set fails there after its fee is paid, so the relayer imports each set-change header,
//! one at a time and in order, before any newer header, and never submits a justification that
//! the light client's set did not sign (security review M10).

use crate::{slot::Justification, End, Relayer, RoundReport};
use bp_header_chain::{
	justification::{verify_and_optimize_justification, JustificationVerificationContext},
	AuthoritySet, GrandpaConsensusLogReader,
};
use bp_runtime::HeaderId;
use codec::Decode;
use plexus_client::{wait_until, Error};
use plexus_runtime::{BlockNumber, Hash, Header};
use sp_consensus_grandpa::SetId;
use std::time::Duration;

/// What a round towards a target submits first, decided from set ids and numbers alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
	/// The light client is behind the source's authority set: prove and submit the header that
	/// enacts the first set change after `after` (`grandpa_proveFinality(after + 1)`).
	SetChange { after: BlockNumber },
	/// Relay the newest justification the source announced.
	Justification,
	/// No finality proof to submit: nothing newer than what the light client knows.
	Nothing,
	/// No finality proof to submit, for this reason (logged).
	Skip(String),
}

/// The choice of [`Next`]: `light_client` is the set id the target's light client holds,
/// `source` the source's set id at its finalized head, `known` the newest source header the
/// light client has, and `announced` the set id and number of the newest justification the
/// source announced.
pub fn next(
	light_client: SetId,
	source: SetId,
	known: BlockNumber,
	announced: Option<(SetId, BlockNumber)>,
) -> Next {
	if light_client < source {
		// Whatever was announced: headers after the change verify only once it is imported.
		return Next::SetChange { after: known };
	}
	if light_client > source {
		return Next::Skip(format!(
			"the light client has set {light_client}, newer than set {source} at the source's \
			 finalized head (a source node behind, or another chain): no finality submitted"
		));
	}
	match announced {
		Some((set, number)) if number > known && set != light_client => Next::Skip(format!(
			"not relaying the justification of #{number}: set {set} signed it, the light client \
			 has set {light_client}"
		)),
		Some((_, number)) if number > known => Next::Justification,
		_ => Next::Nothing,
	}
}

/// Checks what `grandpa_proveFinality(after + 1)` gave before paying for it: a header newer
/// than `after`, justified by `justification`, that enacts a set change the light client can
/// follow.
pub fn check_set_change(
	after: BlockNumber,
	header: &Header,
	justification: &Justification,
) -> Result<(), Error> {
	let number = header.number;
	if number <= after {
		return Err(format!("the proof is of #{number}, not newer than #{after}"));
	}
	let commit = &justification.commit;
	if (commit.target_hash, commit.target_number) != (header.hash(), number) {
		return Err(format!(
			"the justification finalizes #{} {:?}, not the set change #{number} {:?}",
			commit.target_number,
			commit.target_hash,
			header.hash()
		));
	}
	if GrandpaConsensusLogReader::<BlockNumber>::find_forced_change(&header.digest).is_some() {
		return Err(format!(
			"#{number} forces a set change, which the light client cannot follow: it needs \
			 governance"
		));
	}
	match GrandpaConsensusLogReader::<BlockNumber>::find_scheduled_change(&header.digest) {
		None => Err(format!("#{number} enacts no authority set change")),
		Some(change) if change.delay != 0 => Err(format!(
			"#{number} schedules a set change with a delay of {} blocks, which the light client \
			 does not support",
			change.delay
		)),
		Some(_) => Ok(()),
	}
}

/// Verifies `justification` of `header` as the light client holding `set` will, after dropping
/// the votes and ancestry headers it does not need (the light client refuses a justification
/// with more than enough votes; a node's may have them). What fails here is not submitted: it
/// would fail on chain, fee paid.
pub fn verify(
	set: &AuthoritySet,
	header: &Header,
	justification: &mut Justification,
) -> Result<(), Error> {
	let context = JustificationVerificationContext::try_from(set.clone())
		.map_err(|e| format!("the light client's set {} is unusable: {e:?}", set.set_id))?;
	verify_and_optimize_justification((header.hash(), header.number), &context, justification)
		.map_err(|e| {
			format!(
				"the justification of #{} does not verify against the light client's set {}: \
				 {e:?}",
				header.number, set.set_id
			)
		})
}

/// The newest justification a source announced, with its header and the set that signed it.
pub(crate) struct Announced {
	pub justification: Justification,
	pub header: Header,
	pub set_id: SetId,
}

impl Relayer {
	/// The authority set of the source that `target`'s light client holds.
	pub(crate) async fn light_client_set(&self, target: &End) -> Result<AuthoritySet, Error> {
		// `StoredAuthoritySet` has the layout of `AuthoritySet` (a bounded list, then the id).
		let set: Option<AuthoritySet> =
			target.client.storage(&self.slot.authority_set_key(), None).await?;
		Ok(set.unwrap_or_default())
	}

	/// Step 0, and the choice of step 1. Imports into `target`'s light client every set change
	/// `source` made since `known` (which follows), one at a time and in order; then returns
	/// the newest justification `source` announced, if step 1 may relay it (verified against
	/// the light client's set, and stripped of votes it does not need), with that set's id.
	pub(crate) async fn follow_set_changes(
		&self,
		source: &End,
		target: &End,
		finalized: &Header,
		known: &mut HeaderId<Hash, BlockNumber>,
		report: &mut RoundReport,
	) -> Result<Option<(Announced, SetId)>, Error> {
		let source_set = source.client.grandpa_set_id(Some(finalized.hash())).await?;
		let announced = match source.latest_justification() {
			Some(justification) if justification.commit.target_number > known.0 => {
				let header = source.client.header(justification.commit.target_hash).await?;
				// The set in force when the header was built signed it: a set-change header is
				// still finalized by the old set, though its own state has the new id.
				let set_id = source.client.grandpa_set_id(Some(header.parent_hash)).await?;
				Some(Announced { justification, header, set_id })
			},
			_ => None,
		};
		loop {
			let set = self.light_client_set(target).await?;
			let signed = announced.as_ref().map(|a| (a.set_id, a.header.number));
			match next(set.set_id, source_set, known.0, signed) {
				Next::SetChange { after } => {
					*known = self.import_set_change(source, target, after, &set).await?;
					report.set_changes += 1;
				},
				Next::Justification => {
					let Some(mut announced) = announced else { return Ok(None) };
					// Optimized here, so that step 1 submits what was verified.
					let checked = verify(&set, &announced.header, &mut announced.justification);
					return match checked {
						Ok(()) => Ok(Some((announced, set.set_id))),
						Err(e) => {
							let (from, to) = (&source.name, &target.name);
							log::warn!(target: "relay", "{from} -> {to}: not relaying: {e}");
							Ok(None)
						},
					};
				},
				Next::Nothing => return Ok(None),
				Next::Skip(why) => {
					log::info!(target: "relay", "{} -> {}: {why}", source.name, target.name);
					return Ok(None);
				},
			}
		}
	}

	/// Submits the header enacting the first set change of `source` after `after`, justified by
	/// `set` (the light client's), and waits (bounded: about 20 s) until the light client holds
	/// the next set. Returns the header imported.
	async fn import_set_change(
		&self,
		source: &End,
		target: &End,
		after: BlockNumber,
		set: &AuthoritySet,
	) -> Result<HeaderId<Hash, BlockNumber>, Error> {
		let ends = format!("{} -> {}", source.name, target.name);
		let fail =
			|e: Error| format!("{ends}: set change after #{after} (set {}): {e}", set.set_id);
		let proof =
			source.client.prove_finality(after + 1).await.map_err(fail)?.ok_or_else(|| {
				fail(format!("{} has no justification for the end of the set", source.name))
			})?;
		let mut justification = Justification::decode(&mut &proof.justification[..])
			.map_err(|e| fail(format!("undecodable justification: {e}")))?;
		let header = source.client.header(proof.block).await.map_err(fail)?;
		check_set_change(after, &header, &justification).map_err(fail)?;
		verify(set, &header, &mut justification).map_err(fail)?;

		let id = HeaderId(header.number, header.hash());
		let call = self.slot.submit_finality_proof(header, justification, set.set_id);
		let nonce = target.client.next_nonce(&self.account()).await?;
		target.client.submit_with_nonce(call, &self.signer, nonce).await.map_err(fail)?;
		log::info!(
			target: "relay",
			"{ends}: submitted set change #{} (set {} -> {})",
			id.0, set.set_id, set.set_id + 1
		);
		wait_until(80, Duration::from_millis(250), || async {
			Ok(self.light_client_set(target).await?.set_id > set.set_id)
		})
		.await
		.map_err(|e| {
			format!(
				"{ends}: set change #{} submitted, but the light client still has set {}: {e}",
				id.0, set.set_id
			)
		})?;
		Ok(id)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use bp_test_utils::{
		authority_list, make_default_justification, make_justification_for_header, Account,
		JustificationGeneratorParams, TEST_GRANDPA_SET_ID,
	};
	use codec::Encode;
	use sp_consensus_grandpa::{ConsensusLog, ScheduledChange, GRANDPA_ENGINE_ID};
	use sp_runtime::{Digest, DigestItem};

	#[test]
	fn a_light_client_one_set_behind_imports_the_change_after_what_it_knows() {
		assert_eq!(next(3, 4, 100, None), Next::SetChange { after: 100 });
	}

	#[test]
	fn a_light_client_two_sets_behind_imports_the_first_change_first() {
		// One change at a time: the next round of the loop asks again after the new `known`.
		assert_eq!(next(3, 5, 100, Some((5, 180))), Next::SetChange { after: 100 });
		assert_eq!(next(4, 5, 140, Some((5, 180))), Next::SetChange { after: 140 });
		assert_eq!(next(5, 5, 160, Some((5, 180))), Next::Justification);
	}

	#[test]
	fn a_justification_of_the_light_clients_set_is_relayed_when_newer() {
		assert_eq!(next(4, 4, 100, Some((4, 101))), Next::Justification);
		assert_eq!(next(4, 4, 100, Some((4, 100))), Next::Nothing);
		assert_eq!(next(4, 4, 100, Some((4, 90))), Next::Nothing);
		assert_eq!(next(4, 4, 100, None), Next::Nothing);
	}

	#[test]
	fn a_justification_of_another_set_is_skipped_with_the_reason() {
		// Announced after the finalized head was read: a newer set signed it.
		let Next::Skip(why) = next(4, 4, 100, Some((5, 130))) else {
			panic!("a justification by set 5 must not go to a light client of set 4");
		};
		assert!(why.contains("#130") && why.contains("set 5") && why.contains("set 4"), "{why}");
		assert!(matches!(next(4, 4, 100, Some((3, 130))), Next::Skip(_)));
		// Not newer than what the light client knows: nothing to say.
		assert_eq!(next(4, 4, 100, Some((3, 90))), Next::Nothing);
	}

	#[test]
	fn a_light_client_ahead_of_the_source_gets_nothing() {
		let Next::Skip(why) = next(5, 4, 100, Some((5, 130))) else {
			panic!("a source behind its own light client gets no finality submitted");
		};
		assert!(why.contains("set 5") && why.contains("set 4"), "{why}");
	}

	fn header(number: BlockNumber, logs: Vec<DigestItem>) -> Header {
		Header {
			parent_hash: Hash::repeat_byte(1),
			number,
			state_root: Hash::repeat_byte(2),
			extrinsics_root: Hash::repeat_byte(3),
			digest: Digest { logs },
		}
	}

	fn scheduled(delay: BlockNumber) -> DigestItem {
		let change = ScheduledChange { next_authorities: authority_list(), delay };
		DigestItem::Consensus(GRANDPA_ENGINE_ID, ConsensusLog::ScheduledChange(change).encode())
	}

	#[test]
	fn a_set_change_proof_is_checked_before_it_is_paid_for() {
		let change = header(120, vec![scheduled(0)]);
		let justification = make_default_justification(&change);
		assert_eq!(check_set_change(100, &change, &justification), Ok(()));

		let e = check_set_change(120, &change, &justification).unwrap_err();
		assert!(e.contains("#120") && e.contains("not newer than #120"), "{e}");

		let other = header(121, vec![scheduled(0)]);
		let e = check_set_change(100, &change, &make_default_justification(&other)).unwrap_err();
		assert!(e.contains("finalizes #121") && e.contains("set change #120"), "{e}");

		let plain = header(120, vec![]);
		let e = check_set_change(100, &plain, &make_default_justification(&plain)).unwrap_err();
		assert!(e.contains("enacts no authority set change"), "{e}");

		let delayed = header(120, vec![scheduled(5)]);
		let e = check_set_change(100, &delayed, &make_default_justification(&delayed));
		assert!(e.unwrap_err().contains("delay of 5"));

		let forced = ConsensusLog::ForcedChange(
			110,
			ScheduledChange { next_authorities: authority_list(), delay: 0 },
		);
		let forced = header(120, vec![DigestItem::Consensus(GRANDPA_ENGINE_ID, forced.encode())]);
		let e = check_set_change(100, &forced, &make_default_justification(&forced));
		assert!(e.unwrap_err().contains("forces a set change"));
	}

	#[test]
	fn only_a_justification_by_the_light_clients_set_verifies() {
		let change = header(120, vec![scheduled(0)]);
		let set = AuthoritySet { authorities: authority_list(), set_id: TEST_GRANDPA_SET_ID };
		assert_eq!(verify(&set, &change, &mut make_default_justification(&change)), Ok(()));

		let by_next_set = |set_id| {
			make_justification_for_header(JustificationGeneratorParams {
				header: change.clone(),
				set_id,
				..Default::default()
			})
		};
		let e = verify(&set, &change, &mut by_next_set(TEST_GRANDPA_SET_ID + 1)).unwrap_err();
		assert!(e.contains("#120") && e.contains(&format!("set {TEST_GRANDPA_SET_ID}")), "{e}");

		let mut strangers = make_justification_for_header(JustificationGeneratorParams {
			header: change.clone(),
			authorities: vec![(Account(10), 1), (Account(11), 1), (Account(12), 1)],
			..Default::default()
		});
		assert!(verify(&set, &change, &mut strangers).is_err());
	}

	#[test]
	fn surplus_votes_are_dropped_rather_than_refused_on_chain() {
		// Four authorities need three votes; a node's justification may carry all four, which
		// the light client's strict check refuses.
		let four: Vec<_> = (0..4).map(|i| (Account(i), 1)).collect();
		let set = AuthoritySet {
			authorities: four.iter().map(|(a, w)| ((*a).into(), *w)).collect(),
			set_id: TEST_GRANDPA_SET_ID,
		};
		let change = header(120, vec![scheduled(0)]);
		let mut justification = make_justification_for_header(JustificationGeneratorParams {
			header: change.clone(),
			authorities: four,
			..Default::default()
		});
		assert_eq!(justification.commit.precommits.len(), 4);
		assert_eq!(verify(&set, &change, &mut justification), Ok(()));
		assert_eq!(justification.commit.precommits.len(), 3);
		let context = JustificationVerificationContext::try_from(set).unwrap();
		bp_header_chain::justification::verify_justification::<Header>(
			(change.hash(), 120),
			&context,
			&justification,
		)
		.expect("what is left passes the light client's own check");
	}

	#[test]
	fn a_finality_proof_decodes_as_the_node_encodes_it() {
		let change = header(120, vec![scheduled(0)]);
		let node = sc_consensus_grandpa::FinalityProof::<Header> {
			block: change.hash(),
			justification: make_default_justification(&change).encode(),
			unknown_headers: vec![header(119, vec![]), change.clone()],
		};
		let ours = plexus_client::chain::FinalityProof::decode(&mut &node.encode()[..]).unwrap();
		assert_eq!(ours.block, change.hash());
		assert_eq!(ours.justification, node.justification);
		assert_eq!(ours.unknown_headers, node.unknown_headers);
		let justification = Justification::decode(&mut &ours.justification[..]).unwrap();
		assert_eq!(justification.commit.target_number, 120);
	}

	#[test]
	fn the_set_id_key_names_the_runtimes_grandpa_set_id() {
		let storage = plexus_runtime::genesis_config_presets::genesis_storage(
			serde_json::from_slice(
				&plexus_runtime::genesis_config_presets::get_preset(&"local_testnet".into())
					.unwrap(),
			)
			.unwrap(),
		)
		.unwrap();
		let value = storage.top.get(&plexus_client::chain::grandpa_set_id_key().0);
		assert_eq!(value, Some(&0u64.encode()), "pallet-grandpa puts set 0 at genesis");
	}
}
