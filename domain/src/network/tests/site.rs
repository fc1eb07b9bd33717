use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};

use super::at;
use crate::address::Address;
use crate::network::sample::*;
use crate::network::{
    ErrorKind, Site, SiteCommand, SiteError, SiteEvent, SiteKind, SiteRegistered, SiteStatus,
    SITE_AGGREGATE_TYPE, SITE_EVENT_TYPES,
};
use crate::validation::ValidationError;

fn site() -> TestFramework<Site> {
    TestFramework::with(())
}

fn without_coordinates() -> Address {
    let mut fields = sample_site_address().to_fields();
    fields.coordinates = None;
    Address::parse(fields).expect("valid address")
}

fn update(name: &str) -> SiteCommand {
    SiteCommand::Update {
        details: sample_site_details(name),
        at: at(60),
    }
}

fn close() -> SiteCommand {
    SiteCommand::Close {
        reason: "lease ended".into(),
        at: at(120),
    }
}

fn closed() -> SiteEvent {
    SiteEvent::SiteClosed {
        reason: "lease ended".into(),
        at: at(120),
    }
}

#[test]
fn registering_a_depot_records_it() {
    site()
        .given_no_previous_events()
        .when(sample_register_depot())
        .then_expect_events(vec![sample_depot_registered()]);
}

#[test]
fn registering_a_pickup_point_records_it() {
    site()
        .given_no_previous_events()
        .when(SiteCommand::Register {
            site_id: sample_pickup_point_site_id(),
            kind: SiteKind::PickupPoint,
            details: sample_site_details("Xihu locker 7"),
            at: sample_registered_at(),
        })
        .then_expect_events(vec![sample_pickup_point_registered()]);
}

#[test]
fn a_warehouse_needs_no_coordinates() {
    let mut details = sample_site_details("Hangzhou DC");
    details.address = without_coordinates();
    details.opening_hours = None;
    site()
        .given_no_previous_events()
        .when(SiteCommand::Register {
            site_id: sample_warehouse_site_id(),
            kind: SiteKind::Warehouse,
            details: details.clone(),
            at: at(0),
        })
        .then_expect_events(vec![SiteEvent::SiteRegistered(SiteRegistered {
            site_id: sample_warehouse_site_id(),
            kind: SiteKind::Warehouse,
            details,
            registered_at: at(0),
        })]);
}

#[test]
fn depots_and_pickup_points_need_coordinates() {
    for (site_id, kind) in [
        (sample_depot_site_id(), SiteKind::Depot),
        (sample_pickup_point_site_id(), SiteKind::PickupPoint),
    ] {
        let mut details = sample_site_details("somewhere");
        details.address = without_coordinates();
        site()
            .given_no_previous_events()
            .when(SiteCommand::Register {
                site_id,
                kind,
                details,
                at: at(0),
            })
            .then_expect_error(SiteError::MissingCoordinates { kind });
    }
}

#[test]
fn kind_must_fit_the_stream_id() {
    for (site_id, kind) in [
        (sample_depot_site_id(), SiteKind::PickupPoint),
        (sample_pickup_point_site_id(), SiteKind::Depot),
        (sample_pickup_point_site_id(), SiteKind::Warehouse),
    ] {
        site()
            .given_no_previous_events()
            .when(SiteCommand::Register {
                site_id: site_id.clone(),
                kind,
                details: sample_site_details("x"),
                at: at(0),
            })
            .then_expect_error(SiteError::KindMismatch { site_id, kind });
    }
}

#[test]
fn a_site_needs_a_name() {
    site()
        .given_no_previous_events()
        .when(SiteCommand::Register {
            site_id: sample_depot_site_id(),
            kind: SiteKind::Depot,
            details: sample_site_details(" "),
            at: at(0),
        })
        .then_expect_error(SiteError::Validation(ValidationError::Empty {
            field: "name",
        }));
}

#[test]
fn registering_twice_is_already_registered_even_when_closed() {
    for history in [
        vec![sample_depot_registered()],
        vec![sample_depot_registered(), closed()],
    ] {
        site()
            .given(history)
            .when(sample_register_depot())
            .then_expect_error(SiteError::AlreadyRegistered {
                site_id: sample_depot_site_id(),
            });
    }
}

#[test]
fn updating_replaces_the_details() {
    site()
        .given(vec![sample_depot_registered()])
        .when(update("Xihu depot (north gate)"))
        .then_expect_events(vec![SiteEvent::SiteUpdated {
            details: sample_site_details("Xihu depot (north gate)"),
            at: at(60),
        }]);
}

