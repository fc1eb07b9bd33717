//! What callers can ask a case to do. Times come in with every command; the
//! SLA clock commands are sent by the API's durable timer policy.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::agent::AgentId;
use crate::case::sla::{SlaMetric, SlaTargets};
use crate::case::values::{CaseType, Priority};
use crate::customer::ContactChannel;
use crate::ids::{CaseId, CustomerId, OrderId, ReturnId, ShipmentId};

/// Everything needed to open a case. The caller has already picked the
/// owner (see [`crate::case::assign`]) and the SLA targets in force, and
/// computed their deadlines on its working calendar
/// ([`SlaTargets::deadlines`]): the case starts one clock per deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCase {
    pub case_id: CaseId,
    pub customer_id: CustomerId,
    pub case_type: CaseType,
    pub priority: Priority,
    pub channel: ContactChannel,
    pub subject: String,
    pub order_id: Option<OrderId>,
    pub shipment_id: Option<ShipmentId>,
    pub return_id: Option<ReturnId>,
    pub assigned_to: AgentId,
    pub sla: SlaTargets,
    /// Empty only for callers that leave the clocks to the timer policy.
    pub deadlines: BTreeMap<SlaMetric, DateTime<Utc>>,
    pub opened_at: DateTime<Utc>,
}

/// Commands accepted by the `Case` aggregate.
// Open carries the whole case while the rest are a few fields.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseCommand {
    Open(OpenCase),
    FirstResponse {
        agent: AgentId,
        at: DateTime<Utc>,
    },
    WaitOnCustomer {
        at: DateTime<Utc>,
    },
    CustomerReplied {
        at: DateTime<Utc>,
    },
    /// Hands the case to another agent or desk; the first-contact owner
    /// stays on record.
    Escalate {
        to_agent: AgentId,
        reason: String,
        at: DateTime<Utc>,
    },
    Resolve {
        resolution: String,
        first_contact_resolution: bool,
        at: DateTime<Utc>,
    },
    Reopen {
        reason: String,
        at: DateTime<Utc>,
    },
    Close {
        at: DateTime<Utc>,
    },
    RateSatisfaction {
        csat: u8,
        comment: Option<String>,
        at: DateTime<Utc>,
    },
    RecordNps {
        score: u8,
        comment: Option<String>,
        at: DateTime<Utc>,
    },
    StartSlaClock {
        metric: SlaMetric,
        due_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    PauseSlaClock {
        metric: SlaMetric,
        at: DateTime<Utc>,
    },
    ResumeSlaClock {
        metric: SlaMetric,
        at: DateTime<Utc>,
    },
    FulfilSlaClock {
        metric: SlaMetric,
        at: DateTime<Utc>,
    },
    BreachSlaClock {
        metric: SlaMetric,
        at: DateTime<Utc>,
    },
}

impl CaseCommand {
    /// Whether a closed case still accepts the command: late surveys, and
    /// the timer policy settling clocks that were still running.
    pub const fn allowed_when_closed(&self) -> bool {
        matches!(
            self,
            Self::RateSatisfaction { .. }
                | Self::RecordNps { .. }
                | Self::FulfilSlaClock { .. }
                | Self::BreachSlaClock { .. }
        )
    }

    /// Stable name for logs and metrics.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Open(_) => "Open",
            Self::FirstResponse { .. } => "FirstResponse",
            Self::WaitOnCustomer { .. } => "WaitOnCustomer",
            Self::CustomerReplied { .. } => "CustomerReplied",
            Self::Escalate { .. } => "Escalate",
            Self::Resolve { .. } => "Resolve",
            Self::Reopen { .. } => "Reopen",
            Self::Close { .. } => "Close",
            Self::RateSatisfaction { .. } => "RateSatisfaction",
            Self::RecordNps { .. } => "RecordNps",
            Self::StartSlaClock { .. } => "StartSlaClock",
            Self::PauseSlaClock { .. } => "PauseSlaClock",
            Self::ResumeSlaClock { .. } => "ResumeSlaClock",
            Self::FulfilSlaClock { .. } => "FulfilSlaClock",
            Self::BreachSlaClock { .. } => "BreachSlaClock",
        }
    }

    /// When the command happened; every command but `Open` must not predate
    /// the case.
    pub const fn at(&self) -> DateTime<Utc> {
        match self {
            Self::Open(open) => open.opened_at,
            Self::FirstResponse { at, .. }
            | Self::WaitOnCustomer { at }
            | Self::CustomerReplied { at }
            | Self::Escalate { at, .. }
            | Self::Resolve { at, .. }
            | Self::Reopen { at, .. }
            | Self::Close { at }
            | Self::RateSatisfaction { at, .. }
            | Self::RecordNps { at, .. }
            | Self::StartSlaClock { at, .. }
            | Self::PauseSlaClock { at, .. }
            | Self::ResumeSlaClock { at, .. }
            | Self::FulfilSlaClock { at, .. }
            | Self::BreachSlaClock { at, .. } => *at,
        }
    }
}
