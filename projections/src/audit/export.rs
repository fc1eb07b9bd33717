//! Export of the log as JSON lines, with hashes, for offline audit; and import into an empty
//! store, which reproduces the same chains (the triggers recompute every hash and the import
//! checks each against the exported one).

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};

use super::chain::{commit_order, rows, AuditRow};
use crate::db::{Db, DbError};
use crate::with_db;

/// One exported event: the exact stored texts plus both hashes.
pub type ExportedEvent = AuditRow;

#[derive(Clone, Debug, Default)]
pub struct ExportFilter {
    pub stream_type: Option<String>,
    pub stream_id: Option<String>,
    pub from_position: Option<i64>,
    pub to_position: Option<i64>,
    pub from_time: Option<DateTime<Utc>>,
    pub to_time: Option<DateTime<Utc>>,
}

impl ExportFilter {
    fn keeps(&self, row: &AuditRow) -> bool {
        let at = DateTime::parse_from_rfc3339(&row.recorded_at)
            .map(|t| t.with_timezone(&Utc))
            .ok();
        self.stream_type
            .as_ref()
            .is_none_or(|t| *t == row.aggregate_type)
            && self
                .stream_id
                .as_ref()
                .is_none_or(|id| *id == row.aggregate_id)
            && self.from_position.is_none_or(|p| row.position >= p)
            && self.to_position.is_none_or(|p| row.position <= p)
            && self.from_time.is_none_or(|t| at.is_some_and(|at| at >= t))
            && self.to_time.is_none_or(|t| at.is_some_and(|at| at < t))
    }
}

/// Writes matching events in commit order, one JSON object per line; returns how many.
/// `reveal` sees each row before it is written: the caller masks personal data there (this
/// crate does not know who may read the file), or passes the row through for a clear export.
pub async fn export(
    db: &Db,
    filter: &ExportFilter,
    reveal: &dyn Fn(&mut ExportedEvent),
    out: &mut dyn Write,
) -> Result<usize, DbError> {
    let mut count = 0;
    for mut row in rows(db, commit_order(db))
        .await?
        .into_iter()
        .filter(|r| filter.keeps(r))
    {
        reveal(&mut row);
        let line = serde_json::to_string(&row).map_err(|e| DbError::Corrupt(e.to_string()))?;
        writeln!(out, "{line}")
            .map_err(|e| DbError::Corrupt(format!("writing the export: {e}")))?;
        count += 1;
    }
    Ok(count)
}

/// Why an import was refused. Every variant but `Db` is a mistake in the file or the target
/// the operator can act on, and says which line; nothing of the file is kept when one occurs.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("import needs an empty store; this one holds {0} events (import into a new database or data directory)")]
    NotEmpty(i64),
    #[error("line {line}: cannot be read: {reason}")]
    Unreadable { line: usize, reason: String },
    #[error("line {line}: not an exported event: {reason}")]
    Malformed { line: usize, reason: String },
    #[error("line {line}: event {stream}#{sequence} is refused by the store: {reason} (was the file edited, or lines repeated?)")]
    Refused {
        line: usize,
        stream: String,
        sequence: i64,
        reason: String,
    },
    #[error("line {line}: event {stream}#{sequence} hashes to {recomputed}, the export says {exported} (the file was altered, or written without --clear-pii, whose masked payloads cannot be imported)")]
    HashMismatch {
        line: usize,
        stream: String,
        sequence: i64,
        recomputed: String,
        exported: String,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Db(DbError::Sql(e))
    }
}

/// A row the database refuses for what it holds (a duplicate (stream, sequence), a value it
/// cannot store) rather than because it is unavailable.
fn refused_by_constraint(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) => {
            use sqlx::error::ErrorKind;
            let rule = matches!(
                db.kind(),
                ErrorKind::UniqueViolation
                    | ErrorKind::NotNullViolation
                    | ErrorKind::CheckViolation
                    | ErrorKind::ForeignKeyViolation
            );
            // PostgreSQL class 22 (data exception: bad JSON, bad uuid, bad timestamp).
            let bad_data = db.code().is_some_and(|c| c.starts_with("22"));
            (rule || bad_data).then(|| db.message().to_string())
        }
        _ => None,
    }
}

