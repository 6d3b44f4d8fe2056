//! Progress of a long run, for a person at a terminal or for a log, and the table of figures it
//! ends with. Std only, so that it builds and tests on its own:
//! `rustc --edition 2021 --test node/src/progress.rs`.
//!
//! [`Progress`] writes to stderr: one line redrawn in place when stderr is a terminal that takes
//! escapes ([`Mode::Live`]), a plain line every 10 s otherwise ([`Mode::Lines`]: CI logs keep
//! no carriage returns or escapes). `PLEXUS_PROGRESS=live|lines|off` overrides the choice.
//! [`Summary`] is the closing table, on stdout, where scripts read figures from.

use std::{
	collections::VecDeque,
	fmt::{self, Display, Write as _},
	io::{IsTerminal, Write},
	time::{Duration, Instant},
};

/// The rate is what the last column gained over about this long: steady, yet it still shows a
/// stall within seconds.
const WINDOW: Duration = Duration::from_secs(10);
/// A log gets a line this often; more would bury the step lines between them.
const LINE_EVERY: Duration = Duration::from_secs(10);
/// A terminal is redrawn at most 5 times a second: more only flickers and costs writes.
const REDRAW_EVERY: Duration = Duration::from_millis(200);
/// Samples for the rate closer together than this add nothing, and `set` may be called for every
/// submission: this bounds the window to ~40 samples.
const SAMPLE_EVERY: Duration = Duration::from_millis(250);
/// Values start at this column at least: where the load generators always put them.
const KEY_WIDTH: usize = 22;
/// Erases the terminal's current line and returns to its start.
const CLEAR: &str = "\r\x1b[2K";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
	/// One line on stderr, redrawn in place.
	Live,
	/// A plain line every 10 s, and one at the end.
	Lines,
	/// No progress; phases are still printed (they are the program's step lines).
	Off,
}

impl Mode {
	/// A `PLEXUS_PROGRESS` value; `None` for anything else.
	pub fn parse(value: &str) -> Option<Mode> {
		match value.trim().to_ascii_lowercase().as_str() {
			"live" => Some(Mode::Live),
			"lines" => Some(Mode::Lines),
			"off" => Some(Mode::Off),
			_ => None,
		}
	}

	/// The mode for a `PLEXUS_PROGRESS` setting (an unknown one is ignored), whether stderr is a
	/// terminal, and `TERM`: a dumb terminal would print the escapes.
	pub fn choose(setting: Option<&str>, terminal: bool, term: Option<&str>) -> Mode {
		match setting.and_then(Mode::parse) {
			Some(mode) => mode,
			None if terminal && term != Some("dumb") => Mode::Live,
			None => Mode::Lines,
		}
	}

	/// The mode for this process, from its environment and its stderr.
	pub fn detect() -> Mode {
		let setting = std::env::var("PLEXUS_PROGRESS").ok();
		let term = std::env::var("TERM").ok();
		Mode::choose(setting.as_deref(), std::io::stderr().is_terminal(), term.as_deref())
	}
}

/// Counts under named columns, shown with the time since the start and the rate of the last
/// column. Writing is best effort: a failed write to stderr must not end a measurement.
pub struct Progress {
	label: String,
	columns: Vec<String>,
	/// Shown after the first column's count.
	total: Option<u64>,
	counts: Vec<u64>,
	mode: Mode,
	sink: Box<dyn Write + Send>,
	clock: Box<dyn Fn() -> Duration + Send>,
	start: Duration,
	/// (time, last column): the newest sample at or before the window's start, then the window's.
	samples: VecDeque<(Duration, u64)>,
	drawn: Option<Duration>,
	/// A live line is on the terminal: anything else written must erase it first.
	shown: bool,
	/// Shown after the counts (launch's per-network heights).
	detail: String,
	with_rate: bool,
}

impl Progress {
	/// Progress on stderr, in the mode [`Mode::detect`] finds.
	pub fn new(label: &str, columns: &[&str], total: Option<u64>) -> Progress {
		let origin = Instant::now();
		let clock = Box::new(move || origin.elapsed());
		Progress::with(label, columns, total, Box::new(std::io::stderr()), Mode::detect(), clock)
	}

	/// Progress written to `sink` in `mode`, with time as `clock` tells it (tests drive both).
	pub fn with(
		label: &str,
		columns: &[&str],
		total: Option<u64>,
		sink: Box<dyn Write + Send>,
		mode: Mode,
		clock: Box<dyn Fn() -> Duration + Send>,
	) -> Progress {
		let start = clock();
		Progress {
			label: label.into(),
			columns: columns.iter().map(|c| c.to_string()).collect(),
			total,
			counts: vec![0; columns.len()],
			mode,
			sink,
			clock,
			start,
			samples: VecDeque::from([(start, 0)]),
			drawn: None,
			shown: false,
			detail: String::new(),
			with_rate: true,
		}
	}

