//! Cross-cutting rules: existence, terminality, error classes, event naming
//! and serialisation, the status ranking.

use cqrs_es::DomainEvent;

use super::*;
use crate::shipment::{
    ErrorKind, ExceptionKind, ShipmentError, SHIPMENT_AGGREGATE_TYPE, SHIPMENT_EVENT_TYPES,
};
use crate::validation::ValidationError;

/// One valid instance of every command except `Create` and `RecordScan`.
fn non_scan_commands() -> Vec<ShipmentCommand> {
    vec![
        ShipmentCommand::Pick {
            staff: sample_staff_id(),
            at: t(1),
        },
        ShipmentCommand::Pack {
            staff: sample_staff_id(),
            at: t(1),
            parcels: None,
        },
        ShipmentCommand::HandOver {
            staff: sample_staff_id(),
            at: t(1),
            tracking_number: None,
        },
        ShipmentCommand::AssignToRoute {
            route_id: route(1),
            at: t(1),
        },
        ShipmentCommand::DispatchOnRoute {
            route_id: route(1),
            at: t(1),
        },
        ShipmentCommand::Cancel {
            reason: "r".into(),
            at: t(1),
        },
        ShipmentCommand::Expire {
            at: t(1) + days(400),
            days_without_scan: 30,
            last_activity_before: t(1) + days(370),
        },
    ]
}

#[test]
fn every_command_on_a_missing_shipment_is_not_found() {
    let scan = record(scan(ScanStatus::InTransit, 1));
    for command in non_scan_commands().into_iter().chain([scan]) {
        shipment()
            .given_no_previous_events()
            .when(command)
            .then_expect_error(ShipmentError::NotFound);
    }
}

#[test]
fn every_command_but_scans_on_a_terminal_shipment_is_refused() {
    let returned = {
        let mut history = out_for_delivery();
        history.push(applied(ScanStatus::ReturnedToSender, 200_000));
        history
    };
    let expired = {
        let mut history = handed_over();
        history.push(ShipmentEvent::ShipmentExpired {
            days_without_scan: 30,
            last_activity_at: t(3_600),
            status_before: ShipmentStatus::HandedToCarrier,
            at: t(3_600) + days(31),
        });
        history
    };
    for (history, status) in [
        (delivered(), ShipmentStatus::Delivered),
        (returned, ShipmentStatus::ReturnedToSender),
        (
            vec![sample_shipment_created(), cancelled()],
            ShipmentStatus::Cancelled,
        ),
        (expired, ShipmentStatus::Expired),
    ] {
        assert_eq!(status_after(history.clone()), Some(status));
        for command in non_scan_commands() {
            assert!(!command.allowed_when_terminal(), "{}", command.name());
            shipment()
                .given(history.clone())
                .when(command)
                .then_expect_error(ShipmentError::Terminal { status });
        }
    }
    assert!(record(scan(ScanStatus::InTransit, 1)).allowed_when_terminal());
}

#[test]
fn error_kinds_and_codes() {
    use ShipmentError::*;
    let cases = [
        (NotFound, ErrorKind::NotFound, "not_found"),
        (
            AlreadyCreated {
                shipment_id: sample_shipment_id(),
            },
            ErrorKind::InvalidState,
            "already_created",
        ),
        (
            Terminal {
                status: ShipmentStatus::Delivered,
            },
            ErrorKind::InvalidState,
            "terminal",
        ),
        (
            Validation(ValidationError::Empty { field: "reason" }),
            ErrorKind::InvalidInput,
            "validation",
        ),
        (NoLines, ErrorKind::InvalidInput, "no_lines"),
        (
            TooManyLines { max: 1, actual: 2 },
            ErrorKind::InvalidInput,
            "too_many_lines",
        ),
        (NoParcels, ErrorKind::InvalidInput, "no_parcels"),
        (
            TooManyParcels { max: 1, actual: 2 },
            ErrorKind::InvalidInput,
            "too_many_parcels",
        ),
        (
            MissingTrackingNumber {
                carrier: Carrier::Zto,
            },
            ErrorKind::InvalidInput,
            "missing_tracking_number",
        ),
        (
            MissingReturnId,
            ErrorKind::InvalidInput,
            "missing_return_id",
        ),
        (
            MissingExceptionKind,
            ErrorKind::InvalidInput,
            "missing_exception_kind",
        ),
        (
            DetailsMismatch {
                status: ScanStatus::InTransit,
                details: "delivered",
            },
            ErrorKind::InvalidInput,
            "details_mismatch",
        ),
        (
            InvalidTransition {
                from: ShipmentStatus::Picked,
                to: ShipmentStatus::Picked,
            },
            ErrorKind::InvalidState,
            "invalid_transition",
        ),
        (ReverseShipment, ErrorKind::InvalidState, "reverse_shipment"),
        (
            AlreadyHandedOver {
                status: ShipmentStatus::InTransit,
            },
            ErrorKind::InvalidState,
            "already_handed_over",
        ),
        (
            DuplicateScan {
                checkpoint_key: "id:1".into(),
            },
            ErrorKind::InvalidState,
            "duplicate_scan",
        ),
        (
            NotOwnFleet {
                carrier: Carrier::Ems,
            },
            ErrorKind::InvalidState,
            "not_own_fleet",
        ),
        (
            AlreadyAssigned { route_id: route(1) },
            ErrorKind::InvalidState,
            "already_assigned",
        ),
        (
            AlreadyOutForDelivery,
            ErrorKind::InvalidState,
            "already_out_for_delivery",
        ),
        (
            NotAssignedToRoute {
                route_id: route(1),
                assigned: None,
            },
            ErrorKind::InvalidState,
            "not_assigned_to_route",
        ),
        (
            InconsistentExpiry {
                at: t(0),
                days_without_scan: 1,
                last_activity_before: t(0),
            },
            ErrorKind::InvalidInput,
            "inconsistent_expiry",
        ),
        (
            RecentActivity {
                last_activity_at: t(0),
                last_activity_before: t(0),
            },
            ErrorKind::InvalidState,
            "recent_activity",
        ),
    ];
    for (error, kind, code) in cases {
        assert_eq!((error.kind(), error.code()), (kind, code), "{error}");
    }
}

