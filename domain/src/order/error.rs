//! Why an order command was refused.

use thiserror::Error;

use crate::ids::{OrderId, WarehouseId};
use crate::order::commands::AnomalyKind;
use crate::order::promotions::PromotionError;
use crate::order::state::OrderStatus;
use crate::validation::ValidationError;
use crate::values::{SalesChannel, Sku};

/// Coarse class of an [`OrderError`], so the API can pick a status code
/// without matching on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The order does not exist.
    NotFound,
    /// The command itself is malformed, whatever the order's state.
    InvalidInput,
    /// The command is well-formed but conflicts with the order's state.
    InvalidState,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OrderError {
    #[error("order not found")]
    NotFound,
    #[error("order {order_id} has already been placed")]
    AlreadyPlaced { order_id: OrderId },
    #[error("order is {status} and accepts no further commands")]
    Terminal { status: OrderStatus },

    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error(transparent)]
    Promotion(#[from] PromotionError),

    #[error("an order needs at least one line")]
    NoLines,
    #[error("an order may have at most {max} lines, got {actual}")]
    TooManyLines { max: usize, actual: usize },
    #[error("SKU {sku} appears on more than one line")]
    DuplicateSku { sku: Sku },
    #[error("line {sku} has an invalid name: {source}")]
    InvalidLineName { sku: Sku, source: ValidationError },
    #[error("line {sku} has non-positive unit price {unit_price_minor}")]
    NonPositiveUnitPrice { sku: Sku, unit_price_minor: i64 },
    #[error("shipping fee {shipping_fee_minor} is negative")]
    NegativeShippingFee { shipping_fee_minor: i64 },
    #[error("{field} overflowed")]
    AmountOverflow { field: &'static str },

    #[error("{field} must be greater than zero, got {amount_minor}")]
    NonPositiveAmount {
        field: &'static str,
        amount_minor: i64,
    },
    #[error("cannot authorise {attempted_minor}, only {due_minor} is due")]
    Overauthorisation {
        due_minor: i64,
        attempted_minor: i64,
    },
    #[error("cannot capture {attempted_minor}, only {due_minor} is due")]
    Overcapture {
        due_minor: i64,
        attempted_minor: i64,
    },
    #[error("payment {reference} has already been captured")]
    DuplicateCapture { reference: String },

    #[error("lines have already been shipped")]
    AlreadyShipped,
    #[error("order is already allocated to {warehouse_id}")]
    AlreadyAllocated { warehouse_id: WarehouseId },
    #[error("order is on hold for {kinds:?}")]
    OnHold { kinds: Vec<AnomalyKind> },
    #[error("order has not been allocated to a warehouse")]
    NotAllocated,
    #[error("a shipment needs at least one line")]
    EmptyFulfilment,
    #[error("SKU {sku} is not on the order")]
    UnknownSku { sku: Sku },
    #[error("cannot ship {requested} of {sku}: {already} of {ordered} already shipped")]
    OverFulfilment {
        sku: Sku,
        ordered: u32,
        already: u32,
        requested: u32,
    },
    #[error("shipment {shipment_reference} has already been recorded")]
    DuplicateShipment { shipment_reference: String },
    #[error("order has not been fully fulfilled")]
    NotFullyFulfilled,
    #[error("order has already been delivered")]
    AlreadyDelivered,
    #[error("order has not been delivered")]
    NotDelivered,
    #[error("anomaly {kind} is already open")]
    AnomalyAlreadyFlagged { kind: AnomalyKind },
    #[error("anomaly {kind} is not open")]
    AnomalyNotFlagged { kind: AnomalyKind },
    #[error(
        "cannot refund {attempted_minor}: {refunded_minor} of {captured_minor} captured is already refunded"
    )]
    RefundExceedsCaptured {
        captured_minor: i64,
        refunded_minor: i64,
        attempted_minor: i64,
    },
    #[error("refund {reference} has already been recorded")]
    DuplicateRefund { reference: String },
    #[error("the order's shipping fee has already been refunded once")]
    ShippingAlreadyRefunded,

    #[error("{channel} prices its own orders: send its promotions with the amount each took off (channelPromotions)")]
    ChannelAmountsRequired { channel: SalesChannel },
    #[error("{channel} orders are priced by Waybill's own rules: send promotions without amounts")]
    StatedAmountsOnOwnOrder { channel: SalesChannel },
    #[error("promotion {label} takes off a negative amount ({amount_minor})")]
    NegativeDiscount { label: String, amount_minor: i64 },
    #[error(
        "promotion {label} takes off {amount_minor}, more than the {base_minor} it applies to"
    )]
    DiscountExceedsBase {
        label: String,
        amount_minor: i64,
        base_minor: i64,
    },
    #[error("the per-line split of promotion {label} (#{index}) is inconsistent: {why}")]
    AllocationMismatch {
        label: String,
        index: usize,
        why: &'static str,
    },
    #[error(
        "the paid total {stated_minor} is not lines − discounts + shipping = {computed_minor}"
    )]
    PaidTotalMismatch {
        stated_minor: i64,
        computed_minor: i64,
    },
    #[error("order {order_id} was already placed with different content; a re-send is no amendment: use changeOrderShippingAddress, changeOrderDelivery or amendOrderLines")]
    ChannelOrderChanged { order_id: OrderId },

    #[error("line {sku} can only be reduced or removed ({current} → {requested})")]
    AmendmentIncreasesLine {
        sku: Sku,
        current: u32,
        requested: u32,
    },
    #[error("an amendment may not remove every line; cancel the order instead")]
    AmendmentRemovesEveryLine,
    #[error("the amendment changes nothing")]
    NothingToAmend,
    #[error("lines can only be amended before the order is allocated (it is {status})")]
    LinesLocked { status: OrderStatus },
}

