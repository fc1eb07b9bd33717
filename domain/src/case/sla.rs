//! Service-level targets: which metrics a case is measured on and how each
//! deadline is computed from the opening time and the working calendar.
//!
//! The seeds' service standard: acknowledge feedback within 24 h, handle it
//! within 72 h, report the result within 3 working days (for NORMAL; the
//! API's configuration makes HIGH and URGENT tighter). Hours are calendar
//! hours; working days follow [`WorkCalendar`]. The targets in force are
//! snapshotted onto `CaseOpened`, so changing the policy later never
//! rewrites the deadlines of cases already open.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

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

    /// Every metric's deadline for a case opened at `opened_at`, as
    /// [`crate::case::OpenCase`] carries them.
    pub fn deadlines(
        &self,
        opened_at: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Result<BTreeMap<SlaMetric, DateTime<Utc>>, CalendarError> {
        SlaMetric::ALL
            .iter()
            .map(|metric| Ok((*metric, self.due_at(*metric, opened_at, calendar)?)))
            .collect()
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

/// Targets for one (case type, priority) pair that differ from the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaOverride {
    pub case_type: CaseType,
    pub priority: Priority,
    pub targets: SlaTargets,
}

/// Targets for every case of one priority (unless a pair override applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityTargets {
    pub priority: Priority,
    pub targets: SlaTargets,
}

/// Why an SLA policy cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SlaPolicyError {
    #[error("{metric} target for {case_type}/{priority} must be at least one hour or working day")]
    Empty {
        case_type: CaseType,
        priority: Priority,
        metric: SlaMetric,
    },
    #[error("{metric} target for {case_type}/{priority} ({tighter:?}) is not as tight as for {looser_priority} ({looser:?})")]
    LooserThanLowerPriority {
        case_type: CaseType,
        priority: Priority,
        metric: SlaMetric,
        tighter: SlaDeadline,
        looser_priority: Priority,
        looser: SlaDeadline,
    },
}

/// SLA targets per (case type, priority): a pair override first, then the
/// priority's targets, then the standard. The API loads it from its CRM
/// configuration file (defaults documented in the README); `Default` is the
/// service standard everywhere, for tests.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub standard: SlaTargets,
    /// Lists rather than maps so they serialise to plain JSON; the first
    /// entry for a priority or pair wins.
    #[serde(default)]
    pub by_priority: Vec<PriorityTargets>,
    #[serde(default)]
    pub overrides: Vec<SlaOverride>,
}

impl SlaPolicy {
    pub fn with_priority(mut self, priority: Priority, targets: SlaTargets) -> Self {
        self.by_priority.push(PriorityTargets { priority, targets });
        self
    }

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
        let pair = self
            .overrides
            .iter()
            .find(|o| o.case_type == case_type && o.priority == priority)
            .map(|o| o.targets);
        let by_priority = || {
            self.by_priority
                .iter()
                .find(|p| p.priority == priority)
                .map(|p| p.targets)
        };
        pair.or_else(by_priority).unwrap_or(self.standard)
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