fn one_of_each_event() -> Vec<ShipmentEvent> {
    vec![
        sample_shipment_created(),
        sample_picked(),
        sample_packed(),
        sample_handed_to_carrier(),
        recorded(
            with_details(
                scan(ScanStatus::Exception, 7_200),
                ScanDetails::Exception {
                    kind: ExceptionKind::Customs,
                    note: Some("held".into()),
                },
            ),
            true,
            ShipmentStatus::Exception,
        ),
        assigned(route(1), None),
        ShipmentEvent::DispatchedOnRoute {
            route_id: route(1),
            at: t(9_000),
        },
        cancelled(),
        ShipmentEvent::ShipmentExpired {
            days_without_scan: 30,
            last_activity_at: t(0),
            status_before: ShipmentStatus::InTransit,
            at: t(0) + days(31),
        },
    ]
}

#[test]
fn event_types_are_variant_names_at_version_1_0() {
    let events = one_of_each_event();
    let types: Vec<_> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, SHIPMENT_EVENT_TYPES);
    for event in &events {
        assert_eq!(event.event_version(), "1.0");
        let json = serde_json::to_value(event).expect("serialise");
        assert!(
            json.get(event.name()).is_some(),
            "externally tagged: {json}"
        );
        assert_eq!(
            serde_json::from_value::<ShipmentEvent>(json).ok().as_ref(),
            Some(event)
        );
    }
}

#[test]
fn aggregate_type_and_snapshot_round_trip() {
    assert_eq!(<Shipment as Aggregate>::TYPE, SHIPMENT_AGGREGATE_TYPE);
    let shipment = replay(delivered());
    let json = serde_json::to_string(&shipment).expect("serialise");
    assert_eq!(serde_json::from_str::<Shipment>(&json).ok(), Some(shipment));
}

#[test]
fn events_before_creation_are_ignored_on_replay() {
    assert_eq!(
        replay(vec![sample_picked(), cancelled()]),
        Shipment::default()
    );
}

#[test]
fn handle_writes_decided_events_and_applies_them() {
    let events = shipment()
        .given(vec![sample_shipment_created()])
        .when(ShipmentCommand::Pick {
            staff: sample_staff_id(),
            at: t(600),
        })
        .inspect_result()
        .expect("picked");
    let history = [vec![sample_shipment_created()], events].concat();
    assert_eq!(status_after(history), Some(ShipmentStatus::Picked));
}

#[test]
fn status_codes_are_stable() {
    let codes: Vec<_> = ShipmentStatus::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(
        codes,
        [
            "label_created",
            "picked",
            "packed",
            "handed_to_carrier",
            "in_transit",
            "out_for_delivery",
            "delivery_attempt_failed",
            "available_for_pickup",
            "exception",
            "delivered",
            "returned_to_sender",
            "cancelled",
            "expired"
        ]
    );
}

#[test]
fn rank_orders_progress_and_leaves_exceptions_out() {
    use ShipmentStatus::*;
    let ranks: Vec<_> = ShipmentStatus::ALL.iter().map(|s| s.rank()).collect();
    let expected = [0, 1, 2, 3, 3, 4, 4, 4, 9, 5, 5, 5, 5].map(|r| (r != 9).then_some(r));
    assert_eq!(ranks, expected);
    assert!(OutForDelivery.may_follow(DeliveryAttemptFailed));
    assert!(!InTransit.may_follow(OutForDelivery));
    assert!(Exception.may_follow(OutForDelivery));
    assert!(Delivered.may_follow(AvailableForPickup));
    let terminal: Vec<_> = ShipmentStatus::ALL
        .iter()
        .filter(|s| s.is_terminal())
        .collect();
    assert_eq!(
        terminal,
        [&Delivered, &ReturnedToSender, &Cancelled, &Expired]
    );
}

#[test]
fn every_scan_status_maps_to_its_namesake_except_info_received() {
    for status in ScanStatus::ALL.iter().copied() {
        let target = status.shipment_status();
        if status == ScanStatus::InfoReceived {
            assert_eq!(target, ShipmentStatus::LabelCreated);
        } else {
            assert_eq!(target.code(), status.code());
        }
    }
}
