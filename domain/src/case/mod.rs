//! The event-sourced service `Case` aggregate (stream id = `CaseId`).
//!
//! Lifecycle: `open ⇄ waiting_on_customer → resolved → closed`, with
//! `resolved → open` on reopen; `closed` is final except for late surveys
//! and SLA clock settlement. The first agent reached owns the case
//! (首问负责制): only an explicit escalation moves it, and the first-contact
//! owner stays on record. SLA clocks (acknowledge, handle, report result)
//! are events on the same stream: opening starts them from deadlines the
//! caller computed with [`SlaPolicy`] and [`crate::calendar::WorkCalendar`],
//! and every later fact settles them in the same decision (a late fact
//! records its breach); the API's sweep breaches clocks nobody touched.
//! [`assign`] is the pure routing rule that picks the first owner.

mod agent;
mod aggregate;
mod clock;
mod commands;
mod error;
mod events;
mod handlers;
pub mod sample;
mod sla;
mod state;
mod values;

#[cfg(test)]
mod tests;

pub use crate::order::ErrorKind;
pub use agent::{assign, AgentId, AgentProfile};
pub use aggregate::{Case, CASE_AGGREGATE_TYPE};
pub use clock::SlaClock;
pub use commands::{CaseCommand, OpenCase};
pub use error::CaseError;
pub use events::{CaseEvent, CaseOpened, CASE_EVENT_TYPES, CASE_EVENT_VERSION};
pub use sla::{
    PriorityTargets, SlaDeadline, SlaMetric, SlaOverride, SlaPolicy, SlaPolicyError, SlaTargets,
};
pub use state::CaseState;
pub use values::{CaseStatus, CaseType, Priority};
