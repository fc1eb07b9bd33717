//! The shipment read model: one document per shipment with its tracking history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use waybill_domain::shipment::{tracking_key, ShipmentEvent, ShipmentStatus};

use crate::log::StoredEvent;
use crate::projection::ProjectionError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointView {
    pub status: String,
    pub location: Option<String>,
    pub occurred_at: DateTime<Utc>,
    /// False when kept as history only (older than the state, or after a terminal state).
    pub applied: bool,
    pub details: Option<serde_json::Value>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffStep {
    pub action: String,
    pub staff: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShipmentView {
    pub shipment_id: String,
    pub order_id: String,
    pub direction: String,
    pub return_id: Option<String>,
    pub warehouse_id: String,
    pub carrier: String,
    pub tracking_number: Option<String>,
    /// `carrier:NUMBER`, for the uniqueness check among active shipments.
    pub tracking_key: Option<String>,
    pub status: String,
    pub active: bool,
    pub lines: serde_json::Value,
    pub parcels: serde_json::Value,
    pub destination: serde_json::Value,
    pub delivery: serde_json::Value,
    pub priority: u8,
    pub route_id: Option<String>,
    pub promised_handover_by: Option<DateTime<Utc>>,
    pub promised_delivery_by: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub handed_over_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub failed_attempts: u32,
    pub had_exception: bool,
    pub last_activity_at: DateTime<Utc>,
    pub staff: Vec<StaffStep>,
    pub checkpoints: Vec<CheckpointView>,
    pub version: i64,
}

fn corrupt(event: &StoredEvent, why: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::Corrupt(format!(
        "Shipment {}#{} ({}): {why}",
        event.aggregate_id, event.sequence, event.event_type
    ))
}

fn json<T: Serialize>(
    event: &StoredEvent,
    value: &T,
) -> Result<serde_json::Value, ProjectionError> {
    serde_json::to_value(value).map_err(|e| corrupt(event, e))
}

fn set_status(view: &mut ShipmentView, status: ShipmentStatus) {
    view.status = status.code().to_string();
    view.active = !status.is_terminal();
}

pub fn apply(
    doc: Option<ShipmentView>,
    event: &StoredEvent,
) -> Result<Option<ShipmentView>, ProjectionError> {
    let parsed = ShipmentEvent::deserialize(&event.payload).map_err(|e| corrupt(event, e))?;
    let mut view = match (parsed, doc) {
        (ShipmentEvent::ShipmentCreated(c), _) => ShipmentView {
            shipment_id: event.aggregate_id.clone(),
            order_id: c.order_id.to_string(),
            direction: c.direction.code().to_string(),
            return_id: c.return_id.map(|r| r.to_string()),
            warehouse_id: c.warehouse_id.to_string(),
            carrier: c.carrier.code().to_string(),
            tracking_key: c
                .tracking_number
                .as_ref()
                .map(|t| tracking_key(c.carrier, t)),
            tracking_number: c.tracking_number.map(|t| t.to_string()),
            status: ShipmentStatus::LabelCreated.code().to_string(),
            active: true,
            lines: json(event, &c.lines)?,
            parcels: json(event, &c.parcels)?,
            destination: json(event, &c.destination)?,
            delivery: json(event, &c.delivery)?,
            priority: c.priority,
            route_id: None,
            promised_handover_by: c.promised_handover_by,
            promised_delivery_by: c.promised_delivery_by,
            created_at: c.created_at,
            handed_over_at: None,
            delivered_at: None,
            failed_attempts: 0,
            had_exception: false,
            last_activity_at: c.created_at,
            staff: Vec::new(),
            checkpoints: Vec::new(),
            version: 0,
        },
        (_, None) => {
            return Err(corrupt(
                event,
                "event for a shipment that was never created",
            ))
        }
        (change, Some(mut view)) => {
            apply_change(&mut view, change, event)?;
            view
        }
    };
    view.version = event.sequence;
    Ok(Some(view))
}

fn apply_change(
    view: &mut ShipmentView,
    change: ShipmentEvent,
    event: &StoredEvent,
) -> Result<(), ProjectionError> {
    match change {
        ShipmentEvent::ShipmentCreated(_) => {}
        ShipmentEvent::ShipmentPicked { staff, at } => {
            view.staff.push(StaffStep {
                action: "picked".into(),
                staff: staff.to_string(),
                at,
            });
            set_status(view, ShipmentStatus::Picked);
            view.last_activity_at = at;
        }
        ShipmentEvent::ShipmentPacked { staff, at, parcels } => {
            view.staff.push(StaffStep {
                action: "packed".into(),
                staff: staff.to_string(),
                at,
            });
            view.parcels = json(event, &parcels)?;
            set_status(view, ShipmentStatus::Packed);
            view.last_activity_at = at;
        }
        ShipmentEvent::HandedToCarrier {
            staff,
            at,
            carrier,
            tracking_number,
        } => {
            view.staff.push(StaffStep {
                action: "handed_over".into(),
                staff: staff.to_string(),
                at,
            });
            view.carrier = carrier.code().to_string();
            if let Some(t) = tracking_number {
                view.tracking_key = Some(tracking_key(carrier, &t));
                view.tracking_number = Some(t.to_string());
            }
            view.handed_over_at = Some(at);
            set_status(view, ShipmentStatus::HandedToCarrier);
            view.last_activity_at = at;
        }
        ShipmentEvent::ScanRecorded(scan) => {
            if scan.applied {
                set_status(view, scan.shipment_status);
                match scan.status.shipment_status() {
                    ShipmentStatus::Delivered => view.delivered_at = Some(scan.occurred_at),
                    ShipmentStatus::DeliveryAttemptFailed => view.failed_attempts += 1,
                    ShipmentStatus::Exception => view.had_exception = true,
                    _ => {}
                }
            }
            view.last_activity_at = view.last_activity_at.max(scan.occurred_at);
            view.checkpoints.push(CheckpointView {
                status: scan.status.code().to_string(),
                location: scan.location,
                occurred_at: scan.occurred_at,
                applied: scan.applied,
                details: scan.details.as_ref().map(|d| json(event, d)).transpose()?,
                recorded_at: event.recorded_at,
            });
        }
        ShipmentEvent::AssignedToRoute { route_id, .. } => {
            view.route_id = Some(route_id.to_string())
        }
        ShipmentEvent::DispatchedOnRoute { route_id, at } => {
            view.route_id = Some(route_id.to_string());
            set_status(view, ShipmentStatus::OutForDelivery);
            view.last_activity_at = at;
        }
        ShipmentEvent::ShipmentCancelled { at, .. } => {
            set_status(view, ShipmentStatus::Cancelled);
            view.last_activity_at = at;
        }
        ShipmentEvent::ShipmentExpired { .. } => set_status(view, ShipmentStatus::Expired),
    }
    Ok(())
}
