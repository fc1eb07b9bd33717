//! Customer lifetime value, in integer minor units.
//!
//! **Historical** CLV = Σ over the customer's orders of
//! `revenue − refunds − cost`. When an order's cost of goods is unknown it
//! is estimated from the margin: `cost = revenue × (1 − margin)`.
//!
//! **Predictive** CLV = AOV × purchases per year × expected lifespan in
//! years × margin, where
//!
//! * AOV = net revenue / orders,
//! * purchases per year = orders × 365 / observed days,
//! * observed days = days from the first order to `as_of`, but at least
//!   `min_observed_days` (a customer seen for one week would otherwise be
//!   extrapolated from a single burst),
//!
//! so orders cancel out and the value is
//! `net revenue × 365 × lifespan_months × margin_bps / (observed_days × 12 × 10 000)`.
//!
//! **Rounding.** Margins are basis points, lifespans whole months; every
//! product is taken exactly in `i128` and divided once at the end, rounding
//! half away from zero. The same inputs give the same minor units on every
//! platform, and no float ever touches money.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// 100 % in basis points.
pub const FULL_MARGIN_BPS: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ClvError {
    #[error("margin must be 0..=10000 basis points, got {margin_bps}")]
    MarginOutOfRange { margin_bps: u32 },
    #[error("the value does not fit in 64-bit minor units")]
    Overflow,
}

/// One order as CLV sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClvOrder {
    pub revenue_minor: i64,
    pub refunded_minor: i64,
    /// Cost of goods when known; estimated from the margin otherwise.
    pub cost_minor: Option<i64>,
}

/// Assumptions for the predictive model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClvParams {
    pub margin_bps: u32,
    pub expected_lifespan_months: u32,
    pub min_observed_days: u32,
}

impl Default for ClvParams {
    /// 30 % margin, three years, at least 90 days observed.
    fn default() -> Self {
        Self {
            margin_bps: 3_000,
            expected_lifespan_months: 36,
            min_observed_days: 90,
        }
    }
}

/// A customer's purchase history, summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseSummary {
    /// Revenue net of refunds.
    pub net_revenue_minor: i64,
    pub orders: u32,
    pub first_order: NaiveDate,
}

/// The predictive value with the parts it was built from, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictiveClv {
    pub value_minor: i64,
    /// Rounded the same way; shown, not used in `value_minor`.
    pub aov_minor: i64,
    pub observed_days: i64,
}

/// `numerator / denominator` rounded half away from zero; `denominator > 0`.
fn div_round(numerator: i128, denominator: i128) -> i128 {
    let half = denominator / 2;
    if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    }
}

fn to_minor(value: i128) -> Result<i64, ClvError> {
    i64::try_from(value).map_err(|_| ClvError::Overflow)
}

fn check_margin(margin_bps: u32) -> Result<i128, ClvError> {
    if margin_bps > FULL_MARGIN_BPS {
        return Err(ClvError::MarginOutOfRange { margin_bps });
    }
    Ok(i128::from(margin_bps))
}

/// Σ(revenue − refunds − cost). Estimated costs are rounded per order, as
/// the books would record them.
pub fn historical_clv(orders: &[ClvOrder], margin_bps: u32) -> Result<i64, ClvError> {
    let margin = check_margin(margin_bps)?;
    let full = i128::from(FULL_MARGIN_BPS);
    let total: i128 = orders
        .iter()
        .map(|order| {
            let revenue = i128::from(order.revenue_minor);
            let cost = order
                .cost_minor
                .map_or_else(|| div_round(revenue * (full - margin), full), i128::from);
            revenue - i128::from(order.refunded_minor) - cost
        })
        .sum();
    to_minor(total)
}

