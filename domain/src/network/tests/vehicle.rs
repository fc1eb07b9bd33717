use chrono::NaiveTime;
use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};

use super::at;
use crate::network::sample::*;
use crate::network::{
    ErrorKind, Vehicle, VehicleCommand, VehicleError, VehicleEvent, VehicleSpec, VehicleStatus,
    VEHICLE_AGGREGATE_TYPE, VEHICLE_EVENT_TYPES,
};
use crate::validation::ValidationError;

fn vehicle() -> TestFramework<Vehicle> {
    TestFramework::with(())
}

fn time(h: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, 0, 0).expect("valid time")
}

fn register(spec: VehicleSpec) -> VehicleCommand {
    VehicleCommand::Register {
        vehicle_id: sample_vehicle_id(),
        spec,
        at: sample_registered_at(),
    }
}

fn bigger() -> VehicleSpec {
    VehicleSpec {
        capacity_weight_grams: 1_500_000,
        capacity_parcels: 200,
        ..sample_vehicle_spec()
    }
}

fn retired() -> VehicleEvent {
    VehicleEvent::VehicleRetired {
        reason: "sold".into(),
        at: at(120),
    }
}

fn retire() -> VehicleCommand {
    VehicleCommand::Retire {
        reason: "sold".into(),
        at: at(120),
    }
}

/// Each invalid spec with the validation error it must produce.
fn invalid_specs() -> Vec<(VehicleSpec, ValidationError)> {
    let base = sample_vehicle_spec;
    vec![
        (
            VehicleSpec {
                capacity_weight_grams: 0,
                ..base()
            },
            ValidationError::NotPositive {
                field: "capacity_weight_grams",
            },
        ),
        (
            VehicleSpec {
                capacity_parcels: 0,
                ..base()
            },
            ValidationError::NotPositive {
                field: "capacity_parcels",
            },
        ),
        (
            VehicleSpec {
                shift_start: time(18),
                shift_end: time(8),
                ..base()
            },
            ValidationError::EmptyWindow { field: "shift" },
        ),
        (
            VehicleSpec {
                shift_end: time(8),
                ..base()
            },
            ValidationError::EmptyWindow { field: "shift" },
        ),
        (
            VehicleSpec {
                average_speed_kmh: 0,
                ..base()
            },
            ValidationError::OutOfRange {
                field: "average_speed_kmh",
                min: 1,
                max: 150,
            },
        ),
        (
            VehicleSpec {
                average_speed_kmh: 151,
                ..base()
            },
            ValidationError::OutOfRange {
                field: "average_speed_kmh",
                min: 1,
                max: 150,
            },
        ),
    ]
}

#[test]
fn registering_records_the_spec() {
    vehicle()
        .given_no_previous_events()
        .when(sample_register_vehicle())
        .then_expect_events(vec![sample_vehicle_registered()]);
}

#[test]
fn speed_of_150_is_allowed() {
    let spec = VehicleSpec {
        average_speed_kmh: 150,
        ..sample_vehicle_spec()
    };
    vehicle()
        .given_no_previous_events()
        .when(register(spec.clone()))
        .then_expect_events(vec![VehicleEvent::VehicleRegistered {
            vehicle_id: sample_vehicle_id(),
            spec,
            at: sample_registered_at(),
        }]);
}

#[test]
fn registering_an_invalid_spec_is_refused() {
    for (spec, error) in invalid_specs() {
        vehicle()
            .given_no_previous_events()
            .when(register(spec))
            .then_expect_error(VehicleError::Validation(error));
    }
}

#[test]
fn registering_twice_is_already_registered_even_when_retired() {
    for history in [
        vec![sample_vehicle_registered()],
        vec![sample_vehicle_registered(), retired()],
    ] {
        vehicle()
            .given(history)
            .when(sample_register_vehicle())
            .then_expect_error(VehicleError::AlreadyRegistered {
                vehicle_id: sample_vehicle_id(),
            });
    }
}

