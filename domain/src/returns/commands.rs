//! What callers can ask a return (RMA) to do. Facts about the order are
//! passed in by the caller: the return aggregate cannot load other streams,
//! so the API reads them from the order and returns read models.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{OrderId, PickupPointId, ShipmentId, WarehouseId};
use crate::order::allocation::units_value;
use crate::order::{FulfilLine, OrderState};
use crate::returns::policy::ReturnWindowPolicy;
use crate::values::{Quantity, SalesChannel, Sku};

coded_enum! {
    /// Why the customer sends goods back. Only `changed_mind` is a
    /// no-reason return (七天无理由); the rest are the seller's problem and
    /// get the longer quality window.
    pub enum ReturnReason(field = "return_reason") {
        Damaged => "damaged",
        WrongItem => "wrong_item",
        NotAsDescribed => "not_as_described",
        QualityProblem => "quality_problem",
        ChangedMind => "changed_mind",
        LateDelivery => "late_delivery",
        MissingParts => "missing_parts",
    }
}

impl ReturnReason {
    pub const fn is_no_reason(self) -> bool {
        matches!(self, Self::ChangedMind)
    }
}

coded_enum! {
    /// How a return is settled: requested by the customer, chosen by an agent.
    pub enum Resolution(field = "resolution") {
        Refund => "refund",
        Exchange => "exchange",
        Repair => "repair",
    }
}

coded_enum! {
    /// What inspection found.
    pub enum ItemCondition(field = "condition") {
        Resellable => "resellable",
        Damaged => "damaged",
        MissingParts => "missing_parts",
    }
}

coded_enum! {
    /// What happens to inspected units. Always explicit: condition alone
    /// does not decide (a scuffed box may still be restocked).
    pub enum InspectionDecision(field = "decision") {
        Restock => "restock",
        WriteOff => "write_off",
    }
}

coded_enum! {
    /// Whether the money goes out before or after the goods are back
    /// (agents may refund early for trusted customers; 极速退款).
    pub enum RefundPolicy(field = "refund_policy") {
        AfterReceipt => "after_receipt",
        BeforeReceipt => "before_receipt",
    }
}

/// Units of one SKU the customer sends back, at the price they paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLine {
    pub sku: Sku,
    pub quantity: Quantity,
    /// The order line's list unit price; zero for free gifts, never negative.
    pub unit_price_minor: i64,
    /// What the buyer paid for the order line after its discounts, from which these units'
    /// refundable value is computed. `None` on returns requested before refunds followed
    /// the price paid (`ReturnRequested` 1.0): those keep the list price they were
    /// requested at.
    #[serde(default)]
    pub paid: Option<PaidShare>,
}

/// The order line a return line comes from, for the refund-at-the-price-paid rule
/// ([`crate::order::allocation::units_value`]): the `k`-th unit of a line taken back is
/// worth `floor(paid × k / q) − floor(paid × (k − 1) / q)`, so partial returns never
/// refund more than their exact share and returning every unit refunds exactly `paid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaidShare {
    /// The whole line's value after the discounts allocated to it.
    pub line_paid_minor: i64,
    /// Units on the order line.
    pub line_quantity: u32,
    /// Units of the line that other returns already take back.
    pub earlier_units: u32,
}

impl ReturnLine {
    /// `quantity` units of the order's `sku` line, valued at the price paid; `earlier`
    /// units of the line are already coming back with other returns. A SKU not on the
    /// order is worth nothing (the request is refused as not returnable anyway).
    pub fn from_order(order: &OrderState, sku: Sku, quantity: Quantity, earlier: u32) -> Self {
        let line = order.lines.iter().find(|line| line.sku == sku);
        Self {
            unit_price_minor: line.map_or(0, |line| line.unit_price_minor),
            paid: line.map(|line| PaidShare {
                line_paid_minor: order.line_paid_minor(&sku).unwrap_or(0),
                line_quantity: line.quantity.get(),
                earlier_units: earlier,
            }),
            sku,
            quantity,
        }
    }

    /// What `units` of this line are worth, `None` on overflow.
    pub fn value_of(&self, units: u32) -> Option<i64> {
        match self.paid {
            Some(paid) => Some(units_value(
                paid.line_paid_minor,
                paid.line_quantity,
                paid.earlier_units,
                units,
            )),
            None => self.unit_price_minor.checked_mul(i64::from(units)),
        }
    }

    /// The requested units' value, `None` on overflow.
    pub fn line_total_minor(&self) -> Option<i64> {
        self.value_of(self.quantity.get())
    }
}

/// What the warehouse counted for one SKU. Zero is allowed so staff can
/// record "expected, not in the parcel" explicitly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLine {
    pub sku: Sku,
    pub received_qty: u32,
    /// Of `received_qty`, how many arrived damaged.
    pub damaged_qty: u32,
}

