//! Cross-cutting rules: existence, error classes, event naming and
//! serialisation.

use cqrs_es::DomainEvent;

use super::*;
use crate::route::{
    ErrorKind, RouteError, RouteStatus, StopOutcome, ROUTE_AGGREGATE_TYPE, ROUTE_EVENT_TYPES,
};
use crate::validation::ValidationError;

#[test]
fn every_command_on_an_unplanned_route_is_not_found() {
    let commands = [
        RouteCommand::Replan {
            plan: sample_route_plan(),
            at: route_time(0),
        },
        RouteCommand::Dispatch {
            at: route_time(0),
            driver: None,
        },
        RouteCommand::CompleteStop {
            shipment_id: first(),
            at: route_time(0),
            proof: None,
        },
        RouteCommand::FailStop {
            shipment_id: first(),
            at: route_time(0),
            reason: "x".into(),
        },
        close(true, Some("x")),
    ];
    for command in commands {
        route()
            .given_no_previous_events()
            .when(command)
            .then_expect_error(RouteError::NotFound);
    }
}

#[test]
fn error_kinds_and_codes() {
    use RouteError::*;
    let cases = [
        (NotFound, ErrorKind::NotFound, "not_found"),
        (
            AlreadyPlanned {
                route_id: sample_route_id(),
            },
            ErrorKind::InvalidState,
            "already_planned",
        ),
        (Closed, ErrorKind::InvalidState, "route_closed"),
        (
            Validation(ValidationError::Empty { field: "reason" }),
            ErrorKind::InvalidInput,
            "validation",
        ),
        (NoStops, ErrorKind::InvalidInput, "no_stops"),
        (
            TooManyStops { max: 1, actual: 2 },
            ErrorKind::InvalidInput,
            "too_many_stops",
        ),
        (
            DuplicateStop {
                shipment_id: first(),
            },
            ErrorKind::InvalidInput,
            "duplicate_stop",
        ),
        (
            DuplicateSequence { sequence: 1 },
            ErrorKind::InvalidInput,
            "duplicate_sequence",
        ),
        (
            DepartureBeforeArrival {
                shipment_id: first(),
            },
            ErrorKind::InvalidInput,
            "departure_before_arrival",
        ),
        (
            StopsOverlap {
                shipment_id: first(),
            },
            ErrorKind::InvalidInput,
            "stops_overlap",
        ),
        (
            AlreadyDispatched {
                dispatched_at: route_time(0),
            },
            ErrorKind::InvalidState,
            "already_dispatched",
        ),
        (NotDispatched, ErrorKind::InvalidState, "not_dispatched"),
        (
            UnknownStop {
                shipment_id: first(),
            },
            ErrorKind::InvalidInput,
            "unknown_stop",
        ),
        (
            StopAlreadyDone {
                shipment_id: first(),
                outcome: StopOutcome::Failed,
            },
            ErrorKind::InvalidState,
            "stop_already_done",
        ),
        (
            OpenStops {
                open: vec![first()],
            },
            ErrorKind::InvalidState,
            "open_stops",
        ),
        (
            ForceWithoutReason,
            ErrorKind::InvalidInput,
            "force_without_reason",
        ),
    ];
    for (error, kind, code) in cases {
        assert_eq!((error.kind(), error.code()), (kind, code), "{error}");
    }
}

#[test]
fn event_types_are_variant_names_at_version_1_0() {
    let events = vec![
        sample_route_planned(),
        RouteEvent::RouteReplanned {
            plan: sample_route_plan(),
            revision: 2,
            added: vec![],
            removed: vec![third()],
            at: route_time(-60),
        },
        sample_route_dispatched(),
        completed(first(), 1),
        failed(second(), 2),
        RouteEvent::RouteClosed {
            forced: false,
            reason: None,
            completed: 1,
            failed: 1,
            unfinished: vec![],
            at: route_time(6_000),
        },
    ];
    let types: Vec<_> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, ROUTE_EVENT_TYPES);
    for event in &events {
        assert_eq!(event.event_version(), "1.0");
        let json = serde_json::to_value(event).expect("serialise");
        assert!(
            json.get(event.name()).is_some(),
            "externally tagged: {json}"
        );
        assert_eq!(
            serde_json::from_value::<RouteEvent>(json).ok().as_ref(),
            Some(event)
        );
    }
}

#[test]
fn the_solver_settings_are_stored_verbatim() {
    let json = serde_json::to_value(sample_route_planned()).expect("serialise");
    assert_eq!(
        json["RoutePlanned"]["plan"]["solver"]["settings"],
        serde_json::json!({ "max_generations": 3000, "seed": 42 })
    );
}

#[test]
fn aggregate_type_and_snapshot_round_trip() {
    assert_eq!(<Route as Aggregate>::TYPE, ROUTE_AGGREGATE_TYPE);
    let mut history = dispatched();
    history.push(completed(first(), 1));
    let route = replay(history);
    assert_eq!(route.status(), Some(RouteStatus::Dispatched));
    let state = route.state().expect("planned");
    assert_eq!(state.open_stops(), vec![second()]);
    assert_eq!(state.outcome(first()), Some(StopOutcome::Completed));
    let json = serde_json::to_string(&route).expect("serialise");
    assert_eq!(serde_json::from_str::<Route>(&json).ok(), Some(route));
}

#[test]
fn events_before_the_plan_are_ignored_on_replay() {
    assert_eq!(
        replay(vec![sample_route_dispatched(), completed(first(), 1)]),
        Route::default()
    );
}

#[test]
fn status_codes_are_stable() {
    let codes: Vec<_> = RouteStatus::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(codes, ["planned", "dispatched", "closed"]);
    let outcomes: Vec<_> = StopOutcome::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(outcomes, ["completed", "failed"]);
}
