//! The `shipments` projection: one document per shipment, with columns for the warehouse
//! board, the carrier scorecard and tracking-number lookups.

mod board;
mod query;
mod view;

pub use board::{board, scorecard, BoardRow, CarrierScore, WarehouseBoard};
pub use query::{active_by_tracking, by_tracking, get, list, ShipmentFilter, ShipmentPage};
pub use view::{apply, CheckpointView, ShipmentView, StaffStep};

use waybill_domain::shipment::SHIPMENT_AGGREGATE_TYPE;

use crate::document::{Column, ColumnType, ColumnValue, DocumentProjection};
use crate::log::StoredEvent;
use crate::projection::ProjectionError;

pub const NAME: &str = "shipments";
pub const TABLE: &str = "rm_shipments";

pub struct ShipmentsProjection;

fn micros(t: Option<chrono::DateTime<chrono::Utc>>) -> ColumnValue {
    ColumnValue::BigInt(t.map(|t| t.timestamp_micros()))
}

impl DocumentProjection for ShipmentsProjection {
    type Doc = ShipmentView;
    const NAME: &'static str = NAME;
    const TABLE: &'static str = TABLE;
    const COLUMNS: &'static [Column] = &[
        Column {
            name: "order_id",
            kind: ColumnType::Text,
        },
        Column {
            name: "warehouse_id",
            kind: ColumnType::Text,
        },
        Column {
            name: "direction",
            kind: ColumnType::Text,
        },
        Column {
            name: "carrier",
            kind: ColumnType::Text,
        },
        Column {
            name: "tracking_key",
            kind: ColumnType::Text,
        },
        Column {
            name: "status",
            kind: ColumnType::Text,
        },
        Column {
            name: "active",
            kind: ColumnType::BigInt,
        },
        Column {
            name: "created_at",
            kind: ColumnType::BigInt,
        },
        Column {
            name: "handed_over_at",
            kind: ColumnType::BigInt,
        },
        Column {
            name: "delivered_at",
            kind: ColumnType::BigInt,
        },
        Column {
            name: "promised_handover_by",
            kind: ColumnType::BigInt,
        },
        Column {
            name: "promised_delivery_by",
            kind: ColumnType::BigInt,
        },
        Column {
            name: "last_activity_at",
            kind: ColumnType::BigInt,
        },
        Column {
            name: "failed_attempts",
            kind: ColumnType::BigInt,
        },
        Column {
            name: "had_exception",
            kind: ColumnType::BigInt,
        },
    ];
    const INDEXES: &'static [&'static [&'static str]] = &[
        &["warehouse_id", "status"],
        &["order_id"],
        &["tracking_key", "active"],
        &["carrier", "delivered_at"],
        &["-created_at", "-id"],
    ];

    fn keys(&self, event: &StoredEvent) -> Vec<String> {
        if event.aggregate_type == SHIPMENT_AGGREGATE_TYPE {
            vec![event.aggregate_id.clone()]
        } else {
            Vec::new()
        }
    }

    fn apply(
        &self,
        _key: &str,
        doc: Option<ShipmentView>,
        event: &StoredEvent,
    ) -> Result<Option<ShipmentView>, ProjectionError> {
        view::apply(doc, event)
    }

    fn column_values(&self, doc: &ShipmentView) -> Vec<ColumnValue> {
        vec![
            ColumnValue::Text(Some(doc.order_id.clone())),
            ColumnValue::Text(Some(doc.warehouse_id.clone())),
            ColumnValue::Text(Some(doc.direction.clone())),
            ColumnValue::Text(Some(doc.carrier.clone())),
            ColumnValue::Text(doc.tracking_key.clone()),
            ColumnValue::Text(Some(doc.status.clone())),
            ColumnValue::BigInt(Some(i64::from(doc.active))),
            micros(Some(doc.created_at)),
            micros(doc.handed_over_at),
            micros(doc.delivered_at),
            micros(doc.promised_handover_by),
            micros(doc.promised_delivery_by),
            micros(Some(doc.last_activity_at)),
            ColumnValue::BigInt(Some(i64::from(doc.failed_attempts))),
            ColumnValue::BigInt(Some(i64::from(doc.had_exception))),
        ]
    }
}
