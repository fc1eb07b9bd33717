//! The service levels in force, read-only: SLA targets for every (case type, priority) and
//! the working calendar, as loaded from the CRM configuration file at start-up. Changing
//! them is a configuration change (and a restart), so open cases keep their snapshotted
//! deadlines.

use async_graphql::{Enum, SimpleObject};
use chrono::NaiveDate;
use waybill_domain::case::{CaseType, Priority, SlaDeadline, SlaTargets};

use super::enums::{GqlCaseType, GqlPriority};
use crate::crm::CrmSettings;

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum SlaUnit {
    CalendarHours,
    WorkingDays,
}

#[derive(SimpleObject)]
pub struct SlaTarget {
    pub unit: SlaUnit,
    pub amount: i32,
}

impl From<SlaDeadline> for SlaTarget {
    fn from(d: SlaDeadline) -> Self {
        let unit = match d {
            SlaDeadline::CalendarHours(_) => SlaUnit::CalendarHours,
            SlaDeadline::WorkingDays(_) => SlaUnit::WorkingDays,
        };
        SlaTarget {
            unit,
            amount: i32::try_from(d.amount()).unwrap_or(i32::MAX),
        }
    }
}

#[derive(SimpleObject)]
pub struct SlaTargetsFor {
    pub case_type: GqlCaseType,
    pub priority: GqlPriority,
    pub acknowledge: SlaTarget,
    pub handle: SlaTarget,
    pub report_result: SlaTarget,
}

#[derive(SimpleObject)]
pub struct WorkingCalendar {
    pub utc_offset_seconds: i32,
    /// Days off every week, e.g. `Sat`.
    pub weekend: Vec<String>,
    pub holidays: Vec<NaiveDate>,
    /// Weekend days worked instead (调休).
    pub working_weekends: Vec<NaiveDate>,
}

#[derive(SimpleObject)]
pub struct ServiceLevels {
    pub targets: Vec<SlaTargetsFor>,
    pub calendar: WorkingCalendar,
    /// The roster for automatic first-owner assignment.
    pub agents: Vec<String>,
}

impl From<&CrmSettings> for ServiceLevels {
    fn from(crm: &CrmSettings) -> Self {
        let row = |case_type: CaseType, priority: Priority| {
            let SlaTargets {
                acknowledge,
                handle,
                report_result,
            } = crm.sla.targets_for(case_type, priority);
            SlaTargetsFor {
                case_type: case_type.into(),
                priority: priority.into(),
                acknowledge: acknowledge.into(),
                handle: handle.into(),
                report_result: report_result.into(),
            }
        };
        let targets = CaseType::ALL
            .iter()
            .flat_map(|t| Priority::ALL.iter().map(|p| row(*t, *p)))
            .collect();
        let calendar = &crm.calendar;
        ServiceLevels {
            targets,
            calendar: WorkingCalendar {
                utc_offset_seconds: calendar.offset.local_minus_utc(),
                weekend: calendar.weekend.iter().map(ToString::to_string).collect(),
                holidays: calendar.holidays.iter().copied().collect(),
                working_weekends: calendar.extra_working_days.iter().copied().collect(),
            },
            agents: crm.agents.iter().map(|a| a.id.to_string()).collect(),
        }
    }
}
