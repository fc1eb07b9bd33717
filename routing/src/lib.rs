//! Delivery route planning for depots ("Delivery routing").
//!
//! A pure library: no IO, no database, no async, no printing. [`plan_routes`] turns a depot, its
//! vehicles and the day's stops into a [`RoutePlan`] with the vrp-pragmatic solver (pinned
//! exactly, see [`SOLVER_VERSION`]); [`nearest_neighbour`] is a greedy baseline in the same shape.
//! [`instances`] reads the public Solomon / Li & Lim benchmarks so the solver can be measured
//! against best-known results (`routing-bench` binary).
//!
//! The solver is randomised: a plan is stored verbatim (it is serde data) and never re-solved to
//! explain the past.

mod baseline;
mod check;
mod error;
mod geo;
pub mod instances;
mod lower;
mod model;
mod plan;
mod problem;
pub mod synthetic;
mod vrp;

pub use check::check_plan;
pub use error::{PlanError, MAX_QUANTITY};
pub use geo::haversine_m;
pub use model::{
    Depot, LockedStop, Matrix, PlanSettings, PlannedRoute, PlannedStop, RoutePlan, SolverInfo,
    StopSpec, Unassigned, VehicleSpec,
};
pub use plan::{nearest_neighbour, plan_routes, BASELINE_NAME};
pub use vrp::{SOLVER_NAME, SOLVER_VERSION};
