//! Reading the global event log in commit order.
//!
//! PostgreSQL: a `global_position` is taken at INSERT but becomes visible at COMMIT, so a reader
//! that asks for `position > checkpoint` can pass over an event whose transaction commits
//! later. We read only below the visibility fence — rows whose writing transaction is older
//! than every transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`) — ordered
//! by (transaction id, position). Nothing can appear below the fence later, so a checkpoint on
//! that pair never skips. SQLite has one writer at a time: position order is commit order.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::Row;

use crate::db::{Db, DbError, Tx};

/// One event as stored, with its place in the global log.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StoredEvent {
    pub position: i64,
    /// The writing transaction's id on PostgreSQL; 0 on SQLite.
    pub tx_id: i64,
    pub event_id: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    /// The version of `payload` — the current one, after upcasting.
    pub event_version: String,
    /// The version as written; differs from `event_version` when the payload was upcast.
    pub stored_version: String,
    pub payload: Value,
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
    /// This event's link in its stream's hash chain (set by the store's trigger).
    pub hash: Option<String>,
}

impl StoredEvent {
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            tx_id: self.tx_id,
            position: self.position,
        }
    }

    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).and_then(Value::as_str)
    }
}

/// A place in the log: the last event read. Ordered by (tx_id, position).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Checkpoint {
    pub tx_id: i64,
    pub position: i64,
}

/// Which slice of the log to read.
#[derive(Clone, Debug, Default)]
pub struct LogQuery {
    pub after: Checkpoint,
    pub limit: i64,
    pub aggregate_type: Option<String>,
}

const PG_COLUMNS: &str =
    "global_position, transaction_id::text::bigint AS tx_id, event_id::text AS event_id, \
     aggregate_type, aggregate_id, sequence, event_type, event_version, payload::text AS payload, \
     metadata::text AS metadata, recorded_at, hash";

const SQLITE_COLUMNS: &str =
    "global_position, 0 AS tx_id, event_id, aggregate_type, aggregate_id, \
     sequence, event_type, event_version, payload, metadata, recorded_at, hash";

