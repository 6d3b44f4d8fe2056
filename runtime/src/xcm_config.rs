//! The XCM executor behind the event router's `Xcm` service.
//!
//! A routed request whose service is `Xcm` carries a SCALE-encoded `VersionedXcm`. It runs here
//! as the remote sender: the location `../GlobalConsensus(ByGenesis(origin))/AccountId32(sender)`,
//! whose local account is the sender's [`RemoteAccount`](crate::identity::RemoteAccount) (see
//! [`crate::identity`]). A `Transact` with `OriginKind::SovereignAccount` dispatches its call
//! signed by that account; the account pays for whatever the call costs like any other account.
//!
//! What this executor does not do, on purpose:
//! - it moves no assets (`AssetTransactor = ()`): value crosses networks through the transaction
//!   resource manager, whose commits are atomic, not through reserve or teleport transfers;
//! - it sends no XCM (`XcmSender = ()`): every request is answered by the router's own
//!   acknowledgement, which is delivered and proven like the request;
//! - it buys no execution: the router charged the sender's fee at `send`, and the barrier only
//!   lets through programs within the request's `max_weight` (the weight credit).
//!
//! A `Transact` whose call fails does not fail the program (that is XCM's rule: the error goes to
//! the transact status). Add `ExpectTransactStatus(MaybeErrorCode::Success)` after it to make the
//! router answer `Err(Xcm { .. })` and roll the program back.

use crate::{
	identity::{remote_account_location, LocationToAccountId, UniversalLocation},
	weights::xcm::PlexusXcmWeight,
	AccountId, AllPalletsWithSystem, RuntimeCall, RuntimeOrigin,
};
use alloc::vec::Vec;
use codec::{DecodeLimit, Encode};
use frame_support::{
	parameter_types,
	traits::{Everything, Nothing},
	weights::Weight,
};
use plexus_primitives::envelope::{Failure, NetworkAddress};
use sp_runtime::traits::{BlakeTwo256, Hash};
use xcm::{latest::prelude::*, VersionedXcm, MAX_XCM_DECODE_DEPTH};
use xcm_builder::{
	FrameTransactionalProcessor, SovereignSignedViaLocation, TakeWeightCredit, WeightInfoBounds,
};
use xcm_executor::{traits::WeightBounds, XcmExecutor};

parameter_types! {
	pub const MaxInstructions: u32 = 100;
	pub const MaxAssetsIntoHolding: u32 = 8;
}

pub struct XcmConfig;

impl xcm_executor::Config for XcmConfig {
	type RuntimeCall = RuntimeCall;
	type XcmSender = ();
	type XcmEventEmitter = ();
	type AssetTransactor = ();
	type OriginConverter = SovereignSignedViaLocation<LocationToAccountId, RuntimeOrigin>;
	type IsReserve = ();
	type IsTeleporter = ();
	type Aliasers = Nothing;
	type UniversalLocation = UniversalLocation;
	type Barrier = TakeWeightCredit;
	// Each instruction's weight measured here (`weights/xcm`), plus a `Transact`'s call weight.
	type Weigher = WeightInfoBounds<PlexusXcmWeight<RuntimeCall>, RuntimeCall, MaxInstructions>;
	type Trader = ();
	type ResponseHandler = ();
	type AssetTrap = ();
	type AssetLocker = ();
	type AssetExchanger = ();
	type SubscriptionService = ();
	type PalletInstancesInfo = AllPalletsWithSystem;
	type MaxAssetsIntoHolding = MaxAssetsIntoHolding;
	type FeeManager = ();
	type MessageExporter = ();
	type UniversalAliases = Nothing;
	type CallDispatcher = RuntimeCall;
	// Any call a signed account may make: the origin is an ordinary signed account.
	type SafeCallFilter = Everything;
	type TransactionalProcessor = FrameTransactionalProcessor;
	type HrmpNewChannelOpenRequestHandler = ();
	type HrmpChannelAcceptedHandler = ();
	type HrmpChannelClosingHandler = ();
	type XcmRecorder = ();
}

/// Runs a routed XCM program for `account` of `network` within `max_weight`. On success the
/// result is the SCALE-encoded `Outcome::Complete`; the caller rolls back a failure's effects.
pub fn execute(
	network: &NetworkAddress,
	account: &AccountId,
	payload: &[u8],
	max_weight: Weight,
) -> (Result<Vec<u8>, Failure>, Weight) {
	let Some(program) = decode_program(payload) else {
		return (Err(Failure::MalformedPayload), Weight::zero());
	};
	let origin = remote_account_location(network, account);
	let mut id = BlakeTwo256::hash_of(&(network, account, payload)).0;
	match XcmExecutor::<XcmConfig>::prepare_and_execute(
		origin, program, &mut id, max_weight, max_weight,
	) {
		outcome @ Outcome::Complete { used } => (Ok(outcome.encode()), used),
		Outcome::Incomplete { used, error } => (Err(failure_of_xcm_instruction(error)), used),
		Outcome::Error(error) => (Err(failure_of_xcm_instruction(error)), Weight::zero()),
	}
}

/// The weight a routed XCM program needs: what the executor's weigher charges it, the `max_weight`
/// a sender should ask for. `None` if the payload is not a program this executor decodes, or if
/// it is over the instruction limit. Reads no storage, so clients compute it natively.
pub fn program_weight(payload: &[u8]) -> Option<Weight> {
	let mut program = decode_program(payload)?;
	<XcmConfig as xcm_executor::Config>::Weigher::weight(&mut program, Weight::MAX).ok()
}

/// A routed payload as a program of the latest XCM version: the whole payload, depth-limited.
fn decode_program(payload: &[u8]) -> Option<Xcm<RuntimeCall>> {
	let versioned = VersionedXcm::<RuntimeCall>::decode_all_with_depth_limit(
		MAX_XCM_DECODE_DEPTH,
		&mut &*payload,
	)
	.ok()?;
	Xcm::<RuntimeCall>::try_from(versioned).ok()
}

/// The [`Failure`] a program that stopped at an instruction is answered with.
fn failure_of_xcm_instruction(InstructionError { index, error }: InstructionError) -> Failure {
	match error {
		XcmError::WeightLimitReached(_) | XcmError::Barrier => Failure::WeightLimitExceeded,
		XcmError::FailedToDecode => Failure::MalformedPayload,
		// The variant's index is XCM's error code; its data (if any) is in the node's log.
		error => Failure::Xcm { instruction: index, error: error.encode()[0] },
	}
}

/// A routed XCM program that makes a remark (`System::remark_with_event`) as its sender and
/// fails unless the remark succeeds: what the tests, `load routing` and the docs send.
#[cfg(feature = "std")]
pub fn remark_program(remark: &[u8]) -> Vec<u8> {
	let call =
		RuntimeCall::System(frame_system::Call::remark_with_event { remark: remark.to_vec() });
	VersionedXcm::from(Xcm::<RuntimeCall>(vec![
		Transact {
			origin_kind: OriginKind::SovereignAccount,
			fallback_max_weight: None,
			call: call.encode().into(),
		},
		ExpectTransactStatus(MaybeErrorCode::Success),
	]))
	.encode()
}
