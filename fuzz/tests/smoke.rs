//! A quick look without cargo-fuzz: each target for a while on random inputs and on random
//! mutations of its corpus (not coverage-guided, so it finds far less than `scripts/fuzz.sh`),
//! on any toolchain. Prints executions per target and saves each input that panics:
//!
//! `FUZZ_SMOKE_SECONDS=60 cargo test -p plexus-fuzz --test smoke -- --ignored --nocapture`
//!
//! (`FUZZ_SMOKE_TARGETS=a,b` picks targets; the inputs that panic go to
//! `$TMPDIR/plexus-fuzz-smoke/<target>/`.)

use std::{
	panic::{catch_unwind, AssertUnwindSafe},
	path::Path,
	time::{Duration, Instant},
};

struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 << 13;
		self.0 ^= self.0 >> 7;
		self.0 ^= self.0 << 17;
		self.0
	}

	fn below(&mut self, n: usize) -> usize {
		(self.next() % n.max(1) as u64) as usize
	}
}

/// An input: random bytes, or a corpus input with a few bytes flipped, inserted or removed, or
/// spliced with another.
fn input(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
	if corpus.is_empty() || rng.below(4) == 0 {
		let len = rng.below(1024);
		return (0..len).map(|_| rng.next() as u8).collect();
	}
	let mut data = corpus[rng.below(corpus.len())].clone();
	for _ in 0..1 + rng.below(8) {
		match rng.below(4) {
			0 if !data.is_empty() => {
				let at = rng.below(data.len());
				data[at] ^= 1 << rng.below(8);
			},
			1 => {
				let at = rng.below(data.len() + 1);
				data.insert(at, rng.next() as u8);
			},
			2 if !data.is_empty() => {
				data.remove(rng.below(data.len()));
			},
			_ => {
				let other = &corpus[rng.below(corpus.len())];
				let keep = rng.below(data.len() + 1);
				data.truncate(keep);
				data.extend_from_slice(&other[rng.below(other.len() + 1)..]);
			},
		}
	}
	data
}

#[test]
#[ignore = "runs for FUZZ_SMOKE_SECONDS per target"]
fn smoke() {
	let seconds: u64 =
		std::env::var("FUZZ_SMOKE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
	let only = std::env::var("FUZZ_SMOKE_TARGETS").ok();
	let out = std::env::temp_dir().join("plexus-fuzz-smoke");
	// Panics are counted and saved; their messages would drown the summary.
	let default_hook = std::panic::take_hook();
	std::panic::set_hook(Box::new(|_| {}));
	let mut summary = Vec::new();
	for (target, fuzz) in plexus_fuzz::TARGETS {
		if only.as_ref().is_some_and(|only| !only.split(',').any(|t| t == *target)) {
			continue;
		}
		let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
		let corpus: Vec<Vec<u8>> = std::fs::read_dir(dir)
			.map(|entries| entries.flatten().filter_map(|e| std::fs::read(e.path()).ok()).collect())
			.unwrap_or_default();
		let mut rng = Rng(0x5eed ^ target.len() as u64);
		let (started, mut execs, mut panics) = (Instant::now(), 0u64, Vec::new());
		while started.elapsed() < Duration::from_secs(seconds) {
			let data = input(&mut rng, &corpus);
			execs += 1;
			if catch_unwind(AssertUnwindSafe(|| fuzz(&data))).is_err() && panics.len() < 20 {
				let path = out.join(target).join(format!("panic-{execs}"));
				std::fs::create_dir_all(path.parent().unwrap()).unwrap();
				std::fs::write(&path, &data).unwrap();
				panics.push(path);
			}
		}
		let elapsed = started.elapsed().as_secs_f64();
		summary.push(format!(
			"{target}: {execs} executions in {elapsed:.0} s ({:.0}/s), {} panicking inputs{}",
			execs as f64 / elapsed,
			panics.len(),
			panics.iter().map(|p| format!("\n    {}", p.display())).collect::<String>()
		));
	}
	std::panic::set_hook(default_hook);
	for line in &summary {
		println!("smoke: {line}");
	}
}
