//! Public input and output types of the planner.
//!
//! Everything here is plain serde data: the plan is stored verbatim in an event so an auditor can
//! replay *the plan that was made* without re-running a randomised solver.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The depot every vehicle of a plan starts from and returns to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Depot {
    pub id: String,
    pub lat: f64,
    pub lon: f64,
}

/// One vehicle available for the plan, for one shift.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleSpec {
    pub id: String,
    /// Must name the depot passed to the planner (one plan = one depot).
    pub depot_id: String,
    pub capacity_weight_grams: i64,
    pub capacity_parcels: i64,
    pub shift_start: DateTime<Utc>,
    /// Latest return to the depot.
    pub shift_end: DateTime<Utc>,
    /// Used for straight-line travel times when no [`Matrix`] is given.
    pub speed_kmh: f64,
}

/// A stop is a place to drop a shipment; the id is the shipment id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopSpec {
    pub id: String,
    pub lat: f64,
    pub lon: f64,
    /// Service must *start* inside the window (the vehicle may arrive early and wait).
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub weight_grams: i64,
    pub parcels: i64,
    pub service_seconds: i64,
    /// Higher = more important (e.g. a VIP tier). When not every stop can be served, the solver
    /// first maximises the sum of priorities served, so a priority stop is never dropped to make
    /// room for ordinary ones. 0 = ordinary.
    #[serde(default)]
    pub priority: u8,
    /// Set for stops already dispatched or completed: they keep this vehicle and this order.
    #[serde(default)]
    pub locked_to: Option<LockedStop>,
}

/// Pins a stop to a vehicle at a position among that vehicle's locked stops.
///
/// The locked stops of a vehicle are kept as the *first* stops of its route, in `sequence` order,
/// with nothing inserted between them (vrp relation `strict` anchored at `departure`): they are
/// what the driver has done or is doing; new stops may only follow them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedStop {
    pub vehicle_id: String,
    pub sequence: u32,
}

/// Optional travel matrix between all locations, e.g. from a road router.
///
/// Locations are ordered `[depot, stops[0], stops[1], ...]`; both vectors are row-major
/// `n × n` (`from * n + to`). When given, it replaces the straight-line estimate for every
/// vehicle (the vehicles' `speed_kmh` is then not used).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    pub distances_m: Vec<i64>,
    pub durations_s: Vec<i64>,
}

/// How long the solver may search; recorded with the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSettings {
    /// Stop after this many generations (`None` = no generation limit).
    pub max_generations: Option<usize>,
    /// Stop after this many seconds (`None` = no time limit). At least one limit is required.
    pub max_time_secs: Option<u64>,
    /// Use the solver's fixed-seed random generator. vrp 1.25 takes no user seed (its RNG is a
    /// thread-local seeded with 0 or from the OS), and its search runs on several threads, so even
    /// a repeatable run is not guaranteed to give identical routes: store the plan, never re-solve.
    #[serde(default)]
    pub repeatable: bool,
}

impl Default for PlanSettings {
    fn default() -> Self {
        Self {
            max_generations: Some(3000),
            max_time_secs: Some(30),
            repeatable: false,
        }
    }
}

/// The outcome of planning: stored verbatim in an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutePlan {
    /// Only vehicles that serve at least one stop.
    pub routes: Vec<PlannedRoute>,
    pub unassigned: Vec<Unassigned>,
    pub total_distance_m: i64,
    pub vehicles_used: usize,
    pub solver: SolverInfo,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedRoute {
    pub vehicle_id: String,
    /// Departure from the depot.
    pub start: DateTime<Utc>,
    /// Return to the depot.
    pub end: DateTime<Utc>,
    pub stops: Vec<PlannedStop>,
    /// Depot to depot.
    pub distance_m: i64,
    /// Depot departure to depot return, including waiting and service.
    pub duration_s: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedStop {
    pub stop_id: String,
    /// 1-based position in the route.
    pub sequence: u32,
    /// When the vehicle gets there (may be before the window opens).
    pub arrival: DateTime<Utc>,
    /// When service starts: the time promised to the customer, inside the window.
    pub eta: DateTime<Utc>,
    /// When service ends and the vehicle leaves.
    pub departure: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unassigned {
    pub stop_id: String,
    /// Machine-readable code, the solver's own (e.g. `TIME_WINDOW_CONSTRAINT`).
    pub code: String,
    /// The solver's description of the code.
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SolverInfo {
    /// `vrp-pragmatic` or `nearest-neighbour`.
    pub name: String,
    /// Exact version of the solver crate (of this crate for the baseline).
    pub version: String,
    pub settings: PlanSettings,
}
