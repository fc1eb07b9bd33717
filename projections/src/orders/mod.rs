//! The `orders` projection: one document per order, with columns for the list filters.

mod query;
mod view;

pub use query::{get, list, OrderCursor, OrderFilter, OrderPage};
pub use view::{apply, AmendmentView, OrderView, RefundView};

use waybill_domain::order::ORDER_AGGREGATE_TYPE;

use crate::document::{Column, ColumnType, ColumnValue, DocumentProjection};
use crate::log::StoredEvent;
use crate::projection::ProjectionError;

pub struct OrdersProjection;

pub const NAME: &str = "orders";
pub const TABLE: &str = "rm_orders";

impl DocumentProjection for OrdersProjection {
    type Doc = OrderView;
    const NAME: &'static str = NAME;
    const TABLE: &'static str = TABLE;
    const COLUMNS: &'static [Column] = &[
        Column {
            name: "channel",
            kind: ColumnType::Text,
        },
        Column {
            name: "external_number",
            kind: ColumnType::Text,
        },
        Column {
            name: "customer_id",
            kind: ColumnType::Text,
        },
        Column {
            name: "status",
            kind: ColumnType::Text,
        },
        Column {
            name: "payment_state",
            kind: ColumnType::Text,
        },
        Column {
            name: "warehouse_id",
            kind: ColumnType::Text,
        },
        Column {
            name: "placed_at",
            kind: ColumnType::BigInt,
        },
    ];
    const INDEXES: &'static [&'static [&'static str]] = &[
        &["-placed_at", "-id"],
        &["status", "-placed_at", "-id"],
        &["channel", "-placed_at", "-id"],
        &["customer_id", "-placed_at", "-id"],
        &["channel", "external_number"],
    ];

    fn keys(&self, event: &StoredEvent) -> Vec<String> {
        if event.aggregate_type == ORDER_AGGREGATE_TYPE {
            vec![event.aggregate_id.clone()]
        } else {
            Vec::new()
        }
    }

    fn apply(
        &self,
        _key: &str,
        doc: Option<OrderView>,
        event: &StoredEvent,
    ) -> Result<Option<OrderView>, ProjectionError> {
        view::apply(doc, event)
    }

    fn column_values(&self, doc: &OrderView) -> Vec<ColumnValue> {
        vec![
            ColumnValue::Text(Some(doc.channel.clone())),
            ColumnValue::Text(Some(doc.external_number.clone())),
            ColumnValue::Text(Some(doc.customer_id.clone())),
            ColumnValue::Text(Some(doc.status.clone())),
            ColumnValue::Text(Some(doc.payment_state.clone())),
            ColumnValue::Text(doc.warehouse_id.clone()),
            ColumnValue::BigInt(Some(doc.placed_at.timestamp_micros())),
        ]
    }
}
