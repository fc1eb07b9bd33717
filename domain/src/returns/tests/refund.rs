//! `RefundReturn`: bounded by the returned goods (plus shipping when agreed)
//! and by what the order captured, honest about before/after receipt.

use super::*;
use crate::order::sample::{SAMPLE_GRAND_TOTAL_MINOR, SAMPLE_SHIPPING_FEE_MINOR};
use crate::returns::{RefundReturn, Resolution, ReturnError, ReturnStatus};
use crate::validation::ValidationError;

use RefundPolicy::{AfterReceipt, BeforeReceipt};

fn refund_with(edit: impl FnOnce(&mut RefundReturn)) -> ReturnCommand {
    let mut cmd = sample_refund_return();
    edit(&mut cmd);
    ReturnCommand::RefundReturn(cmd)
}

#[test]
fn refunding_after_receipt_records_totals() {
    rma()
        .given(received_history())
        .when(ReturnCommand::RefundReturn(sample_refund_return()))
        .then_expect_events(vec![refunded(
            "RF-1",
            SAMPLE_RETURN_VALUE_MINOR,
            SAMPLE_RETURN_VALUE_MINOR,
            SAMPLE_RETURN_VALUE_MINOR,
            AfterReceipt,
        )]);
}

#[test]
fn an_agent_may_refund_before_the_goods_arrive() {
    rma()
        .given(vec![requested(), approved(), label_issued()])
        .when(refund_cmd("RF-1", 10_000, BeforeReceipt))
        .then_expect_events(vec![refunded(
            "RF-1",
            10_000,
            10_000,
            SAMPLE_RETURN_VALUE_MINOR,
            BeforeReceipt,
        )]);
}

#[test]
fn after_receipt_policy_needs_the_goods() {
    rma()
        .given(approved_history())
        .when(refund_cmd("RF-1", 100, AfterReceipt))
        .then_expect_error(ReturnError::NotReceived);
}

#[test]
fn before_receipt_policy_is_refused_once_goods_are_in() {
    rma()
        .given(received_history())
        .when(refund_cmd("RF-1", 100, BeforeReceipt))
        .then_expect_error(ReturnError::AlreadyReceived);
}

#[test]
fn partial_refunds_add_up_to_the_return_value() {
    rma()
        .given(history([refunded(
            "RF-1",
            10_000,
            10_000,
            SAMPLE_RETURN_VALUE_MINOR,
            AfterReceipt,
        )]))
        .when(refund_cmd("RF-2", 7_300, AfterReceipt))
        .then_expect_events(vec![refunded(
            "RF-2",
            7_300,
            SAMPLE_RETURN_VALUE_MINOR,
            SAMPLE_RETURN_VALUE_MINOR,
            AfterReceipt,
        )]);
}

#[test]
fn refunding_twice_beyond_the_return_value_is_refused() {
    rma()
        .given(history([refunded(
            "RF-1",
            SAMPLE_RETURN_VALUE_MINOR,
            SAMPLE_RETURN_VALUE_MINOR,
            SAMPLE_RETURN_VALUE_MINOR,
            AfterReceipt,
        )]))
        .when(refund_cmd("RF-2", 1, AfterReceipt))
        .then_expect_error(ReturnError::RefundExceedsReturnValue {
            refundable_minor: SAMPLE_RETURN_VALUE_MINOR,
            refunded_minor: SAMPLE_RETURN_VALUE_MINOR,
            attempted_minor: 1,
        });
}

#[test]
fn shipping_is_refundable_only_when_included() {
    let with_shipping = SAMPLE_RETURN_VALUE_MINOR + SAMPLE_SHIPPING_FEE_MINOR;
    rma()
        .given(received_history())
        .when(refund_cmd("RF-1", with_shipping, AfterReceipt))
        .then_expect_error(ReturnError::RefundExceedsReturnValue {
            refundable_minor: SAMPLE_RETURN_VALUE_MINOR,
            refunded_minor: 0,
            attempted_minor: with_shipping,
        });
    rma()
        .given(received_history())
        .when(refund_with(|cmd| {
            cmd.amount_minor = with_shipping;
            cmd.include_shipping = true;
        }))
        .then_expect_events(vec![ReturnEvent::ReturnRefunded {
            order_id: crate::order::sample::sample_order_id(),
            amount_minor: with_shipping,
            include_shipping: true,
            method: "alipay".into(),
            reference: "RF-1".into(),
            policy: AfterReceipt,
            agent: SAMPLE_AGENT.into(),
            refunded_total_minor: with_shipping,
            refundable_minor: with_shipping,
            at: day(9),
        }]);
}

