//! Churn signals, each with its evidence.

use chrono::{NaiveDate, TimeDelta};

use crate::crm::churn::*;
use crate::crm::rfm::RfmSegment;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).expect("valid date")
}

fn order(days_ago: i64, net_minor: i64) -> OrderFact {
    OrderFact {
        date: as_of() - TimeDelta::days(days_ago),
        net_minor,
    }
}

fn signals(input: &ChurnInput) -> Vec<ChurnReason> {
    churn_signals(input, as_of(), &ChurnRules::default())
}

#[test]
fn a_steady_customer_shows_no_signal() {
    let input = ChurnInput {
        orders: vec![
            order(170, 10_000),
            order(120, 10_000),
            order(80, 10_000),
            order(30, 10_000),
        ],
        segment: Some(RfmSegment::Loyal),
        ..ChurnInput::default()
    };
    assert_eq!(signals(&input), vec![]);
}

#[test]
fn overdue_against_the_customers_own_rhythm() {
    // Gaps 30, 30, 40 → median 30; threshold 2.5 × 30 = 75; last order 100
    // days ago.
    let input = ChurnInput {
        orders: vec![order(200, 1), order(170, 1), order(140, 1), order(100, 1)],
        ..ChurnInput::default()
    };
    assert!(
        signals(&input).contains(&ChurnReason::OverdueForUsualRhythm {
            days_since_last_order: 100,
            median_gap_days: 30.0,
            threshold_days: 75.0,
        })
    );
    let on_time = ChurnInput {
        orders: vec![order(200, 1), order(170, 1), order(140, 1), order(75, 1)],
        ..ChurnInput::default()
    };
    assert!(!signals(&on_time)
        .iter()
        .any(|r| matches!(r, ChurnReason::OverdueForUsualRhythm { .. })));
}

#[test]
fn the_multiplier_is_configurable() {
    let input = ChurnInput {
        orders: vec![order(100, 1), order(80, 1), order(50, 1)],
        ..ChurnInput::default()
    };
    // Gaps 20 and 30 → median 25; 50 days is 2 × 25.
    let strict = ChurnRules {
        gap_multiplier: 1.5,
        ..ChurnRules::default()
    };
    assert_eq!(
        churn_signals(&input, as_of(), &strict).first(),
        Some(&ChurnReason::OverdueForUsualRhythm {
            days_since_last_order: 50,
            median_gap_days: 25.0,
            threshold_days: 37.5,
        })
    );
    assert!(signals(&input).is_empty());
}

#[test]
fn median_gap_ignores_same_day_orders_and_needs_two_orders() {
    let day = |d| as_of() - TimeDelta::days(d);
    assert_eq!(median_gap_days(&[day(10)]), None);
    assert_eq!(median_gap_days(&[day(10), day(10)]), None);
    assert_eq!(
        median_gap_days(&[day(30), day(10), day(10), day(0)]),
        Some(15.0)
    );
}

/// Orders of `net_minor` every `every` days, the last `last_days_ago` ago.
fn rhythm(count: i64, every: i64, last_days_ago: i64, net_minor: i64) -> Vec<OrderFact> {
    (0..count)
        .rev()
        .map(|n| order(last_days_ago + n * every, net_minor))
        .collect()
}

#[test]
fn a_customer_ordering_every_40_days_is_steady() {
    // 171, 131, 91, 51 and 11 days ago: fixed 90-day windows would hold 3
    // and 2 orders and call it falling. Against the own rhythm: every gap
    // is 40, the open gap 11; spend is flat.
    let input = ChurnInput {
        orders: rhythm(5, 40, 11, 12_000),
        ..ChurnInput::default()
    };
    assert_eq!(signals(&input), vec![]);
}

#[test]
fn a_lapsed_customer_is_overdue_and_slowing() {
    // Every 40 days, but the last order was 120 days ago: 120 > 2.5 × 40
    // (overdue) and 120 > 1.5 × 40 (the open gap is the latest).
    let input = ChurnInput {
        orders: rhythm(5, 40, 120, 12_000),
        ..ChurnInput::default()
    };
    assert_eq!(
        signals(&input),
        vec![
            ChurnReason::OverdueForUsualRhythm {
                days_since_last_order: 120,
                median_gap_days: 40.0,
                threshold_days: 100.0,
            },
            ChurnReason::FallingFrequency {
                usual_gap_days: 40.0,
                latest_gap_days: 120,
                still_open: true,
                threshold_days: 60.0,
            },
        ]
    );
}

