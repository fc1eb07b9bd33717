//! Ready-made valid case values for tests in this and other crates. Not
//! behind `cfg(test)` so downstream suites can use it; no IO.
//!
//! The sample case: the sample customer complains over online chat about
//! the sample order on Friday 2025-03-07 10:00 Beijing time (02:00 UTC),
//! owned by `agent-li`, under the service-standard SLA.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::case::agent::AgentId;
use crate::case::commands::OpenCase;
use crate::case::events::{CaseEvent, CaseOpened};
use crate::case::sla::SlaTargets;
use crate::case::values::{CaseType, Priority};
use crate::customer::ContactChannel;
use crate::ids::CaseId;
use crate::order::sample::{sample_customer_id, sample_order_id};

pub use crate::customer::sample::sample_agent_id;

/// 2025-03-07T02:00:00Z, a Friday.
pub const SAMPLE_OPENED_AT_SECS: i64 = 1_741_312_800;
pub const SAMPLE_SUPERVISOR_ID: &str = "desk-supervisor";
pub const SAMPLE_SUBJECT: &str = "Tea arrived with a broken seal";

pub fn sample_opened_at() -> DateTime<Utc> {
    DateTime::from_timestamp(SAMPLE_OPENED_AT_SECS, 0).unwrap_or_default()
}

pub fn sample_case_id() -> CaseId {
    CaseId::from_uuid(Uuid::from_u128(0x0195_6f2a_0000_7000_8000_0000_0000_0001))
}

pub fn sample_supervisor_id() -> AgentId {
    AgentId::trusted(SAMPLE_SUPERVISOR_ID)
}

pub fn sample_open_case() -> OpenCase {
    OpenCase {
        case_id: sample_case_id(),
        customer_id: sample_customer_id(),
        case_type: CaseType::Complaint,
        priority: Priority::Normal,
        channel: ContactChannel::OnlineChat,
        subject: SAMPLE_SUBJECT.into(),
        order_id: Some(sample_order_id()),
        shipment_id: None,
        return_id: None,
        assigned_to: sample_agent_id(),
        sla: SlaTargets::SERVICE_STANDARD,
        deadlines: Default::default(),
        opened_at: sample_opened_at(),
    }
}

/// What opening [`sample_open_case`] records, spelled out by hand.
pub fn sample_case_opened() -> CaseEvent {
    CaseEvent::CaseOpened(CaseOpened {
        case_id: sample_case_id(),
        customer_id: sample_customer_id(),
        case_type: CaseType::Complaint,
        priority: Priority::Normal,
        channel: ContactChannel::OnlineChat,
        subject: SAMPLE_SUBJECT.into(),
        order_id: Some(sample_order_id()),
        shipment_id: None,
        return_id: None,
        owner: sample_agent_id(),
        sla: SlaTargets::SERVICE_STANDARD,
        opened_at: sample_opened_at(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Case, CaseCommand};

    #[test]
    fn sample_literals_pass_their_own_validation() {
        assert!(AgentId::parse(SAMPLE_SUPERVISOR_ID).is_ok());
        assert_eq!(sample_opened_at().to_rfc3339(), "2025-03-07T02:00:00+00:00");
    }

    #[test]
    fn sample_case_opened_matches_what_opening_records() {
        let decided = Case::default().decide(CaseCommand::Open(sample_open_case()));
        assert_eq!(decided, Ok(vec![sample_case_opened()]));
    }
}
