//! The return read model: one document per return (RMA), folded from its events.
//!
//! Status follows the domain's `ReturnState::status` precedence; the *stage* is the work
//! queue a return is waiting in (review, receipt, inspection, resolution), which is what the
//! per-warehouse queue and its ages are built on.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use waybill_domain::returns::{RepairStage, ReturnStatus};

/// Which queue a return is waiting in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStage {
    /// Requested, no agent has approved or rejected it yet.
    AwaitingReview,
    /// Approved; the goods are on their way back (or not sent yet).
    AwaitingReceipt,
    /// Received at a warehouse, no restock/write-off decision yet.
    AwaitingInspection,
    /// Goods in hand (or out for repair); no refund, exchange or repaired item back yet.
    AwaitingResolution,
    /// Refunded, exchanged or repaired; waiting to be closed.
    Resolved,
    Rejected,
    Closed,
}

impl ReturnStage {
    pub const ALL: [ReturnStage; 7] = [
        ReturnStage::AwaitingReview,
        ReturnStage::AwaitingReceipt,
        ReturnStage::AwaitingInspection,
        ReturnStage::AwaitingResolution,
        ReturnStage::Resolved,
        ReturnStage::Rejected,
        ReturnStage::Closed,
    ];

    /// The stages the warehouse queues show.
    pub const QUEUED: [ReturnStage; 3] = [
        ReturnStage::AwaitingReceipt,
        ReturnStage::AwaitingInspection,
        ReturnStage::AwaitingResolution,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            ReturnStage::AwaitingReview => "awaiting_review",
            ReturnStage::AwaitingReceipt => "awaiting_receipt",
            ReturnStage::AwaitingInspection => "awaiting_inspection",
            ReturnStage::AwaitingResolution => "awaiting_resolution",
            ReturnStage::Resolved => "resolved",
            ReturnStage::Rejected => "rejected",
            ReturnStage::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<ReturnStage> {
        ReturnStage::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// One returned SKU: what was asked for, what arrived, what inspection decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineView {
    pub sku: String,
    /// Requested units.
    pub quantity: u32,
    /// Paid unit price in minor units.
    pub unit_price_minor: i64,
    /// `None` until the parcel is counted; then what arrived (0 when missing).
    pub received_qty: Option<u32>,
    pub damaged_qty: u32,
    pub restocked_qty: u32,
    pub written_off_qty: u32,
    /// Units coming back: requested until received, then received. Analytics sum this.
    pub returned_qty: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    /// `approved` or `rejected`.
    pub decision: String,
    pub agent: String,
    /// The approval note or the rejection reason.
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// How the goods travel back: the latest arrangement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogisticsView {
    /// `label` or `drop_off`.
    pub kind: String,
    pub reverse_shipment_id: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub pickup_point_id: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub warehouse_id: String,
    pub staff: String,
    /// Every requested unit arrived.
    pub complete: bool,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectedLineView {
    pub sku: String,
    pub condition: String,
    /// `restock` or `write_off`.
    pub decision: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionView {
    pub warehouse_id: String,
    pub lines: Vec<InspectedLineView>,
    pub inspector: String,
    pub at: DateTime<Utc>,
}

/// A refund paid for this return; the same reference is on the order's refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRefundView {
    pub amount_minor: i64,
    pub include_shipping: bool,
    pub method: String,
    pub reference: String,
    /// `after_receipt` or `before_receipt`.
    pub policy: String,
    pub agent: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitsView {
    pub sku: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeView {
    pub replacement_shipment_id: String,
    pub lines: Vec<UnitsView>,
    pub agent: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairView {
    pub vendor: String,
    /// `sent_for_repair`, `repaired` or `returned_to_customer`.
    pub stage: String,
    pub sent_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    /// The shipment taking the repaired item back to the customer.
    pub shipment_id: Option<String>,
}

/// One step in the return's life: what happened, who did it, when, under which request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnStep {
    pub sequence: i64,
    pub event_type: String,
    /// The person named in the event (agent, staff, inspector, repair vendor), if any.
    pub actor: Option<String>,
    /// The API key that wrote the event, and its role (from the event metadata).
    pub actor_key_id: Option<String>,
    pub actor_role: Option<String>,
    pub correlation_id: Option<String>,
    /// Business time carried by the event.
    pub at: DateTime<Utc>,
    /// When the event was stored.
    pub recorded_at: DateTime<Utc>,
}

/// What return lists, the return page and the queues show. Money is integer minor units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReturnView {
    pub return_id: String,
    pub order_id: String,
    pub channel: String,
    pub reason: String,
    pub requested_resolution: String,
    pub photo_refs: Vec<String>,
    pub lines: Vec<ReturnLineView>,
    /// Value of the requested lines at the paid prices.
    pub return_value_minor: i64,
    /// The order's shipping fee, refundable on top when an agent says so.
    pub shipping_fee_minor: i64,
    /// The order's money when the return was requested.
    pub order_captured_minor: i64,
    pub order_refunded_minor: i64,
    pub delivered_at: DateTime<Utc>,
    pub window_days: u32,
    pub window_closes_at: Option<DateTime<Utc>>,
    /// A `ReturnStatus` code.
    pub status: String,
    pub stage: ReturnStage,
    /// When the return entered its current stage (business time).
    pub stage_since: DateTime<Utc>,
    pub review: Option<ReviewView>,
    pub logistics: Option<LogisticsView>,
    pub receipt: Option<ReceiptView>,
    pub inspection: Option<InspectionView>,
    pub refunds: Vec<ReturnRefundView>,
    pub refunded_minor: i64,
    pub shipping_refunded: bool,
    pub exchange: Option<ExchangeView>,
    pub repair: Option<RepairView>,
    /// How the closed return ended (`ReturnOutcome` code).
    pub outcome: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// First refund, shipped exchange or repaired item back with the customer.
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub timeline: Vec<ReturnStep>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl ReturnView {
    /// Units coming back over all lines.
    pub fn returned_units(&self) -> u32 {
        self.lines
            .iter()
            .map(|l| l.returned_qty)
            .fold(0, u32::saturating_add)
    }

    /// The resolution an agent has started (`refund`, `exchange`, `repair`), if any.
    pub fn resolution(&self) -> Option<&'static str> {
        if self.refunded_minor > 0 {
            Some("refund")
        } else if self.exchange.is_some() {
            Some("exchange")
        } else if self.repair.is_some() {
            Some("repair")
        } else {
            None
        }
    }

    /// The reverse shipment's carrier, when a label was issued.
    pub fn carrier(&self) -> Option<&str> {
        self.logistics.as_ref().and_then(|l| l.carrier.as_deref())
    }

    fn rejected(&self) -> bool {
        self.review
            .as_ref()
            .is_some_and(|r| r.decision == "rejected")
    }

    fn repair_stage(&self) -> Option<&str> {
        self.repair.as_ref().map(|r| r.stage.as_str())
    }

    /// Mirrors `ReturnState::status` so the read model and the aggregate agree.
    pub(super) fn compute_status(&self) -> ReturnStatus {
        if self.closed_at.is_some() {
            return ReturnStatus::Closed;
        }
        if self.rejected() {
            return ReturnStatus::Rejected;
        }
        if self.review.is_none() {
            return ReturnStatus::Requested;
        }
        match self.repair_stage() {
            Some(s) if s == RepairStage::ReturnedToCustomer.code() => ReturnStatus::RepairReturned,
            Some(s) if s == RepairStage::Repaired.code() => ReturnStatus::Repaired,
            Some(_) => ReturnStatus::InRepair,
            None if self.exchange.is_some() => ReturnStatus::ExchangeShipped,
            None if self.refunded_minor > 0 => ReturnStatus::Refunded,
            None if self.inspection.is_some() => ReturnStatus::Inspected,
            None if self.receipt.is_some() => ReturnStatus::Received,
            None => ReturnStatus::Approved,
        }
    }

    /// The work queue: goods expected → goods to inspect → a resolution to give → closing.
    /// Received goods wait for inspection even when the money already went out (refund
    /// before receipt), because the restock/write-off decision is still owed.
    pub(super) fn compute_stage(&self) -> ReturnStage {
        if self.closed_at.is_some() {
            ReturnStage::Closed
        } else if self.rejected() {
            ReturnStage::Rejected
        } else if self.review.is_none() {
            ReturnStage::AwaitingReview
        } else if self.receipt.is_none() {
            ReturnStage::AwaitingReceipt
        } else if self.inspection.is_none() && self.repair.is_none() {
            ReturnStage::AwaitingInspection
        } else if self.resolved_at.is_some() {
            ReturnStage::Resolved
        } else {
            ReturnStage::AwaitingResolution
        }
    }
}

pub use super::fold::apply;
