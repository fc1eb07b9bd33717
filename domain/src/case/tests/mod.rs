//! Given/when/then tests for every case command: each acceptance and each
//! refusal. Histories are hand-written events so each test states its own
//! expectations.

mod experienced;
mod feedback;
mod guards;
mod lifecycle;
mod sla;

use chrono::{DateTime, TimeDelta, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use crate::case::sample::*;
use crate::case::{AgentId, Case, CaseCommand, CaseEvent};

pub(super) fn case() -> TestFramework<Case> {
    TestFramework::with(())
}

pub(super) fn opened() -> CaseEvent {
    sample_case_opened()
}

/// `hours` after the sample case was opened.
pub(super) fn at(hours: i64) -> DateTime<Utc> {
    sample_opened_at() + TimeDelta::hours(hours)
}

pub(super) fn agent(value: &str) -> AgentId {
    AgentId::parse(value).expect("valid agent id")
}

pub(super) fn responded() -> CaseEvent {
    CaseEvent::FirstResponded {
        agent: sample_agent_id(),
        at: at(1),
        response_seconds: 3_600,
    }
}

pub(super) fn waiting(hours: i64) -> CaseEvent {
    CaseEvent::WaitingOnCustomer { at: at(hours) }
}

pub(super) fn escalated() -> CaseEvent {
    CaseEvent::CaseEscalated {
        from_agent: sample_agent_id(),
        to_agent: sample_supervisor_id(),
        level: 1,
        first_contact_owner: sample_agent_id(),
        reason: "refund above agent limit".into(),
        at: at(2),
    }
}

pub(super) fn resolved(first_contact_resolution: bool) -> CaseEvent {
    CaseEvent::CaseResolved {
        resolution: "replacement sent".into(),
        first_contact_resolution,
        at: at(5),
        resolution_seconds: 5 * 3_600,
    }
}

pub(super) fn reopened() -> CaseEvent {
    CaseEvent::CaseReopened {
        reason: "replacement also damaged".into(),
        at: at(30),
        reopen_count: 1,
    }
}

pub(super) fn closed() -> CaseEvent {
    CaseEvent::CaseClosed { at: at(48) }
}

/// One valid instance of every command but `Open`, for the sweeps.
pub(super) fn non_open_commands() -> Vec<CaseCommand> {
    use crate::case::SlaMetric::Acknowledge;
    vec![
        CaseCommand::FirstResponse {
            agent: sample_agent_id(),
            at: at(1),
        },
        CaseCommand::WaitOnCustomer { at: at(1) },
        CaseCommand::CustomerReplied { at: at(1) },
        CaseCommand::Escalate {
            to_agent: sample_supervisor_id(),
            reason: "needs approval".into(),
            at: at(1),
        },
        CaseCommand::Resolve {
            resolution: "explained".into(),
            first_contact_resolution: true,
            at: at(1),
        },
        CaseCommand::Reopen {
            reason: "not fixed".into(),
            at: at(1),
        },
        CaseCommand::Close { at: at(1) },
        CaseCommand::RateSatisfaction {
            csat: 5,
            comment: None,
            at: at(1),
        },
        CaseCommand::RecordNps {
            score: 9,
            comment: None,
            at: at(1),
        },
        CaseCommand::StartSlaClock {
            metric: Acknowledge,
            due_at: at(24),
            at: at(0),
        },
        CaseCommand::PauseSlaClock {
            metric: Acknowledge,
            at: at(1),
        },
        CaseCommand::ResumeSlaClock {
            metric: Acknowledge,
            at: at(1),
        },
        CaseCommand::FulfilSlaClock {
            metric: Acknowledge,
            at: at(1),
        },
        CaseCommand::BreachSlaClock {
            metric: Acknowledge,
            at: at(25),
        },
    ]
}

/// Rebuilds an aggregate the way the event store does.
pub(super) fn replay(events: Vec<CaseEvent>) -> Case {
    let mut case = Case::default();
    for event in events {
        case.apply(event);
    }
    case
}
