//! `Receive` and `Inspect`: counting the parcel, then deciding every unit.

use super::*;
use crate::returns::{InspectionDecision, ItemCondition, ReturnError, ReturnStatus};
use crate::validation::ValidationError;

use InspectionDecision::{Restock, WriteOff};
use ItemCondition::{Damaged, MissingParts, Resellable};

/// Only the tea arrived; the cup was not in the parcel.
fn tea_only() -> Vec<ReceivedLine> {
    vec![
        received_line(tea_sku(), 1, 1),
        received_line(cup_sku(), 0, 0),
    ]
}

#[test]
fn receiving_everything_is_complete() {
    rma()
        .given(vec![requested(), approved(), label_issued()])
        .when(receive(sample_received_lines()))
        .then_expect_events(vec![received_all()]);
}

#[test]
fn goods_sent_back_without_label_or_drop_off_are_received() {
    rma()
        .given(approved_history())
        .when(receive(sample_received_lines()))
        .then_expect_events(vec![received_all()]);
}

#[test]
fn receiving_part_of_the_return_is_incomplete() {
    rma()
        .given(approved_history())
        .when(receive(tea_only()))
        .then_expect_events(vec![received(tea_only(), false)]);
    rma()
        .given(approved_history())
        .when(receive(vec![received_line(cup_sku(), 1, 0)]))
        .then_expect_events(vec![received(vec![received_line(cup_sku(), 1, 0)], false)]);
}

#[test]
fn receiving_more_than_requested_is_refused() {
    rma()
        .given(approved_history())
        .when(receive(vec![received_line(tea_sku(), 2, 0)]))
        .then_expect_error(ReturnError::ExceedsRequested {
            sku: tea_sku(),
            requested: 1,
            received: 2,
        });
}

#[test]
fn damaged_units_are_part_of_the_received_units() {
    rma()
        .given(approved_history())
        .when(receive(vec![received_line(tea_sku(), 1, 2)]))
        .then_expect_error(ReturnError::DamagedExceedsReceived {
            sku: tea_sku(),
            received: 1,
            damaged: 2,
        });
}

#[test]
fn receiving_a_sku_not_on_the_return_is_unknown() {
    rma()
        .given(approved_history())
        .when(receive(vec![received_line(sku("BOWL"), 1, 0)]))
        .then_expect_error(ReturnError::UnknownSku { sku: sku("BOWL") });
}

#[test]
fn a_receipt_lists_each_sku_once_and_counts_something() {
    rma()
        .given(approved_history())
        .when(receive(vec![
            received_line(tea_sku(), 1, 0),
            received_line(tea_sku(), 0, 0),
        ]))
        .then_expect_error(ReturnError::DuplicateSku { sku: tea_sku() });
    rma()
        .given(approved_history())
        .when(receive(vec![received_line(tea_sku(), 0, 0)]))
        .then_expect_error(ReturnError::NothingReceived);
    rma()
        .given(approved_history())
        .when(receive(Vec::new()))
        .then_expect_error(ReturnError::NoLines);
}

#[test]
fn receiving_needs_staff() {
    rma()
        .given(approved_history())
        .when(ReturnCommand::Receive {
            warehouse_id: sample_return_warehouse_id(),
            lines: sample_received_lines(),
            staff: " ".into(),
            at: day(8),
        })
        .then_expect_error(ReturnError::Validation(ValidationError::Empty {
            field: "staff",
        }));
}

#[test]
fn receiving_twice_is_already_received() {
    rma()
        .given(received_history())
        .when(receive(sample_received_lines()))
        .then_expect_error(ReturnError::AlreadyReceived);
}

#[test]
fn inspecting_decides_every_received_unit() {
    rma()
        .given(received_history())
        .when(inspect(sample_inspection()))
        .then_expect_events(vec![inspected()]);
}

