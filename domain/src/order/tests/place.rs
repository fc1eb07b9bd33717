use super::*;
use crate::delivery::DeliveryMode;
use crate::order::promotions::{AppliedPromotion, OrderTotals, PromotionError, PromotionRequest};
use crate::order::{LineAllocation, OrderError, OrderLine, OrderPlaced, PlaceOrder, PricingInput};
use crate::validation::ValidationError;

fn place(cmd: PlaceOrder) -> OrderCommand {
    OrderCommand::Place(cmd)
}

fn with_lines(lines: Vec<OrderLine>) -> OrderCommand {
    place(PlaceOrder {
        lines,
        ..sample_place_order()
    })
}

fn own(promotions: Vec<PromotionRequest>) -> PricingInput {
    PricingInput {
        promotions,
        ..PricingInput::default()
    }
}

fn share(sku: Sku, amount_minor: i64) -> LineAllocation {
    LineAllocation { sku, amount_minor }
}

fn line(code: &str, unit_price_minor: i64) -> OrderLine {
    OrderLine {
        sku: sku(code),
        name: format!("{code} item"),
        quantity: qty(1),
        unit_price_minor,
    }
}

#[test]
fn placing_records_order_placed_with_totals() {
    order()
        .given_no_previous_events()
        .when(place(sample_place_order()))
        .then_expect_events(vec![placed()]);
}

#[test]
fn placing_prices_promotions_onto_the_event() {
    let member = PromotionRequest::MemberPrice {
        sku: tea_sku(),
        member_unit_price_minor: 11_800,
    };
    let coupon = PromotionRequest::FixedCoupon {
        code: "WELCOME5".into(),
        amount_minor: 500,
    };
    let cmd = PlaceOrder {
        pricing: own(vec![coupon.clone(), member.clone()]),
        ..sample_place_order()
    };
    let OrderEvent::OrderPlaced(base) = placed() else {
        panic!("sample is an OrderPlaced");
    };
    let expected = OrderPlaced {
        promotions: vec![
            // The member price is the tea line's alone.
            AppliedPromotion {
                promotion: member,
                amount_off_minor: 2_000,
                allocation: vec![share(tea_sku(), 2_000)],
            },
            // 500 over what is left: tea 23,600, cup 4,500 (of 28,100) → 419.93 / 80.07;
            // the larger remainder (tea) takes the missing unit.
            AppliedPromotion {
                promotion: coupon,
                amount_off_minor: 500,
                allocation: vec![share(tea_sku(), 420), share(cup_sku(), 80)],
            },
        ],
        totals: OrderTotals {
            subtotal_minor: 30_100,
            discount_minor: 2_500,
            shipping_fee_minor: 1_000,
            grand_total_minor: 28_600,
        },
        ..base
    };
    order()
        .given_no_previous_events()
        .when(place(cmd))
        .then_expect_events(vec![OrderEvent::OrderPlaced(expected)]);
}

#[test]
fn order_with_nothing_due_is_placed_as_paid() {
    let cmd = PlaceOrder {
        pricing: own(vec![PromotionRequest::FixedCoupon {
            code: "FREE".into(),
            amount_minor: 30_100,
        }]),
        shipping_fee_minor: 0,
        ..sample_place_order()
    };
    let events = order()
        .given_no_previous_events()
        .when(place(cmd))
        .inspect_result()
        .expect("placed");
    let [OrderEvent::OrderPlaced(placed)] = events.as_slice() else {
        panic!("expected one OrderPlaced, got {events:?}");
    };
    assert_eq!(placed.totals.grand_total_minor, 0);
    assert_eq!(placed.payment_state, PaymentState::Paid);
}

#[test]
fn placing_twice_is_already_placed() {
    order()
        .given(vec![placed()])
        .when(place(sample_place_order()))
        .then_expect_error(OrderError::AlreadyPlaced {
            order_id: sample_order_id(),
        });
}

#[test]
fn placing_a_terminal_order_again_is_still_already_placed() {
    order()
        .given(vec![placed(), cancelled()])
        .when(place(sample_place_order()))
        .then_expect_error(OrderError::AlreadyPlaced {
            order_id: sample_order_id(),
        });
}

