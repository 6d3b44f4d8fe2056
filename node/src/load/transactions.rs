//! `plexus-node load transactions`: resource-manager transactions committed on another network.
//!
//! 1. `--from`'s `//Alice` prepares `--count` transactions, each writing one of 64 records on the
//!    `--to` network (and holding `--hold` from Alice for Bob, paid out on commit), as fast as its
//!    pool takes them.
//! 2. Both chains are followed block by block through their events: `ResourceManager.Prepared`,
//!    `Committed` and `Aborted` on the coordinator, `ResourceManager.Applied` on the target.
//! 3. Per transaction: the time from the coordinator finalizing the block that prepared it to the
//!    coordinator importing the block that committed it; overall: transactions committed per second
//!    on the coordinator and applied per second on the target.
//!
//! A relayer must be running on the bridge (as `launch` does).

use super::{percentile, transfers::machine};
use crate::progress::{Progress, Summary};
use pallet_resource_manager::{Action, Event as TrmEvent, Hold, TxId};
use plexus_client::{Client, Follower};
use plexus_runtime::{configs::MaxRecordsPerOwner, RuntimeCall, RuntimeEvent};
use sp_core::{crypto::Pair as _, sr25519};
use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

#[derive(Debug, clap::Parser)]
pub struct TransactionsCmd {
	/// Websocket RPC endpoint of the coordinating network.
	#[arg(long)]
	pub from: String,
	/// Websocket RPC endpoint of the target network (bridged to the coordinator).
	#[arg(long)]
	pub to: String,
	/// Transactions to prepare.
	#[arg(long, default_value_t = 100)]
	pub count: u32,
	/// Amount (smallest units) each transaction holds from Alice for Bob; 0 holds nothing.
	#[arg(long, default_value_t = 1_000_000_000)]
	pub hold: u128,
	/// Give up after this many seconds.
	#[arg(long, default_value_t = 600)]
	pub timeout: u64,
}

#[derive(Default)]
struct Flight {
	prepared_block: Option<u32>,
	prepared_final_at: Option<Instant>,
	applied_at: Option<Instant>,
	decided_at: Option<Instant>,
	committed: bool,
	/// Why it aborted, as the coordinator's event says.
	aborted: Option<String>,
}

