use super::*;
use crate::order::{OrderError, OrderStatus};
use crate::validation::ValidationError;

fn cancel() -> OrderCommand {
    OrderCommand::Cancel {
        reason: "customer request".into(),
    }
}

fn allocate_to(warehouse_id: crate::ids::WarehouseId) -> OrderCommand {
    OrderCommand::Allocate { warehouse_id }
}

fn deliver() -> OrderCommand {
    OrderCommand::MarkDelivered {
        delivered_at: at(86_400),
    }
}

#[test]
fn cancelling_an_unpaid_order_owes_nothing() {
    order()
        .given(vec![placed()])
        .when(cancel())
        .then_expect_events(vec![OrderEvent::OrderCancelled {
            reason: "customer request".into(),
            refund_owed_minor: 0,
        }]);
}

#[test]
fn cancelling_refunds_what_was_captured() {
    order()
        .given(vec![
            placed(),
            allocated(),
            captured("CAP-1", 5_000, 5_000, PaymentState::PartiallyPaid),
        ])
        .when(cancel())
        .then_expect_events(vec![OrderEvent::OrderCancelled {
            reason: "customer request".into(),
            refund_owed_minor: 5_000,
        }]);
}

#[test]
fn cancelling_after_a_shipment_is_already_shipped() {
    order()
        .given(vec![placed(), allocated(), shipped_some()])
        .when(cancel())
        .then_expect_error(OrderError::AlreadyShipped);
}

#[test]
fn cancelling_needs_a_reason() {
    order()
        .given(vec![placed()])
        .when(OrderCommand::Cancel { reason: " ".into() })
        .then_expect_error(OrderError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

#[test]
fn allocating_records_the_warehouse() {
    order()
        .given(vec![placed()])
        .when(allocate_to(sample_warehouse_id()))
        .then_expect_events(vec![allocated()]);
}

#[test]
fn reallocating_to_another_warehouse_is_allowed_before_shipping() {
    order()
        .given(vec![placed(), allocated()])
        .when(allocate_to(sample_other_warehouse_id()))
        .then_expect_events(vec![OrderEvent::OrderAllocated {
            warehouse_id: sample_other_warehouse_id(),
            previous_warehouse_id: Some(sample_warehouse_id()),
        }]);
}

#[test]
fn allocating_to_the_same_warehouse_is_already_allocated() {
    order()
        .given(vec![placed(), allocated()])
        .when(allocate_to(sample_warehouse_id()))
        .then_expect_error(OrderError::AlreadyAllocated {
            warehouse_id: sample_warehouse_id(),
        });
}

#[test]
fn allocating_after_a_shipment_is_already_shipped() {
    order()
        .given(vec![placed(), allocated(), shipped_some()])
        .when(allocate_to(sample_other_warehouse_id()))
        .then_expect_error(OrderError::AlreadyShipped);
}

#[test]
fn allocating_while_an_anomaly_is_open_is_on_hold() {
    order()
        .given(vec![
            placed(),
            flagged(AnomalyKind::SuspectedFakeOrder),
            flagged(AnomalyKind::AddressProblem),
        ])
        .when(allocate_to(sample_warehouse_id()))
        .then_expect_error(OrderError::OnHold {
            kinds: vec![AnomalyKind::AddressProblem, AnomalyKind::SuspectedFakeOrder],
        });
}

#[test]
fn marking_a_fulfilled_order_delivered() {
    order()
        .given(fulfilled_history())
        .when(deliver())
        .then_expect_events(vec![delivered()]);
}

#[test]
fn marking_delivered_before_full_fulfilment_is_rejected() {
    for history in [
        vec![placed()],
        vec![placed(), allocated()],
        vec![placed(), allocated(), shipped_some()],
    ] {
        order()
            .given(history)
            .when(deliver())
            .then_expect_error(OrderError::NotFullyFulfilled);
    }
}

#[test]
fn marking_delivered_twice_is_already_delivered() {
    let mut history = fulfilled_history();
    history.push(delivered());
    order()
        .given(history)
        .when(deliver())
        .then_expect_error(OrderError::AlreadyDelivered);
}

#[test]
fn completing_a_delivered_order() {
    let mut history = fulfilled_history();
    history.push(delivered());
    order()
        .given(history)
        .when(OrderCommand::Complete)
        .then_expect_events(vec![completed()]);
}

#[test]
fn completing_before_delivery_is_not_delivered() {
    order()
        .given(fulfilled_history())
        .when(OrderCommand::Complete)
        .then_expect_error(OrderError::NotDelivered);
}

#[test]
fn statuses_follow_the_lifecycle() {
    let steps = [
        (placed(), OrderStatus::Placed),
        (allocated(), OrderStatus::Allocated),
        (shipped_some(), OrderStatus::PartiallyFulfilled),
        (
            shipped("SHIP-2", vec![tea(1), cup(1)], true),
            OrderStatus::Fulfilled,
        ),
        (delivered(), OrderStatus::Delivered),
        (completed(), OrderStatus::Completed),
    ];
    let mut history = Vec::new();
    for (event, status) in steps {
        history.push(event);
        assert_eq!(replay(history.clone()).status(), Some(status));
    }
    assert_eq!(
        replay(vec![placed(), cancelled()]).status(),
        Some(OrderStatus::Cancelled)
    );
}

#[test]
fn reallocation_keeps_status_allocated() {
    let order = replay(vec![
        placed(),
        allocated(),
        OrderEvent::OrderAllocated {
            warehouse_id: sample_other_warehouse_id(),
            previous_warehouse_id: Some(sample_warehouse_id()),
        },
    ]);
    let state = order.state().expect("placed");
    assert_eq!(state.status, OrderStatus::Allocated);
    assert_eq!(state.warehouse_id, Some(sample_other_warehouse_id()));
}
