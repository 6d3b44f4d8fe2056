//! Prometheus metrics of a relayer: what it relayed (set changes, headers, messages,
//! confirmations) and how far the light clients lag.

use crate::RoundReport;
use prometheus_endpoint::{register, CounterVec, GaugeVec, Opts, PrometheusError, Registry, U64};

#[derive(Clone)]
pub struct Metrics {
	set_changes: CounterVec<U64>,
	headers: CounterVec<U64>,
	messages: CounterVec<U64>,
	confirmations: CounterVec<U64>,
	lag: GaugeVec<U64>,
	last_round: GaugeVec<U64>,
	failures: CounterVec<U64>,
}

impl Metrics {
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		let labels = &["source", "target"];
		Ok(Self {
			set_changes: register(
				CounterVec::new(
					Opts::new(
						"plexus_relay_set_changes_total",
						"Headers enacting a GRANDPA authority set change imported (mandatory)",
					),
					labels,
				)?,
				registry,
			)?,
			headers: register(
				CounterVec::new(
					Opts::new(
						"plexus_relay_headers_total",
						"Finality proofs of new headers submitted (set changes not counted)",
					),
					labels,
				)?,
				registry,
			)?,
			messages: register(
				CounterVec::new(
					Opts::new("plexus_relay_messages_total", "Messages submitted for delivery"),
					labels,
				)?,
				registry,
			)?,
			confirmations: register(
				CounterVec::new(
					Opts::new(
						"plexus_relay_confirmations_total",
						"Deliveries confirmed to the source",
					),
					labels,
				)?,
				registry,
			)?,
			lag: register(
				GaugeVec::new(
					Opts::new(
						"plexus_relay_header_lag_blocks",
						"Source finalized number minus the newest header the target knows",
					),
					labels,
				)?,
				registry,
			)?,
			last_round: register(
				GaugeVec::new(
					Opts::new(
						"plexus_relay_last_round_timestamp_seconds",
						"Unix time of the last round that completed in this direction: a stalled \
						 relayer stops moving it",
					),
					labels,
				)?,
				registry,
			)?,
			failures: register(
				CounterVec::new(
					Opts::new(
						"plexus_relay_round_failures_total",
						"Rounds that failed (and were retried) in this direction",
					),
					labels,
				)?,
				registry,
			)?,
		})
	}

	pub fn round_failed(&self, source: &str, target: &str) {
		self.failures.with_label_values(&[source, target]).inc();
	}

	pub fn record(&self, source: &str, target: &str, report: &RoundReport) {
		let labels = &[source, target];
		self.set_changes.with_label_values(labels).inc_by(report.set_changes);
		self.headers.with_label_values(labels).inc_by(report.headers);
		self.messages.with_label_values(labels).inc_by(report.messages);
		self.confirmations.with_label_values(labels).inc_by(report.confirmations);
		self.lag.with_label_values(labels).set(report.header_lag as u64);
		let now = std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map_or(0, |d| d.as_secs());
		self.last_round.with_label_values(labels).set(now);
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use prometheus_endpoint::prometheus::{Encoder, TextEncoder};

	#[test]
	fn a_round_moves_the_last_round_time_and_a_failure_counts() {
		let registry = Registry::new();
		let metrics = Metrics::register(&registry).unwrap();
		let before =
			std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
		metrics.record("alpha", "beta", &RoundReport { header_lag: 3, ..Default::default() });
		metrics.round_failed("beta", "alpha");
		let mut out = Vec::new();
		TextEncoder::new().encode(&registry.gather(), &mut out).unwrap();
		let text = String::from_utf8(out).unwrap();
		let value = |prefix: &str| -> u64 {
			let line = text.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| {
				panic!("no {prefix} in\n{text}");
			});
			line.rsplit(' ').next().unwrap().parse().unwrap()
		};
		let stamped =
			value("plexus_relay_last_round_timestamp_seconds{source=\"alpha\",target=\"beta\"}");
		assert!(stamped >= before && stamped <= before + 60, "{stamped} vs {before}");
		assert_eq!(value("plexus_relay_round_failures_total{source=\"beta\",target=\"alpha\"}"), 1);
		assert!(!text.contains("plexus_relay_round_failures_total{source=\"alpha\""));
		assert_eq!(value("plexus_relay_header_lag_blocks{source=\"alpha\",target=\"beta\"}"), 3);
	}
}