impl TransactionsCmd {
	pub(super) async fn run(&self) -> Result<(), String> {
		let coordinator = Client::connect(&self.from).await?;
		let target = Client::connect(&self.to).await?;
		let block_ms: u64 = coordinator
			.runtime_call::<plexus_primitives::NetworkIdentity>(
				"NetworkInfoApi_identity",
				&[],
				None,
			)
			.await?
			.block_time_ms;
		let to = target.genesis();
		let mut on_coordinator = Follower::new(&coordinator).await?;
		let mut on_target = Follower::new(&target).await?;
		let alice = sr25519::Pair::from_string("//Alice", None).expect("a valid dev seed");
		let alice_account: plexus_runtime::AccountId = alice.public().into();
		let bob: plexus_runtime::AccountId =
			sr25519::Pair::from_string("//Bob", None).expect("a valid dev seed").public().into();

		let now_ms = plexus_client::now_ms();
		let deadline = pallet_event_router::Timeout {
			height: None,
			timestamp: Some(now_ms + self.timeout * 1_000),
		};
		let columns = ["prepared", "applied", "decided"];
		let mut progress =
			Progress::new("load transactions", &columns, Some(u64::from(self.count)));
		progress.phase(&format!(
			"load: preparing {} transactions on {} that commit on {}",
			self.count, self.from, self.to
		));
		let started = Instant::now();
		let mut nonce = coordinator.next_nonce(&alice_account).await?;
		let mut prepared = 0u64;
		for i in 0..self.count {
			let call = RuntimeCall::ResourceManager(pallet_resource_manager::Call::prepare {
				target: to.0,
				// The target keeps at most `MaxRecordsPerOwner` record keys per remote account
				// and refuses one more: the keys repeat so that every commit can apply.
				action: Action::Record {
					key: format!("bench-{}", i % MaxRecordsPerOwner::get()).into_bytes(),
					value: now_ms.to_le_bytes().to_vec(),
				},
				deadline,
				hold: (self.hold > 0).then(|| Hold { amount: self.hold, beneficiary: bob.clone() }),
			});
			coordinator.submit_with_nonce(call, &alice, nonce).await?;
			nonce += 1;
			// Prepared: taken by the pool (the `Prepared` events come with the blocks).
			prepared += 1;
			progress.set(&[prepared, 0, 0]);
		}
		progress.phase(&format!(
			"load: submitted in {:.1} s; following both chains",
			started.elapsed().as_secs_f64()
		));

		let mut flights: BTreeMap<TxId, Flight> = BTreeMap::new();
		let give_up = started + Duration::from_secs(self.timeout);
		let mut decided = 0;
		while decided < self.count as usize {
			if Instant::now() > give_up {
				return Err(format!(
					"only {decided} of {} transactions decided in time",
					self.count
				));
			}
			let now = Instant::now();
			for (block, event) in on_coordinator.poll().await? {
				let RuntimeEvent::ResourceManager(event) = event else { continue };
				match event {
					TrmEvent::Prepared { tx, initiator, .. } if initiator == alice_account => {
						flights.entry(tx).or_default().prepared_block = Some(block)
					},
					TrmEvent::Committed { tx, .. } => {
						if let Some(flight) = flights.get_mut(&tx) {
							flight.decided_at.get_or_insert(now);
							flight.committed = true;
						}
					},
					TrmEvent::Aborted { tx, reason, .. } => {
						if let Some(flight) = flights.get_mut(&tx) {
							flight.decided_at.get_or_insert(now);
							flight.aborted = Some(format!("{reason:?}"));
						}
					},
					_ => {},
				}
			}
			for (_, event) in on_target.poll().await? {
				if let RuntimeEvent::ResourceManager(TrmEvent::Applied { tx, .. }) = event {
					if let Some(flight) = flights.get_mut(&tx) {
						flight.applied_at.get_or_insert(now);
					}
				}
			}
			let finalized = coordinator.finalized_head().await?.number;
			for flight in flights.values_mut() {
				if flight.prepared_block.is_some_and(|b| b <= finalized) {
					flight.prepared_final_at.get_or_insert(now);
				}
			}
			decided = flights.values().filter(|f| f.decided_at.is_some()).count();
			let applied = flights.values().filter(|f| f.applied_at.is_some()).count();
			progress.set(&[prepared, applied as u64, decided as u64]);
			tokio::time::sleep(Duration::from_millis(200)).await;
		}

		progress.finish();
		let committed = flights.values().filter(|f| f.committed).count();
		let mut latencies: Vec<f64> = flights
			.values()
			.filter_map(|f| Some(f.decided_at?.duration_since(f.prepared_final_at?).as_secs_f64()))
			.collect();
		latencies.sort_by(|a, b| a.total_cmp(b));
		let rate = |instants: Vec<Instant>| {
			let first = instants.iter().min().copied()?;
			let last = instants.iter().max().copied()?;
			let window = last.duration_since(first).as_secs_f64();
			(window > 0.0).then(|| (instants.len() as f64 / window, window))
		};
		let block_secs = block_ms as f64 / 1_000.0;
		let (median, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
		let mut summary = Summary::new("load transactions");
		summary.row(
			"transactions decided",
			format!("{decided} ({committed} committed, {} aborted)", decided - committed),
		);
		let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
		for reason in flights.values().filter_map(|f| f.aborted.as_deref()) {
			*reasons.entry(reason).or_default() += 1;
		}
		for (reason, count) in reasons {
			summary.note(format!("  aborted {count:>5}×  {reason}"));
		}
		summary.row(
			"prepare to commit after coordinator finality",
			format!(
				"median {median:.1} s ({:.1} blocks), p99 {p99:.1} s ({:.1} blocks)",
				median / block_secs,
				p99 / block_secs
			),
		);
		let end_to_end = rate(flights.values().filter_map(|f| f.decided_at).collect());
		let commit_rate = match end_to_end {
			Some((per_sec, window)) => format!(
				"{per_sec:.0} transactions/s decided on the coordinator (over {window:.1} s)"
			),
			None => "all decided within one block".to_string(),
		};
		summary.row("commit rate", commit_rate);
		if let Some((per_sec, window)) =
			rate(flights.values().filter_map(|f| f.applied_at).collect())
		{
			summary.row(
				"apply rate",
				format!("{per_sec:.0} transactions/s applied on the target (over {window:.1} s)"),
			);
		}
		let total = started.elapsed().as_secs_f64();
		summary.row(
			"throughput",
			format!(
				"{:.1} transactions/s from the first submission to the last decision ({total:.1} s)",
				decided as f64 / total
			),
		);
		summary.row("machine", machine());
		summary.print();
		Ok(())
	}
}
