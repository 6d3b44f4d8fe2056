//! Producers on a live network: governance adds and removes them, pallet-session carries the
//! change to Aura and GRANDPA at the second session end, GRANDPA signals it as a standard change
//! with delay 0 (what a peer's light client accepts) and starts a new set only for a real change.

use super::*;
use frame_support::{assert_noop, assert_ok, dispatch::DispatchResultWithPostInfo};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_consensus_grandpa::{ConsensusLog, ScheduledChange, GRANDPA_ENGINE_ID};
use sp_core::{ed25519, proof_of_possession::statement_of_ownership, Pair};
use sp_keyring::Ed25519Keyring;
use sp_runtime::{traits::Dispatchable, Digest, DigestItem, DispatchError};

/// Blocks built natively one after another as a node would: Aura's slot in the pre-digest,
/// the timestamp inherent, each block the child of the last.
struct Blocks {
	parent: Hash,
	number: BlockNumber,
}

impl Blocks {
	/// Blocks on top of the genesis of the externalities they are used in.
	fn new() -> Self {
		Self { parent: frame_system::BlockHash::<Runtime>::get(0), number: 0 }
	}

	fn next<R>(&mut self, body: impl FnOnce() -> R) -> (R, Header) {
		let number = self.number + 1;
		let slot = Slot::from(number as u64);
		let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
		Executive::initialize_block(&Header::new(
			number,
			Default::default(),
			Default::default(),
			self.parent,
			digest,
		));
		assert_ok!(Timestamp::set(RuntimeOrigin::none(), number as u64 * Aura::slot_duration()));
		let result = body();
		let header = Executive::finalize_block();
		self.parent = header.hash();
		self.number = number;
		(result, header)
	}

	/// Empty blocks up to `number`; their headers.
	fn run_to(&mut self, number: BlockNumber) -> Vec<Header> {
		(self.number + 1..=number).map(|_| self.next(|| ()).1).collect()
	}
}

/// The GRANDPA logs in `headers`, with the number of the block that carries each.
fn grandpa_logs(headers: &[Header]) -> Vec<(BlockNumber, ConsensusLog<BlockNumber>)> {
	headers
		.iter()
		.flat_map(|header| {
			header.digest.logs.iter().filter_map(move |log| {
				log.consensus_try_to::<ConsensusLog<BlockNumber>>(&GRANDPA_ENGINE_ID)
					.map(|log| (header.number, log))
			})
		})
		.collect()
}

/// The blocks among `headers` that tell Aura's new authorities.
fn aura_changes(headers: &[Header]) -> Vec<BlockNumber> {
	headers
		.iter()
		.filter(|header| {
			header.digest.logs.iter().any(|log| {
				matches!(
					log.consensus_try_to::<sp_consensus_aura::ConsensusLog<AuraId>>(
						&AURA_ENGINE_ID
					),
					Some(sp_consensus_aura::ConsensusLog::AuthoritiesChange(_))
				)
			})
		})
		.map(|header| header.number)
		.collect()
}

type AuraId = sp_consensus_aura::sr25519::AuthorityId;
type GrandpaId = sp_consensus_grandpa::AuthorityId;

/// A would-be producer: an account and the session keys its node made.
struct Candidate {
	account: AccountId,
	aura: sr25519::Pair,
	grandpa: ed25519::Pair,
}

impl Candidate {
	/// Dave, endowed in the presets, with keys of his own (not his account's).
	fn dave() -> Self {
		Self {
			account: Sr25519Keyring::Dave.to_account_id(),
			aura: sr25519::Pair::from_string("//Dave//aura", None).unwrap(),
			grandpa: ed25519::Pair::from_string("//Dave//grandpa", None).unwrap(),
		}
	}

	fn keys(&self) -> SessionKeys {
		SessionKeys { aura: self.aura.public().into(), grandpa: self.grandpa.public().into() }
	}

	/// What `author_rotateKeysWithOwner` returns with the keys: both keys' signatures of
	/// `owner`'s encoding, behind pallet-session's context.
	fn proof(&self, owner: &AccountId) -> Vec<u8> {
		let statement = statement_of_ownership(&owner.encode());
		(self.aura.sign(&statement), self.grandpa.sign(&statement)).encode()
	}

