//! Cross-cutting rules: existence, terminality, error classes, event naming
//! and serialisation.

use cqrs_es::DomainEvent;

use super::*;
use crate::order::{ErrorKind, OrderError, OrderStatus, ORDER_AGGREGATE_TYPE, ORDER_EVENT_TYPES};

#[test]
fn every_command_on_an_unplaced_order_is_not_found() {
    for command in non_place_commands()
        .into_iter()
        .chain([refund_command("REF-1", 1)])
    {
        order()
            .given_no_previous_events()
            .when(command)
            .then_expect_error(OrderError::NotFound);
    }
}

#[test]
fn every_command_on_a_completed_order_is_terminal() {
    let mut history = fulfilled_history();
    history.extend([delivered(), completed()]);
    for command in non_place_commands() {
        order()
            .given(history.clone())
            .when(command)
            .then_expect_error(OrderError::Terminal {
                status: OrderStatus::Completed,
            });
    }
}

#[test]
fn every_command_on_a_cancelled_order_is_terminal() {
    for command in non_place_commands() {
        order()
            .given(vec![placed(), cancelled()])
            .when(command)
            .then_expect_error(OrderError::Terminal {
                status: OrderStatus::Cancelled,
            });
    }
}

#[test]
fn error_kinds_let_the_api_map_status_codes() {
    assert_eq!(OrderError::NotFound.kind(), ErrorKind::NotFound);
    assert_eq!(OrderError::NoLines.kind(), ErrorKind::InvalidInput);
    assert_eq!(OrderError::EmptyFulfilment.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        OrderError::AlreadyPlaced {
            order_id: sample_order_id()
        }
        .kind(),
        ErrorKind::InvalidState
    );
    assert_eq!(
        OrderError::Overcapture {
            due_minor: 0,
            attempted_minor: 1
        }
        .kind(),
        ErrorKind::InvalidState
    );
    assert_eq!(
        OrderError::RefundExceedsCaptured {
            captured_minor: 0,
            refunded_minor: 0,
            attempted_minor: 1
        }
        .kind(),
        ErrorKind::InvalidState
    );
    assert_eq!(
        OrderError::DuplicateRefund {
            reference: "R".into()
        }
        .code(),
        "duplicate_refund"
    );
    assert_eq!(OrderError::NotFound.code(), "not_found");
    assert_eq!(OrderError::AlreadyShipped.code(), "already_shipped");
}

#[test]
fn aggregate_type_is_order() {
    assert_eq!(<Order as Aggregate>::TYPE, "Order");
    assert_eq!(ORDER_AGGREGATE_TYPE, <Order as Aggregate>::TYPE);
}

#[test]
fn event_types_are_variant_names_at_their_versions() {
    let events = vec![
        placed(),
        OrderEvent::PaymentAuthorised {
            method: "m".into(),
            reference: "r".into(),
            amount_minor: 1,
            captured_total_minor: 0,
            payment_state: PaymentState::Authorised,
        },
        captured("r", 1, 1, PaymentState::PartiallyPaid),
        OrderEvent::PaymentFailed {
            method: "m".into(),
            reference: "r".into(),
            reason: "x".into(),
            captured_total_minor: 0,
            payment_state: PaymentState::Failed,
        },
        cancelled(),
        allocated(),
        shipped_all(),
        delivered(),
        completed(),
        flagged(AnomalyKind::StockShortage),
        OrderEvent::AnomalyCleared {
            kind: AnomalyKind::StockShortage,
            resolution: "restocked".into(),
        },
        refunded("REF-1", 1, 1, 1),
        address_changed(),
        delivery_changed(),
        tea_reduced_to_one(),
    ];
    let types: Vec<_> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, ORDER_EVENT_TYPES);
    for event in &events {
        let expected = if matches!(event.name(), "LinesFulfilled" | "OrderPlaced") {
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
            serde_json::from_value::<OrderEvent>(json).ok().as_ref(),
            Some(event)
        );
    }
}

#[test]
fn only_refunds_are_allowed_when_terminal() {
    assert!(refund_command("REF-1", 1).allowed_when_terminal());
    for command in non_place_commands() {
        assert!(!command.allowed_when_terminal(), "{}", command.name());
    }
    assert!(!OrderCommand::Place(sample_place_order()).allowed_when_terminal());
}

#[test]
fn aggregate_snapshot_round_trips() {
    let order = replay(vec![
        placed(),
        allocated(),
        captured("CAP-1", 100, 100, PaymentState::PartiallyPaid),
        refunded("REF-1", 40, 40, 100),
        shipped_some(),
        flagged(AnomalyKind::PaymentMismatch),
    ]);
    let json = serde_json::to_string(&order).expect("serialise");
    let back: Order = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, order);
}

#[test]
fn events_before_placement_are_ignored_on_replay() {
    assert_eq!(replay(vec![allocated(), completed()]), Order::default());
}

#[test]
fn handle_writes_decided_events_and_applies_them() {
    let events = order()
        .given(vec![placed()])
        .when(OrderCommand::Allocate {
            warehouse_id: sample_warehouse_id(),
        })
        .inspect_result()
        .expect("allocated");
    let order = replay([vec![placed()], events].concat());
    assert_eq!(order.status(), Some(OrderStatus::Allocated));
}
