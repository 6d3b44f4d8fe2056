//! The keys a relayer signs with. Their secret URIs come from a file or an environment variable,
//! never from the command line (every local user can read `/proc/*/cmdline`, and shells keep
//! history), and no log line or error message shows them: a mistyped mnemonic must not end up
//! in a relayer's log.

use plexus_client::Error;
use sp_core::{crypto::SecretStringError, sr25519, Pair};
use std::{os::unix::fs::PermissionsExt, path::Path};

/// Holds the secret URI of the account that signs and pays for relay transactions.
pub const SIGNER_ENV: &str = "PLEXUS_RELAY_SIGNER";
/// Holds the secret URI of the sudo key that initialises a bridge.
pub const INITIALIZE_AS_ENV: &str = "PLEXUS_RELAY_INITIALIZE_AS";

/// The secret URI in `file` if one is given, else in the environment variable `env`; `None`
/// if neither has one. A file every user can read is used, with a warning (a group may read it:
/// Kubernetes mounts a Secret readable by the pod's fsGroup).
pub fn read(file: Option<&Path>, env: &str) -> Result<Option<String>, Error> {
	let secret = match file {
		Some(path) => {
			let text = std::fs::read_to_string(path)
				.map_err(|e| format!("cannot read the secret file {}: {e}", path.display()))?;
			let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0);
			if mode & 0o007 != 0 {
				log::warn!(
					target: "relay",
					"{} is readable by every user (mode {:o}); chmod 600 it",
					path.display(),
					mode & 0o777
				);
			}
			text
		},
		None => match std::env::var(env) {
			Ok(value) => value,
			Err(std::env::VarError::NotPresent) => return Ok(None),
			Err(std::env::VarError::NotUnicode(_)) => {
				return Err(format!("{env} does not hold a secret URI (not UTF-8)"))
			},
		},
	};
	// A file usually ends with a newline, which is no part of the secret.
	let secret = secret.trim();
	if secret.is_empty() {
		let source = file.map_or_else(|| env.to_string(), |p| p.display().to_string());
		return Err(format!("{source} holds no secret URI"));
	}
	Ok(Some(secret.to_string()))
}

/// The sr25519 key of `suri`: a mnemonic, a hex seed, or a development key such as `//Ferdie`,
/// each with an optional derivation path and password. An error names `what` and the kind of
/// mistake, never the secret.
pub fn pair(what: &str, suri: &str) -> Result<sr25519::Pair, Error> {
	sr25519::Pair::from_string(suri, None).map_err(|e| {
		// Not `e` itself: `InvalidFormat` quotes the input around the bad character.
		let why = match e {
			SecretStringError::InvalidFormat(_) => "a character out of place",
			SecretStringError::InvalidPhrase => "not a valid BIP39 phrase",
			SecretStringError::InvalidPassword => "a bad password",
			SecretStringError::InvalidSeed => "a bad seed",
			SecretStringError::InvalidSeedLength => "a seed of the wrong length",
			SecretStringError::InvalidPath => "a bad derivation path",
		};
		format!("{what} is not a valid secret URI: {why} (the secret is not shown)")
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::io::Write;

	#[test]
	fn a_bad_secret_is_never_shown() {
		let bad = [
			// A mnemonic with a typo ("obey" as "obay"), with and without a path.
			"bottom drive obay lake curtain smoke basket hold race lonely fit walk",
			"bottom drive obay lake curtain smoke basket hold race lonely fit walk//Alice",
			// A character out of place: sp-core's own error quotes the input here.
			"bottom drive obey\u{7} lake curtain smoke basket hold race lonely fit walk",
			"0x1234",
			"my secret Alice",
		];
		for suri in bad {
			let e = pair("the signer", suri).map(|_| ()).unwrap_err();
			assert!(e.starts_with("the signer is not a valid secret URI"), "{e}");
			for word in ["bottom", "obay", "obey", "1234", "Alice"] {
				assert!(!e.contains(word), "{e:?} shows the secret");
			}
		}
		assert!(pair("the signer", "//Alice").is_ok());
	}

	#[test]
	fn a_file_comes_before_the_environment() {
		let dir = std::env::temp_dir().join(format!("plexus-secret-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let file = dir.join("signer");
		let mut f = std::fs::File::create(&file).unwrap();
		f.write_all(b"//Ferdie\n").unwrap();
		// A variable of this test alone: tests run in parallel within one process.
		let env = "PLEXUS_RELAY_SECRET_TEST";
		std::env::set_var(env, "//Eve");
		assert_eq!(read(Some(file.as_path()), env).unwrap().as_deref(), Some("//Ferdie"));
		assert_eq!(read(None, env).unwrap().as_deref(), Some("//Eve"));
		std::env::remove_var(env);
		assert_eq!(read(None, env).unwrap(), None);
		std::fs::write(&file, "\n").unwrap();
		assert!(read(Some(file.as_path()), env).unwrap_err().contains("holds no secret URI"));
		let missing = read(Some(dir.join("missing").as_path()), env).unwrap_err();
		assert!(missing.contains("cannot read the secret file"), "{missing}");
		std::fs::remove_dir_all(dir).unwrap();
	}
}
