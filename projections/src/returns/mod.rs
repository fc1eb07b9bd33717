//! After-sales read models.
//!
//! - `returns` (`rm_returns`): one document per return (RMA) with columns for lists, the
//!   per-warehouse queues and analytics. The warehouse of a return that has not arrived yet
//!   is the warehouse that shipped its order: queries join `rm_orders` for it.
//! - `refunds` (`rm_refunds`): one row per refund recorded on an order stream (the order is
//!   the authority for money), with its day/week/month buckets precomputed so period totals
//!   are a plain `GROUP BY` on both backends.
//!
//! `query` reads returns and queues; `analytics` aggregates return rates, refund totals and
//! times to resolution.

pub mod analytics;
mod fold;
mod query;
mod refunds;
mod view;

pub use query::{
    get, list, queues, returned_by_sku, QueueStage, ReturnCursor, ReturnFilter, ReturnPage,
    ReturnRecord, WarehouseQueue,
};
pub use refunds::{RefundFact, RefundsProjection, REFUNDS_NAME, REFUNDS_TABLE};
pub use view::{
    apply, ExchangeView, InspectedLineView, InspectionView, LogisticsView, ReceiptView, RepairView,
    ReturnLineView, ReturnRefundView, ReturnStage, ReturnStep, ReturnView, ReviewView, UnitsView,
};

use waybill_domain::returns::RETURN_AGGREGATE_TYPE;

use crate::document::{Column, ColumnType, ColumnValue, DocumentProjection};
use crate::log::StoredEvent;
use crate::projection::ProjectionError;

pub struct ReturnsProjection;

pub const NAME: &str = "returns";
pub const TABLE: &str = "rm_returns";

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnType::Text,
    }
}

const fn bigint(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnType::BigInt,
    }
}

impl DocumentProjection for ReturnsProjection {
    type Doc = ReturnView;
    const NAME: &'static str = NAME;
    const TABLE: &'static str = TABLE;
    const COLUMNS: &'static [Column] = &[
        text("order_id"),
        // Where the goods were received; NULL until then (queries fall back to the order's).
        text("warehouse_id"),
        text("status"),
        text("stage"),
        // `approved` / `rejected` / NULL: analytics leave rejected requests out.
        text("review"),
        text("channel"),
        text("reason"),
        // The reverse shipment's carrier (from the return label).
        text("carrier"),
        bigint("requested_at"),
        bigint("stage_since"),
        bigint("resolved_at"),
        bigint("refunded_minor"),
        bigint("returned_units"),
    ];
    const INDEXES: &'static [&'static [&'static str]] = &[
        &["-requested_at", "-id"],
        &["order_id"],
        &["stage", "stage_since"],
        &["status", "-requested_at", "-id"],
        &["channel", "-requested_at", "-id"],
    ];

    fn keys(&self, event: &StoredEvent) -> Vec<String> {
        if event.aggregate_type == RETURN_AGGREGATE_TYPE {
            vec![event.aggregate_id.clone()]
        } else {
            Vec::new()
        }
    }

    fn apply(
        &self,
        _key: &str,
        doc: Option<ReturnView>,
        event: &StoredEvent,
    ) -> Result<Option<ReturnView>, ProjectionError> {
        view::apply(doc, event)
    }

    fn column_values(&self, doc: &ReturnView) -> Vec<ColumnValue> {
        vec![
            ColumnValue::Text(Some(doc.order_id.clone())),
            ColumnValue::Text(doc.receipt.as_ref().map(|r| r.warehouse_id.clone())),
            ColumnValue::Text(Some(doc.status.clone())),
            ColumnValue::Text(Some(doc.stage.code().to_string())),
            ColumnValue::Text(doc.review.as_ref().map(|r| r.decision.clone())),
            ColumnValue::Text(Some(doc.channel.clone())),
            ColumnValue::Text(Some(doc.reason.clone())),
            ColumnValue::Text(doc.carrier().map(String::from)),
            ColumnValue::BigInt(Some(doc.requested_at.timestamp_micros())),
            ColumnValue::BigInt(Some(doc.stage_since.timestamp_micros())),
            ColumnValue::BigInt(doc.resolved_at.map(|t| t.timestamp_micros())),
            ColumnValue::BigInt(Some(doc.refunded_minor)),
            ColumnValue::BigInt(Some(i64::from(doc.returned_units()))),
        ]
    }
}
