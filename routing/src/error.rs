//! Typed planning errors: invalid input is reported, never panicked on.

use thiserror::Error;

/// Quantities (grams, parcels, seconds, matrix entries) are capped so the solver's `i32`
/// capacity arithmetic (load + demand) and its RFC 3339 timestamps cannot overflow.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum PlanError {
    #[error("no vehicles to plan with")]
    NoVehicles,
    #[error("{kind} '{id}' has an invalid coordinate ({lat}, {lon})")]
    InvalidCoordinate {
        kind: &'static str,
        id: String,
        lat: f64,
        lon: f64,
    },
    #[error("{kind} id '{id}' is empty or used twice")]
    DuplicateId { kind: &'static str, id: String },
    #[error("stop '{stop_id}': time window ends before it starts")]
    InvalidWindow { stop_id: String },
    #[error("vehicle '{vehicle_id}': shift ends before it starts")]
    InvalidShift { vehicle_id: String },
    #[error("vehicle '{vehicle_id}': speed {speed_kmh} km/h is not a positive finite number")]
    InvalidSpeed { vehicle_id: String, speed_kmh: f64 },
    #[error("{kind} '{id}': {field} = {value} is outside 0..={max}", max = MAX_QUANTITY)]
    InvalidQuantity {
        kind: &'static str,
        id: String,
        field: &'static str,
        value: i64,
    },
    #[error("{kind} '{id}': a time is outside the years 1970..=9999")]
    TimeOutOfRange { kind: &'static str, id: String },
    #[error("vehicle '{vehicle_id}' belongs to depot '{vehicle_depot}', not '{depot}'")]
    WrongDepot {
        vehicle_id: String,
        vehicle_depot: String,
        depot: String,
    },
    #[error("stop '{stop_id}' is locked to unknown vehicle '{vehicle_id}'")]
    UnknownLockedVehicle { stop_id: String, vehicle_id: String },
    #[error("vehicle '{vehicle_id}' has two locked stops with sequence {sequence}")]
    DuplicateLockedSequence { vehicle_id: String, sequence: u32 },
    #[error("matrix must be {expected} x {expected} with entries in 0..={max}", max = MAX_QUANTITY)]
    InvalidMatrix { expected: usize },
    #[error("invalid settings: {0}")]
    InvalidSettings(String),
    #[error("instance file: {0}")]
    InvalidInstance(String),
    /// The solver rejected the problem or failed to search; carries its message.
    #[error("solver failed: {0}")]
    Solver(String),
}
