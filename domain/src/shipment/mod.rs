//! The event-sourced `Shipment` aggregate: one label's journey from the
//! warehouse shelf (or, in reverse, from the customer) to its destination.
//!
//! Lifecycle (see [`ShipmentStatus::rank`] for the ordering scans obey):
//! `label_created → picked → packed → handed_to_carrier / in_transit →
//! out_for_delivery → delivered | delivery_attempt_failed |
//! available_for_pickup | exception | returned_to_sender`, with `cancelled`
//! reachable until the goods are with the carrier and `expired` issued by
//! the expiry policy.
//!
//! - Warehouse steps (pick, pack, hand over) record the staff member and
//!   run strictly in order; reverse shipments skip them.
//! - Carrier scans are deduplicated per checkpoint ([`checkpoint_key`]); a
//!   late or lower-ranked checkpoint is recorded with `applied: false` and
//!   never moves the shipment backwards; terminal shipments keep late scans
//!   as history only.
//! - Own fleet: `AssignToRoute`, then `DispatchOnRoute` when the route is
//!   dispatched. Stop outcomes come back as `RecordScan` (delivered or
//!   attempt failed) with a `carrier_event_id` derived from the route event,
//!   so a retried policy is deduplicated like any webhook.
//! - Tracking-number uniqueness spans streams, so it is checked by the API
//!   against a lookup keyed by [`tracking_key`]; see its docs.

mod aggregate;
mod commands;
mod create;
mod error;
mod events;
mod handlers;
pub mod sample;
mod scan;
mod state;
mod unshipped;
mod values;

#[cfg(test)]
mod tests;

pub use crate::order::ErrorKind;
pub use aggregate::{Shipment, SHIPMENT_AGGREGATE_TYPE};
pub use commands::{CreateShipment, RecordScan, ShipmentCommand};
pub use create::{MAX_LINES, MAX_PARCELS, MIN_WINDOW_MINUTES};
pub use error::ShipmentError;
pub use events::{
    ScanRecorded, ShipmentCreated, ShipmentEvent, SHIPMENT_EVENT_TYPES, SHIPMENT_EVENT_VERSION,
};
pub use scan::checkpoint_key;
pub use state::{ShipmentState, ShipmentStatus, StaffAction};
pub use unshipped::check_unshipped;
pub use values::{
    tracking_key, Carrier, Direction, ExceptionKind, Parcel, ProofFields, ProofOfDelivery,
    ScanDetails, ScanStatus, ShipmentLine, StaffId, TrackingNumber, TRACKING_NUMBER_MAX_CHARS,
};
