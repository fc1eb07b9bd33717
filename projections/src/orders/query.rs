//! Reading the orders read model: by id, and as a filtered list, newest first.

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::view::OrderView;
use super::TABLE;
use crate::db::{Db, DbError};
use crate::with_db;

#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub status: Option<String>,
    pub channel: Option<String>,
    pub customer_id: Option<String>,
    /// Inclusive lower bound on `placed_at`.
    pub placed_from: Option<DateTime<Utc>>,
    /// Exclusive upper bound on `placed_at`.
    pub placed_to: Option<DateTime<Utc>>,
}

/// Keyset cursor: the (placed_at, id) of the last row seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderCursor {
    pub placed_at_micros: i64,
    pub order_id: String,
}

impl OrderCursor {
    pub fn of(view: &OrderView) -> OrderCursor {
        OrderCursor {
            placed_at_micros: view.placed_at.timestamp_micros(),
            order_id: view.order_id.clone(),
        }
    }

    pub fn encode(&self) -> String {
        format!("{}~{}", self.placed_at_micros, self.order_id)
    }

    pub fn decode(s: &str) -> Option<OrderCursor> {
        let (at, id) = s.split_once('~')?;
        Some(OrderCursor {
            placed_at_micros: at.parse().ok()?,
            order_id: id.to_string(),
        })
    }
}

pub struct OrderPage {
    pub orders: Vec<OrderView>,
    pub has_next: bool,
}

pub async fn get(db: &Db, order_id: &str) -> Result<Option<OrderView>, DbError> {
    let sql = format!("SELECT doc FROM {TABLE} WHERE id = $1");
    let doc: Option<Json<OrderView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql).bind(order_id).fetch_optional(pool).await?);
    Ok(doc.map(|d| d.0))
}

/// One page of orders, newest `placed_at` first (ties broken by id).
pub async fn list(
    db: &Db,
    filter: &OrderFilter,
    first: i64,
    after: Option<&OrderCursor>,
) -> Result<OrderPage, DbError> {
    // Every optional filter is a `($n IS NULL OR …)` clause so one statement text (and one
    // prepared plan) serves every combination on both backends. The keyset is a row
    // comparison that is always bound — the first page starts above every row — so a deep
    // page is still a range scan of the `(placed_at, id)` index, which an `OR` on a NULL
    // cursor would hide from PostgreSQL's generic plan.
    let sql = format!(
        "SELECT doc FROM {TABLE} \
         WHERE ($1 IS NULL OR status = $1) \
           AND ($2 IS NULL OR channel = $2) \
           AND ($3 IS NULL OR customer_id = $3) \
           AND ($4 IS NULL OR placed_at >= $4) \
           AND ($5 IS NULL OR placed_at < $5) \
           AND (placed_at, id) < ($6, $7) \
         ORDER BY placed_at DESC, id DESC LIMIT $8"
    );
    let from = filter.placed_from.map(|t| t.timestamp_micros());
    let to = filter.placed_to.map(|t| t.timestamp_micros());
    let (after_at, after_id) = match after {
        Some(c) => (c.placed_at_micros, c.order_id.clone()),
        None => (i64::MAX, String::new()),
    };
    let rows: Vec<Json<OrderView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql)
            .bind(filter.status.as_deref())
            .bind(filter.channel.as_deref())
            .bind(filter.customer_id.as_deref())
            .bind(from)
            .bind(to)
            .bind(after_at)
            .bind(after_id)
            .bind(first + 1)
            .fetch_all(pool)
            .await?);
    let mut orders: Vec<OrderView> = rows.into_iter().map(|r| r.0).collect();
    let has_next = orders.len() as i64 > first;
    orders.truncate(first as usize);
    Ok(OrderPage { orders, has_next })
}
