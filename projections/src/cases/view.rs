//! The case document: a service case with its SLA clocks and their full history.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use waybill_domain::case::{CaseEvent, CaseStatus};

use crate::log::StoredEvent;
use crate::projection::ProjectionError;

/// One transition of an SLA clock, as recorded (breach history is replayable from these).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockTransition {
    /// started / paused / resumed / fulfilled / breached
    pub kind: String,
    pub at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockView {
    pub metric: String,
    /// running / paused / fulfilled / breached
    pub state: String,
    pub due_at: DateTime<Utc>,
    pub breached: bool,
    pub within_target: Option<bool>,
    pub history: Vec<ClockTransition>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseStep {
    pub kind: String,
    pub agent: Option<String>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    pub case_id: String,
    pub customer_id: String,
    pub case_type: String,
    pub priority: String,
    pub channel: String,
    pub subject: String,
    pub order_id: Option<String>,
    pub shipment_id: Option<String>,
    pub return_id: Option<String>,
    pub first_contact_owner: String,
    pub owner: String,
    pub escalation_level: u8,
    pub status: String,
    pub opened_at: DateTime<Utc>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub response_seconds: Option<i64>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_seconds: Option<i64>,
    pub resolution: Option<String>,
    pub first_contact_resolution: Option<bool>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reopen_count: u32,
    pub csat: Option<u8>,
    pub nps: Option<u8>,
    pub clocks: BTreeMap<String, ClockView>,
    pub timeline: Vec<CaseStep>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl CaseView {
    /// Earliest deadline of a running clock: what the breach sweep looks at.
    pub fn next_due_at(&self) -> Option<DateTime<Utc>> {
        self.clocks
            .values()
            .filter(|c| c.state == "running")
            .map(|c| c.due_at)
            .min()
    }

    pub fn breaches(&self) -> usize {
        self.clocks.values().filter(|c| c.breached).count()
    }
}

fn corrupt(event: &StoredEvent, why: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::Corrupt(format!(
        "{} {}#{} ({}): {why}",
        event.aggregate_type, event.aggregate_id, event.sequence, event.event_type
    ))
}

fn step(kind: &str, agent: Option<String>, note: Option<String>, at: DateTime<Utc>) -> CaseStep {
    CaseStep {
        kind: kind.to_string(),
        agent,
        note,
        at,
    }
}

/// Folds one case event into the document.
pub fn apply(
    doc: Option<CaseView>,
    event: &StoredEvent,
) -> Result<Option<CaseView>, ProjectionError> {
    let parsed = CaseEvent::deserialize(&event.payload).map_err(|e| corrupt(event, e))?;
    let mut view = match (parsed, doc) {
        (CaseEvent::CaseOpened(o), _) => CaseView {
            case_id: o.case_id.to_string(),
            customer_id: o.customer_id.to_string(),
            case_type: o.case_type.code().into(),
            priority: o.priority.code().into(),
            channel: o.channel.code().into(),
            subject: o.subject,
            order_id: o.order_id.map(|v| v.to_string()),
            shipment_id: o.shipment_id.map(|v| v.to_string()),
            return_id: o.return_id.map(|v| v.to_string()),
            first_contact_owner: o.owner.to_string(),
            owner: o.owner.to_string(),
            escalation_level: 0,
            status: CaseStatus::Open.code().into(),
            opened_at: o.opened_at,
            first_responded_at: None,
            response_seconds: None,
            resolved_at: None,
            resolution_seconds: None,
            resolution: None,
            first_contact_resolution: None,
            closed_at: None,
            reopen_count: 0,
            csat: None,
            nps: None,
            clocks: BTreeMap::new(),
            timeline: vec![step("opened", Some(o.owner.to_string()), None, o.opened_at)],
            updated_at: event.recorded_at,
            version: event.sequence,
        },
        (_, None) => return Err(corrupt(event, "event for a case that was never opened")),
        (other, Some(mut view)) => {
            apply_change(&mut view, other);
            view
        }
    };
    view.updated_at = event.recorded_at;
    view.version = event.sequence;
    Ok(Some(view))
}

fn clock_step<'a>(
    view: &'a mut CaseView,
    metric: &str,
    kind: &str,
    at: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
) -> Option<&'a mut ClockView> {
    let clock = view.clocks.get_mut(metric)?;
    clock.history.push(ClockTransition {
        kind: kind.into(),
        at,
        due_at: due,
    });
    Some(clock)
}

