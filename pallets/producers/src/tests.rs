//! The producer set on a mock runtime with pallet-session (keys `UintAuthorityId`): admission,
//! removal, and when sessions end. The effect on Aura and GRANDPA is tested in the runtime
//! (runtime/src/tests/producers.rs).

use crate::{self as pallet_producers, *};
use frame_support::{
	assert_noop, assert_ok, derive_impl,
	traits::{ConstU32, ConstU64, Hooks},
};
use pallet_session::SessionManager;
use sp_runtime::{testing::UintAuthorityId, traits::ConvertInto, BuildStorage, DispatchError};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Producers: pallet_producers,
		Session: pallet_session,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

/// Sessions can end every 5 blocks.
type Period = ConstU64<5>;

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = u64;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Rotation<Test>;
	type NextSessionRotation = pallet_session::PeriodicSessions<Period, ConstU64<0>>;
	type SessionManager = Producers;
	type SessionHandler = pallet_session::TestSessionHandler;
	type Keys = UintAuthorityId;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU64<0>;
}

impl Config for Test {
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type MaxProducers = ConstU32<4>;
	type SessionPeriod = Period;
	type WeightInfo = ();
}

/// Producers 1 and 2 at genesis; 3 has keys but is no producer; 4 and 5 have neither.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=5).map(|who| (who, 1_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_session::GenesisConfig::<Test> {
		keys: (1..=2).map(|who| (who, who, UintAuthorityId(who))).collect(),
		non_authority_keys: vec![(3, 3, UintAuthorityId(3))],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Session::on_initialize(next);
	}
}

fn set_keys(who: u64, key: u64) {
	assert_ok!(Session::set_keys(RuntimeOrigin::signed(who), UintAuthorityId(key), vec![]));
}

fn producers() -> Vec<u64> {
	// The storage item: `Producers` alone is the pallet here.
	pallet_producers::Producers::<Test>::get().into_inner()
}

fn session() -> u32 {
	pallet_session::CurrentIndex::<Test>::get()
}

#[test]
fn genesis_producers_are_the_session_validators() {
	new_test_ext().execute_with(|| {
		assert_eq!(producers(), vec![1, 2]);
		assert_eq!(Session::validators(), vec![1, 2]);
	});
}

#[test]
fn only_governance_changes_producers() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Producers::add_producer(RuntimeOrigin::signed(1), 3),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Producers::remove_producer(RuntimeOrigin::signed(1), 2),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_producer_needs_keys_and_room() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Producers::add_producer(RuntimeOrigin::root(), 4),
			Error::<Test>::NoSessionKeys
		);
		assert_ok!(Producers::add_producer(RuntimeOrigin::root(), 3));
		System::assert_last_event(Event::ProducerAdded { who: 3 }.into());
		assert_noop!(
			Producers::add_producer(RuntimeOrigin::root(), 3),
			Error::<Test>::AlreadyProducer
		);
		set_keys(4, 4);
		set_keys(5, 5);
		assert_ok!(Producers::add_producer(RuntimeOrigin::root(), 4));
		assert_noop!(
			Producers::add_producer(RuntimeOrigin::root(), 5),
			Error::<Test>::TooManyProducers
		);
		assert_eq!(producers(), vec![1, 2, 3, 4]);
	});
}

#[test]
fn the_last_producer_with_keys_stays() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Producers::remove_producer(RuntimeOrigin::root(), 3),
			Error::<Test>::NotProducer
		);
		// 2 purged its keys: 1 is the last producer with keys.
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(2)));
		assert_noop!(
			Producers::remove_producer(RuntimeOrigin::root(), 1),
			Error::<Test>::LastProducer
		);
		assert_ok!(Producers::remove_producer(RuntimeOrigin::root(), 2));
		System::assert_last_event(Event::ProducerRemoved { who: 2 }.into());
		assert_noop!(
			Producers::remove_producer(RuntimeOrigin::root(), 1),
			Error::<Test>::LastProducer
		);
		assert_eq!(producers(), vec![1]);
	});
}

#[test]
fn sessions_end_only_to_carry_a_change() {
	new_test_ext().execute_with(|| {
		run_to(20);
		assert_eq!(session(), 0, "nothing changed: no session end");

		assert_ok!(Producers::add_producer(RuntimeOrigin::root(), 3));
		run_to(24);
		assert_eq!(session(), 0, "sessions end at multiples of the period");
		run_to(25);
		assert_eq!(session(), 1, "the new set is planned");
		assert_eq!(Session::validators(), vec![1, 2]);
		assert_eq!(Session::queued_keys().iter().map(|(v, _)| *v).collect::<Vec<_>>(), [1, 2, 3]);
		run_to(30);
		assert_eq!(session(), 2, "the planned set is applied");
		assert_eq!(Session::validators(), vec![1, 2, 3]);
		run_to(60);
		assert_eq!(session(), 2, "and then nothing is left to carry");

		assert_ok!(Producers::remove_producer(RuntimeOrigin::root(), 1));
		run_to(70);
		assert_eq!(session(), 4);
		assert_eq!(Session::validators(), vec![2, 3]);
	});
}

#[test]
fn an_unchanged_set_is_not_planned_again() {
	new_test_ext().execute_with(|| {
		assert_eq!(Producers::new_session(1), None);
		assert_ok!(Producers::add_producer(RuntimeOrigin::root(), 3));
		assert_eq!(Producers::new_session(1), Some(vec![1, 2, 3]));
	});
}

#[test]
fn new_keys_end_sessions_until_they_are_active() {
	new_test_ext().execute_with(|| {
		set_keys(1, 11);
		run_to(5);
		assert_eq!(session(), 1);
		assert!(pallet_session::QueuedChanged::<Test>::get(), "the new key is queued as a change");
		run_to(10);
		assert_eq!(session(), 2);
		assert_eq!(Session::queued_keys()[0], (1, UintAuthorityId(11)));
		run_to(30);
		assert_eq!(session(), 2);
	});
}

#[test]
fn no_session_ends_into_an_empty_set() {
	new_test_ext().execute_with(|| {
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(1)));
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(2)));
		run_to(20);
		assert_eq!(session(), 0);
		assert_eq!(Session::validators(), vec![1, 2]);

		// Once a producer has keys again, its set is carried.
		set_keys(2, 22);
		run_to(30);
		assert_eq!(session(), 2);
		assert_eq!(Session::validators(), vec![2]);
	});
}
