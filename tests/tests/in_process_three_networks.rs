//! The headline flow on three Plexus networks in one process: alpha and beta joined by peer
//! slot 1, beta and gamma by peer slot 2, alpha reaching gamma through beta. Real runtimes, real
//! GRANDPA justifications and real storage proofs, the relayer's own calls.
//!
//! A user on alpha asks for the Solidity escrow on beta; beta runs it on pallet-revive and its
//! resource manager commits the outcome on gamma; every network can read what became of it. A
//! resource-manager transaction of beta's applies a contract call on alpha atomically with a
//! hold on beta, and aborts (hold released) when that call reverts or misses its deadline.
//! A timeout forged by gamma for a transaction of alpha's with beta aborts nothing.

use codec::{Decode, Encode};
use frame_support::{
	traits::fungible::{Inspect, InspectHold},
	weights::Weight,
};
use pallet_event_router::{Event as RouterEvent, Failure};
use plexus_primitives::{
	contract::{
		Apply, CommitTo, ContractAddress, ContractCall, ContractOutcome, ContractRequest,
		ExecutionReport, Limits,
	},
	envelope::{Acknowledgement, MessageId, MessageStatus, Outcome, Packet, Service, Timeout},
	transaction::{AbortReason, Action, Hold, ReceiptStatus, TxId, TxState, TxStatus},
};
use plexus_relay::slot::Slot;
use plexus_runtime::{
	bridges::PeerStateProof, AccountId, Balances, EventRouter, ResourceManager, Runtime,
	RuntimeCall, RuntimeEvent, UNIT,
};
use plexus_testkit::{
	fixtures::{escrow_call, escrow_code, evm_address, remote, word},
	in_process::*,
};
use sp_core::{storage::StorageKey, H160, U256};
use sp_keyring::Sr25519Keyring;

const AB: Slot = Slot(1);
const BC: Slot = Slot(2);
const LIMITS: Limits =
	Limits { weight: Weight::from_parts(20_000_000_000, 192 * 1024), deposit: 5 * UNIT };
/// A deadline well after every block these tests make (3 s blocks from t = 3 s).
const FAR: Timeout = Timeout { height: None, timestamp: Some(1_000_000) };

struct Networks {
	alpha: Network,
	beta: Network,
	gamma: Network,
}

fn networks() -> Networks {
	let mut alpha = Network::new(1, "alpha");
	let mut beta = Network::new(2, "beta");
	let mut gamma = Network::new(3, "gamma");
	bridge(&mut alpha, AB, &mut beta, AB);
	bridge(&mut beta, BC, &mut gamma, BC);
	let (beta_address, gamma_address, alpha_address) =
		(beta.address(), gamma.address(), alpha.address());
	alpha.block(|| governance(next_hop(gamma_address, beta_address)));
	gamma.block(|| governance(next_hop(alpha_address, beta_address)));
	Networks { alpha, beta, gamma }
}

fn next_hop(destination: [u8; 32], via: [u8; 32]) -> RuntimeCall {
	RuntimeCall::EventRouter(pallet_event_router::Call::set_next_hop {
		destination,
		next_hop: Some(via),
	})
}

/// Relays `source`'s newest header and its undelivered messages on `slot` to `target`, as
/// one relayer round does.
fn relay(slot: Slot, source: &mut Network, target: &mut Network) {
	let generated = source.outbound_lane(slot).latest_generated_nonce;
	let delivered = target.inbound_lane(slot).last_delivered_nonce();
	relay_finality(slot, source, target);
	if generated > delivered {
		deliver(slot, source, target, (delivered + 1, generated));
	}
}

fn account(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
}

fn executed_contract(events: Vec<RuntimeEvent>) -> ContractAddress {
	events
		.into_iter()
		.find_map(|event| match event {
			RuntimeEvent::ContractExecutor(pallet_contract_executor::Event::Executed {
				contract,
				..
			}) => Some(contract),
			_ => None,
		})
		.expect("an Executed event")
}

