//! Data protection in the real runtime: a routed access request decided as the sender's remote
//! account, an erasure attested with real sr25519 signatures over the network's genesis hash,
//! and the committed Solidity `ConsentGate` deciding through the data-protection precompile.

use super::{contracts::account, in_block, precompiles::Contract};
use crate::{services::RuntimeServices, *};
use codec::{Decode, Encode};
use frame_support::{traits::Get, weights::Weight, BoundedVec};
use pallet_data_protection::{
	AccessAnswer, AccessRequest, Approver, Category, Decision, ErasureAttestation, LegalBasis,
	Reason, RecordState, RequestState, Rule, Tag,
};
use pallet_event_router::{MessageId, RemoteOrigin, ServiceHandler};
use plexus_primitives::{
	data_protection::{signing_payload, ERASURE_CONTEXT},
	envelope::Service,
};
use plexus_testkit::fixtures::uint_word;
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::Convert;

const CONSENT_GATE: &str = include_str!("../../../contracts/fixtures/ConsentGate.json");
const REMOTE: [u8; 32] = [7; 32];
const DAY: u64 = 24 * 3_600_000;

fn tag(name: &str) -> Tag {
	name.as_bytes().to_vec().try_into().unwrap()
}

fn signed(who: Sr25519Keyring) -> RuntimeOrigin {
	RuntimeOrigin::signed(account(who))
}

/// Bob (controller) registers Charlie's contact record, held by Ferdie's vault, under a policy
/// that allows `billing` on consent, at once; Charlie consents.
fn record() -> u64 {
	let rules: BoundedVec<Rule, _> = vec![Rule {
		purpose: tag("billing"),
		basis: LegalBasis::Consent,
		role: None,
		approver: Approver::Policy,
	}]
	.try_into()
	.unwrap();
	DataProtection::create_policy(signed(Sr25519Keyring::Bob), rules, DAY).unwrap();
	let holders: BoundedVec<AccountId, _> =
		vec![account(Sr25519Keyring::Ferdie)].try_into().unwrap();
	let retain_until = pallet_timestamp::Now::<Runtime>::get() + 30 * DAY;
	DataProtection::register(
		signed(Sr25519Keyring::Bob),
		account(Sr25519Keyring::Charlie),
		Category::Contact,
		[0xc0; 32],
		holders,
		retain_until,
		0,
	)
	.unwrap();
	DataProtection::grant_consent(
		signed(Sr25519Keyring::Charlie),
		account(Sr25519Keyring::Bob),
		tag("billing"),
		None,
	)
	.unwrap();
	0
}

#[test]
fn a_routed_access_request_is_decided_as_the_senders_remote_account() {
	in_block(|| {
		let record = record();
		let alice = account(Sr25519Keyring::Alice);
		let message = MessageId { origin: REMOTE, sequence: 9 };
		let origin = RemoteOrigin { network: &REMOTE, account: &alice, message };
		let ask = AccessRequest { record, purpose: tag("billing") };
		let room = Weight::from_parts(10_000_000_000, 64 * 1024);
		assert!(RuntimeServices::serves(Service::DataProtection));
		let (result, used) =
			RuntimeServices::execute(origin, Service::DataProtection, &ask.encode(), room);
		assert!(used.all_lte(room) && used.ref_time() > 0);
		let answer = AccessAnswer::decode(&mut &result.expect("answered")[..]).unwrap();
		assert!(matches!(
			answer.state,
			RequestState::Decided {
				decision: Decision::Approved { basis: LegalBasis::Consent, .. },
				..
			}
		));
		let request = pallet_data_protection::Requests::<Runtime>::get(answer.request).unwrap();
		assert_eq!(request.requester, identity::RemoteAccount::convert((REMOTE, alice.clone())));
		assert_eq!(DataProtection::grant(answer.request).unwrap().signer, alice);

		// Too little weight is refused before anything is recorded.
		let origin = RemoteOrigin { network: &REMOTE, account: &alice, message };
		let (refused, _) = RuntimeServices::execute(
			origin,
			Service::DataProtection,
			&ask.encode(),
			Weight::from_parts(1, 1),
		);
		assert_eq!(refused, Err(pallet_event_router::Failure::WeightLimitExceeded));
		assert_eq!(pallet_data_protection::NextRequest::<Runtime>::get(), 1);
	});
}

#[test]
fn an_erasure_is_attested_with_the_holders_signature_over_this_network() {
	in_block(|| {
		let record = record();
		DataProtection::request_erasure(signed(Sr25519Keyring::Charlie), record).unwrap();
		let now = pallet_timestamp::Now::<Runtime>::get();
		let statement = |network| ErasureAttestation {
			network,
			record,
			commitment: [0xc0; 32],
			destroyed_at: now,
		};
		let sign = |network| {
			let payload = signing_payload(ERASURE_CONTEXT, &statement(network));
			Signature::from(Sr25519Keyring::Ferdie.pair().sign(&payload))
		};
		let this_network = identity::GenesisHash::get();
		let attest = |signature| {
			DataProtection::attest_erasure(
				signed(Sr25519Keyring::Dave),
				record,
				account(Sr25519Keyring::Ferdie),
				now,
				signature,
			)
		};
		// Signed for another network: refused.
		assert!(attest(sign(REMOTE)).is_err());
		assert!(matches!(
			pallet_data_protection::Records::<Runtime>::get(record).unwrap().state,
			RecordState::Erasing { attested: 0, .. }
		));
		attest(sign(this_network)).expect("Ferdie's attestation");
		assert!(matches!(
			pallet_data_protection::Records::<Runtime>::get(record).unwrap().state,
			RecordState::Erased { .. }
		));
	});
}

#[test]
fn a_contract_acts_on_data_only_while_the_ledger_approves() {
	in_block(|| {
		let record = record();
		let mut purpose = [0u8; 32];
		purpose[..7].copy_from_slice(b"billing");
		let gate = Contract::deploy(CONSENT_GATE, &[purpose], 0);
		let ask = gate.data("ask(uint64)", &[uint_word(record)]);
		let serve = gate.data("serve(uint64)", &[uint_word(record)]);

		// Never asked: `serve` reverts.
		assert!(gate.call(Sr25519Keyring::Alice, serve.clone()).is_err());
		gate.call(Sr25519Keyring::Alice, ask).expect("asked");
		let request = pallet_data_protection::Requests::<Runtime>::get(0).expect("on the ledger");
		assert_eq!(request.requester, gate.account(), "the contract is the requester");
		gate.call(Sr25519Keyring::Alice, serve.clone()).expect("served while approved");
		let served = gate.view(gate.data("served(uint64)", &[uint_word(record)]));
		assert_eq!(served[31], 1);

		// Charlie withdraws: the approval no longer stands, and the contract stops at once.
		DataProtection::withdraw_consent(
			signed(Sr25519Keyring::Charlie),
			account(Sr25519Keyring::Bob),
			tag("billing"),
		)
		.unwrap();
		assert_eq!(DataProtection::grant(0), Err(Reason::ConsentWithdrawn));
		assert!(gate.call(Sr25519Keyring::Alice, serve).is_err());
		let served = gate.view(gate.data("served(uint64)", &[uint_word(record)]));
		assert_eq!(served[31], 1, "nothing was served after the withdrawal");
	});
}
