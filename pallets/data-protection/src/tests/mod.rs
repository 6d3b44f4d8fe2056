pub(crate) mod mock;
mod pallet_tests;
mod properties;
