//! RFM against a hand-computed base of ten customers.

use chrono::NaiveDate;

use crate::crm::rfm::*;
use crate::ids::CustomerId;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).expect("valid date")
}

fn input(id: &str, days_ago: i64, orders: u32, spend: i64) -> RfmInput {
    RfmInput {
        customer_id: CustomerId::parse(id).expect("valid id"),
        last_order: as_of() - chrono::TimeDelta::days(days_ago),
        orders_in_window: orders,
        net_spend_in_window_minor: spend,
    }
}

/// Ten customers with ties in every dimension (c02/c03 on recency;
/// c03/c05/c09 and c07/c10 on frequency; c03/c09 on spend).
fn base() -> Vec<RfmInput> {
    vec![
        input("c01", 2, 12, 980_000),
        input("c02", 5, 8, 450_000),
        input("c03", 5, 1, 9_900),
        input("c04", 20, 3, 120_000),
        input("c05", 45, 1, 15_000),
        input("c06", 60, 6, 300_000),
        input("c07", 120, 2, 30_000),
        input("c08", 200, 10, 800_000),
        input("c09", 300, 1, 9_900),
        input("c10", 400, 2, 20_000),
    ]
}

/// Worked by hand with score = 1 + floor(5 × below / 10) = 1 + floor(below / 2):
///
/// * R (below = customers with more days): 2d→9→5, 5d→7→4 (both), 20d→6→4,
///   45d→5→3, 60d→4→3, 120d→3→2, 200d→2→2, 300d→1→1, 400d→0→1.
/// * F (below = fewer orders): 1→0→1 (three), 2→3→2 (two), 3→5→3, 6→6→4,
///   8→7→4, 10→8→5, 12→9→5.
/// * M (below = less spend): 9 900→0→1 (two), 15 000→2→2, 20 000→3→2,
///   30 000→4→3, 120 000→5→3, 300 000→6→4, 450 000→7→4, 800 000→8→5,
///   980 000→9→5.
/// * FM = (F + M + 1) / 2.
#[test]
fn ten_customers_score_and_segment_as_computed_by_hand() {
    use RfmSegment::*;
    let expected: [(&str, u8, u8, u8, u8, RfmSegment); 10] = [
        ("c01", 5, 5, 5, 5, Champions),
        ("c02", 4, 4, 4, 4, Champions),
        ("c03", 4, 1, 1, 1, New),
        ("c04", 4, 3, 3, 3, PotentialLoyalist),
        ("c05", 3, 1, 2, 2, NeedAttention),
        ("c06", 3, 4, 4, 4, Loyal),
        ("c07", 2, 2, 3, 3, NeedAttention),
        ("c08", 2, 5, 5, 5, AtRisk),
        ("c09", 1, 1, 1, 1, Lost),
        ("c10", 1, 2, 2, 2, Hibernating),
    ];
    let scores = score_rfm(&base(), as_of());
    let actual: Vec<_> = scores
        .iter()
        .map(|s| (s.customer_id.as_str(), s.r, s.f, s.m, s.fm, s.segment))
        .collect();
    assert_eq!(actual, expected);
    assert_eq!(scores[7].recency_days, 200);
    assert_eq!(scores[7].monetary_minor, 800_000);
}

#[test]
fn scores_do_not_depend_on_input_order() {
    let mut reversed = base();
    reversed.reverse();
    let mut forward = score_rfm(&base(), as_of());
    let mut backward = score_rfm(&reversed, as_of());
    forward.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
    backward.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
    assert_eq!(forward, backward);
}

#[test]
fn an_all_tied_base_scores_everyone_one() {
    let same = vec![input("a", 10, 2, 100), input("b", 10, 2, 100)];
    for score in score_rfm(&same, as_of()) {
        assert_eq!((score.r, score.f, score.m), (1, 1, 1));
    }
    assert!(score_rfm(&[], as_of()).is_empty());
}

#[test]
fn a_single_customer_is_the_bottom_of_its_own_base() {
    let scores = score_rfm(&[input("solo", 0, 9, 999_999)], as_of());
    assert_eq!(
        (scores[0].r, scores[0].fm, scores[0].segment),
        (1, 1, RfmSegment::Lost)
    );
}

#[test]
fn the_full_grid_follows_the_documented_first_match_order() {
    use RfmSegment::*;
    // Rows R5..R1, columns FM1..FM5.
    let grid = [
        [
            New,
            PotentialLoyalist,
            PotentialLoyalist,
            Champions,
            Champions,
        ],
        [
            New,
            PotentialLoyalist,
            PotentialLoyalist,
            Champions,
            Champions,
        ],
        [Promising, NeedAttention, NeedAttention, Loyal, Loyal],
        [AboutToSleep, NeedAttention, NeedAttention, AtRisk, AtRisk],
        [Lost, Hibernating, AtRisk, CantLoseThem, CantLoseThem],
    ];
    for (row, r) in grid.iter().zip([5, 4, 3, 2, 1]) {
        for (expected, fm) in row.iter().zip(1..=5) {
            assert_eq!(segment_for(r, fm), *expected, "R{r} FM{fm}");
        }
    }
    let reached: std::collections::BTreeSet<_> = grid.iter().flatten().copied().collect();
    assert_eq!(
        reached.len(),
        RfmSegment::ALL.len(),
        "every segment reachable"
    );
    assert_eq!(
        segment_for(0, 9),
        segment_for(1, 5),
        "out-of-range scores clamp"
    );
}

#[test]
fn fm_rounds_halves_up() {
    assert_eq!(fm_score(1, 2), 2);
    assert_eq!(fm_score(4, 5), 5);
    assert_eq!(fm_score(3, 3), 3);
    assert_eq!(fm_score(1, 1), 1);
}

#[test]
fn input_from_orders_uses_the_window_and_ignores_the_future() {
    let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).expect("valid date");
    let orders = [
        (day(1, 10), 5_000),
        (day(5, 1), 12_000),
        (day(6, 30), 8_000),
        (day(6, 20), -2_000),
        (day(7, 5), 99_000),
    ];
    let id = CustomerId::parse("c").expect("valid id");
    let built = RfmInput::from_orders(id.clone(), &orders, as_of(), 90);
    assert_eq!(
        built,
        Some(RfmInput {
            customer_id: id.clone(),
            last_order: day(6, 30),
            orders_in_window: 3,
            net_spend_in_window_minor: 18_000,
        })
    );
    assert_eq!(
        RfmInput::from_orders(id, &[(day(7, 1), 1)], as_of(), 90),
        None
    );
}
