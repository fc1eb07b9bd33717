use super::*;
use crate::order::OrderError;
use crate::validation::ValidationError;

fn authorise(amount_minor: i64) -> OrderCommand {
    OrderCommand::AuthorisePayment {
        method: "alipay".into(),
        reference: "AUTH-1".into(),
        amount_minor,
    }
}

fn capture(reference: &str, amount_minor: i64) -> OrderCommand {
    OrderCommand::CapturePayment {
        method: "alipay".into(),
        reference: reference.into(),
        amount_minor,
    }
}

fn fail() -> OrderCommand {
    OrderCommand::FailPayment {
        method: "alipay".into(),
        reference: "PAY-9".into(),
        reason: "insufficient funds".into(),
    }
}

fn failed_event(captured_total_minor: i64, payment_state: PaymentState) -> OrderEvent {
    OrderEvent::PaymentFailed {
        method: "alipay".into(),
        reference: "PAY-9".into(),
        reason: "insufficient funds".into(),
        captured_total_minor,
        payment_state,
    }
}

#[test]
fn authorising_records_authorised_state() {
    order()
        .given(vec![placed()])
        .when(authorise(SAMPLE_GRAND_TOTAL_MINOR))
        .then_expect_events(vec![OrderEvent::PaymentAuthorised {
            method: "alipay".into(),
            reference: "AUTH-1".into(),
            amount_minor: SAMPLE_GRAND_TOTAL_MINOR,
            captured_total_minor: 0,
            payment_state: PaymentState::Authorised,
        }]);
}

#[test]
fn authorising_more_than_due_is_rejected() {
    order()
        .given(vec![placed()])
        .when(authorise(SAMPLE_GRAND_TOTAL_MINOR + 1))
        .then_expect_error(OrderError::Overauthorisation {
            due_minor: SAMPLE_GRAND_TOTAL_MINOR,
            attempted_minor: SAMPLE_GRAND_TOTAL_MINOR + 1,
        });
}

#[test]
fn authorised_amount_must_be_positive() {
    order()
        .given(vec![placed()])
        .when(authorise(0))
        .then_expect_error(OrderError::NonPositiveAmount {
            field: "amount_minor",
            amount_minor: 0,
        });
}

#[test]
fn partial_capture_is_partially_paid() {
    order()
        .given(vec![placed()])
        .when(capture("CAP-1", 10_000))
        .then_expect_events(vec![captured(
            "CAP-1",
            10_000,
            10_000,
            PaymentState::PartiallyPaid,
        )]);
}

#[test]
fn capturing_the_rest_is_paid() {
    order()
        .given(vec![
            placed(),
            captured("CAP-1", 10_000, 10_000, PaymentState::PartiallyPaid),
        ])
        .when(capture("CAP-2", 21_100))
        .then_expect_events(vec![captured(
            "CAP-2",
            21_100,
            SAMPLE_GRAND_TOTAL_MINOR,
            PaymentState::Paid,
        )]);
}

#[test]
fn capturing_more_than_due_is_overcapture() {
    order()
        .given(vec![
            placed(),
            captured("CAP-1", 10_000, 10_000, PaymentState::PartiallyPaid),
        ])
        .when(capture("CAP-2", 21_101))
        .then_expect_error(OrderError::Overcapture {
            due_minor: 21_100,
            attempted_minor: 21_101,
        });
}

#[test]
fn captured_amount_must_be_positive() {
    order()
        .given(vec![placed()])
        .when(capture("CAP-1", -5))
        .then_expect_error(OrderError::NonPositiveAmount {
            field: "amount_minor",
            amount_minor: -5,
        });
}

#[test]
fn same_capture_reference_twice_is_duplicate() {
    order()
        .given(vec![
            placed(),
            captured("CAP-1", 100, 100, PaymentState::PartiallyPaid),
        ])
        .when(capture("CAP-1", 100))
        .then_expect_error(OrderError::DuplicateCapture {
            reference: "CAP-1".into(),
        });
}

#[test]
fn payment_reference_must_not_be_blank() {
    order()
        .given(vec![placed()])
        .when(capture(" ", 100))
        .then_expect_error(OrderError::Validation(ValidationError::Empty {
            field: "reference",
        }));
}

#[test]
fn payment_method_must_not_be_blank() {
    order()
        .given(vec![placed()])
        .when(OrderCommand::AuthorisePayment {
            method: String::new(),
            reference: "AUTH-1".into(),
            amount_minor: 1,
        })
        .then_expect_error(OrderError::Validation(ValidationError::Empty {
            field: "method",
        }));
}

#[test]
fn failed_payment_is_recorded() {
    order()
        .given(vec![placed()])
        .when(fail())
        .then_expect_events(vec![failed_event(0, PaymentState::Failed)]);
}

#[test]
fn failed_payment_after_partial_capture_keeps_captured_total() {
    order()
        .given(vec![
            placed(),
            captured("CAP-1", 100, 100, PaymentState::PartiallyPaid),
        ])
        .when(fail())
        .then_expect_events(vec![failed_event(100, PaymentState::Failed)]);
}

#[test]
fn failed_payment_needs_a_reason() {
    order()
        .given(vec![placed()])
        .when(OrderCommand::FailPayment {
            method: "alipay".into(),
            reference: "PAY-9".into(),
            reason: String::new(),
        })
        .then_expect_error(OrderError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

#[test]
fn authorising_after_partial_capture_stays_partially_paid() {
    order()
        .given(vec![
            placed(),
            captured("CAP-1", 100, 100, PaymentState::PartiallyPaid),
        ])
        .when(authorise(31_000))
        .then_expect_events(vec![OrderEvent::PaymentAuthorised {
            method: "alipay".into(),
            reference: "AUTH-1".into(),
            amount_minor: 31_000,
            captured_total_minor: 100,
            payment_state: PaymentState::PartiallyPaid,
        }]);
}

#[test]
fn nothing_can_be_authorised_once_paid() {
    order()
        .given(vec![
            placed(),
            captured(
                "CAP-1",
                SAMPLE_GRAND_TOTAL_MINOR,
                SAMPLE_GRAND_TOTAL_MINOR,
                PaymentState::Paid,
            ),
        ])
        .when(authorise(1))
        .then_expect_error(OrderError::Overauthorisation {
            due_minor: 0,
            attempted_minor: 1,
        });
}

#[test]
fn replayed_payments_update_state() {
    let order = replay(vec![
        placed(),
        captured("CAP-1", 100, 100, PaymentState::PartiallyPaid),
        failed_event(100, PaymentState::Failed),
    ]);
    let state = order.state().expect("placed");
    assert_eq!(state.captured_total_minor, 100);
    assert_eq!(state.payment_state, PaymentState::Failed);
    assert_eq!(state.outstanding_minor(), SAMPLE_GRAND_TOTAL_MINOR - 100);
}
