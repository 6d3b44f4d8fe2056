//! The Plexus precompiles, called by the committed Solidity `Notary` (contracts/src/Notary.sol):
//! it opens resource-manager transactions and sends routed requests as its own account. (The
//! data-protection precompile is tested with `ConsentGate` in `data_protection.rs`.)

use super::{contracts::account, in_block};
use crate::*;
use frame_support::weights::Weight;
use pallet_revive::AddressMapper;
use plexus_testkit::fixtures::{uint_word, Abi};
use sp_core::H160;
use sp_keyring::Sr25519Keyring;

const NOTARY: &str = include_str!("../../../contracts/fixtures/Notary.json");
const WEIGHT_LIMIT: Weight = Weight::from_parts(200_000_000_000, 4 * 1024 * 1024);
const DEPOSIT_LIMIT: Balance = 10 * UNIT;
const PEER: [u8; 32] = [0xbe; 32];
const DEADLINE_MS: u64 = 10_000_000;

/// A committed Solidity fixture, deployed.
pub(super) struct Contract {
	address: H160,
	abi: Abi,
}

impl Contract {
	/// Alice deploys `fixture` with `value` and constructor arguments `args` (ABI words).
	pub(super) fn deploy(fixture: &str, args: &[[u8; 32]], value: Balance) -> Self {
		let abi = Abi::of(fixture);
		let code = abi.code(args);
		Revive::instantiate_with_code(
			RuntimeOrigin::signed(account(Sr25519Keyring::Alice)),
			value,
			WEIGHT_LIMIT,
			DEPOSIT_LIMIT,
			code,
			vec![],
			Some([4; 32]),
		)
		.expect("the contract deploys");
		let address = System::events()
			.into_iter()
			.find_map(|record| match record.event {
				RuntimeEvent::Revive(pallet_revive::Event::Instantiated { contract, .. }) => {
					Some(contract)
				},
				_ => None,
			})
			.expect("an Instantiated event");
		Self { address, abi }
	}

	pub(super) fn data(&self, signature: &str, words: &[[u8; 32]]) -> Vec<u8> {
		self.abi.call(signature, words)
	}

	pub(super) fn call(&self, who: Sr25519Keyring, data: Vec<u8>) -> sp_runtime::DispatchResult {
		Revive::call(
			RuntimeOrigin::signed(account(who)),
			self.address,
			0,
			WEIGHT_LIMIT,
			DEPOSIT_LIMIT,
			data,
		)
		.map(|_| ())
		.map_err(|e| e.error)
	}

	pub(super) fn view(&self, data: Vec<u8>) -> Vec<u8> {
		let result = Revive::bare_call(
			RuntimeOrigin::signed(account(Sr25519Keyring::Dave)),
			self.address,
			sp_core::U256::zero(),
			pallet_revive::TransactionLimits::WeightAndDeposit {
				weight_limit: WEIGHT_LIMIT,
				deposit_limit: 0,
			},
			data,
			&pallet_revive::ExecConfig::new_substrate_tx_without_bump(),
		);
		let output = result.result.expect("the view runs");
		assert!(!output.did_revert(), "the view reverted: {:?}", output.data);
		output.data
	}

	pub(super) fn account(&self) -> AccountId {
		<Runtime as pallet_revive::Config>::AddressMapper::to_account_id(&self.address)
	}
}

#[test]
fn a_contract_opens_a_transaction_through_the_resource_manager_precompile() {
	in_block(|| {
		EventRouter::bind_peer(RuntimeOrigin::root(), PEER, 1).unwrap();
		let notary = Contract::deploy(NOTARY, &[], 10 * UNIT);
		let document = [0xd0; 32];
		let notarize = |target: [u8; 32], document: [u8; 32]| {
			notary.data(
				"notarize(bytes32,bytes32,uint64)",
				&[target, document, uint_word(DEADLINE_MS)],
			)
		};

		notary.call(Sr25519Keyring::Alice, notarize(PEER, document)).expect("notarized");
		let transaction = pallet_resource_manager::Transactions::<Runtime>::get(0).expect("opened");
		assert_eq!(transaction.initiator, notary.account(), "the contract is the initiator");
		assert_eq!(transaction.target, PEER);
		assert!(System::events().iter().any(|record| matches!(
			&record.event,
			RuntimeEvent::ResourceManager(pallet_resource_manager::Event::Prepared { initiator, .. })
				if *initiator == notary.account()
		)));
		assert!(
			pallet_event_router::Outbox::<Runtime>::get(transaction.message).is_some(),
			"the commit request is in flight"
		);
		assert_eq!(notary.view(notary.data("stateOf(bytes32)", &[document]))[31], 1, "in doubt");
		assert_eq!(notary.view(notary.data("stateOf(bytes32)", &[[0xd1; 32]]))[31], 0);

		// Refusals revert and open nothing: twice the same document, a stranger, no route.
		assert!(notary.call(Sr25519Keyring::Alice, notarize(PEER, document)).is_err());
		assert!(notary.call(Sr25519Keyring::Bob, notarize(PEER, [0xd2; 32])).is_err());
		assert!(notary.call(Sr25519Keyring::Alice, notarize([0x99; 32], [0xd3; 32])).is_err());
		assert_eq!(pallet_resource_manager::NextTransaction::<Runtime>::get(), 1);
	});
}

#[test]
fn a_contract_sends_a_routed_request_through_the_router_precompile() {
	in_block(|| {
		EventRouter::bind_peer(RuntimeOrigin::root(), PEER, 1).unwrap();
		let notary = Contract::deploy(NOTARY, &[], 10 * UNIT);
		let program = xcm_config::remark_program(b"from a contract");
		// announce(bytes32, bytes, uint64): head words, then the program as ABI `bytes`.
		let mut data = notary.data(
			"announce(bytes32,bytes,uint64)",
			&[PEER, uint_word(96), uint_word(DEADLINE_MS), uint_word(program.len() as u64)],
		);
		data.extend_from_slice(&program);
		// ABI pads `bytes` to whole words after the selector.
		let body = data.len() - 4;
		data.resize(4 + body.div_ceil(32) * 32, 0);
		notary.call(Sr25519Keyring::Alice, data).expect("announced");
		let sent = System::events().into_iter().find_map(|record| match record.event {
			RuntimeEvent::EventRouter(pallet_event_router::Event::Sent {
				sender,
				destination,
				service,
				..
			}) => Some((sender, destination, service)),
			_ => None,
		});
		assert_eq!(sent, Some((notary.account(), PEER, pallet_event_router::Service::Xcm)));
	});
}
