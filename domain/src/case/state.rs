//! The state of an opened case, rebuilt from events only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::agent::AgentId;
use crate::case::clock::{self, Clocks, SlaClock};
use crate::case::events::{CaseEvent, CaseOpened};
use crate::case::sla::{SlaMetric, SlaTargets};
use crate::case::values::{CaseStatus, CaseType, Priority};
use crate::customer::ContactChannel;
use crate::ids::{CaseId, CustomerId, OrderId, ReturnId, ShipmentId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    pub case_id: CaseId,
    pub customer_id: CustomerId,
    pub case_type: CaseType,
    pub priority: Priority,
    pub channel: ContactChannel,
    pub subject: String,
    pub order_id: Option<OrderId>,
    pub shipment_id: Option<ShipmentId>,
    pub return_id: Option<ReturnId>,
    /// The first agent reached; never changes (首问负责制).
    pub first_contact_owner: AgentId,
    /// Who holds the case now: the first-contact owner until an escalation.
    pub owner: AgentId,
    pub escalation_level: u8,
    pub sla: SlaTargets,
    pub opened_at: DateTime<Utc>,
    pub status: CaseStatus,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub waiting_since: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub reopen_count: u32,
    pub csat: Option<u8>,
    pub nps: Option<u8>,
    pub clocks: Clocks,
}

impl CaseState {
    pub(crate) fn from_opened(opened: CaseOpened) -> Self {
        Self {
            case_id: opened.case_id,
            customer_id: opened.customer_id,
            case_type: opened.case_type,
            priority: opened.priority,
            channel: opened.channel,
            subject: opened.subject,
            order_id: opened.order_id,
            shipment_id: opened.shipment_id,
            return_id: opened.return_id,
            first_contact_owner: opened.owner.clone(),
            owner: opened.owner,
            escalation_level: 0,
            sla: opened.sla,
            opened_at: opened.opened_at,
            status: CaseStatus::Open,
            first_responded_at: None,
            waiting_since: None,
            resolved_at: None,
            reopen_count: 0,
            csat: None,
            nps: None,
            clocks: Clocks::new(),
        }
    }

    /// Folds a post-opening event in. Infallible: events are facts.
    pub(crate) fn apply(&mut self, event: CaseEvent) {
        clock::apply(&mut self.clocks, &event);
        match event {
            // One opening per stream; a stray second one is ignored.
            CaseEvent::CaseOpened(_) => {}
            CaseEvent::FirstResponded { at, .. } => self.first_responded_at = Some(at),
            CaseEvent::WaitingOnCustomer { at } => {
                self.status = CaseStatus::WaitingOnCustomer;
                self.waiting_since = Some(at);
            }
            CaseEvent::CustomerReplied { .. } => {
                self.status = CaseStatus::Open;
                self.waiting_since = None;
            }
            CaseEvent::CaseEscalated {
                to_agent, level, ..
            } => {
                self.owner = to_agent;
                self.escalation_level = level;
            }
            CaseEvent::CaseResolved { at, .. } => {
                self.status = CaseStatus::Resolved;
                self.resolved_at = Some(at);
                self.waiting_since = None;
            }
            CaseEvent::CaseReopened { reopen_count, .. } => {
                self.status = CaseStatus::Open;
                self.resolved_at = None;
                self.reopen_count = reopen_count;
            }
            CaseEvent::CaseClosed { .. } => self.status = CaseStatus::Closed,
            CaseEvent::SatisfactionRated { csat, .. } => self.csat = Some(csat),
            CaseEvent::NpsRecorded { score, .. } => self.nps = Some(score),
            CaseEvent::SlaClockStarted { .. }
            | CaseEvent::SlaClockPaused { .. }
            | CaseEvent::SlaClockResumed { .. }
            | CaseEvent::SlaClockFulfilled { .. }
            | CaseEvent::SlaClockBreached { .. } => {}
        }
    }

    pub fn clock(&self, metric: SlaMetric) -> Option<&SlaClock> {
        self.clocks.get(&metric)
    }

    /// Metrics whose clocks are still counting or paused, for the policy.
    pub fn live_clocks(&self) -> Vec<SlaMetric> {
        self.clocks
            .iter()
            .filter(|(_, clock)| clock.is_live())
            .map(|(metric, _)| *metric)
            .collect()
    }

    pub fn was_escalated(&self) -> bool {
        self.escalation_level > 0
    }
}
