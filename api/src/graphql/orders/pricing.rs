//! How an order's amounts come in (channel-stated promotions, paid totals) and how their
//! per-line allocation goes out.

use async_graphql::{InputObject, SimpleObject};
use waybill_domain::order::{ChannelPromotion, LineAllocation, OrderLine, PricingInput};
use waybill_domain::values::Sku;

use super::inputs::{invalid, PromotionInput};
use crate::error::AppError;
use crate::graphql::scalars::MinorUnits;

/// One line's share of a promotion.
#[derive(InputObject, Debug)]
pub struct LineDiscountInput {
    pub sku: String,
    pub amount: MinorUnits,
}

/// A promotion as the channel applied it (Taobao, Tmall, JD, Pinduoduo, Douyin and every
/// other channel but the own web shop and app): what it was, the amount the channel took
/// off, and optionally the channel's own split over the lines. Recorded as a fact: Waybill
/// checks only consistency (amounts ≥ 0, none above what it applies to, splits that sum
/// exactly, lines − discounts + shipping = `paidTotal`), never its own rule order.
#[derive(InputObject, Debug)]
pub struct ChannelPromotionInput {
    pub promotion: PromotionInput,
    pub amount_off: MinorUnits,
    /// The channel's split over the lines; without it Waybill allocates by largest
    /// remainder in proportion to what each line has left (ties: first line first).
    pub lines: Option<Vec<LineDiscountInput>>,
}

impl ChannelPromotionInput {
    fn parse(self) -> Result<ChannelPromotion, AppError> {
        Ok(ChannelPromotion {
            promotion: self.promotion.parse()?,
            amount_off_minor: self.amount_off.get(),
            allocation: self
                .lines
                .map(|lines| {
                    lines
                        .into_iter()
                        .map(|l| {
                            Ok(LineAllocation {
                                sku: Sku::parse(&l.sku).map_err(invalid)?,
                                amount_minor: l.amount.get(),
                            })
                        })
                        .collect::<Result<Vec<_>, AppError>>()
                })
                .transpose()?,
        })
    }
}

/// The domain's pricing input from the three GraphQL fields that carry it.
pub fn pricing_input(
    promotions: Vec<PromotionInput>,
    channel_promotions: Vec<ChannelPromotionInput>,
    paid_total: Option<MinorUnits>,
) -> Result<PricingInput, AppError> {
    Ok(PricingInput {
        promotions: promotions
            .into_iter()
            .map(PromotionInput::parse)
            .collect::<Result<_, _>>()?,
        channel_promotions: channel_promotions
            .into_iter()
            .map(ChannelPromotionInput::parse)
            .collect::<Result<_, _>>()?,
        paid_total_minor: paid_total.map(MinorUnits::get),
    })
}

/// One line's share of one promotion.
#[derive(SimpleObject)]
pub struct LineDiscountView {
    pub sku: String,
    pub amount: MinorUnits,
}

/// A line's share of one promotion, seen from the line.
#[derive(SimpleObject)]
pub struct LinePromotionShare {
    pub kind: String,
    pub label: String,
    pub amount: MinorUnits,
}

/// The allocation as seen from a line: its shares and what it cost after them.
pub struct LineMoney {
    pub discount: i64,
    pub paid: i64,
    pub shares: Vec<LinePromotionShare>,
}

/// What `line` cost after the shares `promotions` allocated to it.
pub fn line_money(
    line: &OrderLine,
    promotions: &[waybill_domain::order::AppliedPromotion],
    label_of: impl Fn(&waybill_domain::order::PromotionRequest) -> String,
) -> LineMoney {
    let shares: Vec<LinePromotionShare> = promotions
        .iter()
        .flat_map(|p| {
            p.allocation
                .iter()
                .filter(|a| a.sku == line.sku)
                .map(|a| LinePromotionShare {
                    kind: p.promotion.kind_code().to_string(),
                    label: label_of(&p.promotion),
                    amount: a.amount_minor.into(),
                })
        })
        .collect();
    let discount = shares
        .iter()
        .fold(0_i64, |sum, s| sum.saturating_add(s.amount.get()));
    LineMoney {
        discount,
        paid: line
            .line_total_minor()
            .unwrap_or(i64::MAX)
            .saturating_sub(discount),
        shares,
    }
}
