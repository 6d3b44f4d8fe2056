//! What this network knows of resource-manager transactions, from `ResourceManagerApi` at block
//! `at` (default: the best block), as JSON:
//!
//! - `resourceManager_transaction(coordinator, sequence[, at])`:
//!   `{ "status": "coordinated", "target": "0x…", "state": { "committed": "0x<receipt digest>" }, "outcomeHash": "0x…" }`,
//!   `{ "status": "decided", "receipt": { "status": "applied", "outcomeHash": "0x…", "result": "0x…", "height": 12, "timestamp": … } }`
//!   or `{ "status": "unknown" }`;
//! - `resourceManager_inDoubt([at])`: `[{ "coordinator": "0x…", "sequence": 3 }, …]`, the
//!   transactions this network coordinates whose outcome it does not know yet.

use super::json::{failure_json, hex, rpc_error};
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use plexus_primitives::{
	transaction::{AbortReason, ReceiptStatus, TxId, TxReceipt, TxState, TxStatus},
	ResourceManagerApi,
};
use plexus_runtime::opaque::Block;
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::H256;
use std::sync::Arc;

const TRANSACTION: &str = "resourceManager_transaction";
const IN_DOUBT: &str = "resourceManager_inDoubt";

pub fn module<C>(client: Arc<C>) -> Result<RpcModule<Arc<C>>, jsonrpsee::core::RegisterMethodError>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ResourceManagerApi<Block>,
{
	let mut module = RpcModule::new(client);
	module.register_method(TRANSACTION, |params, client, _| {
		let mut args = params.sequence();
		let coordinator: H256 = args.next()?;
		let sequence: u64 = args.next()?;
		let at: Option<H256> = args.optional_next()?;
		let at = at.unwrap_or_else(|| client.info().best_hash);
		let status = client
			.runtime_api()
			.transaction(at, TxId { coordinator: coordinator.0, sequence })
			.map_err(|e| rpc_error(TRANSACTION, e))?;
		Ok::<_, ErrorObjectOwned>(status_json(&status))
	})?;
	module.register_method(IN_DOUBT, |params, client, _| {
		let at: Option<H256> = params.sequence().optional_next()?;
		let at = at.unwrap_or_else(|| client.info().best_hash);
		let open = client.runtime_api().in_doubt(at).map_err(|e| rpc_error(IN_DOUBT, e))?;
		Ok::<_, ErrorObjectOwned>(in_doubt_json(&open))
	})?;
	Ok(module)
}

fn in_doubt_json(open: &[TxId]) -> Value {
	Value::Array(
		open.iter()
			.map(|tx| json!({ "coordinator": hex(&tx.coordinator), "sequence": tx.sequence }))
			.collect(),
	)
}

fn state_json(state: &TxState) -> Value {
	match state {
		TxState::Prepared => json!("prepared"),
		TxState::Committed { receipt } => json!({ "committed": hex(receipt) }),
		TxState::Aborted(AbortReason::TimedOut) => json!({ "aborted": "timedOut" }),
		TxState::Aborted(AbortReason::Refused(failure)) => {
			json!({ "aborted": { "refused": failure_json(failure) } })
		},
	}
}

fn receipt_json(receipt: &TxReceipt) -> Value {
	json!({
		"status": match receipt.status {
			ReceiptStatus::Applied => "applied",
			ReceiptStatus::TimedOut => "timedOut",
		},
		"outcomeHash": hex(&receipt.outcome_hash),
		"result": hex(&receipt.result),
		"height": receipt.height,
		"timestamp": receipt.timestamp,
		"digest": hex(&receipt.digest()),
	})
}

