//! Who prices an order, and the checks each way gets.
//!
//! - **Waybill** prices orders from its own web shop and app with its own rules
//!   ([`crate::order::promotions`]): requests in, exact amounts out.
//! - **The channel** prices every other order (Taobao, Tmall, JD, Pinduoduo, Douyin, …):
//!   the buyer already paid what the channel computed, so its amounts are recorded as facts.
//!   Waybill checks only that they are consistent — every amount ≥ 0, none larger than what
//!   it applies to (its line for a member price, else what is left of the merchandise after
//!   the promotions listed before it), every stated per-line split sums exactly to its
//!   promotion and leaves no line below zero, and lines − discounts + shipping = the paid
//!   total — and never re-applies its own rule order or thresholds.
//!
//! Either way every promotion ends up with its per-line allocation
//! ([`crate::order::allocation`]): the channel's own split when it states one, else the
//! documented largest-remainder rule.

use serde::{Deserialize, Serialize};

use crate::order::allocation::{allocate_one, remaining_values, scope, LineAllocation};
use crate::order::commands::OrderLine;
use crate::order::error::OrderError;
use crate::order::promotions::{
    apply_promotions, check_parameters, subtotal_minor, AppliedPromotion, OrderTotals,
    PromotionRequest,
};
use crate::values::SalesChannel;

coded_enum! {
    /// Who computed the amounts on an order.
    pub enum PricedBy(field = "priced_by") {
        Waybill => "waybill",
        Channel => "channel",
    }
}

impl PricedBy {
    /// Waybill prices its own storefronts; every marketplace or platform prices its own.
    pub const fn for_channel(channel: SalesChannel) -> Self {
        match channel {
            SalesChannel::OwnWebShop | SalesChannel::App => Self::Waybill,
            _ => Self::Channel,
        }
    }
}

/// A promotion as a channel applied it: what it was, what it took off, and optionally
/// how the channel split it over the lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelPromotion {
    pub promotion: PromotionRequest,
    pub amount_off_minor: i64,
    /// `None`: Waybill allocates it by the documented rule.
    pub allocation: Option<Vec<LineAllocation>>,
}

/// The money side of a placement or amendment, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PricingInput {
    /// Waybill's own promotion requests (own web shop and app only).
    pub promotions: Vec<PromotionRequest>,
    /// The channel's promotions with their amounts (channel orders only).
    pub channel_promotions: Vec<ChannelPromotion>,
    /// The paid total the channel (or the shop front) reports, if it does; checked
    /// against lines − discounts + shipping.
    pub paid_total_minor: Option<i64>,
}

/// Checked prices: what goes on the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    pub priced_by: PricedBy,
    pub promotions: Vec<AppliedPromotion>,
    pub totals: OrderTotals,
}

/// Prices `lines` the way `channel`'s orders are priced; see the module doc.
pub fn price(
    channel: SalesChannel,
    lines: &[OrderLine],
    shipping_fee_minor: i64,
    input: &PricingInput,
) -> Result<Priced, OrderError> {
    let priced_by = PricedBy::for_channel(channel);
    let promotions = match priced_by {
        PricedBy::Waybill => {
            if !input.channel_promotions.is_empty() {
                return Err(OrderError::StatedAmountsOnOwnOrder { channel });
            }
            apply_promotions(lines, &input.promotions)?
        }
        PricedBy::Channel => {
            if !input.promotions.is_empty() {
                return Err(OrderError::ChannelAmountsRequired { channel });
            }
            check_channel(lines, &input.channel_promotions)?
        }
    };
    let subtotal = subtotal_minor(lines).ok_or(OrderError::AmountOverflow {
        field: "subtotal_minor",
    })?;
    let discount = promotions
        .iter()
        .try_fold(0_i64, |sum, p| sum.checked_add(p.amount_off_minor))
        .ok_or(OrderError::AmountOverflow {
            field: "discount_minor",
        })?;
    let totals = OrderTotals::from_parts(subtotal, discount, shipping_fee_minor).ok_or(
        OrderError::AmountOverflow {
            field: "grand_total_minor",
        },
    )?;
    if let Some(stated) = input.paid_total_minor {
        if stated != totals.grand_total_minor {
            return Err(OrderError::PaidTotalMismatch {
                stated_minor: stated,
                computed_minor: totals.grand_total_minor,
            });
        }
    }
    Ok(Priced {
        priced_by,
        promotions,
        totals,
    })
}

