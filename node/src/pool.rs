//! The transaction pool of a Plexus node: which pool, and what it admits.
//!
//! Two ways the pools of sc-transaction-pool 48 drop transactions they had accepted, and what
//! Plexus does about each (docs/reliability.md, "The pool stall").
//!
//! **Which pool.** Plexus nodes run the single-state pool unless `--pool-type` is given. The
//! fork-aware pool (upstream's default) loses accepted transactions under a burst, with or
//! without forks:
//!
//! 1. A sender's transactions arrive close together; validation finishes out of order, so a view
//!    (the pool's state at one block) holds transaction `n + 1` as *future* until `n` is imported.
//! 2. A new block comes; its view is cloned from the old one before `n + 1` was imported there, so
//!    only the old view has ever reported `n + 1`.
//! 3. The old view is removed when its block is finalized. The dropped-transaction watcher sees a
//!    future transaction that no view references and removes it from the mempool, reporting
//!    "LimitsEnforced" although no limit was reached. The view then reports it ready: too late.
//! 4. Every later transaction of that sender waits as future for a nonce that will never come,
//!    until the sender submits again. Nothing reports the loss to an unwatched submitter.
//!
//! A ready transaction left without views is kept (`Viewless`); a future one is not. Measured here
//! (debug build, `--dev`, `load transfers --accounts 400 --per-account 25`): fork-aware lost 3
//! and 43 transfers in two runs; single-state lost none, at the same rate (481 vs 478 finalized
//! transfers/s). The single-state pool does not keep views per fork; it resubmits the
//! transactions of retracted blocks on a re-org, which the forking-burst test exercises.
//!
//! **What it admits.** A full pool makes room by evicting its *oldest* transactions of the lowest
//! priority, with everything that depends on them (`base_pool::enforce_limits`): a burst larger
//! than `--pool-limit` (8,192) had its first transfers accepted and later silently dropped, 226 of
//! 10,000 in one run here. [`AdmissionGate`] turns that into a refusal at the door: a submission
//! is answered "Immediately Dropped" (1016, retry later) when the transactions in the pool and on
//! their way in would reach `--pool-limit` or `--pool-kbytes`. The pool underneath is configured
//! ten times larger (its future queue is a tenth of its ready queue), so it never reaches its own
//! limits through submissions and never evicts what the gate let in. Transactions of retracted
//! blocks put back on a re-org bypass the gate; those are the only ones that can still meet the
//! pool's own limits.

use sc_cli::{TransactionPoolParams, TransactionPoolType};
use sc_transaction_pool_api::{
	error::Error as PoolError, ChainEvent, ImportNotificationStream, LocalTransactionFor,
	LocalTransactionPool, MaintainedTransactionPool, PoolStatus, ReadyTransactions, TransactionFor,
	TransactionPool, TransactionSource, TransactionStatusStreamFor, TxHash, TxInvalidityReportMap,
};
use sp_runtime::traits::Block as BlockT;
use std::{
	collections::HashMap,
	pin::Pin,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, OnceLock,
	},
};

/// How much larger than the admission limits the pool underneath is.
pub const HEADROOM: usize = 10;

/// What the gate admits: the operator's `--pool-limit` and `--pool-kbytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admission {
	pub count: usize,
	pub bytes: usize,
}

impl Admission {
	fn of(params: &TransactionPoolParams) -> Self {
		Admission { count: params.pool_limit, bytes: params.pool_kbytes * 1024 }
	}

	/// Whether `status` plus `pending` transactions of `pending_bytes` still fit.
	fn fits(&self, status: &PoolStatus, pending: usize, pending_bytes: usize) -> bool {
		status.ready + status.future + pending <= self.count
			&& status.ready_bytes + status.future_bytes + pending_bytes <= self.bytes
	}
}

/// The limits of this process's gate. sc-service's `Configuration` keeps the pool options private,
/// so the command line hands them to the service here; a node built without the command line
/// (tests, benchmarks) gets sc-cli's defaults.
static ADMISSION: OnceLock<Admission> = OnceLock::new();

/// The gate's limits (see [`ADMISSION`]).
pub fn admission() -> Admission {
	*ADMISSION.get_or_init(|| Admission { count: 8192, bytes: 20480 * 1024 })
}

/// Whether the command line names a pool type itself.
pub fn pool_type_given<I, S>(args: I) -> bool
where
	I: IntoIterator<Item = S>,
	S: AsRef<std::ffi::OsStr>,
{
	args.into_iter().any(|arg| {
		let arg = arg.as_ref().to_string_lossy();
		arg == "--pool-type" || arg.starts_with("--pool-type=")
	})
}

