//! Chain specifications: the built-in `dev` and `local` networks, and the builder `launch` uses
//! to make one spec per network of a topology.

use plexus_runtime::WASM_BINARY;
use sc_service::ChainType;
use serde_json::{json, Value};

pub type ChainSpec = sc_service::GenericChainSpec;

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime's wasm binary is not available: this node was built with SKIP_WASM_BUILD"
			.to_string()
	})
}

/// Token and address properties that polkadot.js apps shows; `plexusNetworkId` tells tools which
/// network a spec belongs to without running its runtime.
pub fn properties(network_id: u32) -> sc_service::Properties {
	let value = json!({
		"tokenSymbol": "PLX",
		"tokenDecimals": 12,
		"ss58Format": 42,
		"plexusNetworkId": network_id,
	});
	value.as_object().cloned().expect("a JSON object; qed")
}

/// `--dev`: one authority (Alice), the `development` preset.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Plexus Development")
		.with_id("plexus_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties(1))
		.build())
}

/// `--chain local`: two authorities (Alice, Bob), the `local_testnet` preset.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Plexus Local Testnet")
		.with_id("plexus_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties(1))
		.build())
}

/// The spec of one network of a topology: the `local_testnet` preset patched with the network's
/// identity and authorities.
pub fn network_chain_spec(
	chain_id: &str,
	display_name: &str,
	network_id: u32,
	genesis_patch: Value,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name(display_name)
		.with_id(chain_id)
		.with_chain_type(ChainType::Local)
		.with_genesis_config_patch(genesis_patch)
		.with_properties(properties(network_id))
		.build())
}
