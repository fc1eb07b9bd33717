//! Projection checkpoints, written in the same transaction as the read-model change they cover.

use crate::db::{Db, DbError, Tx};
use crate::log::Checkpoint;
use crate::{with_db, with_tx};

pub async fn load(tx: &mut Tx, name: &str) -> Result<Checkpoint, DbError> {
    let row: Option<(i64, i64)> = with_tx!(tx, conn =>
        sqlx::query_as("SELECT tx_id, position FROM projection_checkpoints WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut **conn)
            .await?);
    Ok(row
        .map(|(tx_id, position)| Checkpoint { tx_id, position })
        .unwrap_or_default())
}

pub async fn save(tx: &mut Tx, name: &str, checkpoint: Checkpoint) -> Result<(), DbError> {
    with_tx!(tx, conn =>
        { sqlx::query(
            "INSERT INTO projection_checkpoints (name, tx_id, position, updated_at) \
             VALUES ($1, $2, $3, CURRENT_TIMESTAMP) \
             ON CONFLICT (name) DO UPDATE SET tx_id = $2, position = $3, updated_at = CURRENT_TIMESTAMP")
            .bind(name)
            .bind(checkpoint.tx_id)
            .bind(checkpoint.position)
            .execute(&mut **conn)
            .await?; });
    Ok(())
}

pub async fn delete(tx: &mut Tx, name: &str) -> Result<(), DbError> {
    with_tx!(tx, conn =>
        { sqlx::query("DELETE FROM projection_checkpoints WHERE name = $1")
            .bind(name)
            .execute(&mut **conn)
            .await?; });
    Ok(())
}

/// The committed checkpoint, read outside any transaction (status, read-your-writes waits).
pub async fn read(db: &Db, name: &str) -> Result<Checkpoint, DbError> {
    let row: Option<(i64, i64)> = with_db!(db, read pool =>
        sqlx::query_as("SELECT tx_id, position FROM projection_checkpoints WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await?);
    Ok(row
        .map(|(tx_id, position)| Checkpoint { tx_id, position })
        .unwrap_or_default())
}
