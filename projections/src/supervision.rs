//! Supervision of the log's consumers (projections and policies): a batch that fails or
//! panics is logged, retried with backoff and recorded as a [`Fault`] that readiness, the CLI
//! and the admin API can show. Nothing is ever skipped: a consumer stuck on a poison event
//! stays at it until the event (or the code) is fixed, while the other consumers go on.
//!
//! Faults live in a table of their own (not in memory) so that `waybill projections status`,
//! run as a separate process, and every replica see the same picture.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::FutureExt;

use crate::db::{Db, DbError, Tx};
use crate::log::Checkpoint;
use crate::{with_db, with_tx};

/// A consumer that is failing right now.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Fault {
    /// The projection's name, or `policy:<name>`.
    pub name: String,
    /// The last position it applied.
    pub checkpoint: i64,
    /// The event it cannot get past, once isolated (retries run one event at a time).
    pub position: Option<i64>,
    pub event_type: Option<String>,
    /// The cause: the error's text, or the panic message.
    pub error: String,
    pub attempts: i64,
    pub first_failed_at: DateTime<Utc>,
    pub last_failed_at: DateTime<Utc>,
}

/// What a failed batch was working on.
#[derive(Clone, Debug, Default)]
pub struct Attempt {
    /// The first event of the batch: with a batch of one, the poison event itself.
    pub first: Option<(i64, String)>,
    /// The last event the batch read: retries stay one event at a time until past it.
    pub last: Option<Checkpoint>,
}

/// Retry state of one failing consumer, kept by its loop.
#[derive(Clone, Debug)]
pub struct Retry {
    pub failures: u32,
    pub not_before: tokio::time::Instant,
    /// Run one event per batch until the checkpoint passes this (the failed batch's end), so
    /// the events before the poison one get applied and the fault names its exact position.
    pub until: Checkpoint,
}

impl Retry {
    /// Counts one more failure of a batch that read up to `until`.
    pub fn failed(previous: Option<Retry>, until: Option<Checkpoint>) -> Retry {
        let failures = previous
            .as_ref()
            .map_or(0, |r| r.failures)
            .saturating_add(1);
        let until = match (previous.map(|r| r.until), until) {
            (Some(a), Some(b)) => a.max(b),
            (a, b) => a.or(b).unwrap_or_default(),
        };
        Retry {
            failures,
            not_before: tokio::time::Instant::now() + backoff(failures),
            until,
        }
    }

    pub fn due(&self) -> bool {
        tokio::time::Instant::now() >= self.not_before
    }
}

/// 200 ms, doubling per consecutive failure, at most 10 s: quick for a blip, cheap for a
/// poison event that waits for an operator.
pub fn backoff(failures: u32) -> Duration {
    let exponent = failures.saturating_sub(1).min(6);
    Duration::from_millis(200u64 << exponent).min(Duration::from_secs(10))
}

/// Runs a batch, turning a panic into an error so one consumer's bug cannot end the loop
/// that drives all the others.
pub async fn catching_panics<T, E: std::fmt::Display>(
    batch: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match AssertUnwindSafe(batch).catch_unwind().await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!("panicked: {}", panic_message(panic.as_ref()))),
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string())
}

const TABLE_DDL: &str = "CREATE TABLE IF NOT EXISTS consumer_faults (\
    name TEXT PRIMARY KEY, checkpoint BIGINT NOT NULL, position BIGINT, event_type TEXT, \
    error TEXT NOT NULL, attempts BIGINT NOT NULL, \
    first_failed_at TEXT NOT NULL, last_failed_at TEXT NOT NULL)";

/// Created with the read-model tables (no numbered migration: the runner owns it).
pub async fn ensure_table(tx: &mut Tx) -> Result<(), DbError> {
    with_tx!(tx, conn => { sqlx::query(TABLE_DDL).execute(&mut **conn).await?; });
    Ok(())
}

/// Records (or refreshes) the fault of `name`; the attempt count grows on each call.
pub async fn record(
    db: &Db,
    name: &str,
    checkpoint: i64,
    attempt: &Attempt,
    error: &str,
) -> Result<(), DbError> {
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let (position, event_type) = match &attempt.first {
        Some((position, event_type)) => (Some(*position), Some(event_type.clone())),
        None => (None, None),
    };
    with_db!(db, pool => { sqlx::query(
        "INSERT INTO consumer_faults \
         (name, checkpoint, position, event_type, error, attempts, first_failed_at, last_failed_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) \
         ON CONFLICT (name) DO UPDATE SET checkpoint = $2, position = $3, event_type = $4, \
         error = $5, attempts = consumer_faults.attempts + 1, last_failed_at = $6")
        .bind(name)
        .bind(checkpoint)
        .bind(position)
        .bind(event_type)
        .bind(error)
        .bind(&now)
        .execute(pool)
        .await?; });
    Ok(())
}

/// The consumer got past its fault.
pub async fn clear(db: &Db, name: &str) -> Result<(), DbError> {
    with_db!(db, pool => { sqlx::query("DELETE FROM consumer_faults WHERE name = $1")
        .bind(name)
        .execute(pool)
        .await?; });
    Ok(())
}

type FaultRow = (
    String,
    i64,
    Option<i64>,
    Option<String>,
    String,
    i64,
    String,
    String,
);

/// Every consumer failing right now, by name.
pub async fn list(db: &Db) -> Result<Vec<Fault>, DbError> {
    let rows: Vec<FaultRow> = with_db!(db, read pool => sqlx::query_as(
        "SELECT name, checkpoint, position, event_type, error, attempts, first_failed_at, \
         last_failed_at FROM consumer_faults ORDER BY name")
        .fetch_all(pool)
        .await?);
    Ok(rows
        .into_iter()
        .map(
            |(name, checkpoint, position, event_type, error, attempts, first, last)| Fault {
                name,
                checkpoint,
                position,
                event_type,
                error,
                attempts,
                first_failed_at: parse_time(&first),
                last_failed_at: parse_time(&last),
            },
        )
        .collect())
}

fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(200));
        assert_eq!(backoff(2), Duration::from_millis(400));
        assert_eq!(backoff(6), Duration::from_millis(6400));
        assert_eq!(backoff(7), Duration::from_secs(10));
        assert_eq!(backoff(u32::MAX), Duration::from_secs(10));
    }

    #[tokio::test]
    async fn a_panicking_batch_becomes_an_error_with_its_message() {
        let failed = catching_panics(async {
            if true {
                panic!("fold exploded at 42");
            }
            Ok::<(), String>(())
        })
        .await;
        assert_eq!(failed, Err("panicked: fold exploded at 42".to_string()));
    }

    #[test]
    fn retries_stay_isolated_until_past_the_widest_failed_batch() {
        let far = Checkpoint {
            tx_id: 0,
            position: 40,
        };
        let first = Retry::failed(None, Some(far));
        assert_eq!((first.failures, first.until), (1, far));
        let near = Checkpoint {
            tx_id: 0,
            position: 12,
        };
        let second = Retry::failed(Some(first), Some(near));
        assert_eq!((second.failures, second.until), (2, far));
    }
}
