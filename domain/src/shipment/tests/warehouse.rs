use super::*;
use crate::shipment::{Parcel, ShipmentError, StaffId};

fn staff() -> StaffId {
    sample_staff_id()
}

fn pick() -> ShipmentCommand {
    ShipmentCommand::Pick {
        staff: staff(),
        at: t(600),
    }
}

fn pack(parcels: Option<Vec<Parcel>>) -> ShipmentCommand {
    ShipmentCommand::Pack {
        staff: staff(),
        at: t(1_200),
        parcels,
    }
}

fn hand_over(tracking_number: Option<TrackingNumber>) -> ShipmentCommand {
    ShipmentCommand::HandOver {
        staff: staff(),
        at: t(3_600),
        tracking_number,
    }
}

fn new_number() -> TrackingNumber {
    TrackingNumber::parse("SF9990001112223").expect("valid")
}

#[test]
fn picking_records_the_staff_member() {
    shipment()
        .given(vec![sample_shipment_created()])
        .when(pick())
        .then_expect_events(vec![sample_picked()]);
}

#[test]
fn picking_twice_is_an_invalid_transition() {
    shipment()
        .given(vec![sample_shipment_created(), sample_picked()])
        .when(pick())
        .then_expect_error(ShipmentError::InvalidTransition {
            from: ShipmentStatus::Picked,
            to: ShipmentStatus::Picked,
        });
}

#[test]
fn packing_keeps_the_planned_parcels_when_none_are_given() {
    shipment()
        .given(vec![sample_shipment_created(), sample_picked()])
        .when(pack(None))
        .then_expect_events(vec![sample_packed()]);
}

#[test]
fn packing_can_replace_the_parcels() {
    let boxes = vec![
        Parcel::new(700, 250, 200, 100).expect("valid"),
        Parcel::new(600, 200, 200, 100).expect("valid"),
    ];
    shipment()
        .given(vec![sample_shipment_created(), sample_picked()])
        .when(pack(Some(boxes.clone())))
        .then_expect_events(vec![ShipmentEvent::ShipmentPacked {
            staff: staff(),
            at: t(1_200),
            parcels: boxes.clone(),
        }]);
    let mut history = vec![sample_shipment_created(), sample_picked()];
    history.push(ShipmentEvent::ShipmentPacked {
        staff: staff(),
        at: t(1_200),
        parcels: boxes,
    });
    let shipment = replay(history);
    assert_eq!(
        shipment.state().map(|s| s.total_weight_grams()),
        Some(1_300)
    );
}

#[test]
fn packing_with_an_empty_or_huge_parcel_list_is_refused() {
    shipment()
        .given(vec![sample_shipment_created(), sample_picked()])
        .when(pack(Some(vec![])))
        .then_expect_error(ShipmentError::NoParcels);
    shipment()
        .given(vec![sample_shipment_created(), sample_picked()])
        .when(pack(Some(vec![sample_parcel(); 100])))
        .then_expect_error(ShipmentError::TooManyParcels {
            max: 99,
            actual: 100,
        });
}

#[test]
fn packing_before_picking_is_an_invalid_transition() {
    shipment()
        .given(vec![sample_shipment_created()])
        .when(pack(None))
        .then_expect_error(ShipmentError::InvalidTransition {
            from: ShipmentStatus::LabelCreated,
            to: ShipmentStatus::Packed,
        });
}

#[test]
fn handing_over_keeps_the_label_number() {
    shipment()
        .given(vec![
            sample_shipment_created(),
            sample_picked(),
            sample_packed(),
        ])
        .when(hand_over(None))
        .then_expect_events(vec![sample_handed_to_carrier()]);
}

#[test]
fn handing_over_can_bring_a_new_number() {
    shipment()
        .given(vec![
            sample_shipment_created(),
            sample_picked(),
            sample_packed(),
        ])
        .when(hand_over(Some(new_number())))
        .then_expect_events(vec![ShipmentEvent::HandedToCarrier {
            staff: staff(),
            at: t(3_600),
            carrier: Carrier::SfExpress,
            tracking_number: Some(new_number()),
        }]);
}

#[test]
fn own_fleet_hand_over_may_stay_unnumbered() {
    shipment()
        .given(own_fleet_packed())
        .when(hand_over(None))
        .then_expect_events(vec![ShipmentEvent::HandedToCarrier {
            staff: staff(),
            at: t(3_600),
            carrier: Carrier::OwnFleet,
            tracking_number: None,
        }]);
}

#[test]
fn handing_over_before_packing_is_an_invalid_transition() {
    shipment()
        .given(vec![sample_shipment_created(), sample_picked()])
        .when(hand_over(None))
        .then_expect_error(ShipmentError::InvalidTransition {
            from: ShipmentStatus::Picked,
            to: ShipmentStatus::HandedToCarrier,
        });
}

#[test]
fn a_carrier_scan_that_came_first_closes_the_warehouse_steps() {
    let history = vec![
        sample_shipment_created(),
        sample_picked(),
        sample_packed(),
        applied(ScanStatus::InTransit, 2_000),
    ];
    shipment()
        .given(history)
        .when(hand_over(None))
        .then_expect_error(ShipmentError::InvalidTransition {
            from: ShipmentStatus::InTransit,
            to: ShipmentStatus::HandedToCarrier,
        });
}

#[test]
fn reverse_shipments_skip_warehouse_steps() {
    for command in [pick(), pack(None), hand_over(None)] {
        shipment()
            .given(vec![sample_reverse_shipment_created()])
            .when(command)
            .then_expect_error(ShipmentError::ReverseShipment);
    }
}

#[test]
fn replay_records_who_did_each_step() {
    let shipment = replay(handed_over());
    let state = shipment.state().expect("created");
    assert_eq!(state.status, ShipmentStatus::HandedToCarrier);
    assert_eq!(state.picked.as_ref().map(|a| a.at), Some(t(600)));
    assert_eq!(state.packed.as_ref().map(|a| &a.staff), Some(&staff()));
    assert_eq!(state.handed_over.as_ref().map(|a| a.at), Some(t(3_600)));
    assert_eq!(state.in_carrier_hands_since, Some(t(3_600)));
    assert!(state.is_handed_over());
    assert!(state.is_active());
}
