//! The live map of a launched deployment, served on `127.0.0.1` (`--dashboard-port`).
//!
//! 1. [`Dashboard::start`] binds the port before any node starts (a taken port fails at once)
//!    and runs everything else on a thread of its own, so neither a slow client nor a slow node
//!    delays supervision.
//! 2. The supervision loop [`Dashboard::publish`]es what runs ([`View`]): networks, nodes,
//!    relayers and eth-rpc with their pids, restarts and states.
//! 3. The collector (`collect.rs`) turns that, each child's metrics and each chain's finalized
//!    events and lanes into a [`snapshot::Snapshot`] every two seconds.
//! 4. The server (`server.rs`) serves the page (`page/`, plain JavaScript, no build step), the
//!    snapshot (`/api/v1/snapshot`), its changes as server-sent events (`/api/v1/events`) and
//!    launch's own metrics (`/metrics`). docs/observability.md documents the API.

mod collect;
mod index;
pub mod metrics;
mod scrape;
mod server;
pub mod snapshot;

use std::{net::TcpListener, sync::Arc, time::Duration};
use tokio::sync::{watch, Semaphore};

/// What launch runs, as the supervision loop last saw it.
#[derive(Clone, Debug, Default)]
pub struct View {
	pub networks: Vec<ViewNetwork>,
	pub nodes: Vec<ViewNode>,
	pub bridges: Vec<ViewBridge>,
	pub eth_rpc: Vec<ViewEthRpc>,
}

#[derive(Clone, Debug)]
pub struct ViewNetwork {
	pub name: String,
	pub id: u32,
}

#[derive(Clone, Debug)]
pub struct ViewChild {
	pub name: String,
	pub pid: u32,
	pub restarts: u32,
	pub since_restart: Option<Duration>,
	pub given_up: bool,
	pub running: bool,
}

#[derive(Clone, Debug)]
pub struct ViewNode {
	pub child: ViewChild,
	pub network: String,
	pub role: String,
	/// `ws://127.0.0.1:PORT`
	pub rpc: String,
	/// `http://127.0.0.1:PORT/metrics`
	pub metrics: String,
}

#[derive(Clone, Debug)]
pub struct ViewBridge {
	pub between: [String; 2],
	pub slot: u8,
	pub relayer: ViewChild,
}

#[derive(Clone, Debug)]
pub struct ViewEthRpc {
	pub network: String,
	pub url: String,
	pub child: ViewChild,
}

pub struct Dashboard {
	pub port: u16,
	view: watch::Sender<View>,
	shutdown: watch::Sender<bool>,
}

impl Dashboard {
	/// Binds `127.0.0.1:port` (0: any free port) and starts serving.
	pub fn start(port: u16) -> Result<Self, String> {
		let listener = TcpListener::bind(("127.0.0.1", port))
			.map_err(|e| format!("the dashboard cannot listen on 127.0.0.1:{port}: {e}"))?;
		let port = listener.local_addr().map_err(|e| e.to_string())?.port();
		listener.set_nonblocking(true).map_err(|e| e.to_string())?;
		let metrics = metrics::LaunchMetrics::new().map_err(|e| e.to_string())?;
		let (view, view_rx) = watch::channel(View::default());
		let (snapshot_tx, snapshot_rx) = watch::channel::<Arc<str>>(Arc::from("{\"api\":1}"));
		let (shutdown, shutdown_rx) = watch::channel(false);
		let shared = Arc::new(server::Shared {
			port,
			snapshot: snapshot_rx,
			metrics: metrics.clone(),
			streams: Arc::new(Semaphore::new(server::MAX_STREAMS)),
		});
		std::thread::Builder::new()
			.name("plexus-dashboard".into())
			.spawn(move || {
				let runtime = match tokio::runtime::Builder::new_current_thread()
					.enable_all()
					.build()
				{
					Ok(runtime) => runtime,
					Err(e) => return eprintln!("plexus launch: the dashboard cannot start: {e}"),
				};
				runtime.block_on(async move {
					let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
					tokio::spawn(collect::Collector::new(metrics).run(view_rx, snapshot_tx));
					server::serve(listener, shared, shutdown_rx).await;
				});
			})
			.map_err(|e| format!("cannot start the dashboard's thread: {e}"))?;
		Ok(Self { port, view, shutdown })
	}

	pub fn url(&self) -> String {
		format!("http://127.0.0.1:{}/", self.port)
	}

	pub fn metrics_url(&self) -> String {
		format!("http://127.0.0.1:{}/metrics", self.port)
	}

	/// Step 2: what runs now.
	pub fn publish(&self, view: View) {
		self.view.send_replace(view);
	}
}

impl Drop for Dashboard {
	fn drop(&mut self) {
		let _ = self.shutdown.send(true);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_taken_port_is_refused_at_once() {
		let dashboard = Dashboard::start(0).unwrap();
		assert!(dashboard.port > 0);
		let again = Dashboard::start(dashboard.port).err().unwrap();
		assert!(again.contains(&format!("127.0.0.1:{}", dashboard.port)), "{again}");
	}

	/// A real server on a free port answers the page and the snapshot over HTTP/1.
	#[tokio::test]
	async fn the_server_answers_on_loopback() {
		let dashboard = Dashboard::start(0).unwrap();
		let url = format!("http://127.0.0.1:{}/", dashboard.port);
		let mut page = None;
		for _ in 0..50 {
			page = scrape::get(&url).await;
			if page.is_some() {
				break;
			}
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
		assert!(page.unwrap().contains("<script type=\"module\" src=\"/app.js\">"));
		let snapshot = scrape::get(&format!("{url}api/v1/snapshot")).await.unwrap();
		let json: serde_json::Value = serde_json::from_str(&snapshot).unwrap();
		assert_eq!(json["api"], 1);
		let metrics = scrape::get(&dashboard.metrics_url()).await.unwrap();
		assert!(!metrics.contains("plexus_node"), "launch's own registry only");
	}
}
