//! CRM configuration and time: the clock that time-based policies read (injectable so tests
//! control time), the working calendar, SLA targets, tier thresholds, the agent roster used
//! for automatic case assignment, and the analytics tunables.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use waybill_domain::calendar::WorkCalendar;
use waybill_domain::case::{AgentId, AgentProfile, CaseType, SlaPolicy};
use waybill_domain::customer::{Tier, TierPolicy};
use waybill_projections::customers::analytics::CrmParams;

/// Where "now" comes from for everything that is not a request's own timestamp.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock tests set and advance by hand.
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn at(now: DateTime<Utc>) -> TestClock {
        TestClock(Mutex::new(now))
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = now;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Points earned per completed order: one point per whole currency unit of the grand total.
pub const MINOR_UNITS_PER_POINT: i64 = 100;
/// Desk that owns a case when no agent is configured.
pub const FALLBACK_DESK: &str = "service-desk";

pub struct CrmSettings {
    pub clock: Arc<dyn Clock>,
    pub calendar: WorkCalendar,
    pub sla: SlaPolicy,
    pub tiers: TierPolicy,
    /// Agents available for assignment; `open_cases` is filled from `rm_cases` at assignment.
    pub agents: Vec<AgentProfile>,
    pub rfm_window_days: u32,
}

impl Default for CrmSettings {
    fn default() -> Self {
        CrmSettings {
            clock: Arc::new(SystemClock),
            calendar: WorkCalendar::default(),
            sla: SlaPolicy::default(),
            tiers: TierPolicy::default(),
            agents: default_agents(),
            rfm_window_days: 365,
        }
    }
}

impl CrmSettings {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Analytics parameters for `as_of` (today in the calendar's offset when `None`).
    pub fn params(&self, as_of: Option<NaiveDate>) -> CrmParams {
        let today = self.calendar.local_date(self.now());
        CrmParams::new(
            as_of.unwrap_or(today),
            self.calendar.offset,
            self.rfm_window_days,
        )
    }
}

fn agent(id: &str, skills: &[CaseType], tiers: &[Tier]) -> Option<AgentProfile> {
    Some(AgentProfile {
        id: AgentId::parse(id).ok()?,
        skills: skills.iter().copied().collect(),
        tiers_served: tiers.iter().copied().collect(),
        open_cases: 0,
    })
}

/// A small default roster: a VIP desk for Gold/Black, and skilled generalists.
pub fn default_agents() -> Vec<AgentProfile> {
    [
        agent(
            "vip-desk",
            &[CaseType::Complaint, CaseType::Inquiry, CaseType::AfterSales],
            &[Tier::Gold, Tier::Black],
        ),
        agent("agent-complaints", &[CaseType::Complaint], &[]),
        agent("agent-inquiries", &[CaseType::Inquiry], &[]),
        agent("agent-after-sales", &[CaseType::AfterSales], &[]),
    ]
    .into_iter()
    .flatten()
    .collect()
}
