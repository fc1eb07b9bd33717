//! Lifecycle stage from a customer's order history.
//!
//! Rules, first match wins (`d` = days from the last order to `as_of`):
//!
//! 1. **potential**: no order on or before `as_of` (registered, never bought).
//! 2. **churned**: `d > churned_after_days`.
//! 3. **at_risk**: `d > at_risk_after_days`.
//! 4. **won_back**: the last order ended a gap longer than
//!    `churned_after_days` (the customer had churned) and was placed within
//!    `won_back_within_days`.
//! 5. **new**: the first order was placed within `new_within_days`.
//! 6. **retained**: at least `retained_min_orders` orders.
//! 7. **active**: everyone else: buying recently, past the new period,
//!    but not yet a regular (the "growing" stage).
//!
//! Recency comes first so that a big spender who stopped buying is shown as
//! at risk rather than retained; won-back comes before new because a
//! returning customer's first order is long past.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// Where a customer is in their relationship with the shop.
    pub enum LifecycleStage(field = "lifecycle_stage") {
        Potential => "potential",
        New => "new",
        Active => "active",
        Retained => "retained",
        AtRisk => "at_risk",
        Churned => "churned",
        WonBack => "won_back",
    }
}

/// Thresholds for [`lifecycle_stage`]; defaults suit a consumables shop
/// (tea) where most regulars buy every one to three months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleRules {
    pub new_within_days: u32,
    pub retained_min_orders: u32,
    pub at_risk_after_days: u32,
    pub churned_after_days: u32,
    pub won_back_within_days: u32,
}

impl Default for LifecycleRules {
    fn default() -> Self {
        Self {
            new_within_days: 90,
            retained_min_orders: 3,
            at_risk_after_days: 180,
            churned_after_days: 365,
            won_back_within_days: 90,
        }
    }
}

/// The stage for a customer with orders on `order_dates` (any order,
/// duplicates allowed). Orders after `as_of` are ignored.
pub fn lifecycle_stage(
    order_dates: &[NaiveDate],
    as_of: NaiveDate,
    rules: &LifecycleRules,
) -> LifecycleStage {
    let mut dates: Vec<NaiveDate> = order_dates
        .iter()
        .copied()
        .filter(|d| *d <= as_of)
        .collect();
    dates.sort_unstable();
    let (Some(&first), Some(&last)) = (dates.first(), dates.last()) else {
        return LifecycleStage::Potential;
    };
    let days_since = |date: NaiveDate| (as_of - date).num_days();
    let since_last = days_since(last);
    if since_last > i64::from(rules.churned_after_days) {
        return LifecycleStage::Churned;
    }
    if since_last > i64::from(rules.at_risk_after_days) {
        return LifecycleStage::AtRisk;
    }
    let returned_after_churn = dates
        .len()
        .checked_sub(2)
        .and_then(|i| dates.get(i))
        .is_some_and(|previous| {
            (last - *previous).num_days() > i64::from(rules.churned_after_days)
        });
    if returned_after_churn && since_last <= i64::from(rules.won_back_within_days) {
        return LifecycleStage::WonBack;
    }
    if days_since(first) <= i64::from(rules.new_within_days) {
        return LifecycleStage::New;
    }
    let orders = u32::try_from(dates.len()).unwrap_or(u32::MAX);
    if orders >= rules.retained_min_orders {
        LifecycleStage::Retained
    } else {
        LifecycleStage::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).expect("valid date")
    }

    /// Order dates given as days before `as_of`.
    fn stage(days_ago: &[i64]) -> LifecycleStage {
        let dates: Vec<_> = days_ago
            .iter()
            .map(|d| as_of() - chrono::TimeDelta::days(*d))
            .collect();
        lifecycle_stage(&dates, as_of(), &LifecycleRules::default())
    }

    #[test]
    fn no_orders_is_potential() {
        assert_eq!(stage(&[]), LifecycleStage::Potential);
        assert_eq!(
            stage(&[-5]),
            LifecycleStage::Potential,
            "future orders ignored"
        );
    }

    #[test]
    fn a_recent_first_order_is_new() {
        assert_eq!(stage(&[10]), LifecycleStage::New);
        assert_eq!(
            stage(&[90, 30, 5]),
            LifecycleStage::New,
            "still within 90 days"
        );
    }

    #[test]
    fn past_the_new_period_few_orders_is_active() {
        assert_eq!(stage(&[120, 20]), LifecycleStage::Active);
        assert_eq!(stage(&[91]), LifecycleStage::Active);
    }

    #[test]
    fn regular_buyers_are_retained() {
        assert_eq!(stage(&[300, 200, 100, 15]), LifecycleStage::Retained);
    }

    #[test]
    fn long_silence_is_at_risk_then_churned() {
        assert_eq!(stage(&[400, 300, 181]), LifecycleStage::AtRisk);
        assert_eq!(
            stage(&[180]),
            LifecycleStage::Active,
            "boundary is exclusive"
        );
        assert_eq!(stage(&[500, 366]), LifecycleStage::Churned);
        assert_eq!(stage(&[365]), LifecycleStage::AtRisk);
    }

    #[test]
    fn returning_after_churn_is_won_back_for_a_while() {
        assert_eq!(stage(&[800, 30]), LifecycleStage::WonBack);
        assert_eq!(
            stage(&[800, 120]),
            LifecycleStage::Active,
            "won-back period over"
        );
        assert_eq!(
            stage(&[500, 100, 30]),
            LifecycleStage::Retained,
            "gap under a year"
        );
    }

    #[test]
    fn thresholds_are_configurable() {
        let strict = LifecycleRules {
            at_risk_after_days: 30,
            ..LifecycleRules::default()
        };
        let dates = [as_of() - chrono::TimeDelta::days(45)];
        assert_eq!(
            lifecycle_stage(&dates, as_of(), &strict),
            LifecycleStage::AtRisk
        );
    }
}
