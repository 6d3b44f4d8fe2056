//! What `launch` asks each node over JSON-RPC while it waits and supervises.

use jsonrpsee::{
	core::client::ClientT,
	http_client::{HttpClient, HttpClientBuilder},
	rpc_params,
};
use serde_json::Value;
use std::time::Duration;

pub struct NodeStatus {
	pub best: u64,
	pub finalized: u64,
	pub peers: u64,
	pub genesis: String,
}

pub fn client(rpc_port: u16) -> HttpClient {
	HttpClientBuilder::default()
		.request_timeout(Duration::from_secs(5))
		.build(format!("http://127.0.0.1:{rpc_port}"))
		.expect("a well-formed loopback URL; qed")
}

fn block_number(header: &Value) -> Option<u64> {
	let hex = header.get("number")?.as_str()?.trim_start_matches("0x");
	u64::from_str_radix(hex, 16).ok()
}

/// `None` while the node is not answering yet.
pub async fn query(client: &HttpClient) -> Option<NodeStatus> {
	let best: Value = client.request("chain_getHeader", rpc_params![]).await.ok()?;
	let finalized_hash: String =
		client.request("chain_getFinalizedHead", rpc_params![]).await.ok()?;
	let finalized: Value =
		client.request("chain_getHeader", rpc_params![finalized_hash]).await.ok()?;
	let health: Value = client.request("system_health", rpc_params![]).await.ok()?;
	let genesis: String = client.request("chain_getBlockHash", rpc_params![0]).await.ok()?;
	Some(NodeStatus {
		best: block_number(&best)?,
		finalized: block_number(&finalized)?,
		peers: health.get("peers").and_then(Value::as_u64).unwrap_or(0),
		genesis,
	})
}
