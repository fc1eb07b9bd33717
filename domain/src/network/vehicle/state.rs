//! A vehicle as rebuilt from its events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::VehicleId;
use crate::network::values::VehicleSpec;
use crate::network::vehicle::events::VehicleEvent;

coded_enum! {
    pub enum VehicleStatus(field = "vehicle_status") {
        Active => "active",
        Retired => "retired",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleState {
    pub vehicle_id: VehicleId,
    pub spec: VehicleSpec,
    pub status: VehicleStatus,
    pub registered_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

impl VehicleState {
    /// Infallible: the decision that produced the event checked the rules.
    pub(crate) fn apply(&mut self, event: VehicleEvent) {
        match event {
            VehicleEvent::VehicleRegistered { .. } => {}
            VehicleEvent::VehicleUpdated { spec, .. } => self.spec = spec,
            VehicleEvent::VehicleRetired { at, .. } => {
                self.status = VehicleStatus::Retired;
                self.retired_at = Some(at);
            }
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == VehicleStatus::Active
    }
}
