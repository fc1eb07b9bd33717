//! Given/when/then tests for every transition and every refusal of `Order`.
//! Histories are built from hand-written events (not from `decide`) so each
//! test states its own expectations.

mod amend;
mod anomalies;
mod channel;
mod fulfilment;
mod guards;
mod lifecycle;
mod payment;
mod place;
mod refund;

use chrono::{DateTime, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use crate::address::{Address, AddressFields};
use crate::delivery::DeliveryMode;
use crate::order::sample::*;
use crate::order::{
    AmendLines, AnomalyKind, FulfilLine, FulfilledBy, LineChange, Order, OrderCommand, OrderEvent,
    OrderLine, OrderTotals, PaymentState,
};
use crate::values::{Quantity, Sku};

pub(super) fn order() -> TestFramework<Order> {
    TestFramework::with(())
}

pub(super) fn placed() -> OrderEvent {
    sample_order_placed()
}

pub(super) fn allocated() -> OrderEvent {
    OrderEvent::OrderAllocated {
        warehouse_id: sample_warehouse_id(),
        previous_warehouse_id: None,
    }
}

pub(super) fn qty(value: u32) -> Quantity {
    Quantity::new(value).expect("positive quantity")
}

pub(super) fn tea(quantity: u32) -> FulfilLine {
    FulfilLine {
        sku: tea_sku(),
        quantity: qty(quantity),
    }
}

pub(super) fn cup(quantity: u32) -> FulfilLine {
    FulfilLine {
        sku: cup_sku(),
        quantity: qty(quantity),
    }
}

pub(super) fn sku(value: &str) -> Sku {
    Sku::parse(value).expect("valid sku")
}

pub(super) fn shipped(reference: &str, lines: Vec<FulfilLine>, fully: bool) -> OrderEvent {
    OrderEvent::LinesFulfilled {
        shipment: FulfilledBy {
            reference: reference.into(),
            warehouse_id: sample_warehouse_id(),
        },
        lines,
        fully_fulfilled: fully,
    }
}

pub(super) fn shipped_all() -> OrderEvent {
    shipped("SHIP-1", sample_full_shipment(), true)
}

pub(super) fn shipped_some() -> OrderEvent {
    shipped("SHIP-1", vec![tea(1)], false)
}

pub(super) fn at(seconds_after_placement: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(SAMPLE_PLACED_AT_SECS + seconds_after_placement, 0).expect("in range")
}

pub(super) fn delivered() -> OrderEvent {
    OrderEvent::OrderDelivered {
        delivered_at: at(86_400),
    }
}

pub(super) fn completed() -> OrderEvent {
    OrderEvent::OrderCompleted {}
}

pub(super) fn cancelled() -> OrderEvent {
    OrderEvent::OrderCancelled {
        reason: "customer changed mind".into(),
        refund_owed_minor: 0,
    }
}

pub(super) fn captured(
    reference: &str,
    amount: i64,
    total: i64,
    state: PaymentState,
) -> OrderEvent {
    OrderEvent::PaymentCaptured {
        method: "alipay".into(),
        reference: reference.into(),
        amount_minor: amount,
        captured_total_minor: total,
        payment_state: state,
    }
}

pub(super) fn flagged(kind: AnomalyKind) -> OrderEvent {
    OrderEvent::AnomalyFlagged {
        kind,
        note: "needs a look".into(),
    }
}

/// A refund of `amount` that brings the order's refunds to `total` while
/// `captured` is on record.
pub(super) fn refunded(reference: &str, amount: i64, total: i64, captured: i64) -> OrderEvent {
    OrderEvent::RefundRecorded {
        amount_minor: amount,
        method: "alipay".into(),
        reference: reference.into(),
        return_id: None,
        reason: "goods returned".into(),
        includes_shipping: false,
        refunded_total_minor: total,
        captured_total_minor: captured,
        at: at(172_800),
    }
}

pub(super) fn refund_command(reference: &str, amount: i64) -> OrderCommand {
    OrderCommand::RecordRefund {
        amount_minor: amount,
        method: "alipay".into(),
        reference: reference.into(),
        return_id: None,
        reason: "goods returned".into(),
        includes_shipping: false,
        at: at(172_800),
    }
}

/// The buyer's new address (another street in the same city).
pub(super) fn new_address() -> Address {
    Address::parse(AddressFields {
        street: "88 Wensan Road".into(),
        ..sample_address_fields()
    })
    .expect("valid address")
}

pub(super) fn change_address() -> OrderCommand {
    OrderCommand::ChangeShippingAddress {
        shipping_address: new_address(),
        reason: "buyer moved".into(),
    }
}

pub(super) fn address_changed() -> OrderEvent {
    OrderEvent::ShippingAddressChanged {
        shipping_address: new_address(),
        reason: "buyer moved".into(),
    }
}

pub(super) fn pickup() -> DeliveryMode {
    DeliveryMode::self_pickup("菜鸟驿站 0042").expect("valid pickup point")
}

pub(super) fn change_delivery() -> OrderCommand {
    OrderCommand::ChangeDelivery {
        delivery: pickup(),
        reason: "buyer will collect".into(),
    }
}

pub(super) fn delivery_changed() -> OrderEvent {
    OrderEvent::DeliveryChanged {
        delivery: pickup(),
        reason: "buyer will collect".into(),
    }
}

pub(super) fn reduce_tea_to_one() -> OrderCommand {
    OrderCommand::AmendLines(AmendLines {
        changes: vec![LineChange {
            sku: tea_sku(),
            quantity: 1,
        }],
        pricing: None,
        shipping_fee_minor: None,
        reason: "buyer dropped one tea".into(),
    })
}

/// The sample order less one tea: 12,800 + 4,500 = 17,300, + 1,000 shipping = 18,300.
pub(super) fn tea_reduced_to_one() -> OrderEvent {
    let mut lines: Vec<OrderLine> = sample_lines();
    lines[0].quantity = qty(1);
    OrderEvent::OrderLinesAmended {
        lines,
        promotions: Vec::new(),
        totals: OrderTotals {
            subtotal_minor: 17_300,
            discount_minor: 0,
            shipping_fee_minor: 1_000,
            grand_total_minor: 18_300,
        },
        payment_state: PaymentState::Unpaid,
        refund_owed_minor: 0,
        reason: "buyer dropped one tea".into(),
    }
}

/// Ready-to-deliver history: placed, allocated, shipped in full.
pub(super) fn fulfilled_history() -> Vec<OrderEvent> {
    vec![placed(), allocated(), shipped_all()]
}

/// One valid instance of every command except `Place` and `RecordRefund`
/// (the one command that terminal orders still accept).
pub(super) fn non_place_commands() -> Vec<OrderCommand> {
    vec![
        OrderCommand::AuthorisePayment {
            method: "alipay".into(),
            reference: "AUTH-1".into(),
            amount_minor: 100,
        },
        OrderCommand::CapturePayment {
            method: "alipay".into(),
            reference: "CAP-1".into(),
            amount_minor: 100,
        },
        OrderCommand::FailPayment {
            method: "alipay".into(),
            reference: "PAY-1".into(),
            reason: "card declined".into(),
        },
        OrderCommand::Cancel {
            reason: "customer request".into(),
        },
        OrderCommand::Allocate {
            warehouse_id: sample_other_warehouse_id(),
        },
        OrderCommand::Fulfil {
            shipment_reference: "SHIP-9".into(),
            lines: vec![tea(1)],
        },
        OrderCommand::MarkDelivered {
            delivered_at: at(1),
        },
        OrderCommand::Complete,
        OrderCommand::FlagAnomaly {
            kind: AnomalyKind::AddressProblem,
            note: "street missing".into(),
        },
        OrderCommand::ClearAnomaly {
            kind: AnomalyKind::AddressProblem,
            resolution: "confirmed by phone".into(),
        },
        change_address(),
        change_delivery(),
        reduce_tea_to_one(),
    ]
}

/// Rebuilds an aggregate the way the event store does.
pub(super) fn replay(events: Vec<OrderEvent>) -> Order {
    let mut order = Order::default();
    for event in events {
        order.apply(event);
    }
    order
}
