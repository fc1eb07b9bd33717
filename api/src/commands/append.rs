//! The append: one command's events (on one stream or several) and its idempotency key, in
//! one transaction.
//!
//! Written over sqlx rather than through postgres-es/sqlite-es, because the key row has to
//! commit or roll back with the events: only then does a unique (caller, key) decide which of
//! two concurrent duplicates wrote. The rows stay what postgres-es/sqlite-es read back (the
//! same seven columns, JSON payload and metadata serialised as cqrs-es does); the database
//! fills the rest (global position, event id, time, hash chain) as before.

use serde_json::Value;
use waybill_projections::{with_db, Backend, Db};

/// One event, serialised, not yet numbered.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
}

/// The key a write answers, stored with the write's outcome.
#[derive(Clone, Copy, Debug)]
pub struct KeyClaim<'a> {
    pub principal: &'a str,
    pub key: &'a str,
    pub fingerprint: &'a str,
}

/// A stream's next events, decided on version `after_version`.
#[derive(Debug)]
pub struct Append<'a> {
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub after_version: i64,
    pub events: &'a [NewEvent],
    pub metadata: &'a Value,
    pub key: Option<KeyClaim<'a>>,
}

/// Where the last event landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    pub version: i64,
    pub position: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// Another append took one of these sequence numbers first.
    #[error("another append reached the stream first")]
    StreamConflict,
    /// Another request with this caller's key committed first.
    #[error("the idempotency key was taken by a concurrent request")]
    KeyTaken,
    /// A command that changed nothing has nothing to append (the service answers it itself).
    #[error("an append needs at least one event")]
    Empty,
    #[error("appending events: {0}")]
    Sql(#[source] sqlx::Error),
}

/// Appends the events and claims the key, or writes nothing.
pub async fn append(db: &Db, append: &Append<'_>) -> Result<Appended, AppendError> {
    let written = append_all(db, std::slice::from_ref(append)).await?;
    written.into_iter().next().ok_or(AppendError::Empty)
}

/// Appends to several streams in one transaction, each checked against its own
/// `after_version` (the unique (type, id, sequence) refuses a sequence taken meanwhile), and
/// claims the keys carried: all of it commits, or nothing does. An append with no events is
/// skipped (a stream the command leaves as it is); at least one must have some.
///
/// PostgreSQL: one multi-row `INSERT … RETURNING global_position` per stream (the hash-chain
/// trigger runs per row, in order, and sees the rows before it in the same statement). SQLite
/// numbers positions in an AFTER trigger, which `RETURNING` does not see, so the position is
/// read back inside the same transaction on the same connection.
pub async fn append_all(db: &Db, appends: &[Append<'_>]) -> Result<Vec<Appended>, AppendError> {
    if appends.iter().all(|a| a.events.is_empty()) {
        return Err(AppendError::Empty);
    }
    let backend = db.backend();
    with_db!(db, pool => {
        let mut tx = pool.begin().await.map_err(AppendError::Sql)?;
        let mut written = Vec::with_capacity(appends.len());
        for append in appends {
            let version = append.after_version + append.events.len() as i64;
            if append.events.is_empty() {
                written.push(Appended { version, position: 0 });
                continue;
            }
            let sql = insert_sql(append.events.len(), backend);
            let mut insert = sqlx::query_scalar::<_, Option<i64>>(&sql);
            for (i, event) in append.events.iter().enumerate() {
                insert = insert
                    .bind(append.aggregate_type)
                    .bind(append.aggregate_id)
                    .bind(append.after_version + 1 + i as i64)
                    .bind(&event.event_type)
                    .bind(&event.event_version)
                    .bind(&event.payload)
                    .bind(append.metadata);
            }
            let returned = insert
                .fetch_all(&mut *tx)
                .await
                .map_err(|e| classify(e, AppendError::StreamConflict))?;
            let position = match returned.into_iter().flatten().max() {
                Some(position) => position,
                None => sqlx::query_scalar::<_, i64>(
                    "SELECT global_position FROM events \
                      WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3",
                )
                .bind(append.aggregate_type)
                .bind(append.aggregate_id)
                .bind(version)
                .fetch_one(&mut *tx)
                .await
                .map_err(AppendError::Sql)?,
            };
            written.push(Appended { version, position });
        }
        for (append, done) in appends.iter().zip(&written) {
            let Some(claim) = append.key else { continue };
            // A key answered by a stream this command left unchanged still points at the
            // command's last write, so its replay reports a real position.
            let position = written.iter().map(|w| w.position).max().unwrap_or(0);
            sqlx::query(
                "INSERT INTO idempotency_keys \
                   (principal, idempotency_key, fingerprint, aggregate_type, aggregate_id, version, position) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(claim.principal)
            .bind(claim.key)
            .bind(claim.fingerprint)
            .bind(append.aggregate_type)
            .bind(append.aggregate_id)
            .bind(done.version)
            .bind(position.max(done.position))
            .execute(&mut *tx)
            .await
            .map_err(|e| classify(e, AppendError::KeyTaken))?;
        }
        tx.commit().await.map_err(AppendError::Sql)?;
        Ok(written)
    })
}

/// `INSERT` of `rows` events, seven parameters each, in sequence order.
fn insert_sql(rows: usize, backend: Backend) -> String {
    let mut sql = String::from(
        "INSERT INTO events \
           (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ",
    );
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        let p = row * 7;
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5,
            p + 6,
            p + 7
        ));
    }
    if backend == Backend::Postgres {
        sql.push_str(" RETURNING global_position");
    }
    sql
}

/// A unique violation means a concurrent writer won (`lost`); anything else is a failure.
fn classify(e: sqlx::Error, lost: AppendError) -> AppendError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => lost,
        _ => AppendError::Sql(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_event_and_returning_only_where_it_sees_the_position() {
        let pg = insert_sql(2, Backend::Postgres);
        assert!(pg.contains("($1, $2, $3, $4, $5, $6, $7), ($8, $9, $10, $11, $12, $13, $14)"));
        assert!(pg.ends_with("RETURNING global_position"));
        let sqlite = insert_sql(1, Backend::Sqlite);
        assert!(sqlite.ends_with("($1, $2, $3, $4, $5, $6, $7)"));
    }
}
