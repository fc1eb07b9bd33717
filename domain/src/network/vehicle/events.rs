//! Facts recorded on a vehicle stream.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::ids::VehicleId;
use crate::network::values::VehicleSpec;

/// Schema version of every event payload below.
pub const VEHICLE_EVENT_VERSION: &str = "1.0";

/// All `event_type()` values, for stores and projections that dispatch on it.
pub const VEHICLE_EVENT_TYPES: [&str; 3] =
    ["VehicleRegistered", "VehicleUpdated", "VehicleRetired"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VehicleEvent {
    VehicleRegistered {
        vehicle_id: VehicleId,
        spec: VehicleSpec,
        at: DateTime<Utc>,
    },
    /// Carries the complete new spec, so a read model just overwrites.
    VehicleUpdated {
        spec: VehicleSpec,
        at: DateTime<Utc>,
    },
    VehicleRetired {
        reason: String,
        at: DateTime<Utc>,
    },
}

impl VehicleEvent {
    /// The variant name; also the stored `event_type`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::VehicleRegistered { .. } => "VehicleRegistered",
            Self::VehicleUpdated { .. } => "VehicleUpdated",
            Self::VehicleRetired { .. } => "VehicleRetired",
        }
    }
}

impl DomainEvent for VehicleEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        VEHICLE_EVENT_VERSION.to_owned()
    }
}
