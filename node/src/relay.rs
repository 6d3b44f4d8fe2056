//! `plexus-node relay`: relays one bridge, both ways, until stopped (see the `plexus-relay`
//! crate). `launch` starts one per bridge of its topology.
//!
//! Secret keys come from files or the environment ([`plexus_relay::secret`]), never from the
//! command line, which every local user can read.

use plexus_relay::{init, metrics::Metrics, secret, slot::Slot, End, Relayer};
use sp_core::sr25519;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Signs relay transactions when no other key is given; endowed on every launched network.
const DEFAULT_SIGNER: &str = "//Ferdie";

/// Which bridge a command serves: its two ends and its slot (`relay`, `bridge-init`).
#[derive(Debug, clap::Args)]
pub struct BridgeArgs {
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
}

#[derive(Debug, clap::Parser)]
pub struct RelayCmd {
	#[command(flatten)]
	pub bridge: BridgeArgs,

	/// File holding the secret URI (mnemonic, hex seed or development key such as //Ferdie) of
	/// the account that signs and pays for relay transactions on both networks. Without it, the
	/// environment variable PLEXUS_RELAY_SIGNER; without either, //Ferdie.
	#[arg(long, value_name = "PATH")]
	pub signer_file: Option<PathBuf>,

	/// Initialise the bridge first (light clients and router bindings), as the sudo key whose
	/// secret URI this file holds. Without it, the environment variable
	/// PLEXUS_RELAY_INITIALIZE_AS, if set, names that key.
	#[arg(long, value_name = "PATH")]
	pub initialize_as_file: Option<PathBuf>,

	/// Serve Prometheus metrics on 127.0.0.1 at this port.
	#[arg(long)]
	pub prometheus_port: Option<u16>,

