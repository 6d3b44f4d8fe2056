//! Prometheus alert rules for a Plexus deployment, from one table, so the dashboard's colours
//! and the alerts agree (the dashboard reads the same thresholds).
//!
//! Counters restart with their process and every node of a network reports the same chain
//! numbers, so rules aggregate with `max by (network)` and never sum across nodes.

/// A network whose best block is this many blocks past its finalized one lags (warn).
pub const FINALITY_LAG_BLOCKS: u64 = 20;
/// A bridge whose target knows a header this many blocks behind the source lags. An idle
/// relayer lets it reach 8 (it refreshes headers every 8 blocks), so four times that is real.
pub const HEADER_LAG_BLOCKS: u64 = 32;
/// A relayer that completed no round for this long is stalled or stopped.
pub const RELAYER_SILENT_SECONDS: u64 = 120;
/// A transaction in doubt this long (a commit usually takes seconds) is stuck.
pub const IN_DOUBT_SECONDS: u64 = 1800;
/// A child restarted this often within 15 minutes is in a restart loop.
pub const RESTARTS_IN_LOOP: u64 = 3;

pub struct Rule {
	pub alert: &'static str,
	pub expr: String,
	pub for_: &'static str,
	pub severity: &'static str,
	pub summary: &'static str,
}

/// Every alert, in the order the rules file lists them.
pub fn rules() -> Vec<Rule> {
	let rule = |alert, expr: String, for_, severity, summary| Rule {
		alert,
		expr,
		for_,
		severity,
		summary,
	};
	vec![
		rule(
			"PlexusNodeDown",
			r#"up{job="plexus-node"} == 0"#.into(),
			"1m",
			"warning",
			"Node {{ $labels.instance }} of {{ $labels.network }} does not answer scrapes",
		),
		rule(
			"PlexusNetworkDown",
			r#"max by (network) (up{job="plexus-node"}) == 0"#.into(),
			"1m",
			"critical",
			"No node of {{ $labels.network }} answers",
		),
		rule(
			"PlexusNetworkNotFinalizing",
			r#"max by (network) (delta(substrate_block_height{job="plexus-node",status="finalized"}[2m])) <= 0"#
				.into(),
			"1m",
			"critical",
			"{{ $labels.network }} finalized no block for 3 minutes",
		),
		rule(
			"PlexusFinalityLag",
			format!(
				r#"max by (network) (substrate_block_height{{job="plexus-node",status="best"}}) - max by (network) (substrate_block_height{{job="plexus-node",status="finalized"}}) > {FINALITY_LAG_BLOCKS}"#
			),
			"2m",
			"warning",
			"{{ $labels.network }}'s best block is {{ $value }} blocks past its finalized one",
		),
		rule(
			"PlexusRelayerDown",
			r#"up{job="plexus-relay"} == 0"#.into(),
			"1m",
			"critical",
			"The relayer of {{ $labels.bridge }} does not answer scrapes",
		),
		rule(
			"PlexusRelayerLag",
			format!(
				"max by (source, target) (plexus_relay_header_lag_blocks) > {HEADER_LAG_BLOCKS} \
				 or max by (source, target) (plexus_launch_bridge_header_lag_blocks) > \
				 {HEADER_LAG_BLOCKS} \
				 or time() - max by (source, target) \
				 (max_over_time(plexus_relay_last_round_timestamp_seconds[1h])) > \
				 {RELAYER_SILENT_SECONDS}"
			),
			"1m",
			"warning",
			"{{ $labels.source }} -> {{ $labels.target }} lags: {{ $value }} (blocks of header \
			 lag, or seconds since the relayer's last round)",
		),
		rule(
			"PlexusMessagePastTimeout",
			"max by (network) (plexus_router_in_flight_past_timeout) > 0".into(),
			"5m",
			"warning",
			"{{ $labels.network }} has {{ $value }} messages in flight past their timeout",
		),
		rule(
			"PlexusTransactionsInDoubtPastDeadline",
			"max by (network) (plexus_resource_manager_in_doubt_past_deadline) > 0".into(),
			"5m",
			"critical",
			"{{ $labels.network }} has {{ $value }} transactions in doubt past their deadline",
		),
		rule(
			"PlexusTransactionsInDoubt",
			format!(
				"max by (network) (plexus_resource_manager_oldest_in_doubt_seconds) > \
				 {IN_DOUBT_SECONDS}"
			),
			"5m",
			"warning",
			"{{ $labels.network }} has a transaction in doubt for {{ $value }} s",
		),
		rule(
			"PlexusNodeRestartLoop",
			format!(
				r#"changes(substrate_process_start_time_seconds{{job="plexus-node"}}[15m]) >= {RESTARTS_IN_LOOP}"#
			),
			"0m",
			"critical",
			"{{ $labels.instance }} restarted {{ $value }} times in 15 minutes",
		),
		rule(
			"PlexusChildRestartLoop",
			format!(
				"increase(plexus_launch_child_restarts_total[15m]) >= {RESTARTS_IN_LOOP}"
			),
			"0m",
			"critical",
			"launch restarted {{ $labels.child }} at least 3 times in 15 minutes",
		),
		rule(
			"PlexusChildGivenUp",
			"plexus_launch_child_given_up == 1".into(),
			"0m",
			"critical",
			"launch gave up restarting {{ $labels.child }}",
		),
		rule(
			"PlexusMonitorBlind",
			"increase(plexus_monitor_undecodable_blocks_total[10m]) > 0".into(),
			"0m",
			"warning",
			"{{ $labels.instance }} cannot decode its network's events (a runtime upgrade its \
			 binary does not know): router, transaction and data-protection metrics stop",
		),
	]
}

