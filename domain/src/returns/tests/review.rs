//! `Approve` / `Reject`, and the gate that review puts before everything else.

use super::*;
use crate::returns::{ReturnError, ReviewDecision};
use crate::validation::ValidationError;

fn reject(reason: &str) -> ReturnCommand {
    ReturnCommand::Reject {
        agent: SAMPLE_AGENT.into(),
        reason: reason.into(),
        at: day(6),
    }
}

#[test]
fn approving_records_the_agent() {
    rma()
        .given(vec![requested()])
        .when(approve())
        .then_expect_events(vec![approved()]);
}

#[test]
fn approval_may_carry_a_note() {
    rma()
        .given(vec![requested()])
        .when(ReturnCommand::Approve {
            agent: SAMPLE_AGENT.into(),
            note: Some("VIP customer, no label fee".into()),
            at: day(6),
        })
        .then_expect_events(vec![ReturnEvent::ReturnApproved {
            agent: SAMPLE_AGENT.into(),
            note: Some("VIP customer, no label fee".into()),
            at: day(6),
        }]);
}

#[test]
fn a_blank_note_is_refused_rather_than_stored() {
    rma()
        .given(vec![requested()])
        .when(ReturnCommand::Approve {
            agent: SAMPLE_AGENT.into(),
            note: Some(" ".into()),
            at: day(6),
        })
        .then_expect_error(ReturnError::Validation(ValidationError::Empty {
            field: "note",
        }));
}

#[test]
fn review_needs_an_agent() {
    rma()
        .given(vec![requested()])
        .when(ReturnCommand::Approve {
            agent: String::new(),
            note: None,
            at: day(6),
        })
        .then_expect_error(ReturnError::Validation(ValidationError::Empty {
            field: "agent",
        }));
}

#[test]
fn rejecting_records_the_reason() {
    rma()
        .given(vec![requested()])
        .when(reject("photos show no damage"))
        .then_expect_events(vec![rejected()]);
}

#[test]
fn rejecting_needs_a_reason() {
    rma()
        .given(vec![requested()])
        .when(reject(""))
        .then_expect_error(ReturnError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

#[test]
fn approving_twice_is_already_reviewed() {
    rma()
        .given(approved_history())
        .when(approve())
        .then_expect_error(ReturnError::AlreadyReviewed {
            decision: ReviewDecision::Approved,
        });
}

#[test]
fn rejecting_an_approved_return_is_already_reviewed() {
    rma()
        .given(approved_history())
        .when(reject("changed our mind"))
        .then_expect_error(ReturnError::AlreadyReviewed {
            decision: ReviewDecision::Approved,
        });
}

#[test]
fn every_command_on_an_unrequested_return_is_not_found() {
    for command in non_request_commands() {
        rma()
            .given_no_previous_events()
            .when(command)
            .then_expect_error(ReturnError::NotFound);
    }
}

#[test]
fn nothing_moves_before_approval() {
    for command in post_review_commands() {
        rma()
            .given(vec![requested()])
            .when(command)
            .then_expect_error(ReturnError::NotApproved);
    }
}

#[test]
fn a_rejected_return_accepts_nothing_but_close() {
    let mut commands = vec![approve(), reject("again")];
    commands.extend(post_review_commands());
    for command in commands {
        rma()
            .given(vec![requested(), rejected()])
            .when(command)
            .then_expect_error(ReturnError::Rejected);
    }
}
