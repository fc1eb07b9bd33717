use super::*;
use crate::values::Quantity;

fn sku(value: &str) -> Sku {
    Sku::parse(value).expect("valid sku")
}

fn line(code: &str, quantity: u32, unit_price_minor: i64) -> OrderLine {
    OrderLine {
        sku: sku(code),
        name: format!("{code} item"),
        quantity: Quantity::new(quantity).expect("positive"),
        unit_price_minor,
    }
}

/// Tea 2 × 128.00 + cup 1 × 45.00 = 301.00.
fn lines() -> Vec<OrderLine> {
    vec![line("TEA", 2, 12_800), line("CUP", 1, 4_500)]
}

fn member(code: &str, price: i64) -> PromotionRequest {
    PromotionRequest::MemberPrice {
        sku: sku(code),
        member_unit_price_minor: price,
    }
}

fn percent(percent: u8) -> PromotionRequest {
    PromotionRequest::PercentageDiscount {
        name: "Double 11".into(),
        percent,
    }
}

fn threshold(threshold_minor: i64, reduction_minor: i64) -> PromotionRequest {
    PromotionRequest::ThresholdReduction {
        name: "满200减30".into(),
        threshold_minor,
        reduction_minor,
    }
}

fn coupon(code: &str, amount_minor: i64) -> PromotionRequest {
    PromotionRequest::FixedCoupon {
        code: code.into(),
        amount_minor,
    }
}

fn points(points: u64, minor_per_point: i64) -> PromotionRequest {
    PromotionRequest::PointsRedemption {
        points,
        minor_per_point,
    }
}

fn amounts(requests: &[PromotionRequest]) -> Result<Vec<i64>, PromotionError> {
    apply_promotions(&lines(), requests)
        .map(|applied| applied.iter().map(|a| a.amount_off_minor).collect())
}

#[test]
fn no_promotions_take_nothing_off() {
    assert_eq!(amounts(&[]), Ok(vec![]));
    let totals = OrderTotals::compute(&lines(), &[], 1_000);
    assert_eq!(
        totals,
        Some(OrderTotals {
            subtotal_minor: 30_100,
            discount_minor: 0,
            shipping_fee_minor: 1_000,
            grand_total_minor: 31_100
        })
    );
}

#[test]
fn member_price_takes_unit_difference_times_quantity() {
    assert_eq!(amounts(&[member("TEA", 11_800)]), Ok(vec![2_000]));
}

#[test]
fn member_price_may_be_zero() {
    assert_eq!(amounts(&[member("CUP", 0)]), Ok(vec![4_500]));
}

#[test]
fn member_price_must_be_below_unit_price() {
    assert_eq!(
        amounts(&[member("CUP", 4_500)]),
        Err(PromotionError::MemberPriceNotBelowUnitPrice {
            sku: sku("CUP"),
            member_unit_price_minor: 4_500,
            unit_price_minor: 4_500
        })
    );
}

#[test]
fn member_price_must_not_be_negative() {
    assert_eq!(
        amounts(&[member("CUP", -1)]),
        Err(PromotionError::NegativeMemberPrice {
            sku: sku("CUP"),
            member_unit_price_minor: -1
        })
    );
}

#[test]
fn member_price_sku_must_be_on_the_order() {
    assert_eq!(
        amounts(&[member("BOWL", 1)]),
        Err(PromotionError::UnknownSku { sku: sku("BOWL") })
    );
}

#[test]
fn member_price_is_one_per_sku() {
    assert_eq!(
        amounts(&[member("CUP", 1), member("CUP", 2)]),
        Err(PromotionError::DuplicateMemberPrice { sku: sku("CUP") })
    );
}

#[test]
fn percentage_discount_rounds_down() {
    let odd = [line("ODD", 1, 12_345)];
    let applied = apply_promotions(&odd, &[percent(10)]).expect("applies");
    assert_eq!(applied[0].amount_off_minor, 1_234);
}

#[test]
fn percentage_discount_must_be_between_1_and_99() {
    for bad in [0, 100, 255] {
        assert_eq!(
            amounts(&[percent(bad)]),
            Err(PromotionError::PercentOutOfRange { percent: bad })
        );
    }
    assert_eq!(amounts(&[percent(99)]), Ok(vec![29_799]));
}

#[test]
fn percentage_discount_needs_a_name() {
    let blank = PromotionRequest::PercentageDiscount {
        name: " ".into(),
        percent: 5,
    };
    assert_eq!(
        amounts(&[blank]),
        Err(PromotionError::InvalidLabel(ValidationError::Empty {
            field: "promotion.name"
        }))
    );
}

#[test]
fn threshold_reduction_applies_at_or_above_threshold() {
    assert_eq!(amounts(&[threshold(30_100, 3_000)]), Ok(vec![3_000]));
}

#[test]
fn threshold_reduction_below_threshold_is_not_applicable() {
    assert_eq!(
        amounts(&[threshold(30_101, 3_000)]),
        Err(PromotionError::PromotionNotApplicable {
            name: "满200减30".into(),
            threshold_minor: 30_101,
            running_minor: 30_100
        })
    );
}

#[test]
fn threshold_reduction_is_capped_at_running_total() {
    assert_eq!(amounts(&[threshold(100, 99_999)]), Ok(vec![30_100]));
}

#[test]
fn threshold_reduction_parameters_must_be_positive() {
    assert_eq!(
        amounts(&[threshold(0, 1)]),
        Err(PromotionError::NonPositiveParameter {
            field: "threshold_minor"
        })
    );
    assert_eq!(
        amounts(&[threshold(1, 0)]),
        Err(PromotionError::NonPositiveParameter {
            field: "reduction_minor"
        })
    );
}

