//! The global seal: a hash chain over every event in commit order, kept by the runner like
//! any projection — except that it is never rebuilt from the log, since that would launder
//! whatever was changed in the log.

use async_trait::async_trait;
use serde_json::{json, Value};
use sqlx::Row;

use super::chain::{sha256_hex, ZERO_HASH};
use crate::db::{Db, DbError, Tx};
use crate::log::StoredEvent;
use crate::projection::{Projection, ProjectionError};
use crate::{with_db, with_tx};

pub const NAME: &str = "audit_chain";
const TABLE: &str = "audit_chain";

/// The head of the seal at one moment: export it, keep it elsewhere, and verification can
/// later prove the log up to it is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SealCheckpoint {
    /// How many events the seal covers.
    pub ordinal: i64,
    /// Global position of the last of them.
    pub position: i64,
    pub chain_hash: String,
}

pub struct AuditChainProjection;

pub(crate) fn link(prev_chain: &str, position: i64, event_hash: &str) -> String {
    sha256_hex(&format!("{prev_chain}|{position}|{event_hash}"))
}

#[async_trait]
impl Projection for AuditChainProjection {
    fn name(&self) -> &'static str {
        NAME
    }

    fn table(&self) -> &'static str {
        TABLE
    }

    fn rebuildable(&self) -> bool {
        false
    }

    async fn create_bare_table(&self, tx: &mut Tx, table: &str) -> Result<(), ProjectionError> {
        let sql = format!(
            "CREATE TABLE {table} (ordinal BIGINT PRIMARY KEY, position BIGINT NOT NULL, \
             event_hash TEXT NOT NULL, chain_hash TEXT NOT NULL)"
        );
        with_tx!(tx, conn => { sqlx::query(&sql).execute(&mut **conn).await.map_err(DbError::from)?; });
        Ok(())
    }

    async fn apply_batch(
        &self,
        tx: &mut Tx,
        table: &str,
        events: &[StoredEvent],
    ) -> Result<usize, ProjectionError> {
        let head_sql =
            format!("SELECT ordinal, chain_hash FROM {table} ORDER BY ordinal DESC LIMIT 1");
        let head: Option<(i64, String)> = with_tx!(tx, conn =>
            sqlx::query_as(&head_sql).fetch_optional(&mut **conn).await.map_err(DbError::from)?);
        let (mut ordinal, mut chain) = head.unwrap_or((0, ZERO_HASH.to_string()));
        let mut rows = Vec::with_capacity(events.len());
        for e in events {
            let hash = e.hash.clone().ok_or_else(|| {
                ProjectionError::Corrupt(format!(
                    "event at position {} has no chain hash",
                    e.position
                ))
            })?;
            ordinal += 1;
            chain = link(&chain, e.position, &hash);
            rows.push((ordinal, e.position, hash, chain.clone()));
        }
        for chunk in rows.chunks(200) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    format!(
                        "(${}, ${}, ${}, ${})",
                        i * 4 + 1,
                        i * 4 + 2,
                        i * 4 + 3,
                        i * 4 + 4
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO {table} (ordinal, position, event_hash, chain_hash) VALUES {}",
                values.join(", ")
            );
            with_tx!(tx, conn => {
                let mut q = sqlx::query(&sql);
                for (o, p, h, c) in chunk {
                    q = q.bind(*o).bind(*p).bind(h).bind(c);
                }
                q.execute(&mut **conn).await.map_err(DbError::from)?;
            });
        }
        Ok(events.len())
    }

    async fn documents(
        &self,
        tx: &mut Tx,
        table: &str,
    ) -> Result<Vec<(String, Value)>, ProjectionError> {
        let sql = format!(
            "SELECT ordinal, position, event_hash, chain_hash FROM {table} ORDER BY ordinal"
        );
        let rows: Vec<(i64, i64, String, String)> = with_tx!(tx, conn =>
            sqlx::query_as(&sql).fetch_all(&mut **conn).await.map_err(DbError::from)?);
        Ok(rows
            .into_iter()
            .map(|(o, p, h, c)| {
                (
                    format!("{o:020}"),
                    json!({"position": p, "event_hash": h, "chain_hash": c}),
                )
            })
            .collect())
    }
}

/// The seal's current head, if it has sealed anything.
pub async fn seal_checkpoint(db: &Db) -> Result<Option<SealCheckpoint>, DbError> {
    let sql =
        format!("SELECT ordinal, position, chain_hash FROM {TABLE} ORDER BY ordinal DESC LIMIT 1");
    let row = with_db!(db, read pool => sqlx::query(&sql).fetch_optional(pool).await?.map(|r| -> Result<SealCheckpoint, sqlx::Error> {
        Ok(SealCheckpoint { ordinal: r.try_get(0)?, position: r.try_get(1)?, chain_hash: r.try_get(2)? })
    }).transpose()?);
    Ok(row)
}

/// The stored seal entries, in order: (ordinal, position, event hash, chain hash).
pub(crate) async fn stored(db: &Db) -> Result<Vec<(i64, i64, String, String)>, DbError> {
    let sql =
        format!("SELECT ordinal, position, event_hash, chain_hash FROM {TABLE} ORDER BY ordinal");
    Ok(with_db!(db, read pool => sqlx::query_as(&sql).fetch_all(pool).await?))
}