#[test]
fn order_needs_at_least_one_line() {
    order()
        .given_no_previous_events()
        .when(with_lines(vec![]))
        .then_expect_error(OrderError::NoLines);
}

#[test]
fn order_has_at_most_500_lines() {
    let lines: Vec<_> = (0..501).map(|i| line(&format!("SKU-{i}"), 100)).collect();
    order()
        .given_no_previous_events()
        .when(with_lines(lines))
        .then_expect_error(OrderError::TooManyLines {
            max: 500,
            actual: 501,
        });
}

#[test]
fn order_with_exactly_500_lines_is_accepted() {
    let lines: Vec<_> = (0..500).map(|i| line(&format!("SKU-{i}"), 100)).collect();
    let result = order()
        .given_no_previous_events()
        .when(with_lines(lines))
        .inspect_result();
    assert!(result.is_ok());
}

#[test]
fn unit_price_must_be_positive() {
    for price in [0, -1] {
        order()
            .given_no_previous_events()
            .when(with_lines(vec![line("A", price)]))
            .then_expect_error(OrderError::NonPositiveUnitPrice {
                sku: sku("A"),
                unit_price_minor: price,
            });
    }
}

#[test]
fn line_name_must_not_be_blank() {
    let mut blank = line("A", 100);
    blank.name = "  ".into();
    order()
        .given_no_previous_events()
        .when(with_lines(vec![blank]))
        .then_expect_error(OrderError::InvalidLineName {
            sku: sku("A"),
            source: ValidationError::Empty { field: "line.name" },
        });
}

#[test]
fn duplicate_skus_are_rejected() {
    order()
        .given_no_previous_events()
        .when(with_lines(vec![
            line("A", 100),
            line("B", 1),
            line("A", 200),
        ]))
        .then_expect_error(OrderError::DuplicateSku { sku: sku("A") });
}

#[test]
fn shipping_fee_must_not_be_negative() {
    let cmd = PlaceOrder {
        shipping_fee_minor: -1,
        ..sample_place_order()
    };
    order()
        .given_no_previous_events()
        .when(place(cmd))
        .then_expect_error(OrderError::NegativeShippingFee {
            shipping_fee_minor: -1,
        });
}

#[test]
fn subtotal_must_fit_in_i64() {
    let huge = OrderLine {
        quantity: qty(2),
        ..line("A", i64::MAX / 2 + 1)
    };
    order()
        .given_no_previous_events()
        .when(with_lines(vec![huge]))
        .then_expect_error(OrderError::AmountOverflow {
            field: "subtotal_minor",
        });
}

#[test]
fn grand_total_must_fit_in_i64() {
    let cmd = PlaceOrder {
        lines: vec![line("A", i64::MAX)],
        shipping_fee_minor: 1,
        ..sample_place_order()
    };
    order()
        .given_no_previous_events()
        .when(place(cmd))
        .then_expect_error(OrderError::AmountOverflow {
            field: "grand_total_minor",
        });
}

#[test]
fn delivery_mode_is_revalidated() {
    let cmd = PlaceOrder {
        delivery: DeliveryMode::Scheduled {
            window_start: at(3_600),
            window_end: at(0),
        },
        ..sample_place_order()
    };
    order()
        .given_no_previous_events()
        .when(place(cmd))
        .then_expect_error(OrderError::Validation(ValidationError::EmptyWindow {
            field: "delivery.window",
        }));
}

#[test]
fn promotion_errors_are_reported_typed() {
    let cmd = PlaceOrder {
        pricing: own(vec![PromotionRequest::ThresholdReduction {
            name: "满500减50".into(),
            threshold_minor: 50_000,
            reduction_minor: 5_000,
        }]),
        ..sample_place_order()
    };
    order()
        .given_no_previous_events()
        .when(place(cmd))
        .then_expect_error(OrderError::Promotion(
            PromotionError::PromotionNotApplicable {
                name: "满500减50".into(),
                threshold_minor: 50_000,
                running_minor: 30_100,
            },
        ));
}
