use super::mock::*;
use crate::{Error, Event, *};
use frame_support::{assert_ok, traits::Get};
use plexus_primitives::envelope::Timeout;
use sp_runtime::DispatchError;

const LIMITS: Limits = Limits { weight: Weight::from_parts(1_000_000, 1_000), deposit: 0 };
const ROOM: Weight = Weight::from_parts(10_000_000, 100_000);
const MESSAGE: MessageId = MessageId { origin: REMOTE_NET, sequence: 4 };

fn call(contract: ContractAddress, input: &[u8]) -> ContractCall {
	ContractCall::Call { contract, input: input.to_vec(), value: 0, limits: LIMITS }
}

fn request(call: ContractCall, commit: Option<CommitTo>) -> Box<ContractRequest> {
	Box::new(ContractRequest { call, commit })
}

fn commit_to(apply: Apply) -> CommitTo {
	CommitTo { target: TARGET_NET, deadline: Timeout { height: Some(50), timestamp: None }, apply }
}

fn expected_outcome(contract: ContractAddress, return_data: &[u8]) -> ContractOutcome {
	ContractOutcome {
		contract,
		reverted: false,
		return_data: return_data.to_vec(),
		logs_digest: sp_io::hashing::blake2_256(b"one log"),
		weight_used: USED,
	}
}

fn serve(payload: &[u8], max_weight: Weight) -> (Result<Vec<u8>, Failure>, Weight) {
	let origin = RemoteOrigin { network: &REMOTE_NET, account: &ALICE, message: MESSAGE };
	ContractExecutor::serve(origin, payload, max_weight)
}

fn remote_alice() -> AccountId {
	MockRemoteAccount::convert((REMOTE_NET, ALICE))
}

#[test]
fn a_local_call_records_its_outcome() {
	new_test_ext().execute_with(|| {
		assert_ok!(ContractExecutor::execute(
			RuntimeOrigin::signed(ALICE),
			request(call(ECHO, b"hello"), None)
		));
		let outcome = expected_outcome(ECHO, b"hello");
		let execution = Executions::<Test>::get(0).expect("stored");
		assert_eq!(execution.caller, ALICE);
		assert_eq!(execution.message, None);
		assert_eq!(execution.outcome_hash, outcome.hash());
		assert_eq!(execution.return_data.to_vec(), b"hello".to_vec());
		assert_eq!(execution.transaction, None);
		assert_eq!(NextExecution::<Test>::get(), 1);
		assert_eq!(
			events(),
			vec![Event::Executed {
				execution: 0,
				caller: ALICE,
				message: None,
				contract: ECHO,
				outcome_hash: outcome.hash(),
				weight_used: USED,
			}]
		);
		assert!(opened().is_empty());
	});
}

#[test]
fn a_deployment_names_the_new_contract() {
	new_test_ext().execute_with(|| {
		let deploy = ContractCall::Instantiate {
			code: vec![0x60, 0x80],
			data: vec![],
			salt: None,
			value: 0,
			limits: LIMITS,
		};
		assert_ok!(ContractExecutor::execute(RuntimeOrigin::signed(ALICE), request(deploy, None)));
		assert_eq!(Executions::<Test>::get(0).unwrap().contract, DEPLOYED);
	});
}

/// Runs a local request that must fail with `error`, charged for what it used, changing nothing.
fn fails_cleanly(request: Box<ContractRequest>, error: DispatchError) {
	let before = sp_io::storage::root(sp_runtime::StateVersion::V1);
	let result = ContractExecutor::execute(RuntimeOrigin::signed(ALICE), request);
	let failure = result.expect_err("the request fails");
	assert_eq!(failure.error, error);
	assert!(failure.post_info.actual_weight.is_some(), "charged for what it used");
	assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), before, "nothing changed");
}

