//! Telling every process that the keys changed, so a key revoked anywhere — this server, another
//! replica, the `waybill keys` CLI — stops working everywhere within a second instead of when a
//! cache entry expires.
//!
//! PostgreSQL: whoever writes the keys table sends `NOTIFY waybill_api_keys`; each server
//! LISTENs on its own connection. SQLite has no notifications, and its writers share one file:
//! each server polls a fingerprint of the table (keys are never deleted and a revocation is
//! never undone, so the number of keys and of revoked keys moves on every change).

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::watch;
use waybill_projections::{with_db, Db};

use crate::error::AppError;
use crate::services::Services;

const CHANNEL: &str = "waybill_api_keys";
/// How often SQLite servers look at the keys table: well inside the one-second promise, and
/// one indexed count on a table of a few rows.
pub const POLL_EVERY: Duration = Duration::from_millis(250);

/// Tells the other processes that the keys table changed (called after every write to it).
pub async fn announce(db: &Db) -> Result<(), AppError> {
    if let Db::Postgres(pool) = db {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Empties the server's key cache on every change until `shutdown`. A lost connection to the
/// notifications may have hidden changes, so reconnecting empties the cache too.
pub async fn follow(services: Arc<Services>, mut shutdown: watch::Receiver<bool>) {
    let stop = async move {
        let _ = shutdown.wait_for(|s| *s).await;
    };
    match services.db.clone() {
        Db::Postgres(pool) => {
            tokio::select! {
                _ = stop => {}
                _ = listen(&pool, &services) => {}
            }
        }
        db @ Db::Sqlite { .. } => {
            tokio::select! {
                _ = stop => {}
                _ = poll(&db, &services) => {}
            }
        }
    }
}

async fn listen(pool: &sqlx::PgPool, services: &Services) {
    loop {
        let mut listener = match PgListener::connect_with(pool).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for API key changes; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "cannot listen for API key changes; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Whatever changed before LISTEN took effect is unknown here.
        services.keys.invalidate();
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => services.keys.invalidate(),
                // The connection dropped and was re-established: notices may have been lost.
                Ok(None) => services.keys.invalidate(),
                Err(sqlx::Error::PoolClosed) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "lost the API key change feed; reconnecting");
                    services.keys.invalidate();
                    break;
                }
            }
        }
    }
}

async fn poll(db: &Db, services: &Services) {
    let mut last: Option<(i64, i64)> = None;
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match fingerprint(db).await {
            Ok(now) => {
                if last.is_some_and(|seen| seen != now) {
                    services.keys.invalidate();
                }
                last = Some(now);
            }
            Err(e) => tracing::warn!(error = %e.message, "cannot read the API keys table"),
        }
    }
}

/// (keys, revoked keys): moves on every creation and every revocation.
async fn fingerprint(db: &Db) -> Result<(i64, i64), AppError> {
    Ok(with_db!(db, read pool =>
        sqlx::query_as("SELECT COUNT(*), COUNT(revoked_at) FROM api_keys")
            .fetch_one(pool)
            .await?))
}
