//! launch's own metrics (`GET /metrics` of the dashboard): its children as the supervisor sees
//! them, and each bridge direction's header lag as read from both chains, so the relayer-lag
//! alert fires also when the relayer itself is down.

use super::ViewChild;
use prometheus_endpoint::{
	prometheus::{Encoder, TextEncoder},
	register, CounterVec, GaugeVec, Opts, PrometheusError, Registry, U64,
};
use std::{
	collections::{HashMap, HashSet},
	sync::Mutex,
};

#[derive(Clone)]
pub struct LaunchMetrics {
	registry: Registry,
	up: GaugeVec<U64>,
	restarts: CounterVec<U64>,
	given_up: GaugeVec<U64>,
	memory: GaugeVec<U64>,
	header_lag: GaugeVec<U64>,
	/// Restarts already counted per child: the supervisor keeps totals, a counter takes steps.
	counted: std::sync::Arc<Mutex<HashMap<String, u32>>>,
	/// Series set this tick and the tick before: those not set again are removed, so a retired
	/// child or an unknown lag does not keep its last value (and keep an alert firing).
	series: std::sync::Arc<Mutex<Series>>,
}

#[derive(Default)]
struct Series {
	children: HashSet<(String, String)>,
	lags: HashSet<(String, String)>,
	children_before: HashSet<(String, String)>,
	lags_before: HashSet<(String, String)>,
}

impl LaunchMetrics {
	pub fn new() -> Result<Self, PrometheusError> {
		let registry = Registry::new();
		let child = &["child", "kind"];
		let gauge = |name: &str, help: &str, labels: &[&str]| {
			register(GaugeVec::new(Opts::new(name, help), labels)?, &registry)
		};
		Ok(Self {
			up: gauge("plexus_launch_child_up", "1 while the child process runs", child)?,
			restarts: register(
				CounterVec::new(
					Opts::new(
						"plexus_launch_child_restarts_total",
						"Times launch restarted the child since it started it",
					),
					child,
				)?,
				&registry,
			)?,
			given_up: gauge(
				"plexus_launch_child_given_up",
				"1 once launch stopped restarting the child (it kept failing, or said restarting \
				 would not help)",
				child,
			)?,
			memory: gauge(
				"plexus_launch_child_resident_memory_bytes",
				"Resident memory of the child process",
				child,
			)?,
			header_lag: gauge(
				"plexus_launch_bridge_header_lag_blocks",
				"Source finalized number minus the newest source header the target's light \
				 client knows, read from both chains",
				&["source", "target"],
			)?,
			counted: Default::default(),
			series: Default::default(),
			registry,
		})
	}

	pub fn child(&self, child: &ViewChild, kind: &str, memory: Option<u64>) {
		let labels = &[child.name.as_str(), kind];
		self.lock_series().children.insert((child.name.clone(), kind.to_string()));
		self.up.with_label_values(labels).set(u64::from(child.running));
		self.given_up.with_label_values(labels).set(u64::from(child.given_up));
		if let Some(memory) = memory {
			self.memory.with_label_values(labels).set(memory);
		}
		let mut counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
		let seen = counted.entry(child.name.clone()).or_insert(0);
		if child.restarts > *seen {
			self.restarts.with_label_values(labels).inc_by(u64::from(child.restarts - *seen));
			*seen = child.restarts;
		} else {
			// Present from the start, so `increase` sees the first restart.
			self.restarts.with_label_values(labels).inc_by(0);
		}
	}

	pub fn header_lag(&self, source: &str, target: &str, lag: u64) {
		self.header_lag.with_label_values(&[source, target]).set(lag);
		self.lock_series().lags.insert((source.to_string(), target.to_string()));
	}

	fn lock_series(&self) -> std::sync::MutexGuard<'_, Series> {
		self.series.lock().unwrap_or_else(|e| e.into_inner())
	}

	/// Ends a collection: removes the series of children and directions it did not set.
	pub fn end_tick(&self) {
		let mut series = self.lock_series();
		let series = &mut *series;
		for (name, kind) in series.children_before.difference(&series.children) {
			let labels = &[name.as_str(), kind.as_str()];
			let _ = self.up.remove_label_values(labels);
			let _ = self.given_up.remove_label_values(labels);
			let _ = self.memory.remove_label_values(labels);
			let _ = self.restarts.remove_label_values(labels);
		}
		for (source, target) in series.lags_before.difference(&series.lags) {
			let _ = self.header_lag.remove_label_values(&[source.as_str(), target.as_str()]);
		}
		series.children_before = std::mem::take(&mut series.children);
		series.lags_before = std::mem::take(&mut series.lags);
	}

	/// The text exposition of every metric.
	pub fn text(&self) -> String {
		let mut out = Vec::new();
		let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
		String::from_utf8(out).unwrap_or_default()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn restarts_count_up_with_the_supervisors_total() {
		let metrics = LaunchMetrics::new().unwrap();
		let mut child = ViewChild {
			name: "alpha-producer-1".into(),
			pid: 1,
			restarts: 0,
			since_restart: None,
			given_up: false,
			running: true,
		};
		metrics.child(&child, "node", Some(4096));
		let text = metrics.text();
		assert!(text.contains(
			"plexus_launch_child_restarts_total{child=\"alpha-producer-1\",kind=\"node\"} 0"
		));
		child.restarts = 2;
		metrics.child(&child, "node", None);
		metrics.child(&child, "node", None);
		child.running = false;
		child.given_up = true;
		metrics.child(&child, "node", None);
		metrics.header_lag("alpha", "beta", 40);
		metrics.end_tick();
		let text = metrics.text();
		assert!(text.contains(
			"plexus_launch_bridge_header_lag_blocks{source=\"alpha\",target=\"beta\"} 40"
		));
		for line in [
			"plexus_launch_child_restarts_total{child=\"alpha-producer-1\",kind=\"node\"} 2",
			"plexus_launch_child_up{child=\"alpha-producer-1\",kind=\"node\"} 0",
			"plexus_launch_child_given_up{child=\"alpha-producer-1\",kind=\"node\"} 1",
			"plexus_launch_child_resident_memory_bytes{child=\"alpha-producer-1\",kind=\"node\"} 4096",
		] {
			assert!(text.lines().any(|l| l == line), "no {line} in\n{text}");
		}
		// The child is retired and the lag unknown: their series go, and no alert stays latched.
		metrics.end_tick();
		let text = metrics.text();
		assert!(!text.contains("alpha-producer-1"), "{text}");
		assert!(!text.contains("plexus_launch_bridge_header_lag_blocks{"), "{text}");
	}
}
