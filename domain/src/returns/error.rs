//! Why a return command was refused.

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::order::ErrorKind;
use crate::returns::commands::{Resolution, ReturnReason};
use crate::returns::state::{RepairStage, ReturnStatus, ReviewDecision};
use crate::validation::ValidationError;
use crate::values::Sku;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReturnError {
    #[error("return not found")]
    NotFound,
    #[error("return has already been requested")]
    AlreadyRequested,
    #[error("return is closed")]
    Closed,
    #[error("return was rejected; it can only be closed")]
    Rejected,
    #[error("return has not been approved")]
    NotApproved,
    #[error("return has already been {decision}")]
    AlreadyReviewed { decision: ReviewDecision },
    #[error("return is {status} and has not been resolved or rejected")]
    StillOpen { status: ReturnStatus },

    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("at least one line is needed")]
    NoLines,
    #[error("at most {max} lines are allowed, got {actual}")]
    TooManyLines { max: usize, actual: usize },
    #[error("SKU {sku} appears on more than one line")]
    DuplicateSku { sku: Sku },
    #[error("SKU {sku} is not on this return")]
    UnknownSku { sku: Sku },
    #[error("line {sku} has negative unit price {unit_price_minor}")]
    NegativeUnitPrice { sku: Sku, unit_price_minor: i64 },
    #[error("at most {max} photos are allowed, got {actual}")]
    TooManyPhotos { max: usize, actual: usize },
    #[error("{field} must not be negative, got {amount_minor}")]
    NegativeAmount {
        field: &'static str,
        amount_minor: i64,
    },
    #[error("{field} must be greater than zero, got {amount_minor}")]
    NonPositiveAmount {
        field: &'static str,
        amount_minor: i64,
    },
    #[error("{field} overflowed")]
    AmountOverflow { field: &'static str },

    #[error("the order has not been delivered; cancel it instead")]
    NotDelivered,
    #[error(
        "cannot return {requested} of {sku}: {delivered} delivered, {already_returned} already returned"
    )]
    ExceedsReturnable {
        sku: Sku,
        delivered: u32,
        already_returned: u32,
        requested: u32,
    },
    #[error("the {days}-day window for {reason} returns closed at {closed_at}")]
    WindowClosed {
        reason: ReturnReason,
        days: u32,
        closed_at: DateTime<Utc>,
        requested_at: DateTime<Utc>,
    },
    #[error("nothing left to refund: {refunded_minor} of {captured_minor} already refunded")]
    NothingToRefund {
        captured_minor: i64,
        refunded_minor: i64,
    },

    #[error("goods have already been received")]
    AlreadyReceived,
    #[error("goods have not been received")]
    NotReceived,
    #[error("received {received} of {sku}, but only {requested} were requested")]
    ExceedsRequested {
        sku: Sku,
        requested: u32,
        received: u32,
    },
    #[error("{damaged} of {sku} reported damaged, but only {received} received")]
    DamagedExceedsReceived {
        sku: Sku,
        received: u32,
        damaged: u32,
    },
    #[error("a receipt must count at least one unit")]
    NothingReceived,
    #[error("return has already been inspected")]
    AlreadyInspected,
    #[error("inspected {inspected} of {sku}, but {received} were received")]
    InspectionMismatch {
        sku: Sku,
        received: u32,
        inspected: u32,
    },

    #[error("return is already being resolved by {resolved}; cannot {attempted}")]
    ResolutionConflict {
        resolved: Resolution,
        attempted: Resolution,
    },
    #[error("refund {reference} has already been recorded")]
    DuplicateRefund { reference: String },
    #[error(
        "cannot refund {attempted_minor}: {refunded_minor} of {refundable_minor} refundable already refunded"
    )]
    RefundExceedsReturnValue {
        refundable_minor: i64,
        refunded_minor: i64,
        attempted_minor: i64,
    },
    #[error(
        "cannot refund {attempted_minor}: {refunded_minor} of {captured_minor} captured on the order already refunded"
    )]
    RefundExceedsCaptured {
        captured_minor: i64,
        refunded_minor: i64,
        attempted_minor: i64,
    },
    #[error("a replacement has already been shipped")]
    AlreadyExchanged,
    #[error("cannot ship {replacement} replacement units for {returned} returned")]
    ExchangeExceedsReturned { returned: u32, replacement: u32 },
    #[error("the item has not been sent for repair")]
    NotSentForRepair,
    #[error("the repair has not been completed")]
    RepairNotCompleted,
    #[error("the repair is already {stage}")]
    RepairAlreadyAt { stage: RepairStage },
}

