//! What callers can ask a route to do, and the plan a solver produced.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{RouteId, ShipmentId, VehicleId, WarehouseId};
use crate::shipment::{ProofOfDelivery, StaffId};

/// One stop of a plan: when the van is expected and when it leaves again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStop {
    pub shipment_id: ShipmentId,
    /// Position in the run, 1-based by convention; unique within a plan.
    pub sequence: u32,
    pub eta: DateTime<Utc>,
    pub departure: DateTime<Utc>,
}

/// Which solver made the plan and how it was configured, so an auditor can
/// tell plans from different solver releases or settings apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolverRun {
    pub name: String,
    pub version: String,
    /// Solver-specific and stored verbatim; the domain never interprets it.
    pub settings: serde_json::Value,
}

/// A complete plan for one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutePlan {
    pub depot: WarehouseId,
    /// The depot's local calendar day the run belongs to.
    pub date: NaiveDate,
    pub vehicle_id: VehicleId,
    /// Stored in sequence order, whatever order they were given in.
    pub stops: Vec<PlannedStop>,
    pub distance_m: u64,
    pub duration_s: u64,
    pub solver: SolverRun,
}

/// Commands accepted by the `Route` aggregate.
// Plans carry a stop list while the others are a few fields; boxing would
// only make callers' construction noisier for one short-lived value.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RouteCommand {
    Plan {
        /// Minted by the API (UUIDv7); the stream id.
        route_id: RouteId,
        plan: RoutePlan,
        at: DateTime<Utc>,
    },
    /// Replaces the whole plan; only before dispatch.
    Replan { plan: RoutePlan, at: DateTime<Utc> },
    Dispatch {
        at: DateTime<Utc>,
        driver: Option<StaffId>,
    },
    CompleteStop {
        shipment_id: ShipmentId,
        at: DateTime<Utc>,
        proof: Option<ProofOfDelivery>,
    },
    FailStop {
        shipment_id: ShipmentId,
        at: DateTime<Utc>,
        reason: String,
    },
    /// `force` closes with stops still open (van broke down, run aborted);
    /// it needs a reason so the open stops are explained.
    Close {
        at: DateTime<Utc>,
        force: bool,
        reason: Option<String>,
    },
}

impl RouteCommand {
    /// Stable name for logs and metrics.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Plan { .. } => "Plan",
            Self::Replan { .. } => "Replan",
            Self::Dispatch { .. } => "Dispatch",
            Self::CompleteStop { .. } => "CompleteStop",
            Self::FailStop { .. } => "FailStop",
            Self::Close { .. } => "Close",
        }
    }
}
