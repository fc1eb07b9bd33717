//! Carrier webhook secrets: rotated by an admin, shown once, read on every webhook call.

use rand::RngCore;
use waybill_projections::{with_db, Db};

use crate::error::AppError;

/// Generates and stores a new secret for `carrier`, replacing any previous one.
pub async fn rotate(db: &Db, carrier: &str) -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("whsec_{}", hex::encode(bytes));
    with_db!(db, pool => {
        sqlx::query(
            "INSERT INTO carrier_webhook_secrets (carrier, secret) VALUES ($1, $2) \
             ON CONFLICT (carrier) DO UPDATE SET secret = $2, updated_at = CURRENT_TIMESTAMP",
        )
        .bind(carrier)
        .bind(&secret)
        .execute(pool)
        .await?;
    });
    Ok(secret)
}

pub async fn get(db: &Db, carrier: &str) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, read pool =>
        sqlx::query_scalar("SELECT secret FROM carrier_webhook_secrets WHERE carrier = $1")
            .bind(carrier)
            .fetch_optional(pool)
            .await?))
}
