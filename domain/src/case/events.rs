//! Facts recorded on a case stream, including the SLA clocks, so breach
//! history replays from events alone. Durations are precomputed in seconds
//! so KPI read models need no second look at the stream.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::case::agent::AgentId;
use crate::case::sla::{SlaMetric, SlaTargets};
use crate::case::values::{CaseType, Priority};
use crate::customer::ContactChannel;
use crate::ids::{CaseId, CustomerId, OrderId, ReturnId, ShipmentId};

/// Schema version of every event payload below.
pub const CASE_EVENT_VERSION: &str = "1.0";

/// All `event_type()` values, for stores and projections that dispatch on it.
pub const CASE_EVENT_TYPES: [&str; 15] = [
    "CaseOpened",
    "FirstResponded",
    "WaitingOnCustomer",
    "CustomerReplied",
    "CaseEscalated",
    "CaseResolved",
    "CaseReopened",
    "CaseClosed",
    "SatisfactionRated",
    "NpsRecorded",
    "SlaClockStarted",
    "SlaClockPaused",
    "SlaClockResumed",
    "SlaClockFulfilled",
    "SlaClockBreached",
];

/// The case as opened. `owner` is the first-contact owner (首问负责制).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOpened {
    pub case_id: CaseId,
    pub customer_id: CustomerId,
    pub case_type: CaseType,
    pub priority: Priority,
    pub channel: ContactChannel,
    pub subject: String,
    pub order_id: Option<OrderId>,
    pub shipment_id: Option<ShipmentId>,
    pub return_id: Option<ReturnId>,
    pub owner: AgentId,
    pub sla: SlaTargets,
    pub opened_at: DateTime<Utc>,
}

// CaseOpened is larger than the rest; as with orders, boxing would cost a
// pointer chase in every match for no gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseEvent {
    CaseOpened(CaseOpened),
    FirstResponded {
        agent: AgentId,
        at: DateTime<Utc>,
        /// First response time: `at − opened_at`.
        response_seconds: i64,
    },
    WaitingOnCustomer {
        at: DateTime<Utc>,
    },
    CustomerReplied {
        at: DateTime<Utc>,
        waited_seconds: i64,
    },
    CaseEscalated {
        from_agent: AgentId,
        to_agent: AgentId,
        /// 1 for the first escalation, counting up.
        level: u8,
        /// Unchanged by escalation, repeated so read models need no join.
        first_contact_owner: AgentId,
        reason: String,
        at: DateTime<Utc>,
    },
    CaseResolved {
        resolution: String,
        first_contact_resolution: bool,
        at: DateTime<Utc>,
        /// `at − opened_at`; after a reopen this is the latest resolution.
        resolution_seconds: i64,
    },
    CaseReopened {
        reason: String,
        at: DateTime<Utc>,
        reopen_count: u32,
    },
    CaseClosed {
        at: DateTime<Utc>,
    },
    SatisfactionRated {
        csat: u8,
        comment: Option<String>,
        at: DateTime<Utc>,
    },
    NpsRecorded {
        score: u8,
        comment: Option<String>,
        at: DateTime<Utc>,
    },
    SlaClockStarted {
        metric: SlaMetric,
        started_at: DateTime<Utc>,
        due_at: DateTime<Utc>,
    },
    SlaClockPaused {
        metric: SlaMetric,
        at: DateTime<Utc>,
    },
    /// `due_at` is pushed back by the time spent paused.
    SlaClockResumed {
        metric: SlaMetric,
        at: DateTime<Utc>,
        paused_seconds: i64,
        due_at: DateTime<Utc>,
    },
    SlaClockFulfilled {
        metric: SlaMetric,
        at: DateTime<Utc>,
        due_at: DateTime<Utc>,
        /// False when fulfilled late (breached before, or simply overdue).
        within_target: bool,
    },
    SlaClockBreached {
        metric: SlaMetric,
        at: DateTime<Utc>,
        due_at: DateTime<Utc>,
    },
}

impl CaseEvent {
    /// The variant name; also the stored `event_type`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::CaseOpened(_) => "CaseOpened",
            Self::FirstResponded { .. } => "FirstResponded",
            Self::WaitingOnCustomer { .. } => "WaitingOnCustomer",
            Self::CustomerReplied { .. } => "CustomerReplied",
            Self::CaseEscalated { .. } => "CaseEscalated",
            Self::CaseResolved { .. } => "CaseResolved",
            Self::CaseReopened { .. } => "CaseReopened",
            Self::CaseClosed { .. } => "CaseClosed",
            Self::SatisfactionRated { .. } => "SatisfactionRated",
            Self::NpsRecorded { .. } => "NpsRecorded",
            Self::SlaClockStarted { .. } => "SlaClockStarted",
            Self::SlaClockPaused { .. } => "SlaClockPaused",
            Self::SlaClockResumed { .. } => "SlaClockResumed",
            Self::SlaClockFulfilled { .. } => "SlaClockFulfilled",
            Self::SlaClockBreached { .. } => "SlaClockBreached",
        }
    }
}

impl DomainEvent for CaseEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        CASE_EVENT_VERSION.to_owned()
    }
}
