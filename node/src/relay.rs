//! `plexus-node relay`: relays one bridge, both ways, until stopped (see the `plexus-relay`
//! crate). `launch` starts one per bridge of its topology.

use plexus_client::author::dev_pair as signer;
use plexus_relay::{init, metrics::Metrics, slot::Slot, End, Relayer};
use std::{net::SocketAddr, time::Duration};

#[derive(Debug, clap::Parser)]
pub struct RelayCmd {
	/// WebSocket RPC endpoint of one network of the bridge.
	#[arg(long, value_name = "URL")]
	pub a: String,

	/// WebSocket RPC endpoint of the other network.
	#[arg(long, value_name = "URL")]
	pub b: String,

	/// Names of the two networks, for logs and metric labels.
	#[arg(long, num_args = 2, value_names = ["A", "B"], default_values = ["a", "b"])]
	pub names: Vec<String>,

	/// The peer slot the bridge uses on both networks (docs/bridges.md).
	#[arg(long)]
	pub slot: u8,

	/// Account that signs and pays for relay transactions on both networks.
	#[arg(long, default_value = "//Ferdie", value_name = "SECRET_URI")]
	pub signer: String,

	/// Initialise the bridge first (light clients and router bindings), as this sudo key.
	#[arg(long, value_name = "SECRET_URI")]
	pub initialize_as: Option<String>,

	/// Serve Prometheus metrics on 127.0.0.1 at this port.
	#[arg(long)]
	pub prometheus_port: Option<u16>,

	/// Pause between rounds, in milliseconds. A round itself waits for what it submitted.
	#[arg(long, default_value_t = 500)]
	pub interval_ms: u64,
}

impl RelayCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		sc_cli::LoggerBuilder::new("relay=info").init()?;
		let runtime = tokio::runtime::Builder::new_multi_thread()
			.worker_threads(2)
			.enable_all()
			.build()
			.map_err(|e| format!("cannot start the async runtime: {e}"))?;
		runtime.block_on(self.relay()).map_err(Into::into)
	}

	async fn relay(&self) -> Result<(), String> {
		let slot = Slot::new(self.slot)?;
		let a = connect(&self.names[0], &self.a).await?;
		let b = connect(&self.names[1], &self.b).await?;
		if let Some(sudo) = &self.initialize_as {
			init::initialize(&a, &b, slot, &signer(sudo)?).await?;
		}
		let metrics = match self.prometheus_port {
			Some(port) => {
				let registry = prometheus_endpoint::Registry::new();
				let metrics = Metrics::register(&registry).map_err(|e| e.to_string())?;
				let addr = SocketAddr::from(([127, 0, 0, 1], port));
				tokio::spawn(async move {
					if let Err(e) = prometheus_endpoint::init_prometheus(addr, registry).await {
						log::error!(target: "relay", "metrics endpoint: {e}");
					}
				});
				Some(metrics)
			},
			None => None,
		};
		log::info!(
			target: "relay",
			"relaying slot {} between {} ({}) and {} ({})",
			slot.0, a.name, a.client.url, b.name, b.client.url
		);
		let relayer = Relayer { slot, signer: signer(&self.signer)?, metrics };
		Err(relayer.run(&a, &b, Duration::from_millis(self.interval_ms)).await)
	}
}

/// Connects, retrying for up to a minute: the relayer may start before its nodes.
async fn connect(name: &str, url: &str) -> Result<End, String> {
	let mut last = String::new();
	for _ in 0..60 {
		match End::connect(name, url).await {
			Ok(end) => return Ok(end),
			Err(e) => last = e,
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
	Err(last)
}