/// Deploys the escrow on `network` through the contract executor, `arbiter` deciding.
fn deploy_escrow(
	network: &mut Network,
	deployer: Sr25519Keyring,
	arbiter: H160,
) -> ContractAddress {
	let code = escrow_code(arbiter);
	let request = ContractRequest {
		call: ContractCall::Instantiate {
			code,
			data: vec![],
			salt: Some([1; 32]),
			value: 0,
			limits: LIMITS,
		},
		commit: None,
	};
	network.block(|| {
		signed(
			RuntimeCall::ContractExecutor(pallet_contract_executor::Call::execute {
				request: Box::new(request),
			}),
			account(deployer),
		)
		.expect("the escrow deploys")
	});
	executed_contract(network.events())
}

fn fund(network: &mut Network, who: AccountId, amount: u128) {
	network.block(|| {
		let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: who.into(),
			value: amount,
		});
		signed(call, account(Sr25519Keyring::Bob)).expect("funded");
	});
}

/// A dry-run of the escrow's `stateOf(id)`: 0 none, 1 open, 2 released, 3 refunded.
fn deal_state(network: &mut Network, escrow: ContractAddress, id: u64) -> u8 {
	network.read(|| {
		let result = pallet_revive::Pallet::<Runtime>::bare_call(
			plexus_runtime::RuntimeOrigin::signed(account(Sr25519Keyring::Dave)),
			H160(escrow),
			U256::zero(),
			pallet_revive::TransactionLimits::WeightAndDeposit {
				weight_limit: LIMITS.weight,
				deposit_limit: 0,
			},
			escrow_call("stateOf(uint256)", &[U256::from(id).to_big_endian()]),
			&pallet_revive::ExecConfig::new_substrate_tx_without_bump(),
		);
		result.result.expect("the view runs").data[31]
	})
}

fn send_contract_request(
	network: &mut Network,
	to: [u8; 32],
	request: ContractRequest,
) -> MessageId {
	network.block(|| {
		let call = RuntimeCall::EventRouter(pallet_event_router::Call::send {
			destination: Some(Box::new(pallet_event_router::location_of(to))),
			service: Service::Contract,
			payload: request.encode().try_into().unwrap(),
			max_weight: Weight::from_parts(60_000_000_000, 256 * 1024),
			timeout: FAR,
		});
		signed(call, account(Sr25519Keyring::Alice)).expect("send succeeds");
		plexus_runtime::System::events()
			.into_iter()
			.find_map(|record| match record.event {
				RuntimeEvent::EventRouter(RouterEvent::Sent { id, .. }) => Some(id),
				_ => None,
			})
			.expect("a Sent event")
	})
}

fn router_outcome(network: &mut Network, id: MessageId) -> Option<Outcome> {
	network.events().into_iter().find_map(|event| match event {
		RuntimeEvent::EventRouter(RouterEvent::Executed { id: i, outcome, .. }) if i == id => {
			Some(outcome)
		},
		_ => None,
	})
}

fn tx_of(events: Vec<RuntimeEvent>) -> Option<TxId> {
	events.into_iter().find_map(|event| match event {
		RuntimeEvent::ResourceManager(pallet_resource_manager::Event::Prepared { tx, .. }) => {
			Some(tx)
		},
		_ => None,
	})
}

