//! What callers can ask a shipment to do. Times always come in the command:
//! the domain reads no clock.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::address::{Address, GeoPoint};
use crate::delivery::DeliveryMode;
use crate::ids::{OrderId, ReturnId, RouteId, ShipmentId, WarehouseId};
use crate::shipment::values::{
    Carrier, Direction, Parcel, ScanDetails, ScanStatus, ShipmentLine, StaffId, TrackingNumber,
};

/// Everything needed to create a shipment (its label).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateShipment {
    /// Minted by the API (UUIDv7); the stream id.
    pub shipment_id: ShipmentId,
    pub order_id: OrderId,
    pub direction: Direction,
    /// Required for `reverse`, absent for `outbound`.
    pub return_id: Option<ReturnId>,
    /// Origin for outbound, destination warehouse for reverse.
    pub warehouse_id: WarehouseId,
    pub lines: Vec<ShipmentLine>,
    pub parcels: Vec<Parcel>,
    pub delivery: DeliveryMode,
    pub carrier: Carrier,
    /// May be absent only for the own fleet, which numbers at dispatch.
    pub tracking_number: Option<TrackingNumber>,
    pub destination: Address,
    pub promised_handover_by: Option<DateTime<Utc>>,
    pub promised_delivery_by: Option<DateTime<Utc>>,
    /// Higher is more urgent (pick lists and route planning sort on it).
    pub priority: u8,
    pub created_at: DateTime<Utc>,
}

/// One carrier checkpoint, as delivered by a webhook or a driver app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordScan {
    /// The carrier's own checkpoint id, when it sends one; the dedupe key.
    pub carrier_event_id: Option<String>,
    pub status: ScanStatus,
    pub location: Option<String>,
    pub coordinates: Option<GeoPoint>,
    pub occurred_at: DateTime<Utc>,
    pub details: Option<ScanDetails>,
}

/// Commands accepted by the `Shipment` aggregate.
// Create carries a whole shipment while the others are a few fields; boxing
// it would only make callers' construction noisier for one short-lived value.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ShipmentCommand {
    Create(CreateShipment),
    Pick {
        staff: StaffId,
        at: DateTime<Utc>,
    },
    /// `parcels` replaces the planned parcels when packing changed them.
    Pack {
        staff: StaffId,
        at: DateTime<Utc>,
        parcels: Option<Vec<Parcel>>,
    },
    /// `tracking_number` replaces the label's number when the carrier issued
    /// a new one at pickup.
    HandOver {
        staff: StaffId,
        at: DateTime<Utc>,
        tracking_number: Option<TrackingNumber>,
    },
    /// Accepted in every state: late checkpoints are kept as history.
    RecordScan(RecordScan),
    AssignToRoute {
        route_id: RouteId,
        at: DateTime<Utc>,
    },
    /// Issued by the API for each shipment of a dispatched route.
    DispatchOnRoute {
        route_id: RouteId,
        at: DateTime<Utc>,
    },
    Cancel {
        reason: String,
        at: DateTime<Utc>,
    },
    /// Issued by the expiry policy, which owns the threshold; the aggregate
    /// only checks it against its own last activity.
    Expire {
        at: DateTime<Utc>,
        days_without_scan: u32,
        last_activity_before: DateTime<Utc>,
    },
}

impl ShipmentCommand {
    /// Stable name for logs and metrics.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Create(_) => "Create",
            Self::Pick { .. } => "Pick",
            Self::Pack { .. } => "Pack",
            Self::HandOver { .. } => "HandOver",
            Self::RecordScan(_) => "RecordScan",
            Self::AssignToRoute { .. } => "AssignToRoute",
            Self::DispatchOnRoute { .. } => "DispatchOnRoute",
            Self::Cancel { .. } => "Cancel",
            Self::Expire { .. } => "Expire",
        }
    }

    /// Whether the command is still accepted once the shipment is terminal.
    /// Only scans are: carriers keep sending checkpoints after the fact, and
    /// they belong in the history even though they change nothing.
    pub const fn allowed_when_terminal(&self) -> bool {
        matches!(self, Self::RecordScan(_))
    }
}
