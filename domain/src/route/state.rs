//! Route status, stop outcomes and the state rebuilt from events.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{RouteId, ShipmentId};
use crate::route::commands::{PlannedStop, RoutePlan};
use crate::route::events::RouteEvent;
use crate::shipment::StaffId;

coded_enum! {
    pub enum RouteStatus(field = "route_status") {
        Planned => "planned",
        Dispatched => "dispatched",
        Closed => "closed",
    }
}

coded_enum! {
    pub enum StopOutcome(field = "stop_outcome") {
        Completed => "completed",
        Failed => "failed",
    }
}

/// Everything the aggregate knows about a planned route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteState {
    pub route_id: RouteId,
    /// The plan in force, stops in sequence order.
    pub plan: RoutePlan,
    pub revision: u32,
    pub status: RouteStatus,
    pub planned_at: DateTime<Utc>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub driver: Option<StaffId>,
    pub outcomes: BTreeMap<ShipmentId, StopOutcome>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl RouteState {
    pub(crate) fn planned(
        route_id: RouteId,
        plan: RoutePlan,
        revision: u32,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            route_id,
            plan,
            revision,
            status: RouteStatus::Planned,
            planned_at: at,
            dispatched_at: None,
            driver: None,
            outcomes: BTreeMap::new(),
            closed_at: None,
        }
    }

    /// Infallible: the decision that produced the event checked the rules.
    pub(crate) fn apply(&mut self, event: RouteEvent) {
        match event {
            // A stream holds a single first plan; a stray second is ignored.
            RouteEvent::RoutePlanned { .. } => {}
            RouteEvent::RouteReplanned { plan, revision, .. } => {
                self.plan = plan;
                self.revision = revision;
            }
            RouteEvent::RouteDispatched { driver, at, .. } => {
                self.status = RouteStatus::Dispatched;
                self.dispatched_at = Some(at);
                self.driver = driver;
            }
            RouteEvent::StopCompleted { shipment_id, .. } => {
                self.outcomes.insert(shipment_id, StopOutcome::Completed);
            }
            RouteEvent::StopFailed { shipment_id, .. } => {
                self.outcomes.insert(shipment_id, StopOutcome::Failed);
            }
            RouteEvent::RouteClosed { at, .. } => {
                self.status = RouteStatus::Closed;
                self.closed_at = Some(at);
            }
        }
    }

    pub fn stop(&self, shipment_id: ShipmentId) -> Option<&PlannedStop> {
        self.plan
            .stops
            .iter()
            .find(|stop| stop.shipment_id == shipment_id)
    }

    pub fn outcome(&self, shipment_id: ShipmentId) -> Option<StopOutcome> {
        self.outcomes.get(&shipment_id).copied()
    }

    /// Every stop's shipment, in sequence order.
    pub fn shipment_ids(&self) -> Vec<ShipmentId> {
        self.plan
            .stops
            .iter()
            .map(|stop| stop.shipment_id)
            .collect()
    }

    /// Stops neither completed nor failed, in sequence order.
    pub fn open_stops(&self) -> Vec<ShipmentId> {
        self.plan
            .stops
            .iter()
            .map(|stop| stop.shipment_id)
            .filter(|id| !self.outcomes.contains_key(id))
            .collect()
    }

    pub fn count(&self, outcome: StopOutcome) -> u32 {
        let count = self.outcomes.values().filter(|o| **o == outcome).count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    pub fn is_dispatched(&self) -> bool {
        self.dispatched_at.is_some()
    }
}