/// Applies Plexus's pool settings to the parsed command line: the single-state pool unless the
/// operator chose one, the operator's limits kept for the gate, and the pool underneath made
/// [`HEADROOM`] times larger.
pub fn configure(params: &mut TransactionPoolParams, pool_type_given: bool) -> Admission {
	if !pool_type_given {
		params.pool_type = TransactionPoolType::SingleState;
	}
	let admission = Admission::of(params);
	let _ = ADMISSION.set(admission);
	params.pool_limit = params.pool_limit.saturating_mul(HEADROOM);
	params.pool_kbytes = params.pool_kbytes.saturating_mul(HEADROOM);
	admission
}

/// A transaction pool that refuses a submission it might later have to evict (module docs).
pub struct AdmissionGate<P> {
	inner: Arc<P>,
	limits: Admission,
	/// Submissions being validated, and their bytes: admitted, not yet in `status()`.
	pending: AtomicUsize,
	pending_bytes: AtomicUsize,
}

/// One admitted submission; it stops counting as pending when dropped.
struct Admitted<'a, P> {
	gate: &'a AdmissionGate<P>,
	bytes: usize,
}

impl<P> Drop for Admitted<'_, P> {
	fn drop(&mut self) {
		self.gate.pending.fetch_sub(1, Ordering::SeqCst);
		self.gate.pending_bytes.fetch_sub(self.bytes, Ordering::SeqCst);
	}
}

impl<P: TransactionPool> AdmissionGate<P> {
	pub fn new(inner: Arc<P>, limits: Admission) -> Self {
		AdmissionGate {
			inner,
			limits,
			pending: AtomicUsize::new(0),
			pending_bytes: AtomicUsize::new(0),
		}
	}

	/// Counts a submission of `bytes` in, or refuses it when it might not fit.
	/// The caller turns `Err` into its own error type (the pool's or the local pool's).
	fn admit(&self, bytes: usize) -> Result<Admitted<'_, P>, PoolError> {
		let pending = self.pending.fetch_add(1, Ordering::SeqCst) + 1;
		let pending_bytes = self.pending_bytes.fetch_add(bytes, Ordering::SeqCst) + bytes;
		let admitted = Admitted { gate: self, bytes };
		if self.limits.fits(&self.inner.status(), pending, pending_bytes) {
			Ok(admitted)
		} else {
			Err(PoolError::ImmediatelyDropped)
		}
	}
}

fn encoded_len<B: BlockT>(xt: &B::Extrinsic) -> usize {
	codec::Encode::encoded_size(xt)
}

type Ready<P> =
	Box<dyn ReadyTransactions<Item = Arc<<P as TransactionPool>::InPoolTransaction>> + Send>;

#[async_trait::async_trait]
impl<P: TransactionPool + 'static> TransactionPool for AdmissionGate<P> {
	type Block = P::Block;
	type Hash = P::Hash;
	type InPoolTransaction = P::InPoolTransaction;
	type Error = P::Error;

	async fn submit_at(
		&self,
		at: <Self::Block as BlockT>::Hash,
		source: TransactionSource,
		xts: Vec<TransactionFor<Self>>,
	) -> Result<Vec<Result<TxHash<Self>, Self::Error>>, Self::Error> {
		let mut results = Vec::with_capacity(xts.len());
		for xt in xts {
			results.push(self.submit_one(at, source, xt).await);
		}
		Ok(results)
	}

	async fn submit_one(
		&self,
		at: <Self::Block as BlockT>::Hash,
		source: TransactionSource,
		xt: TransactionFor<Self>,
	) -> Result<TxHash<Self>, Self::Error> {
		let _admitted = self.admit(encoded_len::<Self::Block>(&xt))?;
		self.inner.submit_one(at, source, xt).await
	}

	async fn submit_and_watch(
		&self,
		at: <Self::Block as BlockT>::Hash,
		source: TransactionSource,
		xt: TransactionFor<Self>,
	) -> Result<Pin<Box<TransactionStatusStreamFor<Self>>>, Self::Error> {
		let _admitted = self.admit(encoded_len::<Self::Block>(&xt))?;
		self.inner.submit_and_watch(at, source, xt).await
	}

	async fn ready_at(&self, at: <Self::Block as BlockT>::Hash) -> Ready<Self> {
		self.inner.ready_at(at).await
	}

	fn ready(&self) -> Ready<Self> {
		self.inner.ready()
	}

	async fn report_invalid(
		&self,
		at: Option<<Self::Block as BlockT>::Hash>,
		invalid_tx_errors: TxInvalidityReportMap<TxHash<Self>>,
	) -> Vec<Arc<Self::InPoolTransaction>> {
		self.inner.report_invalid(at, invalid_tx_errors).await
	}

	fn futures(&self) -> Vec<Self::InPoolTransaction> {
		self.inner.futures()
	}

	fn status(&self) -> PoolStatus {
		self.inner.status()
	}

	fn import_notification_stream(&self) -> ImportNotificationStream<TxHash<Self>> {
		self.inner.import_notification_stream()
	}

	fn on_broadcasted(&self, propagations: HashMap<TxHash<Self>, Vec<String>>) {
		self.inner.on_broadcasted(propagations)
	}

	fn hash_of(&self, xt: &TransactionFor<Self>) -> TxHash<Self> {
		self.inner.hash_of(xt)
	}

	fn ready_transaction(&self, hash: &TxHash<Self>) -> Option<Arc<Self::InPoolTransaction>> {
		self.inner.ready_transaction(hash)
	}

	async fn ready_at_with_timeout(
		&self,
		at: <Self::Block as BlockT>::Hash,
		timeout: std::time::Duration,
	) -> Ready<Self> {
		self.inner.ready_at_with_timeout(at, timeout).await
	}
}

