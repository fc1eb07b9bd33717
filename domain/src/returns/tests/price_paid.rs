//! Refunds at the price paid: a unit is worth its share of its line after the discounts
//! allocated to the line, so no refund pays back more than the buyer paid for the goods.

use super::*;
use crate::order::pricing::PricingInput;
use crate::order::promotions::PromotionRequest;
use crate::order::sample::sample_place_order;
use crate::order::{Order, OrderCommand, OrderLine, OrderState, PlaceOrder};
use crate::returns::{ReturnError, ReturnLine};

fn line(code: &str, quantity: u32, unit_price_minor: i64) -> OrderLine {
    OrderLine {
        sku: sku(code),
        name: format!("{code} item"),
        quantity: qty(quantity),
        unit_price_minor,
    }
}

/// The order as the aggregate folds it after Waybill priced `promotions` on `lines`.
fn own_order(lines: Vec<OrderLine>, promotions: Vec<PromotionRequest>) -> OrderState {
    let cmd = PlaceOrder {
        lines,
        pricing: PricingInput {
            promotions,
            ..PricingInput::default()
        },
        shipping_fee_minor: 0,
        ..sample_place_order()
    };
    let mut order = Order::default();
    for event in order.decide(OrderCommand::Place(cmd)).expect("placed") {
        cqrs_es::Aggregate::apply(&mut order, event);
    }
    order.state().expect("placed").clone()
}

/// 2 × 10,000 with 满200减50: 15,000 paid, so one unit is worth 7,500, not 10,000.
#[test]
fn one_unit_of_a_discounted_line_refunds_its_share_not_its_list_price() {
    let order = own_order(
        vec![line("TEA", 2, 10_000)],
        vec![PromotionRequest::ThresholdReduction {
            name: "满200减50".into(),
            threshold_minor: 20_000,
            reduction_minor: 5_000,
        }],
    );
    assert_eq!(order.line_paid_minor(&sku("TEA")), Some(15_000));
    let one = ReturnLine::from_order(&order, sku("TEA"), qty(1), 0);
    assert_eq!(one.line_total_minor(), Some(7_500));
    assert_eq!(
        one.unit_price_minor, 10_000,
        "the list price is still shown"
    );

    let history = vec![
        requested_with(vec![one]),
        approved(),
        received(vec![received_line(sku("TEA"), 1, 0)], true),
    ];
    rma()
        .given(history.clone())
        .when(refund_cmd("RF-1", 10_000, RefundPolicy::AfterReceipt))
        .then_expect_error(ReturnError::RefundExceedsReturnValue {
            refundable_minor: 7_500,
            refunded_minor: 0,
            attempted_minor: 10_000,
        });
    rma()
        .given(history)
        .when(refund_cmd("RF-1", 7_501, RefundPolicy::AfterReceipt))
        .then_expect_error(ReturnError::RefundExceedsReturnValue {
            refundable_minor: 7_500,
            refunded_minor: 0,
            attempted_minor: 7_501,
        });
}

/// Three kinds stacked on odd amounts: TEA 3 × 3,333 + CUP 1 × 1,001 = 11,000.
/// - member price CUP 901: −100, the cup's alone;
/// - 10 % of 10,900 = 1,090, split by what is left (TEA 9,999 : CUP 901) → 999.92 / 90.10,
///   the missing unit to the larger remainder (TEA): 1,000 / 90;
/// - coupon 7, split by TEA 8,999 : CUP 811 → 6.42 / 0.58: 6 / 1.
///
/// TEA paid 9,999 − 1,000 − 6 = 8,993; CUP paid 1,001 − 100 − 90 − 1 = 810 (together
/// 9,803 = 11,000 − 1,197). TEA's units, cumulatively floor(8,993 × k / 3): 2,997, then
/// 2,998 and 2,998 — every unit refunded is exactly 8,993.
#[test]
fn refunding_every_unit_refunds_exactly_what_was_paid() {
    let order = own_order(
        vec![line("TEA", 3, 3_333), line("CUP", 1, 1_001)],
        vec![
            PromotionRequest::FixedCoupon {
                code: "SEVEN".into(),
                amount_minor: 7,
            },
            PromotionRequest::PercentageDiscount {
                name: "九折".into(),
                percent: 10,
            },
            PromotionRequest::MemberPrice {
                sku: sku("CUP"),
                member_unit_price_minor: 901,
            },
        ],
    );
    assert_eq!(order.totals.grand_total_minor, 9_803);
    assert_eq!(order.line_paid_minor(&sku("TEA")), Some(8_993));
    assert_eq!(order.line_paid_minor(&sku("CUP")), Some(810));

    let first = ReturnLine::from_order(&order, sku("TEA"), qty(1), 0);
    let rest = ReturnLine::from_order(&order, sku("TEA"), qty(2), 1);
    let cup = ReturnLine::from_order(&order, sku("CUP"), qty(1), 0);
    assert_eq!(first.line_total_minor(), Some(2_997));
    assert_eq!(rest.line_total_minor(), Some(5_996));
    assert_eq!(cup.line_total_minor(), Some(810));
    assert_eq!(2_997 + 5_996 + 810, order.totals.grand_total_minor);

    // Two of the three TEA units come back on the second return: after receipt its
    // value follows what arrived (one unit: the 2nd, 2,998).
    rma()
        .given(vec![
            requested_with(vec![rest]),
            approved(),
            received(vec![received_line(sku("TEA"), 1, 0)], true),
        ])
        .when(refund_cmd("RF-1", 2_999, RefundPolicy::AfterReceipt))
        .then_expect_error(ReturnError::RefundExceedsReturnValue {
            refundable_minor: 2_998,
            refunded_minor: 0,
            attempted_minor: 2_999,
        });
}

/// An order whose shipping was refunded by one return offers none on the next.
#[test]
fn shipping_is_offered_once_per_order() {
    let mut cmd = sample_request_return();
    cmd.order.shipping_refunded = true;
    let events = rma()
        .given_no_previous_events()
        .when(ReturnCommand::Request(cmd))
        .inspect_result()
        .expect("requested");
    let [ReturnEvent::ReturnRequested(requested)] = events.as_slice() else {
        panic!("expected ReturnRequested, got {events:?}");
    };
    assert_eq!(requested.shipping_fee_minor, 0);
}
