//! What an admin can ask a vehicle to do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::VehicleId;
use crate::network::values::VehicleSpec;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VehicleCommand {
    Register {
        vehicle_id: VehicleId,
        spec: VehicleSpec,
        at: DateTime<Utc>,
    },
    Update {
        spec: VehicleSpec,
        at: DateTime<Utc>,
    },
    Retire {
        reason: String,
        at: DateTime<Utc>,
    },
}

impl VehicleCommand {
    /// Stable name for logs and metrics.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Register { .. } => "Register",
            Self::Update { .. } => "Update",
            Self::Retire { .. } => "Retire",
        }
    }
}
