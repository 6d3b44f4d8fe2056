//! The `Xcm` service: a routed XCM program runs as its remote sender, within its weight, and
//! every failure is reported and rolled back by the router.

use super::in_block;
use crate::{
	identity::{remote_account_location, LocationToAccountId},
	services::RuntimeServices,
	*,
};
use codec::Encode;
use frame_support::{traits::Get, weights::constants::WEIGHT_REF_TIME_PER_SECOND};
use pallet_event_router::{RemoteOrigin, ServiceHandler};
use plexus_primitives::envelope::{Failure, Service};
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::Hash as _;
use xcm::{latest::prelude::*, VersionedXcm};
use xcm_executor::traits::ConvertLocation;

const REMOTE: [u8; 32] = [7; 32];
const MESSAGE: pallet_event_router::MessageId =
	pallet_event_router::MessageId { origin: REMOTE, sequence: 0 };
const LIMIT: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND / 10, 256 * 1024);

fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}

fn run(program: Xcm<RuntimeCall>, max_weight: Weight) -> (Result<Vec<u8>, Failure>, Weight) {
	let payload = VersionedXcm::from(program).encode();
	run_bytes(&payload, max_weight)
}

fn run_bytes(payload: &[u8], max_weight: Weight) -> (Result<Vec<u8>, Failure>, Weight) {
	let account = alice();
	let origin = RemoteOrigin { network: &REMOTE, account: &account, message: MESSAGE };
	RuntimeServices::execute(origin, Service::Xcm, payload, max_weight)
}

fn transact(call: RuntimeCall) -> Instruction<RuntimeCall> {
	Transact {
		origin_kind: OriginKind::SovereignAccount,
		fallback_max_weight: None,
		call: call.encode().into(),
	}
}

fn remark(bytes: &[u8]) -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark_with_event { remark: bytes.to_vec() })
}

/// The local account of Alice-on-`REMOTE`.
fn remote_alice() -> AccountId {
	LocationToAccountId::convert_location(&remote_account_location(&REMOTE, &alice()))
		.expect("a remote account has a local one")
}

#[test]
fn every_service_is_served_and_a_malformed_payload_is_refused() {
	for service in [Service::Xcm, Service::Contract, Service::Transaction, Service::DataProtection]
	{
		assert!(RuntimeServices::serves(service), "{service:?}");
	}
	in_block(|| {
		let account = alice();
		let origin = RemoteOrigin { network: &REMOTE, account: &account, message: MESSAGE };
		let (result, _) = RuntimeServices::execute(origin, Service::DataProtection, &[9], LIMIT);
		assert_eq!(result, Err(Failure::MalformedPayload));
		assert_eq!(pallet_data_protection::NextRequest::<Runtime>::get(), 0);
	});
}

#[test]
fn transact_dispatches_as_the_remote_account() {
	in_block(|| {
		let program = Xcm(vec![
			transact(remark(b"hello from afar")),
			ExpectTransactStatus(MaybeErrorCode::Success),
		]);
		let (result, used) = run(program, LIMIT);
		let output = result.expect("the program completes");
		assert_eq!(output, Outcome::Complete { used }.encode());
		assert!(used.any_gt(Weight::zero()) && used.all_lte(LIMIT));

		// The remark is signed by the remote sender's own local account: not by the local
		// account of the same key, and not by anyone on this network.
		let sender = remote_alice();
		assert_ne!(sender, alice());
		let hash = <Runtime as frame_system::Config>::Hashing::hash(b"hello from afar");
		assert!(System::events().iter().any(|record| record.event
			== RuntimeEvent::System(frame_system::Event::Remarked {
				sender: sender.clone(),
				hash
			})));
	});
}

#[test]
fn the_remote_account_is_that_of_its_network() {
	in_block(|| {
		let here =
			LocationToAccountId::convert_location(&remote_account_location(&[8; 32], &alice()));
		assert_ne!(here, Some(remote_alice()), "a different network, a different account");
		// This network's own location is not remote: nothing converts it.
		let genesis = crate::identity::GenesisHash::get();
		assert_eq!(
			LocationToAccountId::convert_location(&remote_account_location(&genesis, &alice())),
			None
		);
	});
}

#[test]
fn a_failed_call_fails_the_program_when_it_expects_success() {
	in_block(|| {
		// Alice-on-REMOTE owns nothing here, so her transfer fails.
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: alice().into(),
			value: UNIT,
		});
		let program = Xcm(vec![transact(transfer), ExpectTransactStatus(MaybeErrorCode::Success)]);
		let (result, used) = run(program, LIMIT);
		let expectation_false = XcmError::ExpectationFalse.encode()[0];
		assert_eq!(result, Err(Failure::Xcm { instruction: 1, error: expectation_false }));
		assert!(used.any_gt(Weight::zero()));
	});
}

