//! What `launch` asks each node over JSON-RPC while it waits and supervises.

use plexus_client::Client;
use std::time::Duration;

pub struct NodeStatus {
	pub best: u32,
	pub finalized: u32,
	pub peers: u64,
	pub genesis: String,
}

/// `None` while the node at `rpc_port` (loopback) is not answering yet. Over HTTP, so nodes that
/// restart cost no reconnection, and each request is bounded.
pub async fn query(rpc_port: u16) -> Option<NodeStatus> {
	let url = format!("http://127.0.0.1:{rpc_port}");
	let client = Client::connect_with_timeout(&url, Duration::from_secs(5)).await.ok()?;
	Some(NodeStatus {
		best: client.best_number().await.ok()?,
		finalized: client.finalized_number().await.ok()?,
		peers: client.health().await.ok()?.peers,
		genesis: plexus_client::hex0x(client.genesis()),
	})
}
