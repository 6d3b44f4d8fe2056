//! The node's own Prometheus metrics: what its network's router, resource manager and data
//! protection did (counted from finalized events), what is outstanding (gauges from state), and
//! what its vault served.

use super::events::{Observation, Settled, Step};
use prometheus_endpoint::{
	register, Counter, CounterVec, Gauge, GaugeVec, Opts, PrometheusError, Registry, U64,
};

fn counter(registry: &Registry, name: &str, help: &str) -> Result<Counter<U64>, PrometheusError> {
	register(Counter::new(name, help)?, registry)
}

fn counters(
	registry: &Registry,
	name: &str,
	help: &str,
	labels: &[&str],
) -> Result<CounterVec<U64>, PrometheusError> {
	register(CounterVec::new(Opts::new(name, help), labels)?, registry)
}

fn gauge(registry: &Registry, name: &str, help: &str) -> Result<Gauge<U64>, PrometheusError> {
	register(Gauge::new(name, help)?, registry)
}

/// Counted from finalized blocks, so every node of a network reports the same numbers.
#[derive(Clone)]
pub struct MonitorMetrics {
	steps: CounterVec<U64>,
	sent: CounterVec<U64>,
	received: CounterVec<U64>,
	settled: CounterVec<U64>,
	failures: CounterVec<U64>,
	rejected: CounterVec<U64>,
	pub in_flight: Gauge<U64>,
	pub in_flight_past_timeout: Gauge<U64>,
	pub oldest_in_flight_seconds: GaugeVec<U64>,
	pub scan_truncated: Gauge<U64>,
	transactions: CounterVec<U64>,
	aborts: CounterVec<U64>,
	pub in_doubt: Gauge<U64>,
	pub in_doubt_past_deadline: Gauge<U64>,
	access_requests: Counter<U64>,
	decisions: CounterVec<U64>,
	erasures: CounterVec<U64>,
	pub finalized_block: Gauge<U64>,
	pub undecodable_blocks: Counter<U64>,
	pub skipped_blocks: Counter<U64>,
	pub oldest_in_doubt_seconds: Gauge<U64>,
}

impl MonitorMetrics {
	pub fn register(r: &Registry) -> Result<Self, PrometheusError> {
		Ok(Self {
			steps: counters(
				r,
				"plexus_router_message_steps_total",
				"Routed-message events in finalized blocks, by step",
				&["step"],
			)?,
			sent: counters(
				r,
				"plexus_router_requests_sent_total",
				"Requests sent from this network",
				&["service"],
			)?,
			received: counters(
				r,
				"plexus_router_requests_received_total",
				"Requests addressed to this network and decided here",
				&["service", "outcome"],
			)?,
			settled: counters(
				r,
				"plexus_router_requests_settled_total",
				"Requests sent from here and settled: by acknowledgement (ok, err, timed_out) or \
				 by a proven timeout (timeout_proven)",
				&["outcome"],
			)?,
			failures: counters(
				r,
				"plexus_router_request_failures_total",
				"Failed outcomes seen here (executed here or acknowledged to here), by failure",
				&["failure"],
			)?,
			rejected: counters(
				r,
				"plexus_router_packets_rejected_total",
				"Delivered packets dropped without an answer, by reason",
				&["reason"],
			)?,
			in_flight: gauge(
				r,
				"plexus_router_in_flight",
				"Messages sent from here and not settled (the router's Outbox)",
			)?,
			in_flight_past_timeout: gauge(
				r,
				"plexus_router_in_flight_past_timeout",
				"Messages in flight whose timeout has passed: a timeout proof would settle them",
			)?,
			oldest_in_flight_seconds: register(
				GaugeVec::new(
					Opts::new(
						"plexus_router_oldest_in_flight_seconds",
						"Age of the oldest message in flight, since this node first saw it (a \
						 restarted node counts anew), by the next hop it left through",
					),
					&["next_hop"],
				)?,
				r,
			)?,
			scan_truncated: gauge(
				r,
				"plexus_monitor_scan_truncated",
				"1 if the last scan of the Outbox or the in-doubt list stopped at its cap",
			)?,
			transactions: counters(
				r,
				"plexus_resource_manager_transactions_total",
				"Resource-manager transaction events, by event",
				&["event"],
			)?,
			aborts: counters(
				r,
				"plexus_resource_manager_aborts_total",
				"Aborted transactions coordinated here, by reason",
				&["reason"],
			)?,
			in_doubt: gauge(
				r,
				"plexus_resource_manager_in_doubt",
				"Transactions coordinated here that are prepared and not yet decided",
			)?,
			in_doubt_past_deadline: gauge(
				r,
				"plexus_resource_manager_in_doubt_past_deadline",
				"Transactions in doubt whose deadline has passed",
			)?,
			access_requests: counter(
				r,
				"plexus_data_protection_requests_pending_total",
				"Access requests left for their subject or controller to decide",
			)?,
			decisions: counters(
				r,
				"plexus_data_protection_decisions_total",
				"Access decisions, by decision and reason code (rejections) or legal basis \
				 (approvals)",
				&["decision", "reason"],
			)?,
			erasures: counters(
				r,
				"plexus_data_protection_erasures_total",
				"Erasure steps: requested, attested by a holder, erased",
				&["stage"],
			)?,
			finalized_block: gauge(
				r,
				"plexus_monitor_finalized_block",
				"The last finalized block whose events these metrics count",
			)?,
			undecodable_blocks: counter(
				r,
				"plexus_monitor_undecodable_blocks_total",
				"Finalized blocks whose events this node binary cannot decode (a runtime \
				 upgrade it does not know): their events are not counted",
			)?,
			skipped_blocks: counter(
				r,
				"plexus_monitor_skipped_blocks_total",
				"Finalized blocks whose events were not counted because their state is pruned \
				 (a consumer that syncs) or more than 1,000 came at once",
			)?,
			oldest_in_doubt_seconds: gauge(
				r,
				"plexus_resource_manager_oldest_in_doubt_seconds",
				"How long the oldest transaction in doubt has been in doubt, since this node \
				 first saw it",
			)?,
		})
	}