#[test]
fn once_shipping_was_included_it_stays_in_the_cap() {
    let state = replay(history([ReturnEvent::ReturnRefunded {
        order_id: crate::order::sample::sample_order_id(),
        amount_minor: SAMPLE_SHIPPING_FEE_MINOR,
        include_shipping: true,
        method: "alipay".into(),
        reference: "RF-S".into(),
        policy: AfterReceipt,
        agent: SAMPLE_AGENT.into(),
        refunded_total_minor: SAMPLE_SHIPPING_FEE_MINOR,
        refundable_minor: SAMPLE_RETURN_VALUE_MINOR + SAMPLE_SHIPPING_FEE_MINOR,
        at: day(9),
    }]));
    let state = state.state().expect("requested");
    assert_eq!(
        state.refundable_minor(false),
        SAMPLE_RETURN_VALUE_MINOR + SAMPLE_SHIPPING_FEE_MINOR
    );
}

#[test]
fn after_a_short_parcel_only_what_arrived_is_refundable() {
    let mut events = approved_history();
    events.push(received(
        vec![
            received_line(tea_sku(), 0, 0),
            received_line(cup_sku(), 1, 0),
        ],
        false,
    ));
    rma()
        .given(events)
        .when(refund_cmd("RF-1", SAMPLE_RETURN_VALUE_MINOR, AfterReceipt))
        .then_expect_error(ReturnError::RefundExceedsReturnValue {
            refundable_minor: SAMPLE_CUP_PRICE_MINOR,
            refunded_minor: 0,
            attempted_minor: SAMPLE_RETURN_VALUE_MINOR,
        });
}

#[test]
fn refunds_across_returns_stay_within_what_the_order_captured() {
    rma()
        .given(received_history())
        .when(refund_with(|cmd| {
            cmd.refunded_minor = SAMPLE_GRAND_TOTAL_MINOR - 5_000;
        }))
        .then_expect_error(ReturnError::RefundExceedsCaptured {
            captured_minor: SAMPLE_GRAND_TOTAL_MINOR,
            refunded_minor: SAMPLE_GRAND_TOTAL_MINOR - 5_000,
            attempted_minor: SAMPLE_RETURN_VALUE_MINOR,
        });
}

#[test]
fn same_refund_reference_twice_is_duplicate() {
    rma()
        .given(history([refunded(
            "RF-1",
            100,
            100,
            SAMPLE_RETURN_VALUE_MINOR,
            AfterReceipt,
        )]))
        .when(refund_cmd("RF-1", 100, AfterReceipt))
        .then_expect_error(ReturnError::DuplicateRefund {
            reference: "RF-1".into(),
        });
}

#[test]
fn refund_amount_must_be_positive() {
    rma()
        .given(received_history())
        .when(refund_cmd("RF-1", 0, AfterReceipt))
        .then_expect_error(ReturnError::NonPositiveAmount {
            field: "amount_minor",
            amount_minor: 0,
        });
}

#[test]
fn order_totals_passed_in_may_not_be_negative() {
    rma()
        .given(received_history())
        .when(refund_with(|cmd| cmd.captured_minor = -1))
        .then_expect_error(ReturnError::NegativeAmount {
            field: "captured_minor",
            amount_minor: -1,
        });
}

#[test]
fn refund_needs_method_reference_and_agent() {
    for (edit, field) in [
        (
            (|cmd: &mut RefundReturn| cmd.method.clear()) as fn(&mut RefundReturn),
            "method",
        ),
        (|cmd: &mut RefundReturn| cmd.reference.clear(), "reference"),
        (|cmd: &mut RefundReturn| cmd.agent.clear(), "agent"),
    ] {
        rma()
            .given(received_history())
            .when(refund_with(edit))
            .then_expect_error(ReturnError::Validation(ValidationError::Empty { field }));
    }
}

#[test]
fn no_refund_once_a_replacement_was_shipped() {
    rma()
        .given(history([exchanged()]))
        .when(refund_cmd("RF-1", 100, AfterReceipt))
        .then_expect_error(ReturnError::ResolutionConflict {
            resolved: Resolution::Exchange,
            attempted: Resolution::Refund,
        });
}

#[test]
fn refunded_status_and_totals_replay() {
    let rma = replay(history([refunded(
        "RF-1",
        100,
        100,
        SAMPLE_RETURN_VALUE_MINOR,
        AfterReceipt,
    )]));
    assert_eq!(rma.status(), Some(ReturnStatus::Refunded));
    let state = rma.state().expect("requested");
    assert_eq!(state.refunded_total_minor, 100);
    assert_eq!(state.resolution(), Some(Resolution::Refund));
}
