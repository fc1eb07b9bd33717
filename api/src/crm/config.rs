//! The CRM configuration file: working calendar (public holidays and 调休 working weekends),
//! SLA targets per priority and (case type, priority), the agent roster and the churn rules.
//!
//! JSON, given by `--crm-config` / `WAYBILL_CRM_CONFIG`. Every section is optional: a missing
//! one is taken from the built-in defaults, which are themselves this format
//! (`api/config/crm.default.json`, documented in the README), so the defaults are data an
//! operator can read and copy, not constants spread through the code. Unknown fields are
//! refused, so a typo fails at start-up instead of silently keeping a default.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{FixedOffset, NaiveDate, Weekday};
use serde::Deserialize;
use thiserror::Error;
use waybill_domain::calendar::WorkCalendar;
use waybill_domain::case::{AgentId, AgentProfile, CaseType, SlaPolicy, SlaPolicyError};
use waybill_domain::crm::ChurnRules;
use waybill_domain::customer::Tier;

/// The built-in configuration.
pub const DEFAULT_CONFIG: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/config/crm.default.json"
));

#[derive(Debug, Error)]
pub enum CrmConfigError {
    #[error("cannot read the CRM configuration {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the CRM configuration {origin} is not valid: {source}")]
    Parse {
        origin: String,
        source: serde_json::Error,
    },
    #[error("the CRM configuration's SLA targets are not usable: {0}")]
    Sla(#[from] SlaPolicyError),
    #[error("the CRM configuration's calendar is not usable: {0}")]
    Calendar(String),
    #[error("the CRM configuration names agent {0} twice")]
    DuplicateAgent(AgentId),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    pub utc_offset_seconds: i32,
    pub weekend: Vec<Weekday>,
    /// Days off even on a weekday (法定节假日 and the days moved next to them).
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days worked instead (调休).
    #[serde(default)]
    pub working_weekends: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    pub id: AgentId,
    #[serde(default)]
    pub skills: BTreeSet<CaseType>,
    #[serde(default)]
    pub tiers_served: BTreeSet<Tier>,
}

/// One file's content; `None` sections fall back to the defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    calendar: Option<CalendarConfig>,
    sla: Option<SlaPolicy>,
    agents: Option<Vec<AgentConfig>>,
    churn: Option<ChurnRules>,
}

/// The CRM configuration in force, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CrmConfig {
    pub calendar: WorkCalendar,
    pub sla: SlaPolicy,
    pub agents: Vec<AgentProfile>,
    pub churn: ChurnRules,
}

impl CrmConfig {
    /// The built-in defaults.
    pub fn defaults() -> Result<CrmConfig, CrmConfigError> {
        CrmConfig::from_json(DEFAULT_CONFIG, "built-in defaults")
    }

    /// The file at `path` over the defaults, or the defaults alone.
    pub fn load(path: Option<&Path>) -> Result<CrmConfig, CrmConfigError> {
        let Some(path) = path else {
            return CrmConfig::defaults();
        };
        let text = std::fs::read_to_string(path).map_err(|source| CrmConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        CrmConfig::from_json(&text, &path.display().to_string())
    }

    /// `text` over the defaults; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<CrmConfig, CrmConfigError> {
        let file = parse(text, origin)?;
        let defaults = parse(DEFAULT_CONFIG, "built-in defaults")?;
        let (Some(calendar), Some(sla), Some(agents)) = (
            file.calendar.or(defaults.calendar),
            file.sla.or(defaults.sla),
            file.agents.or(defaults.agents),
        ) else {
            return Err(CrmConfigError::Calendar(
                "the built-in defaults lack a section".into(),
            ));
        };
        sla.check()?;
        Ok(CrmConfig {
            calendar: calendar.build()?,
            sla,
            agents: roster(agents)?,
            churn: file.churn.or(defaults.churn).unwrap_or_default(),
        })
    }
}

fn parse(text: &str, origin: &str) -> Result<ConfigFile, CrmConfigError> {
    serde_json::from_str(text).map_err(|source| CrmConfigError::Parse {
        origin: origin.to_string(),
        source,
    })
}

impl CalendarConfig {
    /// A day both off and worked, or a "working weekend" that is no weekend day, is a typo
    /// in the holiday notice, refused rather than guessed at.
    fn build(self) -> Result<WorkCalendar, CrmConfigError> {
        let offset = FixedOffset::east_opt(self.utc_offset_seconds).ok_or_else(|| {
            CrmConfigError::Calendar(format!(
                "utc_offset_seconds {} is beyond ±24 h",
                self.utc_offset_seconds
            ))
        })?;
        if let Some(day) = self.holidays.intersection(&self.working_weekends).next() {
            return Err(CrmConfigError::Calendar(format!(
                "{day} is both a holiday and a working weekend"
            )));
        }
        use chrono::Datelike;
        if let Some(day) = self
            .working_weekends
            .iter()
            .find(|d| !self.weekend.contains(&d.weekday()))
        {
            return Err(CrmConfigError::Calendar(format!(
                "working weekend {day} is a {}, not a weekend day",
                day.weekday()
            )));
        }
        Ok(WorkCalendar {
            offset,
            weekend: self.weekend,
            holidays: self.holidays,
            extra_working_days: self.working_weekends,
        })
    }
}

