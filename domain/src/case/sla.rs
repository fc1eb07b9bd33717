//! Service-level targets: which metrics a case is measured on and how each
//! deadline is computed from the opening time and the working calendar.
//!
//! The seeds' service standard: acknowledge feedback within 24 h, handle it
//! within 72 h, report the result within 3 working days. Hours are calendar
//! hours; working days follow [`WorkCalendar`]. The targets in force are
//! snapshotted onto `CaseOpened`, so changing the policy later never
//! rewrites the deadlines of cases already open.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, WorkCalendar};
use crate::case::values::{CaseType, Priority};

coded_enum! {
    /// A measured promise, each with its own clock on the case stream.
    pub enum SlaMetric(field = "sla_metric") {
        Acknowledge => "acknowledge",
        Handle => "handle",
        ReportResult => "report_result",
    }
}

/// How far after the start a deadline lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "unit", content = "amount", rename_all = "snake_case")]
pub enum SlaDeadline {
    CalendarHours(u32),
    WorkingDays(u32),
}

impl SlaDeadline {
    pub fn due_at(
        self,
        start: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Result<DateTime<Utc>, CalendarError> {
        match self {
            Self::CalendarHours(hours) => calendar.add_hours(start, hours),
            Self::WorkingDays(days) => calendar.add_working_days(start, days),
        }
    }
}

/// One deadline per metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SlaTargets {
    pub acknowledge: SlaDeadline,
    pub handle: SlaDeadline,
    pub report_result: SlaDeadline,
}

impl SlaTargets {
    /// The seeds' service standard.
    pub const SERVICE_STANDARD: SlaTargets = SlaTargets {
        acknowledge: SlaDeadline::CalendarHours(24),
        handle: SlaDeadline::CalendarHours(72),
        report_result: SlaDeadline::WorkingDays(3),
    };

    pub const fn get(&self, metric: SlaMetric) -> SlaDeadline {
        match metric {
            SlaMetric::Acknowledge => self.acknowledge,
            SlaMetric::Handle => self.handle,
            SlaMetric::ReportResult => self.report_result,
        }
    }

    /// When `metric` is due for a case opened at `opened_at`.
    pub fn due_at(
        &self,
        metric: SlaMetric,
        opened_at: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Result<DateTime<Utc>, CalendarError> {
        self.get(metric).due_at(opened_at, calendar)
    }
}

impl Default for SlaTargets {
    fn default() -> Self {
        Self::SERVICE_STANDARD
    }
}

/// Targets for one (case type, priority) pair that differ from the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaOverride {
    pub case_type: CaseType,
    pub priority: Priority,
    pub targets: SlaTargets,
}

/// SLA targets per (case type, priority). The default applies the service
/// standard everywhere: the standard names no stricter targets, so none are
/// invented here; operators add overrides (e.g. urgent complaints).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub standard: SlaTargets,
    /// A list rather than a map so it serialises to plain JSON; the first
    /// entry for a pair wins.
    pub overrides: Vec<SlaOverride>,
}

impl SlaPolicy {
    pub fn with_override(
        mut self,
        case_type: CaseType,
        priority: Priority,
        targets: SlaTargets,
    ) -> Self {
        self.overrides.push(SlaOverride {
            case_type,
            priority,
            targets,
        });
        self
    }

    /// The targets to snapshot onto a new case.
    pub fn targets_for(&self, case_type: CaseType, priority: Priority) -> SlaTargets {
        self.overrides
            .iter()
            .find(|o| o.case_type == case_type && o.priority == priority)
            .map_or(self.standard, |o| o.targets)
    }

    pub fn due_at(
        &self,
        case_type: CaseType,
        priority: Priority,
        metric: SlaMetric,
        opened_at: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Result<DateTime<Utc>, CalendarError> {
        self.targets_for(case_type, priority)
            .due_at(metric, opened_at, calendar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("RFC 3339 instant")
    }

    #[test]
    fn standard_targets_from_a_friday_morning() {
        let calendar = WorkCalendar::default();
        let opened = utc("2025-03-07T02:00:00Z"); // Friday 10:00 Beijing
        let targets = SlaTargets::default();
        let due = |metric| targets.due_at(metric, opened, &calendar);
        assert_eq!(due(SlaMetric::Acknowledge), Ok(utc("2025-03-08T02:00:00Z")));
        assert_eq!(due(SlaMetric::Handle), Ok(utc("2025-03-10T02:00:00Z")));
        assert_eq!(
            due(SlaMetric::ReportResult),
            Ok(utc("2025-03-12T02:00:00Z"))
        );
    }

    #[test]
    fn overrides_apply_to_their_pair_only() {
        let urgent = SlaTargets {
            acknowledge: SlaDeadline::CalendarHours(2),
            handle: SlaDeadline::CalendarHours(24),
            report_result: SlaDeadline::WorkingDays(1),
        };
        let policy =
            SlaPolicy::default().with_override(CaseType::Complaint, Priority::Urgent, urgent);
        assert_eq!(
            policy.targets_for(CaseType::Complaint, Priority::Urgent),
            urgent
        );
        assert_eq!(
            policy.targets_for(CaseType::Inquiry, Priority::Urgent),
            SlaTargets::SERVICE_STANDARD
        );
        let opened = utc("2025-03-07T02:00:00Z");
        assert_eq!(
            policy.due_at(
                CaseType::Complaint,
                Priority::Urgent,
                SlaMetric::Acknowledge,
                opened,
                &WorkCalendar::default()
            ),
            Ok(utc("2025-03-07T04:00:00Z"))
        );
    }

    #[test]
    fn deadlines_serialise_with_their_unit() {
        let json = serde_json::to_value(SlaDeadline::WorkingDays(3)).expect("serialise");
        assert_eq!(
            json,
            serde_json::json!({"unit": "working_days", "amount": 3})
        );
        let policy = SlaPolicy::default().with_override(
            CaseType::Inquiry,
            Priority::Low,
            SlaTargets::SERVICE_STANDARD,
        );
        let back: SlaPolicy =
            serde_json::from_value(serde_json::to_value(&policy).expect("serialise"))
                .expect("deserialise");
        assert_eq!(back, policy);
    }
}