fn apply_change(view: &mut CaseView, event: CaseEvent) {
    match event {
        CaseEvent::CaseOpened(_) => {}
        CaseEvent::FirstResponded {
            agent,
            at,
            response_seconds,
        } => {
            view.first_responded_at = Some(at);
            view.response_seconds = Some(response_seconds);
            view.timeline
                .push(step("first_response", Some(agent.to_string()), None, at));
        }
        CaseEvent::WaitingOnCustomer { at } => {
            view.status = CaseStatus::WaitingOnCustomer.code().into();
            view.timeline
                .push(step("waiting_on_customer", None, None, at));
        }
        CaseEvent::CustomerReplied { at, .. } => {
            view.status = CaseStatus::Open.code().into();
            view.timeline.push(step("customer_replied", None, None, at));
        }
        CaseEvent::CaseEscalated {
            to_agent,
            level,
            reason,
            at,
            ..
        } => {
            view.owner = to_agent.to_string();
            view.escalation_level = level;
            view.timeline.push(step(
                "escalated",
                Some(to_agent.to_string()),
                Some(reason),
                at,
            ));
        }
        CaseEvent::CaseResolved {
            resolution,
            first_contact_resolution,
            at,
            resolution_seconds,
        } => {
            view.status = CaseStatus::Resolved.code().into();
            view.resolved_at = Some(at);
            view.resolution_seconds = Some(resolution_seconds);
            view.first_contact_resolution = Some(first_contact_resolution);
            view.timeline
                .push(step("resolved", None, Some(resolution.clone()), at));
            view.resolution = Some(resolution);
        }
        CaseEvent::CaseReopened {
            reason,
            at,
            reopen_count,
        } => {
            view.status = CaseStatus::Open.code().into();
            view.resolved_at = None;
            view.reopen_count = reopen_count;
            view.timeline.push(step("reopened", None, Some(reason), at));
        }
        CaseEvent::CaseClosed { at } => {
            view.status = CaseStatus::Closed.code().into();
            view.closed_at = Some(at);
            view.timeline.push(step("closed", None, None, at));
        }
        CaseEvent::SatisfactionRated { csat, at, comment } => {
            view.csat = Some(csat);
            view.timeline.push(step("csat", None, comment, at));
        }
        CaseEvent::NpsRecorded { score, at, comment } => {
            view.nps = Some(score);
            view.timeline.push(step("nps", None, comment, at));
        }
        CaseEvent::SlaClockStarted {
            metric,
            started_at,
            due_at,
        } => {
            view.clocks.insert(
                metric.code().into(),
                ClockView {
                    metric: metric.code().into(),
                    state: "running".into(),
                    due_at,
                    breached: false,
                    within_target: None,
                    history: vec![ClockTransition {
                        kind: "started".into(),
                        at: started_at,
                        due_at: Some(due_at),
                    }],
                },
            );
        }
        CaseEvent::SlaClockPaused { metric, at } => {
            if let Some(c) = clock_step(view, metric.code(), "paused", at, None) {
                c.state = "paused".into();
            }
        }
        CaseEvent::SlaClockResumed {
            metric, at, due_at, ..
        } => {
            if let Some(c) = clock_step(view, metric.code(), "resumed", at, Some(due_at)) {
                c.state = "running".into();
                c.due_at = due_at;
            }
        }
        CaseEvent::SlaClockFulfilled {
            metric,
            at,
            due_at,
            within_target,
        } => {
            if let Some(c) = clock_step(view, metric.code(), "fulfilled", at, Some(due_at)) {
                c.state = "fulfilled".into();
                c.within_target = Some(within_target);
            }
        }
        CaseEvent::SlaClockBreached { metric, at, due_at } => {
            if let Some(c) = clock_step(view, metric.code(), "breached", at, Some(due_at)) {
                c.state = "breached".into();
                c.breached = true;
                c.within_target = Some(false);
            }
        }
    }
}
