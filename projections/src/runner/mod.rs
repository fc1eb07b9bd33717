//! The projection runner: reads the global log in commit order and applies it to read models,
//! committing each batch's read-model changes together with the checkpoint.
//!
//! Guarantees:
//! - never skips: it reads behind the visibility fence (see [`crate::log`]);
//! - never applies an event twice: the checkpoint moves in the same transaction as the rows,
//!   and only one runner at a time works on a projection (a transaction-scoped advisory lock
//!   on PostgreSQL, the single writer connection on SQLite), so replicas can all run it;
//! - a crash mid-batch rolls the whole batch back; the restart redoes it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, watch, Notify};
use tracing::{debug, error, info, info_span, warn, Instrument};

use crate::checkpoint;
use crate::db::{Db, DbError, Tx};
use crate::log::{self, Checkpoint, LogQuery, StoredEvent};
use crate::projection::{Projection, ProjectionError};
use crate::supervision::{self, Attempt, Retry};

mod rebuild;

pub use rebuild::Difference;

/// Published after each committed batch: what subscriptions and read-your-writes waits use.
#[derive(Debug)]
pub struct Committed {
    pub projection: &'static str,
    pub checkpoint: Checkpoint,
    pub events: Vec<StoredEvent>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum BatchOutcome {
    Applied {
        events: usize,
        checkpoint: Checkpoint,
    },
    /// Nothing new behind the fence.
    Idle,
    /// Another runner holds this projection right now.
    Busy,
}

/// How a supervised batch went, with the projection's failure state afterwards.
enum Supervised {
    Applied { events: usize, retry: Option<Retry> },
    Quiet { retry: Option<Retry> },
    Failed { retry: Retry },
}

#[derive(Clone, Debug)]
pub struct RunnerOptions {
    pub batch_size: i64,
    pub poll_interval: Duration,
    /// Fault injection for crash tests: abort the process once this many events have been
    /// applied, after the read-model rows are written and before the checkpoint commits.
    pub crash_after_events: Option<usize>,
    /// After a small batch, wait this long for more events before the next one: under load
    /// this turns many one-event transactions into a few larger ones, for a little latency.
    pub linger: Duration,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        RunnerOptions {
            batch_size: 1000,
            poll_interval: Duration::from_millis(100),
            crash_after_events: None,
            linger: Duration::from_millis(5),
        }
    }
}

/// How long [`Runner::run_to_head`] waits for writers that hold the fence.
const HEAD_WAIT: Duration = Duration::from_secs(120);

pub struct Runner {
    db: Db,
    projections: Vec<Arc<dyn Projection>>,
    options: RunnerOptions,
    committed: broadcast::Sender<Arc<Committed>>,
    wake: Arc<Notify>,
    applied_in_process: AtomicUsize,
}

struct Target<'a> {
    checkpoint: &'a str,
    table: &'a str,
    /// Events per batch.
    limit: i64,
}

impl Runner {
    pub fn new(db: Db, projections: Vec<Arc<dyn Projection>>, options: RunnerOptions) -> Runner {
        let (committed, _) = broadcast::channel(1024);
        Runner {
            db,
            projections,
            options,
            committed,
            wake: Arc::new(Notify::new()),
            applied_in_process: AtomicUsize::new(0),
        }
    }

    pub fn projections(&self) -> &[Arc<dyn Projection>] {
        &self.projections
    }

    pub fn projection(&self, name: &str) -> Result<Arc<dyn Projection>, ProjectionError> {
        self.projections
            .iter()
            .find(|p| p.name() == name)
            .cloned()
            .ok_or_else(|| ProjectionError::Unknown(name.to_string()))
    }