	pub fn observe(&self, observation: &Observation) {
		match observation {
			Observation::Message(m) => {
				self.steps
					.with_label_values(&[super::events::snake_case(m.step.name()).as_str()])
					.inc();
				let service = m.service.map(|s| super::service_name(&s)).unwrap_or("unknown");
				match m.step {
					Step::Sent => self.sent.with_label_values(&[service]).inc(),
					Step::Executed => {
						let outcome = m.settled.map_or("unknown", Settled::label);
						self.received.with_label_values(&[service, outcome]).inc();
					},
					Step::Acknowledged => {
						let outcome = m.settled.map_or("unknown", Settled::label);
						self.settled.with_label_values(&[outcome]).inc();
					},
					Step::TimedOut => self.settled.with_label_values(&["timeout_proven"]).inc(),
					_ => {},
				}
				if let Some(Settled::Err(failure)) = m.settled {
					self.failures.with_label_values(&[failure]).inc();
				}
			},
			Observation::PacketRejected(reason) => self.rejected.with_label_values(&[reason]).inc(),
			Observation::Transaction(t) => {
				self.transactions.with_label_values(&[t.step.label()]).inc();
				if let Some(reason) = t.abort {
					self.aborts.with_label_values(&[reason]).inc();
				}
			},
			Observation::AccessPending => self.access_requests.inc(),
			Observation::Decision(d) => {
				let (decision, reason) = if d.approved {
					("approved", d.basis.unwrap_or("unknown"))
				} else {
					("rejected", d.reason.unwrap_or("unknown"))
				};
				self.decisions.with_label_values(&[decision, reason]).inc();
			},
			Observation::Erasure(stage) => self.erasures.with_label_values(&[stage.label()]).inc(),
		}
	}
}

/// What the vault's RPC served and refused. Registered once per node: the RPC builder may be
/// called more than once, and a metric registers only once.
#[derive(Clone)]
pub struct VaultMetrics {
	reads: CounterVec<U64>,
	puts: CounterVec<U64>,
	erasures: CounterVec<U64>,
	exports: CounterVec<U64>,
}

/// Which vault call an outcome is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaultCall {
	Get,
	Put,
	Erase,
	Export,
}

impl VaultMetrics {
	pub fn register(r: &Registry) -> Result<Self, PrometheusError> {
		let outcome = &["outcome"];
		Ok(Self {
			reads: counters(
				r,
				"plexus_vault_reads_total",
				"vault_get calls: served, or refused (bad signature, no grant, unknown record)",
				outcome,
			)?,
			puts: counters(r, "plexus_vault_puts_total", "vault_put calls, by outcome", outcome)?,
			erasures: counters(
				r,
				"plexus_vault_erasures_total",
				"vault_erase calls, by outcome",
				outcome,
			)?,
			exports: counters(
				r,
				"plexus_vault_exports_total",
				"vault_export calls, by outcome",
				outcome,
			)?,
		})
	}

