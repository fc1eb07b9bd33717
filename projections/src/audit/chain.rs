//! The canonical form of an event and its chain hash — the same computation the database
//! triggers do, so verification can recompute every link independently.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{Db, DbError};

/// The `prev_hash` of a stream's first event.
pub const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored event exactly as the chain sees it (texts as stored).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditRow {
    pub position: i64,
    pub tx_id: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
    pub event_id: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ` on both backends.
    pub recorded_at: String,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// Length-prefixed fields: no two different events share a canonical form. The sequence
/// number is left out on purpose — the links define the order.
pub fn canonical(row: &AuditRow) -> String {
    let fields = [
        &row.aggregate_type,
        &row.aggregate_id,
        &row.event_type,
        &row.event_version,
        &row.payload,
        &row.metadata,
        &row.event_id,
        &row.recorded_at,
    ];
    fields
        .iter()
        .map(|f| format!("{}:{f}", f.chars().count()))
        .collect::<Vec<_>>()
        .join("|")
}

pub fn event_hash(prev_hash: &str, row: &AuditRow) -> String {
    sha256_hex(&format!("{prev_hash}|{}", canonical(row)))
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

const PG_SELECT: &str = "SELECT global_position, transaction_id::text::bigint, aggregate_type, aggregate_id, sequence, \
     event_type, event_version, payload::text, metadata::text, event_id::text, \
     waybill_recorded_at_text(recorded_at), prev_hash, hash FROM events";
const SQLITE_SELECT: &str =
    "SELECT global_position, 0, aggregate_type, aggregate_id, sequence, event_type, \
     event_version, payload, metadata, event_id, recorded_at, prev_hash, hash FROM events";

/// Every event, ordered as `order_by` says (a trusted SQL fragment).
pub(crate) async fn rows(db: &Db, order_by: &str) -> Result<Vec<AuditRow>, DbError> {
    macro_rules! fetch {
        ($pool:expr, $select:expr) => {{
            let sql = format!("{} ORDER BY {order_by}", $select);
            sqlx::query(&sql)
                .fetch_all($pool)
                .await?
                .into_iter()
                .map(|r| -> Result<AuditRow, sqlx::Error> {
                    Ok(AuditRow {
                        position: r.try_get(0)?,
                        tx_id: r.try_get(1)?,
                        aggregate_type: r.try_get(2)?,
                        aggregate_id: r.try_get(3)?,
                        sequence: r.try_get(4)?,
                        event_type: r.try_get(5)?,
                        event_version: r.try_get(6)?,
                        payload: r.try_get(7)?,
                        metadata: r.try_get(8)?,
                        event_id: r.try_get(9)?,
                        recorded_at: r.try_get(10)?,
                        prev_hash: r.try_get(11)?,
                        hash: r.try_get(12)?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        }};
    }
    Ok(match db {
        Db::Postgres(pool) => fetch!(pool, PG_SELECT),
        Db::Sqlite { read, .. } => fetch!(read, SQLITE_SELECT),
    })
}

/// Commit order: what the global seal follows.
pub(crate) fn commit_order(db: &Db) -> &'static str {
    match db {
        Db::Postgres(_) => "transaction_id, global_position",
        Db::Sqlite { .. } => "global_position",
    }
}
