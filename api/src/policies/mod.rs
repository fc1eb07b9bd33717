//! Policies (process managers): durable, checkpointed consumers of the global log that react
//! to events by issuing commands.
//!
//! Exactly-once effects without distributed transactions: every command a policy issues
//! carries an idempotency key derived from the event that caused it (and the policy's own
//! actor id), so when a crash between a command and the checkpoint makes the policy see the
//! event again, the command answers with its first result and appends nothing.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;
use tracing::{error, info_span, Instrument};
use waybill_projections::log::{self, LogQuery, StoredEvent};
use waybill_projections::runner::lock;
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
            limit: self.batch_size,
            aggregate_type: None,
        };
        let events = match guard.as_mut() {
            Some(tx) => log::read_after(tx, &query).await?,
            None => log::read_feed(db, &query).await?,
        };
        let Some(last) = events.last().map(StoredEvent::checkpoint) else {
            return Ok(BatchOutcome::Idle);
        };
        for event in &events {
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

    /// The background loop.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut committed = self.services.runner.subscribe();
        loop {
            if *shutdown.borrow() {
                return;
            }
            let wait = match self.run_until_idle().await {
                Ok(_) => Duration::from_millis(200),
                Err(e) => {
                    error!(error = %e.message, "policy batch failed; will retry");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                _ = committed.recv() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}
