//! Command decisions for `Case`: pure functions from state and command to
//! the events to record, or a typed refusal.

use chrono::{DateTime, Utc};

use crate::case::agent::AgentId;
use crate::case::aggregate::Case;
use crate::case::clock::{self, Clocks, Settlement};
use crate::case::commands::{CaseCommand, OpenCase};
use crate::case::error::CaseError;
use crate::case::events::{CaseEvent, CaseOpened};
use crate::case::sla::SlaMetric;
use crate::case::state::CaseState;
use crate::case::values::CaseStatus;
use crate::customer::{csat_score_rule, nps_score_rule, optional_comment};
use crate::validation::{long_text, short_text};

impl Case {
    /// Decides `command` against the current state without mutating it.
    pub fn decide(&self, command: CaseCommand) -> Result<Vec<CaseEvent>, CaseError> {
        let Some(state) = self.state() else {
            return match command {
                CaseCommand::Open(cmd) => open(cmd),
                _ => Err(CaseError::NotFound),
            };
        };
        // Re-opening an existing case is "already exists" whatever became
        // of it, so it is checked before the status and time guards.
        if !matches!(command, CaseCommand::Open(_)) {
            guard(state, &command)?;
        }
        use Settlement::*;
        let clocks = &state.clocks;
        let at = command.at();
        let (event, settlement) = match command {
            CaseCommand::Open(_) => {
                return Err(CaseError::AlreadyOpened {
                    case_id: state.case_id,
                })
            }
            CaseCommand::FirstResponse { agent, at } => (
                first_response(state, agent, at)?,
                Some(Fulfil(&[SlaMetric::Acknowledge])),
            ),
            CaseCommand::WaitOnCustomer { at } => (wait(state, at)?, Some(PauseRunning)),
            CaseCommand::CustomerReplied { at } => (replied(state, at)?, Some(ResumePaused)),
            CaseCommand::Escalate {
                to_agent,
                reason,
                at,
            } => (escalate(state, to_agent, reason, at)?, None),
            // A resolution answers the customer too, so it settles every
            // clock still open, acknowledge included when no first
            // response came.
            CaseCommand::Resolve {
                resolution,
                first_contact_resolution,
                at,
            } => (
                resolve(state, resolution, first_contact_resolution, at)?,
                Some(Fulfil(SlaMetric::ALL)),
            ),
            CaseCommand::Reopen { reason, at } => (reopen(state, reason, at)?, None),
            CaseCommand::Close { at } => (close(state, at)?, None),
            CaseCommand::RateSatisfaction { csat, comment, at } => {
                (rate(state, csat, comment, at)?, None)
            }
            CaseCommand::RecordNps { score, comment, at } => {
                (nps(state, score, comment, at)?, None)
            }
            // The timer policy's own commands move one clock each.
            CaseCommand::StartSlaClock { metric, due_at, at } => {
                return Ok(vec![clock::start(clocks, metric, due_at, at)?])
            }
            CaseCommand::PauseSlaClock { metric, at } => {
                return Ok(vec![clock::pause(clocks, metric, at)?])
            }
            CaseCommand::ResumeSlaClock { metric, at } => {
                return Ok(vec![clock::resume(clocks, metric, at)?])
            }
            CaseCommand::FulfilSlaClock { metric, at } => {
                return Ok(vec![clock::fulfil(clocks, metric, at)?])
            }
            CaseCommand::BreachSlaClock { metric, at } => {
                return Ok(vec![clock::breach(clocks, metric, at)?])
            }
        };
        with_clocks(state, at, event, settlement)
    }
}

/// A fact about the case with what it does to the SLA clocks: first the
/// breaches it reveals, then the fact, then the clocks it settles — one
/// decision, so a late response is a breach the moment it is recorded.
fn with_clocks(
    state: &CaseState,
    at: DateTime<Utc>,
    event: CaseEvent,
    settlement: Option<Settlement>,
) -> Result<Vec<CaseEvent>, CaseError> {
    let mut events = clock::overdue(&state.clocks, at);
    let mut clocks = state.clocks.clone();
    for breach in &events {
        clock::apply(&mut clocks, breach);
    }
    events.push(event);
    if let Some(settlement) = settlement {
        events.extend(clock::settle(&clocks, settlement, at)?);
    }
    Ok(events)
}

/// Rules every command on an existing case obeys: closed is final (but for
/// late surveys and clock settlement) and nothing predates the opening.
fn guard(state: &CaseState, command: &CaseCommand) -> Result<(), CaseError> {
    if state.status == CaseStatus::Closed && !command.allowed_when_closed() {
        return Err(CaseError::Closed);
    }
    let at = command.at();
    if at < state.opened_at {
        return Err(CaseError::BeforeOpened {
            opened_at: state.opened_at,
            at,
        });
    }
    Ok(())
}

/// The opening and one started clock per deadline the command carries.
fn open(cmd: OpenCase) -> Result<Vec<CaseEvent>, CaseError> {
    short_text("subject", &cmd.subject)?;
    let clocks = cmd
        .deadlines
        .iter()
        .map(|(metric, due_at)| clock::start(&Clocks::new(), *metric, *due_at, cmd.opened_at))
        .collect::<Result<Vec<_>, _>>()?;
    let opened = CaseEvent::CaseOpened(CaseOpened {
        case_id: cmd.case_id,
        customer_id: cmd.customer_id,
        case_type: cmd.case_type,
        priority: cmd.priority,
        channel: cmd.channel,
        subject: cmd.subject,
        order_id: cmd.order_id,
        shipment_id: cmd.shipment_id,
        return_id: cmd.return_id,
        owner: cmd.assigned_to,
        sla: cmd.sla,
        opened_at: cmd.opened_at,
    });
    Ok([vec![opened], clocks].concat())
}