	/// No rate: for counts that are states (nodes answering), not work done.
	pub fn without_rate(mut self) -> Progress {
		self.with_rate = false;
		self
	}

	/// Text shown after the counts, until replaced.
	pub fn detail(&mut self, text: &str) {
		text.clone_into(&mut self.detail);
	}

	/// The counts now, one per column; shown if a line is due. Cheap enough to call per item.
	pub fn set(&mut self, counts: &[u64]) {
		debug_assert_eq!(counts.len(), self.columns.len(), "one count per column");
		for (count, value) in self.counts.iter_mut().zip(counts) {
			*count = *value;
		}
		self.tick();
	}

	/// Shows the unchanged counts if a line is due (the time and the rate move on).
	pub fn tick(&mut self) {
		if self.mode == Mode::Off {
			return;
		}
		let now = (self.clock)();
		self.sample(now);
		let due = match (self.mode, self.drawn) {
			(Mode::Live, None) => true,
			(Mode::Live, Some(at)) => now.saturating_sub(at) >= REDRAW_EVERY,
			(_, drawn) => now.saturating_sub(drawn.unwrap_or(self.start)) >= LINE_EVERY,
		};
		if due {
			self.draw(now);
		}
	}

	/// A step of the run, as a line of its own, at once in every mode.
	pub fn phase(&mut self, message: &str) {
		let clear = if self.shown { CLEAR } else { "" };
		self.emit(&format!("{clear}{message}\n"));
		self.shown = false;
		if self.mode == Mode::Live {
			// The line the message pushed off the terminal comes back at once.
			self.draw((self.clock)());
		}
	}

	/// The end: a live line is erased (the summary follows), a log gets the last counts. Dropping
	/// does the same, so that an error's message does not land on a live line.
	pub fn finish(self) {}

	fn sample(&mut self, now: Duration) {
		let last = self.counts.last().copied().unwrap_or(0);
		if self.samples.back().is_none_or(|(at, _)| now.saturating_sub(*at) >= SAMPLE_EVERY) {
			self.samples.push_back((now, last));
		}
		while self.samples.len() > 1 && self.samples[1].0 + WINDOW <= now {
			self.samples.pop_front();
		}
	}

	/// The last column's gain per second since the oldest sample kept.
	fn rate(&self, now: Duration) -> f64 {
		let Some(&(at, then)) = self.samples.front() else { return 0.0 };
		let secs = now.saturating_sub(at).as_secs_f64();
		let gained = self.counts.last().copied().unwrap_or(0).saturating_sub(then);
		if secs > 0.0 {
			gained as f64 / secs
		} else {
			0.0
		}
	}

	fn line(&self, now: Duration) -> String {
		let secs = now.saturating_sub(self.start).as_secs();
		let mut line = format!("{}: [{secs:>4} s]", self.label);
		for (i, (name, count)) in self.columns.iter().zip(&self.counts).enumerate() {
			let gap = if i == 0 { " " } else { "  " };
			let _ = write!(line, "{gap}{name} {count}");
			if let (0, Some(total)) = (i, self.total) {
				let _ = write!(line, "/{total}");
			}
		}
		if self.with_rate {
			// Slow runs (a few a second) would read as 0/s without the decimal.
			let rate = self.rate(now);
			let precision = if rate > 0.0 && rate < 10.0 { 1 } else { 0 };
			let _ = write!(line, "  rate {rate:.precision$}/s");
		}
		if !self.detail.is_empty() {
			let _ = write!(line, "  {}", self.detail);
		}
		line
	}

	fn draw(&mut self, now: Duration) {
		let line = self.line(now);
		match self.mode {
			Mode::Live => self.emit(&format!("{CLEAR}{line}")),
			Mode::Lines => self.emit(&format!("{line}\n")),
			Mode::Off => return,
		}
		self.drawn = Some(now);
		self.shown = self.mode == Mode::Live;
	}

	/// One write per line, so that another writer to stderr cannot land inside it.
	fn emit(&mut self, text: &str) {
		let _ = self.sink.write_all(text.as_bytes());
		let _ = self.sink.flush();
	}
}

impl Drop for Progress {
	fn drop(&mut self) {
		match self.mode {
			Mode::Live if self.shown => self.emit(CLEAR),
			Mode::Lines => {
				let now = (self.clock)();
				self.sample(now);
				let line = self.line(now);
				self.emit(&format!("{line}\n"));
			},
			_ => {},
		}
	}
}

enum Row {
	Figure(String, String),
	/// A line of its own, as written (a detail under the figure above it).
	Note(String),
}

