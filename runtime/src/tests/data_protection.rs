//! Data protection in the real runtime: records registered only with their vault's custody
//! signature over the network's genesis hash, a routed access request decided as the sender's
//! remote account, an erasure attested with real sr25519 signatures, the runtime API's pages,
//! and the committed Solidity `ConsentGate` deciding through the data-protection precompile.

use super::{contracts::account, in_block, precompiles::Contract};
use crate::{services::RuntimeServices, *};
use codec::{Decode, Encode};
use frame_support::{traits::Get, weights::Weight, BoundedVec};
use pallet_data_protection::{
	AccessAnswer, AccessRequest, Approver, Category, Custody, Decision, ErasureAttestation,
	LegalBasis, Reason, RecordState, RequestState, Rule, SignedHolders, Tag,
};
use pallet_event_router::{MessageId, RemoteOrigin, ServiceHandler};
use plexus_primitives::{
	data_protection::{signing_payload, CUSTODY_CONTEXT, ERASURE_CONTEXT},
	envelope::Service,
	runtime_decl_for_data_protection_api::DataProtectionApiV2,
	DataProtectionApi,
};
use plexus_testkit::fixtures::uint_word;
use sp_api::RuntimeApiInfo;
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

/// A policy of `controller` that allows `billing` on consent, at once.
fn billing_policy(controller: Sr25519Keyring) -> u32 {
	let rules: BoundedVec<Rule, _> = vec![Rule {
		purpose: tag("billing"),
		basis: LegalBasis::Consent,
		role: None,
		approver: Approver::Policy,
	}]
	.try_into()
	.unwrap();
	DataProtection::create_policy(signed(controller), rules, DAY).unwrap();
	pallet_data_protection::NextPolicy::<Runtime>::get() - 1
}

/// Ferdie's vault, holding `commitment` for `subject` and `controller` on `network`, as its
/// `vault_put` answers: the holder with its custody signature.
fn ferdie_holds(
	network: [u8; 32],
	commitment: [u8; 32],
	subject: Sr25519Keyring,
	controller: Sr25519Keyring,
) -> SignedHolders<Runtime> {
	let custody =
		Custody { network, commitment, subject: account(subject), controller: account(controller) };
	let signature = Sr25519Keyring::Ferdie.pair().sign(&signing_payload(CUSTODY_CONTEXT, &custody));
	vec![(account(Sr25519Keyring::Ferdie), Signature::from(signature))].try_into().unwrap()
}

fn register(
	controller: Sr25519Keyring,
	subject: Sr25519Keyring,
	commitment: [u8; 32],
	holders: SignedHolders<Runtime>,
	policy: u32,
) -> frame_support::dispatch::DispatchResult {
	let retain_until = pallet_timestamp::Now::<Runtime>::get() + 30 * DAY;
	DataProtection::register(
		signed(controller),
		account(subject),
		Category::Contact,
		commitment,
		holders,
		retain_until,
		policy,
	)
}

/// Bob (controller) registers Charlie's contact record, held by Ferdie's vault, under a policy
/// that allows `billing` on consent, at once; Charlie consents.
fn record() -> u64 {
	let policy = billing_policy(Sr25519Keyring::Bob);
	let held = ferdie_holds(
		identity::GenesisHash::get(),
		[0xc0; 32],
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Bob,
	);
	register(Sr25519Keyring::Bob, Sr25519Keyring::Charlie, [0xc0; 32], held, policy).unwrap();
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
fn a_record_registers_only_with_its_vaults_custody_for_this_network_subject_and_controller() {
	in_block(|| {
		let this_network = identity::GenesisHash::get();
		let (bob, charlie, dave) =
			(Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave);
		let bobs = billing_policy(bob);
		let daves = billing_policy(dave);
		// What Bob's pending `register` shows in the pool: Ferdie's custody for Charlie and Bob.
		let pending = ferdie_holds(this_network, [0xc0; 32], charlie, bob);
		let bad_custody: frame_support::dispatch::DispatchResult =
			Err(pallet_data_protection::Error::<Runtime>::BadCustody.into());
		// Dave front-runs with it, as controller of Charlie's record or of his own.
		assert_eq!(register(dave, charlie, [0xc0; 32], pending.clone(), daves), bad_custody);
		assert_eq!(register(dave, dave, [0xc0; 32], pending.clone(), daves), bad_custody);
		// Custody given on another network does not count here.
		let elsewhere = ferdie_holds(REMOTE, [0xc0; 32], charlie, bob);
		assert_eq!(register(bob, charlie, [0xc0; 32], elsewhere, bobs), bad_custody);
		assert_eq!(pallet_data_protection::NextRecord::<Runtime>::get(), 0);

		register(bob, charlie, [0xc0; 32], pending, bobs).expect("Bob's record");
		let record = pallet_data_protection::Records::<Runtime>::get(0).unwrap();
		assert_eq!(record.holders.into_inner(), vec![account(Sr25519Keyring::Ferdie)]);
	});
}

#[test]
fn the_runtime_api_pages_audit_trails_and_a_subjects_records() {
	in_block(|| {
		let api = (
			<dyn DataProtectionApi<Block, AccountId> as RuntimeApiInfo>::ID,
			<dyn DataProtectionApi<Block, AccountId> as RuntimeApiInfo>::VERSION,
		);
		assert_eq!(api.1, 2);
		assert!(VERSION.apis.contains(&api));

		let record = record();
		for _ in 0..300 {
			DataProtection::request_access(signed(Sr25519Keyring::Alice), record, tag("billing"))
				.unwrap();
		}
		let audit = |from, limit| {
			<Runtime as DataProtectionApiV2<Block, AccountId>>::audit(record, from, limit)
		};
		// At most 256 a call, whatever is asked.
		let (page, next) = audit(0, u32::MAX);
		assert_eq!(page.len(), 256);
		assert_eq!((page[0].request, page[255].request, next), (0, 255, Some(256)));
		let (page, next) = audit(256, u32::MAX);
		assert_eq!((page.len(), page[0].request, next), (44, 256, None));

		let charlie = account(Sr25519Keyring::Charlie);
		let records_of = |from, limit| {
			<Runtime as DataProtectionApiV2<Block, AccountId>>::records_of(
				charlie.clone(),
				from,
				limit,
			)
		};
		assert_eq!(records_of(0, 10), (vec![record], None));
		assert_eq!(records_of(0, 0), (vec![], Some(record)));
		assert_eq!(records_of(record + 1, 10), (vec![], None));
	});
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