/// A YAML scalar: JSON's string syntax is YAML's double-quoted style.
pub fn quoted(text: &str) -> String {
	serde_json::to_string(text).expect("a string serializes")
}

/// The rules file (`plexus.rules.yml`).
pub fn rules_yaml() -> String {
	let mut out = String::from(
		"# Alert rules of a Plexus deployment, written by plexus-node (launch and kubernetes).\n\
		 # Thresholds: node/src/launch/monitoring/rules.rs. Checked by `promtool test rules`.\n\
		 groups:\n  - name: plexus\n    rules:\n",
	);
	for r in rules() {
		out.push_str(&format!(
			"      - alert: {}\n        expr: {}\n        for: {}\n        labels:\n          \
			 severity: {}\n        annotations:\n          summary: {}\n",
			r.alert,
			quoted(&r.expr),
			r.for_,
			r.severity,
			quoted(r.summary)
		));
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	const GOLDEN: &str = "src/launch/monitoring/plexus.rules.yml";

	/// The committed rules file, which `promtool test rules` checks, is what launch writes.
	/// `PLEXUS_UPDATE_GOLDEN=1` rewrites it.
	#[test]
	fn the_committed_rules_are_what_launch_writes() {
		let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
		if std::env::var_os("PLEXUS_UPDATE_GOLDEN").is_some() {
			std::fs::write(&path, rules_yaml()).unwrap();
		}
		let committed = std::fs::read_to_string(&path).unwrap();
		assert!(committed == rules_yaml(), "{GOLDEN} is stale: PLEXUS_UPDATE_GOLDEN=1 rewrites it");
	}

	#[test]
	fn every_alert_is_named_once_and_has_a_test_that_fires_it() {
		let tests = include_str!("plexus.rules.test.yml");
		let mut names: Vec<_> = rules().iter().map(|r| r.alert).collect();
		let count = names.len();
		names.sort();
		names.dedup();
		assert_eq!(names.len(), count, "unique names");
		for name in names {
			assert!(
				tests.contains(&format!("alertname: {name}\n")),
				"plexus.rules.test.yml has no case for {name}"
			);
		}
	}

	#[test]
	fn scalars_are_quoted_so_yaml_reads_them_verbatim() {
		assert_eq!(quoted(r#"up{job="x"} == 0"#), r#""up{job=\"x\"} == 0""#);
		assert_eq!(quoted("a: {{ $value }}"), r#""a: {{ $value }}""#);
	}
}
