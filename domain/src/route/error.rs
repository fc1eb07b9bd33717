//! Why a route command was refused.

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::ids::{RouteId, ShipmentId};
use crate::order::ErrorKind;
use crate::route::state::StopOutcome;
use crate::validation::ValidationError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RouteError {
    #[error("route not found")]
    NotFound,
    #[error("route {route_id} has already been planned")]
    AlreadyPlanned { route_id: RouteId },
    #[error("route is closed")]
    Closed,

    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("a route needs at least one stop")]
    NoStops,
    #[error("a route may have at most {max} stops, got {actual}")]
    TooManyStops { max: usize, actual: usize },
    #[error("shipment {shipment_id} appears on more than one stop")]
    DuplicateStop { shipment_id: ShipmentId },
    #[error("sequence {sequence} is used by more than one stop")]
    DuplicateSequence { sequence: u32 },
    #[error("stop {shipment_id} departs before it arrives")]
    DepartureBeforeArrival { shipment_id: ShipmentId },
    #[error("stop {shipment_id} is reached before the previous stop is left")]
    StopsOverlap { shipment_id: ShipmentId },

    #[error("route was already dispatched at {dispatched_at}")]
    AlreadyDispatched { dispatched_at: DateTime<Utc> },
    #[error("route has not been dispatched")]
    NotDispatched,
    #[error("shipment {shipment_id} is not a stop of this route")]
    UnknownStop { shipment_id: ShipmentId },
    #[error("stop {shipment_id} is already {outcome}")]
    StopAlreadyDone {
        shipment_id: ShipmentId,
        outcome: StopOutcome,
    },
    #[error("{} stops are still open", open.len())]
    OpenStops { open: Vec<ShipmentId> },
    #[error("closing a route with open stops needs a reason")]
    ForceWithoutReason,
}

impl RouteError {
    pub fn kind(&self) -> ErrorKind {
        use RouteError::*;
        match self {
            NotFound => ErrorKind::NotFound,
            Validation(_)
            | NoStops
            | TooManyStops { .. }
            | DuplicateStop { .. }
            | DuplicateSequence { .. }
            | DepartureBeforeArrival { .. }
            | StopsOverlap { .. }
            | UnknownStop { .. }
            | ForceWithoutReason => ErrorKind::InvalidInput,
            AlreadyPlanned { .. }
            | Closed
            | AlreadyDispatched { .. }
            | NotDispatched
            | StopAlreadyDone { .. }
            | OpenStops { .. } => ErrorKind::InvalidState,
        }
    }

    /// Stable snake_case code for API error bodies.
    pub fn code(&self) -> &'static str {
        use RouteError::*;
        match self {
            NotFound => "not_found",
            AlreadyPlanned { .. } => "already_planned",
            Closed => "route_closed",
            Validation(_) => "validation",
            NoStops => "no_stops",
            TooManyStops { .. } => "too_many_stops",
            DuplicateStop { .. } => "duplicate_stop",
            DuplicateSequence { .. } => "duplicate_sequence",
            DepartureBeforeArrival { .. } => "departure_before_arrival",
            StopsOverlap { .. } => "stops_overlap",
            AlreadyDispatched { .. } => "already_dispatched",
            NotDispatched => "not_dispatched",
            UnknownStop { .. } => "unknown_stop",
            StopAlreadyDone { .. } => "stop_already_done",
            OpenStops { .. } => "open_stops",
            ForceWithoutReason => "force_without_reason",
        }
    }
}