/// The consistency checks on a channel's amounts, in the order the channel listed them.
fn check_channel(
    lines: &[OrderLine],
    stated: &[ChannelPromotion],
) -> Result<Vec<AppliedPromotion>, OrderError> {
    let requests: Vec<PromotionRequest> = stated.iter().map(|s| s.promotion.clone()).collect();
    check_parameters(lines, &requests)?;
    let mut applied: Vec<AppliedPromotion> = Vec::with_capacity(stated.len());
    for (index, s) in stated.iter().enumerate() {
        let label = s.promotion.label();
        if s.amount_off_minor < 0 {
            return Err(OrderError::NegativeDiscount {
                label,
                amount_minor: s.amount_off_minor,
            });
        }
        let done: Vec<&[LineAllocation]> =
            applied.iter().map(|a| a.allocation.as_slice()).collect();
        let left = remaining_values(lines, &done);
        let base = lines
            .iter()
            .zip(&left)
            .filter(|(line, _)| scope(&s.promotion).is_none_or(|sku| sku == &line.sku))
            .fold(0_i64, |sum, (_, left)| sum.saturating_add(*left));
        if s.amount_off_minor > base {
            return Err(OrderError::DiscountExceedsBase {
                label,
                amount_minor: s.amount_off_minor,
                base_minor: base,
            });
        }
        let allocation = match &s.allocation {
            None => allocate_one(lines, &left, &s.promotion, s.amount_off_minor).ok_or(
                OrderError::DiscountExceedsBase {
                    label: label.clone(),
                    amount_minor: s.amount_off_minor,
                    base_minor: base,
                },
            )?,
            Some(split) => check_split(lines, &left, index, s, split)?,
        };
        applied.push(AppliedPromotion {
            promotion: s.promotion.clone(),
            amount_off_minor: s.amount_off_minor,
            allocation,
        });
    }
    Ok(applied)
}

/// A channel's own split: known lines in scope, once each, each share ≥ 0 and within
/// what the line has left, summing exactly to the promotion. Stored in line order.
fn check_split(
    lines: &[OrderLine],
    left: &[i64],
    index: usize,
    stated: &ChannelPromotion,
    split: &[LineAllocation],
) -> Result<Vec<LineAllocation>, OrderError> {
    let label = stated.promotion.label();
    let mismatch = |why: &'static str| OrderError::AllocationMismatch {
        label: label.clone(),
        index,
        why,
    };
    let mut ordered = Vec::with_capacity(split.len());
    let mut sum: i64 = 0;
    for (line, left) in lines.iter().zip(left) {
        let mut shares = split.iter().filter(|a| a.sku == line.sku);
        let Some(share) = shares.next() else { continue };
        if shares.next().is_some() {
            return Err(mismatch("a line appears twice"));
        }
        if share.amount_minor < 0 {
            return Err(mismatch("a share is negative"));
        }
        if share.amount_minor > *left {
            return Err(mismatch("a share is larger than what its line has left"));
        }
        if scope(&stated.promotion).is_some_and(|sku| sku != &line.sku) && share.amount_minor > 0 {
            return Err(mismatch("a member price is shared with another line"));
        }
        sum = sum
            .checked_add(share.amount_minor)
            .ok_or(mismatch("the shares overflow"))?;
        if share.amount_minor > 0 {
            ordered.push(share.clone());
        }
    }
    if split
        .iter()
        .any(|a| !lines.iter().any(|line| line.sku == a.sku))
    {
        return Err(mismatch("a share names a SKU that is not on the order"));
    }
    if sum != stated.amount_off_minor {
        return Err(mismatch("the shares do not sum to the amount"));
    }
    Ok(ordered)
}
