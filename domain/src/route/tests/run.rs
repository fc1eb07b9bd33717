//! Dispatch, stop outcomes and closing.

use super::*;
use crate::route::{RouteError, RouteStatus, StopOutcome};
use crate::shipment::sample::{sample_proof, sample_staff_id};
use crate::validation::ValidationError;

fn complete(shipment_id: ShipmentId) -> RouteCommand {
    RouteCommand::CompleteStop {
        shipment_id,
        at: route_time(1_500),
        proof: None,
    }
}

fn fail(shipment_id: ShipmentId) -> RouteCommand {
    RouteCommand::FailStop {
        shipment_id,
        at: route_time(3_300),
        reason: "nobody home".into(),
    }
}

fn dispatch() -> RouteCommand {
    RouteCommand::Dispatch {
        at: route_time(0),
        driver: None,
    }
}

#[test]
fn dispatching_lists_the_shipments_to_send_out() {
    route()
        .given(vec![sample_route_planned()])
        .when(dispatch())
        .then_expect_events(vec![sample_route_dispatched()]);
}

#[test]
fn dispatching_records_the_driver() {
    route()
        .given(vec![sample_route_planned()])
        .when(RouteCommand::Dispatch {
            at: route_time(0),
            driver: Some(sample_staff_id()),
        })
        .then_expect_events(vec![RouteEvent::RouteDispatched {
            vehicle_id: crate::network::sample::sample_vehicle_id(),
            driver: Some(sample_staff_id()),
            shipment_ids: vec![first(), second()],
            at: route_time(0),
        }]);
}

#[test]
fn dispatching_twice_is_refused() {
    route()
        .given(dispatched())
        .when(dispatch())
        .then_expect_error(RouteError::AlreadyDispatched {
            dispatched_at: route_time(0),
        });
}

#[test]
fn completing_a_stop_with_proof() {
    route()
        .given(dispatched())
        .when(RouteCommand::CompleteStop {
            shipment_id: first(),
            at: route_time(1_500),
            proof: Some(sample_proof()),
        })
        .then_expect_events(vec![RouteEvent::StopCompleted {
            shipment_id: first(),
            sequence: 1,
            proof: Some(sample_proof()),
            at: route_time(1_500),
        }]);
}

#[test]
fn failing_a_stop_records_the_reason() {
    route()
        .given(dispatched())
        .when(fail(second()))
        .then_expect_events(vec![failed(second(), 2)]);
}

#[test]
fn failing_a_stop_needs_a_reason() {
    route()
        .given(dispatched())
        .when(RouteCommand::FailStop {
            shipment_id: first(),
            at: route_time(1),
            reason: " ".into(),
        })
        .then_expect_error(RouteError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

#[test]
fn stops_get_outcomes_only_after_dispatch() {
    for command in [complete(first()), fail(first())] {
        route()
            .given(vec![sample_route_planned()])
            .when(command)
            .then_expect_error(RouteError::NotDispatched);
    }
}

#[test]
fn an_unknown_stop_is_refused() {
    for command in [complete(third()), fail(third())] {
        route()
            .given(dispatched())
            .when(command)
            .then_expect_error(RouteError::UnknownStop {
                shipment_id: third(),
            });
    }
}

#[test]
fn a_stop_gets_one_outcome() {
    let mut history = dispatched();
    history.extend([completed(first(), 1), failed(second(), 2)]);
    for (command, shipment_id, outcome) in [
        (complete(first()), first(), StopOutcome::Completed),
        (fail(first()), first(), StopOutcome::Completed),
        (complete(second()), second(), StopOutcome::Failed),
        (fail(second()), second(), StopOutcome::Failed),
    ] {
        route()
            .given(history.clone())
            .when(command)
            .then_expect_error(RouteError::StopAlreadyDone {
                shipment_id,
                outcome,
            });
    }
}

#[test]
fn closing_when_every_stop_is_done() {
    let mut history = dispatched();
    history.extend([completed(first(), 1), failed(second(), 2)]);
    route()
        .given(history)
        .when(close(false, None))
        .then_expect_events(vec![RouteEvent::RouteClosed {
            forced: false,
            reason: None,
            completed: 1,
            failed: 1,
            unfinished: vec![],
            at: route_time(6_000),
        }]);
}

#[test]
fn closing_with_open_stops_is_refused() {
    let mut history = dispatched();
    history.push(completed(first(), 1));
    route()
        .given(history)
        .when(close(false, Some("end of shift")))
        .then_expect_error(RouteError::OpenStops {
            open: vec![second()],
        });
}

#[test]
fn forcing_a_close_needs_a_reason() {
    route()
        .given(dispatched())
        .when(close(true, None))
        .then_expect_error(RouteError::ForceWithoutReason);
    route()
        .given(dispatched())
        .when(close(true, Some("")))
        .then_expect_error(RouteError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

#[test]
fn forcing_a_close_lists_the_unfinished_stops() {
    let mut history = dispatched();
    history.push(completed(first(), 1));
    route()
        .given(history)
        .when(close(true, Some("van broke down")))
        .then_expect_events(vec![RouteEvent::RouteClosed {
            forced: true,
            reason: Some("van broke down".into()),
            completed: 1,
            failed: 0,
            unfinished: vec![second()],
            at: route_time(6_000),
        }]);
}

#[test]
fn an_undispatched_plan_can_be_called_off() {
    route()
        .given(vec![sample_route_planned()])
        .when(close(true, Some("no driver")))
        .then_expect_events(vec![RouteEvent::RouteClosed {
            forced: true,
            reason: Some("no driver".into()),
            completed: 0,
            failed: 0,
            unfinished: vec![first(), second()],
            at: route_time(6_000),
        }]);
}

#[test]
fn a_closed_route_accepts_nothing() {
    let mut history = dispatched();
    history.extend([
        completed(first(), 1),
        completed(second(), 2),
        RouteEvent::RouteClosed {
            forced: false,
            reason: None,
            completed: 2,
            failed: 0,
            unfinished: vec![],
            at: route_time(6_000),
        },
    ]);
    let commands = [
        RouteCommand::Replan {
            plan: sample_route_plan(),
            at: route_time(7_000),
        },
        dispatch(),
        complete(first()),
        fail(second()),
        close(false, None),
    ];
    for command in commands {
        route()
            .given(history.clone())
            .when(command)
            .then_expect_error(RouteError::Closed);
    }
    let route = replay(history);
    let state = route.state().expect("planned");
    assert_eq!(state.status, RouteStatus::Closed);
    assert_eq!(state.closed_at, Some(route_time(6_000)));
    assert!(state.open_stops().is_empty());
    assert_eq!(state.count(StopOutcome::Completed), 2);
}