#[test]
fn a_contract_on_beta_asked_from_alpha_commits_its_outcome_on_gamma() {
	let Networks { mut alpha, mut beta, mut gamma } = networks();
	let (alpha_address, beta_address, gamma_address) =
		(alpha.address(), beta.address(), gamma.address());
	let alice = account(Sr25519Keyring::Alice);
	// Alice of alpha acts on beta through her remote account there, which pays the deal.
	let alice_on_beta = beta.read(|| remote(alpha_address, alice.clone()));
	fund(&mut beta, alice_on_beta.clone(), 100 * UNIT);
	let escrow = deploy_escrow(&mut beta, Sr25519Keyring::Alice, evm_address(&alice));
	let seller = evm_address(&account(Sr25519Keyring::Charlie));

	// 1. Alice asks beta to open a deal of 3 UNIT and to commit its outcome on gamma.
	let request = ContractRequest {
		call: ContractCall::Call {
			contract: escrow,
			input: escrow_call("open(address)", &[word(seller)]),
			value: 3 * UNIT,
			limits: LIMITS,
		},
		commit: Some(CommitTo {
			target: gamma_address,
			deadline: FAR,
			apply: Apply::Record { key: b"deal".to_vec() },
		}),
	};
	let id = send_contract_request(&mut alpha, beta_address, request);

	// 2. Beta runs the escrow and prepares the transaction towards gamma.
	relay(AB, &mut alpha, &mut beta);
	let Some(Outcome::Ok(report_digest)) = router_outcome(&mut beta, id) else {
		panic!("beta executed it: {:?}", router_outcome(&mut beta, id))
	};
	assert_eq!(deal_state(&mut beta, escrow, 0), 1, "the deal is open on beta");
	let tx = tx_of(beta.events()).expect("beta prepared a transaction");
	assert_eq!(tx.coordinator, beta_address);
	let execution = beta.read(|| {
		let index = pallet_contract_executor::ByMessage::<Runtime>::get(id).expect("recorded");
		pallet_contract_executor::Executions::<Runtime>::get(index).unwrap()
	});
	assert_eq!(execution.caller, alice_on_beta);
	assert_eq!(execution.transaction, Some(tx));
	assert_eq!(execution.return_data.to_vec(), U256::zero().to_big_endian().to_vec(), "deal #0");
	assert_eq!(beta.read(ResourceManager::in_doubt), vec![tx]);

	// 3. Gamma applies it: the whole outcome, as a record of beta's account for Alice.
	relay(BC, &mut beta, &mut gamma);
	let receipt = gamma.read(|| ResourceManager::receipt_of(tx)).expect("applied on gamma");
	assert_eq!(receipt.status, ReceiptStatus::Applied);
	assert_eq!(receipt.outcome_hash, execution.outcome_hash);
	let record = gamma.read(|| {
		let owner = (beta_address, remote(beta_address, alice_on_beta.clone()));
		let key: frame_support::BoundedVec<u8, _> = b"deal".to_vec().try_into().unwrap();
		pallet_resource_manager::Records::<Runtime>::get(owner, key).expect("the record")
	});
	let outcome = ContractOutcome::decode(&mut &record[..]).unwrap();
	assert_eq!(outcome.hash(), execution.outcome_hash, "gamma holds the outcome beta produced");
	assert_eq!(outcome.contract, escrow);

	// 4. The acknowledgements come back: beta commits, alpha settles the request.
	relay(BC, &mut gamma, &mut beta);
	let state = beta
		.read(|| pallet_resource_manager::Transactions::<Runtime>::get(tx.sequence))
		.unwrap()
		.state;
	assert_eq!(state, TxState::Committed { receipt: receipt.digest() });
	assert!(beta.read(ResourceManager::in_doubt).is_empty());
	relay(AB, &mut beta, &mut alpha);
	assert_eq!(
		alpha.read(|| EventRouter::message_status(id)),
		MessageStatus::Settled(Outcome::Ok(report_digest))
	);

	// 5. The receipt, read on every network involved.
	let report = ExecutionReport {
		outcome_hash: execution.outcome_hash,
		return_data: execution.return_data.to_vec(),
		transaction: Some(tx),
	};
	assert_eq!(
		sp_io::hashing::blake2_256(&report.encode()),
		report_digest,
		"alpha's ack is beta's report"
	);
	assert_eq!(
		beta.read(|| ResourceManager::status(tx)),
		TxStatus::Coordinated {
			target: gamma_address,
			state: TxState::Committed { receipt: receipt.digest() },
			outcome_hash: execution.outcome_hash,
		}
	);
	assert_eq!(gamma.read(|| ResourceManager::status(tx)), TxStatus::Decided(receipt));
}