/// The figures a run ends with: a header, then `key: value` rows with the values in one column.
/// Scripts read them by key and field (`awk '{print $3}'` of `transfers finalized:` is the count),
/// so keys keep their words and values their text.
pub struct Summary {
	title: String,
	rows: Vec<Row>,
}

impl Summary {
	pub fn new(title: &str) -> Summary {
		Summary { title: title.into(), rows: Vec::new() }
	}

	pub fn row(&mut self, key: impl Into<String>, value: impl Display) -> &mut Summary {
		self.rows.push(Row::Figure(key.into(), value.to_string()));
		self
	}

	pub fn note(&mut self, text: impl Into<String>) -> &mut Summary {
		self.rows.push(Row::Note(text.into()));
		self
	}

	/// Prints the table on stdout.
	pub fn print(&self) {
		print!("{self}");
	}
}

impl Display for Summary {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		// The colon and at least one space after the longest key.
		let width = self
			.rows
			.iter()
			.filter_map(|row| match row {
				Row::Figure(key, _) => Some(key.chars().count() + 2),
				Row::Note(_) => None,
			})
			.fold(KEY_WIDTH, usize::max);
		writeln!(f, "== {}: summary ==", self.title)?;
		for row in &self.rows {
			match row {
				Row::Figure(key, value) => writeln!(f, "{:<width$}{value}", format!("{key}:"))?,
				Row::Note(text) => writeln!(f, "{text}")?,
			}
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex,
	};

	/// A writer whose bytes the test reads back.
	#[derive(Clone, Default)]
	struct Shared(Arc<Mutex<Vec<u8>>>);

