//! `plexus-node upgrade`: replaces the runtime of one network that `launch` runs.
//!
//! 1. Read the wasm file and the version it declares (its `runtime_version` section): it must be
//!    a Plexus runtime with a higher `spec_version` than the network runs, or `System::set_code`
//!    would refuse it; say so before anything is submitted.
//! 2. Compress it as the node's build does, if it is not yet, so that it fits in a block.
//! 3. Submit `sudo(sudo_unchecked_weight(system.set_code(code)))` as the network's governance key
//!    (`set_code` is weighed as a whole block).
//! 4. Wait until the network's finalized block runs the new version.
//!
//! A new `transaction_version` means that this build of plexus-node can no longer make
//! transactions there: the relayers of the network's bridges stop with a plain message, and a
//! plexus-node built from the new runtime takes over (docs/reliability.md).

use super::control::{governance_client, wait, POLL, SUDO};
use plexus_client::{author::Signer, follow::Follower};
use plexus_runtime::{RuntimeCall, RuntimeEvent};
use sp_maybe_compressed_blob::{compress_strongly, decompress, CODE_BLOB_BOMB_LIMIT};
use std::{
	borrow::Cow,
	path::{Path, PathBuf},
	time::Duration,
};

#[derive(Debug, clap::Parser)]
pub struct UpgradeCmd {
	/// The network, as the topology names it.
	pub network: String,

	/// The new runtime's wasm (`plexus_runtime.wasm` or its compressed form).
	pub wasm: PathBuf,

	/// The base path of the running launch (default: launch's own default).
	#[arg(long)]
	pub base_path: Option<PathBuf>,

	/// Give up on any one step after this many seconds.
	#[arg(long, default_value_t = 300)]
	pub timeout: u64,
}

/// What the code declares it is, from its `runtime_version` custom section.
pub fn declared_version(code: &[u8]) -> Result<sp_version::RuntimeVersion, String> {
	let blob = sc_executor_common::runtime_blob::RuntimeBlob::uncompress_if_needed(code)
		.map_err(|e| format!("not a wasm runtime: {e}"))?;
	sc_executor::read_embedded_version(&blob)
		.map_err(|e| format!("cannot read the runtime's version: {e}"))?
		.ok_or_else(|| "the wasm declares no runtime version (no runtime_version section)".into())
}

/// The code as `set_code` should take it: compressed, as the node's build makes it.
fn compressed(code: Vec<u8>) -> Result<Vec<u8>, String> {
	match decompress(&code, CODE_BLOB_BOMB_LIMIT) {
		Ok(Cow::Borrowed(_)) => compress_strongly(&code, CODE_BLOB_BOMB_LIMIT)
			.ok_or_else(|| "the runtime is too large to compress".into()),
		Ok(Cow::Owned(_)) => Ok(code),
		Err(e) => Err(format!("the compressed runtime does not decompress: {e}")),
	}
}

/// Why the network should not take `new` over `now`, if it should not.
fn refusal(
	now: &plexus_client::author::RuntimeVersion,
	new: &sp_version::RuntimeVersion,
) -> Option<String> {
	if new.spec_name != now.spec_name {
		return Some(format!(
			"the wasm is runtime {:?}; the network runs {:?}",
			new.spec_name, now.spec_name
		));
	}
	if new.spec_version <= now.spec_version {
		return Some(format!(
			"the wasm's spec_version {} is not above the network's {}: set_code would refuse it",
			new.spec_version, now.spec_version
		));
	}
	None
}

impl UpgradeCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		let (base, runtime) = super::control::on_launch(&self.base_path)?;
		runtime
			.block_on(self.upgrade(&base, Duration::from_secs(self.timeout)))
			.map_err(|e| format!("plexus upgrade: {e}").into())
	}

	async fn upgrade(&self, base: &Path, limit: Duration) -> Result<(), String> {
		let code = std::fs::read(&self.wasm)
			.map_err(|e| format!("cannot read {}: {e}", self.wasm.display()))?;
		let new = declared_version(&code)?;
		let chain = governance_client(base, &self.network).await?;
		let now = chain.runtime_version(None).await?;
		if let Some(why) = refusal(&now, &new) {
			return Err(why);
		}
		let code = compressed(code)?;
		println!(
			"{}: {} spec_version {} -> {} ({} KiB compressed), transaction_version {} -> {}",
			self.network,
			now.spec_name,
			now.spec_version,
			new.spec_version,
			code.len() / 1024,
			now.transaction_version,
			new.transaction_version
		);
		if new.transaction_version != now.transaction_version {
			println!(
				"{}: a new transaction format: this build's relayers stop after the upgrade; \
				 restart launch with a plexus-node built from the new runtime",
				self.network
			);
		}
		let set_code = RuntimeCall::System(frame_system::Call::set_code { code });
		let call = RuntimeCall::Sudo(pallet_sudo::Call::sudo_unchecked_weight {
			call: Box::new(set_code),
			weight: Default::default(),
		});
		let mut events = Follower::new(&chain).await?;
		chain.submit_as(&mut Signer::from_uri(SUDO)?, call).await?;
		let enacted = |number: u32, e: &RuntimeEvent| match e {
			RuntimeEvent::System(frame_system::Event::CodeUpdated { .. }) => Some(Ok(number)),
			RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Err(e) }) => {
				Some(Err(format!("governance refused the upgrade: {e:?}")))
			},
			_ => None,
		};
		let block = events.wait_for_event("the upgrade", limit, POLL, enacted).await??;
		println!("{}: code updated in block #{block}", self.network);
		wait("the finalized block to run the new runtime", limit, || async {
			let at = chain.finalized_hash().await?;
			let version = chain.runtime_version(Some(at)).await?;
			Ok((version.spec_version == new.spec_version).then_some(()))
		})
		.await?;
		println!("{}: finalized, running spec_version {}", self.network, new.spec_version);
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_node_runtime_declares_its_version_and_is_compressed_once() {
		let code = plexus_runtime::WASM_BINARY.expect("built with the wasm runtime").to_vec();
		let version = declared_version(&code).unwrap();
		assert_eq!(version.spec_version, plexus_runtime::VERSION.spec_version);
		let once = compressed(code.clone()).unwrap();
		assert!(once.len() < code.len() || decompress(&code, CODE_BLOB_BOMB_LIMIT).is_ok());
		assert_eq!(compressed(once.clone()).unwrap(), once, "not compressed twice");
		assert_eq!(declared_version(&once).unwrap(), version);
		assert!(declared_version(b"\0asm not really").is_err());
	}

	#[test]
	fn only_a_higher_spec_version_of_the_same_runtime_is_submitted() {
		let ours = &plexus_runtime::VERSION;
		let now = plexus_client::author::RuntimeVersion {
			spec_name: ours.spec_name.to_string(),
			spec_version: ours.spec_version,
			transaction_version: ours.transaction_version,
		};
		let mut new = ours.clone();
		assert!(refusal(&now, &new).unwrap().contains("not above"));
		new.spec_version += 1;
		assert_eq!(refusal(&now, &new), None);
		new.spec_name = "other".into();
		assert!(refusal(&now, &new).unwrap().contains("\"other\""));
	}
}
