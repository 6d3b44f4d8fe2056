//! The XCM executor's instruction weights (`xcm_config::XcmConfig::Weigher`).
//!
//! `pallet_xcm_benchmarks_generic.rs` is measured here by `scripts/weights.sh` (pallet-xcm-benchmarks,
//! generic): the 20 instructions this executor can run. `WeightInfoBounds` adds a `Transact`'s
//! call weight to the measured `transact` and sums nested programs itself.
//!
//! Every other instruction moves, locks, exchanges or reports assets, or sends, subscribes or
//! aliases: this executor has no transactor, trader, sender, locker, exporter or alias rules
//! (the "does not do" list in `xcm_config.rs`). Each fails at its first step (the unit
//! transactor, trader, sender and trap answer with an error), or finds nothing to act on: no
//! instruction can put an asset into the holding, so a deposit moves nothing and an `Unlimited`
//! purchase or a refund is a no-op. pallet-xcm-benchmarks cannot measure them without the
//! components they refuse. They are charged [`REFUSED_INSTRUCTION`], a bound far
//! above what a refusal costs, rather than `Weight::MAX`: a program that holds one is still run
//! up to it and answered with the instruction's own error (`Failure::Xcm`), not turned away as
//! too heavy. The executor charges the failing instruction in full and refunds the rest.

// The generated file documents struct-literal fields and reads no storage in most functions.
#[allow(unused_doc_comments)]
mod pallet_xcm_benchmarks_generic;

use crate::Runtime;
use ::xcm::{
	latest::{prelude::*, AssetTransferFilter, HintNumVariants, MaxAssetTransferFilters, QueryId},
	DoubleEncoded,
};
use alloc::vec::Vec;
use frame_support::{weights::Weight, BoundedVec};
use pallet_xcm_benchmarks_generic::WeightInfo as Generic;

/// What an instruction this executor refuses is charged: 250 µs and 8 KiB of proof, the fixed
/// bound every instruction was charged before the measured weights (above the whole measured
/// base of a signed extrinsic, 112 µs).
pub const REFUSED_INSTRUCTION: Weight = Weight::from_parts(250_000_000, 8 * 1024);

/// The measured instructions.
pub(crate) type Measured = Generic<Runtime>;

/// `XcmWeightInfo` for this runtime: measured where the executor runs the instruction,
/// [`REFUSED_INSTRUCTION`] where it refuses it.
pub struct PlexusXcmWeight<Call>(core::marker::PhantomData<Call>);

impl<Call> XcmWeightInfo<Call> for PlexusXcmWeight<Call> {
	// Run by this executor: measured.
	fn query_response(_: &u64, _: &Response, _: &Weight, _: &Option<Location>) -> Weight {
		Measured::query_response()
	}
	fn transact(_: &OriginKind, _: &Option<Weight>, _: &DoubleEncoded<Call>) -> Weight {
		Measured::transact()
	}
	fn clear_origin() -> Weight {
		Measured::clear_origin()
	}
	fn descend_origin(_: &InteriorLocation) -> Weight {
		Measured::descend_origin()
	}
	fn set_error_handler(_: &Xcm<Call>) -> Weight {
		Measured::set_error_handler()
	}
	fn set_appendix(_: &Xcm<Call>) -> Weight {
		Measured::set_appendix()
	}
	fn clear_error() -> Weight {
		Measured::clear_error()
	}
	fn trap(_: &u64) -> Weight {
		Measured::trap()
	}
	fn burn_asset(_: &Assets) -> Weight {
		Measured::burn_asset()
	}
	fn expect_asset(_: &Assets) -> Weight {
		Measured::expect_asset()
	}
	fn expect_origin(_: &Option<Location>) -> Weight {
		Measured::expect_origin()
	}
	fn expect_error(_: &Option<(u32, XcmError)>) -> Weight {
		Measured::expect_error()
	}
	fn expect_transact_status(_: &MaybeErrorCode) -> Weight {
		Measured::expect_transact_status()
	}
	fn expect_pallet(_: &u32, _: &Vec<u8>, _: &Vec<u8>, _: &u32, _: &u32) -> Weight {
		Measured::expect_pallet()
	}
	fn clear_transact_status() -> Weight {
		Measured::clear_transact_status()
	}
	fn set_topic(_: &[u8; 32]) -> Weight {
		Measured::set_topic()
	}
	fn clear_topic() -> Weight {
		Measured::clear_topic()
	}
	fn set_fees_mode(_: &bool) -> Weight {
		Measured::set_fees_mode()
	}
	fn unpaid_execution(_: &WeightLimit, _: &Option<Location>) -> Weight {
		Measured::unpaid_execution()
	}
	// The only hint is the asset claimer; the benchmark sets one.
	fn set_hints(hints: &BoundedVec<Hint, HintNumVariants>) -> Weight {
		Measured::asset_claimer().saturating_mul(hints.len() as u64)
	}

	// Refused by this executor, or with nothing to act on.
	fn withdraw_asset(_: &Assets) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn reserve_asset_deposited(_: &Assets) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn receive_teleported_asset(_: &Assets) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn transfer_asset(_: &Assets, _: &Location) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn transfer_reserve_asset(_: &Assets, _: &Location, _: &Xcm<()>) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn hrmp_new_channel_open_request(_: &u32, _: &u32, _: &u32) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn hrmp_channel_accepted(_: &u32) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn hrmp_channel_closing(_: &u32, _: &u32, _: &u32) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn report_error(_: &QueryResponseInfo) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn deposit_asset(_: &AssetFilter, _: &Location) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn deposit_reserve_asset(_: &AssetFilter, _: &Location, _: &Xcm<()>) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn exchange_asset(_: &AssetFilter, _: &Assets, _: &bool) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn initiate_reserve_withdraw(_: &AssetFilter, _: &Location, _: &Xcm<()>) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn initiate_teleport(_: &AssetFilter, _: &Location, _: &Xcm<()>) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn report_holding(_: &QueryResponseInfo, _: &AssetFilter) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn buy_execution(_: &Asset, _: &WeightLimit) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn refund_surplus() -> Weight {
		REFUSED_INSTRUCTION
	}
	fn claim_asset(_: &Assets, _: &Location) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn subscribe_version(_: &QueryId, _: &Weight) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn unsubscribe_version() -> Weight {
		REFUSED_INSTRUCTION
	}
	fn query_pallet(_: &Vec<u8>, _: &QueryResponseInfo) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn report_transact_status(_: &QueryResponseInfo) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn universal_origin(_: &Junction) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn export_message(_: &NetworkId, _: &Junctions, _: &Xcm<()>) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn lock_asset(_: &Asset, _: &Location) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn unlock_asset(_: &Asset, _: &Location) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn note_unlockable(_: &Asset, _: &Location) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn request_unlock(_: &Asset, _: &Location) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn alias_origin(_: &Location) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn pay_fees(_: &Asset) -> Weight {
		REFUSED_INSTRUCTION
	}
	fn initiate_transfer(
		_: &Location,
		_: &Option<AssetTransferFilter>,
		_: &bool,
		_: &BoundedVec<AssetTransferFilter, MaxAssetTransferFilters>,
		_: &Xcm<()>,
	) -> Weight {
		REFUSED_INSTRUCTION
	}
	// Executor 29 answers `Unimplemented`; `WeightInfoBounds` does not weigh its inner program.
	fn execute_with_origin(_: &Option<InteriorLocation>, _: &Xcm<Call>) -> Weight {
		REFUSED_INSTRUCTION
	}
}
