//! Churn signals: why a customer looks like they are drifting away, each
//! with the evidence behind it so agents can judge (and recall campaigns can
//! pick a message).
//!
//! Signals, checked independently, all reported:
//!
//! * **overdue**: days since the last order `> k ×` the customer's own
//!   median gap between orders (needs two orders; same-day gaps are dropped
//!   as one shopping trip split in two). `k` defaults to 2.5.
//! * **falling frequency / spend**: the last window (`window_days` ending on
//!   `as_of`) against the one before it, when the drop is at least
//!   `min_drop_percent` of the previous window.
//! * **risky segment**: RFM At risk or Can't lose them.
//! * **open / breached cases**, **repeated delivery problems** (late plus
//!   failed ≥ `delivery_problem_threshold`), **recent refunds**, an **NPS
//!   detractor** (0–6) or **low CSAT** (1–2) answer. The caller counts
//!   these over whatever recent period it uses.
//!
//! `k` and the median are the only floats: they are ratios of day counts,
//! never money, and the comparison is exact for every realistic input.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::crm::rfm::RfmSegment;

/// Tunable thresholds for [`churn_signals`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChurnRules {
    /// `k` in "days since last order > k × median gap".
    pub gap_multiplier: f64,
    pub window_days: u32,
    pub min_drop_percent: u32,
    pub delivery_problem_threshold: u32,
}

impl Default for ChurnRules {
    fn default() -> Self {
        Self {
            gap_multiplier: 2.5,
            window_days: 90,
            min_drop_percent: 30,
            delivery_problem_threshold: 2,
        }
    }
}

/// One order as churn analysis sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFact {
    pub date: NaiveDate,
    /// Net of refunds.
    pub net_minor: i64,
}

/// Everything known about one customer's recent relationship.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChurnInput {
    pub orders: Vec<OrderFact>,
    pub segment: Option<RfmSegment>,
    pub open_cases: u32,
    pub breached_cases: u32,
    pub late_deliveries: u32,
    pub failed_deliveries: u32,
    pub recent_refunds: u32,
    pub recent_refunded_minor: i64,
    pub last_nps: Option<u8>,
    pub last_csat: Option<u8>,
}

/// A reason to worry, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ChurnReason {
    OverdueForUsualRhythm {
        days_since_last_order: i64,
        median_gap_days: f64,
        threshold_days: f64,
    },
    FallingFrequency {
        previous_orders: u32,
        recent_orders: u32,
    },
    FallingSpend {
        previous_minor: i64,
        recent_minor: i64,
    },
    RiskySegment {
        segment: RfmSegment,
    },
    OpenCases {
        open: u32,
    },
    BreachedCases {
        breached: u32,
    },
    RepeatedDeliveryProblems {
        late: u32,
        failed: u32,
    },
    RecentRefunds {
        refunds: u32,
        refunded_minor: i64,
    },
    NpsDetractor {
        score: u8,
    },
    LowSatisfaction {
        csat: u8,
    },
}

/// Median of the positive gaps between consecutive orders, in days.
pub fn median_gap_days(dates: &[NaiveDate]) -> Option<f64> {
    let mut dates = dates.to_vec();
    dates.sort_unstable();
    let mut gaps: Vec<i64> = dates
        .windows(2)
        .map(|pair| (pair[1] - pair[0]).num_days())
        .filter(|gap| *gap > 0)
        .collect();
    gaps.sort_unstable();
    let mid = gaps.len() / 2;
    match gaps.len() {
        0 => None,
        len if len % 2 == 1 => gaps.get(mid).map(|g| *g as f64),
        _ => Some((gaps.get(mid - 1)? + gaps.get(mid)?) as f64 / 2.0),
    }
}

/// `recent` fell, and by at least `percent` of `previous`.
fn dropped(previous: i64, recent: i64, percent: u32) -> bool {
    let kept_percent = i128::from(100 - percent.min(100));
    recent < previous && i128::from(recent) * 100 <= i128::from(previous) * kept_percent
}

/// Orders and spend in the window of `days` days that ends `windows_back`
/// whole windows before `as_of` (0 = the window ending on `as_of`).
fn window(orders: &[OrderFact], as_of: NaiveDate, days: i64, windows_back: i64) -> (u32, i64) {
    let (newest, oldest) = (days * windows_back, days * (windows_back + 1));
    orders
        .iter()
        .filter(|o| {
            let age = (as_of - o.date).num_days();
            age >= newest && age < oldest
        })
        .fold((0, 0), |(n, spend), o| {
            (n + 1, spend.saturating_add(o.net_minor))
        })
}

/// Every signal that applies, in the order documented on this module.
pub fn churn_signals(input: &ChurnInput, as_of: NaiveDate, rules: &ChurnRules) -> Vec<ChurnReason> {
    let mut reasons = Vec::new();
    let orders: Vec<OrderFact> = input
        .orders
        .iter()
        .copied()
        .filter(|o| o.date <= as_of)
        .collect();
    let dates: Vec<NaiveDate> = orders.iter().map(|o| o.date).collect();
    if let (Some(last), Some(median)) = (dates.iter().max(), median_gap_days(&dates)) {
        let days_since_last_order = (as_of - *last).num_days();
        let threshold_days = rules.gap_multiplier * median;
        if days_since_last_order as f64 > threshold_days {
            reasons.push(ChurnReason::OverdueForUsualRhythm {
                days_since_last_order,
                median_gap_days: median,
                threshold_days,
            });
        }
    }
    let days = i64::from(rules.window_days.max(1));
    let (recent_orders, recent_minor) = window(&orders, as_of, days, 0);
    let (previous_orders, previous_minor) = window(&orders, as_of, days, 1);
    if dropped(
        i64::from(previous_orders),
        i64::from(recent_orders),
        rules.min_drop_percent,
    ) {
        reasons.push(ChurnReason::FallingFrequency {
            previous_orders,
            recent_orders,
        });
    }
    if dropped(previous_minor, recent_minor, rules.min_drop_percent) {
        reasons.push(ChurnReason::FallingSpend {
            previous_minor,
            recent_minor,
        });
    }
    if let Some(segment @ (RfmSegment::AtRisk | RfmSegment::CantLoseThem)) = input.segment {
        reasons.push(ChurnReason::RiskySegment { segment });
    }
    if input.open_cases > 0 {
        reasons.push(ChurnReason::OpenCases {
            open: input.open_cases,
        });
    }
    if input.breached_cases > 0 {
        reasons.push(ChurnReason::BreachedCases {
            breached: input.breached_cases,
        });
    }
    let problems = input
        .late_deliveries
        .saturating_add(input.failed_deliveries);
    if problems > 0 && problems >= rules.delivery_problem_threshold {
        reasons.push(ChurnReason::RepeatedDeliveryProblems {
            late: input.late_deliveries,
            failed: input.failed_deliveries,
        });
    }
    if input.recent_refunds > 0 {
        reasons.push(ChurnReason::RecentRefunds {
            refunds: input.recent_refunds,
            refunded_minor: input.recent_refunded_minor,
        });
    }
    if let Some(score @ 0..=6) = input.last_nps {
        reasons.push(ChurnReason::NpsDetractor { score });
    }
    if let Some(csat @ 1..=2) = input.last_csat {
        reasons.push(ChurnReason::LowSatisfaction { csat });
    }
    reasons
}
