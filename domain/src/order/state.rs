//! Lifecycle status, payment state and the state rebuilt from events.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, OrderId, WarehouseId};
use crate::money::Currency;
use crate::order::commands::{AnomalyKind, OrderLine};
use crate::order::events::{OrderEvent, OrderPlaced};
use crate::order::place::placement_fingerprint;
use crate::order::pricing::PricedBy;
use crate::order::promotions::{AppliedPromotion, OrderTotals};
use crate::values::{ExternalOrderNumber, SalesChannel, Sku};

coded_enum! {
    /// Where an order is in its lifecycle.
    pub enum OrderStatus(field = "status") {
        Placed => "placed",
        Allocated => "allocated",
        PartiallyFulfilled => "partially_fulfilled",
        Fulfilled => "fulfilled",
        Delivered => "delivered",
        Completed => "completed",
        Cancelled => "cancelled",
    }
}

impl OrderStatus {
    /// Terminal orders accept no further lifecycle commands; refunds still
    /// go through (see `OrderCommand::allowed_when_terminal`).
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled)
    }
}

coded_enum! {
    /// Where the order's money is.
    pub enum PaymentState(field = "payment_state") {
        Unpaid => "unpaid",
        Authorised => "authorised",
        PartiallyPaid => "partially_paid",
        Paid => "paid",
        Failed => "failed",
    }
}

/// The payment event being recorded, for [`PaymentState::after`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PaymentStep {
    Authorised,
    Captured,
    Failed,
}

impl PaymentState {
    /// State of a freshly placed order: nothing due means already paid.
    pub const fn initial(grand_total_minor: i64) -> Self {
        if grand_total_minor <= 0 {
            Self::Paid
        } else {
            Self::Unpaid
        }
    }

    /// Full capture wins over everything; otherwise the latest attempt
    /// decides, except that an authorisation never hides money already taken.
    pub(crate) const fn after(
        step: PaymentStep,
        grand_total_minor: i64,
        captured_total_minor: i64,
    ) -> Self {
        if captured_total_minor >= grand_total_minor {
            return Self::Paid;
        }
        match step {
            PaymentStep::Failed => Self::Failed,
            PaymentStep::Captured => Self::PartiallyPaid,
            PaymentStep::Authorised if captured_total_minor > 0 => Self::PartiallyPaid,
            PaymentStep::Authorised => Self::Authorised,
        }
    }
}

/// Everything the aggregate knows about a placed order, derived from events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderState {
    pub order_id: OrderId,
    pub channel: SalesChannel,
    pub external_number: ExternalOrderNumber,
    pub customer_id: CustomerId,
    pub currency: Currency,
    pub lines: Vec<OrderLine>,
    pub priced_by: PricedBy,
    /// The promotions in force (after amendments), with their per-line allocation.
    pub promotions: Vec<AppliedPromotion>,
    pub totals: OrderTotals,
    /// Of the first placement, so a re-send can be told from an edited one.
    pub placement_fingerprint: u64,
    pub status: OrderStatus,
    pub payment_state: PaymentState,
    pub captured_total_minor: i64,
    /// Captured payment references, so a retried webhook cannot double count.
    pub capture_references: BTreeSet<String>,
    pub warehouse_id: Option<WarehouseId>,
    /// Units shipped so far per SKU.
    pub fulfilled: BTreeMap<Sku, u32>,
    pub shipments: BTreeSet<String>,
    pub open_anomalies: BTreeSet<AnomalyKind>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// Defaulted so snapshots taken before refunds existed still load.
    #[serde(default)]
    pub refunded_total_minor: i64,
    /// Recorded refund references, so a retried refund cannot double count.
    #[serde(default)]
    pub refund_references: BTreeSet<String>,
    /// Shipping is refundable once per order, whatever the number of returns.
    #[serde(default)]
    pub shipping_refunded: bool,
    /// Address or delivery changes and line amendments so far.
    #[serde(default)]
    pub amendments: u32,
}

/// Where the customer's money stands, in minor units of the order currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaymentBalance {
    pub captured_minor: i64,
    pub refunded_minor: i64,
    /// `captured − refunded`: what the merchant actually keeps.
    pub net_paid_minor: i64,
    /// `grand_total − captured`, never negative. Refunds do not make money
    /// due again: they settle returns and cancellations, not unpaid goods.
    pub outstanding_due_minor: i64,
}

