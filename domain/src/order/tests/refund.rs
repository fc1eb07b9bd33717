//! `RecordRefund`: bounded by what was captured, idempotent per reference,
//! and accepted after the order is over.

use super::*;
use crate::ids::ReturnId;
use crate::order::{OrderError, OrderStatus, PaymentBalance};
use crate::validation::ValidationError;

fn paid() -> OrderEvent {
    captured(
        "CAP-1",
        SAMPLE_GRAND_TOTAL_MINOR,
        SAMPLE_GRAND_TOTAL_MINOR,
        PaymentState::Paid,
    )
}

fn delivered_paid_history() -> Vec<OrderEvent> {
    let mut history = fulfilled_history();
    history.extend([paid(), delivered()]);
    history
}

#[test]
fn refund_is_recorded_with_running_totals() {
    order()
        .given(delivered_paid_history())
        .when(refund_command("REF-1", 4_500))
        .then_expect_events(vec![refunded(
            "REF-1",
            4_500,
            4_500,
            SAMPLE_GRAND_TOTAL_MINOR,
        )]);
}

#[test]
fn refund_carries_return_and_shipping_flags() {
    let return_id = ReturnId::from_uuid(uuid::Uuid::from_u128(7));
    order()
        .given(delivered_paid_history())
        .when(OrderCommand::RecordRefund {
            amount_minor: 1_000,
            method: "wechat_pay".into(),
            reference: "REF-S".into(),
            return_id: Some(return_id),
            reason: "shipping refunded".into(),
            includes_shipping: true,
            at: at(5),
        })
        .then_expect_events(vec![OrderEvent::RefundRecorded {
            amount_minor: 1_000,
            method: "wechat_pay".into(),
            reference: "REF-S".into(),
            return_id: Some(return_id),
            reason: "shipping refunded".into(),
            includes_shipping: true,
            refunded_total_minor: 1_000,
            captured_total_minor: SAMPLE_GRAND_TOTAL_MINOR,
            at: at(5),
        }]);
}

#[test]
fn refunding_exactly_what_remains_is_allowed() {
    let mut history = delivered_paid_history();
    history.push(refunded("REF-1", 30_000, 30_000, SAMPLE_GRAND_TOTAL_MINOR));
    order()
        .given(history)
        .when(refund_command("REF-2", 1_100))
        .then_expect_events(vec![refunded(
            "REF-2",
            1_100,
            SAMPLE_GRAND_TOTAL_MINOR,
            SAMPLE_GRAND_TOTAL_MINOR,
        )]);
}

#[test]
fn refunds_may_not_exceed_what_was_captured() {
    let mut history = delivered_paid_history();
    history.push(refunded("REF-1", 30_000, 30_000, SAMPLE_GRAND_TOTAL_MINOR));
    order()
        .given(history)
        .when(refund_command("REF-2", 1_101))
        .then_expect_error(OrderError::RefundExceedsCaptured {
            captured_minor: SAMPLE_GRAND_TOTAL_MINOR,
            refunded_minor: 30_000,
            attempted_minor: 1_101,
        });
}

#[test]
fn nothing_can_be_refunded_before_capture() {
    order()
        .given(vec![placed()])
        .when(refund_command("REF-1", 1))
        .then_expect_error(OrderError::RefundExceedsCaptured {
            captured_minor: 0,
            refunded_minor: 0,
            attempted_minor: 1,
        });
}

#[test]
fn absurd_refund_amount_is_refused_not_overflowed() {
    let mut history = delivered_paid_history();
    history.push(refunded("REF-1", 1, 1, SAMPLE_GRAND_TOTAL_MINOR));
    order()
        .given(history)
        .when(refund_command("REF-2", i64::MAX))
        .then_expect_error(OrderError::RefundExceedsCaptured {
            captured_minor: SAMPLE_GRAND_TOTAL_MINOR,
            refunded_minor: 1,
            attempted_minor: i64::MAX,
        });
}

#[test]
fn refund_amount_must_be_positive() {
    for amount in [0, -100] {
        order()
            .given(delivered_paid_history())
            .when(refund_command("REF-1", amount))
            .then_expect_error(OrderError::NonPositiveAmount {
                field: "amount_minor",
                amount_minor: amount,
            });
    }
}

#[test]
fn same_refund_reference_twice_is_duplicate() {
    let mut history = delivered_paid_history();
    history.push(refunded("REF-1", 100, 100, SAMPLE_GRAND_TOTAL_MINOR));
    order()
        .given(history)
        .when(refund_command("REF-1", 100))
        .then_expect_error(OrderError::DuplicateRefund {
            reference: "REF-1".into(),
        });
}

#[test]
fn refund_needs_method_reference_and_reason() {
    let blank = |method: &str, reference: &str, reason: &str| OrderCommand::RecordRefund {
        amount_minor: 1,
        method: method.into(),
        reference: reference.into(),
        return_id: None,
        reason: reason.into(),
        includes_shipping: false,
        at: at(1),
    };
    for (command, field) in [
        (blank("", "R", "why"), "method"),
        (blank("alipay", " ", "why"), "reference"),
        (blank("alipay", "R", ""), "reason"),
    ] {
        order()
            .given(delivered_paid_history())
            .when(command)
            .then_expect_error(OrderError::Validation(ValidationError::Empty { field }));
    }
}

#[test]
fn refund_is_accepted_on_a_cancelled_order() {
    order()
        .given(vec![
            placed(),
            captured("CAP-1", 5_000, 5_000, PaymentState::PartiallyPaid),
            OrderEvent::OrderCancelled {
                reason: "customer request".into(),
                refund_owed_minor: 5_000,
            },
        ])
        .when(refund_command("REF-1", 5_000))
        .then_expect_events(vec![refunded("REF-1", 5_000, 5_000, 5_000)]);
}