	/// Serve the metrics on every interface instead (in a pod, for the cluster's Prometheus).
	#[arg(long)]
	pub prometheus_external: bool,

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
		match runtime.block_on(self.relay()) {
			Err(e) if e.contains(plexus_client::author::CANNOT_SERVE) => {
				log::error!(target: "relay", "{e}; stopping");
				// Restarting would not help: `launch` reports this exit instead.
				std::process::exit(plexus_relay::EXIT_CANNOT_SERVE)
			},
			result => result.map_err(Into::into),
		}
	}

	/// The key that signs relay transactions, and the sudo key to initialise the bridge as.
	fn keys(&self) -> Result<(sr25519::Pair, Option<sr25519::Pair>), String> {
		let signer = match secret::read(self.signer_file.as_deref(), secret::SIGNER_ENV)? {
			Some(suri) => secret::pair("the relay signer", &suri)?,
			None => {
				log::info!(
					target: "relay",
					"signing as {DEFAULT_SIGNER}: neither --signer-file nor {} names a key",
					secret::SIGNER_ENV
				);
				secret::pair("the relay signer", DEFAULT_SIGNER)?
			},
		};
		let sudo = secret::read(self.initialize_as_file.as_deref(), secret::INITIALIZE_AS_ENV)?
			.map(|suri| secret::pair("the initialising sudo key", &suri))
			.transpose()?;
		Ok((signer, sudo))
	}

	async fn relay(&self) -> Result<(), String> {
		let slot = Slot::new(self.bridge.slot)?;
		let (signer, sudo) = self.keys()?;
		let a = connect(&self.bridge.names[0], &self.bridge.a).await?;
		let b = connect(&self.bridge.names[1], &self.bridge.b).await?;
		if let Some(sudo) = &sudo {
			init::initialize(&a, &b, slot, sudo).await?;
		}
		let (metrics, serve_metrics) = match self.prometheus_port {
			Some(port) => {
				let registry = prometheus_endpoint::Registry::new();
				let metrics = Metrics::register(&registry).map_err(|e| e.to_string())?;
				let ip = if self.prometheus_external { [0, 0, 0, 0] } else { [127, 0, 0, 1] };
				let addr = SocketAddr::from((ip, port));
				let serve = async move {
					match prometheus_endpoint::init_prometheus(addr, registry).await {
						Ok(()) => format!("the metrics endpoint {addr} stopped"),
						Err(e) => format!("cannot serve metrics on {addr}: {e}"),
					}
				};
				(Some(metrics), futures::future::Either::Left(serve))
			},
			None => (None, futures::future::Either::Right(futures::future::pending::<String>())),
		};
		log::info!(
			target: "relay",
			"relaying slot {} between {} ({}) and {} ({})",
			slot.0, a.name, a.client.url, b.name, b.client.url
		);
		let relayer = Relayer { slot, signer, metrics };
		let interval = Duration::from_millis(self.interval_ms);
		// A node that restarts drops the connection: connect again and go on (the relayer keeps
		// no state), rather than exit and spend the supervisor's restart budget. Only a node
		// that stays away past `connect`'s minute, or a runtime this build cannot serve, ends it.
		let relaying = async {
			let (mut a, mut b) = (a, b);
			loop {
				let why = relayer.run(&a, &b, interval).await;
				if why.contains(plexus_client::author::CANNOT_SERVE) {
					return why;
				}
				log::warn!(target: "relay", "{why}; connecting again");
				drop((a, b));
				a = match connect(&self.bridge.names[0], &self.bridge.a).await {
					Ok(end) => end,
					Err(e) => return e,
				};
				b = match connect(&self.bridge.names[1], &self.bridge.b).await {
					Ok(end) => end,
					Err(e) => return e,
				};
			}
		};
		// A metrics port another process took ends the relayer ("already in use"), so that
		// `launch` restarts it on a new one rather than leave it without metrics.
		tokio::select! {
			e = relaying => Err(e),
			e = serve_metrics => Err(e),
		}
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

#[cfg(test)]
mod tests {
	use super::*;
	use clap::Parser;
	use jsonrpsee::{
		core::SubscriptionResult,
		server::{RpcModule, Server, ServerHandle},
	};
	use sp_core::Pair;
	use std::sync::{
		atomic::{AtomicUsize, Ordering},
		Arc,
	};

	fn parse(extra: &[&str]) -> Result<RelayCmd, clap::Error> {
		let args = ["relay", "--a", "ws://127.0.0.1:1", "--b", "ws://127.0.0.1:2", "--slot", "1"];
		RelayCmd::try_parse_from(args.iter().chain(extra))
	}

	#[test]
	fn secrets_are_not_taken_as_arguments_nor_shown() {
		assert!(parse(&["--signer", "//Alice"]).is_err());
		assert!(parse(&["--initialize-as", "//Alice"]).is_err());

		let dir = std::env::temp_dir().join(format!("plexus-relay-keys-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let (good, bad) = (dir.join("good"), dir.join("bad"));
		std::fs::write(&good, "//Alice\n").unwrap();
		let typo = "bottom drive obay lake curtain smoke basket hold race lonely fit walk";
		std::fs::write(&bad, typo).unwrap();
		let (good, bad) = (good.to_str().unwrap(), bad.to_str().unwrap());

		let cmd = parse(&["--signer-file", good, "--initialize-as-file", good]).unwrap();
		let (signer, sudo) = cmd.keys().unwrap();
		let alice = sp_keyring::Sr25519Keyring::Alice.public();
		assert_eq!((signer.public(), sudo.map(|p| p.public())), (alice, Some(alice)));

		for flag in ["--signer-file", "--initialize-as-file"] {
			let e = parse(&[flag, bad]).unwrap().keys().map(|_| ()).unwrap_err();
			assert!(e.contains("not a valid secret URI"), "{e}");
			assert!(!e.contains("obay") && !e.contains("bottom"), "{e:?} shows the secret");
		}
		std::fs::remove_dir_all(dir).unwrap();
	}

	/// A node that answers `chain_getBlockHash` and accepts justification subscriptions but
	/// sends nothing on them: it ends each at once, with an error notification if `say_so`,
	/// else without a word (as sc-rpc drops a subscriber that lags). Returns its URL and the
	/// number of subscriptions made.
	async fn node_that_drops_subscriptions(
		say_so: bool,
	) -> (String, Arc<AtomicUsize>, ServerHandle) {
		let server = Server::builder().build("127.0.0.1:0").await.unwrap();
		let url = format!("ws://{}", server.local_addr().unwrap());
		let made = Arc::new(AtomicUsize::new(0));
		let mut module = RpcModule::new(made.clone());
		module
			.register_method("chain_getBlockHash", |_, _, _| format!("0x{}", "11".repeat(32)))
			.unwrap();
		module
			.register_subscription(
				"grandpa_subscribeJustifications",
				"grandpa_justifications",
				"grandpa_unsubscribeJustifications",
				move |_, pending, made, _| async move {
					made.fetch_add(1, Ordering::SeqCst);
					let sink = pending.accept().await?;
					drop(sink);
					let ended: SubscriptionResult =
						if say_so { Err("the node ended the subscription".into()) } else { Ok(()) };
					ended
				},
			)
			.unwrap();
		(url, made, server.start(module))
	}

	#[tokio::test]
	async fn an_ended_justification_subscription_is_made_again() {
		let (url, made, _server) = node_that_drops_subscriptions(true).await;
		let end = End::connect("alpha", &url).await.unwrap();
		assert_eq!(made.load(Ordering::SeqCst), 1);
		// The end notices within a few polls, long before the silence limit, and subscribes
		// again on the same connection.
		let mut why = None;
		for _ in 0..100 {
			why = end.keep_following(Duration::from_secs(3600)).await.unwrap();
			if why.is_some() {
				break;
			}
			tokio::time::sleep(Duration::from_millis(50)).await;
		}
		assert_eq!(why.as_deref(), Some("the justification subscription ended"));
		assert_eq!(made.load(Ordering::SeqCst), 2);
		assert!(end.client.is_connected());
	}

	#[tokio::test]
	async fn a_silent_justification_subscription_is_made_again() {
		let (url, made, _server) = node_that_drops_subscriptions(false).await;
		let end = End::connect("alpha", &url).await.unwrap();
		let silence = Duration::from_millis(300);
		assert_eq!(end.keep_following(silence).await.unwrap(), None, "not silent yet");
		tokio::time::sleep(silence).await;
		let why = end.keep_following(silence).await.unwrap().expect("subscribed again");
		assert!(why.starts_with("no justification for"), "{why}");
		assert_eq!(made.load(Ordering::SeqCst), 2);
	}
}
