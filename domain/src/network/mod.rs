//! The logistics network: sites (warehouses, depots, pickup points) and the
//! own fleet's vehicles.
//!
//! Both are admin-managed reference data, but they are event-sourced like
//! everything else so a route plan can be audited against the network as it
//! was when the plan was made (replay the streams up to the plan's time).
//!
//! Stream ids: a site's stream is [`SiteId`]'s string form,
//! `warehouse:<WarehouseId>` for warehouses and depots (depots are
//! warehouses that vehicles start from, which is why
//! `VehicleSpec::depot` is a `WarehouseId`) or `pickup_point:<PickupPointId>`
//! for pickup points and lockers. Both forms are prefixed so a warehouse and
//! a pickup point that happen to share an external id never share a stream.
//! A vehicle's stream is its [`VehicleId`](crate::ids::VehicleId).

pub mod sample;
mod site;
mod values;
mod vehicle;

#[cfg(test)]
mod tests;

pub use crate::order::ErrorKind;
pub use site::{
    Site, SiteCommand, SiteError, SiteEvent, SiteRegistered, SiteState, SiteStatus,
    SITE_AGGREGATE_TYPE, SITE_EVENT_TYPES, SITE_EVENT_VERSION,
};
pub use values::{OpeningHours, SiteDetails, SiteId, SiteKind, VehicleSpec, MAX_SPEED_KMH};
pub use vehicle::{
    Vehicle, VehicleCommand, VehicleError, VehicleEvent, VehicleState, VehicleStatus,
    VEHICLE_AGGREGATE_TYPE, VEHICLE_EVENT_TYPES, VEHICLE_EVENT_VERSION,
};
