//! Interactions (contacts and care) and delivery NPS on the customer stream.

use super::*;
use crate::customer::{ContactChannel, CustomerError, Direction, Interaction, InteractionKind};
use crate::ids::CaseId;
use crate::validation::ValidationError;

fn record(interaction: Interaction) -> CustomerCommand {
    CustomerCommand::RecordInteraction(interaction)
}

#[test]
fn recording_an_interaction_keeps_every_link() {
    customer()
        .given(vec![registered()])
        .when(record(sample_interaction()))
        .then_expect_events(vec![CustomerEvent::InteractionRecorded(
            sample_interaction(),
        )]);
}

#[test]
fn recording_a_birthday_greeting_as_care() {
    let greeting = Interaction {
        interaction_id: "care-bday-2025".into(),
        direction: Direction::Outbound,
        channel: ContactChannel::Sms,
        kind: InteractionKind::Care,
        topic: "Birthday greeting".into(),
        summary: "生日快乐! Sent with a 20 CNY coupon.".into(),
        agent: None,
        order_id: None,
        ..sample_interaction()
    };
    customer()
        .given(vec![registered()])
        .when(record(greeting.clone()))
        .then_expect_events(vec![CustomerEvent::InteractionRecorded(greeting)]);
}

#[test]
fn recording_an_interaction_twice_is_refused() {
    customer()
        .given(vec![
            registered(),
            CustomerEvent::InteractionRecorded(sample_interaction()),
        ])
        .when(record(sample_interaction()))
        .then_expect_error(CustomerError::DuplicateInteraction {
            interaction_id: "chat-0001".into(),
        });
}

#[test]
fn recording_an_inbound_care_interaction_is_refused() {
    customer()
        .given(vec![registered()])
        .when(record(Interaction {
            kind: InteractionKind::Care,
            ..sample_interaction()
        }))
        .then_expect_error(CustomerError::InboundCare);
}

#[test]
fn recording_an_interaction_validates_lengths() {
    customer()
        .given(vec![registered()])
        .when(record(Interaction {
            summary: "x".repeat(2_001),
            ..sample_interaction()
        }))
        .then_expect_error(CustomerError::Validation(ValidationError::TooLong {
            field: "summary",
            max: 2_000,
            actual: 2_001,
        }));
    customer()
        .given(vec![registered()])
        .when(record(Interaction {
            topic: "t".repeat(201),
            ..sample_interaction()
        }))
        .then_expect_error(CustomerError::Validation(ValidationError::TooLong {
            field: "topic",
            max: 200,
            actual: 201,
        }));
    customer()
        .given(vec![registered()])
        .when(record(Interaction {
            interaction_id: "chat 1".into(),
            ..sample_interaction()
        }))
        .then_expect_error(CustomerError::Validation(
            ValidationError::DisallowedCharacter {
                field: "interaction_id",
                character: ' ',
            },
        ));
}

fn nps(
    score: u8,
    context: NpsContext,
    order_id: Option<OrderId>,
    case_id: Option<CaseId>,
) -> CustomerCommand {
    CustomerCommand::RecordNps {
        score,
        context,
        order_id,
        case_id,
        comment: Some("quick delivery".into()),
        at: at(45),
    }
}

fn nps_recorded(score: u8) -> CustomerEvent {
    CustomerEvent::NpsRecorded {
        score,
        context: NpsContext::Delivery,
        order_id: Some(order_id()),
        case_id: None,
        comment: Some("quick delivery".into()),
        at: at(45),
    }
}

#[test]
fn recording_delivery_nps_links_the_order() {
    customer()
        .given(vec![registered()])
        .when(nps(9, NpsContext::Delivery, Some(order_id()), None))
        .then_expect_events(vec![nps_recorded(9)]);
}

#[test]
fn recording_case_nps_links_the_case() {
    let case_id = crate::case::sample::sample_case_id();
    customer()
        .given(vec![registered()])
        .when(nps(3, NpsContext::Case, None, Some(case_id)))
        .then_expect_events(vec![CustomerEvent::NpsRecorded {
            score: 3,
            context: NpsContext::Case,
            order_id: None,
            case_id: Some(case_id),
            comment: Some("quick delivery".into()),
            at: at(45),
        }]);
}

#[test]
fn recording_nps_twice_for_one_delivery_is_refused() {
    customer()
        .given(vec![registered(), nps_recorded(9)])
        .when(nps(10, NpsContext::Delivery, Some(order_id()), None))
        .then_expect_error(CustomerError::NpsAlreadyRecorded {
            order_id: order_id(),
        });
}

#[test]
fn recording_nps_without_its_link_is_refused() {
    customer()
        .given(vec![registered()])
        .when(nps(9, NpsContext::Delivery, None, None))
        .then_expect_error(CustomerError::MissingNpsLink {
            context: NpsContext::Delivery,
        });
    customer()
        .given(vec![registered()])
        .when(nps(9, NpsContext::Case, Some(order_id()), None))
        .then_expect_error(CustomerError::MissingNpsLink {
            context: NpsContext::Case,
        });
}

#[test]
fn recording_nps_out_of_range_is_refused() {
    customer()
        .given(vec![registered()])
        .when(nps(11, NpsContext::Delivery, Some(order_id()), None))
        .then_expect_error(CustomerError::Validation(ValidationError::OutOfRange {
            field: "nps_score",
            min: 0,
            max: 10,
        }));
}