	fn set_keys(&self) -> DispatchResultWithPostInfo {
		RuntimeCall::Session(pallet_session::Call::set_keys {
			keys: self.keys(),
			proof: self.proof(&self.account),
		})
		.dispatch(RuntimeOrigin::signed(self.account.clone()))
	}
}

fn alice_keys() -> (AuraId, GrandpaId) {
	(Sr25519Keyring::Alice.public().into(), Ed25519Keyring::Alice.public().into())
}

fn bob_keys() -> (AuraId, GrandpaId) {
	(Sr25519Keyring::Bob.public().into(), Ed25519Keyring::Bob.public().into())
}

fn producers() -> Vec<AccountId> {
	pallet_producers::Producers::<Runtime>::get().into_inner()
}

fn grandpa_voters() -> Vec<GrandpaId> {
	Grandpa::grandpa_authorities()
		.into_iter()
		.map(|(id, weight)| {
			assert_eq!(weight, 1);
			id
		})
		.collect()
}

fn add(who: &AccountId) -> DispatchResultWithPostInfo {
	RuntimeCall::Producers(pallet_producers::Call::add_producer { who: who.clone() })
		.dispatch(RuntimeOrigin::root())
}

#[test]
fn presets_name_their_producers_through_session_keys() {
	let alice = Sr25519Keyring::Alice.to_account_id();
	let bob = Sr25519Keyring::Bob.to_account_id();
	for (name, accounts, keys) in [
		("development", vec![alice.clone()], vec![alice_keys()]),
		("local_testnet", vec![alice.clone(), bob.clone()], vec![alice_keys(), bob_keys()]),
	] {
		let patch = preset(name);
		assert!(patch.get("aura").is_none() && patch.get("grandpa").is_none(), "{name}");
		externalities_from(patch).execute_with(|| {
			assert_eq!(producers(), accounts, "{name}");
			assert_eq!(Session::validators(), accounts);
			let aura: Vec<AuraId> = pallet_aura::Authorities::<Runtime>::get().into_inner();
			assert_eq!(aura, keys.iter().map(|k| k.0.clone()).collect::<Vec<_>>());
			assert_eq!(grandpa_voters(), keys.iter().map(|k| k.1.clone()).collect::<Vec<_>>());
			assert_eq!(Grandpa::current_set_id(), 0);
		});
	}
}

#[test]
fn a_launched_producer_is_the_account_of_its_aura_key() {
	let aura_pair = sr25519::Pair::from_string("//p1", None).unwrap();
	let aura: AuraId = aura_pair.public().into();
	let grandpa: GrandpaId = ed25519::Pair::from_string("//p1", None).unwrap().public().into();
	let patch = genesis_config_presets::network_genesis(
		NetworkId(7),
		"seven",
		3_000,
		vec![(aura.clone(), grandpa.clone())],
		vec![],
		Sr25519Keyring::Alice.to_account_id(),
	);
	externalities_from(patch).execute_with(|| {
		let account = genesis_config_presets::aura_account(&aura);
		assert_eq!(account, AccountId::from(aura_pair.public()));
		assert_eq!(producers(), vec![account.clone()]);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), vec![aura]);
		assert_eq!(grandpa_voters(), vec![grandpa]);
		// A non-endowed producer account exists (session gave it a provider): it can be given
		// funds and sign later key changes.
		assert!(System::account_exists(&account));
	});
}

/// zombienet writes each validator's `session.keys` entry with every key type it knows (babe,
/// im_online, beefy, ...) and the `//Name//stash` account: the runtime takes the two it uses.
#[test]
fn chain_spec_session_keys_may_carry_other_key_types() {
	let stash = Sr25519Keyring::Charlie.to_account_id();
	let (aura, grandpa) = (Sr25519Keyring::Charlie.public(), Ed25519Keyring::Charlie.public());
	let mut patch = preset("local_testnet");
	patch["session"]["keys"] = serde_json::json!([[
		stash.to_string(),
		stash.to_string(),
		{
			"grandpa": grandpa.to_string(),
			"babe": aura.to_string(),
			"im_online": aura.to_string(),
			"aura": aura.to_string(),
		}
	]]);
	externalities_from(patch).execute_with(|| {
		assert_eq!(producers(), vec![stash]);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), vec![aura.into()]);
		assert_eq!(grandpa_voters(), vec![grandpa.into()]);
	});
}

