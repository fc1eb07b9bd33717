use super::*;
use crate::delivery::DeliveryMode;
use crate::shipment::{
    CreateShipment, Direction, ShipmentCreated, ShipmentError, ShipmentLine, MAX_LINES,
};
use crate::validation::ValidationError;
use crate::values::{Quantity, Sku};

fn create(cmd: CreateShipment) -> ShipmentCommand {
    ShipmentCommand::Create(cmd)
}

fn refused(cmd: CreateShipment, error: ShipmentError) {
    shipment()
        .given_no_previous_events()
        .when(create(cmd))
        .then_expect_error(error);
}

#[test]
fn creating_records_the_label() {
    shipment()
        .given_no_previous_events()
        .when(create(sample_create_shipment()))
        .then_expect_events(vec![sample_shipment_created()]);
}

#[test]
fn own_fleet_shipments_may_start_without_a_tracking_number() {
    shipment()
        .given_no_previous_events()
        .when(create(sample_create_own_fleet_shipment()))
        .then_expect_events(vec![sample_own_fleet_shipment_created()]);
}

#[test]
fn reverse_shipments_carry_their_return() {
    shipment()
        .given_no_previous_events()
        .when(create(sample_create_reverse_shipment()))
        .then_expect_events(vec![sample_reverse_shipment_created()]);
}

#[test]
fn a_new_shipment_is_an_active_label() {
    let shipment = replay(vec![sample_shipment_created()]);
    let state = shipment.state().expect("created");
    assert_eq!(state.status, ShipmentStatus::LabelCreated);
    assert!(state.is_active());
    assert!(!state.is_handed_over());
    assert_eq!(
        state.tracking_key().as_deref(),
        Some("sf_express:SF1234567890123")
    );
    assert_eq!(state.total_weight_grams(), 1_200);
    assert_eq!(state.last_activity_at, t(0));
}

#[test]
fn a_shipment_needs_lines() {
    refused(
        CreateShipment {
            lines: vec![],
            ..sample_create_shipment()
        },
        ShipmentError::NoLines,
    );
}

#[test]
fn a_shipment_has_at_most_500_lines() {
    let lines = (0..=MAX_LINES)
        .map(|n| ShipmentLine {
            sku: Sku::parse(&format!("SKU-{n}")).expect("valid sku"),
            quantity: Quantity::new(1).expect("positive"),
        })
        .collect();
    refused(
        CreateShipment {
            lines,
            ..sample_create_shipment()
        },
        ShipmentError::TooManyLines {
            max: 500,
            actual: 501,
        },
    );
}

#[test]
fn a_sku_appears_on_one_line_only() {
    let mut lines = sample_shipment_lines();
    lines.push(lines[0].clone());
    let sku = lines[0].sku.clone();
    refused(
        CreateShipment {
            lines,
            ..sample_create_shipment()
        },
        ShipmentError::DuplicateSku { sku },
    );
}

#[test]
fn a_shipment_needs_parcels() {
    refused(
        CreateShipment {
            parcels: vec![],
            ..sample_create_shipment()
        },
        ShipmentError::NoParcels,
    );
}

#[test]
fn a_shipment_has_at_most_99_parcels() {
    refused(
        CreateShipment {
            parcels: vec![sample_parcel(); 100],
            ..sample_create_shipment()
        },
        ShipmentError::TooManyParcels {
            max: 99,
            actual: 100,
        },
    );
}

#[test]
fn the_delivery_mode_is_validated() {
    refused(
        CreateShipment {
            delivery: DeliveryMode::SelfPickup {
                pickup_point: " ".into(),
            },
            ..sample_create_shipment()
        },
        ShipmentError::Validation(ValidationError::Empty {
            field: "delivery.pickup_point",
        }),
    );
}

#[test]
fn a_reverse_shipment_needs_its_return() {
    refused(
        CreateShipment {
            return_id: None,
            ..sample_create_reverse_shipment()
        },
        ShipmentError::MissingReturnId,
    );
}

#[test]
fn an_outbound_shipment_cannot_carry_a_return() {
    refused(
        CreateShipment {
            return_id: Some(sample_return_id()),
            ..sample_create_shipment()
        },
        ShipmentError::UnexpectedReturnId {
            direction: Direction::Outbound,
        },
    );
}

#[test]
fn carriers_other_than_the_own_fleet_need_a_tracking_number() {
    for carrier in Carrier::ALL.iter().copied().filter(|c| !c.is_own_fleet()) {
        refused(
            CreateShipment {
                carrier,
                tracking_number: None,
                ..sample_create_shipment()
            },
            ShipmentError::MissingTrackingNumber { carrier },
        );
    }
}

#[test]
fn handover_must_be_promised_before_delivery() {
    for handover in [t(3 * 86_400), t(4 * 86_400)] {
        refused(
            CreateShipment {
                promised_handover_by: Some(handover),
                ..sample_create_shipment()
            },
            ShipmentError::Validation(ValidationError::EmptyWindow {
                field: "promised_by",
            }),
        );
    }
}

#[test]
fn creating_twice_is_already_created_even_when_terminal() {
    for history in [vec![sample_shipment_created()], delivered()] {
        shipment()
            .given(history)
            .when(create(sample_create_shipment()))
            .then_expect_error(ShipmentError::AlreadyCreated {
                shipment_id: sample_shipment_id(),
            });
    }
}

#[test]
fn a_window_narrower_than_fifteen_minutes_is_refused_not_widened() {
    let window = |minutes: i64| CreateShipment {
        delivery: DeliveryMode::scheduled(t(36_000), t(36_000 + minutes * 60)).unwrap(),
        ..sample_create_own_fleet_shipment()
    };
    let refused_window = window(14);
    refused(
        refused_window,
        ShipmentError::WindowTooNarrow {
            minutes: 14,
            min: 15,
        },
    );
    assert_eq!(
        ShipmentError::WindowTooNarrow {
            minutes: 14,
            min: 15
        }
        .code(),
        "window_too_narrow"
    );
    // Exactly fifteen minutes is a promise that can be kept.
    let accepted = window(15);
    let created = ShipmentEvent::ShipmentCreated(ShipmentCreated {
        delivery: accepted.delivery.clone(),
        ..match sample_own_fleet_shipment_created() {
            ShipmentEvent::ShipmentCreated(c) => c,
            other => panic!("sample is a creation: {other:?}"),
        }
    });
    shipment()
        .given_no_previous_events()
        .when(create(accepted))
        .then_expect_events(vec![created]);
}
