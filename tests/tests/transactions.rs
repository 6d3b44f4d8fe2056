//! The headline flow on three launched networks in a line (a–b–c): Alice on a asks for the
//! Solidity escrow on b; b runs it on pallet-revive and its resource manager commits the outcome
//! on c. The b–c relayer is killed while the transaction is in doubt; launch restarts it, and the
//! transaction ends committed on b exactly when it was applied on c. A reverting call is
//! answered `Err(Reverted)` and opens no transaction. A transaction whose contract call reverts
//! on its target ends `Aborted` on its coordinator, and the hold it placed comes back.

use codec::Encode;
use frame_support::weights::Weight;
use pallet_event_router::{
	location_of, Failure, MessageId, MessageStatus, Outcome, Service, Timeout,
};
use plexus_primitives::{
	contract::{Apply, CommitTo, ContractAddress, ContractCall, ContractRequest, Limits},
	transaction::{AbortReason, Action, Hold, ReceiptStatus, TxId, TxState, TxStatus},
};
use plexus_runtime::{AccountId, Balance, Hash, Runtime, RuntimeCall, UNIT};
use plexus_testkit::{deployment::*, fixtures::*, Client};
use serde_json::Value;
use std::time::Duration;

const LIMITS: Limits =
	Limits { weight: Weight::from_parts(20_000_000_000, 192 * 1024), deposit: 5 * UNIT };
const FLOW: Duration = Duration::from_secs(300);

async fn submit(client: &Client, signer: &str, call: RuntimeCall) {
	client.submit(call, &dev_pair(signer)).await.expect("the pool takes it");
}

async fn free_balance(client: &Client, who: &AccountId) -> Balance {
	let key = frame_system::Account::<Runtime>::hashed_key_for(who);
	let info: frame_system::AccountInfo<u32, pallet_balances::AccountData<Balance>> =
		client.storage_at(key, None).await.unwrap().unwrap_or_default();
	info.data.free
}

/// Alice deploys the escrow on `client`'s network through the contract executor.
async fn deploy_escrow(client: &Client) -> ContractAddress {
	let request = ContractRequest {
		call: ContractCall::Instantiate {
			code: escrow_code(evm_address(&account("//Alice"))),
			data: vec![],
			salt: Some([9; 32]),
			value: 0,
			limits: LIMITS,
		},
		commit: None,
	};
	let call = RuntimeCall::ContractExecutor(pallet_contract_executor::Call::execute {
		request: Box::new(request),
	});
	submit(client, "//Alice", call).await;
	let key = pallet_contract_executor::Executions::<plexus_runtime::Runtime>::hashed_key_for(0);
	let execution: pallet_contract_executor::Execution<
		AccountId,
		plexus_runtime::configs::MaxContractReturn,
	> = wait_for("the escrow deployment", FLOW, || async {
		client.storage_at(key.clone(), None).await.unwrap()
	})
	.await;
	execution.contract
}

async fn send_request(
	client: &Client,
	to: Hash,
	sequence: u64,
	request: ContractRequest,
) -> MessageId {
	let call = RuntimeCall::EventRouter(pallet_event_router::Call::send {
		destination: Some(Box::new(location_of(to.0))),
		service: Service::Contract,
		payload: request.encode().try_into().unwrap(),
		max_weight: Weight::from_parts(60_000_000_000, 256 * 1024),
		timeout: Timeout { height: None, timestamp: Some(now_ms() + 600_000) },
	});
	submit(client, "//Alice", call).await;
	MessageId { origin: client.genesis().0, sequence }
}

async fn tx_status(client: &Client, tx: TxId) -> TxStatus {
	client.transaction(tx, None).await.unwrap()
}

