//! Given/when/then tests for every transition and every refusal of `Route`.

mod guards;
mod plan;
mod run;

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;
use uuid::Uuid;

use crate::ids::ShipmentId;
use crate::route::sample::*;
use crate::route::{Route, RouteCommand, RouteEvent};
use crate::shipment::sample::{sample_other_shipment_id, sample_shipment_id};

pub(super) fn route() -> TestFramework<Route> {
    TestFramework::with(())
}

pub(super) fn first() -> ShipmentId {
    sample_shipment_id()
}

pub(super) fn second() -> ShipmentId {
    sample_other_shipment_id()
}

pub(super) fn third() -> ShipmentId {
    ShipmentId::from_uuid(Uuid::from_u128(0x0194_0000_0000_7000_8000_0000_0000_0003))
}

pub(super) fn dispatched() -> Vec<RouteEvent> {
    vec![sample_route_planned(), sample_route_dispatched()]
}

pub(super) fn completed(shipment_id: ShipmentId, sequence: u32) -> RouteEvent {
    RouteEvent::StopCompleted {
        shipment_id,
        sequence,
        proof: None,
        at: route_time(1_500),
    }
}

pub(super) fn failed(shipment_id: ShipmentId, sequence: u32) -> RouteEvent {
    RouteEvent::StopFailed {
        shipment_id,
        sequence,
        reason: "nobody home".into(),
        at: route_time(3_300),
    }
}

pub(super) fn close(force: bool, reason: Option<&str>) -> RouteCommand {
    RouteCommand::Close {
        at: route_time(6_000),
        force,
        reason: reason.map(Into::into),
    }
}

/// Rebuilds an aggregate the way the event store does.
pub(super) fn replay(events: Vec<RouteEvent>) -> Route {
    let mut route = Route::default();
    for event in events {
        route.apply(event);
    }
    route
}