#[test]
fn one_sku_may_be_split_between_restock_and_write_off() {
    let split = vec![
        inspected_line(tea_sku(), Resellable, Restock, 1),
        inspected_line(tea_sku(), MissingParts, WriteOff, 1),
    ];
    let two_teas = requested_with(vec![ReturnLine {
        sku: tea_sku(),
        quantity: qty(2),
        unit_price_minor: SAMPLE_TEA_PRICE_MINOR,
        paid: None,
    }]);
    let receipt = vec![received_line(tea_sku(), 2, 0)];
    rma()
        .given(vec![two_teas, approved(), received(receipt, true)])
        .when(inspect(split.clone()))
        .then_expect_events(vec![ReturnEvent::ReturnInspected {
            warehouse_id: sample_return_warehouse_id(),
            lines: split,
            inspector: SAMPLE_STAFF.into(),
            at: day(9),
        }]);
}

#[test]
fn inspecting_before_receipt_is_not_received() {
    rma()
        .given(approved_history())
        .when(inspect(sample_inspection()))
        .then_expect_error(ReturnError::NotReceived);
}

#[test]
fn inspection_must_cover_exactly_what_was_received() {
    rma()
        .given(received_history())
        .when(inspect(vec![inspected_line(
            tea_sku(),
            Damaged,
            WriteOff,
            1,
        )]))
        .then_expect_error(ReturnError::InspectionMismatch {
            sku: cup_sku(),
            received: 1,
            inspected: 0,
        });
    let mut too_many = sample_inspection();
    too_many.push(inspected_line(cup_sku(), Resellable, Restock, 1));
    rma()
        .given(received_history())
        .when(inspect(too_many))
        .then_expect_error(ReturnError::InspectionMismatch {
            sku: cup_sku(),
            received: 1,
            inspected: 2,
        });
}

#[test]
fn units_that_never_arrived_are_not_inspected() {
    let mut events = approved_history();
    events.push(received(tea_only(), false));
    let lines = vec![inspected_line(tea_sku(), Damaged, WriteOff, 1)];
    rma()
        .given(events.clone())
        .when(inspect(lines.clone()))
        .then_expect_events(vec![ReturnEvent::ReturnInspected {
            warehouse_id: sample_return_warehouse_id(),
            lines,
            inspector: SAMPLE_STAFF.into(),
            at: day(9),
        }]);
    rma()
        .given(events)
        .when(inspect(vec![
            inspected_line(tea_sku(), Damaged, WriteOff, 1),
            inspected_line(cup_sku(), Resellable, Restock, 1),
        ]))
        .then_expect_error(ReturnError::InspectionMismatch {
            sku: cup_sku(),
            received: 0,
            inspected: 1,
        });
}

#[test]
fn inspecting_a_sku_not_on_the_return_is_unknown() {
    let mut lines = sample_inspection();
    lines.push(inspected_line(sku("BOWL"), Resellable, Restock, 1));
    rma()
        .given(received_history())
        .when(inspect(lines))
        .then_expect_error(ReturnError::UnknownSku { sku: sku("BOWL") });
}

#[test]
fn inspection_needs_lines_and_an_inspector() {
    rma()
        .given(received_history())
        .when(inspect(Vec::new()))
        .then_expect_error(ReturnError::NoLines);
    rma()
        .given(received_history())
        .when(ReturnCommand::Inspect {
            lines: sample_inspection(),
            inspector: String::new(),
            at: day(9),
        })
        .then_expect_error(ReturnError::Validation(ValidationError::Empty {
            field: "inspector",
        }));
}

#[test]
fn inspecting_twice_is_already_inspected() {
    rma()
        .given(history([inspected()]))
        .when(inspect(sample_inspection()))
        .then_expect_error(ReturnError::AlreadyInspected);
}

#[test]
fn status_follows_receipt_and_inspection() {
    assert_eq!(
        replay(approved_history()).status(),
        Some(ReturnStatus::Approved)
    );
    assert_eq!(
        replay(received_history()).status(),
        Some(ReturnStatus::Received)
    );
    assert_eq!(
        replay(history([inspected()])).status(),
        Some(ReturnStatus::Inspected)
    );
}
