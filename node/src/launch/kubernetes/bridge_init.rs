//! `plexus-node bridge-init`: what `launch` does for one bridge once its networks finalize
//! (light clients, router bindings, the next hops over it), as a command of its own, for a
//! Kubernetes Job. Every step is skipped when done, so a retried or repeated Job is harmless.

use crate::launch::{
	bridging::{init_bridge, NextHop},
	control,
};
use plexus_client::Client;
use plexus_relay::{secret, End};
use std::{path::PathBuf, time::Duration};

#[derive(Debug, clap::Parser)]
pub struct BridgeInitCmd {
	#[command(flatten)]
	pub bridge: crate::relay::BridgeArgs,

	/// File holding the secret URI of the networks' sudo key (never an argument).
	#[arg(long, value_name = "PATH")]
	pub sudo_file: PathBuf,

	/// `NAME=URL`: on the end named NAME, route to the network served at URL through the other
	/// end. Repeat for each network reached over this bridge.
	#[arg(long, value_name = "NAME=URL")]
	pub next_hop: Vec<String>,

	/// Give up if the networks are not reachable and finalizing after this many seconds.
	#[arg(long, default_value_t = 600)]
	pub ready_timeout: u64,
}

impl BridgeInitCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		sc_cli::LoggerBuilder::new("relay=info").init()?;
		let hops = self.parse_hops()?;
		let suri = secret::read(Some(&self.sudo_file), secret::INITIALIZE_AS_ENV)?
			.ok_or("the sudo file holds no secret URI")?;
		let sudo = secret::pair("the sudo key", &suri)?;
		let runtime = tokio::runtime::Builder::new_current_thread()
			.enable_all()
			.build()
			.map_err(|e| format!("cannot start the async runtime: {e}"))?;
		runtime.block_on(async {
			let limit = Duration::from_secs(self.ready_timeout);
			let a = ready_end(&self.bridge.names[0], &self.bridge.a, limit).await?;
			let b = ready_end(&self.bridge.names[1], &self.bridge.b, limit).await?;
			let mut next_hops = Vec::new();
			for (from, url) in hops {
				let destination = Client::connect_retrying(&url, limit).await?;
				next_hops.push(NextHop {
					from,
					destination: destination.genesis(),
					name: url.clone(),
				});
			}
			eprintln!(
				"plexus bridge-init: {} <-> {}: initialising peer slot {}",
				a.name, b.name, self.bridge.slot
			);
			init_bridge([&a, &b], self.bridge.slot, &next_hops, &sudo).await?;
			eprintln!("plexus bridge-init: {} <-> {}: up", a.name, b.name);
			Ok::<(), String>(())
		})?;
		Ok(())
	}

	/// `--next-hop` values as (end index, URL).
	fn parse_hops(&self) -> Result<Vec<(usize, String)>, String> {
		self.next_hop
			.iter()
			.map(|hop| {
				let (name, url) = hop
					.split_once('=')
					.ok_or_else(|| format!("--next-hop {hop:?}: expected NAME=URL"))?;
				let from = self.bridge.names.iter().position(|n| n == name).ok_or_else(|| {
					format!(
						"--next-hop {hop:?}: {name:?} is neither end ({})",
						self.bridge.names.join(", ")
					)
				})?;
				Ok((from, url.to_string()))
			})
			.collect()
	}
}

/// The end at `url` once it answers and has finalized a block (a bridge's light client starts
/// from a finalized header), waiting at most `limit`.
async fn ready_end(name: &str, url: &str, limit: Duration) -> Result<End, String> {
	let client = Client::connect_retrying(url, limit).await?;
	control::wait(&format!("{name} to finalize a block"), limit, || async {
		Ok(client.finalized_number().await.ok().filter(|n| *n >= 1))
	})
	.await?;
	End::connect(name, url).await
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::Parser;

	#[test]
	fn next_hops_name_an_end_and_the_sudo_key_is_no_argument() {
		let parse = |extra: &[&str]| {
			let base = [
				"bridge-init",
				"--a",
				"ws://a",
				"--b",
				"ws://b",
				"--names",
				"alpha",
				"beta",
				"--slot",
				"1",
				"--sudo-file",
				"/s",
			];
			BridgeInitCmd::try_parse_from(base.iter().chain(extra))
		};
		let cmd =
			parse(&["--next-hop", "beta=ws://gamma:9944", "--next-hop", "alpha=ws://d"]).unwrap();
		assert_eq!(
			cmd.parse_hops().unwrap(),
			[(1, "ws://gamma:9944".to_string()), (0, "ws://d".to_string())]
		);
		let e = parse(&["--next-hop", "gamma=ws://x"]).unwrap().parse_hops().unwrap_err();
		assert!(e.contains("neither end"), "{e}");
		assert!(parse(&["--next-hop", "ws://x"]).unwrap().parse_hops().is_err());
		assert!(parse(&["--sudo", "//Alice"]).is_err());
	}
}
