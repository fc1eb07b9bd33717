//! Pure promotion and totals arithmetic: Waybill's own pricing, used for orders from its
//! own web shop and app only (channels price their own orders; see
//! [`crate::order::pricing`]).
//!
//! Promotions are applied in a fixed order, whatever order they were
//! requested in, because the result of stacking depends on it and channels
//! send them in arbitrary order:
//!
//! 1. `MemberPrice`        – per-SKU unit price reduction
//! 2. `PercentageDiscount` – floor(running × percent / 100)
//! 3. `ThresholdReduction` – 满减: needs running ≥ threshold, capped at running
//! 4. `FixedCoupon`        – capped at running
//! 5. `PointsRedemption`   – points × rate, refused if above running
//!
//! "Running" is the merchandise subtotal after the previous promotions; it
//! never goes below zero and shipping is never discounted. Several requests of
//! one kind keep their relative request order. The amount each promotion took
//! off is returned so events can store it and totals stay recomputable from
//! events alone, even if these rules change later.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::order::allocation::{allocate_all, LineAllocation};
use crate::order::commands::OrderLine;
use crate::validation::{short_text, ValidationError};
use crate::values::Sku;

/// A promotion the channel says applies to the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PromotionRequest {
    MemberPrice {
        sku: Sku,
        member_unit_price_minor: i64,
    },
    PercentageDiscount {
        name: String,
        percent: u8,
    },
    ThresholdReduction {
        name: String,
        threshold_minor: i64,
        reduction_minor: i64,
    },
    FixedCoupon {
        code: String,
        amount_minor: i64,
    },
    PointsRedemption {
        points: u64,
        minor_per_point: i64,
    },
}

impl PromotionRequest {
    /// Stable code, equal to the serde tag.
    pub const fn kind_code(&self) -> &'static str {
        match self {
            Self::MemberPrice { .. } => "member_price",
            Self::PercentageDiscount { .. } => "percentage_discount",
            Self::ThresholdReduction { .. } => "threshold_reduction",
            Self::FixedCoupon { .. } => "fixed_coupon",
            Self::PointsRedemption { .. } => "points_redemption",
        }
    }

    /// What a person calls it: the promotion's name, coupon code or SKU.
    pub fn label(&self) -> String {
        match self {
            Self::MemberPrice { sku, .. } => format!("member price {sku}"),
            Self::PercentageDiscount { name, .. } | Self::ThresholdReduction { name, .. } => {
                name.clone()
            }
            Self::FixedCoupon { code, .. } => code.clone(),
            Self::PointsRedemption { points, .. } => format!("{points} points"),
        }
    }

    /// Position in the application order documented on this module.
    pub const fn stage(&self) -> u8 {
        match self {
            Self::MemberPrice { .. } => 0,
            Self::PercentageDiscount { .. } => 1,
            Self::ThresholdReduction { .. } => 2,
            Self::FixedCoupon { .. } => 3,
            Self::PointsRedemption { .. } => 4,
        }
    }
}

/// A promotion together with the exact amount it took off and how that amount is split
/// over the lines (see [`crate::order::allocation`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedPromotion {
    pub promotion: PromotionRequest,
    pub amount_off_minor: i64,
    /// Non-zero shares only, in line order; they sum to `amount_off_minor`.
    #[serde(default)]
    pub allocation: Vec<LineAllocation>,
}

/// Money summary of an order, all in minor units of the order currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderTotals {
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub shipping_fee_minor: i64,
    pub grand_total_minor: i64,
}

impl OrderTotals {
    /// Recomputes totals from what an `OrderPlaced` event carries. `None` if
    /// the arithmetic overflows or the inputs are inconsistent (negative
    /// parts, discount above subtotal), so a grand total is never negative.
    pub fn compute(
        lines: &[OrderLine],
        applied: &[AppliedPromotion],
        shipping_fee_minor: i64,
    ) -> Option<Self> {
        let discount = applied
            .iter()
            .try_fold(0_i64, |sum, a| sum.checked_add(a.amount_off_minor))?;
        Self::from_parts(subtotal_minor(lines)?, discount, shipping_fee_minor)
    }