#[test]
fn reverts_and_failures_leave_nothing_behind() {
	new_test_ext().execute_with(|| {
		fails_cleanly(request(call(REVERTS, b""), None), Error::<Test>::Reverted.into());
		fails_cleanly(request(call(MISSING, b""), None), Error::<Test>::NotExecuted.into());
		fails_cleanly(request(call(VERBOSE, b""), None), Error::<Test>::ReturnDataTooLong.into());
		// A successful call whose commit cannot be opened fails as a whole.
		REFUSE.with(|refuse| refuse.set(true));
		let commit = Some(commit_to(Apply::Record { key: b"k".to_vec() }));
		fails_cleanly(request(call(ECHO, b""), commit), Error::<Test>::NotExecuted.into());
		assert_eq!(Executions::<Test>::iter().count(), 0);
		assert_eq!(frame_support::storage::unhashed::get::<AccountId>(TOUCHED), None);
	});
}

#[test]
fn a_routed_request_runs_as_the_remote_account_and_reports() {
	new_test_ext().execute_with(|| {
		let (result, used) = serve(&request(call(ECHO, b"routed"), None).encode(), ROOM);
		let report = ExecutionReport::decode(&mut &result.expect("served")[..]).unwrap();
		let outcome = expected_outcome(ECHO, b"routed");
		assert_eq!(
			report,
			ExecutionReport {
				outcome_hash: outcome.hash(),
				return_data: b"routed".to_vec(),
				transaction: None
			}
		);
		assert_eq!(used, Weight::from_parts(10_000, 0) + USED);
		let execution = Executions::<Test>::get(ByMessage::<Test>::get(MESSAGE).unwrap()).unwrap();
		assert_eq!(execution.caller, remote_alice());
		assert_eq!(execution.message, Some(MESSAGE));
		assert_eq!(
			frame_support::storage::unhashed::get::<AccountId>(TOUCHED),
			Some(remote_alice())
		);
	});
}

#[test]
fn routed_requests_within_limits_only_and_well_formed_only() {
	new_test_ext().execute_with(|| {
		let payload = request(call(ECHO, b""), None).encode();
		let (result, _) = serve(&payload, LIMITS.weight);
		assert_eq!(result, Err(Failure::WeightLimitExceeded));
		let (result, _) = serve(&[0xde, 0xad], ROOM);
		assert_eq!(result, Err(Failure::MalformedPayload));
		let mut trailing = payload.clone();
		trailing.push(0);
		assert_eq!(serve(&trailing, ROOM).0, Err(Failure::MalformedPayload));
		assert_eq!(
			serve(&request(call(REVERTS, b""), None).encode(), ROOM).0,
			Err(Failure::Reverted)
		);
		assert_eq!(
			serve(&request(call(MISSING, b""), None).encode(), ROOM).0,
			Err(Failure::Dispatch)
		);
		assert_eq!(frame_support::storage::unhashed::get::<AccountId>(TOUCHED), None);
		assert_eq!(Executions::<Test>::iter().count(), 0);
	});
}

#[test]
fn an_outcome_committed_as_a_record_carries_the_whole_outcome() {
	new_test_ext().execute_with(|| {
		let commit = commit_to(Apply::Record { key: b"result".to_vec() });
		let (result, _) = serve(&request(call(ECHO, b"42"), Some(commit.clone())).encode(), ROOM);
		let report = ExecutionReport::decode(&mut &result.unwrap()[..]).unwrap();
		let outcome = expected_outcome(ECHO, b"42");
		assert_eq!(
			opened(),
			vec![Opened {
				initiator: remote_alice(),
				target: TARGET_NET,
				action: Action::Record { key: b"result".to_vec(), value: outcome.encode() },
				deadline: commit.deadline,
				outcome_hash: outcome.hash(),
			}]
		);
		let tx = TxId { coordinator: [0xbb; 32], sequence: 0 };
		assert_eq!(report.transaction, Some(tx));
		assert_eq!(Executions::<Test>::get(0).unwrap().transaction, Some(tx));
		assert!(events().contains(&Event::CommitOpened { execution: 0, tx, target: TARGET_NET }));
	});
}

#[test]
fn an_outcome_committed_as_a_call_passes_the_return_data_on() {
	new_test_ext().execute_with(|| {
		let target = [5; 20];
		let apply = Apply::Call {
			contract: target,
			selector: vec![0xab, 0xcd, 0xef, 0x01],
			limits: LIMITS,
		};
		assert_ok!(ContractExecutor::execute(
			RuntimeOrigin::signed(ALICE),
			request(call(ECHO, &[0; 32]), Some(commit_to(apply)))
		));
		let mut input = vec![0xab, 0xcd, 0xef, 0x01];
		input.extend_from_slice(&[0; 32]);
		assert_eq!(
			opened()[0].action,
			Action::Call { contract: target, input, value: 0, limits: LIMITS }
		);
		assert_eq!(opened()[0].initiator, ALICE);
	});
}

