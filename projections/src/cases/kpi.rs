//! Service KPIs per period and per agent, computed at query time.
//!
//! Approach: read the cases opened in the period (optionally those an agent owned or took
//! first) from `rm_cases`, and the number of orders placed in the period from `rm_orders`,
//! then call the pure `waybill_domain::crm` KPI functions over those rows. Nothing is
//! pre-aggregated, so a KPI definition change never needs a rebuild.

use chrono::{DateTime, Utc};
use serde::Serialize;
use waybill_domain::crm::{self, FCR_TARGET_PERCENT};

use super::query::{list, CaseFilter};
use super::view::CaseView;
use crate::db::{Db, DbError};
use crate::with_db;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceKpis {
    pub cases: usize,
    pub complaints: usize,
    pub orders: i64,
    /// Complaint cases per 1,000 orders placed in the period.
    pub complaint_rate_per_thousand: Option<f64>,
    pub first_response_avg_seconds: Option<i64>,
    pub first_response_p90_seconds: Option<i64>,
    pub resolution_avg_seconds: Option<i64>,
    pub resolution_p90_seconds: Option<i64>,
    pub fcr_rate: Option<f64>,
    pub fcr_target: f64,
    pub fcr_on_target: Option<bool>,
    pub sla_met: usize,
    pub sla_decided: usize,
    pub sla_attainment: Option<f64>,
    pub sla_breaches: usize,
    /// Satisfied share: % of 4–5 answers.
    pub csat: Option<f64>,
    /// Mean answer on the 1–5 scale.
    pub csat_average: Option<f64>,
    pub csat_satisfied: usize,
    pub csat_responses: usize,
    pub nps: Option<f64>,
    pub nps_responses: usize,
}

fn average(values: &[i64]) -> Option<i64> {
    let n = i64::try_from(values.len()).ok().filter(|n| *n > 0)?;
    let sum: i128 = values.iter().map(|&v| i128::from(v)).sum();
    i64::try_from(sum / i128::from(n)).ok()
}

/// KPIs over `cases` with `orders` placed in the same period.
pub fn compute(cases: &[CaseView], orders: i64) -> ServiceKpis {
    let response: Vec<i64> = cases.iter().filter_map(|c| c.response_seconds).collect();
    let resolution: Vec<i64> = cases.iter().filter_map(|c| c.resolution_seconds).collect();
    let fcr: Vec<bool> = cases
        .iter()
        .filter_map(|c| c.first_contact_resolution)
        .collect();
    let clocks = cases.iter().flat_map(|c| c.clocks.values());
    let (mut met, mut decided, mut breaches) = (0, 0, 0);
    for clock in clocks {
        if clock.breached {
            breaches += 1;
        }
        if let Some(within) = clock.within_target {
            decided += 1;
            met += usize::from(within);
        }
    }
    let csat_scores: Vec<u8> = cases.iter().filter_map(|c| c.csat).collect();
    let nps_scores: Vec<u8> = cases.iter().filter_map(|c| c.nps).collect();
    let complaints = cases.iter().filter(|c| c.case_type == "complaint").count();
    let fcr_rate = crm::fcr_rate(&fcr);
    ServiceKpis {
        cases: cases.len(),
        complaints,
        orders,
        complaint_rate_per_thousand: (orders > 0)
            .then(|| complaints as f64 * 1000.0 / orders as f64),
        first_response_avg_seconds: average(&response),
        first_response_p90_seconds: crm::percentile(&response, 90),
        resolution_avg_seconds: average(&resolution),
        resolution_p90_seconds: crm::percentile(&resolution, 90),
        fcr_rate,
        fcr_target: FCR_TARGET_PERCENT,
        fcr_on_target: fcr_rate.map(|r| r >= FCR_TARGET_PERCENT),
        sla_met: met,
        sla_decided: decided,
        sla_attainment: crm::sla_attainment(met, decided),
        sla_breaches: breaches,
        // Scores come from validated events; an out-of-range one would be a corrupt row.
        csat: crm::csat(&csat_scores).ok().flatten(),
        csat_average: crm::csat_average(&csat_scores).ok().flatten(),
        csat_satisfied: csat_scores.iter().filter(|s| **s >= 4).count(),
        csat_responses: csat_scores.len(),
        nps: crm::nps(&nps_scores).ok().flatten(),
        nps_responses: nps_scores.len(),
    }
}

/// KPIs for cases opened in `[from, to)`, optionally for one agent (owner or first contact).
pub async fn service_kpis(
    db: &Db,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    agent: Option<&str>,
) -> Result<ServiceKpis, DbError> {
    let filter = CaseFilter {
        owner: agent.map(String::from),
        opened_from: from,
        opened_to: to,
        ..CaseFilter::default()
    };
    let cases = list(db, &filter, i64::MAX - 1, None).await?.cases;
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE status <> 'cancelled' AND ($1 IS NULL OR placed_at >= $1) AND ($2 IS NULL OR placed_at < $2)",
        crate::orders::TABLE
    );
    let orders: i64 = with_db!(db, read pool =>
        sqlx::query_scalar(&sql)
            .bind(from.map(|t| t.timestamp_micros()))
            .bind(to.map(|t| t.timestamp_micros()))
            .fetch_one(pool)
            .await?);
    Ok(compute(&cases, orders))
}