impl OrderState {
    pub(crate) fn from_placed(placed: OrderPlaced) -> Self {
        let placement_fingerprint = placement_fingerprint(&placed);
        Self {
            order_id: placed.order_id,
            channel: placed.channel,
            external_number: placed.external_number,
            customer_id: placed.customer_id,
            currency: placed.currency,
            lines: placed.lines,
            priced_by: placed.priced_by,
            promotions: placed.promotions,
            totals: placed.totals,
            placement_fingerprint,
            status: OrderStatus::Placed,
            payment_state: placed.payment_state,
            captured_total_minor: 0,
            capture_references: BTreeSet::new(),
            warehouse_id: None,
            fulfilled: BTreeMap::new(),
            shipments: BTreeSet::new(),
            open_anomalies: BTreeSet::new(),
            delivered_at: None,
            refunded_total_minor: 0,
            refund_references: BTreeSet::new(),
            shipping_refunded: false,
            amendments: 0,
        }
    }

    /// Folds a post-placement event in. Infallible by design: events are
    /// facts, and the decision that produced them already checked the rules.
    pub(crate) fn apply(&mut self, event: OrderEvent) {
        match event {
            // A stream holds a single placement; a stray second one is ignored.
            OrderEvent::OrderPlaced(_) => {}
            OrderEvent::PaymentAuthorised { payment_state, .. }
            | OrderEvent::PaymentFailed { payment_state, .. } => {
                self.payment_state = payment_state;
            }
            OrderEvent::PaymentCaptured {
                reference,
                captured_total_minor,
                payment_state,
                ..
            } => {
                self.capture_references.insert(reference);
                self.captured_total_minor = captured_total_minor;
                self.payment_state = payment_state;
            }
            OrderEvent::OrderCancelled { .. } => self.status = OrderStatus::Cancelled,
            OrderEvent::OrderAllocated { warehouse_id, .. } => {
                self.warehouse_id = Some(warehouse_id);
                if self.status == OrderStatus::Placed {
                    self.status = OrderStatus::Allocated;
                }
            }
            OrderEvent::LinesFulfilled {
                shipment,
                lines,
                fully_fulfilled,
            } => {
                let shipment_reference = shipment.reference;
                for line in lines {
                    let shipped = self.fulfilled.entry(line.sku).or_insert(0);
                    *shipped = shipped.saturating_add(line.quantity.get());
                }
                self.shipments.insert(shipment_reference);
                self.status = if fully_fulfilled {
                    OrderStatus::Fulfilled
                } else {
                    OrderStatus::PartiallyFulfilled
                };
            }
            OrderEvent::OrderDelivered { delivered_at } => {
                self.delivered_at = Some(delivered_at);
                self.status = OrderStatus::Delivered;
            }
            OrderEvent::OrderCompleted {} => self.status = OrderStatus::Completed,
            OrderEvent::AnomalyFlagged { kind, .. } => {
                self.open_anomalies.insert(kind);
            }
            OrderEvent::AnomalyCleared { kind, .. } => {
                self.open_anomalies.remove(&kind);
            }
            OrderEvent::RefundRecorded {
                reference,
                refunded_total_minor,
                includes_shipping,
                ..
            } => {
                self.refund_references.insert(reference);
                self.refunded_total_minor = refunded_total_minor;
                self.shipping_refunded |= includes_shipping;
            }
            // The address and delivery live in the read model; the aggregate only counts.
            OrderEvent::ShippingAddressChanged { .. } | OrderEvent::DeliveryChanged { .. } => {
                self.amendments = self.amendments.saturating_add(1);
            }
            OrderEvent::OrderLinesAmended {
                lines,
                promotions,
                totals,
                payment_state,
                ..
            } => {
                self.lines = lines;
                self.promotions = promotions;
                self.totals = totals;
                self.payment_state = payment_state;
                self.amendments = self.amendments.saturating_add(1);
            }
        }
    }