#[test]
fn the_weight_asked_for_covers_the_engine_and_the_commit() {
	let plain = request(call(ECHO, b""), None);
	let committed = request(call(ECHO, b""), Some(commit_to(Apply::Record { key: vec![] })));
	assert_eq!(
		ContractExecutor::request_weight(&plain),
		Weight::from_parts(10_000, 0) + LIMITS.weight
	);
	assert_eq!(
		ContractExecutor::request_weight(&committed),
		Weight::from_parts(10_000, 0) + LIMITS.weight + OPEN_WEIGHT
	);
}

#[test]
fn an_execution_is_forgotten_retention_after_it_ran_and_not_before() {
	new_test_ext().execute_with(|| {
		let (result, _) = serve(&request(call(ECHO, b"routed"), None).encode(), ROOM);
		assert!(result.is_ok());
		assert_eq!(ByMessage::<Test>::get(MESSAGE), Some(0));
		set_now(START + 60_000);
		assert_ok!(ContractExecutor::execute(
			RuntimeOrigin::signed(ALICE),
			request(call(ECHO, b"local"), None)
		));

		// Until its retention is over (and its minute has passed), it stays.
		run_until(START + RETENTION - 1);
		assert!(Executions::<Test>::get(0).is_some());
		// The minute after: the routed one goes with its message link; the later one stays.
		set_now(retention_over(START));
		next_block();
		assert!(Executions::<Test>::get(0).is_none());
		assert_eq!(ByMessage::<Test>::get(MESSAGE), None);
		assert!(Executions::<Test>::get(1).is_some());
		set_now(retention_over(START + 60_000));
		next_block();
		assert_eq!(Executions::<Test>::iter().count(), 0);
		assert_eq!(DueIndex::<Test>::iter().count(), 0, "the index is emptied too");
		// Ids keep counting: a forgotten execution's number is never reused.
		assert_eq!(NextExecution::<Test>::get(), 2);
	});
}

/// The first moment the sweep forgets an execution run at `ran`: its minute has passed.
fn retention_over(ran: u64) -> u64 {
	let minute = plexus_primitives::retention::BUCKET_MS;
	((ran + RETENTION) / minute + 1) * minute
}

#[test]
fn a_block_forgets_at_most_max_sweep_per_block_executions() {
	new_test_ext().execute_with(|| {
		let n = 3 * MAX_SWEEP + 1;
		for _ in 0..n {
			assert_ok!(ContractExecutor::execute(
				RuntimeOrigin::signed(ALICE),
				request(call(ECHO, b""), None)
			));
		}
		run_until(START + RETENTION);
		assert_eq!(Executions::<Test>::iter().count() as u32, n);
		set_now(retention_over(START));
		let mut blocks = 0;
		while Executions::<Test>::iter().count() > 0 {
			let before = Executions::<Test>::iter().count() as u32;
			let weight = next_block();
			let forgotten = before - Executions::<Test>::iter().count() as u32;
			assert!((1..=MAX_SWEEP).contains(&forgotten), "{forgotten} in one block");
			assert!(weight.ref_time() >= u64::from(forgotten) * 1_000, "charged per execution");
			blocks += 1;
		}
		assert_eq!(blocks, n.div_ceil(MAX_SWEEP));
		// Nothing due: a block's sweep costs its look at the cursor and clock only.
		let idle = <<Test as frame_system::Config>::DbWeight as Get<
			frame_support::weights::RuntimeDbWeight,
		>>::get()
		.reads_writes(2, 1);
		assert_eq!(next_block(), idle);
	});
}

#[test]
fn failed_requests_file_nothing_to_forget() {
	new_test_ext().execute_with(|| {
		fails_cleanly(request(call(REVERTS, b""), None), Error::<Test>::Reverted.into());
		assert_eq!(DueIndex::<Test>::iter().count(), 0);
		assert_eq!(DueCursor::<Test>::get(), 0);
	});
}
