//! Return status and the state rebuilt from events.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{OrderId, PickupPointId, ShipmentId, WarehouseId};
use crate::returns::commands::{InspectedLine, ReceivedLine, Resolution, ReturnLine, ReturnReason};
use crate::returns::events::{ReturnEvent, ReturnRequested};
use crate::values::{SalesChannel, Sku};

coded_enum! {
    /// Where a return is, by its most advanced milestone.
    pub enum ReturnStatus(field = "return_status") {
        Requested => "requested",
        Approved => "approved",
        Rejected => "rejected",
        Received => "received",
        Inspected => "inspected",
        Refunded => "refunded",
        ExchangeShipped => "exchange_shipped",
        InRepair => "in_repair",
        Repaired => "repaired",
        RepairReturned => "repair_returned",
        Closed => "closed",
    }
}

coded_enum! {
    /// An agent's review of the request.
    pub enum ReviewDecision(field = "review_decision") {
        Approved => "approved",
        Rejected => "rejected",
    }
}

coded_enum! {
    /// How far a repair has got.
    pub enum RepairStage(field = "repair_stage") {
        SentForRepair => "sent_for_repair",
        Repaired => "repaired",
        ReturnedToCustomer => "returned_to_customer",
    }
}

coded_enum! {
    /// How a closed return ended.
    pub enum ReturnOutcome(field = "return_outcome") {
        Rejected => "rejected",
        Refunded => "refunded",
        Exchanged => "exchanged",
        Repaired => "repaired",
    }
}

/// How the goods travel back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReturnLogistics {
    Label {
        reverse_shipment_id: ShipmentId,
        carrier: String,
        tracking_number: String,
    },
    DropOff {
        pickup_point_id: PickupPointId,
    },
}

/// What the warehouse took in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub warehouse_id: WarehouseId,
    pub lines: Vec<ReceivedLine>,
    pub at: DateTime<Utc>,
}

