//! The contract executor and the resource manager in the real runtime: contract requests run on
//! pallet-revive (the committed Solidity escrow), locally and as a remote account; commits apply
//! records and contract calls; the remote account is the one documented for clients.

use super::{
	contracts::{account, address},
	in_block,
};
use crate::{services::RuntimeServices, *};
use codec::{Decode, Encode};
use frame_support::weights::Weight;
use pallet_event_router::{MessageId, RemoteOrigin, ServiceHandler};
use pallet_revive::AddressMapper;
use plexus_primitives::{
	contract::{ContractCall, ContractOutcome, ContractRequest, ExecutionReport, Limits},
	envelope::{Failure, Service, Timeout},
	transaction::{Action, CommitRequest, ReceiptStatus, TxId, TxReceipt},
};
use plexus_testkit::fixtures::{word, Abi};
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::Convert;

const REMOTE: [u8; 32] = [7; 32];
const MESSAGE: MessageId = MessageId { origin: REMOTE, sequence: 3 };
const LIMITS: Limits =
	Limits { weight: Weight::from_parts(20_000_000_000, 192 * 1024), deposit: 5 * UNIT };
const ROOM: Weight = Weight::from_parts(60_000_000_000, 256 * 1024);

fn remote_alice() -> AccountId {
	identity::RemoteAccount::convert((REMOTE, account(Sr25519Keyring::Alice)))
}

