//! `eventRouter_messageStatus(origin, sequence[, at])`: where a routed message stands on this
//! network, from `EventRouterApi` at block `at` (default: the best block), as JSON:
//!
//! ```json
//! { "status": "awaitingAck", "destination": "0x…", "nextHop": "0x…", "laneNonce": 7 }
//! { "status": "settled", "outcome": { "ok": "0x<digest>" } }
//! { "status": "received", "outcome": { "err": "ServiceUnavailable" }, "ackQueued": true }
//! ```

use super::json::{hex, outcome_json, rpc_error};
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use plexus_primitives::{
	envelope::{MessageId, MessageStatus},
	EventRouterApi,
};
use plexus_runtime::opaque::Block;
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::H256;
use std::sync::Arc;

const METHOD: &str = "eventRouter_messageStatus";

pub fn module<C>(client: Arc<C>) -> Result<RpcModule<Arc<C>>, jsonrpsee::core::RegisterMethodError>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: EventRouterApi<Block>,
{
	let mut module = RpcModule::new(client);
	module.register_method(METHOD, |params, client, _| {
		let mut args = params.sequence();
		let origin: H256 = args.next()?;
		let sequence: u64 = args.next()?;
		let at: Option<H256> = args.optional_next()?;
		let at = at.unwrap_or_else(|| client.info().best_hash);
		let id = MessageId { origin: origin.0, sequence };
		let status =
			client.runtime_api().message_status(at, id).map_err(|e| rpc_error(METHOD, e))?;
		Ok::<_, ErrorObjectOwned>(status_json(&status))
	})?;
	Ok(module)
}

pub fn status_json(status: &MessageStatus) -> Value {
	match status {
		MessageStatus::Unknown => json!({ "status": "unknown" }),
		MessageStatus::AwaitingAck { destination, next_hop, lane_nonce } => json!({
			"status": "awaitingAck",
			"destination": hex(destination),
			"nextHop": hex(next_hop),
			"laneNonce": lane_nonce,
		}),
		MessageStatus::Settled(outcome) => {
			json!({ "status": "settled", "outcome": outcome_json(outcome) })
		},
		MessageStatus::Forwarded { next_hop, lane_nonce } => json!({
			"status": "forwarded",
			"nextHop": hex(next_hop),
			"laneNonce": lane_nonce,
		}),
		MessageStatus::Received { outcome, ack_queued } => json!({
			"status": "received",
			"outcome": outcome_json(outcome),
			"ackQueued": ack_queued,
		}),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use plexus_primitives::envelope::{Failure, Outcome};

	#[test]
	fn statuses_read_as_documented() {
		let digest = [0xab; 32];
		assert_eq!(
			status_json(&MessageStatus::Settled(Outcome::Ok(digest))),
			json!({ "status": "settled", "outcome": { "ok": format!("0x{}", "ab".repeat(32)) } })
		);
		assert_eq!(
			status_json(&MessageStatus::Received {
				outcome: Outcome::Err(Failure::ServiceUnavailable),
				ack_queued: true
			}),
			json!({ "status": "received", "outcome": { "err": "ServiceUnavailable" }, "ackQueued": true })
		);
		assert_eq!(
			status_json(&MessageStatus::Settled(Outcome::Err(Failure::Xcm {
				instruction: 1,
				error: 21
			}))),
			json!({ "status": "settled", "outcome": { "err": { "xcm": { "instruction": 1, "error": 21 } } } })
		);
		assert_eq!(
			status_json(&MessageStatus::Settled(Outcome::TimedOut))["outcome"],
			json!("timedOut")
		);
		assert_eq!(status_json(&MessageStatus::Unknown), json!({ "status": "unknown" }));
	}

	#[test]
	fn plexus_client_reads_every_status_back() {
		use plexus_client::node_rpc::MessageStatusJson;
		let statuses = [
			MessageStatus::Unknown,
			MessageStatus::AwaitingAck { destination: [1; 32], next_hop: [2; 32], lane_nonce: 7 },
			MessageStatus::Settled(Outcome::Ok([0xab; 32])),
			MessageStatus::Settled(Outcome::TimedOut),
			MessageStatus::Settled(Outcome::Err(Failure::Xcm { instruction: 1, error: 21 })),
			MessageStatus::Forwarded { next_hop: [3; 32], lane_nonce: 2 },
			MessageStatus::Received {
				outcome: Outcome::Err(Failure::Module { index: 7, error: [1, 2, 3, 4] }),
				ack_queued: false,
			},
			MessageStatus::Received {
				outcome: Outcome::Err(Failure::Unroutable),
				ack_queued: true,
			},
		];
		for status in statuses {
			let json: MessageStatusJson = serde_json::from_value(status_json(&status)).unwrap();
			assert_eq!(MessageStatus::try_from(json), Ok(status));
		}
	}
}