#[test]
fn a_declining_customer_slows_and_spends_less() {
    // 205, 175, 145, 115 and 40 days ago: gaps 30, 30, 30 then 75 > 1.5 ×
    // 30. Spend 10 000 × 3, then 6 000 and 4 000: the last two average
    // 5 000, half of 10 000 (≥ 30 % drop). Not overdue: the median of all
    // gaps is 30, 40 days ≤ 75.
    let input = ChurnInput {
        orders: vec![
            order(205, 10_000),
            order(175, 10_000),
            order(145, 10_000),
            order(115, 6_000),
            order(40, 4_000),
        ],
        ..ChurnInput::default()
    };
    assert_eq!(
        signals(&input),
        vec![
            ChurnReason::FallingFrequency {
                usual_gap_days: 30.0,
                latest_gap_days: 75,
                still_open: false,
                threshold_days: 45.0,
            },
            ChurnReason::FallingSpend {
                previous_average_minor: 10_000,
                previous_orders: 3,
                recent_average_minor: 5_000,
                recent_orders: 2,
            },
        ]
    );
}

#[test]
fn trends_need_the_minimum_history() {
    // Three orders: 10 000, 10 000, then 1 000 after a long pause. Too
    // little history for a trend (minimum 4 orders); overdue needs only a
    // rhythm: gaps 30, 30, 90 days since → 90 > 75.
    let input = ChurnInput {
        orders: vec![order(150, 10_000), order(120, 10_000), order(90, 1_000)],
        ..ChurnInput::default()
    };
    assert_eq!(
        signals(&input),
        vec![ChurnReason::OverdueForUsualRhythm {
            days_since_last_order: 90,
            median_gap_days: 30.0,
            threshold_days: 75.0,
        }]
    );
    let relaxed = ChurnRules {
        min_orders: 3,
        ..ChurnRules::default()
    };
    let reasons = churn_signals(&input, as_of(), &relaxed);
    assert!(reasons.contains(&ChurnReason::FallingSpend {
        previous_average_minor: 10_000,
        previous_orders: 1,
        recent_average_minor: 5_500,
        recent_orders: 2,
    }));
}

#[test]
fn a_small_dip_is_not_falling() {
    // The last two average 7 750, 22.5 % under 10 000: under the 30 % bar.
    let mut orders = rhythm(3, 30, 70, 10_000);
    orders.extend([order(40, 8_000), order(10, 7_500)]);
    let input = ChurnInput {
        orders,
        ..ChurnInput::default()
    };
    assert_eq!(signals(&input), vec![]);
}

#[test]
fn a_gap_at_the_threshold_is_not_slowing() {
    // Usual gap 40; a latest gap of exactly 60 = 1.5 × 40 is still in rhythm.
    let input = ChurnInput {
        orders: vec![order(140, 1), order(100, 1), order(60, 1), order(0, 1)],
        ..ChurnInput::default()
    };
    assert_eq!(signals(&input), vec![]);
}

#[test]
fn service_and_delivery_signals_carry_their_evidence() {
    let input = ChurnInput {
        segment: Some(RfmSegment::CantLoseThem),
        open_cases: 1,
        breached_cases: 2,
        late_deliveries: 1,
        failed_deliveries: 1,
        recent_refunds: 2,
        recent_refunded_minor: 12_800,
        last_nps: Some(6),
        last_csat: Some(2),
        ..ChurnInput::default()
    };
    assert_eq!(
        signals(&input),
        vec![
            ChurnReason::RiskySegment {
                segment: RfmSegment::CantLoseThem
            },
            ChurnReason::OpenCases { open: 1 },
            ChurnReason::BreachedCases { breached: 2 },
            ChurnReason::RepeatedDeliveryProblems { late: 1, failed: 1 },
            ChurnReason::RecentRefunds {
                refunds: 2,
                refunded_minor: 12_800
            },
            ChurnReason::NpsDetractor { score: 6 },
            ChurnReason::LowSatisfaction { csat: 2 },
        ]
    );
}

#[test]
fn single_problems_and_good_scores_are_not_signals() {
    let input = ChurnInput {
        segment: Some(RfmSegment::Champions),
        late_deliveries: 1,
        last_nps: Some(7),
        last_csat: Some(3),
        ..ChurnInput::default()
    };
    assert!(signals(&input).is_empty());
}

#[test]
fn reasons_serialise_with_a_reason_tag() {
    let json = serde_json::to_value(ChurnReason::OpenCases { open: 1 }).expect("serialise");
    assert_eq!(json, serde_json::json!({"reason": "open_cases", "open": 1}));
}
