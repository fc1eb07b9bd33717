//! Given/when/then tests for every transition and every refusal of
//! `Return`. Histories are hand-written events so each test states its own
//! expectations.

mod close;
mod guards;
mod logistics;
mod price_paid;
mod receiving;
mod refund;
mod repair_exchange;
mod request;
mod review;

use chrono::{DateTime, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use crate::order::sample::{cup_sku, sample_order_id, tea_sku};
use crate::order::FulfilLine;
use crate::returns::sample::*;
use crate::returns::{
    InspectedLine, InspectionDecision, ItemCondition, ReceivedLine, RefundPolicy, Return,
    ReturnCommand, ReturnEvent, ReturnLine, ReturnOutcome,
};
use crate::values::{Quantity, Sku};

pub(super) fn rma() -> TestFramework<Return> {
    TestFramework::with(())
}

pub(super) fn day(days: i64) -> DateTime<Utc> {
    sample_day(days)
}

pub(super) fn qty(value: u32) -> Quantity {
    Quantity::new(value).expect("positive quantity")
}

pub(super) fn sku(value: &str) -> Sku {
    Sku::parse(value).expect("valid sku")
}

pub(super) fn requested() -> ReturnEvent {
    sample_return_requested()
}

/// The sample request, for other lines (value adjusted to match).
pub(super) fn requested_with(lines: Vec<ReturnLine>) -> ReturnEvent {
    let ReturnEvent::ReturnRequested(mut event) = sample_return_requested() else {
        unreachable!("the sample is a request");
    };
    event.return_value_minor = lines
        .iter()
        .map(|line| line.line_total_minor().expect("small values"))
        .sum();
    event.lines = lines;
    ReturnEvent::ReturnRequested(event)
}

pub(super) fn approved() -> ReturnEvent {
    ReturnEvent::ReturnApproved {
        agent: SAMPLE_AGENT.into(),
        note: None,
        at: day(6),
    }
}

pub(super) fn rejected() -> ReturnEvent {
    ReturnEvent::ReturnRejected {
        agent: SAMPLE_AGENT.into(),
        reason: "photos show no damage".into(),
        at: day(6),
    }
}

pub(super) fn label_issued() -> ReturnEvent {
    ReturnEvent::ReturnLabelIssued {
        reverse_shipment_id: sample_reverse_shipment_id(),
        carrier: SAMPLE_CARRIER.into(),
        tracking_number: SAMPLE_TRACKING_NUMBER.into(),
        at: day(6),
    }
}

pub(super) fn received_line(sku: Sku, received_qty: u32, damaged_qty: u32) -> ReceivedLine {
    ReceivedLine {
        sku,
        received_qty,
        damaged_qty,
    }
}

pub(super) fn received(lines: Vec<ReceivedLine>, complete: bool) -> ReturnEvent {
    ReturnEvent::ReturnReceived {
        warehouse_id: sample_return_warehouse_id(),
        lines,
        staff: SAMPLE_STAFF.into(),
        complete,
        at: day(8),
    }
}

pub(super) fn received_all() -> ReturnEvent {
    received(sample_received_lines(), true)
}

pub(super) fn inspected_line(
    sku: Sku,
    condition: ItemCondition,
    decision: InspectionDecision,
    quantity: u32,
) -> InspectedLine {
    InspectedLine {
        sku,
        condition,
        decision,
        quantity: qty(quantity),
    }
}

/// Tea crushed (written off), cup fine (restocked).
pub(super) fn sample_inspection() -> Vec<InspectedLine> {
    vec![
        inspected_line(
            tea_sku(),
            ItemCondition::Damaged,
            InspectionDecision::WriteOff,
            1,
        ),
        inspected_line(
            cup_sku(),
            ItemCondition::Resellable,
            InspectionDecision::Restock,
            1,
        ),
    ]
}

pub(super) fn inspected() -> ReturnEvent {
    ReturnEvent::ReturnInspected {
        warehouse_id: sample_return_warehouse_id(),
        lines: sample_inspection(),
        inspector: SAMPLE_STAFF.into(),
        at: day(9),
    }
}

/// The event [`refund_cmd`] records, given the return's totals.
pub(super) fn refunded(
    reference: &str,
    amount: i64,
    total: i64,
    refundable: i64,
    policy: RefundPolicy,
) -> ReturnEvent {
    ReturnEvent::ReturnRefunded {
        order_id: sample_order_id(),
        amount_minor: amount,
        include_shipping: false,
        method: "alipay".into(),
        reference: reference.into(),
        policy,
        agent: SAMPLE_AGENT.into(),
        refunded_total_minor: total,
        refundable_minor: refundable,
        at: day(9),
    }
}

pub(super) fn refund_cmd(reference: &str, amount: i64, policy: RefundPolicy) -> ReturnCommand {
    let mut cmd = sample_refund_return();
    cmd.reference = reference.into();
    cmd.amount_minor = amount;
    cmd.policy = policy;
    ReturnCommand::RefundReturn(cmd)
}

pub(super) fn replacement(sku: Sku, quantity: u32) -> FulfilLine {
    FulfilLine {
        sku,
        quantity: qty(quantity),
    }
}

pub(super) fn exchanged() -> ReturnEvent {
    ReturnEvent::ExchangeShipped {
        order_id: sample_order_id(),
        replacement_shipment_id: sample_replacement_shipment_id(),
        lines: vec![replacement(tea_sku(), 1)],
        agent: SAMPLE_AGENT.into(),
        at: day(9),
    }
}

pub(super) fn sent_for_repair() -> ReturnEvent {
    ReturnEvent::SentForRepair {
        vendor: "Longquan Kiln Repairs".into(),
        at: day(9),
    }
}

pub(super) fn repair_completed() -> ReturnEvent {
    ReturnEvent::RepairCompleted { at: day(20) }
}

pub(super) fn repaired_item_returned() -> ReturnEvent {
    ReturnEvent::RepairedItemReturned {
        shipment_id: sample_replacement_shipment_id(),
        at: day(21),
    }
}

pub(super) fn closed(outcome: ReturnOutcome) -> ReturnEvent {
    ReturnEvent::ReturnClosed {
        outcome,
        at: day(30),
    }
}

pub(super) fn approved_history() -> Vec<ReturnEvent> {
    vec![requested(), approved()]
}

pub(super) fn received_history() -> Vec<ReturnEvent> {
    vec![requested(), approved(), label_issued(), received_all()]
}

pub(super) fn history(extra: impl IntoIterator<Item = ReturnEvent>) -> Vec<ReturnEvent> {
    let mut events = received_history();
    events.extend(extra);
    events
}

pub(super) fn approve() -> ReturnCommand {
    ReturnCommand::Approve {
        agent: SAMPLE_AGENT.into(),
        note: None,
        at: day(6),
    }
}

pub(super) fn receive(lines: Vec<ReceivedLine>) -> ReturnCommand {
    ReturnCommand::Receive {
        warehouse_id: sample_return_warehouse_id(),
        lines,
        staff: SAMPLE_STAFF.into(),
        at: day(8),
    }
}

pub(super) fn inspect(lines: Vec<InspectedLine>) -> ReturnCommand {
    ReturnCommand::Inspect {
        lines,
        inspector: SAMPLE_STAFF.into(),
        at: day(9),
    }
}

pub(super) fn exchange(lines: Vec<FulfilLine>) -> ReturnCommand {
    ReturnCommand::Exchange {
        replacement_shipment_id: sample_replacement_shipment_id(),
        lines,
        agent: SAMPLE_AGENT.into(),
        at: day(9),
    }
}

pub(super) fn send_for_repair() -> ReturnCommand {
    ReturnCommand::SendForRepair {
        vendor: "Longquan Kiln Repairs".into(),
        at: day(9),
    }
}

pub(super) fn complete_repair() -> ReturnCommand {
    ReturnCommand::CompleteRepair { at: day(20) }
}

pub(super) fn return_repaired_item() -> ReturnCommand {
    ReturnCommand::ReturnRepairedItem {
        shipment_id: sample_replacement_shipment_id(),
        at: day(21),
    }
}

pub(super) fn close() -> ReturnCommand {
    ReturnCommand::Close { at: day(30) }
}

/// One valid instance of every command after the review.
pub(super) fn post_review_commands() -> Vec<ReturnCommand> {
    vec![
        ReturnCommand::IssueReturnLabel {
            reverse_shipment_id: sample_reverse_shipment_id(),
            carrier: SAMPLE_CARRIER.into(),
            tracking_number: SAMPLE_TRACKING_NUMBER.into(),
            at: day(6),
        },
        ReturnCommand::DropOff {
            pickup_point_id: sample_pickup_point_id(),
            at: day(6),
        },
        receive(sample_received_lines()),
        inspect(sample_inspection()),
        refund_cmd("RF-1", 100, RefundPolicy::BeforeReceipt),
        exchange(vec![replacement(tea_sku(), 1)]),
        send_for_repair(),
        complete_repair(),
        return_repaired_item(),
    ]
}

/// One valid instance of every command except `Request`.
pub(super) fn non_request_commands() -> Vec<ReturnCommand> {
    let mut commands = vec![
        approve(),
        ReturnCommand::Reject {
            agent: SAMPLE_AGENT.into(),
            reason: "outside policy".into(),
            at: day(6),
        },
    ];
    commands.extend(post_review_commands());
    commands.push(close());
    commands
}

/// Rebuilds an aggregate the way the event store does.
pub(super) fn replay(events: Vec<ReturnEvent>) -> Return {
    let mut rma = Return::default();
    for event in events {
        rma.apply(event);
    }
    rma
}
