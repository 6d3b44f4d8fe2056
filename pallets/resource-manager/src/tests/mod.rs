pub(crate) mod mock;
mod pallet_tests;
mod retention_tests;
mod simulation;