#[test]
fn fixed_coupon_takes_its_amount() {
    assert_eq!(amounts(&[coupon("WELCOME5", 500)]), Ok(vec![500]));
}

#[test]
fn fixed_coupon_is_capped_at_running_total() {
    assert_eq!(amounts(&[coupon("BIG", 1_000_000)]), Ok(vec![30_100]));
}

#[test]
fn fixed_coupon_rules() {
    assert_eq!(
        amounts(&[coupon("ZERO", 0)]),
        Err(PromotionError::NonPositiveParameter {
            field: "amount_minor"
        })
    );
    assert_eq!(
        amounts(&[coupon("A", 1), coupon("A", 2)]),
        Err(PromotionError::DuplicateCoupon { code: "A".into() })
    );
    assert!(matches!(
        amounts(&[coupon("", 1)]),
        Err(PromotionError::InvalidLabel(ValidationError::Empty {
            field: "promotion.code"
        }))
    ));
}

#[test]
fn points_redemption_takes_points_times_rate() {
    assert_eq!(amounts(&[points(250, 2)]), Ok(vec![500]));
}

#[test]
fn points_redemption_may_not_exceed_running_total() {
    assert_eq!(
        amounts(&[points(30_101, 1)]),
        Err(PromotionError::PointsExceedTotal {
            points_value_minor: 30_101,
            running_minor: 30_100
        })
    );
    assert_eq!(amounts(&[points(30_100, 1)]), Ok(vec![30_100]));
}

#[test]
fn points_redemption_overflow_is_detected() {
    assert_eq!(
        amounts(&[points(u64::MAX, 1)]),
        Err(PromotionError::PointsValueOverflow {
            points: u64::MAX,
            minor_per_point: 1
        })
    );
    assert_eq!(
        amounts(&[points(1 << 40, 1 << 40)]),
        Err(PromotionError::PointsValueOverflow {
            points: 1 << 40,
            minor_per_point: 1 << 40
        })
    );
}

#[test]
fn points_redemption_parameters_must_be_positive() {
    assert_eq!(
        amounts(&[points(0, 1)]),
        Err(PromotionError::NonPositiveParameter { field: "points" })
    );
    assert_eq!(
        amounts(&[points(1, 0)]),
        Err(PromotionError::NonPositiveParameter {
            field: "minor_per_point"
        })
    );
}

/// 301.00 → member −20.00 → 281.00 → 10% −28.10 → 252.90 → 满200减30
/// → 222.90 → coupon −5.00 → 217.90 → 1000 points −10.00 → 207.90.
#[test]
fn all_five_kinds_stack_in_the_documented_order() {
    let requests = vec![
        points(1_000, 1),
        coupon("WELCOME5", 500),
        threshold(20_000, 3_000),
        percent(10),
        member("TEA", 11_800),
    ];
    let applied = apply_promotions(&lines(), &requests).expect("applies");
    let kinds: Vec<_> = applied.iter().map(|a| a.promotion.kind_code()).collect();
    assert_eq!(
        kinds,
        [
            "member_price",
            "percentage_discount",
            "threshold_reduction",
            "fixed_coupon",
            "points_redemption"
        ]
    );
    let offs: Vec<_> = applied.iter().map(|a| a.amount_off_minor).collect();
    assert_eq!(offs, [2_000, 2_810, 3_000, 500, 1_000]);
    assert_eq!(
        OrderTotals::compute(&lines(), &applied, 1_000),
        Some(OrderTotals {
            subtotal_minor: 30_100,
            discount_minor: 9_310,
            shipping_fee_minor: 1_000,
            grand_total_minor: 21_790
        })
    );
}

#[test]
fn request_order_does_not_change_the_result() {
    let forward = [member("TEA", 11_800), percent(10), coupon("C", 500)];
    let mut backward = forward.clone();
    backward.reverse();
    assert_eq!(
        apply_promotions(&lines(), &forward),
        apply_promotions(&lines(), &backward)
    );
}

#[test]
fn threshold_is_judged_after_earlier_stages() {
    // 301.00 qualifies on its own, but not after a 50% discount.
    assert!(matches!(
        amounts(&[threshold(20_000, 3_000), percent(50)]),
        Err(PromotionError::PromotionNotApplicable {
            running_minor: 15_050,
            ..
        })
    ));
}

#[test]
fn same_kind_promotions_keep_request_order() {
    let applied = apply_promotions(&lines(), &[coupon("FIRST", 30_000), coupon("SECOND", 500)])
        .expect("applies");
    assert_eq!(applied[1].amount_off_minor, 100);
}

#[test]
fn totals_are_never_negative_or_inconsistent() {
    assert_eq!(OrderTotals::from_parts(100, 101, 0), None);
    assert_eq!(OrderTotals::from_parts(100, 0, -1), None);
    assert_eq!(OrderTotals::from_parts(i64::MAX, 0, 1), None);
    assert_eq!(
        OrderTotals::from_parts(100, 100, 0).map(|t| t.grand_total_minor),
        Some(0)
    );
}

#[test]
fn subtotal_overflow_is_detected() {
    let huge = [line("A", 2, i64::MAX / 2 + 1)];
    assert_eq!(subtotal_minor(&huge), None);
    assert_eq!(apply_promotions(&huge, &[]), Err(PromotionError::Overflow));
}

#[test]
fn promotion_requests_are_tagged_by_kind_on_the_wire() {
    let json = serde_json::to_value(percent(10)).expect("serialise");
    assert_eq!(json["kind"], "percentage_discount");
    assert_eq!(
        serde_json::from_value::<PromotionRequest>(json).ok(),
        Some(percent(10))
    );
}
