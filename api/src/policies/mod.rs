//! Policies (process managers): durable, checkpointed consumers of the global log that react
//! to events by issuing commands.
//!
//! Exactly-once effects without distributed transactions: every command a policy issues
//! carries an idempotency key derived from the event that caused it (and the policy's own
//! actor id), so when a crash between a command and the checkpoint makes the policy see the
//! event again, the command answers with its first result and appends nothing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;
use tracing::{error, info, info_span, warn, Instrument};
use waybill_projections::log::{self, LogQuery, StoredEvent};
use waybill_projections::runner::lock;
use waybill_projections::supervision::{self, Attempt, Retry};
use waybill_projections::{checkpoint, BatchOutcome, Db};

use crate::auth::{Principal, Role};
use crate::commands::context::RequestContext;
use crate::commands::orders::WriteOptions;
use crate::error::AppError;
use crate::services::Services;

pub mod care;
pub mod fulfilment;
pub mod loyalty;
pub mod sla;

/// Every policy this build runs, in the order the runner visits them.
pub fn all_policies() -> Vec<Arc<dyn Policy>> {
    vec![
        Arc::new(fulfilment::OrderFollowsShipments),
        Arc::new(loyalty::LoyaltyPolicy),
        Arc::new(sla::SlaTimerPolicy),
    ]
}

/// Starts the policy runner and the periodic sweeps (SLA breaches, churn recall, birthdays).
pub fn spawn_all(
    services: Arc<Services>,
    shutdown: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let runner = Arc::new(PolicyRunner::new(services.clone(), all_policies()));
    vec![
        tokio::spawn(crate::commands::shipments::run_expiry_sweeps(
            services.clone(),
            shutdown.clone(),
        )),
        tokio::spawn(runner.run(shutdown.clone())),
        tokio::spawn(care::run_sweeps(services, shutdown)),
    ]
}

#[async_trait]
pub trait Policy: Send + Sync {
    /// Stable name: checkpoint key and actor id (`policy:<name>`).
    fn name(&self) -> &'static str;
    /// Reacts to one event. Commands must be issued with [`Reaction::options`] so a replay
    /// after a crash is answered, not repeated.
    async fn react(&self, services: &Services, reaction: &Reaction<'_>) -> Result<(), AppError>;
}

/// One event being reacted to, with what commands need to be idempotent and traceable.
pub struct Reaction<'a> {
    pub event: &'a StoredEvent,
    pub context: RequestContext,
    policy: &'static str,
}

impl Reaction<'_> {
    /// Write options for the `n`-th command issued for this event.
    pub fn options(&self, n: u32) -> WriteOptions {
        let key = format!("{}:{}:{n}", self.policy, self.event.event_id);
        WriteOptions {
            expected_version: None,
            request: key.clone(),
            idempotency_key: Some(key),
        }
    }
}

pub struct PolicyRunner {
    services: Arc<Services>,
    policies: Vec<Arc<dyn Policy>>,
    batch_size: i64,
}

fn checkpoint_name(policy: &dyn Policy) -> String {
    format!("policy:{}", policy.name())
}

impl PolicyRunner {
    pub fn new(services: Arc<Services>, policies: Vec<Arc<dyn Policy>>) -> PolicyRunner {
        PolicyRunner {
            services,
            policies,
            batch_size: 200,
        }
    }

    fn context_for(policy: &dyn Policy, event: &StoredEvent) -> RequestContext {
        let principal = Principal {
            key_id: checkpoint_name(policy),
            role: Role::Admin,
        };
        // The policy's commands continue the business request that caused the event.
        RequestContext::new(
            principal,
            event.meta("correlation_id").map(String::from),
            Some(event.event_id.clone()),
        )
    }

    /// One batch for one policy.
    pub async fn run_batch(&self, policy: &dyn Policy) -> Result<BatchOutcome, AppError> {
        self.observed_batch(policy, self.batch_size, &mut Attempt::default())
            .await
    }

