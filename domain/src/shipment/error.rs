//! Why a shipment command was refused.

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::ids::{RouteId, ShipmentId};
use crate::order::ErrorKind;
use crate::shipment::state::ShipmentStatus;
use crate::shipment::values::{Carrier, Direction, ScanStatus};
use crate::validation::ValidationError;
use crate::values::Sku;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShipmentError {
    #[error("shipment not found")]
    NotFound,
    #[error("shipment {shipment_id} has already been created")]
    AlreadyCreated { shipment_id: ShipmentId },
    #[error("shipment is {status} and accepts no further commands")]
    Terminal { status: ShipmentStatus },

    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("a shipment needs at least one line")]
    NoLines,
    #[error("a shipment may have at most {max} lines, got {actual}")]
    TooManyLines { max: usize, actual: usize },
    #[error("SKU {sku} appears on more than one line")]
    DuplicateSku { sku: Sku },
    #[error("a shipment needs at least one parcel")]
    NoParcels,
    #[error("a shipment may have at most {max} parcels, got {actual}")]
    TooManyParcels { max: usize, actual: usize },
    #[error("{carrier} shipments need a tracking number")]
    MissingTrackingNumber { carrier: Carrier },
    #[error(
        "a delivery window of {minutes} minutes is narrower than the {min} minutes a promise needs"
    )]
    WindowTooNarrow { minutes: i64, min: i64 },
    #[error("a reverse shipment needs the return it carries")]
    MissingReturnId,
    #[error("a {direction} shipment cannot carry a return id")]
    UnexpectedReturnId { direction: Direction },

    #[error("cannot go from {from} to {to}")]
    InvalidTransition {
        from: ShipmentStatus,
        to: ShipmentStatus,
    },
    #[error(
        "reverse shipments are collected by the carrier, not picked, packed, handed over or routed"
    )]
    ReverseShipment,
    #[error("the goods are already with the carrier ({status})")]
    AlreadyHandedOver { status: ShipmentStatus },

    #[error("checkpoint {checkpoint_key} has already been recorded")]
    DuplicateScan { checkpoint_key: String },
    #[error("an exception scan needs an exception kind")]
    MissingExceptionKind,
    #[error("{details} details do not fit a {status} scan")]
    DetailsMismatch {
        status: ScanStatus,
        details: &'static str,
    },

    #[error("{carrier} shipments are not routed by the own fleet")]
    NotOwnFleet { carrier: Carrier },
    #[error("shipment is already assigned to route {route_id}")]
    AlreadyAssigned { route_id: RouteId },
    #[error("shipment is out for delivery and cannot change routes")]
    AlreadyOutForDelivery,
    #[error("shipment is {status}; dispatch needs packed goods")]
    NotPacked { status: ShipmentStatus },
    #[error("SKU {sku} is not on the order")]
    SkuNotOnOrder { sku: Sku },
    #[error("{requested} × {sku} asked for, but the order has {unshipped} unshipped")]
    ExceedsUnshipped {
        sku: Sku,
        requested: u32,
        unshipped: u32,
    },
    #[error("shipment is not on route {route_id}")]
    NotAssignedToRoute {
        route_id: RouteId,
        assigned: Option<RouteId>,
    },

    #[error(
        "expiry threshold {last_activity_before} is less than {days_without_scan} days before {at}"
    )]
    InconsistentExpiry {
        at: DateTime<Utc>,
        days_without_scan: u32,
        last_activity_before: DateTime<Utc>,
    },
    #[error("last activity at {last_activity_at} is not before {last_activity_before}")]
    RecentActivity {
        last_activity_at: DateTime<Utc>,
        last_activity_before: DateTime<Utc>,
    },
}

impl ShipmentError {
    pub fn kind(&self) -> ErrorKind {
        use ShipmentError::*;
        match self {
            NotFound => ErrorKind::NotFound,
            Validation(_)
            | NoLines
            | TooManyLines { .. }
            | DuplicateSku { .. }
            | NoParcels
            | TooManyParcels { .. }
            | MissingTrackingNumber { .. }
            | MissingReturnId
            | WindowTooNarrow { .. }
            | UnexpectedReturnId { .. }
            | MissingExceptionKind
            | DetailsMismatch { .. }
            | InconsistentExpiry { .. } => ErrorKind::InvalidInput,
            AlreadyCreated { .. }
            | Terminal { .. }
            | InvalidTransition { .. }
            | ReverseShipment
            | AlreadyHandedOver { .. }
            | DuplicateScan { .. }
            | NotOwnFleet { .. }
            | AlreadyAssigned { .. }
            | AlreadyOutForDelivery
            | NotPacked { .. }
            | SkuNotOnOrder { .. }
            | ExceedsUnshipped { .. }
            | NotAssignedToRoute { .. }
            | RecentActivity { .. } => ErrorKind::InvalidState,
        }
    }

    /// Stable snake_case code for API error bodies.
    pub fn code(&self) -> &'static str {
        use ShipmentError::*;
        match self {
            NotFound => "not_found",
            AlreadyCreated { .. } => "already_created",
            Terminal { .. } => "terminal",
            Validation(_) => "validation",
            NoLines => "no_lines",
            TooManyLines { .. } => "too_many_lines",
            DuplicateSku { .. } => "duplicate_sku",
            NoParcels => "no_parcels",
            TooManyParcels { .. } => "too_many_parcels",
            MissingTrackingNumber { .. } => "missing_tracking_number",
            MissingReturnId => "missing_return_id",
            WindowTooNarrow { .. } => "window_too_narrow",
            UnexpectedReturnId { .. } => "unexpected_return_id",
            InvalidTransition { .. } => "invalid_transition",
            ReverseShipment => "reverse_shipment",
            AlreadyHandedOver { .. } => "already_handed_over",
            DuplicateScan { .. } => "duplicate_scan",
            MissingExceptionKind => "missing_exception_kind",
            DetailsMismatch { .. } => "details_mismatch",
            NotOwnFleet { .. } => "not_own_fleet",
            AlreadyAssigned { .. } => "already_assigned",
            AlreadyOutForDelivery => "already_out_for_delivery",
            NotPacked { .. } => "not_packed",
            SkuNotOnOrder { .. } => "sku_not_on_order",
            ExceedsUnshipped { .. } => "exceeds_unshipped",
            NotAssignedToRoute { .. } => "not_assigned_to_route",
            InconsistentExpiry { .. } => "inconsistent_expiry",
            RecentActivity { .. } => "recent_activity",
        }
    }

    /// True for a checkpoint already on record: the API answers the retried
    /// webhook with success instead of an error, so carriers stop resending.
    pub const fn is_duplicate_scan(&self) -> bool {
        matches!(self, Self::DuplicateScan { .. })
    }
}
