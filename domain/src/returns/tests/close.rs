//! `Close`: only once the return was rejected or settled.

use super::*;
use crate::returns::{ReturnError, ReturnStatus};

#[test]
fn a_refunded_return_closes_as_refunded() {
    rma()
        .given(history([refunded(
            "RF-1",
            SAMPLE_RETURN_VALUE_MINOR,
            SAMPLE_RETURN_VALUE_MINOR,
            SAMPLE_RETURN_VALUE_MINOR,
            RefundPolicy::AfterReceipt,
        )]))
        .when(close())
        .then_expect_events(vec![closed(ReturnOutcome::Refunded)]);
}

#[test]
fn a_rejected_return_closes_as_rejected() {
    rma()
        .given(vec![requested(), rejected()])
        .when(close())
        .then_expect_events(vec![closed(ReturnOutcome::Rejected)]);
}

#[test]
fn an_exchanged_return_closes_as_exchanged() {
    rma()
        .given(history([exchanged()]))
        .when(close())
        .then_expect_events(vec![closed(ReturnOutcome::Exchanged)]);
}

#[test]
fn a_repaired_return_closes_once_the_item_is_back_with_the_customer() {
    rma()
        .given(history([
            sent_for_repair(),
            repair_completed(),
            repaired_item_returned(),
        ]))
        .when(close())
        .then_expect_events(vec![closed(ReturnOutcome::Repaired)]);
    rma()
        .given(history([sent_for_repair(), repair_completed()]))
        .when(close())
        .then_expect_error(ReturnError::StillOpen {
            status: ReturnStatus::Repaired,
        });
}

#[test]
fn closing_an_unsettled_return_is_still_open() {
    for (events, status) in [
        (vec![requested()], ReturnStatus::Requested),
        (approved_history(), ReturnStatus::Approved),
        (received_history(), ReturnStatus::Received),
        (history([inspected()]), ReturnStatus::Inspected),
        (history([sent_for_repair()]), ReturnStatus::InRepair),
    ] {
        rma()
            .given(events)
            .when(close())
            .then_expect_error(ReturnError::StillOpen { status });
    }
}

#[test]
fn a_closed_return_accepts_nothing() {
    let mut events = history([exchanged()]);
    events.push(closed(ReturnOutcome::Exchanged));
    for command in non_request_commands() {
        rma()
            .given(events.clone())
            .when(command)
            .then_expect_error(ReturnError::Closed);
    }
    assert_eq!(replay(events).status(), Some(ReturnStatus::Closed));
}

#[test]
fn a_closed_rejected_return_is_closed_not_rejected() {
    rma()
        .given(vec![
            requested(),
            rejected(),
            closed(ReturnOutcome::Rejected),
        ])
        .when(approve())
        .then_expect_error(ReturnError::Closed);
}
