//! What callers can ask an order to do. Every field is either a validated
//! newtype or a raw number/text whose rules depend on the order itself (those
//! are checked by the aggregate).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::delivery::DeliveryMode;
use crate::ids::{CustomerId, ReturnId, WarehouseId};
use crate::money::Currency;
use crate::order::pricing::PricingInput;
use crate::values::{ExternalOrderNumber, Quantity, SalesChannel, Sku};

/// One ordered product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub sku: Sku,
    pub name: String,
    pub quantity: Quantity,
    pub unit_price_minor: i64,
}

impl OrderLine {
    /// Unit price × quantity, `None` on overflow.
    pub fn line_total_minor(&self) -> Option<i64> {
        self.unit_price_minor
            .checked_mul(i64::from(self.quantity.get()))
    }
}

/// Units of one SKU leaving the warehouse in a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilLine {
    pub sku: Sku,
    pub quantity: Quantity,
}

/// Everything needed to accept a channel order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceOrder {
    pub channel: SalesChannel,
    pub external_number: ExternalOrderNumber,
    pub customer_id: CustomerId,
    pub lines: Vec<OrderLine>,
    pub currency: Currency,
    pub shipping_address: Address,
    pub delivery: DeliveryMode,
    /// Waybill's promotion requests or the channel's stated amounts, by channel
    /// (see [`crate::order::pricing`]).
    pub pricing: PricingInput,
    pub shipping_fee_minor: i64,
    pub placed_at: DateTime<Utc>,
}

/// A line's new quantity in an amendment; zero removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineChange {
    pub sku: Sku,
    pub quantity: u32,
}

/// Removing or reducing lines before allocation, with the amounts adjusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendLines {
    /// SKUs not named keep their quantity; a quantity may only go down.
    pub changes: Vec<LineChange>,
    /// The new promotions (Waybill's requests or the channel's amounts). `None` keeps the
    /// current ones: Waybill re-prices its requests, a channel's amounts are re-checked
    /// and re-allocated by the rule against the new lines.
    pub pricing: Option<PricingInput>,
    /// `None` keeps the shipping fee.
    pub shipping_fee_minor: Option<i64>,
    pub reason: String,
}

coded_enum! {
    /// Problems that put an order on hold until cleared.
    pub enum AnomalyKind(field = "anomaly_kind") {
        PaymentMismatch => "payment_mismatch",
        AddressProblem => "address_problem",
        StockShortage => "stock_shortage",
        SuspectedFakeOrder => "suspected_fake_order",
    }
}

/// Commands accepted by the `Order` aggregate.
// Place carries a whole order while the others are a few strings; boxing it
// would only make callers' construction noisier for one short-lived value.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderCommand {
    Place(PlaceOrder),
    AuthorisePayment {
        method: String,
        reference: String,
        amount_minor: i64,
    },
    CapturePayment {
        method: String,
        reference: String,
        amount_minor: i64,
    },
    FailPayment {
        method: String,
        reference: String,
        reason: String,
    },
    Cancel {
        reason: String,
    },
    Allocate {
        warehouse_id: WarehouseId,
    },
    Fulfil {
        shipment_reference: String,
        lines: Vec<FulfilLine>,
    },
    MarkDelivered {
        delivered_at: DateTime<Utc>,
    },
    Complete,
    FlagAnomaly {
        kind: AnomalyKind,
        note: String,
    },
    ClearAnomaly {
        kind: AnomalyKind,
        resolution: String,
    },
    /// Money paid back to the customer. Accepted on cancelled and completed
    /// orders too: refunds are settled after the fact.
    RecordRefund {
        amount_minor: i64,
        method: String,
        reference: String,
        /// The return (RMA) this refund settles, if any.
        return_id: Option<ReturnId>,
        reason: String,
        includes_shipping: bool,
        at: DateTime<Utc>,
    },
    /// Until the goods are handed to a carrier.
    ChangeShippingAddress {
        shipping_address: Address,
        reason: String,
    },
    /// Until the goods are handed to a carrier.
    ChangeDelivery {
        delivery: DeliveryMode,
        reason: String,
    },
    /// Until the order is allocated to a warehouse.
    AmendLines(AmendLines),
}

impl OrderCommand {
    /// Whether the command is still accepted once the order is completed or
    /// cancelled. Only refunds are: the customer's money may be returned long
    /// after the goods (or their cancellation) have been dealt with.
    pub const fn allowed_when_terminal(&self) -> bool {
        matches!(self, Self::RecordRefund { .. })
    }

    /// Stable name for logs and metrics.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Place(_) => "Place",
            Self::AuthorisePayment { .. } => "AuthorisePayment",
            Self::CapturePayment { .. } => "CapturePayment",
            Self::FailPayment { .. } => "FailPayment",
            Self::Cancel { .. } => "Cancel",
            Self::Allocate { .. } => "Allocate",
            Self::Fulfil { .. } => "Fulfil",
            Self::MarkDelivered { .. } => "MarkDelivered",
            Self::Complete => "Complete",
            Self::FlagAnomaly { .. } => "FlagAnomaly",
            Self::ClearAnomaly { .. } => "ClearAnomaly",
            Self::RecordRefund { .. } => "RecordRefund",
            Self::ChangeShippingAddress { .. } => "ChangeShippingAddress",
            Self::ChangeDelivery { .. } => "ChangeDelivery",
            Self::AmendLines(_) => "AmendLines",
        }
    }
}