#[test]
fn a_reverting_contract_answers_the_error_and_opens_nothing() {
	let Networks { mut alpha, mut beta, gamma } = networks();
	let (alpha_address, beta_address, gamma_address) =
		(alpha.address(), beta.address(), gamma.address());
	let alice = account(Sr25519Keyring::Alice);
	let alice_on_beta = beta.read(|| remote(alpha_address, alice.clone()));
	fund(&mut beta, alice_on_beta, 100 * UNIT);
	let escrow = deploy_escrow(&mut beta, Sr25519Keyring::Alice, evm_address(&alice));
	// No payment: the escrow reverts with `NoPayment()`.
	let request = ContractRequest {
		call: ContractCall::Call {
			contract: escrow,
			input: escrow_call("open(address)", &[word(evm_address(&alice))]),
			value: 0,
			limits: LIMITS,
		},
		commit: Some(CommitTo {
			target: gamma_address,
			deadline: FAR,
			apply: Apply::Record { key: b"deal".to_vec() },
		}),
	};
	let id = send_contract_request(&mut alpha, beta_address, request);
	relay(AB, &mut alpha, &mut beta);
	assert_eq!(router_outcome(&mut beta, id), Some(Outcome::Err(Failure::Reverted)));
	assert_eq!(tx_of(beta.events()), None);
	assert_eq!(beta.read(pallet_resource_manager::NextTransaction::<Runtime>::get), 0);
	assert_eq!(beta.outbound_lane(BC).latest_generated_nonce, 0, "nothing went to gamma");
	relay(AB, &mut beta, &mut alpha);
	assert_eq!(
		alpha.read(|| EventRouter::message_status(id)),
		MessageStatus::Settled(Outcome::Err(Failure::Reverted))
	);
}

/// Beta's Bob pays Dave 2 UNIT on beta exactly if alpha's escrow releases deal #0, which beta's
/// resource manager asks for as the escrow's arbiter (Bob's remote account on alpha).
struct Settlement {
	n: Networks,
	escrow: ContractAddress,
	bob: AccountId,
	dave: AccountId,
}

fn settlement() -> Settlement {
	let mut n = networks();
	let beta_address = n.beta.address();
	let bob = account(Sr25519Keyring::Bob);
	let bob_on_alpha = n.alpha.read(|| remote(beta_address, bob.clone()));
	fund(&mut n.alpha, bob_on_alpha.clone(), 10 * UNIT);
	let escrow = deploy_escrow(&mut n.alpha, Sr25519Keyring::Alice, evm_address(&bob_on_alpha));
	// Charlie opens deal #0 on alpha, paying 4 UNIT for Ferdie.
	let open = escrow_call("open(address)", &[word(evm_address(&account(Sr25519Keyring::Ferdie)))]);
	n.alpha.block(|| {
		let call = RuntimeCall::Revive(pallet_revive::Call::call {
			dest: H160(escrow),
			value: 4 * UNIT,
			weight_limit: LIMITS.weight,
			storage_deposit_limit: LIMITS.deposit,
			data: open,
		});
		signed(call, account(Sr25519Keyring::Charlie)).expect("Charlie opens a deal");
	});
	Settlement { n, escrow, bob, dave: account(Sr25519Keyring::Dave) }
}

fn prepare_release(s: &mut Settlement, deal: u64, deadline: Timeout) -> TxId {
	let alpha_address = s.n.alpha.address();
	let action = Action::Call {
		contract: s.escrow,
		input: escrow_call("release(uint256)", &[U256::from(deal).to_big_endian()]),
		value: 0,
		limits: LIMITS,
	};
	let (bob, dave) = (s.bob.clone(), s.dave.clone());
	s.n.beta.block(|| {
		let call = RuntimeCall::ResourceManager(pallet_resource_manager::Call::prepare {
			target: alpha_address,
			action,
			deadline,
			hold: Some(Hold { amount: 2 * UNIT, beneficiary: dave }),
		});
		signed(call, bob).expect("prepared");
	});
	tx_of(s.n.beta.events()).expect("a transaction")
}

fn held_on_beta(s: &mut Settlement) -> u128 {
	let bob = s.bob.clone();
	s.n.beta.read(|| {
		Balances::balance_on_hold(&pallet_resource_manager::HoldReason::Transaction.into(), &bob)
	})
}

fn state_on_beta(s: &mut Settlement, tx: TxId) -> TxState {
	s.n.beta
		.read(|| pallet_resource_manager::Transactions::<Runtime>::get(tx.sequence))
		.unwrap()
		.state
}

