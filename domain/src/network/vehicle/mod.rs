//! The `Vehicle` aggregate: one van of the own fleet.
//!
//! Lifecycle: `active → retired`. The spec (depot, capacities, shift, speed)
//! is replaced wholesale on update; route plans copy what they used, so a
//! later update never rewrites an old plan's assumptions.

mod aggregate;
mod commands;
mod error;
mod events;
mod state;

pub use aggregate::{Vehicle, VEHICLE_AGGREGATE_TYPE};
pub use commands::VehicleCommand;
pub use error::VehicleError;
pub use events::{VehicleEvent, VEHICLE_EVENT_TYPES, VEHICLE_EVENT_VERSION};
pub use state::{VehicleState, VehicleStatus};
