//! Why a case command was refused. The SLA clock refusals are what makes the
//! timer policy safe to retry: a repeated transition is a typed no.

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::case::agent::AgentId;
use crate::case::sla::SlaMetric;
use crate::case::values::CaseStatus;
use crate::ids::CaseId;
use crate::order::ErrorKind;
use crate::validation::ValidationError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CaseError {
    #[error("case not found")]
    NotFound,
    #[error("case {case_id} has already been opened")]
    AlreadyOpened { case_id: CaseId },
    #[error("case is closed")]
    Closed,

    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("{at} is before the case was opened at {opened_at}")]
    BeforeOpened {
        opened_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },

    #[error("reply at {at} predates the wait that began at {waiting_since}")]
    ReplyBeforeWait {
        waiting_since: DateTime<Utc>,
        at: DateTime<Utc>,
    },

    #[error("case is {status}, not being worked on")]
    NotActive { status: CaseStatus },
    #[error("case has already had its first response")]
    AlreadyResponded,
    #[error("case is already waiting on the customer")]
    AlreadyWaiting,
    #[error("case is not waiting on the customer")]
    NotWaitingOnCustomer,
    #[error("{agent} already owns the case")]
    AlreadyOwner { agent: AgentId },
    #[error("an escalated or reopened case was not resolved at first contact")]
    NotFirstContact,
    #[error("case is already resolved")]
    AlreadyResolved,
    #[error("case is {status}, not resolved")]
    NotResolved { status: CaseStatus },
    #[error("satisfaction has already been rated")]
    AlreadyRated,
    #[error("NPS has already been recorded")]
    AlreadySurveyed,

    #[error("{metric} clock has already been started")]
    SlaClockAlreadyStarted { metric: SlaMetric },
    #[error("{metric} clock has not been started")]
    SlaClockNotStarted { metric: SlaMetric },
    #[error("{metric} clock is already paused")]
    SlaClockAlreadyPaused { metric: SlaMetric },
    #[error("{metric} clock is not paused")]
    SlaClockNotPaused { metric: SlaMetric },
    #[error("{metric} clock is paused and cannot breach")]
    SlaClockPaused { metric: SlaMetric },
    #[error("{metric} clock has already been fulfilled")]
    SlaClockAlreadyFulfilled { metric: SlaMetric },
    #[error("{metric} clock has already been breached")]
    SlaClockAlreadyBreached { metric: SlaMetric },
    #[error("{metric} clock is not due until {due_at}")]
    SlaNotDue {
        metric: SlaMetric,
        due_at: DateTime<Utc>,
    },
    #[error("{metric} clock would be due at {due_at}, not after its start")]
    SlaDueBeforeStart {
        metric: SlaMetric,
        due_at: DateTime<Utc>,
    },
    #[error("{metric} clock cannot resume at {at}, before it paused at {paused_at}")]
    SlaResumeBeforePause {
        metric: SlaMetric,
        paused_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },
}

impl CaseError {
    pub fn kind(&self) -> ErrorKind {
        use CaseError::*;
        match self {
            NotFound => ErrorKind::NotFound,
            Validation(_)
            | BeforeOpened { .. }
            | ReplyBeforeWait { .. }
            | SlaDueBeforeStart { .. }
            | SlaResumeBeforePause { .. } => ErrorKind::InvalidInput,
            AlreadyOpened { .. }
            | Closed
            | NotActive { .. }
            | AlreadyResponded
            | AlreadyWaiting
            | NotWaitingOnCustomer
            | AlreadyOwner { .. }
            | NotFirstContact
            | AlreadyResolved
            | NotResolved { .. }
            | AlreadyRated
            | AlreadySurveyed
            | SlaClockAlreadyStarted { .. }
            | SlaClockNotStarted { .. }
            | SlaClockAlreadyPaused { .. }
            | SlaClockNotPaused { .. }
            | SlaClockPaused { .. }
            | SlaClockAlreadyFulfilled { .. }
            | SlaClockAlreadyBreached { .. }
            | SlaNotDue { .. } => ErrorKind::InvalidState,
        }
    }

    /// Stable snake_case code for API error bodies.
    pub fn code(&self) -> &'static str {
        use CaseError::*;
        match self {
            NotFound => "not_found",
            AlreadyOpened { .. } => "already_opened",
            Closed => "closed",
            Validation(_) => "validation",
            BeforeOpened { .. } => "before_opened",
            ReplyBeforeWait { .. } => "reply_before_wait",
            NotActive { .. } => "not_active",
            AlreadyResponded => "already_responded",
            AlreadyWaiting => "already_waiting",
            NotWaitingOnCustomer => "not_waiting_on_customer",
            AlreadyOwner { .. } => "already_owner",
            NotFirstContact => "not_first_contact",
            AlreadyResolved => "already_resolved",
            NotResolved { .. } => "not_resolved",
            AlreadyRated => "already_rated",
            AlreadySurveyed => "already_surveyed",
            SlaClockAlreadyStarted { .. } => "sla_clock_already_started",
            SlaClockNotStarted { .. } => "sla_clock_not_started",
            SlaClockAlreadyPaused { .. } => "sla_clock_already_paused",
            SlaClockNotPaused { .. } => "sla_clock_not_paused",
            SlaClockPaused { .. } => "sla_clock_paused",
            SlaClockAlreadyFulfilled { .. } => "sla_clock_already_fulfilled",
            SlaClockAlreadyBreached { .. } => "sla_clock_already_breached",
            SlaNotDue { .. } => "sla_not_due",
            SlaDueBeforeStart { .. } => "sla_due_before_start",
            SlaResumeBeforePause { .. } => "sla_resume_before_pause",
        }
    }
}
