//! Reading the returns read model: by id, as a filtered list (newest request first), the
//! per-warehouse work queues, and what an order already has coming back.
//!
//! A return's warehouse is where it was received; until then it is the warehouse that
//! shipped the order (returns go back where they came from), read from `rm_orders`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::Row;

use super::view::{ReturnStage, ReturnView};
use super::TABLE;
use crate::db::{Db, DbError};
use crate::orders::TABLE as ORDERS_TABLE;
use crate::with_db;

/// A return with the warehouse it is (or will be) at.
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnRecord {
    pub view: ReturnView,
    /// The receiving warehouse, or until receipt the warehouse that shipped the order.
    pub warehouse_id: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ReturnFilter {
    pub order_id: Option<String>,
    /// Matches the receiving warehouse, or the shipping one before receipt.
    pub warehouse_id: Option<String>,
    pub status: Option<String>,
    pub stage: Option<ReturnStage>,
    pub channel: Option<String>,
    pub reason: Option<String>,
    /// Inclusive lower bound on `requested_at`.
    pub requested_from: Option<DateTime<Utc>>,
    /// Exclusive upper bound on `requested_at`.
    pub requested_to: Option<DateTime<Utc>>,
}

/// Keyset cursor: the (requested_at, id) of the last row seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnCursor {
    pub requested_at_micros: i64,
    pub return_id: String,
}

impl ReturnCursor {
    pub fn of(view: &ReturnView) -> ReturnCursor {
        ReturnCursor {
            requested_at_micros: view.requested_at.timestamp_micros(),
            return_id: view.return_id.clone(),
        }
    }

    pub fn encode(&self) -> String {
        format!("{}~{}", self.requested_at_micros, self.return_id)
    }

    pub fn decode(s: &str) -> Option<ReturnCursor> {
        let (at, id) = s.split_once('~')?;
        Some(ReturnCursor {
            requested_at_micros: at.parse().ok()?,
            return_id: id.to_string(),
        })
    }
}

pub struct ReturnPage {
    pub returns: Vec<ReturnRecord>,
    pub has_next: bool,
}

fn record(doc: Json<ReturnView>, warehouse_id: Option<String>) -> ReturnRecord {
    let view = doc.0;
    let warehouse_id = view
        .receipt
        .as_ref()
        .map(|r| r.warehouse_id.clone())
        .or(warehouse_id);
    ReturnRecord { view, warehouse_id }
}

pub async fn get(db: &Db, return_id: &str) -> Result<Option<ReturnRecord>, DbError> {
    let sql = format!(
        "SELECT r.doc, o.warehouse_id FROM {TABLE} r LEFT JOIN {ORDERS_TABLE} o ON o.id = r.order_id \
         WHERE r.id = $1"
    );
    let row: Option<(Json<ReturnView>, Option<String>)> = with_db!(db, read pool =>
        sqlx::query_as(&sql).bind(return_id).fetch_optional(pool).await?);
    Ok(row.map(|(doc, warehouse)| record(doc, warehouse)))
}

/// One page of returns, newest `requested_at` first (ties broken by id).
pub async fn list(
    db: &Db,
    filter: &ReturnFilter,
    first: i64,
    after: Option<&ReturnCursor>,
) -> Result<ReturnPage, DbError> {
    // As for orders: every optional filter is a `($n IS NULL OR …)` clause, one statement text.
    let sql = format!(
        "SELECT r.doc, o.warehouse_id FROM {TABLE} r LEFT JOIN {ORDERS_TABLE} o ON o.id = r.order_id \
         WHERE ($1 IS NULL OR r.order_id = $1) \
           AND ($2 IS NULL OR COALESCE(r.warehouse_id, o.warehouse_id) = $2) \
           AND ($3 IS NULL OR r.status = $3) \
           AND ($4 IS NULL OR r.stage = $4) \
           AND ($5 IS NULL OR r.channel = $5) \
           AND ($6 IS NULL OR r.reason = $6) \
           AND ($7 IS NULL OR r.requested_at >= $7) \
           AND ($8 IS NULL OR r.requested_at < $8) \
           AND ($9 IS NULL OR r.requested_at < $9 OR (r.requested_at = $9 AND r.id < $10)) \
         ORDER BY r.requested_at DESC, r.id DESC LIMIT $11"
    );
    let (after_at, after_id) = match after {
        Some(c) => (Some(c.requested_at_micros), Some(c.return_id.clone())),
        None => (None, None),
    };
    let rows: Vec<(Json<ReturnView>, Option<String>)> = with_db!(db, read pool =>
        sqlx::query_as(&sql)
            .bind(filter.order_id.as_deref())
            .bind(filter.warehouse_id.as_deref())
            .bind(filter.status.as_deref())
            .bind(filter.stage.map(ReturnStage::code))
            .bind(filter.channel.as_deref())
            .bind(filter.reason.as_deref())
            .bind(filter.requested_from.map(|t| t.timestamp_micros()))
            .bind(filter.requested_to.map(|t| t.timestamp_micros()))
            .bind(after_at)
            .bind(after_id)
            .bind(first + 1)
            .fetch_all(pool)
            .await?);
    let mut returns: Vec<ReturnRecord> = rows
        .into_iter()
        .map(|(doc, warehouse)| record(doc, warehouse))
        .collect();
    let has_next = returns.len() as i64 > first;
    returns.truncate(usize::try_from(first).unwrap_or(0));
    Ok(ReturnPage { returns, has_next })
}