    /// What the buyer paid for a whole line: its list value less the discounts allocated
    /// to it. `None` for a SKU not on the order.
    pub fn line_paid_minor(&self, sku: &Sku) -> Option<i64> {
        let line = self.lines.iter().find(|line| &line.sku == sku)?;
        let discounts = self
            .promotions
            .iter()
            .flat_map(|p| &p.allocation)
            .filter(|a| &a.sku == sku)
            .fold(0_i64, |sum, a| sum.saturating_add(a.amount_minor));
        Some(
            line.line_total_minor()
                .unwrap_or(i64::MAX)
                .saturating_sub(discounts)
                .max(0),
        )
    }

    pub fn ordered_quantity(&self, sku: &Sku) -> Option<u32> {
        self.lines
            .iter()
            .find(|line| &line.sku == sku)
            .map(|line| line.quantity.get())
    }

    pub fn fulfilled_quantity(&self, sku: &Sku) -> u32 {
        self.fulfilled.get(sku).copied().unwrap_or(0)
    }

    pub fn anything_fulfilled(&self) -> bool {
        !self.shipments.is_empty()
    }

    pub fn is_fully_fulfilled(&self) -> bool {
        self.lines
            .iter()
            .all(|line| self.fulfilled_quantity(&line.sku) >= line.quantity.get())
    }

    /// Units of `sku` the customer has received: everything shipped counts
    /// once the order is delivered, nothing before. This is the ceiling for
    /// returns (together with what earlier returns already took back).
    pub fn delivered_quantity(&self, sku: &Sku) -> u32 {
        if self.delivered_at.is_some() {
            self.fulfilled_quantity(sku)
        } else {
            0
        }
    }

    /// [`Self::delivered_quantity`] for every SKU with delivered units, in
    /// the shape a return request's order facts take.
    pub fn delivered_quantities(&self) -> BTreeMap<Sku, u32> {
        if self.delivered_at.is_none() {
            return BTreeMap::new();
        }
        self.fulfilled
            .iter()
            .filter(|(_, units)| **units > 0)
            .map(|(sku, units)| (sku.clone(), *units))
            .collect()
    }

    pub fn balance(&self) -> PaymentBalance {
        PaymentBalance {
            captured_minor: self.captured_total_minor,
            refunded_minor: self.refunded_total_minor,
            net_paid_minor: self
                .captured_total_minor
                .saturating_sub(self.refunded_total_minor),
            outstanding_due_minor: self.outstanding_minor(),
        }
    }

    /// Amount still to be captured.
    pub fn outstanding_minor(&self) -> i64 {
        self.totals
            .grand_total_minor
            .saturating_sub(self.captured_total_minor)
            .max(0)
    }

    pub fn is_on_hold(&self) -> bool {
        !self.open_anomalies.is_empty()
    }

    pub fn open_anomaly_kinds(&self) -> Vec<AnomalyKind> {
        self.open_anomalies.iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_are_stable() {
        let codes: Vec<_> = OrderStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(
            codes,
            [
                "placed",
                "allocated",
                "partially_fulfilled",
                "fulfilled",
                "delivered",
                "completed",
                "cancelled"
            ]
        );
        assert_eq!("delivered".parse(), Ok(OrderStatus::Delivered));
    }

    #[test]
    fn only_completed_and_cancelled_are_terminal() {
        let terminal: Vec<_> = OrderStatus::ALL
            .iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(terminal, [&OrderStatus::Completed, &OrderStatus::Cancelled]);
    }

    #[test]
    fn payment_state_codes_are_stable() {
        let codes: Vec<_> = PaymentState::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(
            codes,
            ["unpaid", "authorised", "partially_paid", "paid", "failed"]
        );
    }

    #[test]
    fn payment_state_derivation() {
        use PaymentStep::*;
        assert_eq!(PaymentState::initial(0), PaymentState::Paid);
        assert_eq!(PaymentState::initial(1), PaymentState::Unpaid);
        assert_eq!(
            PaymentState::after(Authorised, 100, 0),
            PaymentState::Authorised
        );
        assert_eq!(
            PaymentState::after(Authorised, 100, 40),
            PaymentState::PartiallyPaid
        );
        assert_eq!(
            PaymentState::after(Captured, 100, 40),
            PaymentState::PartiallyPaid
        );
        assert_eq!(PaymentState::after(Captured, 100, 100), PaymentState::Paid);
        assert_eq!(PaymentState::after(Failed, 100, 40), PaymentState::Failed);
        assert_eq!(PaymentState::after(Failed, 100, 100), PaymentState::Paid);
    }
}
