//! First response, waiting on the customer, escalation, resolution,
//! reopening and closing.

use super::*;
use crate::case::{CaseError, CaseStatus};
use crate::validation::ValidationError;

fn first_response(hours: i64) -> CaseCommand {
    CaseCommand::FirstResponse {
        agent: sample_agent_id(),
        at: at(hours),
    }
}

#[test]
fn first_response_records_the_response_time() {
    case()
        .given(vec![opened()])
        .when(first_response(1))
        .then_expect_events(vec![responded()]);
}

#[test]
fn first_response_happens_once() {
    case()
        .given(vec![opened(), responded()])
        .when(first_response(2))
        .then_expect_error(CaseError::AlreadyResponded);
}

#[test]
fn first_response_after_resolution_is_refused() {
    case()
        .given(vec![opened(), resolved(false)])
        .when(first_response(6))
        .then_expect_error(CaseError::NotActive {
            status: CaseStatus::Resolved,
        });
}

#[test]
fn waiting_on_the_customer_records_when() {
    case()
        .given(vec![opened(), responded()])
        .when(CaseCommand::WaitOnCustomer { at: at(2) })
        .then_expect_events(vec![waiting(2)]);
}

#[test]
fn waiting_twice_is_refused() {
    case()
        .given(vec![opened(), waiting(2)])
        .when(CaseCommand::WaitOnCustomer { at: at(3) })
        .then_expect_error(CaseError::AlreadyWaiting);
}

#[test]
fn waiting_on_a_resolved_case_is_refused() {
    case()
        .given(vec![opened(), resolved(true)])
        .when(CaseCommand::WaitOnCustomer { at: at(6) })
        .then_expect_error(CaseError::NotActive {
            status: CaseStatus::Resolved,
        });
}

#[test]
fn a_customer_reply_ends_the_wait() {
    case()
        .given(vec![opened(), waiting(2)])
        .when(CaseCommand::CustomerReplied { at: at(5) })
        .then_expect_events(vec![CaseEvent::CustomerReplied {
            at: at(5),
            waited_seconds: 3 * 3_600,
        }]);
}

#[test]
fn a_reply_when_not_waiting_is_refused() {
    case()
        .given(vec![opened()])
        .when(CaseCommand::CustomerReplied { at: at(5) })
        .then_expect_error(CaseError::NotWaitingOnCustomer);
}

#[test]
fn a_reply_dated_before_the_wait_is_refused() {
    case()
        .given(vec![opened(), waiting(2)])
        .when(CaseCommand::CustomerReplied { at: at(1) })
        .then_expect_error(CaseError::ReplyBeforeWait {
            waiting_since: at(2),
            at: at(1),
        });
}

fn escalate(to: AgentId) -> CaseCommand {
    CaseCommand::Escalate {
        to_agent: to,
        reason: "refund above agent limit".into(),
        at: at(2),
    }
}

#[test]
fn escalating_moves_the_owner_and_keeps_the_first_contact_owner() {
    case()
        .given(vec![opened(), responded()])
        .when(escalate(sample_supervisor_id()))
        .then_expect_events(vec![escalated()]);
}

#[test]
fn a_second_escalation_counts_up_from_the_current_owner() {
    case()
        .given(vec![opened(), escalated()])
        .when(escalate(agent("desk-manager")))
        .then_expect_events(vec![CaseEvent::CaseEscalated {
            from_agent: sample_supervisor_id(),
            to_agent: agent("desk-manager"),
            level: 2,
            first_contact_owner: sample_agent_id(),
            reason: "refund above agent limit".into(),
            at: at(2),
        }]);
}

#[test]
fn escalating_to_the_current_owner_is_refused() {
    case()
        .given(vec![opened()])
        .when(escalate(sample_agent_id()))
        .then_expect_error(CaseError::AlreadyOwner {
            agent: sample_agent_id(),
        });
}

