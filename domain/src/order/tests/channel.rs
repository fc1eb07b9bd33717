//! Channel orders are facts, not quotes: the channel's amounts are recorded as stated,
//! checked for consistency only, and allocated to lines.
//!
//! The Taobao order throughout: tea 2 × 5,000 + cup 1 × 2,000 = 12,000, 800 shipping.
//! Taobao took 五折 (50 %) off the list price — 6,000 — and then 满100减10 — 1,000 —
//! checked on the list price too, so the buyer paid 12,000 − 7,000 + 800 = 5,800.
//! Waybill's own rule order would refuse 满100减10 (6,000 left < 10,000).

use super::*;
use crate::order::pricing::{ChannelPromotion, PricedBy, PricingInput};
use crate::order::promotions::{AppliedPromotion, PromotionError, PromotionRequest};
use crate::order::{LineAllocation, OrderError, OrderPlaced, PlaceOrder};
use crate::values::{ExternalOrderNumber, SalesChannel};

fn line(sku_code: &str, quantity: u32, unit_price_minor: i64) -> OrderLine {
    OrderLine {
        sku: sku(sku_code),
        name: format!("{sku_code} item"),
        quantity: qty(quantity),
        unit_price_minor,
    }
}

fn half_price() -> PromotionRequest {
    PromotionRequest::PercentageDiscount {
        name: "五折".into(),
        percent: 50,
    }
}

fn hundred_minus_ten() -> PromotionRequest {
    PromotionRequest::ThresholdReduction {
        name: "满100减10".into(),
        threshold_minor: 10_000,
        reduction_minor: 1_000,
    }
}

fn stated(promotion: PromotionRequest, amount_off_minor: i64) -> ChannelPromotion {
    ChannelPromotion {
        promotion,
        amount_off_minor,
        allocation: None,
    }
}

fn share(code: &str, amount_minor: i64) -> LineAllocation {
    LineAllocation {
        sku: sku(code),
        amount_minor,
    }
}

fn taobao(promotions: Vec<ChannelPromotion>, paid_total_minor: Option<i64>) -> PlaceOrder {
    PlaceOrder {
        channel: SalesChannel::Taobao,
        external_number: ExternalOrderNumber::parse("TB-2026-0001").expect("valid"),
        lines: vec![line("TEA", 2, 5_000), line("CUP", 1, 2_000)],
        pricing: PricingInput {
            channel_promotions: promotions,
            paid_total_minor,
            ..PricingInput::default()
        },
        shipping_fee_minor: 800,
        ..sample_place_order()
    }
}

fn placed_of(cmd: PlaceOrder) -> Result<OrderPlaced, OrderError> {
    match Order::default().decide(OrderCommand::Place(cmd))?.pop() {
        Some(OrderEvent::OrderPlaced(placed)) => Ok(placed),
        other => panic!("expected OrderPlaced, got {other:?}"),
    }
}

/// 五折 6,000 splits 5,000 / 1,000 exactly (10,000 : 2,000). 满100减10 1,000 then splits
/// over what is left, 5,000 : 1,000 → 833.33 / 166.67; the larger remainder (cup) takes
/// the missing unit: 833 / 167. Paid per line: tea 10,000 − 5,000 − 833 = 4,167,
/// cup 2,000 − 1,000 − 167 = 833 (together 5,000 = 12,000 − 7,000).
#[test]
fn a_channel_order_is_recorded_as_the_channel_priced_it() {
    let placed = placed_of(taobao(
        vec![
            stated(half_price(), 6_000),
            stated(hundred_minus_ten(), 1_000),
        ],
        Some(5_800),
    ))
    .expect("accepted");
    assert_eq!(placed.priced_by, PricedBy::Channel);
    assert_eq!(
        placed.promotions,
        vec![
            AppliedPromotion {
                promotion: half_price(),
                amount_off_minor: 6_000,
                allocation: vec![share("TEA", 5_000), share("CUP", 1_000)],
            },
            AppliedPromotion {
                promotion: hundred_minus_ten(),
                amount_off_minor: 1_000,
                allocation: vec![share("TEA", 833), share("CUP", 167)],
            },
        ]
    );
    assert_eq!(
        placed.totals,
        OrderTotals {
            subtotal_minor: 12_000,
            discount_minor: 7_000,
            shipping_fee_minor: 800,
            grand_total_minor: 5_800,
        }
    );
    let state = replay(vec![OrderEvent::OrderPlaced(placed)]);
    let state = state.state().expect("placed");
    assert_eq!(state.line_paid_minor(&sku("TEA")), Some(4_167));
    assert_eq!(state.line_paid_minor(&sku("CUP")), Some(833));
}

