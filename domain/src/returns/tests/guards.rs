//! Cross-cutting: aggregate type, event naming and serialisation, error
//! classes, replay.

use std::collections::BTreeSet;

use cqrs_es::DomainEvent;

use super::*;
use crate::order::ErrorKind;
use crate::returns::{
    RepairStage, Resolution, ReturnError, ReturnStatus, ReviewDecision, RETURN_AGGREGATE_TYPE,
    RETURN_EVENT_TYPES,
};

#[test]
fn aggregate_type_is_return() {
    assert_eq!(<Return as Aggregate>::TYPE, "Return");
    assert_eq!(RETURN_AGGREGATE_TYPE, <Return as Aggregate>::TYPE);
}

#[test]
fn event_types_are_variant_names_at_their_versions() {
    let events = vec![
        requested(),
        approved(),
        rejected(),
        label_issued(),
        ReturnEvent::DropOffArranged {
            pickup_point_id: sample_pickup_point_id(),
            at: day(6),
        },
        received_all(),
        inspected(),
        refunded("RF-1", 1, 1, 1, RefundPolicy::BeforeReceipt),
        exchanged(),
        sent_for_repair(),
        repair_completed(),
        repaired_item_returned(),
        closed(ReturnOutcome::Refunded),
    ];
    let types: Vec<_> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, RETURN_EVENT_TYPES);
    for event in &events {
        let expected = if event.name() == "ReturnRequested" {
            "2.0"
        } else {
            "1.0"
        };
        assert_eq!(event.event_version(), expected, "{}", event.name());
        let json = serde_json::to_value(event).expect("serialise");
        assert!(
            json.get(event.name()).is_some(),
            "externally tagged: {json}"
        );
        assert_eq!(
            serde_json::from_value::<ReturnEvent>(json).ok().as_ref(),
            Some(event)
        );
    }
}

#[test]
fn commands_round_trip_through_serde() {
    let mut commands = non_request_commands();
    commands.push(ReturnCommand::Request(sample_request_return()));
    let names: BTreeSet<_> = commands.iter().map(ReturnCommand::name).collect();
    assert_eq!(names.len(), commands.len(), "command names are distinct");
    for command in commands {
        let json = serde_json::to_string(&command).expect("serialise");
        assert_eq!(
            serde_json::from_str::<ReturnCommand>(&json).ok(),
            Some(command)
        );
    }
}

#[test]
fn aggregate_snapshot_round_trips() {
    let rma = replay(history([
        inspected(),
        refunded("RF-1", 100, 100, 17_300, RefundPolicy::AfterReceipt),
    ]));
    let json = serde_json::to_string(&rma).expect("serialise");
    let back: Return = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, rma);
}

#[test]
fn events_before_the_request_are_ignored_on_replay() {
    assert_eq!(
        replay(vec![approved(), closed(ReturnOutcome::Rejected)]),
        Return::default()
    );
}

#[test]
fn a_stray_second_request_is_ignored_on_replay() {
    let once = replay(approved_history());
    let mut events = approved_history();
    events.push(requested());
    assert_eq!(replay(events), once);
}

#[test]
fn handle_writes_decided_events_and_applies_them() {
    let events = rma()
        .given(vec![requested()])
        .when(approve())
        .inspect_result()
        .expect("approved");
    let rma = replay([vec![requested()], events].concat());
    assert_eq!(rma.status(), Some(ReturnStatus::Approved));
    assert_eq!(
        rma.state().and_then(|s| s.review),
        Some(ReviewDecision::Approved)
    );
}

#[test]
fn error_kinds_let_the_api_map_status_codes() {
    assert_eq!(ReturnError::NotFound.kind(), ErrorKind::NotFound);
    assert_eq!(ReturnError::NoLines.kind(), ErrorKind::InvalidInput);
    assert_eq!(ReturnError::NothingReceived.kind(), ErrorKind::InvalidInput);
    assert_eq!(ReturnError::NotDelivered.kind(), ErrorKind::InvalidState);
    assert_eq!(ReturnError::NotReceived.kind(), ErrorKind::InvalidState);
    assert_eq!(
        ReturnError::ResolutionConflict {
            resolved: Resolution::Refund,
            attempted: Resolution::Exchange
        }
        .kind(),
        ErrorKind::InvalidState
    );
    assert_eq!(ReturnError::NotDelivered.code(), "not_delivered");
    assert_eq!(
        ReturnError::RepairAlreadyAt {
            stage: RepairStage::Repaired
        }
        .code(),
        "repair_already_at"
    );
}

#[test]
fn status_codes_are_stable() {
    let codes: Vec<_> = ReturnStatus::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(
        codes,
        [
            "requested",
            "approved",
            "rejected",
            "received",
            "inspected",
            "refunded",
            "exchange_shipped",
            "in_repair",
            "repaired",
            "repair_returned",
            "closed"
        ]
    );
}
