//! GraphQL output types for shipments, the board and the scorecard.

use crate::graphql::scalars::Int64;
use async_graphql::{Json, SimpleObject};
use waybill_projections::shipments::{CarrierScore, ShipmentView, WarehouseBoard};

use crate::error::AppError;
use crate::graphql::timestamp::Timestamp;
use crate::privacy;

#[derive(SimpleObject)]
pub struct Checkpoint {
    pub status: String,
    pub location: Option<String>,
    pub occurred_at: Timestamp,
    /// False when kept as history only (older than the state, or after a terminal state).
    pub applied: bool,
    pub details: Option<Json<serde_json::Value>>,
}

#[derive(SimpleObject)]
pub struct StaffStepView {
    pub action: String,
    pub staff: String,
    pub at: Timestamp,
}

#[derive(SimpleObject)]
pub struct Shipment {
    pub id: String,
    pub order_id: String,
    pub direction: String,
    pub return_id: Option<String>,
    pub warehouse_id: String,
    pub carrier: String,
    pub tracking_number: Option<String>,
    /// label_created, picked, packed, handed_to_carrier, in_transit, out_for_delivery,
    /// delivery_attempt_failed, available_for_pickup, delivered, exception,
    /// returned_to_sender, cancelled, expired.
    pub status: String,
    pub active: bool,
    pub lines: Json<serde_json::Value>,
    pub parcels: Json<serde_json::Value>,
    /// Name and address: what delivery needs.
    pub destination: Json<serde_json::Value>,
    pub delivery: Json<serde_json::Value>,
    pub priority: i32,
    pub route_id: Option<String>,
    pub promised_handover_by: Option<Timestamp>,
    pub promised_delivery_by: Option<Timestamp>,
    pub created_at: Timestamp,
    pub handed_over_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub failed_attempts: i32,
    pub staff: Vec<StaffStepView>,
    /// Every carrier checkpoint in arrival order, applied or not.
    pub checkpoints: Vec<Checkpoint>,
    pub version: Int64,
}

impl Shipment {
    /// The shipment as `role` may see it (warehouse staff: name and address, no phone): the
    /// only way to build one, so no path can skip the mask (see `crate::privacy`).
    pub fn seen_by(view: ShipmentView, role: crate::auth::Role) -> Result<Shipment, AppError> {
        let audience = privacy::Audience::of(role);
        Ok(Shipment::from_view(privacy::view(
            audience,
            privacy::ReadModel::Shipment,
            view,
        )?))
    }

    fn from_view(v: ShipmentView) -> Self {
        Shipment {
            id: v.shipment_id,
            order_id: v.order_id,
            direction: v.direction,
            return_id: v.return_id,
            warehouse_id: v.warehouse_id,
            carrier: v.carrier,
            tracking_number: v.tracking_number,
            status: v.status,
            active: v.active,
            lines: Json(v.lines),
            parcels: Json(v.parcels),
            destination: Json(v.destination),
            delivery: Json(v.delivery),
            priority: i32::from(v.priority),
            route_id: v.route_id,
            promised_handover_by: v.promised_handover_by.map(Timestamp::from),
            promised_delivery_by: v.promised_delivery_by.map(Timestamp::from),
            created_at: v.created_at.into(),
            handed_over_at: v.handed_over_at.map(Timestamp::from),
            delivered_at: v.delivered_at.map(Timestamp::from),
            failed_attempts: i32::try_from(v.failed_attempts).unwrap_or(i32::MAX),
            staff: v
                .staff
                .into_iter()
                .map(|s| StaffStepView {
                    action: s.action,
                    staff: s.staff,
                    at: s.at.into(),
                })
                .collect(),
            checkpoints: v
                .checkpoints
                .into_iter()
                .map(|c| Checkpoint {
                    status: c.status,
                    location: c.location,
                    occurred_at: c.occurred_at.into(),
                    applied: c.applied,
                    details: c.details.map(Json),
                })
                .collect(),
            version: Int64(v.version),
        }
    }
}

#[derive(SimpleObject)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

#[derive(SimpleObject)]
pub struct LateShipment {
    pub shipment_id: String,
    pub order_id: String,
    pub status: String,
    pub carrier: String,
    /// not_handed_over or not_delivered.
    pub late_reason: String,
    pub promised_handover_by: Option<Timestamp>,
    pub promised_delivery_by: Option<Timestamp>,
}

#[derive(SimpleObject)]
pub struct WarehouseBoardView {
    pub warehouse_id: String,
    pub by_status: Vec<StatusCount>,
    pub late: Vec<LateShipment>,
    pub delivered_on_time: i64,
    pub delivered_late: i64,
}

impl From<WarehouseBoard> for WarehouseBoardView {
    fn from(b: WarehouseBoard) -> Self {
        WarehouseBoardView {
            warehouse_id: b.warehouse_id,
            by_status: b
                .by_status
                .into_iter()
                .map(|(status, count)| StatusCount { status, count })
                .collect(),
            late: b
                .late
                .into_iter()
                .map(|r| LateShipment {
                    shipment_id: r.shipment_id,
                    order_id: r.order_id,
                    status: r.status,
                    carrier: r.carrier,
                    late_reason: r.late_reason.unwrap_or_default(),
                    promised_handover_by: r.promised_handover_by.map(Timestamp::from),
                    promised_delivery_by: r.promised_delivery_by.map(Timestamp::from),
                })
                .collect(),
            delivered_on_time: b.delivered_on_time,
            delivered_late: b.delivered_late,
        }
    }
}

#[derive(SimpleObject)]
pub struct CarrierScoreView {
    pub carrier: String,
    pub shipments: i64,
    pub delivered: i64,
    /// 0–1; null when no delivered shipment had a promise.
    pub on_time_rate: Option<f64>,
    pub exception_rate: f64,
    pub failed_attempt_rate: f64,
    pub average_transit_hours: Option<f64>,
}

impl From<CarrierScore> for CarrierScoreView {
    fn from(c: CarrierScore) -> Self {
        CarrierScoreView {
            carrier: c.carrier,
            shipments: c.shipments,
            delivered: c.delivered,
            on_time_rate: c.on_time_rate,
            exception_rate: c.exception_rate,
            failed_attempt_rate: c.failed_attempt_rate,
            average_transit_hours: c.average_transit_secs.map(|s| s / 3600.0),
        }
    }
}