	impl Write for Shared {
		fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
			self.0.lock().unwrap().extend_from_slice(bytes);
			Ok(bytes.len())
		}
		fn flush(&mut self) -> std::io::Result<()> {
			Ok(())
		}
	}

	impl Shared {
		fn text(&self) -> String {
			String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
		}
	}

	/// Progress of a transfers load whose clock (milliseconds) the test sets.
	fn progress(mode: Mode) -> (Progress, Shared, Arc<AtomicU64>) {
		let (out, ms) = (Shared::default(), Arc::new(AtomicU64::new(0)));
		let now = ms.clone();
		let clock = Box::new(move || Duration::from_millis(now.load(Ordering::SeqCst)));
		let (columns, sink) = (["sent", "in blocks", "finalized"], Box::new(out.clone()));
		let p = Progress::with("load transfers", &columns, Some(10_000), sink, mode, clock);
		(p, out, ms)
	}

	/// The elapsed seconds of each progress line.
	fn stamps(text: &str) -> Vec<u64> {
		text.lines()
			.filter_map(|l| l.strip_prefix("load transfers: ["))
			.map(|l| l.split(" s]").next().unwrap().trim().parse().unwrap())
			.collect()
	}

	#[test]
	fn a_log_gets_plain_lines_at_most_one_per_ten_seconds() {
		let (mut p, out, ms) = progress(Mode::Lines);
		for t in (0..35_000).step_by(10) {
			ms.store(t, Ordering::SeqCst);
			p.set(&[t, t / 2, t / 4]);
		}
		assert_eq!(stamps(&out.text()), [10, 20, 30]);
		ms.store(36_000, Ordering::SeqCst);
		p.finish();
		let text = out.text();
		assert_eq!(stamps(&text), [10, 20, 30, 36], "the last counts close the log:\n{text}");
		assert!(!text.contains(['\r', '\x1b']), "control characters in a log: {text:?}");
	}

	#[test]
	fn a_line_shows_the_counts_the_total_and_the_rate() {
		let (mut p, out, ms) = progress(Mode::Lines);
		ms.store(32_000, Ordering::SeqCst);
		p.set(&[6_000, 5_000, 4_100]);
		ms.store(42_000, Ordering::SeqCst);
		p.set(&[8_000, 7_600, 7_200]);
		let text = out.text();
		let last = text.lines().last().unwrap();
		assert_eq!(
			last,
			"load transfers: [  42 s] sent 8000/10000  in blocks 7600  finalized 7200  rate 310/s"
		);
	}

	#[test]
	fn a_state_line_has_no_rate_and_ends_with_its_detail() {
		let (out, clock) = (Shared::default(), Box::new(|| Duration::from_secs(12)));
		let columns = ["nodes answering", "networks finalizing"];
		let sink = Box::new(out.clone());
		let mut p = Progress::with("plexus launch", &columns, Some(8), sink, Mode::Lines, clock)
			.without_rate();
		p.detail("alpha: best #3 finalized #1 peers 3");
		p.set(&[8, 1]);
		drop(p);
		assert_eq!(
			out.text().lines().last().unwrap(),
			"plexus launch: [   0 s] nodes answering 8/8  networks finalizing 1  alpha: best #3 \
			 finalized #1 peers 3"
		);
	}

	#[test]
	fn a_phase_is_printed_at_once() {
		let (mut p, out, ms) = progress(Mode::Lines);
		ms.store(1_000, Ordering::SeqCst);
		p.set(&[10, 0, 0]);
		assert_eq!(out.text(), "", "no line is due after 1 s");
		p.phase("load: submitted 10/10 in 1.0 s; waiting for finality");
		assert_eq!(out.text(), "load: submitted 10/10 in 1.0 s; waiting for finality\n");

		let (mut p, out, _) = progress(Mode::Off);
		p.set(&[1, 1, 1]);
		p.phase("load: signing 10000 transfers");
		p.finish();
		assert_eq!(out.text(), "load: signing 10000 transfers\n", "off still prints steps");
	}

	#[test]
	fn a_terminal_gets_one_line_redrawn_at_most_five_times_a_second() {
		let (mut p, out, ms) = progress(Mode::Live);
		for t in (0..2_000).step_by(10) {
			ms.store(t, Ordering::SeqCst);
			p.set(&[t, t, t]);
		}
		let text = out.text();
		assert!(text.starts_with(CLEAR), "{text:?}");
		assert!(!text.contains('\n'), "a live line never scrolls: {text:?}");
		// At 0, 200, ..., 1800 ms.
		assert_eq!(text.matches(CLEAR).count(), 10, "{text:?}");

		// A phase erases the line, stays above it, and the line is back at once.
		p.phase("load: submitted");
		let redrawn = p.line(Duration::from_millis(1_990));
		assert!(out.text().ends_with(&format!("{CLEAR}load: submitted\n{CLEAR}{redrawn}")));

		p.finish();
		assert!(out.text().ends_with(&format!("/s{CLEAR}")), "finish erases the line");
	}

	#[test]
	fn the_rate_is_over_the_last_ten_seconds() {
		let (mut p, _, _) = progress(Mode::Off);
		let at = |p: &mut Progress, secs: u64, finalized: u64| {
			p.counts = vec![0, 0, finalized];
			p.sample(Duration::from_secs(secs));
			p.rate(Duration::from_secs(secs))
		};
		// 100 a second for 20 s.
		let mut rate = 0.0;
		for secs in 1..=20 {
			rate = at(&mut p, secs, 100 * secs);
		}
		assert_eq!(rate, 100.0);
		// Then nothing: the rate falls as the window leaves the busy seconds behind.
		assert_eq!(at(&mut p, 25, 2_000), 50.0);
		assert_eq!(at(&mut p, 31, 2_000), 0.0);
	}

	#[test]
	fn progress_setting_overrides_detection() {
		assert_eq!(Mode::parse("live"), Some(Mode::Live));
		assert_eq!(Mode::parse(" Lines\n"), Some(Mode::Lines));
		assert_eq!(Mode::parse("off"), Some(Mode::Off));
		assert_eq!(Mode::parse("yes"), None);
		assert_eq!(Mode::choose(None, true, Some("xterm-256color")), Mode::Live);
		assert_eq!(Mode::choose(None, true, Some("dumb")), Mode::Lines);
		assert_eq!(Mode::choose(None, false, Some("xterm")), Mode::Lines);
		assert_eq!(Mode::choose(Some("live"), false, None), Mode::Live);
		assert_eq!(Mode::choose(Some("off"), true, Some("xterm")), Mode::Off);
		assert_eq!(Mode::choose(Some("fancy"), false, None), Mode::Lines, "unknown: detected");
	}

	#[test]
	fn summary_values_line_up_and_keep_their_awk_fields() {
		let mut summary = Summary::new("load transfers");
		summary.row("transfers submitted", 1234);
		summary.row("transfers finalized", "1234 in blocks #5..#9");
		summary.note("  aborted     3×  Timeout");
		summary.row("finalized transfers/s", 310);
		let text = summary.to_string();
		assert_eq!(
			text,
			"== load transfers: summary ==\n\
			 transfers submitted:   1234\n\
			 transfers finalized:   1234 in blocks #5..#9\n  \
			 aborted     3×  Timeout\n\
			 finalized transfers/s: 310\n"
		);
		// scripts/throughput.sh: grep -m1 'transfers finalized' | awk '{print $3}'
		let line = text.lines().find(|l| l.contains("transfers finalized")).unwrap();
		assert_eq!(line.split_whitespace().nth(2), Some("1234"));

		// Short keys keep the column the load generators always used.
		let mut short = Summary::new("load contracts");
		short.row("most in one block", 7);
		assert_eq!(short.to_string().lines().nth(1), Some("most in one block:    7"));
	}
}
