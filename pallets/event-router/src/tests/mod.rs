mod mock;
mod pallet_tests;
