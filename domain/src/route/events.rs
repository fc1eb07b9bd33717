//! Facts recorded on a route stream. Each event carries everything a read
//! model or a cross-stream policy needs, so neither loads the aggregate.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::ids::{RouteId, ShipmentId, VehicleId};
use crate::route::commands::RoutePlan;
use crate::shipment::{ProofOfDelivery, StaffId};

/// Schema version of every event payload below.
pub const ROUTE_EVENT_VERSION: &str = "1.0";

/// All `event_type()` values, for stores and projections that dispatch on it.
pub const ROUTE_EVENT_TYPES: [&str; 6] = [
    "RoutePlanned",
    "RouteReplanned",
    "RouteDispatched",
    "StopCompleted",
    "StopFailed",
    "RouteClosed",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RouteEvent {
    /// `revision` is 1; each replan adds one.
    RoutePlanned {
        route_id: RouteId,
        plan: RoutePlan,
        revision: u32,
        at: DateTime<Utc>,
    },
    /// `added`/`removed` compare with the previous plan (in sequence order),
    /// so the assignment policy need not diff plans itself.
    RouteReplanned {
        plan: RoutePlan,
        revision: u32,
        added: Vec<ShipmentId>,
        removed: Vec<ShipmentId>,
        at: DateTime<Utc>,
    },
    /// `shipment_ids` in sequence order: the shipments to mark out for
    /// delivery.
    RouteDispatched {
        vehicle_id: VehicleId,
        driver: Option<StaffId>,
        shipment_ids: Vec<ShipmentId>,
        at: DateTime<Utc>,
    },
    StopCompleted {
        shipment_id: ShipmentId,
        sequence: u32,
        proof: Option<ProofOfDelivery>,
        at: DateTime<Utc>,
    },
    StopFailed {
        shipment_id: ShipmentId,
        sequence: u32,
        reason: String,
        at: DateTime<Utc>,
    },
    /// `unfinished` lists the stops still open (only when `forced`).
    RouteClosed {
        forced: bool,
        reason: Option<String>,
        completed: u32,
        failed: u32,
        unfinished: Vec<ShipmentId>,
        at: DateTime<Utc>,
    },
}

impl RouteEvent {
    /// The variant name; also the stored `event_type`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::RoutePlanned { .. } => "RoutePlanned",
            Self::RouteReplanned { .. } => "RouteReplanned",
            Self::RouteDispatched { .. } => "RouteDispatched",
            Self::StopCompleted { .. } => "StopCompleted",
            Self::StopFailed { .. } => "StopFailed",
            Self::RouteClosed { .. } => "RouteClosed",
        }
    }
}

impl DomainEvent for RouteEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        ROUTE_EVENT_VERSION.to_owned()
    }
}