#[test]
fn assets_do_not_move_through_xcm() {
	in_block(|| {
		let program = Xcm(vec![WithdrawAsset((Here, UNIT).into())]);
		let (result, _) = run(program, LIMIT);
		assert!(matches!(result, Err(Failure::Xcm { instruction: 0, .. })), "{result:?}");
	});
}

#[test]
fn a_program_over_its_weight_is_not_run() {
	in_block(|| {
		let program = Xcm(vec![transact(remark(b"too heavy"))]);
		let (result, used) = run(program, Weight::from_parts(1_000, 1_000));
		assert_eq!(result, Err(Failure::WeightLimitExceeded));
		assert_eq!(used, Weight::zero());
		assert!(System::events().is_empty(), "nothing ran");
	});
}

#[test]
fn malformed_programs_are_refused() {
	in_block(|| {
		assert_eq!(run_bytes(&[0xff, 1, 2, 3], LIMIT).0, Err(Failure::MalformedPayload));
		assert_eq!(run_bytes(&[], LIMIT).0, Err(Failure::MalformedPayload));
		// Trailing bytes after a valid program.
		let mut payload = VersionedXcm::from(Xcm::<RuntimeCall>(vec![ClearOrigin])).encode();
		payload.push(0);
		assert_eq!(run_bytes(&payload, LIMIT).0, Err(Failure::MalformedPayload));
		// A call that does not decode is found when the program is weighed.
		let bad_call = Xcm::<RuntimeCall>(vec![Transact {
			origin_kind: OriginKind::SovereignAccount,
			fallback_max_weight: None,
			call: vec![0xff, 0xff].into(),
		}]);
		assert_eq!(run(bad_call, LIMIT).0, Err(Failure::MalformedPayload));
		assert!(System::events().is_empty(), "nothing ran");
	});
}

#[test]
fn the_remark_program_is_the_one_clients_build_by_hand() {
	// tests/js/lib.mjs and zombienet/bridge-check.cjs build these bytes themselves.
	let call = remark(b"x").encode();
	let mut expected = vec![5, 8, 6, 1, 0];
	expected.extend(codec::Compact(call.len() as u32).encode());
	expected.extend(call);
	expected.extend([32, 0]);
	assert_eq!(crate::xcm_config::remark_program(b"x"), expected);
}

#[test]
fn instructions_weigh_what_was_measured_for_them() {
	use crate::weights::xcm::{Measured, REFUSED_INSTRUCTION};
	use frame_support::dispatch::GetDispatchInfo;
	let weight = |program: Xcm<RuntimeCall>| {
		crate::xcm_config::program_weight(&VersionedXcm::from(program).encode())
	};
	// A `Transact` weighs its measured instruction and the call it dispatches.
	let call = remark(b"weighed");
	let program = Xcm(vec![transact(call.clone()), ExpectTransactStatus(MaybeErrorCode::Success)]);
	let expected = Measured::transact()
		+ call.get_dispatch_info().call_weight
		+ Measured::expect_transact_status();
	assert_eq!(weight(program), Some(expected));
	// Nested programs are summed.
	let nested = Xcm(vec![SetAppendix(Xcm(vec![ClearOrigin, ClearTopic]))]);
	let expected = Measured::set_appendix() + Measured::clear_origin() + Measured::clear_topic();
	assert_eq!(weight(nested), Some(expected));
	// An instruction this executor refuses is charged the refusal bound.
	assert_eq!(weight(Xcm(vec![WithdrawAsset((Here, UNIT).into())])), Some(REFUSED_INSTRUCTION));
	// Over the instruction limit, or not a program: no weight.
	let too_long = Xcm(vec![ClearTopic; crate::xcm_config::MaxInstructions::get() as usize + 1]);
	assert_eq!(weight(too_long), None);
	assert_eq!(crate::xcm_config::program_weight(&[0xff, 1]), None);
}

#[test]
fn a_program_runs_within_the_weight_it_is_said_to_need() {
	in_block(|| {
		let payload = crate::xcm_config::remark_program(b"exact");
		let needed = crate::xcm_config::program_weight(&payload).expect("a valid program");
		let less = needed.saturating_sub(Weight::from_parts(1, 0));
		assert_eq!(run_bytes(&payload, less).0, Err(Failure::WeightLimitExceeded));
		assert!(System::events().is_empty(), "nothing ran");
		let (result, used) = run_bytes(&payload, needed);
		assert!(result.is_ok(), "{result:?}");
		assert!(used.all_lte(needed), "{used:?} within {needed:?}");
	});
}