async fn in_doubt(client: &Client) -> Vec<TxId> {
	client.in_doubt(None).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_on_b_asked_from_a_commits_on_c_even_when_its_relayer_dies() {
	let (mut launch, base) = launch("transactions", Some(LINE_TOPOLOGY));
	let report: Value =
		wait_for("launch.json", Duration::from_secs(600), || read_report(&base)).await;
	launch.extra_pids = node_pids(&report);
	let bridges = report["bridges"].as_array().unwrap().clone();
	let relayer = |between: [&str; 2]| {
		let bridge = bridges.iter().find(|b| b["between"] == serde_json::json!(between)).unwrap();
		bridge["relayer_pid"].as_u64().unwrap() as u32
	};
	let (a_b, b_c) = (relayer(["a", "b"]), relayer(["b", "c"]));
	launch.extra_pids.extend([a_b, b_c]);
	let a = connect(&rpc_of(&report, "a", None)).await;
	let b = connect(&rpc_of(&report, "b", None)).await;
	let c = connect(&rpc_of(&report, "c", None)).await;
	let (a_genesis, b_genesis, c_genesis) = (a.genesis(), b.genesis(), c.genesis());

	// Alice of a acts on b through her remote account there: Bob funds it; Alice deploys.
	let alice_on_b = remote(a_genesis.0, account("//Alice"));
	let fund = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: alice_on_b.clone().into(),
		value: 50 * UNIT,
	});
	submit(&b, "//Bob", fund).await;
	let escrow = deploy_escrow(&b).await;

	// The request: open a deal of 2 UNIT for Charlie, and commit the outcome on c.
	let open = |value| ContractRequest {
		call: ContractCall::Call {
			contract: escrow,
			input: escrow_call("open(address)", &[word(evm_address(&account("//Charlie")))]),
			value,
			limits: LIMITS,
		},
		commit: Some(CommitTo {
			target: c_genesis.0,
			deadline: Timeout { height: None, timestamp: Some(now_ms() + 600_000) },
			apply: Apply::Record { key: b"deal".to_vec() },
		}),
	};
	let id = send_request(&a, b_genesis, 0, open(2 * UNIT)).await;

	// Once b holds the transaction in doubt, kill the relayer that carries it to c.
	let tx = wait_for("b to prepare the transaction", FLOW, || async {
		in_doubt(&b).await.first().copied()
	})
	.await;
	assert_eq!(tx.coordinator, b_genesis.0);
	unsafe { libc::kill(b_c as i32, libc::SIGKILL) };

	// Launch restarts it; it resumes from chain state and the transaction completes.
	let state = wait_for("b to decide the transaction", FLOW, || async {
		match tx_status(&b, tx).await {
			TxStatus::Coordinated { state: TxState::Prepared, .. } => None,
			TxStatus::Coordinated { state, .. } => Some(state),
			other => panic!("b reports {other:?}"),
		}
	})
	.await;
	let on_c = tx_status(&c, tx).await;
	match (&state, &on_c) {
		(TxState::Committed { receipt: digest }, TxStatus::Decided(receipt)) => {
			assert_eq!(receipt.status, ReceiptStatus::Applied);
			assert_eq!(*digest, receipt.digest(), "b committed the receipt c holds");
		},
		other => {
			panic!("committed exactly when applied, with a deadline ten minutes away: {other:?}")
		},
	}
	let digest =
		wait_for("a's request to be settled", FLOW, || async { settled_ok(&status(&a, id).await) })
			.await;
	assert!(
		matches!(status(&b, id).await, MessageStatus::Received { outcome: Outcome::Ok(d), .. } if d == digest)
	);

	// A call that reverts (no payment) is answered so, and opens nothing.
	let reverting = send_request(&a, b_genesis, 1, open(0)).await;
	let settled = wait_for("the reverting request to be settled", FLOW, || async {
		match status(&a, reverting).await {
			MessageStatus::Settled(outcome) => Some(outcome),
			_ => None,
		}
	})
	.await;
	assert_eq!(settled, Outcome::Err(Failure::Reverted));
	let next: u64 = b
		.storage_at(
			pallet_resource_manager::NextTransaction::<plexus_runtime::Runtime>::hashed_key()
				.to_vec(),
			None,
		)
		.await
		.unwrap()
		.unwrap_or(0);
	assert_eq!(next, 1, "only the first request opened a transaction");
	assert!(in_doubt(&b).await.is_empty());

	// Bob of b holds 3 UNIT for Dave against `release(5)` of an escrow on c that has no deal #5:
	// c votes no, b aborts the transaction and gives the hold back.
	let escrow_on_c = deploy_escrow(&c).await;
	let (bob, dave) = (account("//Bob"), account("//Dave"));
	let fund = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: remote(b_genesis.0, bob.clone()).into(),
		value: 10 * UNIT,
	});
	submit(&c, "//Bob", fund).await;
	let (bob_before, dave_before) = (free_balance(&b, &bob).await, free_balance(&b, &dave).await);
	let prepare = RuntimeCall::ResourceManager(pallet_resource_manager::Call::prepare {
		target: c_genesis.0,
		action: Action::Call {
			contract: escrow_on_c,
			input: escrow_call("release(uint256)", &[uint_word(5)]),
			value: 0,
			limits: LIMITS,
		},
		deadline: Timeout { height: None, timestamp: Some(now_ms() + 600_000) },
		hold: Some(Hold { amount: 3 * UNIT, beneficiary: dave.clone() }),
	});
	submit(&b, "//Bob", prepare).await;
	let doomed = TxId { coordinator: b_genesis.0, sequence: 1 };
	let key = pallet_resource_manager::Transactions::<Runtime>::hashed_key_for(doomed.sequence);
	// Each poll reads the transaction and the hold at one block, so both describe one state.
	let (mut held_while_prepared, started) = (None, std::time::Instant::now());
	let state = loop {
		assert!(started.elapsed() < FLOW, "b did not decide the reverting transaction");
		let at = b.best_hash().await.unwrap();
		let transaction: Option<pallet_resource_manager::Transaction<AccountId, Balance>> =
			b.storage_at(key.clone(), Some(at)).await.unwrap();
		match transaction.map(|t| t.state) {
			Some(TxState::Prepared) => {
				held_while_prepared = Some(transaction_hold(&b, &bob, at).await)
			},
			Some(state) => break state,
			None => {},
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	};
	assert_eq!(state, TxState::Aborted(AbortReason::Refused(Failure::Reverted)));
	assert_eq!(held_while_prepared, Some(3 * UNIT), "the hold was placed while in doubt");
	let now = b.best_hash().await.unwrap();
	assert_eq!(transaction_hold(&b, &bob, now).await, 0, "the hold was released");
	assert!(bob_before - free_balance(&b, &bob).await < UNIT, "Bob paid only fees");
	assert_eq!(free_balance(&b, &dave).await, dave_before, "Dave was not paid");
	assert_eq!(tx_status(&c, doomed).await, TxStatus::Unknown, "c applied nothing");
	assert!(in_doubt(&b).await.is_empty());

	let exit = launch.terminate(Duration::from_secs(30)).expect("launch exits on SIGTERM");
	assert!(exit.success(), "launch exited with {exit:?}");
}