/// Reads the next events after `query.after`, in commit order, never past the fence.
pub async fn read_after(tx: &mut Tx, query: &LogQuery) -> Result<Vec<StoredEvent>, DbError> {
    let rows = match tx {
        Tx::Postgres(conn) => sqlx::query(&pg_read_sql(query))
            .bind(query.after.tx_id.to_string())
            .bind(query.after.position)
            .bind(query.limit)
            .bind(query.aggregate_type.as_deref())
            .fetch_all(&mut **conn)
            .await?
            .iter()
            .map(pg_row)
            .collect::<Result<Vec<_>, _>>()?,
        Tx::Sqlite(conn) => sqlx::query(&sqlite_read_sql(query))
            .bind(query.after.position)
            .bind(query.limit)
            .bind(query.aggregate_type.as_deref())
            .fetch_all(&mut **conn)
            .await?
            .iter()
            .map(sqlite_row)
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(rows)
}

/// The same read outside a transaction (the integrators' catch-up feed).
pub async fn read_feed(db: &Db, query: &LogQuery) -> Result<Vec<StoredEvent>, DbError> {
    match db {
        Db::Postgres(pool) => sqlx::query(&pg_read_sql(query))
            .bind(query.after.tx_id.to_string())
            .bind(query.after.position)
            .bind(query.limit)
            .bind(query.aggregate_type.as_deref())
            .fetch_all(pool)
            .await?
            .iter()
            .map(pg_row)
            .collect(),
        Db::Sqlite { read, .. } => sqlx::query(&sqlite_read_sql(query))
            .bind(query.after.position)
            .bind(query.limit)
            .bind(query.aggregate_type.as_deref())
            .fetch_all(read)
            .await?
            .iter()
            .map(sqlite_row)
            .collect(),
    }
}

fn pg_read_sql(_query: &LogQuery) -> String {
    format!(
        "SELECT {PG_COLUMNS} FROM events \
         WHERE (transaction_id, global_position) > ($1::text::xid8, $2) \
           AND transaction_id < pg_snapshot_xmin(pg_current_snapshot()) \
           AND ($4::text IS NULL OR aggregate_type = $4) \
         ORDER BY transaction_id, global_position LIMIT $3"
    )
}

fn sqlite_read_sql(_query: &LogQuery) -> String {
    format!(
        "SELECT {SQLITE_COLUMNS} FROM events \
         WHERE global_position > $1 AND ($3 IS NULL OR aggregate_type = $3) \
         ORDER BY global_position LIMIT $2"
    )
}

fn pg_row(row: &sqlx::postgres::PgRow) -> Result<StoredEvent, DbError> {
    let version: String = row.try_get("event_version")?;
    upcasted(StoredEvent {
        position: row.try_get("global_position")?,
        tx_id: row.try_get("tx_id")?,
        event_id: row.try_get("event_id")?,
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        sequence: row.try_get("sequence")?,
        event_type: row.try_get("event_type")?,
        event_version: version.clone(),
        stored_version: version,
        payload: parse_json(row.try_get("payload")?)?,
        metadata: parse_json(row.try_get("metadata")?)?,
        recorded_at: row.try_get("recorded_at")?,
        hash: row.try_get("hash")?,
    })
}

fn sqlite_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredEvent, DbError> {
    let recorded_at: String = row.try_get("recorded_at")?;
    let version: String = row.try_get("event_version")?;
    upcasted(StoredEvent {
        position: row.try_get("global_position")?,
        tx_id: row.try_get("tx_id")?,
        event_id: row.try_get("event_id")?,
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        sequence: row.try_get("sequence")?,
        event_type: row.try_get("event_type")?,
        event_version: version.clone(),
        stored_version: version,
        payload: parse_json(row.try_get("payload")?)?,
        metadata: parse_json(row.try_get("metadata")?)?,
        recorded_at: DateTime::parse_from_rfc3339(&recorded_at)
            .map_err(|e| DbError::Corrupt(format!("recorded_at {recorded_at:?}: {e}")))?
            .with_timezone(&Utc),
        hash: row.try_get("hash")?,
    })
}

/// Brings an old payload to the shape the code knows (see `waybill_domain::upcast`).
///
/// A payload the chain cannot upcast (a malformed row) is passed on as written, with its
/// written version: failing the read here would fail every consumer's whole batch at no
/// event in particular, while as it is only the consumers that fold this event type meet
/// it, fail on that one event, and are reported stuck on it by supervision.
fn upcasted(mut event: StoredEvent) -> Result<StoredEvent, DbError> {
    if waybill_domain::upcast::needs_upcast(&event.event_type, &event.event_version) {
        let written = event.payload.clone();
        match waybill_domain::upcast::upcast(&event.event_type, &event.event_version, written) {
            Ok((version, payload)) => {
                event.event_version = version;
                event.payload = payload;
            }
            Err(e) => tracing::warn!(
                position = event.position,
                event_type = %event.event_type,
                version = %event.event_version,
                error = %e,
                "passing on an event that cannot be upcast as written"
            ),
        }
    }
    Ok(event)
}

fn parse_json(text: String) -> Result<Value, DbError> {
    serde_json::from_str(&text).map_err(|e| DbError::Corrupt(format!("event JSON: {e}")))
}

/// Where one stored event sits in commit order, looked up by its global position.
pub async fn checkpoint_of(db: &Db, position: i64) -> Result<Option<Checkpoint>, DbError> {
    match db {
        Db::Postgres(pool) => {
            let tx: Option<i64> = sqlx::query_scalar(
                "SELECT transaction_id::text::bigint FROM events WHERE global_position = $1",
            )
            .bind(position)
            .fetch_optional(pool)
            .await?;
            Ok(tx.map(|tx_id| Checkpoint { tx_id, position }))
        }
        Db::Sqlite { read, .. } => {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT global_position FROM events WHERE global_position = $1")
                    .bind(position)
                    .fetch_optional(read)
                    .await?;
            Ok(found.map(|position| Checkpoint { tx_id: 0, position }))
        }
    }
}

/// The last committed event in commit order (not necessarily behind the fence yet): waiting
/// until a projection has applied it means waiting for every event committed so far.
///
/// On PostgreSQL that is the greatest `(transaction_id, global_position)`, not the greatest
/// position: positions are drawn when a row is inserted, so a transaction that started first
/// and committed last can hold a higher position than an event committed after it, and
/// waiting for `MAX(global_position)` would not wait for that later one. On SQLite the single
/// writer makes the two orders one.
pub async fn head_position(db: &Db) -> Result<i64, DbError> {
    let head: Option<i64> = match db {
        Db::Postgres(pool) => {
            sqlx::query_scalar(
                "SELECT global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1",
            )
            .fetch_optional(pool)
            .await?
        }
        Db::Sqlite { read, .. } => {
            sqlx::query_scalar("SELECT MAX(global_position) FROM events")
                .fetch_one(read)
                .await?
        }
    };
    Ok(head.unwrap_or(0))
}

/// True once the event at `position` can be read behind the fence (always, on SQLite, once
/// it exists). A writer that is still running anywhere in the cluster holds the fence back.
pub async fn is_below_fence(db: &Db, position: i64) -> Result<bool, DbError> {
    let visible: Option<bool> = match db {
        Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT transaction_id < pg_snapshot_xmin(pg_current_snapshot()) FROM events WHERE global_position = $1",
        )
        .bind(position)
        .fetch_optional(pool)
        .await?,
        Db::Sqlite { read, .. } => sqlx::query_scalar("SELECT 1 = 1 FROM events WHERE global_position = $1")
            .bind(position)
            .fetch_optional(read)
            .await?,
    };
    Ok(visible.unwrap_or(false))
}

