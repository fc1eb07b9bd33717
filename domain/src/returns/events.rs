//! Facts recorded on a return stream. Like order events, each carries what a
//! read model needs (order id, warehouse, totals) without loading the return.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::ids::{OrderId, PickupPointId, ShipmentId, WarehouseId};
use crate::order::FulfilLine;
use crate::returns::commands::{
    InspectedLine, ReceivedLine, RefundPolicy, Resolution, ReturnLine, ReturnReason,
};
use crate::returns::policy::ReturnWindowPolicy;
use crate::returns::state::ReturnOutcome;
use crate::values::SalesChannel;

/// Schema version of every event payload below.
pub const RETURN_EVENT_VERSION: &str = "1.0";
/// `ReturnRequested` is at 2.0: lines carry the order line's paid value (`paid`), and the
/// shipping fee is zero when the order's shipping was already refunded. 1.0 payloads read
/// unchanged (no `paid`: list prices, as they were requested).
pub const RETURN_REQUESTED_VERSION: &str = "2.0";

/// All `event_type()` values, for stores and projections that dispatch on it.
pub const RETURN_EVENT_TYPES: [&str; 13] = [
    "ReturnRequested",
    "ReturnApproved",
    "ReturnRejected",
    "ReturnLabelIssued",
    "DropOffArranged",
    "ReturnReceived",
    "ReturnInspected",
    "ReturnRefunded",
    "ExchangeShipped",
    "SentForRepair",
    "RepairCompleted",
    "RepairedItemReturned",
    "ReturnClosed",
];

/// The return as accepted, with the order facts it was validated against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRequested {
    pub order_id: OrderId,
    pub channel: SalesChannel,
    pub lines: Vec<ReturnLine>,
    pub reason: ReturnReason,
    pub photo_refs: Vec<String>,
    pub requested_resolution: Resolution,
    /// Sum of the lines' values: the most a refund can cover before shipping.
    pub return_value_minor: i64,
    /// The order's shipping fee, refundable on top when an agent says so.
    pub shipping_fee_minor: i64,
    pub delivered_at: DateTime<Utc>,
    pub window: ReturnWindowPolicy,
    /// `None` when the window reaches beyond representable time.
    pub window_closes_at: Option<DateTime<Utc>>,
    /// The order's money at request time, for agents reviewing the return.
    pub captured_minor: i64,
    pub refunded_minor: i64,
    pub requested_at: DateTime<Utc>,
}

// ReturnRequested is much larger than the rest; as with orders, events are
// loaded once per command, so a Box would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReturnEvent {
    ReturnRequested(ReturnRequested),
    ReturnApproved {
        agent: String,
        note: Option<String>,
        at: DateTime<Utc>,
    },
    ReturnRejected {
        agent: String,
        reason: String,
        at: DateTime<Utc>,
    },
    ReturnLabelIssued {
        reverse_shipment_id: ShipmentId,
        carrier: String,
        tracking_number: String,
        at: DateTime<Utc>,
    },
    DropOffArranged {
        pickup_point_id: PickupPointId,
        at: DateTime<Utc>,
    },
    ReturnReceived {
        warehouse_id: WarehouseId,
        lines: Vec<ReceivedLine>,
        staff: String,
        /// Every requested unit arrived.
        complete: bool,
        at: DateTime<Utc>,
    },
    ReturnInspected {
        /// Where restocked units go back on the shelf.
        warehouse_id: WarehouseId,
        lines: Vec<InspectedLine>,
        inspector: String,
        at: DateTime<Utc>,
    },
    ReturnRefunded {
        /// The order the money is paid back on.
        order_id: OrderId,
        amount_minor: i64,
        include_shipping: bool,
        method: String,
        reference: String,
        policy: RefundPolicy,
        agent: String,
        /// All refunds on this return including this one.
        refunded_total_minor: i64,
        /// The most this return could refund when this one was decided.
        refundable_minor: i64,
        at: DateTime<Utc>,
    },
    ExchangeShipped {
        order_id: OrderId,
        replacement_shipment_id: ShipmentId,
        lines: Vec<FulfilLine>,
        agent: String,
        at: DateTime<Utc>,
    },
    SentForRepair {
        vendor: String,
        at: DateTime<Utc>,
    },
    RepairCompleted {
        at: DateTime<Utc>,
    },
    RepairedItemReturned {
        shipment_id: ShipmentId,
        at: DateTime<Utc>,
    },
    ReturnClosed {
        outcome: ReturnOutcome,
        at: DateTime<Utc>,
    },
}

impl ReturnEvent {
    /// The variant name; also the stored `event_type`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::ReturnRequested(_) => "ReturnRequested",
            Self::ReturnApproved { .. } => "ReturnApproved",
            Self::ReturnRejected { .. } => "ReturnRejected",
            Self::ReturnLabelIssued { .. } => "ReturnLabelIssued",
            Self::DropOffArranged { .. } => "DropOffArranged",
            Self::ReturnReceived { .. } => "ReturnReceived",
            Self::ReturnInspected { .. } => "ReturnInspected",
            Self::ReturnRefunded { .. } => "ReturnRefunded",
            Self::ExchangeShipped { .. } => "ExchangeShipped",
            Self::SentForRepair { .. } => "SentForRepair",
            Self::RepairCompleted { .. } => "RepairCompleted",
            Self::RepairedItemReturned { .. } => "RepairedItemReturned",
            Self::ReturnClosed { .. } => "ReturnClosed",
        }
    }
}

impl DomainEvent for ReturnEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        match self {
            Self::ReturnRequested(_) => RETURN_REQUESTED_VERSION.to_owned(),
            _ => RETURN_EVENT_VERSION.to_owned(),
        }
    }
}
