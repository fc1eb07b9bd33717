//! `refunds`: one row per refund recorded on an order stream, for refund totals by period.
//!
//! The order stream is the authority for money (it alone keeps refunds within what was
//! captured), so refunds are read from `RefundRecorded`, whether a return caused them or an
//! integrator refunded outside one. Period buckets are computed here, in UTC, so the totals
//! query needs no dialect-specific date functions.

use chrono::{DateTime, Datelike, Days, Utc};
use serde::{Deserialize, Serialize};
use waybill_domain::order::{OrderEvent, ORDER_AGGREGATE_TYPE};

use crate::document::{Column, ColumnType, ColumnValue, DocumentProjection};
use crate::log::StoredEvent;
use crate::projection::ProjectionError;

pub const REFUNDS_NAME: &str = "refunds";
pub const REFUNDS_TABLE: &str = "rm_refunds";

/// One refund as the order recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundFact {
    pub order_id: String,
    pub return_id: Option<String>,
    pub amount_minor: i64,
    pub method: String,
    pub reference: String,
    pub includes_shipping: bool,
    /// The order's refunded total including this refund, and its captured total then.
    pub refunded_total_minor: i64,
    pub captured_total_minor: i64,
    pub at: DateTime<Utc>,
    /// `YYYY-MM-DD` of `at` (UTC).
    pub day: String,
    /// The Monday starting `at`'s ISO week, `YYYY-MM-DD`.
    pub week: String,
    /// The first day of `at`'s month, `YYYY-MM-DD`.
    pub month: String,
}

pub struct RefundsProjection;

const REFUND_RECORDED: &str = "RefundRecorded";

impl DocumentProjection for RefundsProjection {
    type Doc = RefundFact;
    const NAME: &'static str = REFUNDS_NAME;
    const TABLE: &'static str = REFUNDS_TABLE;
    const COLUMNS: &'static [Column] = &[
        Column {
            name: "order_id",
            kind: ColumnType::Text,
        },
        Column {
            name: "return_id",
            kind: ColumnType::Text,
        },
        Column {
            name: "amount_minor",
            kind: ColumnType::BigInt,
        },
        Column {
            name: "at",
            kind: ColumnType::BigInt,
        },
        Column {
            name: "day",
            kind: ColumnType::Text,
        },
        Column {
            name: "week",
            kind: ColumnType::Text,
        },
        Column {
            name: "month",
            kind: ColumnType::Text,
        },
    ];
    const INDEXES: &'static [&'static [&'static str]] = &[&["at"], &["order_id"], &["return_id"]];

    fn keys(&self, event: &StoredEvent) -> Vec<String> {
        if event.aggregate_type != ORDER_AGGREGATE_TYPE || event.event_type != REFUND_RECORDED {
            return Vec::new();
        }
        // A reference is unique per order (the aggregate refuses duplicates).
        let reference = event
            .payload
            .get(REFUND_RECORDED)
            .and_then(|fields| fields.get("reference"))
            .and_then(|r| r.as_str());
        match reference {
            Some(reference) => vec![format!("{}/{reference}", event.aggregate_id)],
            // Left to `apply`, which reports the payload as corrupt.
            None => vec![format!("{}/", event.aggregate_id)],
        }
    }

    fn apply(
        &self,
        _key: &str,
        _doc: Option<RefundFact>,
        event: &StoredEvent,
    ) -> Result<Option<RefundFact>, ProjectionError> {
        let corrupt = |why: String| {
            ProjectionError::Corrupt(format!(
                "{} {}#{} ({}): {why}",
                event.aggregate_type, event.aggregate_id, event.sequence, event.event_type
            ))
        };
        let parsed = OrderEvent::deserialize(&event.payload).map_err(|e| corrupt(e.to_string()))?;
        let OrderEvent::RefundRecorded {
            amount_minor,
            method,
            reference,
            return_id,
            includes_shipping,
            refunded_total_minor,
            captured_total_minor,
            at,
            ..
        } = parsed
        else {
            return Err(corrupt("not a refund".into()));
        };
        let date = at.date_naive();
        let monday = date
            .checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
            .unwrap_or(date);
        let first = date.with_day(1).unwrap_or(date);
        Ok(Some(RefundFact {
            order_id: event.aggregate_id.clone(),
            return_id: return_id.map(|id| id.to_string()),
            amount_minor,
            method,
            reference,
            includes_shipping,
            refunded_total_minor,
            captured_total_minor,
            at,
            day: date.format("%Y-%m-%d").to_string(),
            week: monday.format("%Y-%m-%d").to_string(),
            month: first.format("%Y-%m-%d").to_string(),
        }))
    }

    fn column_values(&self, doc: &RefundFact) -> Vec<ColumnValue> {
        vec![
            ColumnValue::Text(Some(doc.order_id.clone())),
            ColumnValue::Text(doc.return_id.clone()),
            ColumnValue::BigInt(Some(doc.amount_minor)),
            ColumnValue::BigInt(Some(doc.at.timestamp_micros())),
            ColumnValue::Text(Some(doc.day.clone())),
            ColumnValue::Text(Some(doc.week.clone())),
            ColumnValue::Text(Some(doc.month.clone())),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn refund_event(at: DateTime<Utc>) -> StoredEvent {
        let event = OrderEvent::RefundRecorded {
            amount_minor: 500,
            method: "alipay".into(),
            reference: "RF-1".into(),
            return_id: None,
            reason: "goodwill".into(),
            includes_shipping: false,
            refunded_total_minor: 500,
            captured_total_minor: 1000,
            at,
        };
        StoredEvent {
            position: 1,
            tx_id: 0,
            event_id: "e1".into(),
            aggregate_type: ORDER_AGGREGATE_TYPE.into(),
            aggregate_id: "o-1".into(),
            sequence: 3,
            event_type: REFUND_RECORDED.into(),
            event_version: "1.0".into(),
            stored_version: "1.0".into(),
            payload: serde_json::to_value(event).expect("payload"),
            metadata: json!({}),
            recorded_at: at,
            hash: None,
        }
    }

    #[test]
    fn buckets_are_utc_day_iso_week_and_month() {
        // Sunday 2026-03-08 23:30 UTC: its week started Monday 2026-03-02.
        let at = Utc.with_ymd_and_hms(2026, 3, 8, 23, 30, 0).unwrap();
        let event = refund_event(at);
        assert_eq!(RefundsProjection.keys(&event), vec!["o-1/RF-1".to_string()]);
        let fact = RefundsProjection
            .apply("o-1/RF-1", None, &event)
            .expect("applies")
            .expect("a row");
        assert_eq!(fact.day, "2026-03-08");
        assert_eq!(fact.week, "2026-03-02");
        assert_eq!(fact.month, "2026-03-01");
        assert_eq!(fact.amount_minor, 500);
    }

    #[test]
    fn other_events_are_ignored() {
        let mut event = refund_event(Utc.with_ymd_and_hms(2026, 3, 8, 0, 0, 0).unwrap());
        event.event_type = "PaymentCaptured".into();
        assert!(RefundsProjection.keys(&event).is_empty());
    }
}
