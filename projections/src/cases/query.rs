//! Reading the cases read model.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::view::CaseView;
use super::TABLE;
use crate::db::{Db, DbError};
use crate::with_db;

#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    pub status: Option<String>,
    pub customer_id: Option<String>,
    pub owner: Option<String>,
    pub case_type: Option<String>,
    pub priority: Option<String>,
    pub opened_from: Option<DateTime<Utc>>,
    pub opened_to: Option<DateTime<Utc>>,
}

/// Keyset cursor: (opened_at, id) of the last row seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseCursor {
    pub opened_at_micros: i64,
    pub case_id: String,
}

impl CaseCursor {
    pub fn of(view: &CaseView) -> CaseCursor {
        CaseCursor {
            opened_at_micros: view.opened_at.timestamp_micros(),
            case_id: view.case_id.clone(),
        }
    }

    pub fn encode(&self) -> String {
        format!("{}~{}", self.opened_at_micros, self.case_id)
    }

    pub fn decode(s: &str) -> Option<CaseCursor> {
        let (at, id) = s.split_once('~')?;
        Some(CaseCursor {
            opened_at_micros: at.parse().ok()?,
            case_id: id.to_string(),
        })
    }
}

pub struct CasePage {
    pub cases: Vec<CaseView>,
    pub has_next: bool,
}

pub async fn get(db: &Db, case_id: &str) -> Result<Option<CaseView>, DbError> {
    let sql = format!("SELECT doc FROM {TABLE} WHERE id = $1");
    let doc: Option<Json<CaseView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql).bind(case_id).fetch_optional(pool).await?);
    Ok(doc.map(|d| d.0))
}

/// Cases newest first; `first` = `i64::MAX` reads every match (analytics).
pub async fn list(
    db: &Db,
    filter: &CaseFilter,
    first: i64,
    after: Option<&CaseCursor>,
) -> Result<CasePage, DbError> {
    let sql = format!(
        "SELECT doc FROM {TABLE} \
         WHERE ($1 IS NULL OR status = $1) \
           AND ($2 IS NULL OR customer_id = $2) \
           AND ($3 IS NULL OR owner = $3 OR first_contact_owner = $3) \
           AND ($4 IS NULL OR case_type = $4) \
           AND ($5 IS NULL OR priority = $5) \
           AND ($6 IS NULL OR opened_at >= $6) \
           AND ($7 IS NULL OR opened_at < $7) \
           AND ($8 IS NULL OR opened_at < $8 OR (opened_at = $8 AND id < $9)) \
         ORDER BY opened_at DESC, id DESC LIMIT $10"
    );
    let (after_at, after_id) = match after {
        Some(c) => (Some(c.opened_at_micros), Some(c.case_id.clone())),
        None => (None, None),
    };
    let limit = first.saturating_add(1);
    let rows: Vec<Json<CaseView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql)
            .bind(filter.status.as_deref())
            .bind(filter.customer_id.as_deref())
            .bind(filter.owner.as_deref())
            .bind(filter.case_type.as_deref())
            .bind(filter.priority.as_deref())
            .bind(filter.opened_from.map(|t| t.timestamp_micros()))
            .bind(filter.opened_to.map(|t| t.timestamp_micros()))
            .bind(after_at)
            .bind(after_id)
            .bind(limit)
            .fetch_all(pool)
            .await?);
    let mut cases: Vec<CaseView> = rows.into_iter().map(|r| r.0).collect();
    let has_next = cases.len() as i64 > first;
    cases.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok(CasePage { cases, has_next })
}

pub async fn cases_of_customer(db: &Db, customer_id: &str) -> Result<Vec<CaseView>, DbError> {
    let filter = CaseFilter {
        customer_id: Some(customer_id.to_string()),
        ..CaseFilter::default()
    };
    Ok(list(db, &filter, i64::MAX - 1, None).await?.cases)
}

/// Cases with a running clock due at or before `now`: the breach sweep's candidates.
pub async fn due_before(db: &Db, now: DateTime<Utc>) -> Result<Vec<CaseView>, DbError> {
    let sql = format!(
        "SELECT doc FROM {TABLE} WHERE next_due_at IS NOT NULL AND next_due_at <= $1 ORDER BY next_due_at, id"
    );
    let rows: Vec<Json<CaseView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql).bind(now.timestamp_micros()).fetch_all(pool).await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Active (open or waiting) cases per owner, for load-balanced assignment.
pub async fn open_per_owner(db: &Db) -> Result<HashMap<String, u32>, DbError> {
    let sql = format!(
        "SELECT owner, COUNT(*) FROM {TABLE} WHERE status IN ('open', 'waiting_on_customer') GROUP BY owner"
    );
    let rows: Vec<(String, i64)> = with_db!(db, read pool =>
        sqlx::query_as(&sql).fetch_all(pool).await?);
    Ok(rows
        .into_iter()
        .map(|(owner, n)| (owner, u32::try_from(n).unwrap_or(u32::MAX)))
        .collect())
}
