//! RFM scoring and segmentation over a customer base.
//!
//! **Scores.** R = days since the last order, F = orders in the window,
//! M = net spend in the window. Each is scored 1..=5 by quintile of the
//! customer's *rank* in the base:
//!
//! ```text
//! score = 1 + floor(5 × below / n)
//! ```
//!
//! where `below` counts customers with a strictly worse value (fewer orders,
//! less spend, or for R *more* days since the last order, so the most
//! recent score 5). Ties therefore share the score of their lowest rank
//! (like `rank(method = "min")`): equal inputs always get equal scores, and
//! the result does not depend on input order or on customer ids.
//!
//! **FM** = round((F + M) / 2) with halves rounded up, i.e. `(F + M + 1) / 2`
//! in integers, so F5 M4 is FM 5 and F1 M2 is FM 2.
//!
//! **Segments.** The reference grid on R and FM (scores 1..=5):
//!
//! | segment            | R    | FM   |
//! |--------------------|------|------|
//! | Champions          | 4–5  | 4–5  |
//! | Loyal              | 2–5  | 3–5  |
//! | Potential loyalist | 3–5  | 1–3  |
//! | New                | 4–5  | ≤ 1  |
//! | Promising          | 3–4  | ≤ 1  |
//! | Need attention     | 2–3  | 2–3  |
//! | About to sleep     | 2–3  | ≤ 2  |
//! | At risk            | ≤ 2  | 2–5  |
//! | Can't lose them    | ≤ 1  | 4–5  |
//! | Hibernating        | 1–2  | 1–2  |
//! | Lost               | ≤ 2  | ≤ 2  |
//!
//! The rules overlap, so the first match wins, and they are tried narrow
//! before broad: by number of grid cells covered, ties in table order (see
//! [`SEGMENT_RULES`]). As written, Lost and Hibernating cover the very same
//! cells, which would leave one unreachable; Lost is given the single worst
//! cell (R1 FM1) so both exist. The resulting grid, which a test pins:
//!
//! ```text
//!       FM1             FM2                  FM3                  FM4–5
//! R5    New             Potential loyalist   Potential loyalist   Champions
//! R4    New             Potential loyalist   Potential loyalist   Champions
//! R3    Promising       Need attention       Need attention       Loyal
//! R2    About to sleep  Need attention       Need attention       At risk
//! R1    Lost            Hibernating          At risk              Can't lose them
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::CustomerId;

coded_enum! {
    /// An RFM segment; see the module docs for the rules.
    pub enum RfmSegment(field = "rfm_segment") {
        Champions => "champions",
        Loyal => "loyal",
        PotentialLoyalist => "potential_loyalist",
        New => "new",
        Promising => "promising",
        NeedAttention => "need_attention",
        AboutToSleep => "about_to_sleep",
        AtRisk => "at_risk",
        CantLoseThem => "cant_lose_them",
        Hibernating => "hibernating",
        Lost => "lost",
    }
}

/// One segment rule: inclusive score ranges on R and FM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentRule {
    pub segment: RfmSegment,
    pub r: (u8, u8),
    pub fm: (u8, u8),
}

impl SegmentRule {
    const fn new(segment: RfmSegment, r: (u8, u8), fm: (u8, u8)) -> Self {
        Self { segment, r, fm }
    }

    pub const fn matches(&self, r: u8, fm: u8) -> bool {
        self.r.0 <= r && r <= self.r.1 && self.fm.0 <= fm && fm <= self.fm.1
    }
}

/// The rules in first-match order: ascending cell count, ties in the
/// reference table's order. Cell counts: Lost 1, New 2, Promising 2, Can't
/// lose them 2, Champions 4, Need attention 4, About to sleep 4,
/// Hibernating 4, At risk 8, Potential loyalist 9, Loyal 12.
pub const SEGMENT_RULES: [SegmentRule; 11] = [
    SegmentRule::new(RfmSegment::Lost, (1, 1), (1, 1)),
    SegmentRule::new(RfmSegment::New, (4, 5), (1, 1)),
    SegmentRule::new(RfmSegment::Promising, (3, 4), (1, 1)),
    SegmentRule::new(RfmSegment::CantLoseThem, (1, 1), (4, 5)),
    SegmentRule::new(RfmSegment::Champions, (4, 5), (4, 5)),
    SegmentRule::new(RfmSegment::NeedAttention, (2, 3), (2, 3)),
    SegmentRule::new(RfmSegment::AboutToSleep, (2, 3), (1, 2)),
    SegmentRule::new(RfmSegment::Hibernating, (1, 2), (1, 2)),
    SegmentRule::new(RfmSegment::AtRisk, (1, 2), (2, 5)),
    SegmentRule::new(RfmSegment::PotentialLoyalist, (3, 5), (1, 3)),
    SegmentRule::new(RfmSegment::Loyal, (2, 5), (3, 5)),
];