#[test]
fn a_contract_call_commits_on_alpha_atomically_with_a_hold_on_beta() {
	let mut s = settlement();
	let dave = s.dave.clone();
	let dave_before = s.n.beta.read(|| Balances::balance(&dave));
	let tx = prepare_release(&mut s, 0, FAR);
	assert_eq!(held_on_beta(&mut s), 2 * UNIT);

	relay(AB, &mut s.n.beta, &mut s.n.alpha);
	let escrow = s.escrow;
	assert_eq!(deal_state(&mut s.n.alpha, escrow, 0), 2, "released on alpha");
	let receipt = s.n.alpha.read(|| ResourceManager::receipt_of(tx)).expect("applied");
	relay(AB, &mut s.n.alpha, &mut s.n.beta);
	assert_eq!(state_on_beta(&mut s, tx), TxState::Committed { receipt: receipt.digest() });
	assert_eq!(held_on_beta(&mut s), 0);
	assert_eq!(s.n.beta.read(|| Balances::balance(&dave)), dave_before + 2 * UNIT, "Dave paid");
}

#[test]
fn a_reverting_commit_aborts_and_releases_the_hold() {
	let mut s = settlement();
	let bob = s.bob.clone();
	let bob_before = s.n.beta.read(|| Balances::balance(&bob));
	// Deal #5 does not exist: `release` reverts with `NotOpen`, alpha votes no.
	let tx = prepare_release(&mut s, 5, FAR);
	relay(AB, &mut s.n.beta, &mut s.n.alpha);
	assert_eq!(s.n.alpha.read(|| ResourceManager::receipt_of(tx)), None);
	relay(AB, &mut s.n.alpha, &mut s.n.beta);
	assert_eq!(
		state_on_beta(&mut s, tx),
		TxState::Aborted(AbortReason::Refused(Failure::Reverted))
	);
	assert_eq!(held_on_beta(&mut s), 0);
	// Bob paid only the message fee.
	let fee = s.n.beta.read(|| Balances::balance(&bob));
	assert!(bob_before - fee < UNIT, "the hold came back");
	let escrow = s.escrow;
	assert_eq!(deal_state(&mut s.n.alpha, escrow, 0), 1, "deal #0 untouched");
}

#[test]
fn a_proven_timeout_aborts_and_alpha_then_refuses_the_commit() {
	let mut s = settlement();
	// A deadline alpha passes before the relayer delivers anything.
	let soon = s.n.alpha.best.number as u64 * BLOCK_MS + 2 * BLOCK_MS;
	let tx = prepare_release(&mut s, 0, Timeout { height: None, timestamp: Some(soon) });
	for _ in 0..3 {
		s.n.alpha.block(|| ());
	}
	// Beta's light client learns alpha's newest header; alpha's state there proves the miss.
	relay_finality(AB, &s.n.alpha, &mut s.n.beta);
	let at = s.n.alpha.best.hash();
	let keys = [
		AB.inbound_lane_key(),
		StorageKey(bp_runtime::storage_value_final_key(b"System", b"Number").to_vec()),
		StorageKey(bp_runtime::storage_value_final_key(b"Timestamp", b"Now").to_vec()),
	];
	let proof = PeerStateProof { header_hash: at, storage_proof: s.n.alpha.prove(at, &keys) };
	let message =
		s.n.beta
			.read(|| pallet_resource_manager::Transactions::<Runtime>::get(tx.sequence))
			.unwrap()
			.message;

	// A forged proof (one node altered) is refused and changes nothing.
	let mut forged = proof.clone();
	let node = forged.storage_proof.iter_mut().max_by_key(|n| n.len()).unwrap();
	let last = node.len() - 1;
	node[last] ^= 1;
	let claim = |proof| {
		RuntimeCall::EventRouter(pallet_event_router::Call::claim_timeout { id: message, proof })
	};
	s.n.beta.block(|| refused(claim(forged)));
	assert_eq!(state_on_beta(&mut s, tx), TxState::Prepared);

	s.n.beta.block(|| signed(claim(proof), relayer()).expect("the timeout is proven"));
	assert_eq!(state_on_beta(&mut s, tx), TxState::Aborted(AbortReason::TimedOut));
	assert_eq!(held_on_beta(&mut s), 0);

	// The commit request reaches alpha after all: refused, the deal stays open.
	relay(AB, &mut s.n.beta, &mut s.n.alpha);
	assert_eq!(s.n.alpha.read(|| ResourceManager::receipt_of(tx)), None);
	let escrow = s.escrow;
	assert_eq!(deal_state(&mut s.n.alpha, escrow, 0), 1);
	relay(AB, &mut s.n.alpha, &mut s.n.beta);
	assert_eq!(state_on_beta(&mut s, tx), TxState::Aborted(AbortReason::TimedOut));
}

