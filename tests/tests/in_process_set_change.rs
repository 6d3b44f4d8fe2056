//! A GRANDPA authority set change on the source, in one process (security review M10): alpha's
//! runtime schedules a change with delay 0, as pallet-session does at a session end, so the
//! block carries a `ScheduledChange` digest and enacts it. Beta's light client of alpha learns
//! the new set only by importing that header, justified by the old set: a newer header, justified
//! by the new set, fails there alone (fee paid), and goes through once the mandatory header is
//! in, the order the relayer follows (`plexus_relay::finality`).

use bp_header_chain::AuthoritySet;
use bp_runtime::HeaderId;
use bp_test_utils::{
	make_default_justification, make_justification_for_header, Account,
	JustificationGeneratorParams, DAVE, EVE, FERDIE, TEST_GRANDPA_SET_ID,
};
use plexus_relay::{
	finality::{self, Next},
	slot::{Justification, Slot},
};
use plexus_runtime::{Balances, BlockNumber, Grandpa, Hash, Header};
use plexus_testkit::in_process::*;

const SLOT: Slot = Slot(1);

fn light_client_set(network: &mut Network) -> AuthoritySet {
	let key = SLOT.authority_set_key();
	network.read(|| storage::<AuthoritySet>(&key)).expect("the light client is initialised")
}

fn known(network: &mut Network) -> BlockNumber {
	let key = SLOT.best_finalized_key();
	network.read(|| storage::<HeaderId<Hash, BlockNumber>>(&key)).expect("initialised").0
}

fn justify(header: &Header, set_id: u64, authorities: &[(Account, u64)]) -> Justification {
	make_justification_for_header(JustificationGeneratorParams {
		header: header.clone(),
		set_id,
		authorities: authorities.to_vec(),
		..Default::default()
	})
}

#[test]
fn the_light_client_follows_a_set_change_only_through_its_mandatory_header() {
	let mut alpha = Network::new(1, "alpha");
	let mut beta = Network::new(2, "beta");
	bridge(&mut alpha, SLOT, &mut beta, SLOT);
	let old = TEST_GRANDPA_SET_ID;
	let new_keys = [(DAVE, 1), (EVE, 1), (FERDIE, 1)];
	let new_set = AuthoritySet {
		authorities: new_keys
			.iter()
			.map(|(account, weight)| ((*account).into(), *weight))
			.collect(),
		set_id: old + 1,
	};
	let before = known(&mut beta);
	assert_eq!(light_client_set(&mut beta).set_id, old);

	let next_authorities = new_set.authorities.clone();
	alpha.block(|| Grandpa::schedule_change(next_authorities, 0, None).expect("scheduled"));
	let change = alpha.best.clone();
	alpha.block(|| {});
	let newer = alpha.best.clone();
	// What `grandpa_proveFinality` gives for the change: its header, justified by the old set.
	let mandatory = make_default_justification(&change);
	finality::check_set_change(before, &change, &mandatory)
		.expect("the runtime's digest is a change the light client can follow");
	let by_new_set = justify(&newer, old + 1, &new_keys);

	// The newer header alone. The relayer's own check refuses it; on chain it passes the
	// transaction checks (newer, current set id), fails, and costs its fee.
	let genesis = beta.genesis.hash();
	let set = light_client_set(&mut beta);
	assert!(finality::verify(&set, &newer, &mut by_new_set.clone()).is_err());
	let balance = beta.read(|| Balances::free_balance(relayer()));
	let alone = SLOT.submit_finality_proof(newer.clone(), by_new_set.clone(), old);
	let outcome = beta.block(|| submit(alone, genesis));
	assert!(matches!(outcome, Ok(Err(_))), "included, and failed: {outcome:?}");
	assert!(beta.read(|| Balances::free_balance(relayer())) < balance, "the relayer paid");
	assert_eq!((known(&mut beta), light_client_set(&mut beta)), (before, set.clone()));

	// The relayer's order: one set behind, so the mandatory header first, by the old set.
	let announced = Some((old + 1, newer.number));
	assert_eq!(finality::next(old, old + 1, before, announced), Next::SetChange { after: before });
	let mut justification = mandatory;
	finality::verify(&set, &change, &mut justification).expect("the old set signed the change");
	let call = SLOT.submit_finality_proof(change.clone(), justification, old);
	beta.block(|| submit(call, genesis).expect("valid").expect("mandatory header imported"));
	assert_eq!(light_client_set(&mut beta), new_set, "the light client holds the new set");
	assert_eq!(known(&mut beta), change.number);

	// Then the newer header, by the new set; the old set's word no longer counts.
	assert_eq!(finality::next(old + 1, old + 1, change.number, announced), Next::Justification);
	let by_old_set = make_default_justification(&newer);
	assert!(finality::verify(&new_set, &newer, &mut by_old_set.clone()).is_err());
	beta.block(|| refused(SLOT.submit_finality_proof(newer.clone(), by_old_set, old + 1)));
	let mut justification = by_new_set;
	finality::verify(&new_set, &newer, &mut justification).expect("the new set signed it");
	let call = SLOT.submit_finality_proof(newer.clone(), justification, old + 1);
	beta.block(|| submit(call, genesis).expect("valid").expect("newer header imported"));
	assert_eq!(known(&mut beta), newer.number);
}