/// The segment for an (R, FM) pair. Scores outside 1..=5 are clamped, so
/// every input has a segment.
pub fn segment_for(r: u8, fm: u8) -> RfmSegment {
    let (r, fm) = (r.clamp(1, 5), fm.clamp(1, 5));
    SEGMENT_RULES
        .iter()
        .find(|rule| rule.matches(r, fm))
        .map_or(RfmSegment::Lost, |rule| rule.segment)
}

/// FM = round((F + M) / 2), halves up.
pub const fn fm_score(f: u8, m: u8) -> u8 {
    (f.saturating_add(m).saturating_add(1)) / 2
}

/// What RFM needs to know about one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmInput {
    pub customer_id: CustomerId,
    pub last_order: NaiveDate,
    pub orders_in_window: u32,
    pub net_spend_in_window_minor: i64,
}

impl RfmInput {
    /// Builds the input from a customer's orders `(date, net amount)`. The
    /// window is the `window_days` days ending on `as_of` (inclusive);
    /// orders after `as_of` are ignored. `None` for a customer with no
    /// order yet: RFM does not score prospects.
    pub fn from_orders(
        customer_id: CustomerId,
        orders: &[(NaiveDate, i64)],
        as_of: NaiveDate,
        window_days: u32,
    ) -> Option<Self> {
        let past = orders.iter().filter(|(date, _)| *date <= as_of);
        let last_order = past.clone().map(|(date, _)| *date).max()?;
        let in_window =
            past.filter(|(date, _)| (as_of - *date).num_days() < i64::from(window_days));
        let (count, spend) = in_window.fold((0_u32, 0_i64), |(count, spend), (_, net)| {
            (count.saturating_add(1), spend.saturating_add(*net))
        });
        Some(Self {
            customer_id,
            last_order,
            orders_in_window: count,
            net_spend_in_window_minor: spend,
        })
    }
}

/// A customer's scores and segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmScore {
    pub customer_id: CustomerId,
    /// Days from the last order to `as_of`; never negative.
    pub recency_days: i64,
    pub frequency: u32,
    pub monetary_minor: i64,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub fm: u8,
    pub segment: RfmSegment,
}

/// `1 + floor(5 × below / n)`; `below < n`, so the result is 1..=5.
fn quintile(below: usize, n: usize) -> u8 {
    let score = 1 + (5 * below) / n.max(1);
    u8::try_from(score.min(5)).unwrap_or(5)
}

/// For each value, the number of values strictly below it.
fn strictly_below<T: Ord + Copy>(values: &[T]) -> Vec<usize> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    values
        .iter()
        .map(|v| sorted.partition_point(|x| x < v))
        .collect()
}

/// Scores every customer against the whole base, in input order.
pub fn score_rfm(customers: &[RfmInput], as_of: NaiveDate) -> Vec<RfmScore> {
    let n = customers.len();
    let recency: Vec<i64> = customers
        .iter()
        .map(|c| (as_of - c.last_order).num_days().max(0))
        .collect();
    // Negated so "strictly below" counts the less recent customers.
    let freshness: Vec<i64> = recency.iter().map(|days| -days).collect();
    let frequency: Vec<u32> = customers.iter().map(|c| c.orders_in_window).collect();
    let monetary: Vec<i64> = customers
        .iter()
        .map(|c| c.net_spend_in_window_minor)
        .collect();
    let (r_below, f_below, m_below) = (
        strictly_below(&freshness),
        strictly_below(&frequency),
        strictly_below(&monetary),
    );
    customers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (r, f, m) = (
                quintile(r_below[i], n),
                quintile(f_below[i], n),
                quintile(m_below[i], n),
            );
            let fm = fm_score(f, m);
            RfmScore {
                customer_id: c.customer_id.clone(),
                recency_days: recency[i],
                frequency: frequency[i],
                monetary_minor: monetary[i],
                r,
                f,
                m,
                fm,
                segment: segment_for(r, fm),
            }
        })
        .collect()
}