/// Alice of alpha writes a record on beta, holding 2 UNIT on alpha for Dave until it commits.
/// Gamma, which the commit request never passes through, answers it `TimedOut` in its own name.
/// Beta, which did not forward the request, drops the forgery; alpha, whose next hop is beta,
/// would not take it either. The transaction commits on both ends.
#[test]
fn a_timeout_forged_off_the_path_aborts_nothing() {
	let Networks { mut alpha, mut beta, mut gamma } = networks();
	let (beta_address, gamma_address) = (beta.address(), gamma.address());
	let (alice, dave) = (account(Sr25519Keyring::Alice), account(Sr25519Keyring::Dave));
	let dave_before = alpha.read(|| Balances::balance(&dave));
	let action = Action::Record { key: b"deal".to_vec(), value: b"closed".to_vec() };
	let hold = Hold { amount: 2 * UNIT, beneficiary: dave.clone() };
	alpha.block(|| {
		let call = RuntimeCall::ResourceManager(pallet_resource_manager::Call::prepare {
			target: beta_address,
			action,
			deadline: FAR,
			hold: Some(hold),
		});
		signed(call, alice.clone()).expect("prepared");
	});
	let tx = tx_of(alpha.events()).expect("a transaction");
	let on_alpha = |alpha: &mut Network| {
		let transaction = alpha
			.read(|| pallet_resource_manager::Transactions::<Runtime>::get(tx.sequence))
			.unwrap();
		let held = alpha.read(|| {
			Balances::balance_on_hold(
				&pallet_resource_manager::HoldReason::Transaction.into(),
				&alice,
			)
		});
		(transaction.message, transaction.state, held)
	};
	let (message, ..) = on_alpha(&mut alpha);
	let forged = Packet::<AccountId>::Ack(Acknowledgement {
		id: message,
		responder: gamma_address,
		outcome: Outcome::TimedOut,
	})
	.encode();
	let ignored = RuntimeEvent::EventRouter(RouterEvent::AckIgnored { id: message });

	// Gamma's lane to beta speaks for gamma: beta takes the packet, and drops it.
	gamma.inject(BC, forged.clone());
	relay(BC, &mut gamma, &mut beta);
	assert!(beta.events().contains(&ignored));
	assert_eq!(beta.outbound_lane(AB).latest_generated_nonce, 0, "nothing goes on to alpha");

	// Had beta passed it on, alpha would not take it from gamma.
	beta.inject(AB, forged);
	relay(AB, &mut beta, &mut alpha);
	assert!(alpha.events().contains(&ignored));
	assert_eq!(on_alpha(&mut alpha), (message, TxState::Prepared, 2 * UNIT));
	assert!(matches!(
		alpha.read(|| EventRouter::message_status(message)),
		MessageStatus::AwaitingAck { .. }
	));

	// The commit request reaches beta, which applies it; its answer commits alpha's side.
	relay(AB, &mut alpha, &mut beta);
	let receipt = beta.read(|| ResourceManager::receipt_of(tx)).expect("applied on beta");
	assert_eq!(receipt.status, ReceiptStatus::Applied);
	relay(AB, &mut beta, &mut alpha);
	assert_eq!(
		on_alpha(&mut alpha),
		(message, TxState::Committed { receipt: receipt.digest() }, 0)
	);
	assert_eq!(alpha.read(|| Balances::balance(&dave)), dave_before + 2 * UNIT, "Dave paid");
}
