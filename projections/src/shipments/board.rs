//! The warehouse board and the carrier scorecard, computed from the shipments read model.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::view::ShipmentView;
use super::TABLE;
use crate::db::{Db, DbError};
use crate::with_db;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BoardRow {
    pub shipment_id: String,
    pub order_id: String,
    pub status: String,
    pub carrier: String,
    /// Why it is late: `not_handed_over` (past the promised hand-over) or `not_delivered`.
    pub late_reason: Option<String>,
    pub promised_handover_by: Option<DateTime<Utc>>,
    pub promised_delivery_by: Option<DateTime<Utc>>,
    /// Promise minus delivery (positive = early), for delivered shipments with a promise.
    pub delivered_margin_secs: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WarehouseBoard {
    pub warehouse_id: String,
    /// Shipment count per status.
    pub by_status: BTreeMap<String, i64>,
    /// Active shipments past a promise, oldest promise first.
    pub late: Vec<BoardRow>,
    /// Delivered shipments that had a promise: how many made it.
    pub delivered_on_time: i64,
    pub delivered_late: i64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CarrierScore {
    pub carrier: String,
    pub shipments: i64,
    pub delivered: i64,
    /// Delivered by the promised time, among delivered shipments with a promise (0–1).
    pub on_time_rate: Option<f64>,
    /// Shipments that ever had an exception (0–1).
    pub exception_rate: f64,
    /// Shipments with at least one failed delivery attempt (0–1).
    pub failed_attempt_rate: f64,
    /// Hand-over to delivery, in seconds, over delivered shipments.
    pub average_transit_secs: Option<f64>,
}

fn late_reason(s: &ShipmentView, now: DateTime<Utc>) -> Option<String> {
    if !s.active {
        return None;
    }
    if s.handed_over_at.is_none() && s.promised_handover_by.is_some_and(|p| p < now) {
        return Some("not_handed_over".into());
    }
    if s.delivered_at.is_none() && s.promised_delivery_by.is_some_and(|p| p < now) {
        return Some("not_delivered".into());
    }
    None
}

pub async fn board(
    db: &Db,
    warehouse_id: &str,
    now: DateTime<Utc>,
) -> Result<WarehouseBoard, DbError> {
    let sql = format!("SELECT doc FROM {TABLE} WHERE warehouse_id = $1 AND direction = 'outbound'");
    let rows: Vec<Json<ShipmentView>> = with_db!(db, read pool => sqlx::query_scalar(&sql).bind(warehouse_id).fetch_all(pool).await?);
    let mut board = WarehouseBoard {
        warehouse_id: warehouse_id.to_string(),
        by_status: BTreeMap::new(),
        late: Vec::new(),
        delivered_on_time: 0,
        delivered_late: 0,
    };
    for Json(s) in rows {
        *board.by_status.entry(s.status.clone()).or_default() += 1;
        let margin = match (s.delivered_at, s.promised_delivery_by) {
            (Some(d), Some(p)) => Some((p - d).num_seconds()),
            _ => None,
        };
        match margin {
            Some(m) if m >= 0 => board.delivered_on_time += 1,
            Some(_) => board.delivered_late += 1,
            None => {}
        }
        if let Some(reason) = late_reason(&s, now) {
            board.late.push(BoardRow {
                shipment_id: s.shipment_id,
                order_id: s.order_id,
                status: s.status,
                carrier: s.carrier,
                late_reason: Some(reason),
                promised_handover_by: s.promised_handover_by,
                promised_delivery_by: s.promised_delivery_by,
                delivered_margin_secs: margin,
            });
        }
    }
    board.late.sort_by_key(|r| {
        (
            r.promised_handover_by.or(r.promised_delivery_by),
            r.shipment_id.clone(),
        )
    });
    Ok(board)
}

/// Per carrier, over outbound shipments created in [from, to).
pub async fn scorecard(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<CarrierScore>, DbError> {
    let sql = format!(
        "SELECT carrier, COUNT(*), \
                CAST(SUM(CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
                CAST(SUM(CASE WHEN delivered_at IS NOT NULL AND promised_delivery_by IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
                CAST(SUM(CASE WHEN delivered_at IS NOT NULL AND promised_delivery_by IS NOT NULL AND delivered_at <= promised_delivery_by THEN 1 ELSE 0 END) AS BIGINT), \
                CAST(SUM(had_exception) AS BIGINT), \
                CAST(SUM(CASE WHEN failed_attempts > 0 THEN 1 ELSE 0 END) AS BIGINT), \
                CAST(SUM(CASE WHEN delivered_at IS NOT NULL AND handed_over_at IS NOT NULL THEN delivered_at - handed_over_at ELSE 0 END) AS BIGINT), \
                CAST(SUM(CASE WHEN delivered_at IS NOT NULL AND handed_over_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) \
         FROM {TABLE} WHERE direction = 'outbound' AND created_at >= $1 AND created_at < $2 \
         GROUP BY carrier ORDER BY carrier"
    );
    type Row = (String, i64, i64, i64, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = with_db!(db, read pool =>
        sqlx::query_as(&sql).bind(from.timestamp_micros()).bind(to.timestamp_micros()).fetch_all(pool).await?);
    Ok(rows
        .into_iter()
        .map(
            |(
                carrier,
                n,
                delivered,
                promised,
                on_time,
                exceptions,
                failed,
                transit_micros,
                transits,
            )| CarrierScore {
                carrier,
                shipments: n,
                delivered,
                on_time_rate: (promised > 0).then(|| on_time as f64 / promised as f64),
                exception_rate: exceptions as f64 / n.max(1) as f64,
                failed_attempt_rate: failed as f64 / n.max(1) as f64,
                average_transit_secs: (transits > 0)
                    .then(|| transit_micros as f64 / transits as f64 / 1e6),
            },
        )
        .collect())
}