/// One stream's events in sequence order, after `after_sequence`, at most `limit`.
pub async fn read_stream(
    db: &Db,
    aggregate_type: &str,
    aggregate_id: &str,
    after_sequence: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, DbError> {
    let filter = "WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3 ORDER BY sequence LIMIT $4";
    match db {
        Db::Postgres(pool) => sqlx::query(&format!("SELECT {PG_COLUMNS} FROM events {filter}"))
            .bind(aggregate_type)
            .bind(aggregate_id)
            .bind(after_sequence)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(pg_row)
            .collect(),
        Db::Sqlite { read, .. } => {
            sqlx::query(&format!("SELECT {SQLITE_COLUMNS} FROM events {filter}"))
                .bind(aggregate_type)
                .bind(aggregate_id)
                .bind(after_sequence)
                .bind(limit)
                .fetch_all(read)
                .await?
                .iter()
                .map(sqlite_row)
                .collect()
        }
    }
}

/// Everything one request caused, across streams, in commit order.
pub async fn read_correlated(
    db: &Db,
    correlation_id: &str,
    limit: i64,
) -> Result<Vec<StoredEvent>, DbError> {
    match db {
        Db::Postgres(pool) => sqlx::query(&format!(
            "SELECT {PG_COLUMNS} FROM events WHERE metadata ->> 'correlation_id' = $1 \
             ORDER BY transaction_id, global_position LIMIT $2"
        ))
        .bind(correlation_id)
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(pg_row)
        .collect(),
        Db::Sqlite { read, .. } => sqlx::query(&format!(
            "SELECT {SQLITE_COLUMNS} FROM events WHERE json_extract(metadata, '$.correlation_id') = $1 \
             ORDER BY global_position LIMIT $2"
        ))
        .bind(correlation_id)
        .bind(limit)
        .fetch_all(read)
        .await?
        .iter()
        .map(sqlite_row)
        .collect(),
    }
}
