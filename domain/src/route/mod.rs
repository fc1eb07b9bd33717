//! The `Route` aggregate: one own-fleet delivery run (a vehicle, a depot, a
//! day, an ordered list of stops).
//!
//! A plan is a decision, stored as events with the solver's name, version
//! and settings, so auditors replay what was decided and never re-solve (the
//! solver is randomised; re-running it would explain a different plan).
//!
//! Lifecycle: `planned → dispatched → closed`. Replanning replaces the plan
//! until dispatch. Stops are completed or failed once each after dispatch;
//! closing needs every stop done, or `force` with a reason.
//!
//! Cross-stream effects are the API's policies: after `RouteDispatched` it
//! sends `DispatchOnRoute` to each shipment in `shipment_ids`; after
//! `RouteReplanned` it (re)assigns `added` shipments; stop outcomes become
//! shipment scans.

mod aggregate;
mod commands;
mod error;
mod events;
mod handlers;
mod plan;
pub mod sample;
mod state;

#[cfg(test)]
mod tests;

pub use crate::order::ErrorKind;
pub use aggregate::{Route, ROUTE_AGGREGATE_TYPE};
pub use commands::{PlannedStop, RouteCommand, RoutePlan, SolverRun};
pub use error::RouteError;
pub use events::{RouteEvent, ROUTE_EVENT_TYPES, ROUTE_EVENT_VERSION};
pub use plan::MAX_STOPS;
pub use state::{RouteState, RouteStatus, StopOutcome};
