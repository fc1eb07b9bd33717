//! `Exchange` and the repair steps: one resolution per return, in order.

use super::*;
use crate::returns::{RepairStage, Resolution, ReturnError, ReturnStatus};
use crate::validation::ValidationError;

#[test]
fn shipping_a_replacement_records_the_exchange() {
    rma()
        .given(received_history())
        .when(exchange(vec![replacement(tea_sku(), 1)]))
        .then_expect_events(vec![exchanged()]);
}

#[test]
fn an_advance_exchange_may_ship_before_the_goods_arrive() {
    rma()
        .given(approved_history())
        .when(exchange(vec![replacement(tea_sku(), 1)]))
        .then_expect_events(vec![exchanged()]);
}

#[test]
fn a_replacement_may_be_another_sku() {
    let other_size = vec![replacement(sku("TEA-LJ-500"), 1)];
    rma()
        .given(received_history())
        .when(exchange(other_size.clone()))
        .then_expect_events(vec![ReturnEvent::ExchangeShipped {
            order_id: crate::order::sample::sample_order_id(),
            replacement_shipment_id: sample_replacement_shipment_id(),
            lines: other_size,
            agent: SAMPLE_AGENT.into(),
            at: day(9),
        }]);
}

#[test]
fn replacements_are_bounded_by_returned_units() {
    rma()
        .given(received_history())
        .when(exchange(vec![
            replacement(tea_sku(), 2),
            replacement(cup_sku(), 1),
        ]))
        .then_expect_error(ReturnError::ExchangeExceedsReturned {
            returned: 2,
            replacement: 3,
        });
}

#[test]
fn an_exchange_needs_distinct_lines_and_an_agent() {
    rma()
        .given(received_history())
        .when(exchange(Vec::new()))
        .then_expect_error(ReturnError::NoLines);
    rma()
        .given(received_history())
        .when(exchange(vec![
            replacement(tea_sku(), 1),
            replacement(tea_sku(), 1),
        ]))
        .then_expect_error(ReturnError::DuplicateSku { sku: tea_sku() });
    rma()
        .given(received_history())
        .when(ReturnCommand::Exchange {
            replacement_shipment_id: sample_replacement_shipment_id(),
            lines: vec![replacement(tea_sku(), 1)],
            agent: " ".into(),
            at: day(9),
        })
        .then_expect_error(ReturnError::Validation(ValidationError::Empty {
            field: "agent",
        }));
}

#[test]
fn exchanging_twice_is_already_exchanged() {
    rma()
        .given(history([exchanged()]))
        .when(exchange(vec![replacement(cup_sku(), 1)]))
        .then_expect_error(ReturnError::AlreadyExchanged);
}

#[test]
fn no_exchange_after_a_refund() {
    rma()
        .given(history([refunded(
            "RF-1",
            100,
            100,
            SAMPLE_RETURN_VALUE_MINOR,
            RefundPolicy::AfterReceipt,
        )]))
        .when(exchange(vec![replacement(tea_sku(), 1)]))
        .then_expect_error(ReturnError::ResolutionConflict {
            resolved: Resolution::Refund,
            attempted: Resolution::Exchange,
        });
}

#[test]
fn sending_for_repair_needs_the_goods() {
    rma()
        .given(approved_history())
        .when(send_for_repair())
        .then_expect_error(ReturnError::NotReceived);
}

#[test]
fn repair_runs_sent_completed_returned() {
    rma()
        .given(received_history())
        .when(send_for_repair())
        .then_expect_events(vec![sent_for_repair()]);
    rma()
        .given(history([sent_for_repair()]))
        .when(complete_repair())
        .then_expect_events(vec![repair_completed()]);
    rma()
        .given(history([sent_for_repair(), repair_completed()]))
        .when(return_repaired_item())
        .then_expect_events(vec![repaired_item_returned()]);
}

#[test]
fn repair_needs_a_vendor() {
    rma()
        .given(received_history())
        .when(ReturnCommand::SendForRepair {
            vendor: String::new(),
            at: day(9),
        })
        .then_expect_error(ReturnError::Validation(ValidationError::Empty {
            field: "vendor",
        }));
}

#[test]
fn repair_steps_out_of_order_are_refused() {
    rma()
        .given(received_history())
        .when(complete_repair())
        .then_expect_error(ReturnError::NotSentForRepair);
    rma()
        .given(received_history())
        .when(return_repaired_item())
        .then_expect_error(ReturnError::NotSentForRepair);
    rma()
        .given(history([sent_for_repair()]))
        .when(return_repaired_item())
        .then_expect_error(ReturnError::RepairNotCompleted);
}

#[test]
fn repair_steps_cannot_repeat() {
    rma()
        .given(history([sent_for_repair()]))
        .when(send_for_repair())
        .then_expect_error(ReturnError::RepairAlreadyAt {
            stage: RepairStage::SentForRepair,
        });
    rma()
        .given(history([sent_for_repair(), repair_completed()]))
        .when(complete_repair())
        .then_expect_error(ReturnError::RepairAlreadyAt {
            stage: RepairStage::Repaired,
        });
    rma()
        .given(history([
            sent_for_repair(),
            repair_completed(),
            repaired_item_returned(),
        ]))
        .when(return_repaired_item())
        .then_expect_error(ReturnError::RepairAlreadyAt {
            stage: RepairStage::ReturnedToCustomer,
        });
}

#[test]
fn a_repair_excludes_refunds_and_exchanges() {
    rma()
        .given(history([sent_for_repair()]))
        .when(refund_cmd("RF-1", 100, RefundPolicy::AfterReceipt))
        .then_expect_error(ReturnError::ResolutionConflict {
            resolved: Resolution::Repair,
            attempted: Resolution::Refund,
        });
    rma()
        .given(history([exchanged()]))
        .when(send_for_repair())
        .then_expect_error(ReturnError::ResolutionConflict {
            resolved: Resolution::Exchange,
            attempted: Resolution::Repair,
        });
}

#[test]
fn status_follows_the_resolution() {
    let status = |extra: Vec<ReturnEvent>| replay(history(extra)).status();
    assert_eq!(
        status(vec![exchanged()]),
        Some(ReturnStatus::ExchangeShipped)
    );
    assert_eq!(
        status(vec![sent_for_repair()]),
        Some(ReturnStatus::InRepair)
    );
    assert_eq!(
        status(vec![sent_for_repair(), repair_completed()]),
        Some(ReturnStatus::Repaired)
    );
    assert_eq!(
        status(vec![
            sent_for_repair(),
            repair_completed(),
            repaired_item_returned()
        ]),
        Some(ReturnStatus::RepairReturned)
    );
}