/// The simple predictive model documented on this module. A customer with
/// no orders is worth zero.
pub fn predictive_clv(
    history: &PurchaseSummary,
    as_of: NaiveDate,
    params: &ClvParams,
) -> Result<PredictiveClv, ClvError> {
    let margin = check_margin(params.margin_bps)?;
    let observed_days = (as_of - history.first_order)
        .num_days()
        .max(i64::from(params.min_observed_days))
        .max(1);
    if history.orders == 0 {
        return Ok(PredictiveClv {
            value_minor: 0,
            aov_minor: 0,
            observed_days,
        });
    }
    let revenue = i128::from(history.net_revenue_minor);
    let numerator = revenue * 365 * i128::from(params.expected_lifespan_months) * margin;
    let denominator = i128::from(observed_days) * 12 * i128::from(FULL_MARGIN_BPS);
    Ok(PredictiveClv {
        value_minor: to_minor(div_round(numerator, denominator))?,
        aov_minor: to_minor(div_round(revenue, i128::from(history.orders)))?,
        observed_days,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn historical_subtracts_refunds_and_costs() {
        let orders = [
            // Known cost: 31 100 − 0 − 20 000 = 11 100.
            ClvOrder {
                revenue_minor: 31_100,
                refunded_minor: 0,
                cost_minor: Some(20_000),
            },
            // Estimated at 30 % margin: cost 7 000; 10 000 − 4 500 − 7 000 = −1 500.
            ClvOrder {
                revenue_minor: 10_000,
                refunded_minor: 4_500,
                cost_minor: None,
            },
        ];
        assert_eq!(historical_clv(&orders, 3_000), Ok(9_600));
        assert_eq!(historical_clv(&[], 3_000), Ok(0));
    }

    #[test]
    fn estimated_costs_round_half_away_from_zero() {
        // 333 × 0.7 = 233.1 → 233; 5 × 0.7 = 3.5 → 4.
        let order = |revenue_minor| ClvOrder {
            revenue_minor,
            refunded_minor: 0,
            cost_minor: None,
        };
        assert_eq!(historical_clv(&[order(333)], 3_000), Ok(100));
        assert_eq!(historical_clv(&[order(5)], 3_000), Ok(1));
        assert_eq!(div_round(-7, 2), -4);
        assert_eq!(div_round(7, 2), 4);
    }

    #[test]
    fn predictive_annualises_the_observed_rhythm() {
        // 4 orders, 120 000 net, first order 365 days ago: AOV 30 000,
        // 4 purchases a year, 3 years, 30 % → 30 000 × 4 × 3 × 0.3 = 108 000.
        let history = PurchaseSummary {
            net_revenue_minor: 120_000,
            orders: 4,
            first_order: date(2024, 6, 30),
        };
        assert_eq!(
            predictive_clv(&history, date(2025, 6, 30), &ClvParams::default()),
            Ok(PredictiveClv {
                value_minor: 108_000,
                aov_minor: 30_000,
                observed_days: 365,
            })
        );
    }

    #[test]
    fn predictive_uses_a_minimum_observation_period() {
        // Seen for 10 days but treated as 90: 10 000 × 365 × 12 × 0.5 / (90 × 12)
        // = 20 277.77… → 20 278.
        let history = PurchaseSummary {
            net_revenue_minor: 10_000,
            orders: 2,
            first_order: date(2025, 6, 20),
        };
        let params = ClvParams {
            margin_bps: 5_000,
            expected_lifespan_months: 12,
            min_observed_days: 90,
        };
        let clv = predictive_clv(&history, date(2025, 6, 30), &params);
        assert_eq!(
            clv.map(|c| (c.value_minor, c.observed_days)),
            Ok((20_278, 90))
        );
    }

    #[test]
    fn predictive_edge_cases() {
        let none = PurchaseSummary {
            net_revenue_minor: 0,
            orders: 0,
            first_order: date(2025, 1, 1),
        };
        assert_eq!(
            predictive_clv(&none, date(2025, 6, 30), &ClvParams::default()).map(|c| c.value_minor),
            Ok(0)
        );
        let params = ClvParams {
            margin_bps: 10_001,
            ..ClvParams::default()
        };
        assert_eq!(
            predictive_clv(&none, date(2025, 6, 30), &params),
            Err(ClvError::MarginOutOfRange { margin_bps: 10_001 })
        );
        let huge = PurchaseSummary {
            net_revenue_minor: i64::MAX,
            orders: 1,
            first_order: date(2025, 6, 1),
        };
        let long = ClvParams {
            expected_lifespan_months: u32::MAX,
            margin_bps: 10_000,
            min_observed_days: 1,
        };
        assert_eq!(
            predictive_clv(&huge, date(2025, 6, 30), &long),
            Err(ClvError::Overflow)
        );
    }
}