/// Replays an export into an empty store, in file order, and checks that every recomputed
/// hash equals the exported one. All or nothing: one transaction.
pub async fn import(db: &Db, input: &mut dyn BufRead) -> Result<usize, ImportError> {
    let existing: i64 = with_db!(db, read pool => sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(pool).await.map_err(DbError::from)?);
    if existing > 0 {
        return Err(ImportError::NotEmpty(existing));
    }
    let insert = match db {
        Db::Postgres(_) => {
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, event_id, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6::json, $7::json, $8::uuid, $9::timestamptz) RETURNING hash"
        }
        Db::Sqlite { .. } => {
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, event_id, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        }
    };
    let mut tx = db.begin().await?;
    let mut count = 0;
    for (n, line) in input.lines().enumerate() {
        let line_no = n + 1;
        let line = line.map_err(|e| ImportError::Unreadable {
            line: line_no,
            reason: e.to_string(),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let row: AuditRow = serde_json::from_str(&line).map_err(|e| ImportError::Malformed {
            line: line_no,
            reason: e.to_string(),
        })?;
        let refused = |e: sqlx::Error| match refused_by_constraint(&e) {
            Some(reason) => ImportError::Refused {
                line: line_no,
                stream: row.aggregate_id.clone(),
                sequence: row.sequence,
                reason,
            },
            None => ImportError::from(e),
        };
        let recomputed: Option<String> = match &mut tx {
            crate::db::Tx::Postgres(conn) => bind(sqlx::query_scalar(insert), &row)
                .fetch_one(&mut **conn)
                .await
                .map_err(refused)?,
            crate::db::Tx::Sqlite(conn) => {
                bind(sqlx::query(insert), &row)
                    .execute(&mut **conn)
                    .await
                    .map_err(refused)?;
                sqlx::query_scalar("SELECT hash FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3")
                    .bind(&row.aggregate_type)
                    .bind(&row.aggregate_id)
                    .bind(row.sequence)
                    .fetch_one(&mut **conn)
                    .await?
            }
        };
        if recomputed != row.hash {
            return Err(ImportError::HashMismatch {
                line: line_no,
                stream: row.aggregate_id.clone(),
                sequence: row.sequence,
                recomputed: recomputed.unwrap_or_else(|| "nothing".into()),
                exported: row.hash.clone().unwrap_or_else(|| "nothing".into()),
            });
        }
        count += 1;
    }
    tx.commit().await?;
    Ok(count)
}

/// Binds an exported row's columns in INSERT order; works for `query` and `query_scalar`.
trait BindRow<'q> {
    fn bind_text(self, v: &'q str) -> Self;
    fn bind_int(self, v: i64) -> Self;
}

macro_rules! bind_row_impl {
    ($ty:ty) => {
        impl<'q> BindRow<'q> for $ty {
            fn bind_text(self, v: &'q str) -> Self {
                self.bind(v)
            }
            fn bind_int(self, v: i64) -> Self {
                self.bind(v)
            }
        }
    };
}

bind_row_impl!(sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>);
bind_row_impl!(sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>);
bind_row_impl!(
    sqlx::query::QueryScalar<'q, sqlx::Postgres, Option<String>, sqlx::postgres::PgArguments>
);
bind_row_impl!(
    sqlx::query::QueryScalar<'q, sqlx::Sqlite, Option<String>, sqlx::sqlite::SqliteArguments<'q>>
);

fn bind<'q, Q: BindRow<'q>>(q: Q, row: &'q AuditRow) -> Q {
    q.bind_text(&row.aggregate_type)
        .bind_text(&row.aggregate_id)
        .bind_int(row.sequence)
        .bind_text(&row.event_type)
        .bind_text(&row.event_version)
        .bind_text(&row.payload)
        .bind_text(&row.metadata)
        .bind_text(&row.event_id)
        .bind_text(&row.recorded_at)
}