fn active(state: &CaseState) -> Result<(), CaseError> {
    if state.status.is_active() {
        Ok(())
    } else {
        Err(CaseError::NotActive {
            status: state.status,
        })
    }
}

fn has_outcome(state: &CaseState) -> Result<(), CaseError> {
    if state.status.has_outcome() {
        Ok(())
    } else {
        Err(CaseError::NotResolved {
            status: state.status,
        })
    }
}

fn since_opened(state: &CaseState, at: DateTime<Utc>) -> i64 {
    (at - state.opened_at).num_seconds()
}

fn first_response(
    state: &CaseState,
    agent: AgentId,
    at: DateTime<Utc>,
) -> Result<CaseEvent, CaseError> {
    if state.first_responded_at.is_some() {
        return Err(CaseError::AlreadyResponded);
    }
    active(state)?;
    Ok(CaseEvent::FirstResponded {
        agent,
        at,
        response_seconds: since_opened(state, at),
    })
}

fn wait(state: &CaseState, at: DateTime<Utc>) -> Result<CaseEvent, CaseError> {
    match state.status {
        CaseStatus::Open => Ok(CaseEvent::WaitingOnCustomer { at }),
        CaseStatus::WaitingOnCustomer => Err(CaseError::AlreadyWaiting),
        status => Err(CaseError::NotActive { status }),
    }
}

fn replied(state: &CaseState, at: DateTime<Utc>) -> Result<CaseEvent, CaseError> {
    match (state.status, state.waiting_since) {
        (CaseStatus::WaitingOnCustomer, Some(since)) if at >= since => {
            Ok(CaseEvent::CustomerReplied {
                at,
                waited_seconds: (at - since).num_seconds(),
            })
        }
        (CaseStatus::WaitingOnCustomer, Some(since)) => Err(CaseError::ReplyBeforeWait {
            waiting_since: since,
            at,
        }),
        _ => Err(CaseError::NotWaitingOnCustomer),
    }
}

/// The first-contact owner stays recorded on the state and the event; only
/// the current owner moves.
fn escalate(
    state: &CaseState,
    to_agent: AgentId,
    reason: String,
    at: DateTime<Utc>,
) -> Result<CaseEvent, CaseError> {
    long_text("reason", &reason)?;
    active(state)?;
    if to_agent == state.owner {
        return Err(CaseError::AlreadyOwner { agent: to_agent });
    }
    Ok(CaseEvent::CaseEscalated {
        from_agent: state.owner.clone(),
        to_agent,
        level: state.escalation_level.saturating_add(1),
        first_contact_owner: state.first_contact_owner.clone(),
        reason,
        at,
    })
}

/// First-contact resolution cannot be claimed for a case that had to be
/// escalated or reopened: the ≥ 90 % FCR target would be meaningless.
fn resolve(
    state: &CaseState,
    resolution: String,
    first_contact_resolution: bool,
    at: DateTime<Utc>,
) -> Result<CaseEvent, CaseError> {
    long_text("resolution", &resolution)?;
    if state.status == CaseStatus::Resolved {
        return Err(CaseError::AlreadyResolved);
    }
    if first_contact_resolution && (state.was_escalated() || state.reopen_count > 0) {
        return Err(CaseError::NotFirstContact);
    }
    Ok(CaseEvent::CaseResolved {
        resolution,
        first_contact_resolution,
        at,
        resolution_seconds: since_opened(state, at),
    })
}

fn reopen(state: &CaseState, reason: String, at: DateTime<Utc>) -> Result<CaseEvent, CaseError> {
    long_text("reason", &reason)?;
    if state.status != CaseStatus::Resolved {
        return Err(CaseError::NotResolved {
            status: state.status,
        });
    }
    Ok(CaseEvent::CaseReopened {
        reason,
        at,
        reopen_count: state.reopen_count.saturating_add(1),
    })
}

fn close(state: &CaseState, at: DateTime<Utc>) -> Result<CaseEvent, CaseError> {
    if state.status != CaseStatus::Resolved {
        return Err(CaseError::NotResolved {
            status: state.status,
        });
    }
    Ok(CaseEvent::CaseClosed { at })
}

fn rate(
    state: &CaseState,
    csat: u8,
    comment: Option<String>,
    at: DateTime<Utc>,
) -> Result<CaseEvent, CaseError> {
    csat_score_rule(csat)?;
    optional_comment(comment.as_deref())?;
    has_outcome(state)?;
    if state.csat.is_some() {
        return Err(CaseError::AlreadyRated);
    }
    Ok(CaseEvent::SatisfactionRated { csat, comment, at })
}

fn nps(
    state: &CaseState,
    score: u8,
    comment: Option<String>,
    at: DateTime<Utc>,
) -> Result<CaseEvent, CaseError> {
    nps_score_rule(score)?;
    optional_comment(comment.as_deref())?;
    has_outcome(state)?;
    if state.nps.is_some() {
        return Err(CaseError::AlreadySurveyed);
    }
    Ok(CaseEvent::NpsRecorded { score, comment, at })
}
