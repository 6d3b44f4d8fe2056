use crate::{self as pallet_network_info, *};
use frame_support::derive_impl;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		NetworkInfo: pallet_network_info,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl Config for Test {}

fn genesis(id: u32, name: &str, block_time_ms: u64) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_network_info::GenesisConfig::<Test> {
		network_id: NetworkId(id),
		name: name.as_bytes().to_vec(),
		block_time_ms,
		_config: Default::default(),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	storage.into()
}

#[test]
fn genesis_fixes_identity_and_slot() {
	genesis(7, "beta", 4_000).execute_with(|| {
		let id = Pallet::<Test>::identity();
		assert_eq!(id.network_id, NetworkId(7));
		assert_eq!(id.name, b"beta".to_vec());
		assert_eq!(<SlotDuration<Test> as Get<u64>>::get(), 4_000);
		assert_eq!(<MinimumPeriod<Test> as Get<u64>>::get(), 2_000);
	});
}

#[test]
fn zero_block_time_means_default() {
	genesis(1, "alpha", 0).execute_with(|| {
		assert_eq!(BlockTimeMillis::<Test>::get(), DEFAULT_BLOCK_TIME_MS);
	});
}

#[test]
fn different_identities_give_different_genesis_state() {
	let root = |id, name| {
		let mut ext = genesis(id, name, 3_000);
		ext.commit_all().unwrap();
		ext.execute_with(|| sp_io::storage::root(sp_runtime::StateVersion::V1))
	};
	assert_ne!(root(1, "alpha"), root(2, "alpha"));
	assert_ne!(root(1, "alpha"), root(1, "beta"));
	assert_eq!(root(1, "alpha"), root(1, "alpha"));
}

#[test]
#[should_panic(expected = "block time is outside")]
fn genesis_refuses_too_short_block_time() {
	let _ = genesis(1, "alpha", 500);
}

#[test]
#[should_panic(expected = "name is longer than 32 bytes")]
fn genesis_refuses_long_name() {
	let _ = genesis(1, &"x".repeat(33), 3_000);
}

#[test]
fn genesis_config_round_trips_through_json() {
	let config = pallet_network_info::GenesisConfig::<Test> {
		network_id: NetworkId(9),
		name: b"gamma".to_vec(),
		block_time_ms: 2_000,
		_config: Default::default(),
	};
	let json = serde_json::to_value(&config).unwrap();
	assert_eq!(json["name"], "gamma");
	assert_eq!(json["networkId"], 9);
}
