//! The weight accounting counts each cost once, and its generated part matches the measured files.

use crate::{
	signing, weights,
	weights::extrinsic_base::{
		EXTENSIONS, EXTENSIONS_COMPUTE_NS, EXTRINSIC_BASE, SIGNED_REMARK_NS,
	},
	Runtime, RuntimeCall, SystemCall,
};
use frame_support::{dispatch::GetDispatchInfo, weights::Weight};
use frame_system::ExtensionsWeightInfo;
use sp_runtime::traits::TransactionExtension;

const NS: u64 = 1_000;

fn db() -> frame_support::weights::RuntimeDbWeight {
	<Runtime as frame_system::Config>::DbWeight::get()
}

/// The weight that the *measured* files give each listed extension function.
fn measured(name: &str) -> Weight {
	use pallet_transaction_payment::WeightInfo as _;
	type System = weights::frame_system_extensions::WeightInfo<Runtime>;
	match name {
		"check_non_zero_sender" => System::check_non_zero_sender(),
		"check_spec_version" => System::check_spec_version(),
		"check_tx_version" => System::check_tx_version(),
		"check_genesis" => System::check_genesis(),
		"check_mortality_immortal_transaction" => System::check_mortality_immortal_transaction(),
		"check_nonce" => System::check_nonce(),
		"check_weight" => System::check_weight(),
		"weight_reclaim" => System::weight_reclaim(),
		"charge_transaction_payment" => {
			weights::pallet_transaction_payment::WeightInfo::<Runtime>::charge_transaction_payment()
		},
		other => panic!("{other} is not an extension weight function"),
	}
}

/// `scripts/extrinsic-base.py` read the measured files that are in the tree now: after new
/// measurements, this fails until the script runs again.
#[test]
fn extrinsic_base_is_current() {
	assert_eq!(
		weights::extrinsic_weights::ExtrinsicBaseWeight::get().ref_time(),
		SIGNED_REMARK_NS * NS,
		"extrinsic_weights.rs changed: run scripts/extrinsic-base.py"
	);
	for (name, compute, reads, writes) in EXTENSIONS {
		assert_eq!(
			measured(name).ref_time(),
			compute * NS + db().reads_writes(reads, writes).ref_time(),
			"{name} changed: run scripts/extrinsic-base.py"
		);
	}
	assert_eq!(EXTENSIONS.iter().map(|e| e.1).sum::<u64>(), EXTENSIONS_COMPUTE_NS);
	assert_eq!(EXTRINSIC_BASE.ref_time(), (SIGNED_REMARK_NS - EXTENSIONS_COMPUTE_NS) * NS);
}

/// The list the script subtracts is exactly the extensions of the overhead benchmark's remark:
/// their compute and database terms add up to what the runtime charges a remark for extensions
/// (before the sender's account is counted once).
#[test]
fn subtracted_extensions_are_the_remarks_extensions() {
	let remark: RuntimeCall = SystemCall::remark { remark: vec![] }.into();
	let listed: u64 = EXTENSIONS
		.iter()
		.map(|&(_, compute, r, w)| compute * NS + db().reads_writes(r, w).ref_time())
		.sum();
	let charged = signing::tx_extension(0).weight(&remark).ref_time();
	let nonce_db = db().reads_writes(1, 1).ref_time();
	assert_eq!(charged + nonce_db, listed, "an extension was added, removed or re-weighed");
}

/// The sender's `System::Account` read and write are charged once per transaction: by the
/// payment, not again by the nonce check, whose compute stays.
#[test]
fn the_senders_account_is_charged_once() {
	type Once = weights::once::ExtensionWeights<Runtime>;
	let (_, nonce_compute, 1, 1) = EXTENSIONS[5] else {
		panic!("check_nonce reads and writes once")
	};
	assert_eq!(EXTENSIONS[5].0, "check_nonce");
	assert_eq!(Once::check_nonce().ref_time(), nonce_compute * NS);
	assert_eq!(
		Once::check_nonce().proof_size(),
		measured("check_nonce").proof_size(),
		"the proof still holds the account"
	);
	let (_, _, 1, 1) = EXTENSIONS[7] else { panic!("the payment reads and writes once") };
	assert_eq!(Once::check_genesis(), measured("check_genesis"));
	assert_eq!(Once::weight_reclaim(), measured("weight_reclaim"));
}

/// A signed transfer's weight is what the overhead benchmark measured for a signed remark (its
/// signature check and every extension's work), the transfer itself, and the sender's account read
/// and written once: each cost once, which docs/benchmarks.md sets against the measured time.
#[test]
fn a_signed_transfer_weighs_the_measured_remark_plus_its_call_plus_one_account_access() {
	let transfer: RuntimeCall = pallet_balances::Call::<Runtime>::transfer_keep_alive {
		dest: sp_keyring::Sr25519Keyring::Bob.to_account_id().into(),
		value: crate::UNIT,
	}
	.into();
	let call = transfer.get_dispatch_info().call_weight;
	let extensions = signing::tx_extension(0).weight(&transfer);
	let base = <Runtime as frame_system::Config>::BlockWeights::get()
		.get(frame_support::dispatch::DispatchClass::Normal)
		.base_extrinsic;
	assert_eq!(base, EXTRINSIC_BASE);
	let total = (call + extensions + base).ref_time();
	let once = SIGNED_REMARK_NS * NS + call.ref_time() + db().reads_writes(1, 1).ref_time();
	assert_eq!(total, once);
	println!(
		"signed transfer: call {} + extensions {} + base {} = {} ns",
		call.ref_time() / NS,
		extensions.ref_time() / NS,
		base.ref_time() / NS,
		total / NS
	);
}