#[test]
fn the_same_promotions_priced_by_waybill_are_refused_by_its_rule_order() {
    let own = PlaceOrder {
        channel: SalesChannel::OwnWebShop,
        pricing: PricingInput {
            promotions: vec![half_price(), hundred_minus_ten()],
            ..PricingInput::default()
        },
        ..taobao(Vec::new(), None)
    };
    assert_eq!(
        placed_of(own),
        Err(OrderError::Promotion(
            PromotionError::PromotionNotApplicable {
                name: "满100减10".into(),
                threshold_minor: 10_000,
                running_minor: 6_000,
            }
        ))
    );
}

#[test]
fn a_discount_larger_than_what_it_applies_to_is_refused_not_capped() {
    // A 13,000 coupon on 12,000 of goods.
    let coupon = PromotionRequest::FixedCoupon {
        code: "BIG".into(),
        amount_minor: 13_000,
    };
    assert_eq!(
        placed_of(taobao(vec![stated(coupon.clone(), 13_000)], None)),
        Err(OrderError::DiscountExceedsBase {
            label: "BIG".into(),
            amount_minor: 13_000,
            base_minor: 12_000,
        })
    );
    // After 五折 only 6,000 is left for a 7,000 coupon.
    assert_eq!(
        placed_of(taobao(
            vec![stated(half_price(), 6_000), stated(coupon, 7_000)],
            None
        )),
        Err(OrderError::DiscountExceedsBase {
            label: "BIG".into(),
            amount_minor: 7_000,
            base_minor: 6_000,
        })
    );
    // A member price applies to its own line only (cup: 2,000).
    let member = PromotionRequest::MemberPrice {
        sku: sku("CUP"),
        member_unit_price_minor: 1_000,
    };
    assert_eq!(
        placed_of(taobao(vec![stated(member, 2_001)], None)),
        Err(OrderError::DiscountExceedsBase {
            label: "member price CUP".into(),
            amount_minor: 2_001,
            base_minor: 2_000,
        })
    );
}

#[test]
fn amounts_are_never_negative_and_zero_is_a_fact_too() {
    assert_eq!(
        placed_of(taobao(vec![stated(half_price(), -1)], None)),
        Err(OrderError::NegativeDiscount {
            label: "五折".into(),
            amount_minor: -1,
        })
    );
    let placed = placed_of(taobao(vec![stated(hundred_minus_ten(), 0)], Some(12_800)))
        .expect("a promotion that took nothing off is still recorded");
    assert_eq!(placed.promotions[0].allocation, Vec::new());
}

#[test]
fn the_paid_total_must_be_lines_minus_discounts_plus_shipping() {
    assert_eq!(
        placed_of(taobao(vec![stated(half_price(), 6_000)], Some(6_000))),
        Err(OrderError::PaidTotalMismatch {
            stated_minor: 6_000,
            computed_minor: 6_800,
        })
    );
}

#[test]
fn a_split_the_channel_states_is_kept_when_it_sums_exactly() {
    let split = |tea: i64, cup: i64| ChannelPromotion {
        allocation: Some(vec![share("CUP", cup), share("TEA", tea)]),
        ..stated(hundred_minus_ten(), 1_000)
    };
    let placed = placed_of(taobao(vec![split(900, 100)], Some(11_800))).expect("accepted");
    // Stored in line order.
    assert_eq!(
        placed.promotions[0].allocation,
        vec![share("TEA", 900), share("CUP", 100)]
    );
    let mismatch = |why| OrderError::AllocationMismatch {
        label: "满100减10".into(),
        index: 0,
        why,
    };
    assert_eq!(
        placed_of(taobao(vec![split(900, 99)], None)),
        Err(mismatch("the shares do not sum to the amount"))
    );
    assert_eq!(
        placed_of(taobao(vec![split(-1_000, 2_000)], None)),
        Err(mismatch("a share is negative"))
    );
    assert_eq!(
        placed_of(taobao(vec![split(0, 2_001)], None)),
        Err(mismatch("a share is larger than what its line has left"))
    );
}

#[test]
fn each_way_of_pricing_takes_only_its_own_input() {
    let own_requests = PlaceOrder {
        pricing: PricingInput {
            promotions: vec![hundred_minus_ten()],
            ..PricingInput::default()
        },
        ..taobao(Vec::new(), None)
    };
    assert_eq!(
        placed_of(own_requests),
        Err(OrderError::ChannelAmountsRequired {
            channel: SalesChannel::Taobao
        })
    );
    let stated_on_own = PlaceOrder {
        channel: SalesChannel::App,
        ..taobao(vec![stated(half_price(), 6_000)], None)
    };
    assert_eq!(
        placed_of(stated_on_own),
        Err(OrderError::StatedAmountsOnOwnOrder {
            channel: SalesChannel::App
        })
    );
}

#[test]
fn a_channel_order_without_promotions_is_paid_in_full() {
    let placed = placed_of(taobao(Vec::new(), None)).expect("accepted");
    assert_eq!(placed.totals.grand_total_minor, 12_800);
    assert_eq!(placed.priced_by, PricedBy::Channel);
}
