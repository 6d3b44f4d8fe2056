pub(crate) mod mock;
mod pallet_tests;
mod properties;
mod retention_tests;
