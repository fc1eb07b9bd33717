//! Registration, existence, error classes, event naming and serialisation.

use cqrs_es::DomainEvent;

use super::*;
use crate::customer::{
    ContactChannel, CustomerError, ErrorKind, Profile, CUSTOMER_AGGREGATE_TYPE,
    CUSTOMER_EVENT_TYPES,
};
use crate::customer::{Direction, Interaction, InteractionKind, ProfileChange, RegisterCustomer};
use crate::validation::ValidationError;

fn register_with(profile: Profile) -> CustomerCommand {
    CustomerCommand::Register(RegisterCustomer {
        profile,
        ..sample_register()
    })
}

#[test]
fn registering_records_the_customer_at_silver() {
    customer()
        .given_no_previous_events()
        .when(CustomerCommand::Register(sample_register()))
        .then_expect_events(vec![registered()]);
}

#[test]
fn registering_twice_is_already_registered() {
    customer()
        .given(vec![registered()])
        .when(CustomerCommand::Register(sample_register()))
        .then_expect_error(CustomerError::AlreadyRegistered {
            customer_id: sample_customer_id(),
        });
}

#[test]
fn registering_validates_the_profile() {
    let blank_name = Profile {
        name: " ".into(),
        ..sample_profile()
    };
    customer()
        .given_no_previous_events()
        .when(register_with(blank_name))
        .then_expect_error(CustomerError::Validation(ValidationError::Empty {
            field: "name",
        }));
    let bad_email = Profile {
        email: Some("li.wei".into()),
        ..sample_profile()
    };
    customer()
        .given_no_previous_events()
        .when(register_with(bad_email))
        .then_expect_error(CustomerError::InvalidEmail);
    let bad_phone = Profile {
        phone: Some("call me".into()),
        ..sample_profile()
    };
    customer()
        .given_no_previous_events()
        .when(register_with(bad_phone))
        .then_expect_error(CustomerError::InvalidPhone);
}

#[test]
fn registering_refuses_a_birthday_after_registration() {
    let birthday = sample_registered_at().date_naive().succ_opt();
    customer()
        .given_no_previous_events()
        .when(register_with(Profile {
            birthday,
            ..sample_profile()
        }))
        .then_expect_error(CustomerError::BirthdayInFuture {
            birthday: birthday.expect("valid date"),
        });
}

#[test]
fn registering_accepts_a_minimal_profile() {
    let minimal = Profile {
        name: "王芳".into(),
        phone: None,
        email: None,
        birthday: None,
        city: None,
        preferred_contact: ContactChannel::Sms,
    };
    let events = customer()
        .given_no_previous_events()
        .when(register_with(minimal.clone()))
        .inspect_result()
        .expect("registered");
    let state = replay(events);
    assert_eq!(state.state().map(|s| &s.profile), Some(&minimal));
}

#[test]
fn every_command_on_an_unregistered_customer_is_not_found() {
    for command in non_register_commands() {
        customer()
            .given_no_previous_events()
            .when(command)
            .then_expect_error(CustomerError::NotFound);
    }
}

#[test]
fn error_kinds_and_codes() {
    assert_eq!(CustomerError::NotFound.kind(), ErrorKind::NotFound);
    assert_eq!(CustomerError::InvalidEmail.kind(), ErrorKind::InvalidInput);
    assert_eq!(CustomerError::SelfReferral.kind(), ErrorKind::InvalidInput);
    let insufficient = CustomerError::InsufficientPoints {
        balance: 1,
        requested: 2,
    };
    assert_eq!(insufficient.kind(), ErrorKind::InvalidState);
    assert_eq!(insufficient.code(), "insufficient_points");
    assert_eq!(CustomerError::NoProfileChanges.code(), "no_profile_changes");
    assert_eq!(
        CustomerError::Validation(ValidationError::Empty { field: "tag" }).code(),
        "validation"
    );
}

#[test]
fn aggregate_type_is_customer() {
    assert_eq!(<Customer as Aggregate>::TYPE, "Customer");
    assert_eq!(CUSTOMER_AGGREGATE_TYPE, <Customer as Aggregate>::TYPE);
}

fn one_of_every_event() -> Vec<CustomerEvent> {
    vec![
        registered(),
        CustomerEvent::ProfileChanged {
            changes: vec![ProfileChange::City(None)],
            at: at(1),
        },
        consent_granted(MarketingChannel::Email),
        CustomerEvent::ConsentWithdrawn {
            channel: MarketingChannel::Email,
            at: at(2),
        },
        CustomerEvent::TierChanged {
            from: Tier::Silver,
            to: Tier::Gold,
            reason: "spend crossed threshold".into(),
            at: at(2),
        },
        earned(500, 500, Some(order_id())),
        CustomerEvent::PointsRedeemed {
            points: 100,
            reason: "checkout".into(),
            balance: 400,
            at: at(3),
        },
        CustomerEvent::ReferralRecorded {
            referee: sample_referee_id(),
            reward_points: 0,
            at: at(3),
        },
        CustomerEvent::TagAdded {
            tag: "vip".into(),
            at: at(3),
        },
        CustomerEvent::TagRemoved {
            tag: "vip".into(),
            at: at(4),
        },
        CustomerEvent::CouponIssued {
            code: "RECALL-10".into(),
            amount_minor: 1_000,
            currency: Currency::CNY,
            reason: "churn recall".into(),
            expires_at: Some(at(30)),
            at: at(4),
        },
        CustomerEvent::InteractionRecorded(Interaction {
            direction: Direction::Outbound,
            kind: InteractionKind::Care,
            ..sample_interaction()
        }),
        CustomerEvent::NpsRecorded {
            score: 10,
            context: NpsContext::Delivery,
            order_id: Some(order_id()),
            case_id: None,
            comment: Some("fast".into()),
            at: at(5),
        },
    ]
}

#[test]
fn event_types_are_variant_names_at_version_1_0() {
    let events = one_of_every_event();
    let types: Vec<_> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, CUSTOMER_EVENT_TYPES);
    for event in &events {
        assert_eq!(event.event_version(), "1.0");
        let json = serde_json::to_value(event).expect("serialise");
        assert!(
            json.get(event.name()).is_some(),
            "externally tagged: {json}"
        );
        assert_eq!(
            serde_json::from_value::<CustomerEvent>(json).ok().as_ref(),
            Some(event)
        );
    }
}

#[test]
fn replay_folds_every_event_and_snapshots_round_trip() {
    let customer = replay(one_of_every_event());
    let state = customer.state().expect("registered");
    assert_eq!(state.tier, Tier::Gold);
    assert_eq!(state.points_balance, 400);
    assert_eq!(state.profile.city, None);
    assert!(state.consents.is_empty() && state.tags.is_empty());
    assert!(state.referees.contains(&sample_referee_id()));
    assert!(state.orders_with_nps.contains(&order_id()));
    let json = serde_json::to_string(&customer).expect("serialise");
    assert_eq!(serde_json::from_str::<Customer>(&json).ok(), Some(customer));
}

#[test]
fn events_before_registration_are_ignored_on_replay() {
    assert_eq!(
        replay(vec![consent_granted(MarketingChannel::Sms)]),
        Customer::default()
    );
}
