//! Where each discount went: the per-line allocation of every promotion.
//!
//! Refunds at the price paid need to know what a line actually cost after the discounts,
//! so every promotion's amount is split over the lines it applies to, exactly (the shares
//! sum to the amount, to the minor unit). The rule, when the channel does not state the
//! split itself:
//!
//! - A promotion tied to one SKU (member price) goes to that line alone.
//! - Any other promotion is split over all lines in proportion to the value each line has
//!   left after the promotions recorded before it (never its list value, so no line can be
//!   discounted below zero): each line first gets `floor(amount × left / total_left)`, then
//!   the minor units still missing go one each to the lines with the largest remainders,
//!   ties to the line that comes first on the order (**largest remainder**).
//!
//! The rule is deterministic, so the allocation is recomputable from the event alone and
//! old events are upcast with it (`OrderPlaced` 1.0 → 2.0).

use serde::{Deserialize, Serialize};

use crate::order::commands::OrderLine;
use crate::order::promotions::PromotionRequest;
use crate::values::Sku;

/// One line's share of one promotion, in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAllocation {
    pub sku: Sku,
    pub amount_minor: i64,
}

/// The line a promotion is confined to, if any.
pub fn scope(promotion: &PromotionRequest) -> Option<&Sku> {
    match promotion {
        PromotionRequest::MemberPrice { sku, .. } => Some(sku),
        _ => None,
    }
}

/// Splits `amount` over `weights` by largest remainder (ties: lower index first).
/// `None` when the weights cannot carry it (negative, or all zero for a positive amount)
/// or the arithmetic overflows.
pub fn largest_remainder(amount: i64, weights: &[i64]) -> Option<Vec<i64>> {
    if amount < 0 || weights.iter().any(|w| *w < 0) {
        return None;
    }
    let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if amount == 0 {
        return Some(vec![0; weights.len()]);
    }
    if total == 0 || i128::from(amount) > total {
        return None;
    }
    let amount = i128::from(amount);
    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = amount * i128::from(*w);
        shares.push(exact / total);
        remainders.push((exact % total, i));
    }
    let missing = amount - shares.iter().sum::<i128>();
    // Largest remainder first; equal remainders keep line order.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders.iter().take(usize::try_from(missing).ok()?) {
        shares[*i] += 1;
    }
    shares.into_iter().map(|s| i64::try_from(s).ok()).collect()
}

/// What is left of each line (by position) after the allocations so far.
pub fn remaining_values(lines: &[OrderLine], allocations: &[&[LineAllocation]]) -> Vec<i64> {
    lines
        .iter()
        .map(|line| {
            let taken = allocations
                .iter()
                .flat_map(|a| a.iter())
                .filter(|a| a.sku == line.sku)
                .fold(0_i64, |sum, a| sum.saturating_add(a.amount_minor));
            line.line_total_minor()
                .unwrap_or(i64::MAX)
                .saturating_sub(taken)
        })
        .collect()
}

/// The rule's split of one promotion's `amount` given what each line has `left`;
/// zero shares are left out. `None` if the lines in scope cannot carry the amount.
pub fn allocate_one(
    lines: &[OrderLine],
    left: &[i64],
    promotion: &PromotionRequest,
    amount: i64,
) -> Option<Vec<LineAllocation>> {
    let weights: Vec<i64> = lines
        .iter()
        .zip(left)
        .map(|(line, left)| match scope(promotion) {
            Some(sku) if sku != &line.sku => 0,
            _ => *left,
        })
        .collect();
    let shares = largest_remainder(amount, &weights)?;
    Some(
        lines
            .iter()
            .zip(shares)
            .filter(|(_, share)| *share > 0)
            .map(|(line, amount_minor)| LineAllocation {
                sku: line.sku.clone(),
                amount_minor,
            })
            .collect(),
    )
}

/// The rule's allocation of every promotion, in recorded order.
pub fn allocate_all(
    lines: &[OrderLine],
    promotions: &[(&PromotionRequest, i64)],
) -> Option<Vec<Vec<LineAllocation>>> {
    let mut done: Vec<Vec<LineAllocation>> = Vec::with_capacity(promotions.len());
    for (promotion, amount) in promotions {
        let views: Vec<&[LineAllocation]> = done.iter().map(Vec::as_slice).collect();
        let left = remaining_values(lines, &views);
        done.push(allocate_one(lines, &left, promotion, *amount)?);
    }
    Some(done)
}

/// Units of a line's paid value: what `units` of `quantity` are worth when `paid` is the
/// whole line's value after discounts, counted cumulatively so that refunding every unit
/// refunds exactly `paid`: the first `k` units are worth `floor(paid × k / quantity)`.
/// `earlier` units of the line were already taken back by other returns, so this return's
/// `units` are worth `floor(paid × (earlier + units) / q) − floor(paid × earlier / q)`.
pub fn units_value(paid: i64, quantity: u32, earlier: u32, units: u32) -> i64 {
    if quantity == 0 || paid <= 0 {
        return 0;
    }
    let q = i128::from(quantity);
    let upto = |k: u32| i128::from(paid) * i128::from(k.min(quantity)) / q;
    let value = upto(earlier.saturating_add(units)) - upto(earlier);
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_sums_exactly_and_breaks_ties_by_line_order() {
        // 100 over three equal lines: 33.33 each; the missing unit goes to the first line.
        assert_eq!(
            largest_remainder(100, &[500, 500, 500]),
            Some(vec![34, 33, 33])
        );
        // 5,000 over 20,000 and 10,000: exact two thirds / one third → 3,333.33 / 1,666.67;
        // the larger remainder (0.67) takes the missing unit.
        assert_eq!(
            largest_remainder(5_000, &[20_000, 10_000]),
            Some(vec![3_333, 1_667])
        );
        assert_eq!(largest_remainder(0, &[0, 0]), Some(vec![0, 0]));
        assert_eq!(largest_remainder(1, &[0, 0]), None);
        assert_eq!(
            largest_remainder(11, &[5, 5]),
            None,
            "more than the lines hold"
        );
        assert_eq!(largest_remainder(10, &[5, 5]), Some(vec![5, 5]));
    }

    #[test]
    fn units_value_refunds_the_whole_line_exactly() {
        // 10,001 paid for 3 units: 3,333 then 3,334 then 3,334.
        assert_eq!(units_value(10_001, 3, 0, 1), 3_333);
        assert_eq!(units_value(10_001, 3, 1, 1), 3_334);
        assert_eq!(units_value(10_001, 3, 2, 1), 3_334);
        assert_eq!(units_value(10_001, 3, 0, 3), 10_001);
        assert_eq!(units_value(10_001, 3, 1, 2), 6_668);
        // 2 × 10,000 with 满200减50: 15,000 paid → 7,500 a unit.
        assert_eq!(units_value(15_000, 2, 0, 1), 7_500);
        assert_eq!(units_value(15_000, 2, 2, 1), 0, "nothing left to take back");
    }
}
