//! Opening, existence, closed cases, time order, error classes, event naming
//! and serialisation.

use cqrs_es::DomainEvent;

use super::*;
use crate::case::{
    CaseError, CaseStatus, ErrorKind, OpenCase, SlaMetric, CASE_AGGREGATE_TYPE, CASE_EVENT_TYPES,
};
use crate::validation::ValidationError;

#[test]
fn opening_records_the_first_contact_owner_and_sla_snapshot() {
    case()
        .given_no_previous_events()
        .when(CaseCommand::Open(sample_open_case()))
        .then_expect_events(vec![opened()]);
}

#[test]
fn opening_needs_a_subject() {
    case()
        .given_no_previous_events()
        .when(CaseCommand::Open(OpenCase {
            subject: "  ".into(),
            ..sample_open_case()
        }))
        .then_expect_error(CaseError::Validation(ValidationError::Empty {
            field: "subject",
        }));
}

#[test]
fn opening_twice_is_already_opened_even_when_closed() {
    for history in [vec![opened()], vec![opened(), resolved(true), closed()]] {
        case()
            .given(history)
            .when(CaseCommand::Open(sample_open_case()))
            .then_expect_error(CaseError::AlreadyOpened {
                case_id: sample_case_id(),
            });
    }
}

#[test]
fn every_command_on_an_unopened_case_is_not_found() {
    for command in non_open_commands() {
        case()
            .given_no_previous_events()
            .when(command)
            .then_expect_error(CaseError::NotFound);
    }
}

#[test]
fn a_closed_case_accepts_only_surveys_and_clock_settlement() {
    let history = vec![opened(), resolved(true), closed()];
    for command in non_open_commands() {
        let result = case()
            .given(history.clone())
            .when(command.clone())
            .inspect_result();
        if command.allowed_when_closed() {
            assert_ne!(result, Err(CaseError::Closed), "{}", command.name());
        } else {
            assert_eq!(result, Err(CaseError::Closed), "{}", command.name());
        }
    }
}

#[test]
fn nothing_may_predate_the_opening() {
    let before = at(-1);
    case()
        .given(vec![opened()])
        .when(CaseCommand::WaitOnCustomer { at: before })
        .then_expect_error(CaseError::BeforeOpened {
            opened_at: sample_opened_at(),
            at: before,
        });
}

#[test]
fn error_kinds_and_codes() {
    assert_eq!(CaseError::NotFound.kind(), ErrorKind::NotFound);
    assert_eq!(CaseError::Closed.kind(), ErrorKind::InvalidState);
    assert_eq!(
        CaseError::BeforeOpened {
            opened_at: at(0),
            at: at(-1)
        }
        .kind(),
        ErrorKind::InvalidInput
    );
    let not_due = CaseError::SlaNotDue {
        metric: SlaMetric::Handle,
        due_at: at(72),
    };
    assert_eq!(not_due.kind(), ErrorKind::InvalidState);
    assert_eq!(not_due.code(), "sla_not_due");
    assert_eq!(CaseError::NotFirstContact.code(), "not_first_contact");
}

#[test]
fn aggregate_type_is_case() {
    assert_eq!(<Case as Aggregate>::TYPE, "Case");
    assert_eq!(CASE_AGGREGATE_TYPE, <Case as Aggregate>::TYPE);
}

fn one_of_every_event() -> Vec<CaseEvent> {
    let metric = SlaMetric::Handle;
    vec![
        opened(),
        responded(),
        waiting(2),
        CaseEvent::CustomerReplied {
            at: at(3),
            waited_seconds: 3_600,
        },
        escalated(),
        resolved(false),
        reopened(),
        closed(),
        CaseEvent::SatisfactionRated {
            csat: 4,
            comment: None,
            at: at(49),
        },
        CaseEvent::NpsRecorded {
            score: 8,
            comment: None,
            at: at(49),
        },
        CaseEvent::SlaClockStarted {
            metric,
            started_at: at(0),
            due_at: at(72),
        },
        CaseEvent::SlaClockPaused { metric, at: at(2) },
        CaseEvent::SlaClockResumed {
            metric,
            at: at(3),
            paused_seconds: 3_600,
            due_at: at(73),
        },
        CaseEvent::SlaClockFulfilled {
            metric,
            at: at(80),
            due_at: at(73),
            within_target: false,
        },
        CaseEvent::SlaClockBreached {
            metric: SlaMetric::Acknowledge,
            at: at(25),
            due_at: at(24),
        },
    ]
}

#[test]
fn event_types_are_variant_names_at_version_1_0() {
    let events = one_of_every_event();
    let types: Vec<_> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, CASE_EVENT_TYPES);
    for event in &events {
        assert_eq!(event.event_version(), "1.0");
        let json = serde_json::to_value(event).expect("serialise");
        assert!(
            json.get(event.name()).is_some(),
            "externally tagged: {json}"
        );
        assert_eq!(
            serde_json::from_value::<CaseEvent>(json).ok().as_ref(),
            Some(event)
        );
    }
}

#[test]
fn replay_keeps_the_first_contact_owner_and_snapshots_round_trip() {
    let case = replay(one_of_every_event());
    let state = case.state().expect("opened");
    assert_eq!(state.status, CaseStatus::Closed);
    assert_eq!(state.first_contact_owner, sample_agent_id());
    assert_eq!(state.owner, sample_supervisor_id());
    assert_eq!(
        (state.csat, state.nps, state.reopen_count),
        (Some(4), Some(8), 1)
    );
    assert!(state.live_clocks().is_empty());
    let json = serde_json::to_string(&case).expect("serialise");
    assert_eq!(serde_json::from_str::<Case>(&json).ok(), Some(case));
}

#[test]
fn events_before_opening_are_ignored_on_replay() {
    assert_eq!(replay(vec![responded(), closed()]), Case::default());
}