fn roster(agents: Vec<AgentConfig>) -> Result<Vec<AgentProfile>, CrmConfigError> {
    let mut seen = BTreeSet::new();
    agents
        .into_iter()
        .map(|a| {
            if !seen.insert(a.id.clone()) {
                return Err(CrmConfigError::DuplicateAgent(a.id));
            }
            Ok(AgentProfile {
                id: a.id,
                skills: a.skills,
                tiers_served: a.tiers_served,
                open_cases: 0,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use waybill_domain::case::{Priority, SlaDeadline, SlaMetric};

    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("date")
    }

    #[test]
    fn defaults_hold_the_documented_targets_and_the_2026_calendar() {
        let config = CrmConfig::defaults().expect("defaults");
        let normal = config.sla.targets_for(CaseType::Inquiry, Priority::Normal);
        assert_eq!(normal.acknowledge, SlaDeadline::CalendarHours(24));
        assert_eq!(normal.handle, SlaDeadline::CalendarHours(72));
        assert_eq!(normal.report_result, SlaDeadline::WorkingDays(3));
        assert_eq!(
            config.sla.targets_for(CaseType::Complaint, Priority::Low),
            normal
        );
        let high = config.sla.targets_for(CaseType::Complaint, Priority::High);
        let urgent = config
            .sla
            .targets_for(CaseType::AfterSales, Priority::Urgent);
        assert_eq!(
            high.get(SlaMetric::Acknowledge),
            SlaDeadline::CalendarHours(8)
        );
        assert_eq!(
            urgent.get(SlaMetric::Handle),
            SlaDeadline::CalendarHours(24)
        );
        let calendar = &config.calendar;
        assert_eq!(calendar.offset.local_minus_utc(), 8 * 3600);
        // Spring Festival 2026: Feb 15–23 off, Saturdays Feb 14 and 28 worked.
        assert!(!calendar.is_working_day(date("2026-02-16")));
        assert!(calendar.is_working_day(date("2026-02-14")));
        assert!(calendar.is_working_day(date("2026-02-28")));
        assert!(calendar.is_working_day(date("2026-02-24")));
        // National Day: Oct 1–7 off, Sunday Sep 20 and Saturday Oct 10 worked.
        assert!(!calendar.is_working_day(date("2026-10-07")));
        assert!(calendar.is_working_day(date("2026-09-20")));
        assert!(calendar.is_working_day(date("2026-10-10")));
        assert_eq!(config.agents.len(), 4);
        assert_eq!(config.agents[0].id.as_str(), "vip-desk");
        assert_eq!(config.churn, ChurnRules::default());
    }

    #[test]
    fn a_file_replaces_only_the_sections_it_has() {
        let config = CrmConfig::from_json(
            r#"{"agents": [{"id": "only-agent", "skills": ["complaint"]}]}"#,
            "test",
        )
        .expect("config");
        assert_eq!(config.agents.len(), 1);
        assert_eq!(config.sla, CrmConfig::defaults().expect("defaults").sla);
        assert!(!config.calendar.is_working_day(date("2026-10-01")));
        let churn = CrmConfig::from_json(r#"{"churn": {"min_orders": 6}}"#, "test")
            .expect("config")
            .churn;
        assert_eq!(churn.min_orders, 6);
        assert_eq!(churn.frequency_multiplier, 1.5);
    }

    #[test]
    fn mistakes_are_refused_with_their_reason() {
        let refused = |text: &str| {
            CrmConfig::from_json(text, "test")
                .expect_err("refused")
                .to_string()
        };
        assert!(refused(r#"{"agnets": []}"#).contains("unknown field `agnets`"));
        let looser = r#"{"sla": {"standard": {"acknowledge": {"unit": "calendar_hours", "amount": 24}, "handle": {"unit": "calendar_hours", "amount": 72}, "report_result": {"unit": "working_days", "amount": 3}}, "by_priority": [{"priority": "urgent", "targets": {"acknowledge": {"unit": "calendar_hours", "amount": 48}, "handle": {"unit": "calendar_hours", "amount": 72}, "report_result": {"unit": "working_days", "amount": 3}}}]}}"#;
        assert!(refused(looser).contains("urgent (CalendarHours(48)) is not as tight as for high"));
        let both = r#"{"calendar": {"utc_offset_seconds": 28800, "weekend": ["Sat", "Sun"], "holidays": ["2026-01-04"], "working_weekends": ["2026-01-04"]}}"#;
        assert!(refused(both).contains("2026-01-04 is both a holiday and a working weekend"));
        let weekday = r#"{"calendar": {"utc_offset_seconds": 28800, "weekend": ["Sat", "Sun"], "working_weekends": ["2026-01-05"]}}"#;
        assert!(refused(weekday).contains("is a Mon, not a weekend day"));
        let twice = r#"{"agents": [{"id": "a"}, {"id": "a"}]}"#;
        assert!(refused(twice).contains("agent a twice"));
        assert!(refused(r#"{"agents": [{"id": ""}]}"#).contains("not valid"));
    }
}