    /// Wakes the loop at once (after a local append) instead of at the next poll.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.committed.subscribe()
    }

    /// Creates each live table that does not exist yet.
    pub async fn ensure_tables(&self) -> Result<(), ProjectionError> {
        let mut tx = self.db.begin().await?;
        supervision::ensure_table(&mut tx).await?;
        tx.commit().await?;
        for p in &self.projections {
            let mut tx = self.db.begin().await?;
            lock(&mut tx, p.name(), true).await?;
            if !table_exists(&mut tx, p.table()).await? {
                p.create_table(&mut tx, p.table()).await?;
                checkpoint::delete(&mut tx, p.name()).await?;
                info!(projection = p.name(), "created read-model table");
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// One batch of the live projection.
    pub async fn run_batch(
        &self,
        projection: &dyn Projection,
    ) -> Result<BatchOutcome, ProjectionError> {
        let target = Target {
            checkpoint: projection.name(),
            table: projection.table(),
            limit: self.options.batch_size,
        };
        self.batch(projection, &target).await
    }

    async fn batch(
        &self,
        projection: &dyn Projection,
        target: &Target<'_>,
    ) -> Result<BatchOutcome, ProjectionError> {
        self.observed_batch(projection, target, &mut Attempt::default())
            .await
    }

    /// A batch that notes which events it read in `attempt`, for the supervisor's report.
    async fn observed_batch(
        &self,
        projection: &dyn Projection,
        target: &Target<'_>,
        attempt: &mut Attempt,
    ) -> Result<BatchOutcome, ProjectionError> {
        let mut tx = self.db.begin().await?;
        if !lock(&mut tx, target.checkpoint, false).await? {
            return Ok(BatchOutcome::Busy);
        }
        relax_durability(&mut tx).await?;
        let after = checkpoint::load(&mut tx, target.checkpoint).await?;
        let events = log::read_after(
            &mut tx,
            &LogQuery {
                after,
                limit: target.limit,
                aggregate_type: None,
            },
        )
        .await?;
        let Some(last) = events.last().map(StoredEvent::checkpoint) else {
            return Ok(BatchOutcome::Idle);
        };
        attempt.first = events.first().map(|e| (e.position, e.event_type.clone()));
        attempt.last = Some(last);
        let span = info_span!(
            "projection_batch",
            projection = target.checkpoint,
            from = after.position,
            to = last.position,
            events = events.len()
        );
        projection
            .apply_batch(&mut tx, target.table, &events)
            .instrument(span)
            .await?;
        self.maybe_crash(events.len());
        checkpoint::save(&mut tx, target.checkpoint, last).await?;
        tx.commit().await?;
        let count = events.len();
        if target.checkpoint == projection.name() {
            // Nobody listening is fine: the send only fails when there are no receivers.
            let _ = self.committed.send(Arc::new(Committed {
                projection: projection.name(),
                checkpoint: last,
                events,
            }));
        }
        Ok(BatchOutcome::Applied {
            events: count,
            checkpoint: last,
        })
    }

    fn maybe_crash(&self, batch: usize) {
        if let Some(limit) = self.options.crash_after_events {
            let before = self.applied_in_process.fetch_add(batch, Ordering::SeqCst);
            if before + batch >= limit {
                error!(
                    limit,
                    "fault injection: aborting mid-batch before the checkpoint commits"
                );
                std::process::abort();
            }
        }
    }

    /// Runs batches until every event written before the call has been applied. Waits out
    /// other runners and writers still holding the fence.
    pub async fn run_to_head(&self, projection: &dyn Projection) -> Result<usize, ProjectionError> {
        let target = Target {
            checkpoint: projection.name(),
            table: projection.table(),
            limit: self.options.batch_size,
        };
        let head = log::head_position(&self.db).await?;
        let goal = log::checkpoint_of(&self.db, head)
            .await?
            .unwrap_or_default();
        let deadline = tokio::time::Instant::now() + HEAD_WAIT;
        let mut total = 0;
        loop {
            total += self.drain(projection, &target).await?;
            if checkpoint::read(&self.db, projection.name()).await? >= goal {
                return Ok(total);
            }
            if tokio::time::Instant::now() > deadline {
                return Err(ProjectionError::Stalled(format!(
                    "{} did not reach position {head} within {HEAD_WAIT:?}: a writer transaction is holding the fence",
                    projection.name()
                )));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Runs batches until nothing is left behind the fence right now (events of writers still
    /// open come later).
    pub async fn run_until_idle(
        &self,
        projection: &dyn Projection,
    ) -> Result<usize, ProjectionError> {
        let target = Target {
            checkpoint: projection.name(),
            table: projection.table(),
            limit: self.options.batch_size,
        };
        self.drain(projection, &target).await
    }

    async fn drain(
        &self,
        projection: &dyn Projection,
        target: &Target<'_>,
    ) -> Result<usize, ProjectionError> {
        let mut total = 0;
        loop {
            match self.batch(projection, target).await? {
                BatchOutcome::Applied { events, .. } => total += events,
                BatchOutcome::Idle => return Ok(total),
                BatchOutcome::Busy => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    }

    /// Runs every projection to the head.
    pub async fn run_all_to_head(&self) -> Result<usize, ProjectionError> {
        let mut total = 0;
        for p in &self.projections {
            total += self.run_to_head(p.as_ref()).await?;
        }
        Ok(total)
    }

    /// The background loop: round-robin batches over all projections; sleeps when idle until
    /// woken by a local append or the poll interval (other replicas' appends).
    ///
    /// Each projection is supervised on its own: a failing or panicking batch is logged with
    /// the projection, position and cause, recorded as a fault, and retried with backoff one
    /// event at a time, while the other projections keep running at full speed.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut retries: HashMap<&'static str, Retry> = HashMap::new();
        loop {
            if *shutdown.borrow() {
                return;
            }
            let mut progressed = false;
            let mut largest = 0;
            for p in &self.projections {
                // Stopping: the batch that was running has committed; start no other.
                if *shutdown.borrow() {
                    return;
                }
                let name = p.name();
                let retry = retries.get(name).cloned();
                if retry.as_ref().is_some_and(|r| !r.due()) {
                    continue;
                }
                match self.supervised_batch(p.as_ref(), retry).await {
                    Supervised::Applied { events, retry } => {
                        progressed = true;
                        largest = largest.max(events);
                        match retry {
                            Some(retry) => {
                                retries.insert(name, retry);
                            }
                            None => {
                                retries.remove(name);
                            }
                        }
                    }
                    Supervised::Quiet { retry } => match retry {
                        Some(retry) => {
                            retries.insert(name, retry);
                        }
                        None => {
                            retries.remove(name);
                        }
                    },
                    Supervised::Failed { retry } => {
                        retries.insert(name, retry);
                    }
                }
            }
            if progressed
                && (largest as i64) < self.options.batch_size / 2
                && !self.options.linger.is_zero()
            {
                tokio::select! {
                    _ = tokio::time::sleep(self.options.linger) => {}
                    _ = shutdown.changed() => return,
                }
            }
            if !progressed {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(self.options.poll_interval) => {}
                    _ = shutdown.changed() => return,
                }
            }
        }
    }

    /// One batch under supervision. `retry` is the projection's failure state, if it is
    /// failing: then the batch is a single event, and the fault is cleared once the
    /// checkpoint has passed every event of the batch that failed.
    async fn supervised_batch(&self, p: &dyn Projection, retry: Option<Retry>) -> Supervised {
        let name = p.name();
        let target = Target {
            checkpoint: name,
            table: p.table(),
            limit: if retry.is_some() {
                1
            } else {
                self.options.batch_size
            },
        };
        let mut attempt = Attempt::default();
        let outcome =
            supervision::catching_panics(self.observed_batch(p, &target, &mut attempt)).await;
        match outcome {
            Ok(BatchOutcome::Applied { events, checkpoint }) => {
                debug!(
                    projection = name,
                    events,
                    position = checkpoint.position,
                    "batch committed"
                );
                let retry = match retry {
                    Some(r) if checkpoint < r.until => Some(r),
                    Some(_) => {
                        self.recovered(name, checkpoint.position).await;
                        None
                    }
                    None => None,
                };
                Supervised::Applied { events, retry }
            }
            // Idle while failing: the poison event was removed from the log.
            Ok(BatchOutcome::Idle) => {
                if retry.is_some() {
                    let position = checkpoint::read(&self.db, name)
                        .await
                        .map_or(0, |c| c.position);
                    self.recovered(name, position).await;
                }
                Supervised::Quiet { retry: None }
            }
            Ok(BatchOutcome::Busy) => Supervised::Quiet { retry },
            Err(cause) => {
                let at = checkpoint::read(&self.db, name)
                    .await
                    .map_or(0, |c| c.position);
                let retry = Retry::failed(retry, attempt.last);
                let (position, event_type) = attempt.first.clone().unzip();
                error!(
                    projection = name,
                    checkpoint = at,
                    position,
                    event_type,
                    attempts = retry.failures,
                    retry_in_ms = supervision::backoff(retry.failures).as_millis() as u64,
                    cause = %cause,
                    "projection batch failed; retrying with backoff (other projections go on)"
                );
                // Only single-event batches name the poison event; a full batch names none.
                if target.limit != 1 {
                    attempt.first = None;
                }
                if let Err(e) = supervision::record(&self.db, name, at, &attempt, &cause).await {
                    warn!(projection = name, error = %e, "could not record the projection fault");
                }
                Supervised::Failed { retry }
            }
        }
    }

    async fn recovered(&self, name: &str, position: i64) {
        info!(
            projection = name,
            position, "projection recovered from its fault"
        );
        if let Err(e) = supervision::clear(&self.db, name).await {
            warn!(projection = name, error = %e, "could not clear the projection fault");
        }
    }

    /// Projections and policies failing right now (see [`supervision`]).
    pub async fn faults(&self) -> Result<Vec<supervision::Fault>, ProjectionError> {
        Ok(supervision::list(&self.db).await?)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// Takes the transaction-scoped lock that makes one runner at a time work on `name`.
/// SQLite needs none: `BEGIN IMMEDIATE` on the single writer already excludes everyone.
pub async fn lock(tx: &mut Tx, name: &str, wait: bool) -> Result<bool, DbError> {
    let Tx::Postgres(conn) = tx else {
        return Ok(true);
    };
    let key = format!("waybill.projection.{name}");
    if wait {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut **conn)
            .await?;
        Ok(true)
    } else {
        Ok(
            sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(key)
                .fetch_one(&mut **conn)
                .await?,
        )
    }
}

/// A projection batch can always be redone from the log, and its rows and checkpoint commit
/// together, so a crash that loses a recent batch loses its checkpoint with it: no need to
/// wait for the WAL flush. (The events themselves are always committed durably.)
async fn relax_durability(tx: &mut Tx) -> Result<(), DbError> {
    if let Tx::Postgres(conn) = tx {
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut **conn)
            .await?;
    }
    Ok(())
}

async fn table_exists(tx: &mut Tx, table: &str) -> Result<bool, DbError> {
    let exists: bool = match tx {
        Tx::Postgres(conn) => {
            sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
                .bind(table)
                .fetch_one(&mut **conn)
                .await?
        }
        Tx::Sqlite(conn) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = $1",
            )
            .bind(table)
            .fetch_one(&mut **conn)
            .await?
        }
    };
    Ok(exists)
}