    /// grand = subtotal − discount + shipping, with the same checks as
    /// [`OrderTotals::compute`].
    pub fn from_parts(
        subtotal_minor: i64,
        discount_minor: i64,
        shipping_fee_minor: i64,
    ) -> Option<Self> {
        if subtotal_minor < 0
            || discount_minor < 0
            || shipping_fee_minor < 0
            || discount_minor > subtotal_minor
        {
            return None;
        }
        let grand_total_minor =
            (subtotal_minor - discount_minor).checked_add(shipping_fee_minor)?;
        Some(Self {
            subtotal_minor,
            discount_minor,
            shipping_fee_minor,
            grand_total_minor,
        })
    }
}

/// Sum of unit price × quantity over all lines, `None` on overflow.
pub fn subtotal_minor(lines: &[OrderLine]) -> Option<i64> {
    lines
        .iter()
        .try_fold(0_i64, |sum, line| sum.checked_add(line.line_total_minor()?))
}

/// Why a set of promotions cannot be applied to an order.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PromotionError {
    #[error("member price refers to SKU {sku}, which is not on the order")]
    UnknownSku { sku: Sku },
    #[error("more than one member price for SKU {sku}")]
    DuplicateMemberPrice { sku: Sku },
    #[error("member price for {sku} is negative ({member_unit_price_minor})")]
    NegativeMemberPrice {
        sku: Sku,
        member_unit_price_minor: i64,
    },
    #[error("member price {member_unit_price_minor} for {sku} is not below unit price {unit_price_minor}")]
    MemberPriceNotBelowUnitPrice {
        sku: Sku,
        member_unit_price_minor: i64,
        unit_price_minor: i64,
    },
    #[error("percentage {percent} is outside 1..=99")]
    PercentOutOfRange { percent: u8 },
    #[error("promotion parameter {field} must be greater than zero")]
    NonPositiveParameter { field: &'static str },
    #[error("invalid promotion label: {0}")]
    InvalidLabel(ValidationError),
    #[error("coupon {code} is used more than once")]
    DuplicateCoupon { code: String },
    #[error("{name} needs {threshold_minor} but the running total is {running_minor}")]
    PromotionNotApplicable {
        name: String,
        threshold_minor: i64,
        running_minor: i64,
    },
    #[error("points worth {points_value_minor} exceed the running total {running_minor}")]
    PointsExceedTotal {
        points_value_minor: i64,
        running_minor: i64,
    },
    #[error("{points} points at {minor_per_point} each overflow")]
    PointsValueOverflow { points: u64, minor_per_point: i64 },
    #[error("promotion arithmetic overflowed")]
    Overflow,
}

/// Applies `requests` to `lines` in the documented order and returns what
/// each one took off, in application order.
pub fn apply_promotions(
    lines: &[OrderLine],
    requests: &[PromotionRequest],
) -> Result<Vec<AppliedPromotion>, PromotionError> {
    check_parameters(lines, requests)?;
    let mut ordered: Vec<&PromotionRequest> = requests.iter().collect();
    // Stable sort: same-kind requests keep their request order.
    ordered.sort_by_key(|request| request.stage());

    let mut running = subtotal_minor(lines).ok_or(PromotionError::Overflow)?;
    let mut applied = Vec::with_capacity(ordered.len());
    for promotion in ordered {
        let amount_off_minor = amount_off(promotion, lines, running)?;
        running = running
            .checked_sub(amount_off_minor)
            .ok_or(PromotionError::Overflow)?;
        applied.push(AppliedPromotion {
            promotion: promotion.clone(),
            amount_off_minor,
            allocation: Vec::new(),
        });
    }
    with_allocation(lines, applied).ok_or(PromotionError::Overflow)
}

/// Fills in the rule's allocation (see [`crate::order::allocation`]) of every promotion.
/// `None` when the lines cannot carry the amounts.
pub fn with_allocation(
    lines: &[OrderLine],
    mut applied: Vec<AppliedPromotion>,
) -> Option<Vec<AppliedPromotion>> {
    let amounts: Vec<(&PromotionRequest, i64)> = applied
        .iter()
        .map(|a| (&a.promotion, a.amount_off_minor))
        .collect();
    let allocations = allocate_all(lines, &amounts)?;
    for (promotion, allocation) in applied.iter_mut().zip(allocations) {
        promotion.allocation = allocation;
    }
    Some(applied)
}

fn line_for<'a>(lines: &'a [OrderLine], sku: &Sku) -> Result<&'a OrderLine, PromotionError> {
    lines
        .iter()
        .find(|line| &line.sku == sku)
        .ok_or_else(|| PromotionError::UnknownSku { sku: sku.clone() })
}