#[test]
fn the_producer_bound_is_the_authority_bound_of_aura_grandpa_and_the_light_clients() {
	use bp_header_chain::ChainWithGrandpa;
	let bound: u32 = <Runtime as pallet_producers::Config>::MaxProducers::get();
	let aura: u32 = <Runtime as pallet_aura::Config>::MaxAuthorities::get();
	let grandpa: u32 = <Runtime as pallet_grandpa::Config>::MaxAuthorities::get();
	assert_eq!((bound, aura, grandpa), (configs::MAX_AUTHORITIES, bound, bound));
	assert_eq!(bound, bridges::SlotPeer::<1>::MAX_AUTHORITIES_COUNT);
}

#[test]
fn root_adds_a_producer_and_grandpa_changes_once() {
	externalities_from(preset("development")).execute_with(|| {
		let dave = Candidate::dave();
		let mut blocks = Blocks::new();
		let (_, first) = blocks.next(|| {
			assert_ok!(dave.set_keys());
			assert_ok!(add(&dave.account));
		});
		assert_eq!(producers(), vec![Sr25519Keyring::Alice.to_account_id(), dave.account.clone()]);

		// The first session end (block 10) plans the new set; Aura and GRANDPA keep theirs.
		let planned = blocks.run_to(10);
		assert_eq!(Session::current_index(), 1);
		assert_eq!(Session::validators(), vec![Sr25519Keyring::Alice.to_account_id()]);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(Grandpa::current_set_id(), 0);

		// The second (block 20) applies it.
		let applied = blocks.run_to(20);
		let (alice_aura, alice_grandpa) = alice_keys();
		assert_eq!(
			pallet_aura::Authorities::<Runtime>::get().into_inner(),
			vec![alice_aura, dave.keys().aura]
		);
		let voters = vec![alice_grandpa, dave.keys().grandpa];
		assert_eq!(grandpa_voters(), voters);
		assert_eq!(Grandpa::current_set_id(), 1);
		assert_eq!(aura_changes(&applied), vec![20]);
		// Signalled in block 20 as a standard change with delay 0, enacted there.
		let change = ScheduledChange {
			next_authorities: voters.iter().map(|id| (id.clone(), 1)).collect(),
			delay: 0,
		};
		assert_eq!(grandpa_logs(&applied), vec![(20, ConsensusLog::ScheduledChange(change))]);
		assert!(pallet_grandpa::PendingChange::<Runtime>::get().is_none());
		assert!(grandpa_logs(&[first]).is_empty() && grandpa_logs(&planned).is_empty());

		// The set stays: no more session ends, no new GRANDPA set.
		let later = blocks.run_to(100);
		assert_eq!(Session::current_index(), 2);
		assert_eq!(Grandpa::current_set_id(), 1);
		assert!(grandpa_logs(&later).is_empty() && aura_changes(&later).is_empty());
	});
}

#[test]
fn only_governance_changes_producers() {
	externalities_from(preset("local_testnet")).execute_with(|| {
		let dave = Candidate::dave();
		let bob = Sr25519Keyring::Bob.to_account_id();
		assert_ok!(dave.set_keys());
		let add_dave = RuntimeCall::Producers(pallet_producers::Call::add_producer {
			who: dave.account.clone(),
		});
		let remove_bob =
			RuntimeCall::Producers(pallet_producers::Call::remove_producer { who: bob.clone() });
		for call in [&add_dave, &remove_bob] {
			assert_noop!(
				call.clone().dispatch(RuntimeOrigin::signed(bob.clone())),
				DispatchError::BadOrigin
			);
			assert_noop!(
				call.clone().dispatch(RuntimeOrigin::signed(dave.account.clone())),
				DispatchError::BadOrigin
			);
		}
		// The governance origin of a testnet: Root through the sudo key.
		let sudo = |call: &RuntimeCall| {
			RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call.clone()) })
				.dispatch(RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()))
		};
		assert_ok!(sudo(&add_dave));
		assert_ok!(sudo(&remove_bob));
		assert_eq!(producers(), vec![Sr25519Keyring::Alice.to_account_id(), dave.account]);
	});
}