/// Everything the aggregate knows about a return, derived from events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnState {
    pub order_id: OrderId,
    pub channel: SalesChannel,
    pub lines: Vec<ReturnLine>,
    pub reason: ReturnReason,
    pub requested_resolution: Resolution,
    pub return_value_minor: i64,
    pub shipping_fee_minor: i64,
    pub requested_at: DateTime<Utc>,
    pub review: Option<ReviewDecision>,
    /// The latest arrangement; an agent may replace it until goods arrive.
    pub logistics: Option<ReturnLogistics>,
    pub receipt: Option<Receipt>,
    pub inspection: Option<Vec<InspectedLine>>,
    pub refund_references: BTreeSet<String>,
    pub refunded_total_minor: i64,
    /// Once any refund included shipping, the return's cap includes it.
    pub shipping_refunded: bool,
    pub exchange_shipment_id: Option<ShipmentId>,
    pub repair: Option<RepairStage>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl ReturnState {
    pub(crate) fn from_requested(requested: ReturnRequested) -> Self {
        Self {
            order_id: requested.order_id,
            channel: requested.channel,
            lines: requested.lines,
            reason: requested.reason,
            requested_resolution: requested.requested_resolution,
            return_value_minor: requested.return_value_minor,
            shipping_fee_minor: requested.shipping_fee_minor,
            requested_at: requested.requested_at,
            review: None,
            logistics: None,
            receipt: None,
            inspection: None,
            refund_references: BTreeSet::new(),
            refunded_total_minor: 0,
            shipping_refunded: false,
            exchange_shipment_id: None,
            repair: None,
            closed_at: None,
        }
    }

    /// Folds a post-request event in. Infallible: events are facts.
    pub(crate) fn apply(&mut self, event: ReturnEvent) {
        match event {
            // A stream holds a single request; a stray second one is ignored.
            ReturnEvent::ReturnRequested(_) => {}
            ReturnEvent::ReturnApproved { .. } => self.review = Some(ReviewDecision::Approved),
            ReturnEvent::ReturnRejected { .. } => self.review = Some(ReviewDecision::Rejected),
            ReturnEvent::ReturnLabelIssued {
                reverse_shipment_id,
                carrier,
                tracking_number,
                ..
            } => {
                self.logistics = Some(ReturnLogistics::Label {
                    reverse_shipment_id,
                    carrier,
                    tracking_number,
                });
            }
            ReturnEvent::DropOffArranged {
                pickup_point_id, ..
            } => self.logistics = Some(ReturnLogistics::DropOff { pickup_point_id }),
            ReturnEvent::ReturnReceived {
                warehouse_id,
                lines,
                at,
                ..
            } => {
                self.receipt = Some(Receipt {
                    warehouse_id,
                    lines,
                    at,
                });
            }
            ReturnEvent::ReturnInspected { lines, .. } => self.inspection = Some(lines),
            ReturnEvent::ReturnRefunded {
                reference,
                include_shipping,
                refunded_total_minor,
                ..
            } => {
                self.refund_references.insert(reference);
                self.refunded_total_minor = refunded_total_minor;
                self.shipping_refunded |= include_shipping;
            }
            ReturnEvent::ExchangeShipped {
                replacement_shipment_id,
                ..
            } => self.exchange_shipment_id = Some(replacement_shipment_id),
            ReturnEvent::SentForRepair { .. } => self.repair = Some(RepairStage::SentForRepair),
            ReturnEvent::RepairCompleted { .. } => self.repair = Some(RepairStage::Repaired),
            ReturnEvent::RepairedItemReturned { .. } => {
                self.repair = Some(RepairStage::ReturnedToCustomer);
            }
            ReturnEvent::ReturnClosed { at, .. } => self.closed_at = Some(at),
        }
    }

    pub fn is_closed(&self) -> bool {
        self.closed_at.is_some()
    }

    pub fn is_received(&self) -> bool {
        self.receipt.is_some()
    }

    pub fn requested_quantity(&self, sku: &Sku) -> Option<u32> {
        self.lines
            .iter()
            .find(|line| &line.sku == sku)
            .map(|line| line.quantity.get())
    }

    /// Units that arrived; zero before receipt.
    pub fn received_quantity(&self, sku: &Sku) -> u32 {
        self.receipt
            .iter()
            .flat_map(|receipt| &receipt.lines)
            .filter(|line| &line.sku == sku)
            .map(|line| line.received_qty)
            .fold(0, u32::saturating_add)
    }

    /// Units coming back: what was requested until the parcel is counted,
    /// then what actually arrived.
    pub fn returned_units(&self) -> u32 {
        self.lines
            .iter()
            .map(|line| self.returned_quantity(line))
            .fold(0, u32::saturating_add)
    }

    /// Value of [`Self::returned_units`] at the paid prices.
    pub fn returned_value_minor(&self) -> i64 {
        if !self.is_received() {
            return self.return_value_minor;
        }
        self.lines
            .iter()
            .map(|line| {
                line.value_of(self.returned_quantity(line))
                    .unwrap_or(i64::MAX)
            })
            .fold(0, i64::saturating_add)
    }

    /// The most all refunds on this return may add up to, given whether
    /// shipping is (or is about to be) part of them.
    pub fn refundable_minor(&self, include_shipping: bool) -> i64 {
        let shipping = if include_shipping || self.shipping_refunded {
            self.shipping_fee_minor
        } else {
            0
        };
        self.returned_value_minor().saturating_add(shipping)
    }

    /// The resolution an agent has started, if any.
    pub fn resolution(&self) -> Option<Resolution> {
        if self.refunded_total_minor > 0 {
            Some(Resolution::Refund)
        } else if self.exchange_shipment_id.is_some() {
            Some(Resolution::Exchange)
        } else if self.repair.is_some() {
            Some(Resolution::Repair)
        } else {
            None
        }
    }

    /// How the return ended, once it may be closed: rejected, or settled by
    /// a refund, a shipped exchange or a repaired item back with the customer.
    pub fn outcome(&self) -> Option<ReturnOutcome> {
        if self.review == Some(ReviewDecision::Rejected) {
            return Some(ReturnOutcome::Rejected);
        }
        match self.resolution()? {
            Resolution::Refund => Some(ReturnOutcome::Refunded),
            Resolution::Exchange => Some(ReturnOutcome::Exchanged),
            Resolution::Repair if self.repair == Some(RepairStage::ReturnedToCustomer) => {
                Some(ReturnOutcome::Repaired)
            }
            Resolution::Repair => None,
        }
    }

    pub fn status(&self) -> ReturnStatus {
        if self.is_closed() {
            return ReturnStatus::Closed;
        }
        match (self.review, self.repair) {
            (Some(ReviewDecision::Rejected), _) => ReturnStatus::Rejected,
            (None, _) => ReturnStatus::Requested,
            (_, Some(RepairStage::ReturnedToCustomer)) => ReturnStatus::RepairReturned,
            (_, Some(RepairStage::Repaired)) => ReturnStatus::Repaired,
            (_, Some(RepairStage::SentForRepair)) => ReturnStatus::InRepair,
            _ if self.exchange_shipment_id.is_some() => ReturnStatus::ExchangeShipped,
            _ if self.refunded_total_minor > 0 => ReturnStatus::Refunded,
            _ if self.inspection.is_some() => ReturnStatus::Inspected,
            _ if self.is_received() => ReturnStatus::Received,
            _ => ReturnStatus::Approved,
        }
    }

    fn returned_quantity(&self, line: &ReturnLine) -> u32 {
        if self.is_received() {
            self.received_quantity(&line.sku)
        } else {
            line.quantity.get()
        }
    }
}
