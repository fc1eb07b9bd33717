//! Facts recorded on an order stream. Each event carries everything a read
//! model needs, so projections never have to load the aggregate.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::delivery::DeliveryMode;
use crate::ids::{CustomerId, OrderId, ReturnId, WarehouseId};
use crate::money::Currency;
use crate::order::commands::{AnomalyKind, FulfilLine, OrderLine};
use crate::order::pricing::PricedBy;
use crate::order::promotions::{AppliedPromotion, OrderTotals};
use crate::order::state::PaymentState;
use crate::values::{ExternalOrderNumber, SalesChannel};

/// Schema version of every event payload below, except where a type has moved on.
pub const ORDER_EVENT_VERSION: &str = "1.0";
/// `LinesFulfilled` is at 2.0 (the shipment fields were grouped).
pub const LINES_FULFILLED_VERSION: &str = "2.0";
/// `OrderPlaced` is at 2.0 (who priced it, and every promotion's per-line allocation).
pub const ORDER_PLACED_VERSION: &str = "2.0";

/// The shipment that took fulfilled lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilledBy {
    pub reference: String,
    pub warehouse_id: WarehouseId,
}

/// All `event_type()` values, for stores and projections that dispatch on it.
pub const ORDER_EVENT_TYPES: [&str; 15] = [
    "OrderPlaced",
    "PaymentAuthorised",
    "PaymentCaptured",
    "PaymentFailed",
    "OrderCancelled",
    "OrderAllocated",
    "LinesFulfilled",
    "OrderDelivered",
    "OrderCompleted",
    "AnomalyFlagged",
    "AnomalyCleared",
    "RefundRecorded",
    "ShippingAddressChanged",
    "DeliveryChanged",
    "OrderLinesAmended",
];

/// The order as accepted, with promotions priced and totals fixed.
///
/// Version 2.0 added `priced_by` and each promotion's `allocation` (1.0 orders were all
/// priced by Waybill; their allocation is recomputed by the documented rule on upcast).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderPlaced {
    pub order_id: OrderId,
    pub channel: SalesChannel,
    pub external_number: ExternalOrderNumber,
    pub customer_id: CustomerId,
    pub lines: Vec<OrderLine>,
    pub currency: Currency,
    pub shipping_address: Address,
    pub delivery: DeliveryMode,
    /// Waybill's own rules (own web shop, app) or the channel's amounts as facts.
    pub priced_by: PricedBy,
    /// In application order (Waybill) or the channel's order, each with the exact amount it
    /// took off and its per-line allocation.
    pub promotions: Vec<AppliedPromotion>,
    /// `grand_total_minor` is what the buyer pays (for channel orders: the channel's
    /// paid total).
    pub totals: OrderTotals,
    /// `paid` when nothing is due (fully discounted, free shipping).
    pub payment_state: PaymentState,
    pub placed_at: DateTime<Utc>,
}

// OrderPlaced is much larger than the rest; events are loaded once per
// command, so the extra bytes are cheaper than a Box in every match arm.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderEvent {
    OrderPlaced(OrderPlaced),
    PaymentAuthorised {
        method: String,
        reference: String,
        amount_minor: i64,
        captured_total_minor: i64,
        payment_state: PaymentState,
    },
    PaymentCaptured {
        method: String,
        reference: String,
        amount_minor: i64,
        captured_total_minor: i64,
        payment_state: PaymentState,
    },
    PaymentFailed {
        method: String,
        reference: String,
        reason: String,
        captured_total_minor: i64,
        payment_state: PaymentState,
    },
    OrderCancelled {
        reason: String,
        /// What the customer has paid and not yet been refunded; the refunds
        /// themselves follow as `RefundRecorded`.
        refund_owed_minor: i64,
    },
    OrderAllocated {
        warehouse_id: WarehouseId,
        /// Set when this is a re-allocation.
        previous_warehouse_id: Option<WarehouseId>,
    },
    /// Version 2.0: the shipment's reference and warehouse travel together as `shipment`
    /// (1.0 had them as top-level `shipment_reference` and `warehouse_id`; see
    /// [`crate::order::upcasts`]).
    LinesFulfilled {
        shipment: FulfilledBy,
        lines: Vec<FulfilLine>,
        fully_fulfilled: bool,
    },
    OrderDelivered {
        delivered_at: DateTime<Utc>,
    },
    OrderCompleted {},
    AnomalyFlagged {
        kind: AnomalyKind,
        note: String,
    },
    AnomalyCleared {
        kind: AnomalyKind,
        resolution: String,
    },
    RefundRecorded {
        amount_minor: i64,
        method: String,
        reference: String,
        return_id: Option<ReturnId>,
        reason: String,
        includes_shipping: bool,
        /// All refunds on the order including this one.
        refunded_total_minor: i64,
        /// Captured total at the time, so read models can show the balance
        /// without replaying payments.
        captured_total_minor: i64,
        at: DateTime<Utc>,
    },
    /// The buyer's new address, before the goods were handed to a carrier.
    ShippingAddressChanged {
        shipping_address: Address,
        reason: String,
    },
    /// A new delivery mode or window, before the goods were handed to a carrier.
    DeliveryChanged {
        delivery: DeliveryMode,
        reason: String,
    },
    /// Lines removed or reduced before allocation, with the order re-priced: the new
    /// lines, promotions (with allocation) and totals replace the old ones.
    OrderLinesAmended {
        lines: Vec<OrderLine>,
        promotions: Vec<AppliedPromotion>,
        totals: OrderTotals,
        payment_state: PaymentState,
        /// Paid and not refunded beyond the new grand total; the refund itself follows
        /// as `RefundRecorded`.
        refund_owed_minor: i64,
        reason: String,
    },
}

impl OrderEvent {
    /// The variant name; also the stored `event_type`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::OrderPlaced(_) => "OrderPlaced",
            Self::PaymentAuthorised { .. } => "PaymentAuthorised",
            Self::PaymentCaptured { .. } => "PaymentCaptured",
            Self::PaymentFailed { .. } => "PaymentFailed",
            Self::OrderCancelled { .. } => "OrderCancelled",
            Self::OrderAllocated { .. } => "OrderAllocated",
            Self::LinesFulfilled { .. } => "LinesFulfilled",
            Self::OrderDelivered { .. } => "OrderDelivered",
            Self::OrderCompleted {} => "OrderCompleted",
            Self::AnomalyFlagged { .. } => "AnomalyFlagged",
            Self::AnomalyCleared { .. } => "AnomalyCleared",
            Self::RefundRecorded { .. } => "RefundRecorded",
            Self::ShippingAddressChanged { .. } => "ShippingAddressChanged",
            Self::DeliveryChanged { .. } => "DeliveryChanged",
            Self::OrderLinesAmended { .. } => "OrderLinesAmended",
        }
    }
}

impl DomainEvent for OrderEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        match self {
            Self::LinesFulfilled { .. } => LINES_FULFILLED_VERSION.to_owned(),
            Self::OrderPlaced(_) => ORDER_PLACED_VERSION.to_owned(),
            _ => ORDER_EVENT_VERSION.to_owned(),
        }
    }
}