/// One queue of one warehouse.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueStage {
    pub count: i64,
    /// Earliest time a return in this queue entered it.
    pub oldest_since: Option<DateTime<Utc>>,
    /// Sum of the queued returns' entry times in µs, so callers can average ages at any "now".
    pub since_sum_micros: i64,
}

impl QueueStage {
    /// Seconds the longest-waiting return has been in this queue at `now`.
    pub fn oldest_age_seconds(&self, now: DateTime<Utc>) -> Option<i64> {
        self.oldest_since.map(|t| (now - t).num_seconds().max(0))
    }

    /// Mean seconds the queued returns have waited at `now`.
    pub fn average_age_seconds(&self, now: DateTime<Utc>) -> Option<i64> {
        if self.count == 0 {
            return None;
        }
        let mean_since = self.since_sum_micros / self.count;
        Some(((now.timestamp_micros() - mean_since) / 1_000_000).max(0))
    }
}

/// The after-sales work waiting at one warehouse.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarehouseQueue {
    /// `None` for returns whose order never named a warehouse.
    pub warehouse_id: Option<String>,
    pub awaiting_receipt: QueueStage,
    pub awaiting_inspection: QueueStage,
    pub awaiting_resolution: QueueStage,
}

/// (warehouse, stage, count, earliest stage entry, sum of stage entries) per group.
type QueueRow = (Option<String>, String, i64, Option<i64>, Option<i64>);

/// Open returns per warehouse and queue, warehouses in id order. `warehouse_id` narrows it
/// to one warehouse (which is then always present, possibly with empty queues).
pub async fn queues(db: &Db, warehouse_id: Option<&str>) -> Result<Vec<WarehouseQueue>, DbError> {
    let sql = format!(
        "SELECT COALESCE(r.warehouse_id, o.warehouse_id), r.stage, COUNT(*), MIN(r.stage_since), \
                CAST(SUM(r.stage_since) AS BIGINT) \
           FROM {TABLE} r LEFT JOIN {ORDERS_TABLE} o ON o.id = r.order_id \
          WHERE r.stage IN ($1, $2, $3) \
            AND ($4 IS NULL OR COALESCE(r.warehouse_id, o.warehouse_id) = $4) \
          GROUP BY 1, 2"
    );
    let [receipt, inspection, resolution] = ReturnStage::QUEUED;
    let rows = with_db!(db, read pool =>
        sqlx::query(&sql)
            .bind(receipt.code())
            .bind(inspection.code())
            .bind(resolution.code())
            .bind(warehouse_id)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| -> Result<QueueRow, sqlx::Error> {
                Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?))
            })
            .collect::<Result<Vec<_>, _>>()?);
    let mut by_warehouse: BTreeMap<Option<String>, WarehouseQueue> = BTreeMap::new();
    if let Some(id) = warehouse_id {
        by_warehouse.insert(
            Some(id.to_string()),
            WarehouseQueue {
                warehouse_id: Some(id.to_string()),
                ..Default::default()
            },
        );
    }
    for (warehouse, stage, count, oldest, sum) in rows {
        let queue = by_warehouse
            .entry(warehouse.clone())
            .or_insert_with(|| WarehouseQueue {
                warehouse_id: warehouse,
                ..Default::default()
            });
        let slot = match ReturnStage::from_code(&stage) {
            Some(ReturnStage::AwaitingReceipt) => &mut queue.awaiting_receipt,
            Some(ReturnStage::AwaitingInspection) => &mut queue.awaiting_inspection,
            Some(ReturnStage::AwaitingResolution) => &mut queue.awaiting_resolution,
            _ => continue,
        };
        *slot = QueueStage {
            count,
            oldest_since: oldest.and_then(DateTime::from_timestamp_micros),
            since_sum_micros: sum.unwrap_or(0),
        };
    }
    Ok(by_warehouse.into_values().collect())
}

/// Units per SKU that the order's other returns already take back: every return not
/// rejected, counting what was requested until the parcel is counted and what arrived after.
pub async fn returned_by_sku(
    db: &Db,
    order_id: &str,
    except_return_id: Option<&str>,
) -> Result<BTreeMap<String, u32>, DbError> {
    let sql = format!(
        "SELECT id, doc FROM {TABLE} \
          WHERE order_id = $1 AND (review IS NULL OR review <> 'rejected') \
            AND ($2 IS NULL OR id <> $2)"
    );
    let docs: Vec<(String, Json<ReturnView>)> = with_db!(db, read pool =>
        sqlx::query_as(&sql)
            .bind(order_id)
            .bind(except_return_id)
            .fetch_all(pool)
            .await?);
    let mut units: BTreeMap<String, u32> = BTreeMap::new();
    for (_, Json(view)) in docs {
        for line in view.lines {
            let total = units.entry(line.sku).or_insert(0);
            *total = total.saturating_add(line.returned_qty);
        }
    }
    Ok(units)
}