#[async_trait::async_trait]
impl<P: MaintainedTransactionPool + 'static> MaintainedTransactionPool for AdmissionGate<P> {
	async fn maintain(&self, event: ChainEvent<Self::Block>) {
		self.inner.maintain(event).await
	}
}

impl<P> LocalTransactionPool for AdmissionGate<P>
where
	P: TransactionPool + LocalTransactionPool<Block = <P as TransactionPool>::Block>,
{
	type Block = <P as LocalTransactionPool>::Block;
	type Hash = <P as LocalTransactionPool>::Hash;
	type Error = <P as LocalTransactionPool>::Error;

	fn submit_local(
		&self,
		at: <Self::Block as BlockT>::Hash,
		xt: LocalTransactionFor<Self>,
	) -> Result<Self::Hash, Self::Error> {
		let _admitted = self.admit(encoded_len::<Self::Block>(&xt))?;
		self.inner.submit_local(at, xt)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::Parser;

	#[derive(Parser)]
	struct Args {
		#[clap(flatten)]
		pool: TransactionPoolParams,
	}

	fn configured(args: &[&str]) -> (TransactionPoolParams, Admission) {
		let mut parsed = Args::parse_from(args);
		let admission = configure(&mut parsed.pool, pool_type_given(args));
		(parsed.pool, admission)
	}

	#[test]
	fn single_state_unless_the_operator_names_a_pool() {
		let chosen = |args: &[&str]| configured(args).0.pool_type;
		assert!(matches!(chosen(&["node"]), TransactionPoolType::SingleState));
		assert!(matches!(
			chosen(&["node", "--pool-type", "fork-aware"]),
			TransactionPoolType::ForkAware
		));
		assert!(matches!(
			chosen(&["node", "--pool-type=fork-aware"]),
			TransactionPoolType::ForkAware
		));
		assert!(matches!(
			chosen(&["node", "--pool-type", "single-state"]),
			TransactionPoolType::SingleState
		));
		// A value that merely mentions the flag is not the flag.
		assert!(!pool_type_given(["node", "--name", "pool-type"]));
	}

	#[test]
	fn the_pool_underneath_is_larger_than_what_the_gate_admits() {
		let (params, admission) =
			configured(&["node", "--pool-limit", "100", "--pool-kbytes", "64"]);
		assert_eq!(admission, Admission { count: 100, bytes: 64 * 1024 });
		assert_eq!((params.pool_limit, params.pool_kbytes), (1000, 640));
		// The pool's future queue is a tenth of its ready queue: as large as all it admits.
		assert!(params.pool_limit / 10 >= admission.count);
		assert!(params.pool_kbytes * 1024 / 10 >= admission.bytes);
	}

	#[test]
	fn admission_counts_the_pool_and_what_is_on_its_way_in() {
		let limits = Admission { count: 10, bytes: 1000 };
		let status = |ready, future, bytes| PoolStatus {
			ready,
			ready_bytes: bytes,
			future,
			future_bytes: 0,
		};
		assert!(limits.fits(&status(5, 3, 100), 2, 100));
		assert!(!limits.fits(&status(5, 3, 100), 3, 100), "one over the count");
		assert!(!limits.fits(&status(9, 0, 100), 2, 0), "futures and pending count too");
		assert!(!limits.fits(&status(1, 0, 950), 1, 51), "one byte over");
		assert!(limits.fits(&status(0, 0, 0), 10, 1000), "exactly full fits");
	}
}