#[test]
fn updating_a_depot_cannot_drop_its_coordinates() {
    let mut details = sample_site_details("Xihu depot");
    details.address = without_coordinates();
    site()
        .given(vec![sample_depot_registered()])
        .when(SiteCommand::Update {
            details,
            at: at(60),
        })
        .then_expect_error(SiteError::MissingCoordinates {
            kind: SiteKind::Depot,
        });
}

#[test]
fn updating_needs_a_name() {
    site()
        .given(vec![sample_depot_registered()])
        .when(update(""))
        .then_expect_error(SiteError::Validation(ValidationError::Empty {
            field: "name",
        }));
}

#[test]
fn closing_records_the_reason() {
    site()
        .given(vec![sample_depot_registered()])
        .when(close())
        .then_expect_events(vec![closed()]);
}

#[test]
fn closing_needs_a_reason() {
    site()
        .given(vec![sample_depot_registered()])
        .when(SiteCommand::Close {
            reason: "".into(),
            at: at(1),
        })
        .then_expect_error(SiteError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

#[test]
fn a_closed_site_accepts_nothing() {
    for command in [update("again"), close()] {
        site()
            .given(vec![sample_depot_registered(), closed()])
            .when(command)
            .then_expect_error(SiteError::Closed {
                site_id: sample_depot_site_id(),
            });
    }
}

#[test]
fn commands_on_an_unregistered_site_are_not_found() {
    for command in [update("x"), close()] {
        site()
            .given_no_previous_events()
            .when(command)
            .then_expect_error(SiteError::NotFound);
    }
}

#[test]
fn replay_tracks_details_and_closure() {
    let mut site = Site::default();
    for event in [
        sample_depot_registered(),
        SiteEvent::SiteUpdated {
            details: sample_site_details("renamed"),
            at: at(60),
        },
        closed(),
    ] {
        site.apply(event);
    }
    let state = site.state().expect("registered");
    assert_eq!(state.details.name, "renamed");
    assert_eq!(state.status, SiteStatus::Closed);
    assert_eq!(state.closed_at, Some(at(120)));
    assert!(!state.is_open());
    let json = serde_json::to_string(&site).expect("serialise");
    assert_eq!(serde_json::from_str::<Site>(&json).ok(), Some(site));
}

#[test]
fn events_before_registration_are_ignored_on_replay() {
    let mut site = Site::default();
    site.apply(closed());
    assert_eq!(site, Site::default());
}

#[test]
fn site_events_are_named_and_versioned() {
    let events = [
        sample_depot_registered(),
        SiteEvent::SiteUpdated {
            details: sample_site_details("x"),
            at: at(1),
        },
        closed(),
    ];
    let types: Vec<_> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, SITE_EVENT_TYPES);
    for event in &events {
        assert_eq!(event.event_version(), "1.0");
        let json = serde_json::to_value(event).expect("serialise");
        assert!(json.get(event.name()).is_some(), "{json}");
        assert_eq!(
            serde_json::from_value::<SiteEvent>(json).ok().as_ref(),
            Some(event)
        );
    }
    assert_eq!(<Site as Aggregate>::TYPE, SITE_AGGREGATE_TYPE);
}

#[test]
fn site_error_kinds_and_codes() {
    let site_id = sample_depot_site_id();
    let cases = [
        (SiteError::NotFound, ErrorKind::NotFound, "not_found"),
        (
            SiteError::AlreadyRegistered {
                site_id: site_id.clone(),
            },
            ErrorKind::InvalidState,
            "already_registered",
        ),
        (
            SiteError::Closed {
                site_id: site_id.clone(),
            },
            ErrorKind::InvalidState,
            "site_closed",
        ),
        (
            SiteError::Validation(ValidationError::Empty { field: "name" }),
            ErrorKind::InvalidInput,
            "validation",
        ),
        (
            SiteError::KindMismatch {
                site_id,
                kind: SiteKind::PickupPoint,
            },
            ErrorKind::InvalidInput,
            "site_kind_mismatch",
        ),
        (
            SiteError::MissingCoordinates {
                kind: SiteKind::Depot,
            },
            ErrorKind::InvalidInput,
            "missing_coordinates",
        ),
    ];
    for (error, kind, code) in cases {
        assert_eq!((error.kind(), error.code()), (kind, code), "{error}");
    }
}
