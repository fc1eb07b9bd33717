//! Planning and replanning.

use super::*;
use crate::route::{PlannedStop, RouteError, RoutePlan, MAX_STOPS};
use crate::validation::ValidationError;

fn plan_with(stops: Vec<PlannedStop>) -> RouteCommand {
    RouteCommand::Plan {
        route_id: sample_route_id(),
        plan: RoutePlan {
            stops,
            ..sample_route_plan()
        },
        at: sample_planned_at(),
    }
}

fn refused(command: RouteCommand, error: RouteError) {
    route()
        .given_no_previous_events()
        .when(command)
        .then_expect_error(error);
}

fn replan(stops: Vec<PlannedStop>) -> RouteCommand {
    RouteCommand::Replan {
        plan: RoutePlan {
            stops,
            distance_m: 21_000,
            ..sample_route_plan()
        },
        at: route_time(-3_600),
    }
}

#[test]
fn planning_stores_the_decision() {
    route()
        .given_no_previous_events()
        .when(sample_plan_route())
        .then_expect_events(vec![sample_route_planned()]);
}

#[test]
fn stops_are_stored_in_sequence_order() {
    route()
        .given_no_previous_events()
        .when(plan_with(vec![
            sample_stop(second(), 2, 3_000),
            sample_stop(first(), 1, 1_200),
        ]))
        .then_expect_events(vec![sample_route_planned()]);
}

#[test]
fn a_plan_needs_stops() {
    refused(plan_with(vec![]), RouteError::NoStops);
}

#[test]
fn a_plan_has_at_most_500_stops() {
    assert_eq!(MAX_STOPS, 500);
    let stops = (1..=501_u32)
        .map(|n| sample_stop(ShipmentId::from_uuid(Uuid::from_u128(u128::from(n))), n, 0))
        .collect();
    refused(
        plan_with(stops),
        RouteError::TooManyStops {
            max: 500,
            actual: 501,
        },
    );
}

#[test]
fn a_shipment_is_one_stop_only() {
    refused(
        plan_with(vec![
            sample_stop(first(), 1, 1_200),
            sample_stop(first(), 2, 3_000),
        ]),
        RouteError::DuplicateStop {
            shipment_id: first(),
        },
    );
}

#[test]
fn sequences_are_unique() {
    refused(
        plan_with(vec![
            sample_stop(first(), 1, 1_200),
            sample_stop(second(), 1, 3_000),
        ]),
        RouteError::DuplicateSequence { sequence: 1 },
    );
}

#[test]
fn a_stop_departs_after_it_arrives() {
    let mut stop = sample_stop(first(), 1, 1_200);
    stop.departure = route_time(1_000);
    refused(
        plan_with(vec![stop]),
        RouteError::DepartureBeforeArrival {
            shipment_id: first(),
        },
    );
}

#[test]
fn a_zero_service_time_is_fine() {
    let mut stop = sample_stop(first(), 1, 1_200);
    stop.departure = stop.eta;
    let plan = RoutePlan {
        stops: vec![stop.clone()],
        ..sample_route_plan()
    };
    route()
        .given_no_previous_events()
        .when(plan_with(vec![stop]))
        .then_expect_events(vec![RouteEvent::RoutePlanned {
            route_id: sample_route_id(),
            plan,
            revision: 1,
            at: sample_planned_at(),
        }]);
}

#[test]
fn stops_cannot_overlap() {
    refused(
        plan_with(vec![
            sample_stop(first(), 1, 1_200),
            sample_stop(second(), 2, 1_300),
        ]),
        RouteError::StopsOverlap {
            shipment_id: second(),
        },
    );
}

#[test]
fn the_solver_is_named_and_versioned() {
    let mut plan = sample_route_plan();
    plan.solver.version = " ".into();
    refused(
        RouteCommand::Plan {
            route_id: sample_route_id(),
            plan,
            at: sample_planned_at(),
        },
        RouteError::Validation(ValidationError::Empty {
            field: "solver.version",
        }),
    );
    let mut plan = sample_route_plan();
    plan.solver.name = String::new();
    refused(
        RouteCommand::Plan {
            route_id: sample_route_id(),
            plan,
            at: sample_planned_at(),
        },
        RouteError::Validation(ValidationError::Empty {
            field: "solver.name",
        }),
    );
}

#[test]
fn planning_twice_is_already_planned_even_when_closed() {
    let closed = RouteEvent::RouteClosed {
        forced: true,
        reason: Some("cancelled".into()),
        completed: 0,
        failed: 0,
        unfinished: vec![first(), second()],
        at: route_time(0),
    };
    for history in [
        vec![sample_route_planned()],
        vec![sample_route_planned(), closed],
    ] {
        route()
            .given(history)
            .when(sample_plan_route())
            .then_expect_error(RouteError::AlreadyPlanned {
                route_id: sample_route_id(),
            });
    }
}

#[test]
fn replanning_reports_added_and_removed_stops() {
    let stops = vec![sample_stop(third(), 1, 900), sample_stop(first(), 2, 1_800)];
    let expected_plan = RoutePlan {
        stops: stops.clone(),
        distance_m: 21_000,
        ..sample_route_plan()
    };
    route()
        .given(vec![sample_route_planned()])
        .when(replan(stops.clone()))
        .then_expect_events(vec![RouteEvent::RouteReplanned {
            plan: expected_plan.clone(),
            revision: 2,
            added: vec![third()],
            removed: vec![second()],
            at: route_time(-3_600),
        }]);
    let mut history = vec![sample_route_planned()];
    history.push(RouteEvent::RouteReplanned {
        plan: expected_plan.clone(),
        revision: 2,
        added: vec![third()],
        removed: vec![second()],
        at: route_time(-3_600),
    });
    let route = replay(history);
    let state = route.state().expect("planned");
    assert_eq!(state.revision, 2);
    assert_eq!(state.plan, expected_plan);
    assert_eq!(state.shipment_ids(), vec![third(), first()]);
}

#[test]
fn replans_are_validated_like_plans() {
    route()
        .given(vec![sample_route_planned()])
        .when(replan(vec![]))
        .then_expect_error(RouteError::NoStops);
}

#[test]
fn replanning_after_dispatch_is_refused() {
    route()
        .given(dispatched())
        .when(replan(vec![sample_stop(first(), 1, 1_200)]))
        .then_expect_error(RouteError::AlreadyDispatched {
            dispatched_at: route_time(0),
        });
}