/// Inspection result for some units of one SKU. A SKU may appear on several
/// lines, e.g. one unit restocked and one written off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectedLine {
    pub sku: Sku,
    pub condition: ItemCondition,
    pub decision: InspectionDecision,
    pub quantity: Quantity,
}

/// Snapshot of the order taken when the return is requested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFacts {
    /// `None` while the goods are still on their way.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Delivered units per SKU.
    pub delivered: BTreeMap<Sku, u32>,
    /// Units per SKU already taken back by other (not rejected) returns.
    pub already_returned: BTreeMap<Sku, u32>,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    pub shipping_fee_minor: i64,
    /// Shipping is refundable once per order: after that no return offers it again.
    #[serde(default)]
    pub shipping_refunded: bool,
}

impl OrderFacts {
    /// Facts read off the order aggregate; `already_returned` has to come
    /// from the returns read model.
    pub fn from_order(order: &OrderState, already_returned: BTreeMap<Sku, u32>) -> Self {
        let balance = order.balance();
        Self {
            delivered_at: order.delivered_at,
            delivered: order.delivered_quantities(),
            already_returned,
            captured_minor: balance.captured_minor,
            refunded_minor: balance.refunded_minor,
            shipping_fee_minor: order.totals.shipping_fee_minor,
            shipping_refunded: order.shipping_refunded,
        }
    }
}

/// Opening a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestReturn {
    pub order_id: OrderId,
    pub channel: SalesChannel,
    pub lines: Vec<ReturnLine>,
    pub reason: ReturnReason,
    /// References to uploaded photos (object keys), not the images.
    pub photo_refs: Vec<String>,
    pub requested_resolution: Resolution,
    pub order: OrderFacts,
    /// The channel's window, chosen by the caller (see `ReturnWindowPolicies`).
    pub window: ReturnWindowPolicy,
    pub requested_at: DateTime<Utc>,
}

/// Paying the customer back for a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundReturn {
    pub amount_minor: i64,
    pub include_shipping: bool,
    pub method: String,
    pub reference: String,
    pub policy: RefundPolicy,
    pub agent: String,
    pub at: DateTime<Utc>,
    /// The order's captured total now, so refunds across all of the order's
    /// returns can be kept within it without loading the order.
    pub captured_minor: i64,
    /// The order's refunded total now.
    pub refunded_minor: i64,
}

/// Commands accepted by the `Return` aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReturnCommand {
    Request(RequestReturn),
    Approve {
        agent: String,
        note: Option<String>,
        at: DateTime<Utc>,
    },
    Reject {
        agent: String,
        reason: String,
        at: DateTime<Utc>,
    },
    IssueReturnLabel {
        reverse_shipment_id: ShipmentId,
        carrier: String,
        tracking_number: String,
        at: DateTime<Utc>,
    },
    DropOff {
        pickup_point_id: PickupPointId,
        at: DateTime<Utc>,
    },
    Receive {
        warehouse_id: WarehouseId,
        lines: Vec<ReceivedLine>,
        staff: String,
        at: DateTime<Utc>,
    },
    Inspect {
        lines: Vec<InspectedLine>,
        inspector: String,
        at: DateTime<Utc>,
    },
    RefundReturn(RefundReturn),
    Exchange {
        replacement_shipment_id: ShipmentId,
        /// Replacement units; may be other SKUs (another size or colour).
        lines: Vec<FulfilLine>,
        agent: String,
        at: DateTime<Utc>,
    },
    SendForRepair {
        vendor: String,
        at: DateTime<Utc>,
    },
    CompleteRepair {
        at: DateTime<Utc>,
    },
    ReturnRepairedItem {
        shipment_id: ShipmentId,
        at: DateTime<Utc>,
    },
    Close {
        at: DateTime<Utc>,
    },
}

impl ReturnCommand {
    /// Stable name for logs and metrics.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Request(_) => "Request",
            Self::Approve { .. } => "Approve",
            Self::Reject { .. } => "Reject",
            Self::IssueReturnLabel { .. } => "IssueReturnLabel",
            Self::DropOff { .. } => "DropOff",
            Self::Receive { .. } => "Receive",
            Self::Inspect { .. } => "Inspect",
            Self::RefundReturn(_) => "RefundReturn",
            Self::Exchange { .. } => "Exchange",
            Self::SendForRepair { .. } => "SendForRepair",
            Self::CompleteRepair { .. } => "CompleteRepair",
            Self::ReturnRepairedItem { .. } => "ReturnRepairedItem",
            Self::Close { .. } => "Close",
        }
    }
}
