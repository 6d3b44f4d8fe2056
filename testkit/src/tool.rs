//! Running a root-only tool (`ip`, `nft`, `ss`) to its end, for the tests that change this
//! machine's network ([`crate::partition`], [`crate::hosts`]).

use std::process::Command;

/// `program args…` run to its end (stdin closed, as `output` does): what it printed, or an error
/// with what it said if it failed.
pub(crate) fn run(program: &str, args: &[&str]) -> Result<String, String> {
	let out = Command::new(program)
		.args(args)
		.output()
		.map_err(|e| format!("cannot run {program}: {e}"))?;
	if !out.status.success() {
		return Err(format!(
			"{program} {}: {}",
			args.join(" "),
			String::from_utf8_lossy(&out.stderr).trim()
		));
	}
	Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