fn executed_events() -> Vec<pallet_contract_executor::Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ContractExecutor(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Alice deploys the escrow through the executor, arbiter herself; returns its address.
fn deploy(escrow: &Abi) -> [u8; 20] {
	let code = escrow.code(&[word(address(Sr25519Keyring::Alice))]);
	let request = ContractRequest {
		call: ContractCall::Instantiate {
			code,
			data: vec![],
			salt: Some([3; 32]),
			value: 0,
			limits: LIMITS,
		},
		commit: None,
	};
	ContractExecutor::execute(
		RuntimeOrigin::signed(account(Sr25519Keyring::Alice)),
		Box::new(request),
	)
	.expect("the escrow deploys");
	pallet_contract_executor::Executions::<Runtime>::get(0).expect("recorded").contract
}

fn serve(service: Service, payload: &[u8]) -> (Result<Vec<u8>, Failure>, Weight) {
	let alice = account(Sr25519Keyring::Alice);
	let origin = RemoteOrigin { network: &REMOTE, account: &alice, message: MESSAGE };
	RuntimeServices::execute(origin, service, payload, ROOM)
}

#[test]
fn the_remote_account_is_the_documented_hash() {
	in_block(|| {
		let alice = account(Sr25519Keyring::Alice);
		// What tests/js/lib.mjs `remoteAccount` computes: "glblcnsnss", NetworkId::ByGenesis,
		// then one junction, AccountId32 { network: None, id }.
		let mut preimage = b"glblcnsnss".to_vec();
		preimage.push(0x00);
		preimage.extend_from_slice(&REMOTE);
		preimage.extend_from_slice(&[0x04, 0x01, 0x00]);
		preimage.extend_from_slice(alice.as_ref());
		assert_eq!(remote_alice(), AccountId::from(sp_io::hashing::blake2_256(&preimage)));
		assert_ne!(remote_alice(), alice);
	});
}

#[test]
fn the_executor_runs_the_solidity_escrow_and_names_its_outcome() {
	let escrow = Abi::escrow();
	in_block(|| {
		let contract = deploy(&escrow);
		let charlie = word(address(Sr25519Keyring::Charlie));
		let request = ContractRequest {
			call: ContractCall::Call {
				contract,
				input: escrow.call("open(address)", &[charlie]),
				value: 2 * UNIT,
				limits: LIMITS,
			},
			commit: None,
		};
		ContractExecutor::execute(
			RuntimeOrigin::signed(account(Sr25519Keyring::Bob)),
			Box::new(request),
		)
		.expect("Bob opens a deal");
		let execution = pallet_contract_executor::Executions::<Runtime>::get(1).unwrap();
		assert_eq!(execution.contract, contract);
		assert_eq!(execution.return_data.to_vec(), [0u8; 32].to_vec(), "deal #0");
		// The escrow logged `Opened`: the digest is not that of no logs.
		let no_logs =
			sp_io::hashing::blake2_256(&Vec::<(Vec<sp_core::H256>, Vec<u8>)>::new().encode());
		assert_ne!(execution.logs_digest, no_logs);
		let outcome = ContractOutcome {
			contract,
			reverted: false,
			return_data: execution.return_data.to_vec(),
			logs_digest: execution.logs_digest,
			weight_used: execution.weight_used,
		};
		assert_eq!(execution.outcome_hash, outcome.hash());
		assert!(executed_events().iter().any(|event| matches!(
			event,
			pallet_contract_executor::Event::Executed { execution: 1, outcome_hash, .. } if *outcome_hash == outcome.hash()
		)));

		// No payment: the escrow reverts, and the executor says so.
		let empty = ContractRequest {
			call: ContractCall::Call {
				contract,
				input: escrow.call("open(address)", &[charlie]),
				value: 0,
				limits: LIMITS,
			},
			commit: None,
		};
		let result = ContractExecutor::execute(
			RuntimeOrigin::signed(account(Sr25519Keyring::Bob)),
			Box::new(empty),
		);
		assert_eq!(
			result.map_err(|e| e.error),
			Err(pallet_contract_executor::Error::<Runtime>::Reverted.into())
		);
	});
}

#[test]
fn a_routed_contract_request_runs_as_the_remote_account() {
	let escrow = Abi::escrow();
	in_block(|| {
		let contract = deploy(&escrow);
		let charlie = word(address(Sr25519Keyring::Charlie));
		let request = ContractRequest {
			call: ContractCall::Call {
				contract,
				input: escrow.call("open(address)", &[charlie]),
				value: UNIT,
				limits: LIMITS,
			},
			commit: None,
		};
		// An unfunded remote account cannot pay the deal, nor the mapping deposit.
		let (result, _) = serve(Service::Contract, &request.encode());
		assert!(result.is_err(), "{result:?}");

		Balances::force_set_balance(RuntimeOrigin::root(), remote_alice().into(), 20 * UNIT)
			.unwrap();
		let (result, used) = serve(Service::Contract, &request.encode());
		let report = ExecutionReport::decode(&mut &result.expect("served")[..]).unwrap();
		assert_eq!(report.return_data, [0u8; 32].to_vec());
		assert_eq!(report.transaction, None);
		assert!(used.all_lte(ROOM) && used.ref_time() > 0);
		let index = pallet_contract_executor::ByMessage::<Runtime>::get(MESSAGE).unwrap();
		let execution = pallet_contract_executor::Executions::<Runtime>::get(index).unwrap();
		assert_eq!(execution.caller, remote_alice());
		assert_eq!(execution.outcome_hash, report.outcome_hash);
		assert!(<Runtime as pallet_revive::Config>::AddressMapper::is_mapped(&remote_alice()));
		assert!(
			Balances::free_balance(remote_alice()) < 19 * UNIT,
			"the remote account paid the deal"
		);
	});
}

#[test]
fn commits_apply_records_and_contract_calls_once() {
	let escrow = Abi::escrow();
	in_block(|| {
		let contract = deploy(&escrow);
		Balances::force_set_balance(RuntimeOrigin::root(), remote_alice().into(), 20 * UNIT)
			.unwrap();
		// A target forgets a transaction by its deadline's time: it needs one.
		let deadline = Timeout { height: Some(100), timestamp: Some(60_000) };
		let commit = |sequence, action| {
			CommitRequest::<AccountId> {
				tx: TxId { coordinator: REMOTE, sequence },
				action,
				deadline,
				outcome_hash: [5; 32],
			}
			.encode()
		};
		// A view through revive: its return data are the receipt's result.
		let call = Action::Call {
			contract,
			input: escrow.call("nextDeal()", &[]),
			value: 0,
			limits: LIMITS,
		};
		let (result, _) = serve(Service::Transaction, &commit(0, call.clone()));
		let receipt = TxReceipt::decode(&mut &result.expect("applied")[..]).unwrap();
		assert_eq!(receipt.status, ReceiptStatus::Applied);
		assert_eq!(receipt.result, [0u8; 32].to_vec());
		assert_eq!(ResourceManager::receipt_of(receipt.tx), Some(receipt.clone()));
		// Once.
		let (again, _) = serve(Service::Transaction, &commit(0, call));
		assert!(matches!(again, Err(Failure::Module { index: 13, .. })), "{again:?}");

		// A call that reverts is a no vote.
		let release = Action::Call {
			contract,
			input: escrow.call("release(uint256)", &[[0u8; 32]]),
			value: 0,
			limits: LIMITS,
		};
		assert_eq!(serve(Service::Transaction, &commit(1, release)).0, Err(Failure::Reverted));

		let record = Action::Record { key: b"k".to_vec(), value: b"v".to_vec() };
		assert!(serve(Service::Transaction, &commit(2, record)).0.is_ok());
		let key: frame_support::BoundedVec<u8, _> = b"k".to_vec().try_into().unwrap();
		assert_eq!(
			pallet_resource_manager::Records::<Runtime>::get((REMOTE, remote_alice()), key)
				.map(|v| v.to_vec()),
			Some(b"v".to_vec())
		);
	});
}
