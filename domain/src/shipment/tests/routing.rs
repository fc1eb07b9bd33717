//! Own-fleet shipments: assignment to a route and dispatch.

use super::*;
use crate::shipment::{Direction, ShipmentCreated, ShipmentError};

fn assign(route_id: RouteId) -> ShipmentCommand {
    ShipmentCommand::AssignToRoute {
        route_id,
        at: t(1_800),
    }
}

fn dispatch(route_id: RouteId) -> ShipmentCommand {
    ShipmentCommand::DispatchOnRoute {
        route_id,
        at: t(28_800),
    }
}

fn dispatched(route_id: RouteId) -> ShipmentEvent {
    ShipmentEvent::DispatchedOnRoute {
        route_id,
        at: t(28_800),
    }
}

fn own_fleet(scan: RecordScan, applied: bool, status: ShipmentStatus) -> ShipmentEvent {
    recorded_for(Carrier::OwnFleet, None, scan, applied, status)
}

#[test]
fn assigning_a_packed_own_fleet_shipment() {
    shipment()
        .given(own_fleet_packed())
        .when(assign(route(1)))
        .then_expect_events(vec![assigned(route(1), None)]);
}

#[test]
fn planning_ahead_may_assign_before_packing() {
    shipment()
        .given(vec![sample_own_fleet_shipment_created()])
        .when(assign(route(1)))
        .then_expect_events(vec![assigned(route(1), None)]);
}

#[test]
fn reassigning_records_the_previous_route() {
    let mut history = own_fleet_packed();
    history.push(assigned(route(1), None));
    shipment()
        .given(history)
        .when(assign(route(2)))
        .then_expect_events(vec![assigned(route(2), Some(route(1)))]);
}

#[test]
fn assigning_to_the_same_route_twice_is_refused() {
    let mut history = own_fleet_packed();
    history.push(assigned(route(1), None));
    shipment()
        .given(history)
        .when(assign(route(1)))
        .then_expect_error(ShipmentError::AlreadyAssigned { route_id: route(1) });
}

#[test]
fn only_own_fleet_shipments_are_routed() {
    shipment()
        .given(vec![sample_shipment_created()])
        .when(assign(route(1)))
        .then_expect_error(ShipmentError::NotOwnFleet {
            carrier: Carrier::SfExpress,
        });
}

#[test]
fn reverse_shipments_are_not_routed() {
    let ShipmentEvent::ShipmentCreated(reverse) = sample_reverse_shipment_created() else {
        unreachable!("sample is a creation");
    };
    let own_fleet_reverse = ShipmentCreated {
        carrier: Carrier::OwnFleet,
        direction: Direction::Reverse,
        ..reverse
    };
    shipment()
        .given(vec![ShipmentEvent::ShipmentCreated(own_fleet_reverse)])
        .when(assign(route(1)))
        .then_expect_error(ShipmentError::ReverseShipment);
}

#[test]
fn a_shipment_out_for_delivery_keeps_its_route() {
    let mut history = own_fleet_packed();
    history.extend([assigned(route(1), None), dispatched(route(1))]);
    shipment()
        .given(history)
        .when(assign(route(2)))
        .then_expect_error(ShipmentError::AlreadyOutForDelivery);
}

#[test]
fn dispatching_the_route_puts_it_out_for_delivery() {
    let mut history = own_fleet_packed();
    history.push(assigned(route(1), None));
    shipment()
        .given(history.clone())
        .when(dispatch(route(1)))
        .then_expect_events(vec![dispatched(route(1))]);
    history.push(dispatched(route(1)));
    let state = replay(history).state().cloned().expect("created");
    assert_eq!(state.status, ShipmentStatus::OutForDelivery);
    assert_eq!(state.route_id, Some(route(1)));
    assert_eq!(state.in_carrier_hands_since, Some(t(28_800)));
    assert_eq!(state.latest_checkpoint_at, Some(t(28_800)));
}

#[test]
fn dispatch_needs_the_shipment_on_that_route() {
    shipment()
        .given(own_fleet_packed())
        .when(dispatch(route(1)))
        .then_expect_error(ShipmentError::NotAssignedToRoute {
            route_id: route(1),
            assigned: None,
        });
    let mut history = own_fleet_packed();
    history.push(assigned(route(2), None));
    shipment()
        .given(history)
        .when(dispatch(route(1)))
        .then_expect_error(ShipmentError::NotAssignedToRoute {
            route_id: route(1),
            assigned: Some(route(2)),
        });
}

#[test]
fn dispatch_needs_packed_goods() {
    shipment()
        .given(vec![
            sample_own_fleet_shipment_created(),
            assigned(route(1), None),
        ])
        .when(dispatch(route(1)))
        .then_expect_error(ShipmentError::NotPacked {
            status: ShipmentStatus::LabelCreated,
        });
}

#[test]
fn dispatching_twice_is_an_invalid_transition() {
    let mut history = own_fleet_packed();
    history.extend([assigned(route(1), None), dispatched(route(1))]);
    shipment()
        .given(history)
        .when(dispatch(route(1)))
        .then_expect_error(ShipmentError::InvalidTransition {
            from: ShipmentStatus::OutForDelivery,
            to: ShipmentStatus::OutForDelivery,
        });
}

#[test]
fn a_failed_stop_goes_out_again_on_the_next_route() {
    let failed = sample_scan(ScanStatus::DeliveryAttemptFailed, t(40_000));
    let mut history = own_fleet_packed();
    history.extend([
        assigned(route(1), None),
        dispatched(route(1)),
        own_fleet(failed, true, ShipmentStatus::DeliveryAttemptFailed),
    ]);
    shipment()
        .given(history.clone())
        .when(assign(route(2)))
        .then_expect_events(vec![assigned(route(2), Some(route(1)))]);
    history.push(assigned(route(2), Some(route(1))));
    shipment()
        .given(history)
        .when(ShipmentCommand::DispatchOnRoute {
            route_id: route(2),
            at: t(115_200),
        })
        .then_expect_events(vec![ShipmentEvent::DispatchedOnRoute {
            route_id: route(2),
            at: t(115_200),
        }]);
}

#[test]
fn a_stop_outcome_stamped_before_dispatch_is_history() {
    let mut history = own_fleet_packed();
    history.extend([assigned(route(1), None), dispatched(route(1))]);
    let early = sample_scan(ScanStatus::Delivered, t(20_000));
    shipment()
        .given(history)
        .when(record(early.clone()))
        .then_expect_events(vec![own_fleet(
            early,
            false,
            ShipmentStatus::OutForDelivery,
        )]);
}