    /// A batch of at most `limit` events that notes in `attempt` the event it is reacting to,
    /// so a failure names it.
    async fn observed_batch(
        &self,
        policy: &dyn Policy,
        limit: i64,
        attempt: &mut Attempt,
    ) -> Result<BatchOutcome, AppError> {
        let name = checkpoint_name(policy);
        let db = &self.services.db;
        // PostgreSQL: hold the policy's lock (not a write: no transaction id, so the fence is
        // not held back) while reacting. SQLite: the single writer connection must stay free
        // for the commands, so read without a transaction; one process runs the policies.
        let mut guard = match db {
            Db::Postgres(_) => {
                let mut tx = db.begin().await?;
                if !lock(&mut tx, &name, false).await? {
                    return Ok(BatchOutcome::Busy);
                }
                Some(tx)
            }
            Db::Sqlite { .. } => None,
        };
        let after = checkpoint::read(db, &name).await?;
        let query = LogQuery {
            after,
            limit,
            aggregate_type: None,
        };
        let events = match guard.as_mut() {
            Some(tx) => log::read_after(tx, &query).await?,
            None => log::read_feed(db, &query).await?,
        };
        let Some(last) = events.last().map(StoredEvent::checkpoint) else {
            return Ok(BatchOutcome::Idle);
        };
        attempt.last = Some(last);
        for event in &events {
            attempt.first = Some((event.position, event.event_type.clone()));
            let reaction = Reaction {
                event,
                context: Self::context_for(policy, event),
                policy: policy.name(),
            };
            policy
                .react(&self.services, &reaction)
                .instrument(info_span!(
                    "policy",
                    policy = policy.name(),
                    position = event.position
                ))
                .await?;
        }
        let mut tx = match guard {
            Some(tx) => tx,
            None => db.begin().await?,
        };
        checkpoint::save(&mut tx, &name, last).await?;
        tx.commit().await?;
        Ok(BatchOutcome::Applied {
            events: events.len(),
            checkpoint: last,
        })
    }

    /// Runs every policy until nothing is left behind the fence.
    pub async fn run_until_idle(&self) -> Result<usize, AppError> {
        let mut total = 0;
        loop {
            let mut progressed = false;
            for p in &self.policies {
                match self.run_batch(p.as_ref()).await? {
                    BatchOutcome::Applied { events, .. } => {
                        total += events;
                        progressed = true;
                    }
                    BatchOutcome::Busy => tokio::time::sleep(Duration::from_millis(5)).await,
                    BatchOutcome::Idle => {}
                }
            }
            if !progressed {
                return Ok(total);
            }
        }
    }

    /// The background loop. Each policy is supervised on its own, like the projections: a
    /// failing or panicking reaction is logged with the event it was reacting to, recorded as
    /// a fault and retried with backoff, and the other policies go on.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut committed = self.services.runner.subscribe();
        let mut retries: HashMap<&'static str, Retry> = HashMap::new();
        loop {
            if *shutdown.borrow() {
                return;
            }
            let mut progressed = false;
            for p in &self.policies {
                let retry = retries.get(p.name()).cloned();
                if retry.as_ref().is_some_and(|r| !r.due()) {
                    continue;
                }
                let (applied, retry) = self.supervised_batch(p.as_ref(), retry).await;
                progressed |= applied;
                match retry {
                    Some(retry) => retries.insert(p.name(), retry),
                    None => retries.remove(p.name()),
                };
                if *shutdown.borrow() {
                    return;
                }
            }
            if progressed {
                continue;
            }
            tokio::select! {
                _ = committed.recv() => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// One batch under supervision; returns whether it applied events, and the policy's
    /// failure state afterwards (a failing policy reacts one event at a time).
    async fn supervised_batch(
        &self,
        policy: &dyn Policy,
        retry: Option<Retry>,
    ) -> (bool, Option<Retry>) {
        let name = checkpoint_name(policy);
        let limit = if retry.is_some() { 1 } else { self.batch_size };
        let mut attempt = Attempt::default();
        let outcome = supervision::catching_panics(async {
            self.observed_batch(policy, limit, &mut attempt)
                .await
                .map_err(|e| e.message)
        })
        .await;
        let db = &self.services.db;
        match outcome {
            Ok(BatchOutcome::Applied { checkpoint, .. }) => match retry {
                Some(r) if checkpoint < r.until => (true, Some(r)),
                Some(_) => {
                    recovered(db, &name, checkpoint.position).await;
                    (true, None)
                }
                None => (true, None),
            },
            Ok(BatchOutcome::Idle) => {
                if retry.is_some() {
                    recovered(db, &name, 0).await;
                }
                (false, None)
            }
            Ok(BatchOutcome::Busy) => (false, retry),
            Err(cause) => {
                let at = checkpoint::read(db, &name).await.map_or(0, |c| c.position);
                let retry = Retry::failed(retry, attempt.last);
                let (position, event_type) = attempt.first.clone().unzip();
                error!(
                    policy = %name,
                    checkpoint = at,
                    position,
                    event_type,
                    attempts = retry.failures,
                    cause = %cause,
                    "policy reaction failed; retrying with backoff (other policies go on)"
                );
                if let Err(e) = supervision::record(db, &name, at, &attempt, &cause).await {
                    warn!(policy = %name, error = %e, "could not record the policy fault");
                }
                (false, Some(retry))
            }
        }
    }
}

async fn recovered(db: &Db, name: &str, position: i64) {
    info!(policy = name, position, "policy recovered from its fault");
    if let Err(e) = supervision::clear(db, name).await {
        warn!(policy = name, error = %e, "could not clear the policy fault");
    }
}