impl OrderError {
    pub fn kind(&self) -> ErrorKind {
        use OrderError::*;
        match self {
            NotFound => ErrorKind::NotFound,
            Validation(_)
            | Promotion(_)
            | NoLines
            | TooManyLines { .. }
            | DuplicateSku { .. }
            | InvalidLineName { .. }
            | NonPositiveUnitPrice { .. }
            | NegativeShippingFee { .. }
            | AmountOverflow { .. }
            | NonPositiveAmount { .. }
            | EmptyFulfilment
            | UnknownSku { .. }
            | ChannelAmountsRequired { .. }
            | StatedAmountsOnOwnOrder { .. }
            | NegativeDiscount { .. }
            | DiscountExceedsBase { .. }
            | AllocationMismatch { .. }
            | PaidTotalMismatch { .. }
            | ChannelOrderChanged { .. }
            | AmendmentIncreasesLine { .. }
            | AmendmentRemovesEveryLine
            | NothingToAmend => ErrorKind::InvalidInput,
            AlreadyPlaced { .. }
            | Terminal { .. }
            | Overauthorisation { .. }
            | Overcapture { .. }
            | DuplicateCapture { .. }
            | AlreadyShipped
            | AlreadyAllocated { .. }
            | OnHold { .. }
            | NotAllocated
            | OverFulfilment { .. }
            | DuplicateShipment { .. }
            | NotFullyFulfilled
            | AlreadyDelivered
            | NotDelivered
            | AnomalyAlreadyFlagged { .. }
            | AnomalyNotFlagged { .. }
            | RefundExceedsCaptured { .. }
            | DuplicateRefund { .. }
            | ShippingAlreadyRefunded
            | LinesLocked { .. } => ErrorKind::InvalidState,
        }
    }

    /// Stable snake_case code for API error bodies.
    pub fn code(&self) -> &'static str {
        use OrderError::*;
        match self {
            NotFound => "not_found",
            AlreadyPlaced { .. } => "already_placed",
            Terminal { .. } => "terminal",
            Validation(_) => "validation",
            Promotion(_) => "promotion",
            NoLines => "no_lines",
            TooManyLines { .. } => "too_many_lines",
            DuplicateSku { .. } => "duplicate_sku",
            InvalidLineName { .. } => "invalid_line_name",
            NonPositiveUnitPrice { .. } => "non_positive_unit_price",
            NegativeShippingFee { .. } => "negative_shipping_fee",
            AmountOverflow { .. } => "amount_overflow",
            NonPositiveAmount { .. } => "non_positive_amount",
            Overauthorisation { .. } => "overauthorisation",
            Overcapture { .. } => "overcapture",
            DuplicateCapture { .. } => "duplicate_capture",
            AlreadyShipped => "already_shipped",
            AlreadyAllocated { .. } => "already_allocated",
            OnHold { .. } => "on_hold",
            NotAllocated => "not_allocated",
            EmptyFulfilment => "empty_fulfilment",
            UnknownSku { .. } => "unknown_sku",
            OverFulfilment { .. } => "over_fulfilment",
            DuplicateShipment { .. } => "duplicate_shipment",
            NotFullyFulfilled => "not_fully_fulfilled",
            AlreadyDelivered => "already_delivered",
            NotDelivered => "not_delivered",
            AnomalyAlreadyFlagged { .. } => "anomaly_already_flagged",
            AnomalyNotFlagged { .. } => "anomaly_not_flagged",
            RefundExceedsCaptured { .. } => "refund_exceeds_captured",
            DuplicateRefund { .. } => "duplicate_refund",
            ShippingAlreadyRefunded => "shipping_already_refunded",
            ChannelAmountsRequired { .. } => "channel_amounts_required",
            StatedAmountsOnOwnOrder { .. } => "stated_amounts_on_own_order",
            NegativeDiscount { .. } => "negative_discount",
            DiscountExceedsBase { .. } => "discount_exceeds_base",
            AllocationMismatch { .. } => "allocation_mismatch",
            PaidTotalMismatch { .. } => "paid_total_mismatch",
            ChannelOrderChanged { .. } => "channel_order_changed",
            AmendmentIncreasesLine { .. } => "amendment_increases_line",
            AmendmentRemovesEveryLine => "amendment_removes_every_line",
            NothingToAmend => "nothing_to_amend",
            LinesLocked { .. } => "lines_locked",
        }
    }
}
