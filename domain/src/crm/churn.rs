//! Churn signals: why a customer looks like they are drifting away, each
//! with the evidence behind it so agents can judge (and recall campaigns can
//! pick a message).
//!
//! Signals, checked independently, all reported:
//!
//! Frequency and spend are judged against the customer's own rhythm, never
//! against fixed calendar windows (which flag a customer who orders every
//! 40 days whenever two 90-day windows happen to hold 3 and 2 orders).
//! Gaps are the days between consecutive order dates; same-day orders are
//! one shopping trip split in two, so zero gaps are dropped.
//!
//! * **overdue** (lapsed): days since the last order `> gap_multiplier ×`
//!   the median of all gaps (needs two order dates). Default 2.5.
//! * **falling frequency** (slowing): with at least `min_orders` orders, the
//!   latest gap — the last closed one, or the one still open since the last
//!   order when that is already longer — `> frequency_multiplier ×` the
//!   median of the gaps before the last closed one. Default 1.5 with at
//!   least 4 orders, so the usual gap is the median of two or more gaps.
//! * **falling spend**: with at least `min_orders` orders, the average net
//!   spend of the last `recent_orders` orders (default 2) is at least
//!   `min_drop_percent` (default 30) below the average of the orders before
//!   them.
//! * **risky segment**: RFM At risk or Can't lose them.
//! * **open / breached cases**, **repeated delivery problems** (late plus
//!   failed ≥ `delivery_problem_threshold`), **recent refunds**, an **NPS
//!   detractor** (0–6) or **low CSAT** (1–2) answer. The caller counts
//!   these over whatever recent period it uses (`window_days` for refunds).
//!
//! The multipliers and medians are the only floats: they are ratios of day
//! counts, never money, and the comparison is exact for every realistic
//! input. Spend averages are compared in integers (cross-multiplied).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::crm::rfm::RfmSegment;

/// Tunable thresholds for [`churn_signals`]; the defaults are documented on
/// this module.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChurnRules {
    /// `k` in "days since last order > k × median gap" (lapsed).
    pub gap_multiplier: f64,
    /// "latest gap > m × usual gap" (slowing).
    pub frequency_multiplier: f64,
    /// Orders needed before frequency and spend trends are judged.
    pub min_orders: u32,
    /// How many of the latest orders make the recent spend.
    pub recent_orders: u32,
    pub min_drop_percent: u32,
    /// The recent period for refunds.
    pub window_days: u32,
    pub delivery_problem_threshold: u32,
}

impl Default for ChurnRules {
    fn default() -> Self {
        Self {
            gap_multiplier: 2.5,
            frequency_multiplier: 1.5,
            min_orders: 4,
            recent_orders: 2,
            min_drop_percent: 30,
            window_days: 90,
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
        /// Median of the gaps before the latest one.
        usual_gap_days: f64,
        latest_gap_days: i64,
        /// True when the latest gap is the one still open.
        still_open: bool,
        threshold_days: f64,
    },
    FallingSpend {
        /// Average net spend of the orders before the recent ones.
        previous_average_minor: i64,
        previous_orders: u32,
        recent_average_minor: i64,
        recent_orders: u32,
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

/// The positive gaps between consecutive order dates, oldest first.
fn gaps(dates: &[NaiveDate]) -> Vec<i64> {
    let mut dates = dates.to_vec();
    dates.sort_unstable();
    dates
        .windows(2)
        .map(|pair| (pair[1] - pair[0]).num_days())
        .filter(|gap| *gap > 0)
        .collect()
}

fn median(values: &[i64]) -> Option<f64> {
    let mut values = values.to_vec();
    values.sort_unstable();
    let mid = values.len() / 2;
    match values.len() {
        0 => None,
        len if len % 2 == 1 => values.get(mid).map(|g| *g as f64),
        _ => Some((values.get(mid - 1)? + values.get(mid)?) as f64 / 2.0),
    }
}

/// Median of the positive gaps between consecutive orders, in days.
pub fn median_gap_days(dates: &[NaiveDate]) -> Option<f64> {
    median(&gaps(dates))
}

/// `recent` fell, and by at least `percent` of `previous`.
fn dropped(previous: i128, recent: i128, percent: u32) -> bool {
    let kept_percent = i128::from(100 - percent.min(100));
    recent < previous && recent * 100 <= previous * kept_percent
}

/// Slowing against the customer's own usual gap (see the module docs).
fn falling_frequency(
    dates: &[NaiveDate],
    days_since_last: i64,
    orders: usize,
    rules: &ChurnRules,
) -> Option<ChurnReason> {
    if orders < rules.min_orders.max(3) as usize {
        return None;
    }
    let gaps = gaps(dates);
    let (last_closed, earlier) = gaps.split_last()?;
    let usual_gap_days = median(earlier)?;
    let still_open = days_since_last > *last_closed;
    let latest_gap_days = if still_open {
        days_since_last
    } else {
        *last_closed
    };
    let threshold_days = rules.frequency_multiplier * usual_gap_days;
    (latest_gap_days as f64 > threshold_days).then_some(ChurnReason::FallingFrequency {
        usual_gap_days,
        latest_gap_days,
        still_open,
        threshold_days,
    })
}

/// The last `recent_orders` orders' average against the earlier orders'.
fn falling_spend(orders: &[OrderFact], rules: &ChurnRules) -> Option<ChurnReason> {
    let recent_n = rules.recent_orders.max(1) as usize;
    if orders.len() < (rules.min_orders as usize).max(recent_n + 1) {
        return None;
    }
    let mut orders = orders.to_vec();
    orders.sort_by_key(|o| o.date);
    let (earlier, recent) = orders.split_at(orders.len() - recent_n);
    let sum = |os: &[OrderFact]| {
        os.iter()
            .fold(0_i64, |total, o| total.saturating_add(o.net_minor))
    };
    let (earlier_n, recent_n) = (earlier.len() as i64, recent.len() as i64);
    // Averages compared without dividing: earlier/en vs recent/rn.
    let previous = i128::from(sum(earlier)) * i128::from(recent_n);
    let current = i128::from(sum(recent)) * i128::from(earlier_n);
    dropped(previous, current, rules.min_drop_percent).then(|| ChurnReason::FallingSpend {
        previous_average_minor: sum(earlier) / earlier_n,
        previous_orders: u32::try_from(earlier_n).unwrap_or(u32::MAX),
        recent_average_minor: sum(recent) / recent_n,
        recent_orders: u32::try_from(recent_n).unwrap_or(u32::MAX),
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
    if let Some(last) = dates.iter().max() {
        let days_since_last = (as_of - *last).num_days();
        reasons.extend(falling_frequency(
            &dates,
            days_since_last,
            orders.len(),
            rules,
        ));
    }
    reasons.extend(falling_spend(&orders, rules));
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