    /// Every target is positive, and for each case type and metric a more
    /// urgent priority is never provably looser than a less urgent one
    /// (HIGH and URGENT at least as tight as NORMAL).
    pub fn check(&self) -> Result<(), SlaPolicyError> {
        for case_type in CaseType::ALL.iter().copied() {
            for metric in SlaMetric::ALL.iter().copied() {
                let target = |priority| self.targets_for(case_type, priority).get(metric);
                for priority in Priority::ALL.iter().copied() {
                    if target(priority).amount() == 0 {
                        return Err(SlaPolicyError::Empty {
                            case_type,
                            priority,
                            metric,
                        });
                    }
                }
                for pair in Priority::ALL.windows(2) {
                    let [lower, higher] = [pair[0], pair[1]];
                    if !target(higher).at_least_as_tight_as(target(lower)) {
                        return Err(SlaPolicyError::LooserThanLowerPriority {
                            case_type,
                            priority: higher,
                            metric,
                            tighter: target(higher),
                            looser_priority: lower,
                            looser: target(lower),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

impl SlaDeadline {
    pub const fn amount(self) -> u32 {
        match self {
            Self::CalendarHours(n) | Self::WorkingDays(n) => n,
        }
    }

    /// Provably never later than `other`, from any start on any calendar.
    /// `n` working days always take at least `24 n` calendar hours
    /// (counting starts the next day), but may take far longer, so a
    /// working-day target is never provably tighter than an hour target.
    pub fn at_least_as_tight_as(self, other: SlaDeadline) -> bool {
        match (self, other) {
            (Self::CalendarHours(a), Self::CalendarHours(b))
            | (Self::WorkingDays(a), Self::WorkingDays(b)) => a <= b,
            (Self::CalendarHours(hours), Self::WorkingDays(days)) => {
                u64::from(hours) <= u64::from(days) * 24
            }
            (Self::WorkingDays(_), Self::CalendarHours(_)) => false,
        }
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

    fn targets(ack: u32, handle: u32, report: u32) -> SlaTargets {
        SlaTargets {
            acknowledge: SlaDeadline::CalendarHours(ack),
            handle: SlaDeadline::CalendarHours(handle),
            report_result: SlaDeadline::WorkingDays(report),
        }
    }

    /// NORMAL 24/72 h/3 d, HIGH 8/48 h/2 d, URGENT 2/24 h/1 d.
    fn tiered() -> SlaPolicy {
        SlaPolicy::default()
            .with_priority(Priority::High, targets(8, 48, 2))
            .with_priority(Priority::Urgent, targets(2, 24, 1))
    }

    #[test]
    fn a_pair_override_beats_its_priority_which_beats_the_standard() {
        let policy =
            tiered().with_override(CaseType::Complaint, Priority::Urgent, targets(1, 12, 1));
        assert_eq!(
            policy.targets_for(CaseType::Complaint, Priority::Urgent),
            targets(1, 12, 1)
        );
        assert_eq!(
            policy.targets_for(CaseType::Inquiry, Priority::Urgent),
            targets(2, 24, 1)
        );
        assert_eq!(
            policy.targets_for(CaseType::Inquiry, Priority::High),
            targets(8, 48, 2)
        );
        assert_eq!(
            policy.targets_for(CaseType::Inquiry, Priority::Normal),
            SlaTargets::SERVICE_STANDARD
        );
        assert_eq!(policy.check(), Ok(()));
        // Friday 10:00 Beijing: URGENT acknowledge by 12:00, HIGH report
        // the result by Tuesday 10:00.
        let opened = utc("2025-03-07T02:00:00Z");
        let calendar = WorkCalendar::default();
        let due = |priority, metric| {
            policy.due_at(CaseType::Inquiry, priority, metric, opened, &calendar)
        };
        assert_eq!(
            due(Priority::Urgent, SlaMetric::Acknowledge),
            Ok(utc("2025-03-07T04:00:00Z"))
        );
        assert_eq!(
            due(Priority::High, SlaMetric::ReportResult),
            Ok(utc("2025-03-11T02:00:00Z"))
        );
    }

    #[test]
    fn a_more_urgent_priority_may_not_be_looser() {
        let looser_high = SlaPolicy::default().with_priority(Priority::High, targets(30, 72, 3));
        assert_eq!(
            looser_high.check(),
            Err(SlaPolicyError::LooserThanLowerPriority {
                case_type: CaseType::Complaint,
                priority: Priority::High,
                metric: SlaMetric::Acknowledge,
                tighter: SlaDeadline::CalendarHours(30),
                looser_priority: Priority::Normal,
                looser: SlaDeadline::CalendarHours(24),
            })
        );
        // Urgent must also be at least as tight as High.
        let urgent = tiered().with_override(CaseType::Inquiry, Priority::Urgent, targets(2, 50, 1));
        assert!(matches!(
            urgent.check(),
            Err(SlaPolicyError::LooserThanLowerPriority {
                case_type: CaseType::Inquiry,
                priority: Priority::Urgent,
                metric: SlaMetric::Handle,
                ..
            })
        ));
        // Working days are never provably tighter than hours.
        let days = SlaPolicy::default().with_priority(
            Priority::High,
            SlaTargets {
                handle: SlaDeadline::WorkingDays(1),
                ..SlaTargets::SERVICE_STANDARD
            },
        );
        assert!(days.check().is_err());
        let zero = SlaPolicy::default().with_priority(Priority::Low, targets(0, 72, 3));
        assert!(matches!(zero.check(), Err(SlaPolicyError::Empty { .. })));
    }

    #[test]
    fn hours_within_the_working_days_are_tighter() {
        assert!(SlaDeadline::CalendarHours(48).at_least_as_tight_as(SlaDeadline::WorkingDays(2)));
        assert!(!SlaDeadline::CalendarHours(49).at_least_as_tight_as(SlaDeadline::WorkingDays(2)));
        assert!(!SlaDeadline::WorkingDays(1).at_least_as_tight_as(SlaDeadline::CalendarHours(72)));
    }

    #[test]
    fn deadlines_for_every_metric() {
        let opened = utc("2025-03-07T02:00:00Z");
        let deadlines = SlaTargets::SERVICE_STANDARD
            .deadlines(opened, &WorkCalendar::default())
            .expect("deadlines");
        assert_eq!(
            deadlines.into_iter().collect::<Vec<_>>(),
            [
                (SlaMetric::Acknowledge, utc("2025-03-08T02:00:00Z")),
                (SlaMetric::Handle, utc("2025-03-10T02:00:00Z")),
                (SlaMetric::ReportResult, utc("2025-03-12T02:00:00Z")),
            ]
        );
    }
}
