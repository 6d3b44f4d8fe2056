//! Reading a child's Prometheus metrics and its memory: a bounded HTTP/1 GET on loopback and a
//! parser for the few series the dashboard shows.

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::time::Duration;

/// A node's `/metrics` is ~100 KB; more is not a node's.
const MAX_BODY: usize = 4 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(3);

/// The body of `GET http://127.0.0.1:PORT/metrics`, `None` if the child does not answer in time.
pub async fn get(url: &str) -> Option<String> {
	let address = url.strip_prefix("http://")?;
	let (authority, path) = address.split_once('/').map_or((address, "/"), |(a, p)| (a, p));
	let path = if path == "/" { "/".to_string() } else { format!("/{path}") };
	let work = async {
		let stream = tokio::net::TcpStream::connect(authority).await.ok()?;
		let (mut sender, connection) =
			hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.ok()?;
		let connection = tokio::spawn(connection);
		let request = hyper::Request::get(path)
			.header(hyper::header::HOST, authority)
			.body(Empty::<Bytes>::new())
			.ok()?;
		let response = sender.send_request(request).await.ok()?;
		let ok = response.status().is_success();
		let body = Limited::new(response.into_body(), MAX_BODY).collect().await.ok()?.to_bytes();
		connection.abort();
		ok.then(|| String::from_utf8_lossy(&body).into_owned())
	};
	tokio::time::timeout(TIMEOUT, work).await.ok().flatten()
}

/// Samples of a Prometheus text exposition: name, labels and value of each line. Comments and
/// malformed lines are skipped; label values with escaped quotes are not needed here.
#[derive(Default, Debug)]
pub struct Samples(Vec<Sample>);

type Labels = Vec<(String, String)>;
type Sample = (String, Labels, f64);

impl Samples {
	pub fn parse(text: &str) -> Self {
		let mut samples = Vec::new();
		for line in text.lines().map(str::trim) {
			if line.is_empty() || line.starts_with('#') {
				continue;
			}
			let (name, labels, rest) = match line.find('{') {
				Some(open) => {
					let Some(close) = line[open..].find('}').map(|c| open + c) else { continue };
					(&line[..open], parse_labels(&line[open + 1..close]), &line[close + 1..])
				},
				None => {
					let end = line.find(' ').unwrap_or(line.len());
					(&line[..end], Some(Vec::new()), &line[end..])
				},
			};
			// The value follows the series; a timestamp may follow the value.
			let value = rest.split_whitespace().next().and_then(|v| v.parse::<f64>().ok());
			if let (Some(labels), Some(value)) = (labels, value) {
				samples.push((name.to_string(), labels, value));
			}
		}
		Self(samples)
	}

	/// The value of the first `name` series that has every label of `labels` (an exporter may
	/// add others, as Substrate adds `chain`).
	pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
		self.0
			.iter()
			.find(|(n, have, _)| {
				n == name
					&& labels.iter().all(|(k, v)| have.iter().any(|(hk, hv)| hk == k && hv == v))
			})
			.map(|(_, _, value)| *value)
	}

	pub fn get_u64(&self, name: &str, labels: &[(&str, &str)]) -> Option<u64> {
		self.get(name, labels).filter(|v| v.is_finite() && *v >= 0.0).map(|v| v as u64)
	}
}

/// `a="x",b="y"` into pairs; `None` if malformed.
fn parse_labels(text: &str) -> Option<Labels> {
	let mut labels = Vec::new();
	let mut rest = text.trim();
	while !rest.is_empty() {
		let (key, after) = rest.split_once("=\"")?;
		let (value, after) = after.split_once('"')?;
		labels.push((key.trim().to_string(), value.to_string()));
		rest = after.trim_start_matches(',').trim();
	}
	Some(labels)
}

/// Resident memory of process `pid` (Linux), from `/proc/<pid>/status`.
pub fn resident_memory(pid: u32) -> Option<u64> {
	if pid == 0 {
		return None;
	}
	let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
	let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
	let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
	Some(kb * 1024)
}

#[cfg(test)]
mod tests {
	use super::*;
	use prometheus_endpoint::{
		prometheus::{Encoder, TextEncoder},
		register, GaugeVec, Opts, Registry, U64,
	};

	#[test]
	fn what_a_real_registry_writes_is_read_back() {
		let registry = Registry::new();
		let height = register(
			GaugeVec::<U64>::new(Opts::new("substrate_block_height", "h"), &["status"]).unwrap(),
			&registry,
		)
		.unwrap();
		height.with_label_values(&["best"]).set(120);
		height.with_label_values(&["finalized"]).set(118);
		let mut text = Vec::new();
		TextEncoder::new().encode(&registry.gather(), &mut text).unwrap();
		let text = String::from_utf8(text).unwrap()
			+ "plain_gauge 7 1700000000\nbroken{x=\"1\"}\n"
			+ "substrate_ready_transactions_number{chain=\"plexus_alpha\"} 3\n";
		let samples = Samples::parse(&text);
		assert_eq!(samples.get_u64("substrate_block_height", &[("status", "best")]), Some(120));
		assert_eq!(
			samples.get_u64("substrate_block_height", &[("status", "finalized")]),
			Some(118)
		);
		assert_eq!(samples.get_u64("plain_gauge", &[]), Some(7), "a timestamp is ignored");
		assert_eq!(samples.get("broken", &[("x", "1")]), None);
		// Labels the exporter adds beside the asked ones do not hide a series.
		assert_eq!(samples.get_u64("substrate_ready_transactions_number", &[]), Some(3));
		assert_eq!(samples.get("substrate_block_height", &[("status", "sync_target")]), None);
	}

	#[test]
	fn this_process_has_resident_memory() {
		let rss = resident_memory(std::process::id()).unwrap();
		assert!(rss > 1024 * 1024, "{rss}");
		assert_eq!(resident_memory(0), None);
	}
}
