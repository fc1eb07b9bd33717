//! Given/when/then tests for every transition and every refusal of
//! `Shipment`. Histories are built from hand-written events (scan keys come
//! from the public `checkpoint_key`, itself tested in `dedupe`).

mod create;
mod dedupe;
mod endings;
mod guards;
mod routing;
mod scans;
mod unshipped;
mod values;
mod warehouse;

use chrono::{DateTime, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use crate::ids::RouteId;
use crate::shipment::sample::*;
use crate::shipment::{
    checkpoint_key, Carrier, RecordScan, ScanDetails, ScanRecorded, ScanStatus, Shipment,
    ShipmentCommand, ShipmentEvent, ShipmentStatus, TrackingNumber,
};

pub(super) fn shipment() -> TestFramework<Shipment> {
    TestFramework::with(())
}

/// Seconds after the sample shipment's creation.
pub(super) fn t(seconds: i64) -> DateTime<Utc> {
    shipment_time(seconds)
}

pub(super) fn scan(status: ScanStatus, seconds: i64) -> RecordScan {
    sample_scan(status, t(seconds))
}

pub(super) fn with_details(mut scan: RecordScan, details: ScanDetails) -> RecordScan {
    scan.details = Some(details);
    scan
}

pub(super) fn record(scan: RecordScan) -> ShipmentCommand {
    ShipmentCommand::RecordScan(scan)
}

/// The event recording `scan` on the SF Express sample shipment.
pub(super) fn recorded(
    scan: RecordScan,
    applied: bool,
    shipment_status: ShipmentStatus,
) -> ShipmentEvent {
    recorded_for(
        Carrier::SfExpress,
        Some(sample_tracking_number()),
        scan,
        applied,
        shipment_status,
    )
}

pub(super) fn recorded_for(
    carrier: Carrier,
    tracking_number: Option<TrackingNumber>,
    scan: RecordScan,
    applied: bool,
    shipment_status: ShipmentStatus,
) -> ShipmentEvent {
    ShipmentEvent::ScanRecorded(ScanRecorded {
        checkpoint_key: checkpoint_key(carrier, tracking_number.as_ref(), &scan),
        carrier_event_id: scan.carrier_event_id,
        carrier,
        tracking_number,
        status: scan.status,
        location: scan.location,
        coordinates: scan.coordinates,
        occurred_at: scan.occurred_at,
        details: scan.details,
        applied,
        shipment_status,
    })
}

/// An applied plain scan moving the sample shipment to its status.
pub(super) fn applied(status: ScanStatus, seconds: i64) -> ShipmentEvent {
    recorded(scan(status, seconds), true, status.shipment_status())
}

pub(super) fn handed_over() -> Vec<ShipmentEvent> {
    sample_handed_over_history()
}

/// Handed over, then in transit at +2 h and out for delivery at +1 day.
pub(super) fn out_for_delivery() -> Vec<ShipmentEvent> {
    let mut history = handed_over();
    history.push(applied(ScanStatus::InTransit, 7_200));
    history.push(applied(ScanStatus::OutForDelivery, 86_400));
    history
}

pub(super) fn delivered() -> Vec<ShipmentEvent> {
    let mut history = out_for_delivery();
    history.push(applied(ScanStatus::Delivered, 90_000));
    history
}

pub(super) fn cancelled() -> ShipmentEvent {
    ShipmentEvent::ShipmentCancelled {
        reason: "order cancelled".into(),
        status_before: ShipmentStatus::LabelCreated,
        at: t(60),
    }
}

pub(super) fn route(n: u128) -> RouteId {
    RouteId::from_uuid(uuid::Uuid::from_u128(
        0x0194_0000_0000_7000_9000_0000_0000_0000 + n,
    ))
}

/// Own-fleet shipment, picked and packed, not yet on a route.
pub(super) fn own_fleet_packed() -> Vec<ShipmentEvent> {
    vec![
        sample_own_fleet_shipment_created(),
        sample_picked(),
        sample_packed(),
    ]
}

pub(super) fn assigned(route_id: RouteId, previous: Option<RouteId>) -> ShipmentEvent {
    ShipmentEvent::AssignedToRoute {
        route_id,
        previous_route_id: previous,
        at: t(1_800),
    }
}

/// Rebuilds an aggregate the way the event store does.
pub(super) fn replay(events: Vec<ShipmentEvent>) -> Shipment {
    let mut shipment = Shipment::default();
    for event in events {
        shipment.apply(event);
    }
    shipment
}

pub(super) fn status_after(events: Vec<ShipmentEvent>) -> Option<ShipmentStatus> {
    replay(events).status()
}
