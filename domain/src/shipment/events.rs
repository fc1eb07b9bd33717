//! Facts recorded on a shipment stream. Each event carries everything a read
//! model needs, so projections never have to load the aggregate.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::address::{Address, GeoPoint};
use crate::delivery::DeliveryMode;
use crate::ids::{OrderId, ReturnId, RouteId, ShipmentId, WarehouseId};
use crate::shipment::state::ShipmentStatus;
use crate::shipment::values::{
    Carrier, Direction, Parcel, ScanDetails, ScanStatus, ShipmentLine, StaffId, TrackingNumber,
};

/// Schema version of every event payload below.
pub const SHIPMENT_EVENT_VERSION: &str = "1.0";

/// All `event_type()` values, for stores and projections that dispatch on it.
pub const SHIPMENT_EVENT_TYPES: [&str; 9] = [
    "ShipmentCreated",
    "ShipmentPicked",
    "ShipmentPacked",
    "HandedToCarrier",
    "ScanRecorded",
    "AssignedToRoute",
    "DispatchedOnRoute",
    "ShipmentCancelled",
    "ShipmentExpired",
];

/// The shipment as created; its status is `label_created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentCreated {
    pub shipment_id: ShipmentId,
    pub order_id: OrderId,
    pub direction: Direction,
    pub return_id: Option<ReturnId>,
    pub warehouse_id: WarehouseId,
    pub lines: Vec<ShipmentLine>,
    pub parcels: Vec<Parcel>,
    pub delivery: DeliveryMode,
    pub carrier: Carrier,
    pub tracking_number: Option<TrackingNumber>,
    pub destination: Address,
    pub promised_handover_by: Option<DateTime<Utc>>,
    pub promised_delivery_by: Option<DateTime<Utc>>,
    pub priority: u8,
    pub created_at: DateTime<Utc>,
}

/// One carrier checkpoint, applied or kept as history only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanRecorded {
    /// The dedupe key (see `checkpoint_key`); stored so replay never
    /// recomputes it and a later change to the hash cannot re-admit old
    /// checkpoints.
    pub checkpoint_key: String,
    pub carrier_event_id: Option<String>,
    pub carrier: Carrier,
    pub tracking_number: Option<TrackingNumber>,
    pub status: ScanStatus,
    pub location: Option<String>,
    pub coordinates: Option<GeoPoint>,
    pub occurred_at: DateTime<Utc>,
    pub details: Option<ScanDetails>,
    /// False when the checkpoint is older than the latest applied one, ranks
    /// below the shipment's progress, or arrived after a terminal state.
    pub applied: bool,
    /// The shipment's status after this event (unchanged when not applied).
    pub shipment_status: ShipmentStatus,
}

// ShipmentCreated is much larger than the rest; events are loaded once per
// command, so the extra bytes are cheaper than a Box in every match arm.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ShipmentEvent {
    ShipmentCreated(ShipmentCreated),
    ShipmentPicked {
        staff: StaffId,
        at: DateTime<Utc>,
    },
    /// `parcels` is the full set after packing, changed or not.
    ShipmentPacked {
        staff: StaffId,
        at: DateTime<Utc>,
        parcels: Vec<Parcel>,
    },
    /// `tracking_number` is the number in force from now on.
    HandedToCarrier {
        staff: StaffId,
        at: DateTime<Utc>,
        carrier: Carrier,
        tracking_number: Option<TrackingNumber>,
    },
    ScanRecorded(ScanRecorded),
    AssignedToRoute {
        route_id: RouteId,
        previous_route_id: Option<RouteId>,
        at: DateTime<Utc>,
    },
    /// Out for delivery on an own-fleet route.
    DispatchedOnRoute {
        route_id: RouteId,
        at: DateTime<Utc>,
    },
    ShipmentCancelled {
        reason: String,
        status_before: ShipmentStatus,
        at: DateTime<Utc>,
    },
    ShipmentExpired {
        days_without_scan: u32,
        last_activity_at: DateTime<Utc>,
        status_before: ShipmentStatus,
        at: DateTime<Utc>,
    },
}

impl ShipmentEvent {
    /// The variant name; also the stored `event_type`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::ShipmentCreated(_) => "ShipmentCreated",
            Self::ShipmentPicked { .. } => "ShipmentPicked",
            Self::ShipmentPacked { .. } => "ShipmentPacked",
            Self::HandedToCarrier { .. } => "HandedToCarrier",
            Self::ScanRecorded(_) => "ScanRecorded",
            Self::AssignedToRoute { .. } => "AssignedToRoute",
            Self::DispatchedOnRoute { .. } => "DispatchedOnRoute",
            Self::ShipmentCancelled { .. } => "ShipmentCancelled",
            Self::ShipmentExpired { .. } => "ShipmentExpired",
        }
    }
}

impl DomainEvent for ShipmentEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        SHIPMENT_EVENT_VERSION.to_owned()
    }
}
