//! What every RPC module of this node shares: the error it answers with, bytes and accounts as
//! JSON strings (out and in), and the JSON of routed outcomes and failures:
//!
//! ```json
//! { "ok": "0x<digest>" }  { "err": "ServiceUnavailable" }  "timedOut"
//! { "module": { "index": 5, "error": "0x01020304" } }  { "xcm": { "instruction": 1, "error": 21 } }
//! ```
//!
//! The RPC modules take these from here, never from one another.

use jsonrpsee::types::ErrorObjectOwned;
use plexus_primitives::envelope::{Failure, Outcome};
use plexus_runtime::AccountId;
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;

/// The JSON-RPC error code of every failure these methods answer with: a runtime API call that
/// failed, a parameter that does not parse, or a request refused.
pub const FAILED: i32 = 1;

/// The error `method` answers with: code [`FAILED`], message `"<method>: <message>"`, no data.
pub fn rpc_error(method: &str, message: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(FAILED, format!("{method}: {message}"), None::<()>)
}

/// Refuses `method` unless the server marked this connection as allowed unsafe methods: a
/// loopback interface under `--rpc-methods auto`, or any under `--rpc-methods unsafe`
/// (sc-rpc-server sets `DenyUnsafe` on every call; `--rpc-methods safe` and external interfaces
/// get `Yes`). Without the mark, as when a module runs outside the server, it refuses too.
pub fn ensure_unsafe_allowed(
	method: &str,
	ext: &jsonrpsee::Extensions,
) -> Result<(), ErrorObjectOwned> {
	match ext.get::<sc_rpc::DenyUnsafe>() {
		Some(sc_rpc::DenyUnsafe::No) => Ok(()),
		_ => Err(rpc_error(
			method,
			"this method is unsafe and this interface does not allow unsafe methods \
			 (`--rpc-methods safe`, or an external interface without `--rpc-methods unsafe`)",
		)),
	}
}

/// Bytes as 0x-prefixed lowercase hex, as every Plexus RPC answers them.
pub fn hex(bytes: &[u8]) -> String {
	plexus_client::hex0x(bytes)
}

/// Parameter `what` of `method` as bytes, from hex with or without `0x`.
pub fn parse_hex(method: &str, what: &str, text: &str) -> Result<Vec<u8>, ErrorObjectOwned> {
	::hex::decode(text.strip_prefix("0x").unwrap_or(text))
		.map_err(|_| rpc_error(method, format!("{what} is not hex")))
}

/// An account parameter of `method`, as SS58 or as 0x-prefixed hex of its 32 bytes.
pub fn parse_account(method: &str, text: &str) -> Result<AccountId, ErrorObjectOwned> {
	if let Some(digits) = text.strip_prefix("0x") {
		let bytes: [u8; 32] = ::hex::decode(digits)
			.ok()
			.and_then(|b| b.try_into().ok())
			.ok_or_else(|| rpc_error(method, "an account is 32 bytes of hex"))?;
		return Ok(AccountId::new(bytes));
	}
	AccountId::from_ss58check(text).map_err(|e| rpc_error(method, format!("bad account: {e:?}")))
}

/// A routed request's outcome: `{ "ok": "0x<digest>" }`, `{ "err": <failure> }` or `"timedOut"`.
pub fn outcome_json(outcome: &Outcome) -> Value {
	match outcome {
		Outcome::Ok(digest) => json!({ "ok": hex(digest) }),
		Outcome::Err(failure) => json!({ "err": failure_json(failure) }),
		Outcome::TimedOut => json!("timedOut"),
	}
}

/// Why a routed request failed: `{ "module": … }`, `{ "xcm": … }` or the failure's name.
pub fn failure_json(failure: &Failure) -> Value {
	match failure {
		Failure::Module { index, error } => {
			json!({ "module": { "index": index, "error": hex(error) } })
		},
		Failure::Xcm { instruction, error } => {
			json!({ "xcm": { "instruction": instruction, "error": error } })
		},
		other => json!(format!("{other:?}")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn errors_read_as_documented() {
		let error = rpc_error("vault_put", "no data");
		assert_eq!(error.code(), 1);
		assert_eq!(error.message(), "vault_put: no data");
		assert!(error.data().is_none());
	}

	#[test]
	fn unsafe_methods_run_only_where_the_server_allows_them() {
		let mut ext = jsonrpsee::Extensions::new();
		assert!(ensure_unsafe_allowed("vault_erase", &ext).is_err(), "no mark: refused");
		ext.insert(sc_rpc::DenyUnsafe::Yes);
		let refused = ensure_unsafe_allowed("vault_erase", &ext).unwrap_err();
		assert!(refused.message().starts_with("vault_erase: this method is unsafe"));
		ext.insert(sc_rpc::DenyUnsafe::No);
		assert!(ensure_unsafe_allowed("vault_erase", &ext).is_ok());
	}

	#[test]
	fn bytes_read_and_write_as_0x_hex() {
		assert_eq!(hex(&[0xde, 0xad, 0x01]), "0xdead01");
		assert_eq!(hex(&[0xab; 32]), format!("0x{}", "ab".repeat(32)));
		assert_eq!(hex(b""), "0x");
		assert_eq!(parse_hex("m", "the data", "0xdead").unwrap(), vec![0xde, 0xad]);
		assert_eq!(parse_hex("m", "the data", "DEAD").unwrap(), vec![0xde, 0xad]);
		assert_eq!(
			parse_hex("m", "the data", "0xdea").unwrap_err().message(),
			"m: the data is not hex"
		);
	}

	#[test]
	fn accounts_read_as_ss58_or_hex() {
		// //Alice's public key.
		let alice_hex = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
		let alice = parse_account("m", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").unwrap();
		assert_eq!(parse_account("m", alice_hex).unwrap(), alice);
		assert_eq!(hex(alice.as_ref()), alice_hex);
		assert_eq!(
			parse_account("m", "0xd435").unwrap_err().message(),
			"m: an account is 32 bytes of hex"
		);
		assert!(parse_account("m", "not an account")
			.unwrap_err()
			.message()
			.starts_with("m: bad account: "));
	}

	#[test]
	fn outcomes_read_as_documented() {
		assert_eq!(
			outcome_json(&Outcome::Ok([0xab; 32])),
			json!({ "ok": format!("0x{}", "ab".repeat(32)) })
		);
		assert_eq!(
			outcome_json(&Outcome::Err(Failure::ServiceUnavailable)),
			json!({ "err": "ServiceUnavailable" })
		);
		assert_eq!(outcome_json(&Outcome::TimedOut), json!("timedOut"));
		assert_eq!(
			failure_json(&Failure::Module { index: 5, error: [1, 2, 3, 4] }),
			json!({ "module": { "index": 5, "error": "0x01020304" } })
		);
		assert_eq!(
			failure_json(&Failure::Xcm { instruction: 1, error: 21 }),
			json!({ "xcm": { "instruction": 1, "error": 21 } })
		);
		assert_eq!(failure_json(&Failure::Reverted), json!("Reverted"));
	}
}
