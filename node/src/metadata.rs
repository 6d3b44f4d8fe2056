//! `plexus-node metadata`: the runtime's metadata as SCALE bytes, the file that static-codegen
//! clients read (subxt's `runtime_metadata_path`, `subxt codegen --file`, PAPI). eth-rpc is built
//! against it (scripts/eth-rpc.sh), so its calls are this runtime's and not another's.
//!
//! It comes from the runtime compiled into this binary, natively: no node runs and no network is
//! asked. A network upgraded since has other metadata; ask it (`state_getMetadata`) instead.

use std::path::PathBuf;

#[derive(Debug, clap::Parser)]
pub struct MetadataCmd {
	/// The metadata version; the runtime serves 14, 15 and 16.
	#[arg(long = "metadata-version", value_name = "N", default_value_t = 16)]
	pub version: u32,

	/// Where to write it.
	#[arg(long, value_name = "FILE")]
	pub out: PathBuf,
}

impl MetadataCmd {
	pub fn run(&self) -> sc_cli::Result<()> {
		let bytes = metadata(self.version)?;
		crate::files::replace(&self.out, &bytes)?;
		eprintln!(
			"plexus: wrote metadata v{} of {} spec_version {} to {} ({} bytes)",
			self.version,
			plexus_runtime::VERSION.spec_name,
			plexus_runtime::VERSION.spec_version,
			self.out.display(),
			bytes.len()
		);
		Ok(())
	}
}

/// The runtime's metadata at `version`: the `RuntimeMetadataPrefixed` encoding, starting with
/// the magic `meta` and the version byte.
pub fn metadata(version: u32) -> Result<Vec<u8>, String> {
	let offered = plexus_runtime::Runtime::metadata_versions();
	sp_io::TestExternalities::default()
		.execute_with(|| plexus_runtime::Runtime::metadata_at_version(version))
		.map(|opaque| opaque.to_vec())
		.ok_or_else(|| format!("the runtime has no metadata version {version}; it has {offered:?}"))
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Decode;

	#[test]
	fn the_file_is_prefixed_metadata_of_the_version_asked_for() {
		for version in [14, 15, 16] {
			let bytes = metadata(version).unwrap();
			assert_eq!(&bytes[..4], b"meta", "v{version}");
			assert_eq!(u32::from(bytes[4]), version);
			// The whole of it decodes as one `RuntimeMetadataPrefixed`, nothing left over.
			let mut input = &bytes[..];
			frame_support::__private::metadata::RuntimeMetadataPrefixed::decode(&mut input)
				.unwrap();
			assert!(input.is_empty(), "v{version}: {} bytes left", input.len());
		}
	}

	#[test]
	fn a_version_the_runtime_lacks_is_refused_by_name() {
		let error = metadata(13).unwrap_err();
		assert!(error.contains("no metadata version 13"), "{error}");
		assert!(error.contains("16"), "lists what it has: {error}");
	}
}