pub fn status_json(status: &TxStatus) -> Value {
	match status {
		TxStatus::Unknown => json!({ "status": "unknown" }),
		TxStatus::Coordinated { target, state, outcome_hash } => json!({
			"status": "coordinated",
			"target": hex(target),
			"state": state_json(state),
			"outcomeHash": hex(outcome_hash),
		}),
		TxStatus::Decided(receipt) => {
			json!({ "status": "decided", "receipt": receipt_json(receipt) })
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use plexus_primitives::envelope::Failure;

	#[test]
	fn statuses_read_as_documented() {
		let committed = TxStatus::Coordinated {
			target: [0xcc; 32],
			state: TxState::Committed { receipt: [0xab; 32] },
			outcome_hash: [1; 32],
		};
		let json = status_json(&committed);
		assert_eq!(json["status"], "coordinated");
		assert_eq!(json["state"]["committed"], format!("0x{}", "ab".repeat(32)));
		let refused = TxState::Aborted(AbortReason::Refused(Failure::Reverted));
		assert_eq!(state_json(&refused), json!({ "aborted": { "refused": "Reverted" } }));
		assert_eq!(state_json(&TxState::Prepared), json!("prepared"));

		let receipt = TxReceipt {
			tx: TxId { coordinator: [2; 32], sequence: 7 },
			status: ReceiptStatus::Applied,
			outcome_hash: [3; 32],
			result: vec![0xde, 0xad],
			height: 12,
			timestamp: 36_000,
		};
		let json = status_json(&TxStatus::Decided(receipt.clone()));
		assert_eq!(json["receipt"]["result"], "0xdead");
		assert_eq!(json["receipt"]["status"], "applied");
		assert_eq!(json["receipt"]["digest"], hex(&receipt.digest()));
		assert_eq!(status_json(&TxStatus::Unknown), json!({ "status": "unknown" }));
	}

	#[test]
	fn transactions_read_as_literal_json() {
		let coordinated = TxStatus::Coordinated {
			target: [0xcc; 32],
			state: TxState::Committed { receipt: [0xab; 32] },
			outcome_hash: [1; 32],
		};
		assert_eq!(
			status_json(&coordinated),
			json!({
				"status": "coordinated",
				"target": format!("0x{}", "cc".repeat(32)),
				"state": { "committed": format!("0x{}", "ab".repeat(32)) },
				"outcomeHash": format!("0x{}", "01".repeat(32)),
			})
		);
		assert_eq!(
			state_json(&TxState::Aborted(AbortReason::TimedOut)),
			json!({ "aborted": "timedOut" })
		);
		assert_eq!(
			state_json(&TxState::Aborted(AbortReason::Refused(Failure::Module {
				index: 9,
				error: [0, 0, 0, 2]
			}))),
			json!({ "aborted": { "refused": { "module": { "index": 9, "error": "0x00000002" } } } })
		);

		let receipt = TxReceipt {
			tx: TxId { coordinator: [2; 32], sequence: 7 },
			status: ReceiptStatus::TimedOut,
			outcome_hash: [3; 32],
			result: vec![],
			height: 12,
			timestamp: 36_000,
		};
		assert_eq!(
			status_json(&TxStatus::Decided(receipt.clone())),
			json!({
				"status": "decided",
				"receipt": {
					"status": "timedOut",
					"outcomeHash": format!("0x{}", "03".repeat(32)),
					"result": "0x",
					"height": 12,
					"timestamp": 36_000,
					"digest": hex(&receipt.digest()),
				},
			})
		);

		assert_eq!(
			in_doubt_json(&[
				TxId { coordinator: [2; 32], sequence: 3 },
				TxId { coordinator: [0xff; 32], sequence: 0 },
			]),
			json!([
				{ "coordinator": format!("0x{}", "02".repeat(32)), "sequence": 3 },
				{ "coordinator": format!("0x{}", "ff".repeat(32)), "sequence": 0 },
			])
		);
		assert_eq!(in_doubt_json(&[]), json!([]));
	}

	#[test]
	fn plexus_client_reads_every_status_back() {
		use plexus_client::node_rpc::TxStatusJson;
		let tx = TxId { coordinator: [2; 32], sequence: 7 };
		let statuses = [
			TxStatus::Unknown,
			TxStatus::Coordinated {
				target: [0xcc; 32],
				state: TxState::Prepared,
				outcome_hash: [1; 32],
			},
			TxStatus::Coordinated {
				target: [0xcc; 32],
				state: TxState::Aborted(AbortReason::Refused(Failure::Module {
					index: 9,
					error: [0, 0, 0, 2],
				})),
				outcome_hash: [1; 32],
			},
			TxStatus::Coordinated {
				target: [0xcc; 32],
				state: TxState::Aborted(AbortReason::TimedOut),
				outcome_hash: [1; 32],
			},
			TxStatus::Decided(TxReceipt {
				tx,
				status: ReceiptStatus::Applied,
				outcome_hash: [3; 32],
				result: vec![0xde, 0xad],
				height: 12,
				timestamp: 36_000,
			}),
		];
		for status in statuses {
			let json: TxStatusJson = serde_json::from_value(status_json(&status)).unwrap();
			assert_eq!(json.into_status(tx), Ok(status));
		}
	}
}