impl ReturnError {
    pub fn kind(&self) -> ErrorKind {
        use ReturnError::*;
        match self {
            NotFound => ErrorKind::NotFound,
            Validation(_)
            | NoLines
            | TooManyLines { .. }
            | DuplicateSku { .. }
            | UnknownSku { .. }
            | NegativeUnitPrice { .. }
            | TooManyPhotos { .. }
            | NegativeAmount { .. }
            | NonPositiveAmount { .. }
            | AmountOverflow { .. }
            | DamagedExceedsReceived { .. }
            | NothingReceived => ErrorKind::InvalidInput,
            AlreadyRequested
            | Closed
            | Rejected
            | NotApproved
            | AlreadyReviewed { .. }
            | StillOpen { .. }
            | NotDelivered
            | ExceedsReturnable { .. }
            | WindowClosed { .. }
            | NothingToRefund { .. }
            | AlreadyReceived
            | NotReceived
            | ExceedsRequested { .. }
            | AlreadyInspected
            | InspectionMismatch { .. }
            | ResolutionConflict { .. }
            | DuplicateRefund { .. }
            | RefundExceedsReturnValue { .. }
            | RefundExceedsCaptured { .. }
            | AlreadyExchanged
            | ExchangeExceedsReturned { .. }
            | NotSentForRepair
            | RepairNotCompleted
            | RepairAlreadyAt { .. } => ErrorKind::InvalidState,
        }
    }

    /// Stable snake_case code for API error bodies.
    pub fn code(&self) -> &'static str {
        use ReturnError::*;
        match self {
            NotFound => "not_found",
            AlreadyRequested => "already_requested",
            Closed => "closed",
            Rejected => "rejected",
            NotApproved => "not_approved",
            AlreadyReviewed { .. } => "already_reviewed",
            StillOpen { .. } => "still_open",
            Validation(_) => "validation",
            NoLines => "no_lines",
            TooManyLines { .. } => "too_many_lines",
            DuplicateSku { .. } => "duplicate_sku",
            UnknownSku { .. } => "unknown_sku",
            NegativeUnitPrice { .. } => "negative_unit_price",
            TooManyPhotos { .. } => "too_many_photos",
            NegativeAmount { .. } => "negative_amount",
            NonPositiveAmount { .. } => "non_positive_amount",
            AmountOverflow { .. } => "amount_overflow",
            NotDelivered => "not_delivered",
            ExceedsReturnable { .. } => "exceeds_returnable",
            WindowClosed { .. } => "window_closed",
            NothingToRefund { .. } => "nothing_to_refund",
            AlreadyReceived => "already_received",
            NotReceived => "not_received",
            ExceedsRequested { .. } => "exceeds_requested",
            DamagedExceedsReceived { .. } => "damaged_exceeds_received",
            NothingReceived => "nothing_received",
            AlreadyInspected => "already_inspected",
            InspectionMismatch { .. } => "inspection_mismatch",
            ResolutionConflict { .. } => "resolution_conflict",
            DuplicateRefund { .. } => "duplicate_refund",
            RefundExceedsReturnValue { .. } => "refund_exceeds_return_value",
            RefundExceedsCaptured { .. } => "refund_exceeds_captured",
            AlreadyExchanged => "already_exchanged",
            ExchangeExceedsReturned { .. } => "exchange_exceeds_returned",
            NotSentForRepair => "not_sent_for_repair",
            RepairNotCompleted => "repair_not_completed",
            RepairAlreadyAt { .. } => "repair_already_at",
        }
    }
}