#[test]
fn updating_replaces_the_spec() {
    vehicle()
        .given(vec![sample_vehicle_registered()])
        .when(VehicleCommand::Update {
            spec: bigger(),
            at: at(60),
        })
        .then_expect_events(vec![VehicleEvent::VehicleUpdated {
            spec: bigger(),
            at: at(60),
        }]);
}

#[test]
fn updating_to_an_invalid_spec_is_refused() {
    for (spec, error) in invalid_specs() {
        vehicle()
            .given(vec![sample_vehicle_registered()])
            .when(VehicleCommand::Update { spec, at: at(60) })
            .then_expect_error(VehicleError::Validation(error));
    }
}

#[test]
fn retiring_records_the_reason() {
    vehicle()
        .given(vec![sample_vehicle_registered()])
        .when(retire())
        .then_expect_events(vec![retired()]);
}

#[test]
fn retiring_needs_a_reason() {
    vehicle()
        .given(vec![sample_vehicle_registered()])
        .when(VehicleCommand::Retire {
            reason: " ".into(),
            at: at(1),
        })
        .then_expect_error(VehicleError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

#[test]
fn a_retired_vehicle_accepts_nothing() {
    let update = VehicleCommand::Update {
        spec: bigger(),
        at: at(200),
    };
    for command in [update, retire()] {
        vehicle()
            .given(vec![sample_vehicle_registered(), retired()])
            .when(command)
            .then_expect_error(VehicleError::Retired {
                vehicle_id: sample_vehicle_id(),
            });
    }
}

#[test]
fn commands_on_an_unregistered_vehicle_are_not_found() {
    for command in [
        VehicleCommand::Update {
            spec: bigger(),
            at: at(1),
        },
        retire(),
    ] {
        vehicle()
            .given_no_previous_events()
            .when(command)
            .then_expect_error(VehicleError::NotFound);
    }
}

#[test]
fn replay_tracks_spec_and_retirement() {
    let mut vehicle = Vehicle::default();
    vehicle.apply(retired());
    assert_eq!(vehicle, Vehicle::default(), "nothing before registration");
    for event in [
        sample_vehicle_registered(),
        VehicleEvent::VehicleUpdated {
            spec: bigger(),
            at: at(60),
        },
        retired(),
    ] {
        vehicle.apply(event);
    }
    let state = vehicle.state().expect("registered");
    assert_eq!(state.spec, bigger());
    assert_eq!(state.status, VehicleStatus::Retired);
    assert!(!state.is_active());
    let json = serde_json::to_string(&vehicle).expect("serialise");
    assert_eq!(serde_json::from_str::<Vehicle>(&json).ok(), Some(vehicle));
}

#[test]
fn vehicle_events_are_named_and_versioned() {
    let events = [
        sample_vehicle_registered(),
        VehicleEvent::VehicleUpdated {
            spec: bigger(),
            at: at(1),
        },
        retired(),
    ];
    let types: Vec<_> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, VEHICLE_EVENT_TYPES);
    for event in &events {
        assert_eq!(event.event_version(), "1.0");
        let json = serde_json::to_value(event).expect("serialise");
        assert!(json.get(event.name()).is_some(), "{json}");
        assert_eq!(
            serde_json::from_value::<VehicleEvent>(json).ok().as_ref(),
            Some(event)
        );
    }
    assert_eq!(<Vehicle as Aggregate>::TYPE, VEHICLE_AGGREGATE_TYPE);
}

#[test]
fn vehicle_error_kinds_and_codes() {
    let cases = [
        (VehicleError::NotFound, ErrorKind::NotFound, "not_found"),
        (
            VehicleError::AlreadyRegistered {
                vehicle_id: sample_vehicle_id(),
            },
            ErrorKind::InvalidState,
            "already_registered",
        ),
        (
            VehicleError::Retired {
                vehicle_id: sample_vehicle_id(),
            },
            ErrorKind::InvalidState,
            "vehicle_retired",
        ),
        (
            VehicleError::Validation(ValidationError::Empty { field: "reason" }),
            ErrorKind::InvalidInput,
            "validation",
        ),
    ];
    for (error, kind, code) in cases {
        assert_eq!((error.kind(), error.code()), (kind, code), "{error}");
    }
}
