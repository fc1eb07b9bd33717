//! API keys: `wbk_<key id>_<secret>`. Only a SHA-256 of the secret is stored; the secret is
//! shown once, when the key is created. Secrets are 256 random bits, so a fast hash is enough
//! (no password stretching needed), and lookups go by key id so no hash is ever scanned.

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;
use waybill_projections::{with_db, Db};

use super::role::{Principal, Role};
use crate::error::{AppError, ErrorCode};

const PREFIX: &str = "wbk_";

/// A freshly created key; `secret` is the only copy of the full key.
#[derive(Debug)]
pub struct NewKey {
    pub key_id: String,
    pub role: Role,
    pub token: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct KeyInfo {
    pub key_id: String,
    pub role: String,
    pub label: String,
    pub revoked: bool,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Splits `wbk_<id>_<secret>`; anything else is not a key.
pub(super) fn parse(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let well_formed = id.len() == 16
        && secret.len() == 64
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && secret.bytes().all(|b| b.is_ascii_hexdigit());
    well_formed.then_some((id, secret))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn create(db: &Db, role: Role, label: &str) -> Result<NewKey, AppError> {
    let key_id = random_hex(8);
    let secret = random_hex(32);
    with_db!(db, pool => {
        sqlx::query("INSERT INTO api_keys (key_id, secret_hash, role, label) VALUES ($1, $2, $3, $4)")
            .bind(&key_id)
            .bind(hash(&secret))
            .bind(role.as_str())
            .bind(label)
            .execute(pool)
            .await?;
    });
    super::changes::announce(db).await?;
    Ok(NewKey {
        token: format!("{PREFIX}{key_id}_{secret}"),
        key_id,
        role,
    })
}

/// Revokes a key; revoking twice is fine, an unknown key is NOT_FOUND.
pub async fn revoke(db: &Db, key_id: &str) -> Result<(), AppError> {
    let updated = with_db!(db, pool =>
        sqlx::query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, CURRENT_TIMESTAMP) WHERE key_id = $1")
            .bind(key_id)
            .execute(pool)
            .await?
            .rows_affected());
    if updated == 0 {
        return Err(AppError::not_found(format!("no API key {key_id:?}")));
    }
    super::changes::announce(db).await?;
    Ok(())
}

pub async fn list(db: &Db) -> Result<Vec<KeyInfo>, AppError> {
    let rows: Vec<(String, String, String, bool)> = with_db!(db, read pool =>
        sqlx::query_as("SELECT key_id, role, label, revoked_at IS NOT NULL FROM api_keys ORDER BY created_at, key_id")
            .fetch_all(pool)
            .await?);
    Ok(rows
        .into_iter()
        .map(|(key_id, role, label, revoked)| KeyInfo {
            key_id,
            role,
            label,
            revoked,
        })
        .collect())
}

pub async fn count(db: &Db) -> Result<i64, AppError> {
    Ok(with_db!(db, read pool =>
        sqlx::query_scalar("SELECT COUNT(*) FROM api_keys").fetch_one(pool).await?))
}

/// The one answer to every failed authentication, so a caller cannot tell an unknown key from
/// a revoked one or a wrong secret.
pub fn denied() -> AppError {
    AppError::new(
        ErrorCode::Unauthenticated,
        "missing, malformed, unknown or revoked API key",
    )
}

/// What the table says about an active key: enough to verify a secret without reading again.
#[derive(Clone, Debug)]
pub struct ActiveKey {
    secret_hash: String,
    role: Role,
}

impl ActiveKey {
    pub fn verify(&self, key_id: &str, secret: &str) -> Result<Principal, AppError> {
        if !constant_time_eq(self.secret_hash.as_bytes(), hash(secret).as_bytes()) {
            return Err(denied());
        }
        Ok(Principal {
            key_id: key_id.to_string(),
            role: self.role,
        })
    }
}

/// The active (not revoked) key with this id, if any: one indexed read.
pub async fn find_active(db: &Db, key_id: &str) -> Result<Option<ActiveKey>, AppError> {
    let row = with_db!(db, read pool =>
        sqlx::query("SELECT secret_hash, role FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL")
            .bind(key_id)
            .fetch_optional(pool)
            .await?
            .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1))));
    let Some((secret_hash, role)) = row else {
        return Ok(None);
    };
    let role: Role = role
        .parse()
        .map_err(|e: super::role::UnknownRole| AppError::internal("reading an API key", &e))?;
    Ok(Some(ActiveKey { secret_hash, role }))
}

/// Resolves a bearer token to its principal with a database read (no cache).
pub async fn authenticate(db: &Db, token: &str) -> Result<Principal, AppError> {
    let (key_id, secret) = parse(token).ok_or_else(denied)?;
    find_active(db, key_id)
        .await?
        .ok_or_else(denied)?
        .verify(key_id, secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_tokens_parse() {
        let id = "0123456789abcdef";
        let secret = "a".repeat(64);
        assert_eq!(
            parse(&format!("wbk_{id}_{secret}")),
            Some((id, secret.as_str()))
        );
        assert_eq!(parse(&format!("wbk_{id}_{}", "a".repeat(63))), None);
        assert_eq!(parse(&format!("xyz_{id}_{secret}")), None);
        assert_eq!(parse("wbk_"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse(&format!("wbk_{id}_{}", "g".repeat(64))), None);
    }
}