fn positive(field: &'static str, value: i64) -> Result<(), PromotionError> {
    if value > 0 {
        Ok(())
    } else {
        Err(PromotionError::NonPositiveParameter { field })
    }
}

fn label(field: &'static str, value: &str) -> Result<(), PromotionError> {
    short_text(field, value).map_err(PromotionError::InvalidLabel)
}

/// Rules that do not depend on the running total, checked up front so a bad
/// request is reported even when an earlier stage would fail first.
pub(crate) fn check_parameters(
    lines: &[OrderLine],
    requests: &[PromotionRequest],
) -> Result<(), PromotionError> {
    let mut member_skus = BTreeSet::new();
    let mut coupon_codes = BTreeSet::new();
    for request in requests {
        match request {
            PromotionRequest::MemberPrice {
                sku,
                member_unit_price_minor,
            } => {
                let line = line_for(lines, sku)?;
                if *member_unit_price_minor < 0 {
                    return Err(PromotionError::NegativeMemberPrice {
                        sku: sku.clone(),
                        member_unit_price_minor: *member_unit_price_minor,
                    });
                }
                if *member_unit_price_minor >= line.unit_price_minor {
                    return Err(PromotionError::MemberPriceNotBelowUnitPrice {
                        sku: sku.clone(),
                        member_unit_price_minor: *member_unit_price_minor,
                        unit_price_minor: line.unit_price_minor,
                    });
                }
                if !member_skus.insert(sku) {
                    return Err(PromotionError::DuplicateMemberPrice { sku: sku.clone() });
                }
            }
            PromotionRequest::PercentageDiscount { name, percent } => {
                label("promotion.name", name)?;
                if !(1..=99).contains(percent) {
                    return Err(PromotionError::PercentOutOfRange { percent: *percent });
                }
            }
            PromotionRequest::ThresholdReduction {
                name,
                threshold_minor,
                reduction_minor,
            } => {
                label("promotion.name", name)?;
                positive("threshold_minor", *threshold_minor)?;
                positive("reduction_minor", *reduction_minor)?;
            }
            PromotionRequest::FixedCoupon { code, amount_minor } => {
                label("promotion.code", code)?;
                positive("amount_minor", *amount_minor)?;
                if !coupon_codes.insert(code) {
                    return Err(PromotionError::DuplicateCoupon { code: code.clone() });
                }
            }
            PromotionRequest::PointsRedemption {
                points,
                minor_per_point,
            } => {
                if *points == 0 {
                    return Err(PromotionError::NonPositiveParameter { field: "points" });
                }
                positive("minor_per_point", *minor_per_point)?;
            }
        }
    }
    Ok(())
}

fn amount_off(
    promotion: &PromotionRequest,
    lines: &[OrderLine],
    running: i64,
) -> Result<i64, PromotionError> {
    match promotion {
        PromotionRequest::MemberPrice {
            sku,
            member_unit_price_minor,
        } => {
            let line = line_for(lines, sku)?;
            let off = (line.unit_price_minor - member_unit_price_minor)
                .checked_mul(i64::from(line.quantity.get()))
                .ok_or(PromotionError::Overflow)?;
            // Distinct SKUs keep this within the line total; the cap only
            // guards the never-negative invariant.
            Ok(off.min(running))
        }
        PromotionRequest::PercentageDiscount { percent, .. } => {
            let off = i128::from(running) * i128::from(*percent) / 100;
            i64::try_from(off).map_err(|_| PromotionError::Overflow)
        }
        PromotionRequest::ThresholdReduction {
            name,
            threshold_minor,
            reduction_minor,
        } => {
            if running < *threshold_minor {
                return Err(PromotionError::PromotionNotApplicable {
                    name: name.clone(),
                    threshold_minor: *threshold_minor,
                    running_minor: running,
                });
            }
            Ok((*reduction_minor).min(running))
        }
        PromotionRequest::FixedCoupon { amount_minor, .. } => Ok((*amount_minor).min(running)),
        PromotionRequest::PointsRedemption {
            points,
            minor_per_point,
        } => {
            let value = i64::try_from(*points)
                .ok()
                .and_then(|p| p.checked_mul(*minor_per_point))
                .ok_or(PromotionError::PointsValueOverflow {
                    points: *points,
                    minor_per_point: *minor_per_point,
                })?;
            if value > running {
                return Err(PromotionError::PointsExceedTotal {
                    points_value_minor: value,
                    running_minor: running,
                });
            }
            Ok(value)
        }
    }
}

#[cfg(test)]
mod tests;
