//! Case and service-KPI output types.

use crate::graphql::scalars::Int64;
use async_graphql::SimpleObject;
use waybill_projections::cases::kpi::ServiceKpis as KpiRow;
use waybill_projections::cases::{CaseStep as CaseStepRow, CaseView, ClockView};

use super::enums::*;
use super::types::{small, Privacy};
use crate::privacy::PiiKind;

use crate::graphql::timestamp::Timestamp;

#[derive(SimpleObject)]
pub struct ClockTransition {
    pub kind: String,
    pub at: Timestamp,
    pub due_at: Option<Timestamp>,
}

#[derive(SimpleObject)]
pub struct SlaClock {
    pub metric: Option<GqlSlaMetric>,
    /// running / paused / fulfilled / breached
    pub state: String,
    pub due_at: Timestamp,
    pub breached: bool,
    pub within_target: Option<bool>,
    pub history: Vec<ClockTransition>,
}

impl From<&ClockView> for SlaClock {
    fn from(c: &ClockView) -> Self {
        SlaClock {
            metric: GqlSlaMetric::from_code(&c.metric),
            state: c.state.clone(),
            due_at: c.due_at.into(),
            breached: c.breached,
            within_target: c.within_target,
            history: c
                .history
                .iter()
                .map(|h| ClockTransition {
                    kind: h.kind.clone(),
                    at: h.at.into(),
                    due_at: h.due_at.map(Timestamp::from),
                })
                .collect(),
        }
    }
}

#[derive(SimpleObject)]
pub struct CaseStep {
    pub kind: String,
    pub agent: Option<String>,
    pub note: Option<String>,
    pub at: Timestamp,
}

impl CaseStep {
    fn seen_by(s: &CaseStepRow, privacy: Privacy) -> Self {
        CaseStep {
            kind: s.kind.clone(),
            agent: s.agent.clone(),
            note: privacy.text(PiiKind::FreeText, s.note.as_deref()),
            at: s.at.into(),
        }
    }
}

#[derive(SimpleObject)]
pub struct Case {
    pub id: String,
    pub customer_id: String,
    pub case_type: Option<GqlCaseType>,
    pub priority: Option<GqlPriority>,
    pub channel: Option<GqlContactChannel>,
    pub subject: String,
    pub order_id: Option<String>,
    pub shipment_id: Option<String>,
    pub return_id: Option<String>,
    /// The first agent reached (首问负责制); never changes.
    pub first_contact_owner: String,
    pub owner: String,
    pub escalation_level: i32,
    pub status: Option<GqlCaseStatus>,
    pub opened_at: Timestamp,
    pub first_responded_at: Option<Timestamp>,
    pub response_seconds: Option<i64>,
    pub resolved_at: Option<Timestamp>,
    pub resolution_seconds: Option<i64>,
    pub resolution: Option<String>,
    pub first_contact_resolution: Option<bool>,
    pub closed_at: Option<Timestamp>,
    pub reopen_count: i32,
    pub csat: Option<i32>,
    pub nps: Option<i32>,
    pub sla_clocks: Vec<SlaClock>,
    pub timeline: Vec<CaseStep>,
    pub version: Int64,
}

impl Case {
    /// The case as the caller may see it: subject, resolution and notes are the customer's
    /// problem in free text, masked unless the caller reads PII (`crate::privacy`).
    pub fn seen_by(c: CaseView, privacy: Privacy) -> Self {
        Case {
            case_type: GqlCaseType::from_code(&c.case_type),
            priority: GqlPriority::from_code(&c.priority),
            channel: GqlContactChannel::from_code(&c.channel),
            status: GqlCaseStatus::from_code(&c.status),
            sla_clocks: c.clocks.values().map(SlaClock::from).collect(),
            timeline: c
                .timeline
                .iter()
                .map(|s| CaseStep::seen_by(s, privacy))
                .collect(),
            id: c.case_id,
            customer_id: c.customer_id,
            subject: privacy.free_text(&c.subject),
            order_id: c.order_id,
            shipment_id: c.shipment_id,
            return_id: c.return_id,
            first_contact_owner: c.first_contact_owner,
            owner: c.owner,
            escalation_level: i32::from(c.escalation_level),
            opened_at: c.opened_at.into(),
            first_responded_at: c.first_responded_at.map(Timestamp::from),
            response_seconds: c.response_seconds,
            resolved_at: c.resolved_at.map(Timestamp::from),
            resolution_seconds: c.resolution_seconds,
            resolution: privacy.text(PiiKind::FreeText, c.resolution.as_deref()),
            first_contact_resolution: c.first_contact_resolution,
            closed_at: c.closed_at.map(Timestamp::from),
            reopen_count: small(c.reopen_count),
            csat: c.csat.map(i32::from),
            nps: c.nps.map(i32::from),
            version: Int64(c.version),
        }
    }
}

#[derive(SimpleObject)]
pub struct ServiceKpis {
    pub cases: i32,
    pub complaints: i32,
    pub orders: i64,
    pub complaint_rate_per_thousand: Option<f64>,
    pub first_response_avg_seconds: Option<i64>,
    pub first_response_p90_seconds: Option<i64>,
    pub resolution_avg_seconds: Option<i64>,
    pub resolution_p90_seconds: Option<i64>,
    /// % of resolved cases solved at first contact.
    pub fcr_rate: Option<f64>,
    pub fcr_target: f64,
    pub fcr_on_target: Option<bool>,
    pub sla_met: i32,
    pub sla_decided: i32,
    pub sla_attainment: Option<f64>,
    pub sla_breaches: i32,
    /// Satisfied share: % of 4–5 answers on the 1–5 scale.
    pub csat: Option<f64>,
    /// Mean CSAT answer, 1–5.
    pub csat_average: Option<f64>,
    /// Answers of 4 or 5.
    pub csat_satisfied: i32,
    pub csat_responses: i32,
    pub nps: Option<f64>,
    pub nps_responses: i32,
}

impl From<KpiRow> for ServiceKpis {
    fn from(k: KpiRow) -> Self {
        ServiceKpis {
            cases: small(k.cases),
            complaints: small(k.complaints),
            orders: k.orders,
            complaint_rate_per_thousand: k.complaint_rate_per_thousand,
            first_response_avg_seconds: k.first_response_avg_seconds,
            first_response_p90_seconds: k.first_response_p90_seconds,
            resolution_avg_seconds: k.resolution_avg_seconds,
            resolution_p90_seconds: k.resolution_p90_seconds,
            fcr_rate: k.fcr_rate,
            fcr_target: k.fcr_target,
            fcr_on_target: k.fcr_on_target,
            sla_met: small(k.sla_met),
            sla_decided: small(k.sla_decided),
            sla_attainment: k.sla_attainment,
            sla_breaches: small(k.sla_breaches),
            csat: k.csat,
            csat_average: k.csat_average,
            csat_satisfied: small(k.csat_satisfied),
            csat_responses: small(k.csat_responses),
            nps: k.nps,
            nps_responses: small(k.nps_responses),
        }
    }
}
