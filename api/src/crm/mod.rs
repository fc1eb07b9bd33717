//! CRM configuration and time: the clock that time-based policies read (injectable so tests
//! control time), the working calendar, SLA targets, tier thresholds, the agent roster used
//! for automatic case assignment, and the analytics tunables. Calendar, targets and roster
//! come from the configuration file ([`config`]).

pub mod config;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use waybill_domain::calendar::WorkCalendar;
use waybill_domain::case::{AgentProfile, SlaPolicy};
use waybill_domain::crm::ChurnRules;
use waybill_domain::customer::TierPolicy;
use waybill_projections::customers::analytics::CrmParams;

use self::config::CrmConfig;

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
    pub churn: ChurnRules,
}

impl CrmSettings {
    /// The settings for a loaded configuration, on the system clock.
    pub fn configured(config: CrmConfig) -> CrmSettings {
        CrmSettings {
            clock: Arc::new(SystemClock),
            calendar: config.calendar,
            sla: config.sla,
            tiers: TierPolicy::default(),
            agents: config.agents,
            rfm_window_days: 365,
            churn: config.churn,
        }
    }
}

impl Default for CrmSettings {
    /// The built-in configuration; its file is checked by a test, so the fallback (standard
    /// targets everywhere, no holidays, no roster) is never reached in a release.
    fn default() -> Self {
        CrmSettings::configured(CrmConfig::defaults().unwrap_or_else(|_| CrmConfig {
            calendar: WorkCalendar::default(),
            sla: SlaPolicy::default(),
            agents: Vec::new(),
            churn: ChurnRules::default(),
        }))
    }
}

impl CrmSettings {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Analytics parameters for `as_of` (today in the calendar's offset when `None`).
    pub fn params(&self, as_of: Option<NaiveDate>) -> CrmParams {
        let today = self.calendar.local_date(self.now());
        CrmParams {
            churn: self.churn,
            ..CrmParams::new(
                as_of.unwrap_or(today),
                self.calendar.offset,
                self.rfm_window_days,
            )
        }
    }
}
