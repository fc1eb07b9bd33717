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

#[test]
fn falling_frequency_and_spend_compare_the_last_two_windows() {
    // Previous window (90..180 days ago): 3 orders, 30 000. Last window: 1
    // order, 5 000.
    let input = ChurnInput {
        orders: vec![
            order(170, 10_000),
            order(140, 10_000),
            order(100, 10_000),
            order(20, 5_000),
        ],
        ..ChurnInput::default()
    };
    let reasons = signals(&input);
    assert!(reasons.contains(&ChurnReason::FallingFrequency {
        previous_orders: 3,
        recent_orders: 1,
    }));
    assert!(reasons.contains(&ChurnReason::FallingSpend {
        previous_minor: 30_000,
        recent_minor: 5_000,
    }));
}

#[test]
fn a_small_dip_is_not_falling() {
    let input = ChurnInput {
        orders: vec![order(150, 10_000), order(40, 8_000)],
        ..ChurnInput::default()
    };
    assert!(
        signals(&input).is_empty(),
        "20 % drop is under the 30 % bar"
    );
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