#[test]
fn refund_is_accepted_on_a_completed_order() {
    let mut history = delivered_paid_history();
    history.push(completed());
    order()
        .given(history)
        .when(refund_command("REF-1", 12_800))
        .then_expect_events(vec![refunded(
            "REF-1",
            12_800,
            12_800,
            SAMPLE_GRAND_TOTAL_MINOR,
        )]);
}

#[test]
fn refund_rules_still_apply_on_terminal_orders() {
    let mut history = delivered_paid_history();
    history.extend([
        completed(),
        refunded("REF-1", 100, 100, SAMPLE_GRAND_TOTAL_MINOR),
    ]);
    order()
        .given(history.clone())
        .when(refund_command("REF-1", 100))
        .then_expect_error(OrderError::DuplicateRefund {
            reference: "REF-1".into(),
        });
    order()
        .given(history)
        .when(refund_command("REF-2", SAMPLE_GRAND_TOTAL_MINOR))
        .then_expect_error(OrderError::RefundExceedsCaptured {
            captured_minor: SAMPLE_GRAND_TOTAL_MINOR,
            refunded_minor: 100,
            attempted_minor: SAMPLE_GRAND_TOTAL_MINOR,
        });
}

#[test]
fn refund_is_not_blocked_by_an_anomaly_hold() {
    let mut history = delivered_paid_history();
    history.push(flagged(AnomalyKind::PaymentMismatch));
    order()
        .given(history)
        .when(refund_command("REF-1", 100))
        .then_expect_events(vec![refunded("REF-1", 100, 100, SAMPLE_GRAND_TOTAL_MINOR)]);
}

#[test]
fn refund_does_not_change_status_or_payment_state() {
    let mut history = delivered_paid_history();
    history.push(completed());
    history.push(refunded("REF-1", 100, 100, SAMPLE_GRAND_TOTAL_MINOR));
    let order = replay(history);
    assert_eq!(order.status(), Some(OrderStatus::Completed));
    let state = order.state().expect("placed");
    assert_eq!(state.payment_state, PaymentState::Paid);
    assert!(state.refund_references.contains("REF-1"));
}

#[test]
fn balance_nets_refunds_against_captures() {
    let order = replay(vec![
        placed(),
        captured("CAP-1", 20_000, 20_000, PaymentState::PartiallyPaid),
        refunded("REF-1", 4_500, 4_500, 20_000),
        refunded("REF-2", 500, 5_000, 20_000),
    ]);
    let state = order.state().expect("placed");
    assert_eq!(
        state.balance(),
        PaymentBalance {
            captured_minor: 20_000,
            refunded_minor: 5_000,
            net_paid_minor: 15_000,
            outstanding_due_minor: SAMPLE_GRAND_TOTAL_MINOR - 20_000,
        }
    );
}

#[test]
fn cancelling_owes_only_what_was_not_yet_refunded() {
    order()
        .given(vec![
            placed(),
            captured("CAP-1", 5_000, 5_000, PaymentState::PartiallyPaid),
            refunded("REF-1", 2_000, 2_000, 5_000),
        ])
        .when(OrderCommand::Cancel {
            reason: "customer request".into(),
        })
        .then_expect_events(vec![OrderEvent::OrderCancelled {
            reason: "customer request".into(),
            refund_owed_minor: 3_000,
        }]);
}

#[test]
fn delivered_quantity_counts_shipped_units_only_once_delivered() {
    let shipped_only = replay(fulfilled_history());
    let state = shipped_only.state().expect("placed");
    assert_eq!(state.delivered_quantity(&tea_sku()), 0);
    assert!(state.delivered_quantities().is_empty());

    let delivered = replay(delivered_paid_history());
    let state = delivered.state().expect("placed");
    assert_eq!(state.delivered_quantity(&tea_sku()), 2);
    assert_eq!(state.delivered_quantity(&cup_sku()), 1);
    assert_eq!(state.delivered_quantity(&sku("BOWL")), 0);
    assert_eq!(
        state.delivered_quantities(),
        [(cup_sku(), 1), (tea_sku(), 2)].into_iter().collect()
    );
}

#[test]
fn snapshots_from_before_refunds_still_load() {
    let order = replay(delivered_paid_history());
    let mut json = serde_json::to_value(&order).expect("serialise");
    let state = json
        .get_mut("state")
        .and_then(|state| state.as_object_mut())
        .expect("state object");
    assert!(state.remove("refunded_total_minor").is_some());
    assert!(state.remove("refund_references").is_some());
    assert_eq!(serde_json::from_value::<Order>(json).ok(), Some(order));
}

/// Shipping is refundable once per order, not once per return.
#[test]
fn shipping_is_refunded_at_most_once_per_order() {
    let with_shipping = |reference: &str| OrderCommand::RecordRefund {
        amount_minor: 1_000,
        method: "alipay".into(),
        reference: reference.into(),
        return_id: None,
        reason: "goods returned".into(),
        includes_shipping: true,
        at: at(172_800),
    };
    let first = OrderEvent::RefundRecorded {
        amount_minor: 1_000,
        method: "alipay".into(),
        reference: "RF-1".into(),
        return_id: None,
        reason: "goods returned".into(),
        includes_shipping: true,
        refunded_total_minor: 1_000,
        captured_total_minor: 31_100,
        at: at(172_800),
    };
    let paid = captured("CAP-1", 31_100, 31_100, PaymentState::Paid);
    order()
        .given(vec![placed(), paid.clone()])
        .when(with_shipping("RF-1"))
        .then_expect_events(vec![first.clone()]);
    order()
        .given(vec![placed(), paid, first])
        .when(with_shipping("RF-2"))
        .then_expect_error(OrderError::ShippingAlreadyRefunded);
}
