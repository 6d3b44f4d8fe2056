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
		})
	}

	pub fn record(&self, source: &str, target: &str, report: &RoundReport) {
		let labels = &[source, target];
		self.set_changes.with_label_values(labels).inc_by(report.set_changes);
		self.headers.with_label_values(labels).inc_by(report.headers);
		self.messages.with_label_values(labels).inc_by(report.messages);
		self.confirmations.with_label_values(labels).inc_by(report.confirmations);
		self.lag.with_label_values(labels).set(report.header_lag as u64);
	}
}
