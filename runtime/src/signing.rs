//! Building signed transactions natively: for tests, the load generator and tools written in
//! Rust. Clients in other languages use the metadata instead.

use crate::{
	AccountId, Hash, Nonce, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic, VERSION,
};
use codec::Encode;
use sp_core::{sr25519, Pair};
use sp_runtime::generic;

/// The transaction extensions of an immortal transaction with this nonce and no tip.
pub fn tx_extension(nonce: Nonce) -> TxExtension {
	crate::contracts::tx_extension(nonce, 0, false)
}

/// Signs `call` by `signer` for the network whose genesis hash is `genesis`, running this
/// runtime's version.
pub fn sign(
	call: RuntimeCall,
	signer: &sr25519::Pair,
	nonce: Nonce,
	genesis: Hash,
) -> UncheckedExtrinsic {
	sign_for(call, signer, nonce, genesis, VERSION.spec_version)
}

/// As [`sign`], for a network whose runtime is at `spec_version`: after a runtime upgrade that
/// kept the transaction format (the same `transaction_version`), this build's calls are still
/// valid there, signed for the new version.
pub fn sign_for(
	call: RuntimeCall,
	signer: &sr25519::Pair,
	nonce: Nonce,
	genesis: Hash,
	spec_version: u32,
) -> UncheckedExtrinsic {
	let extension = tx_extension(nonce);
	// What the extensions add to the signed payload without carrying it in the transaction.
	let implicit =
		((), spec_version, VERSION.transaction_version, genesis, genesis, (), (), (), (), (), ());
	let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	let account: AccountId = signer.public().into();
	generic::UncheckedExtrinsic::new_signed(call, account.into(), signature.into(), extension)
		.into()
}