	/// Counts one call; refusals are not told apart, since their texts can name accounts.
	pub fn count(&self, call: VaultCall, served: bool) {
		let outcome = match (call, served) {
			(VaultCall::Get, true) => "served",
			(VaultCall::Put, true) => "stored",
			(VaultCall::Erase, true) => "erased",
			(VaultCall::Export, true) => "exported",
			(_, false) => "refused",
		};
		let vec = match call {
			VaultCall::Get => &self.reads,
			VaultCall::Put => &self.puts,
			VaultCall::Erase => &self.erasures,
			VaultCall::Export => &self.exports,
		};
		vec.with_label_values(&[outcome]).inc();
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::monitor::events::{AccessDecision, ErasureStage, MessageStep, TxEvent, TxStep};
	use plexus_primitives::{envelope::MessageId, transaction::TxId};

	fn text(registry: &Registry) -> String {
		use prometheus_endpoint::prometheus::{Encoder, TextEncoder};
		let mut out = Vec::new();
		TextEncoder::new().encode(&registry.gather(), &mut out).unwrap();
		String::from_utf8(out).unwrap()
	}

	fn step(step: Step, settled: Option<Settled>) -> Observation {
		Observation::Message(MessageStep {
			id: MessageId { origin: [1; 32], sequence: 1 },
			step,
			next_hop: None,
			destination: None,
			service: Some(plexus_primitives::envelope::Service::Contract),
			settled,
			lane_nonce: None,
		})
	}

	#[test]
	fn observations_count_under_their_labels() {
		let registry = Registry::new();
		let m = MonitorMetrics::register(&registry).unwrap();
		m.observe(&step(Step::Sent, None));
		m.observe(&step(Step::Executed, Some(Settled::Err("weight_limit_exceeded"))));
		m.observe(&step(Step::Acknowledged, Some(Settled::Ok)));
		m.observe(&step(Step::TimedOut, None));
		m.observe(&step(Step::AckQueued, None));
		m.observe(&Observation::Transaction(TxEvent {
			tx: TxId { coordinator: [1; 32], sequence: 2 },
			step: TxStep::Aborted,
			target: None,
			deadline: None,
			abort: Some("timed_out"),
		}));
		m.observe(&Observation::Decision(AccessDecision {
			request: 1,
			approved: false,
			reason: Some("no_consent"),
			basis: None,
		}));
		m.observe(&Observation::Erasure(ErasureStage::Attested));
		let t = text(&registry);
		for line in [
			"plexus_router_requests_sent_total{service=\"contract\"} 1",
			"plexus_router_requests_received_total{outcome=\"err\",service=\"contract\"} 1",
			"plexus_router_request_failures_total{failure=\"weight_limit_exceeded\"} 1",
			"plexus_router_requests_settled_total{outcome=\"ok\"} 1",
			"plexus_router_requests_settled_total{outcome=\"timeout_proven\"} 1",
			"plexus_router_message_steps_total{step=\"ack_queued\"} 1",
			"plexus_resource_manager_transactions_total{event=\"aborted\"} 1",
			"plexus_resource_manager_aborts_total{reason=\"timed_out\"} 1",
			"plexus_data_protection_decisions_total{decision=\"rejected\",reason=\"no_consent\"} 1",
			"plexus_data_protection_erasures_total{stage=\"attested\"} 1",
		] {
			assert!(t.lines().any(|l| l == line), "missing {line} in\n{t}");
		}
	}

	#[test]
	fn a_refused_vault_read_is_not_counted_as_served() {
		let registry = Registry::new();
		let v = VaultMetrics::register(&registry).unwrap();
		v.count(VaultCall::Get, false);
		v.count(VaultCall::Get, false);
		v.count(VaultCall::Put, true);
		let t = text(&registry);
		assert!(t.contains("plexus_vault_reads_total{outcome=\"refused\"} 2"), "{t}");
		assert!(!t.contains("plexus_vault_reads_total{outcome=\"served\"}"), "{t}");
		assert!(t.contains("plexus_vault_puts_total{outcome=\"stored\"} 1"), "{t}");
		// A second registration on one registry fails: the service registers once.
		assert!(VaultMetrics::register(&registry).is_err());
	}
}
