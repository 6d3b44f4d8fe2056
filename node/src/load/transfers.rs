//! `plexus-node load transfers`: a load generator that prints finalized transfers per second.
//!
//! 1. Derive `--accounts` sender accounts (`//plexus-bench//N`) and fund them from `--funder`.
//! 2. Sign `--accounts × --per-account` transfers up front, so signing does not limit the rate.
//! 3. Submit them over `--connections` websocket connections, keeping each sender's nonces in order.
//! 4. Walk the finalized chain and count the transfers included, until every sender's finalized
//!    nonce shows all its transfers or `--timeout` passes. Print submitted, finalized, elapsed
//!    time, rate, and the machine. With `--within-blocks K`, also check that all of them are in
//!    the block K above the best block at the end of submission (nothing accepted waits longer).

use crate::progress::{Progress, Summary};
use codec::Encode;
use plexus_client::Client;
use plexus_runtime::{signing, AccountId, BalancesCall, Nonce, RuntimeCall, UNIT};
use sp_core::{crypto::Pair as _, sr25519, H256};
use std::{
	collections::BTreeMap,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

#[derive(Debug, clap::Parser)]
pub struct TransfersCmd {
	/// Websocket RPC endpoint of a node of the network under test.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	pub rpc: String,
	/// Number of sending accounts.
	#[arg(long, default_value_t = 200)]
	pub accounts: u32,
	/// Index of the first sending account (`//plexus-bench//N`), so that loads sent to several
	/// nodes at once use distinct senders.
	#[arg(long, default_value_t = 0)]
	pub first_account: u32,
	/// Transfers each account sends.
	#[arg(long, default_value_t = 25)]
	pub per_account: u32,
	/// Parallel RPC connections used to submit.
	#[arg(long, default_value_t = 8)]
	pub connections: usize,
	/// Secret URI of the account that funds the senders.
	#[arg(long, default_value = "//Alice")]
	pub funder: String,
	/// Give up waiting for finality after this many seconds.
	#[arg(long, default_value_t = 300)]
	pub timeout: u64,
	/// The senders are funded already (by an earlier run): skip step 1, which waits for the
	/// funding to be finalized.
	#[arg(long)]
	pub funded: bool,
	/// Submit at most this many transfers per second (all connections together): a steady load
	/// instead of a burst.
	#[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
	pub rate: Option<u32>,
	/// Fail unless every transfer is in the finalized chain at most this many blocks above the
	/// node's best block when the last submission was answered.
	#[arg(long)]
	pub within_blocks: Option<u32>,
}

/// Signed extrinsics in block `hash` (every extrinsic but the timestamp inherent), and the
/// block's timestamp (ms).
async fn transactions_in_block(client: &Client, hash: H256) -> Result<(u64, u64), String> {
	let block = client.block(hash).await?;
	let now_key =
		[sp_io::hashing::twox_128(b"Timestamp"), sp_io::hashing::twox_128(b"Now")].concat();
	let timestamp: u64 = client.storage_at(now_key, Some(hash)).await?.unwrap_or_default();
	Ok(((block.extrinsics.len() as u64).saturating_sub(1), timestamp))
}

/// The blocks above the start of the load in the node's best chain: hash, signed extrinsics and
/// timestamp of each. Each block is read once, again only if a re-org replaced it; the finalized
/// walk takes its figures from here rather than read every block twice.
#[derive(Default)]
struct Chain(BTreeMap<u32, (H256, u64, u64)>);

impl Chain {
	/// Reads what is new from block `from` (the first not yet walked as finalized) to the best.
	async fn refresh(&mut self, client: &Client, from: u32) -> Result<(), String> {
		let best = client.best_number().await?;
		self.0.retain(|n, _| *n <= best);
		// Blocks not read yet, and the last few again in case of a re-org: not every block since
		// the start on every call.
		let unread = (from..=best).find(|n| !self.0.contains_key(n)).unwrap_or(best + 1);
		for n in unread.min(best.saturating_sub(REORG_DEPTH)).max(from)..=best {
			let hash = client.block_hash(n).await?;
			if self.0.get(&n).map(|block| block.0) != Some(hash) {
				let (signed, timestamp) = transactions_in_block(client, hash).await?;
				self.0.insert(n, (hash, signed, timestamp));
			}
		}
		Ok(())
	}

	/// Signed extrinsics in the blocks: for progress only, as other senders' count too.
	fn signed(&self) -> u64 {
		self.0.values().map(|block| block.1).sum()
	}
}

/// The rate once the load is on: the transfers of every loaded block after the first, over the
/// time from the first loaded block's timestamp to the last one's. `None` with fewer than two.
fn sustained_rate(loaded: &[(u64, u64)]) -> Option<(u64, f64)> {
	let (&(_, first_ms), rest) = loaded.split_first()?;
	let &(_, last_ms) = rest.last()?;
	let transfers: u64 = rest.iter().map(|(n, _)| n).sum();
	let secs = last_ms.saturating_sub(first_ms) as f64 / 1000.0;
	(secs > 0.0).then(|| (transfers, transfers as f64 / secs))
}

/// Submits `xts` in order, at most 256 in flight, and with `rate` at most that many a second. A
/// transaction the pool turns away for being full is retried after a pause (up to
/// [`MAX_RETRIES`] times): a node's pool holds ~8,000 ready transactions, fewer than a large run
/// submits. `sent` counts the accepted ones as they are, for progress.
async fn submit_all(
	client: &Client,
	xts: &[Vec<u8>],
	rate: Option<f64>,
	sent: &AtomicU64,
) -> (u64, Option<String>) {
	let mut ok = 0;
	let mut first_error = None;
	// Paced: chunks of a tenth of a second's worth, each sent when the rate allows.
	let chunk_len = rate.map_or(256, |r| ((r / 10.0).ceil() as usize).clamp(1, 256));
	let started = Instant::now();
	for (i, chunk) in xts.chunks(chunk_len).enumerate() {
		if let Some(rate) = rate {
			let due = started + Duration::from_secs_f64((i * chunk_len) as f64 / rate);
			tokio::time::sleep_until(due.into()).await;
		}
		let mut pending: Vec<&Vec<u8>> = chunk.iter().collect();
		for attempt in 0..=MAX_RETRIES {
			let calls = pending.iter().map(|xt| client.submit_encoded(xt));
			let results = futures::future::join_all(calls).await;
			let mut retry = Vec::new();
			for (xt, r) in pending.into_iter().zip(results) {
				match r {
					Ok(_) => {
						ok += 1;
						sent.fetch_add(1, Ordering::Relaxed);
					},
					Err(e) if attempt < MAX_RETRIES && is_pool_full(&e) => retry.push(xt),
					Err(e) => {
						first_error.get_or_insert(e);
					},
				}
			}
			if retry.is_empty() {
				break;
			}
			pending = retry;
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}
	(ok, first_error)
}

/// Blocks read again on each progress refresh, in case the best chain changed under them.
const REORG_DEPTH: u32 = 16;

const MAX_RETRIES: usize = 120;

/// The pool's "come back later" answers: its limits, or a dependency not yet ready.
fn is_pool_full(error: &str) -> bool {
	["1014", "1016", "limit", "Immediately Dropped", "Priority is too low"]
		.iter()
		.any(|needle| error.contains(needle))
}

pub(super) fn machine() -> String {
	let cpu = std::fs::read_to_string("/proc/cpuinfo")
		.ok()
		.and_then(|s| {
			s.lines()
				.find(|l| l.starts_with("model name"))
				.map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
		})
		.unwrap_or_else(|| "unknown CPU".into());
	let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
	format!("{cores} cores, {cpu}")
}

impl TransfersCmd {
	/// Step 1: funds every sender from `funder` and waits until the funding is finalized.
	async fn fund(
		&self,
		client: &Client,
		funder: &sr25519::Pair,
		senders: &[sr25519::Pair],
		progress: &mut Progress,
	) -> Result<(), String> {
		let genesis = client.genesis();
		progress.phase(&format!("load: funding {} accounts from {}", senders.len(), self.funder));
		let funder_account: AccountId = funder.public().into();
		let mut nonce = client.next_nonce(&funder_account).await?;
		let mut funding = Vec::new();
		for s in senders {
			let dest: AccountId = s.public().into();
			let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
				dest: dest.into(),
				value: 100 * UNIT,
			});
			funding.push(signing::sign(call, funder, nonce, genesis).encode());
			nonce += 1;
		}
		let (accepted, err) = submit_all(client, &funding, None, &AtomicU64::new(0)).await;
		if accepted as usize != funding.len() {
			return Err(format!(
				"funding: {accepted} of {} accepted; first error: {err:?}",
				funding.len()
			));
		}
		let deadline = Instant::now() + Duration::from_secs(self.timeout);
		loop {
			let nonce: Nonce = client.next_nonce(&funder_account).await?;
			if nonce as usize >= funding.len()
				&& finalized_contains_nonce(client, &funder_account, nonce).await?
			{
				break;
			}
			if Instant::now() > deadline {
				return Err("funding transfers were not finalized in time".into());
			}
			progress.tick();
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		Ok(())
	}

	pub(super) async fn run(&self) -> Result<(), String> {
		let client = Client::connect(&self.rpc).await?;
		let genesis = client.genesis();
		let funder = sr25519::Pair::from_string(&self.funder, None)
			.map_err(|e| format!("bad --funder: {e:?}"))?;
		let senders: Vec<sr25519::Pair> = (self.first_account..self.first_account + self.accounts)
			.map(|i| {
				sr25519::Pair::from_string(&format!("//plexus-bench//{i}"), None)
					.expect("valid derivation; qed")
			})
			.collect();
		let receiver: AccountId = sr25519::Pair::from_string("//plexus-bench//sink", None)
			.expect("valid derivation; qed")
			.public()
			.into();

		let total = u64::from(self.accounts) * u64::from(self.per_account);
		let mut progress =
			Progress::new("load transfers", &["sent", "in blocks", "finalized"], Some(total));

		// 1. Fund the senders (enough for fees and the transfers).
		if !self.funded {
			self.fund(&client, &funder, &senders, &mut progress).await?;
		}

		// 2. Sign every transfer up front.
		progress.phase(&format!("load: signing {total} transfers"));
		let mut batches: Vec<Vec<Vec<u8>>> = vec![Vec::new(); self.connections.max(1)];
		let mut expected = Vec::with_capacity(senders.len());
		for (i, s) in senders.iter().enumerate() {
			let who: AccountId = s.public().into();
			let first = client.next_nonce(&who).await?;
			expected.push((who.clone(), first + self.per_account));
			for k in 0..self.per_account {
				let call = RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
					dest: receiver.clone().into(),
					value: UNIT / 1_000,
				});
				// A sender's transactions stay on one connection, in nonce order.
				let lanes = batches.len();
				batches[i % lanes].push(signing::sign(call, s, first + k, genesis).encode());
			}
			progress.tick();
		}

		// 3. Submit, and 4. count what gets finalized.
		let deadline = Instant::now() + Duration::from_secs(self.timeout);
		let start_block = client.finalized_number().await?;
		let started = Instant::now();
		let sent = Arc::new(AtomicU64::new(0));
		let mut tasks = Vec::new();
		let lanes = batches.len() as f64;
		for batch in batches {
			let url = self.rpc.clone();
			let rate = self.rate.map(|r| f64::from(r) / lanes);
			let sent = sent.clone();
			tasks.push(tokio::spawn(async move {
				let c = Client::connect(&url).await?;
				Ok::<_, String>(submit_all(&c, &batch, rate, &sent).await)
			}));
		}
		// Blocks are read while the tasks submit, for progress; a read under way is dropped the
		// moment they are done, so that the submission's end is timed as before.
		let mut chain = Chain::default();
		let mut joined = std::pin::pin!(futures::future::join_all(tasks));
		let results = loop {
			tokio::select! {
				results = &mut joined => break results,
				read = async {
					tokio::time::sleep(Duration::from_millis(500)).await;
					chain.refresh(&client, start_block + 1).await
				} => {
					// Progress only: a failed read must not end the measurement.
					if let Err(e) = read {
						log::debug!("load: reading blocks for progress: {e}");
					}
					progress.set(&[sent.load(Ordering::Relaxed), chain.signed(), 0]);
				},
			}
		};
		let mut submitted = 0;
		for result in results {
			let (ok, err) = result.map_err(|e| e.to_string())??;
			submitted += ok;
			if let Some(e) = err {
				progress.phase(&format!("load: a submission was refused: {e}"));
			}
		}
		let submit_secs = started.elapsed().as_secs_f64();
		let best_at_end = client.best_number().await?;
		progress.phase(&format!(
			"load: submitted {submitted}/{total} in {submit_secs:.1} s (best block #{best_at_end}); \
			 waiting for finality"
		));

		// Done when every sender's finalized nonce shows all its transfers: exact even when other
		// loads share the chain. Blocks are walked for the rate and the largest block.
		let mut next = start_block + 1;
		let mut best_block = 0;
		let mut last_included = started;
		let mut finalized_transfers = 0;
		let mut counts = vec![0u32; expected.len()];
		let mut loaded = Vec::new();
		while Instant::now() < deadline {
			let fin = client.finalized_number().await?;
			// The best block, read after, is at or above `fin`: every block to walk is in `chain`.
			chain.refresh(&client, next).await?;
			let advanced = next <= fin;
			while next <= fin {
				let Some(&(_, n, timestamp)) = chain.0.get(&next) else { break };
				if n > 0 {
					last_included = Instant::now();
					loaded.push((n, timestamp));
				}
				best_block = best_block.max(n);
				next += 1;
			}
			if advanced {
				let head = client.block_hash(fin).await?;
				finalized_transfers =
					included(&client, &expected, self.per_account, head, &mut counts).await?;
			}
			progress.set(&[submitted, chain.signed(), finalized_transfers]);
			if advanced && finalized_transfers >= submitted {
				break;
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		progress.finish();
		let secs = last_included.duration_since(started).as_secs_f64().max(0.001);
		let mut summary = Summary::new("load transfers");
		summary.row("transfers submitted", submitted);
		summary.row(
			"transfers finalized",
			format!("{finalized_transfers} in blocks #{}..#{}", start_block + 1, next - 1),
		);
		summary.row("largest block", format!("{best_block} transfers"));
		let finality = format!("{secs:.1} s (submission took {submit_secs:.1} s)");
		summary.row("time to finality", finality);
		summary.row("finalized transfers/s", format!("{:.0}", finalized_transfers as f64 / secs));
		if let Some((transfers, rate)) = sustained_rate(&loaded) {
			summary.row(
				"sustained",
				format!(
					"{rate:.0} transfers/s ({transfers} in the {} loaded blocks after the first, by \
					 their timestamps)",
					loaded.len() - 1
				),
			);
		}
		summary.row("machine", machine());
		// The table is printed on failure too: its figures say how far the run got.
		let failure = if finalized_transfers < submitted {
			Some(format!(
				"only {finalized_transfers} of {submitted} transfers were finalized within {} s",
				self.timeout
			))
		} else if let Some(k) = self.within_blocks {
			let limit = best_at_end + k;
			match by_block(&client, &expected, self.per_account, limit).await {
				Ok(by_then) => {
					let value = format!("{by_then} transfers (best was #{best_at_end})");
					summary.row(format!("by block #{limit}"), value);
					(by_then < submitted).then(|| {
						format!(
							"only {by_then} of {submitted} transfers were in the chain by block \
							 #{limit}, {k} blocks above the best block when submission ended"
						)
					})
				},
				Err(e) => Some(e),
			}
		} else {
			None
		};
		summary.print();
		failure.map_or(Ok(()), Err)
	}
}

/// How many of the transfers are in the finalized chain at block `limit` (at the finalized head
/// if that is lower).
async fn by_block(
	client: &Client,
	expected: &[(AccountId, Nonce)],
	per_account: u32,
	limit: u32,
) -> Result<u64, String> {
	let at = client.block_hash(limit.min(client.finalized_number().await?)).await?;
	let mut counts = vec![0u32; expected.len()];
	included(client, expected, per_account, at, &mut counts).await
}

/// How many of each sender's transfers are in the chain at `at`: its nonce there, less where it
/// started, at most `per_account`. Only senders below `per_account` in `counts` are asked again
/// (nonces in one chain only grow). Returns the sum.
async fn included(
	client: &Client,
	expected: &[(AccountId, Nonce)],
	per_account: u32,
	at: sp_core::H256,
	counts: &mut [u32],
) -> Result<u64, String> {
	for ((who, target), count) in expected.iter().zip(counts.iter_mut()) {
		if *count < per_account {
			let first = target - per_account;
			*count = nonce_at(client, who, at).await?.clamp(first, *target) - first;
		}
	}
	Ok(counts.iter().map(|c| u64::from(*c)).sum())
}

/// `who`'s nonce in the state of block `at`.
async fn nonce_at(client: &Client, who: &AccountId, at: sp_core::H256) -> Result<Nonce, String> {
	client.runtime_call("AccountNonceApi_account_nonce", &who.encode(), Some(at)).await
}

/// Whether the funder's nonce at the finalized head has reached `nonce`.
async fn finalized_contains_nonce(
	client: &Client,
	who: &AccountId,
	nonce: Nonce,
) -> Result<bool, String> {
	Ok(nonce_at(client, who, client.finalized_hash().await?).await? >= nonce)
}

#[cfg(test)]
mod tests {
	use super::sustained_rate;

	#[test]
	fn sustained_rate_leaves_out_the_first_loaded_block() {
		assert_eq!(sustained_rate(&[]), None);
		assert_eq!(sustained_rate(&[(400, 6_000)]), None);
		// 400 in the ramp-up block, then two full blocks 2 s apart each.
		let (transfers, rate) = sustained_rate(&[(400, 6_000), (3_333, 8_000), (3_333, 10_000)])
			.expect("three loaded blocks");
		assert_eq!(transfers, 6_666);
		assert!((rate - 1_666.5).abs() < 1e-9, "{rate}");
		// Blocks with the same timestamp give no rate rather than an infinite one.
		assert_eq!(sustained_rate(&[(1, 6_000), (1, 6_000)]), None);
	}
}