#[test]
fn a_removed_producer_leaves_aura_and_grandpa_but_the_last_one_stays() {
	externalities_from(preset("local_testnet")).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let remove = |who: &AccountId| {
			RuntimeCall::Producers(pallet_producers::Call::remove_producer { who: who.clone() })
				.dispatch(RuntimeOrigin::root())
		};
		let mut blocks = Blocks::new();
		blocks.next(|| {
			assert_ok!(remove(&bob));
		});
		assert_noop!(remove(&alice), pallet_producers::Error::<Runtime>::LastProducer);
		assert_noop!(remove(&bob), pallet_producers::Error::<Runtime>::NotProducer);

		let headers = blocks.run_to(20);
		let (alice_aura, alice_grandpa) = alice_keys();
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), vec![alice_aura]);
		assert_eq!(grandpa_voters(), vec![alice_grandpa.clone()]);
		assert_eq!(Grandpa::current_set_id(), 1);
		assert_eq!(
			grandpa_logs(&headers),
			vec![(
				20,
				ConsensusLog::ScheduledChange(ScheduledChange {
					next_authorities: vec![(alice_grandpa, 1)],
					delay: 0
				})
			)]
		);
	});
}

#[test]
fn a_producer_needs_keys_it_proves_it_holds() {
	externalities_from(preset("development")).execute_with(|| {
		let dave = Candidate::dave();
		assert_noop!(add(&dave.account), pallet_producers::Error::<Runtime>::NoSessionKeys);

		// Keys with a proof made for another account are refused: nobody registers keys they
		// do not hold, nor takes a producer's keys before it does.
		let eve = Sr25519Keyring::Eve.to_account_id();
		let stolen = RuntimeCall::Session(pallet_session::Call::set_keys {
			keys: dave.keys(),
			proof: dave.proof(&dave.account),
		});
		assert_noop!(
			stolen.dispatch(RuntimeOrigin::signed(eve)),
			pallet_session::Error::<Runtime>::InvalidProof
		);

		// With its keys registered (and their deposit held) it is admitted.
		let free = Balances::free_balance(&dave.account);
		assert_ok!(dave.set_keys());
		assert_eq!(free - Balances::free_balance(&dave.account), configs::SessionKeyDeposit::get());
		assert_ok!(add(&dave.account));
	});
}

#[test]
fn blocks_keep_their_room_while_the_producers_stay() {
	externalities_from(preset("development")).execute_with(|| {
		let mut blocks = Blocks::new();
		let headers = blocks.run_to(9);
		let genesis = frame_system::BlockHash::<Runtime>::get(0);
		// Block 10 may end a session; with nothing to carry it does not, and a transfer fits.
		let (applied, _) = blocks.next(|| {
			let xt = signed_transfer(
				&Sr25519Keyring::Alice.pair(),
				Sr25519Keyring::Dave.to_account_id(),
				UNIT,
				0,
				genesis,
			);
			Executive::apply_extrinsic(xt)
		});
		assert_ok!(applied.expect("valid"));
		let later = blocks.run_to(50);
		assert_eq!(Session::current_index(), 0);
		assert_eq!(Grandpa::current_set_id(), 0);
		assert!(grandpa_logs(&headers).is_empty() && grandpa_logs(&later).is_empty());
	});
}

#[test]
fn no_session_ends_while_no_producer_has_keys() {
	externalities_from(preset("development")).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let mut blocks = Blocks::new();
		blocks.next(|| {
			assert_ok!(RuntimeCall::Session(pallet_session::Call::purge_keys {})
				.dispatch(RuntimeOrigin::signed(alice.clone())));
		});
		let headers = blocks.run_to(40);
		// GRANDPA would adopt an empty set and never finalize again; it keeps Alice.
		assert_eq!(Session::current_index(), 0);
		assert_eq!(grandpa_voters(), vec![alice_keys().1]);
		assert!(grandpa_logs(&headers).is_empty());
	});
}
