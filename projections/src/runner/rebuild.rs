//! Rebuilding a projection beside the live one, and verifying the live one against a
//! rebuild: both fold the log into a scratch table; a rebuild swaps it in, a verification
//! compares and throws it away.

use serde_json::Value;
use tracing::info;

use super::{lock, Runner, Target};
use crate::checkpoint;
use crate::db::{DbError, Tx};
use crate::log::{self, Checkpoint, LogQuery, StoredEvent};
use crate::projection::{Projection, ProjectionError};
use crate::with_tx;

/// A difference found by [`Runner::verify`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Difference {
    pub key: String,
    pub live: Option<Value>,
    pub rebuilt: Option<Value>,
}

/// Rebuilds read far more per transaction: nobody waits on a scratch table's freshness.
const REBUILD_BATCH: i64 = 5000;

fn scratch(projection: &dyn Projection, purpose: &str) -> (String, String) {
    (
        format!("{}#{purpose}", projection.name()),
        format!("{}__{purpose}", projection.table()),
    )
}

impl Runner {
    /// Rebuilds a projection from the first event into a scratch table while the live table
    /// keeps serving (and keeps being updated), then swaps it in atomically.
    pub async fn rebuild(&self, name: &str) -> Result<usize, ProjectionError> {
        let projection = self.projection(name)?;
        let p = projection.as_ref();
        if !p.rebuildable() {
            return Err(ProjectionError::NotRebuildable(name.to_string()));
        }
        let (cp_name, table) = scratch(p, "rebuild");
        let mut tx = self.db.begin().await?;
        lock(&mut tx, &cp_name, true).await?;
        drop_table(&mut tx, &table).await?;
        p.create_bare_table(&mut tx, &table).await?;
        checkpoint::delete(&mut tx, &cp_name).await?;
        tx.commit().await?;

        let target = Target {
            checkpoint: &cp_name,
            table: &table,
            limit: self.options.batch_size.max(REBUILD_BATCH),
        };
        let mut total = self.drain(p, &target).await?;
        let mut tx = self.db.begin().await?;
        p.create_indexes(&mut tx, &table).await?;
        tx.commit().await?;

        // The swap: under the live projection's lock, catch the scratch copy up to the fence,
        // replace the live table and carry the checkpoint over, all in one transaction.
        let mut tx = self.db.begin().await?;
        lock(&mut tx, p.name(), true).await?;
        let mut after = checkpoint::load(&mut tx, &cp_name).await?;
        loop {
            let events = log::read_after(
                &mut tx,
                &LogQuery {
                    after,
                    limit: self.options.batch_size,
                    aggregate_type: None,
                },
            )
            .await?;
            let Some(last) = events.last().map(StoredEvent::checkpoint) else {
                break;
            };
            p.apply_batch(&mut tx, &table, &events).await?;
            total += events.len();
            after = last;
        }
        drop_table(&mut tx, p.table()).await?;
        let rename = format!("ALTER TABLE {table} RENAME TO {}", p.table());
        with_tx!(&mut tx, conn => { sqlx::query(&rename).execute(&mut **conn).await.map_err(DbError::from)?; });
        checkpoint::save(&mut tx, p.name(), after).await?;
        checkpoint::delete(&mut tx, &cp_name).await?;
        tx.commit().await?;
        info!(projection = name, events = total, "rebuild swapped in");
        Ok(total)
    }

    /// Rebuilds a projection into a scratch table up to exactly the live checkpoint and
    /// compares every document. Nothing is kept: the transaction is rolled back.
    pub async fn verify(&self, name: &str) -> Result<Vec<Difference>, ProjectionError> {
        let projection = self.projection(name)?;
        let p = projection.as_ref();
        let (_, table) = scratch(p, "verify");
        let mut tx = self.db.begin().await?;
        lock(&mut tx, p.name(), true).await?;
        let live_checkpoint = checkpoint::load(&mut tx, p.name()).await?;
        drop_table(&mut tx, &table).await?;
        p.create_table(&mut tx, &table).await?;
        let mut after = Checkpoint::default();
        'read: loop {
            let mut events = log::read_after(
                &mut tx,
                &LogQuery {
                    after,
                    limit: self.options.batch_size,
                    aggregate_type: None,
                },
            )
            .await?;
            if events.is_empty() {
                break;
            }
            let before = events.len();
            events.retain(|e| e.checkpoint() <= live_checkpoint);
            if let Some(last) = events.last() {
                after = last.checkpoint();
                p.apply_batch(&mut tx, &table, &events).await?;
            }
            if events.len() < before {
                break 'read;
            }
        }
        let live = p.documents(&mut tx, p.table()).await?;
        let rebuilt = p.documents(&mut tx, &table).await?;
        drop(tx); // rolls back: the scratch table never existed for anyone else
        Ok(diff(live, rebuilt))
    }
}

fn diff(live: Vec<(String, Value)>, rebuilt: Vec<(String, Value)>) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut live = live.into_iter().peekable();
    let mut rebuilt = rebuilt.into_iter().peekable();
    loop {
        match (live.peek(), rebuilt.peek()) {
            (None, None) => return out,
            (Some(l), Some(r)) if l.0 == r.0 => {
                let (key, l) = live.next().unwrap_or_default();
                let (_, r) = rebuilt.next().unwrap_or_default();
                if l != r {
                    out.push(Difference {
                        key,
                        live: Some(l),
                        rebuilt: Some(r),
                    });
                }
            }
            (Some(l), r) if r.is_none_or(|r| l.0 < r.0) => {
                let (key, l) = live.next().unwrap_or_default();
                out.push(Difference {
                    key,
                    live: Some(l),
                    rebuilt: None,
                });
            }
            _ => {
                let (key, r) = rebuilt.next().unwrap_or_default();
                out.push(Difference {
                    key,
                    live: None,
                    rebuilt: Some(r),
                });
            }
        }
    }
}

async fn drop_table(tx: &mut Tx, table: &str) -> Result<(), DbError> {
    let sql = format!("DROP TABLE IF EXISTS {table}");
    with_tx!(tx, conn => { sqlx::query(&sql).execute(&mut **conn).await?; });
    Ok(())
}
