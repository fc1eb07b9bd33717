//! `delivery_stops`: one document per outbound own-fleet shipment whose destination has
//! coordinates, keyed by shipment id, folded from Shipment events.
//!
//! **Delivery date rule** (UTC calendar date): the start of the scheduled delivery window when
//! the customer chose one; otherwise the date of `promised_delivery_by`; otherwise the date the
//! shipment was created (same-day delivery). The window is the scheduled window, or "until
//! `promised_delivery_by`" (open start) when only a promise exists.
//!
//! Status: `pending` (not out yet; `route_id` is set once a plan assigns it), `on_route`
//! (dispatched), `delivered`, `failed` (attempt failed, exception, returned) and `cancelled`
//! (cancelled or expired).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use waybill_domain::delivery::DeliveryMode;
use waybill_domain::shipment::{
    Direction, Parcel, ShipmentCreated, ShipmentEvent, ShipmentStatus, SHIPMENT_AGGREGATE_TYPE,
};

use super::{corrupt, STOPS_NAME, STOPS_TABLE};
use crate::db::{Db, DbError};
use crate::document::{Column, ColumnType, ColumnValue, DocumentProjection};
use crate::log::StoredEvent;
use crate::projection::ProjectionError;
use crate::with_db;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStopView {
    pub shipment_id: String,
    pub order_id: String,
    /// The shipment's warehouse: the depot the van leaves from.
    pub depot: String,
    pub delivery_date: NaiveDate,
    pub lat: f64,
    pub lon: f64,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    pub weight_grams: i64,
    pub parcels: i64,
    /// Higher first. The shipment's priority (no customer tier read model exists yet).
    pub priority: u8,
    pub status: String,
    pub route_id: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The delivery date of a shipment (see the module documentation for the rule).
pub fn delivery_date(created: &ShipmentCreated) -> NaiveDate {
    match &created.delivery {
        DeliveryMode::Scheduled { window_start, .. } => window_start.date_naive(),
        _ => created
            .promised_delivery_by
            .unwrap_or(created.created_at)
            .date_naive(),
    }
}

fn weigh(view: &mut DeliveryStopView, parcels: &[Parcel]) {
    view.weight_grams = parcels.iter().map(|p| i64::from(p.weight_grams())).sum();
    view.parcels = parcels.len() as i64;
}

fn created_view(event: &StoredEvent, created: ShipmentCreated) -> Option<DeliveryStopView> {
    let point = created.destination.coordinates()?;
    if created.direction != Direction::Outbound || !created.carrier.is_own_fleet() {
        return None;
    }
    let (window_start, window_end) = match &created.delivery {
        DeliveryMode::Scheduled {
            window_start,
            window_end,
        } => (Some(*window_start), Some(*window_end)),
        _ => (None, created.promised_delivery_by),
    };
    let mut view = DeliveryStopView {
        shipment_id: event.aggregate_id.clone(),
        order_id: created.order_id.to_string(),
        depot: created.warehouse_id.to_string(),
        delivery_date: delivery_date(&created),
        lat: point.lat(),
        lon: point.lon(),
        window_start,
        window_end,
        weight_grams: 0,
        parcels: 0,
        priority: created.priority,
        status: "pending".into(),
        route_id: None,
        updated_at: event.recorded_at,
        version: event.sequence,
    };
    weigh(&mut view, &created.parcels);
    Some(view)
}

fn status_code(status: ShipmentStatus) -> Option<&'static str> {
    match status {
        ShipmentStatus::OutForDelivery => Some("on_route"),
        ShipmentStatus::Delivered => Some("delivered"),
        ShipmentStatus::DeliveryAttemptFailed
        | ShipmentStatus::Exception
        | ShipmentStatus::ReturnedToSender => Some("failed"),
        ShipmentStatus::Cancelled | ShipmentStatus::Expired => Some("cancelled"),
        _ => None,
    }
}

pub struct DeliveryStopsProjection;

impl DocumentProjection for DeliveryStopsProjection {
    type Doc = DeliveryStopView;
    const NAME: &'static str = STOPS_NAME;
    const TABLE: &'static str = STOPS_TABLE;
    const COLUMNS: &'static [Column] = &[
        Column {
            name: "depot",
            kind: ColumnType::Text,
        },
        Column {
            name: "delivery_date",
            kind: ColumnType::Text,
        },
        Column {
            name: "status",
            kind: ColumnType::Text,
        },
    ];
    const INDEXES: &'static [&'static [&'static str]] = &[&["depot", "delivery_date", "id"]];

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
        doc: Option<DeliveryStopView>,
        event: &StoredEvent,
    ) -> Result<Option<DeliveryStopView>, ProjectionError> {
        let parsed = ShipmentEvent::deserialize(&event.payload).map_err(|e| corrupt(event, e))?;
        let mut view = match (parsed, doc) {
            (ShipmentEvent::ShipmentCreated(created), _) => {
                return Ok(created_view(event, created));
            }
            // Not a stop (reverse, carrier-delivered or without coordinates).
            (_, None) => return Ok(None),
            (event, Some(view)) => change(view, event),
        };
        view.updated_at = event.recorded_at;
        view.version = event.sequence;
        Ok(Some(view))
    }

    fn column_values(&self, doc: &DeliveryStopView) -> Vec<ColumnValue> {
        vec![
            ColumnValue::Text(Some(doc.depot.clone())),
            ColumnValue::Text(Some(doc.delivery_date.to_string())),
            ColumnValue::Text(Some(doc.status.clone())),
        ]
    }
}

fn change(mut view: DeliveryStopView, event: ShipmentEvent) -> DeliveryStopView {
    match event {
        ShipmentEvent::ShipmentPacked { parcels, .. } => weigh(&mut view, &parcels),
        ShipmentEvent::AssignedToRoute { route_id, .. } => {
            view.route_id = Some(route_id.to_string());
        }
        ShipmentEvent::DispatchedOnRoute { route_id, .. } => {
            view.route_id = Some(route_id.to_string());
            view.status = "on_route".into();
        }
        ShipmentEvent::ScanRecorded(scan) if scan.applied => {
            if let Some(code) = status_code(scan.shipment_status) {
                view.status = code.into();
            }
        }
        ShipmentEvent::ShipmentCancelled { .. } | ShipmentEvent::ShipmentExpired { .. } => {
            view.status = "cancelled".into();
        }
        _ => {}
    }
    view
}

/// The stops of one depot and day, by shipment id; every status unless `status` is given.
pub async fn list_stops(
    db: &Db,
    depot: &str,
    date: NaiveDate,
    status: Option<&str>,
) -> Result<Vec<DeliveryStopView>, DbError> {
    let sql = format!(
        "SELECT doc FROM {STOPS_TABLE} WHERE depot = $1 AND delivery_date = $2 \
         AND ($3 IS NULL OR status = $3) ORDER BY id"
    );
    let rows: Vec<Json<DeliveryStopView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql)
            .bind(depot)
            .bind(date.to_string())
            .bind(status)
            .fetch_all(pool)
            .await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}