#[test]
fn escalating_a_resolved_case_is_refused() {
    case()
        .given(vec![opened(), resolved(true)])
        .when(escalate(sample_supervisor_id()))
        .then_expect_error(CaseError::NotActive {
            status: CaseStatus::Resolved,
        });
}

#[test]
fn escalating_needs_a_reason() {
    case()
        .given(vec![opened()])
        .when(CaseCommand::Escalate {
            to_agent: sample_supervisor_id(),
            reason: String::new(),
            at: at(2),
        })
        .then_expect_error(CaseError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

fn resolve(first_contact_resolution: bool) -> CaseCommand {
    CaseCommand::Resolve {
        resolution: "replacement sent".into(),
        first_contact_resolution,
        at: at(5),
    }
}

#[test]
fn resolving_records_fcr_and_resolution_time() {
    case()
        .given(vec![opened(), responded()])
        .when(resolve(true))
        .then_expect_events(vec![resolved(true)]);
}

#[test]
fn resolving_while_waiting_on_the_customer_is_allowed() {
    case()
        .given(vec![opened(), waiting(2)])
        .when(resolve(false))
        .then_expect_events(vec![resolved(false)]);
}

#[test]
fn an_escalated_or_reopened_case_cannot_claim_first_contact_resolution() {
    for history in [
        vec![opened(), escalated()],
        vec![opened(), resolved(true), reopened()],
    ] {
        case()
            .given(history.clone())
            .when(resolve(true))
            .then_expect_error(CaseError::NotFirstContact);
        assert!(case()
            .given(history)
            .when(resolve(false))
            .inspect_result()
            .is_ok());
    }
}

#[test]
fn resolving_twice_is_refused() {
    case()
        .given(vec![opened(), resolved(true)])
        .when(resolve(true))
        .then_expect_error(CaseError::AlreadyResolved);
}

#[test]
fn resolving_needs_a_resolution() {
    case()
        .given(vec![opened()])
        .when(CaseCommand::Resolve {
            resolution: " ".into(),
            first_contact_resolution: true,
            at: at(5),
        })
        .then_expect_error(CaseError::Validation(ValidationError::Empty {
            field: "resolution",
        }));
}

fn reopen() -> CaseCommand {
    CaseCommand::Reopen {
        reason: "replacement also damaged".into(),
        at: at(30),
    }
}

#[test]
fn reopening_a_resolved_case_counts_reopens() {
    case()
        .given(vec![opened(), resolved(true)])
        .when(reopen())
        .then_expect_events(vec![reopened()]);
}

#[test]
fn reopening_an_unresolved_case_is_refused() {
    case()
        .given(vec![opened()])
        .when(reopen())
        .then_expect_error(CaseError::NotResolved {
            status: CaseStatus::Open,
        });
}

#[test]
fn reopening_needs_a_reason() {
    case()
        .given(vec![opened(), resolved(true)])
        .when(CaseCommand::Reopen {
            reason: String::new(),
            at: at(30),
        })
        .then_expect_error(CaseError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

#[test]
fn closing_a_resolved_case() {
    case()
        .given(vec![opened(), resolved(true)])
        .when(CaseCommand::Close { at: at(48) })
        .then_expect_events(vec![closed()]);
}

#[test]
fn closing_before_resolution_is_refused() {
    case()
        .given(vec![opened(), waiting(2)])
        .when(CaseCommand::Close { at: at(48) })
        .then_expect_error(CaseError::NotResolved {
            status: CaseStatus::WaitingOnCustomer,
        });
}

#[test]
fn closing_twice_is_closed() {
    case()
        .given(vec![opened(), resolved(true), closed()])
        .when(CaseCommand::Close { at: at(49) })
        .then_expect_error(CaseError::Closed);
}

#[test]
fn reopening_a_closed_case_is_closed() {
    case()
        .given(vec![opened(), resolved(true), closed()])
        .when(reopen())
        .then_expect_error(CaseError::Closed);
}
