//! What the runner needs from a read model.

use async_trait::async_trait;
use serde_json::Value;

use crate::db::{DbError, Tx};
use crate::log::StoredEvent;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error(transparent)]
    Db(#[from] DbError),
    /// An event or a stored document does not have the shape this code expects: a bug or an
    /// unhandled schema change, never something to skip silently.
    #[error("cannot project: {0}")]
    Corrupt(String),
    #[error("projection stalled: {0}")]
    Stalled(String),
    #[error(
        "{0} is a ledger sealed in commit order; rebuilding it from the log would hide tampering"
    )]
    NotRebuildable(String),
    #[error("unknown projection {0:?}")]
    Unknown(String),
}

impl From<sqlx::Error> for ProjectionError {
    fn from(e: sqlx::Error) -> Self {
        ProjectionError::Db(DbError::Sql(e))
    }
}

#[async_trait]
pub trait Projection: Send + Sync {
    /// Stable name, also the checkpoint key.
    fn name(&self) -> &'static str;
    /// The live table queries read.
    fn table(&self) -> &'static str;
    /// False for ledgers that must never be recomputed from the log (the audit seal).
    fn rebuildable(&self) -> bool {
        true
    }
    /// Creates an empty copy of the read-model table under `table`, with its indexes.
    async fn create_table(&self, tx: &mut Tx, table: &str) -> Result<(), ProjectionError> {
        self.create_bare_table(tx, table).await?;
        self.create_indexes(tx, table).await
    }
    /// The table with its primary key only: bulk loads (rebuilds) fill it first and index it
    /// afterwards, which is several times faster than maintaining every index row by row.
    async fn create_bare_table(&self, tx: &mut Tx, table: &str) -> Result<(), ProjectionError>;
    /// The secondary indexes of `table`.
    async fn create_indexes(&self, _tx: &mut Tx, _table: &str) -> Result<(), ProjectionError> {
        Ok(())
    }
    /// Applies events (in commit order) to `table`; returns how many it used.
    async fn apply_batch(
        &self,
        tx: &mut Tx,
        table: &str,
        events: &[StoredEvent],
    ) -> Result<usize, ProjectionError>;
    /// Every row of `table` as (key, document), ordered by key: what verification compares.
    async fn documents(
        &self,
        tx: &mut Tx,
        table: &str,
    ) -> Result<Vec<(String, Value)>, ProjectionError>;
}
