//! Amendments: address and delivery until handover, lines until allocation, and re-sent
//! placements that changed.

use super::*;
use crate::order::pricing::PricingInput;
use crate::order::promotions::{AppliedPromotion, PromotionRequest};
use crate::order::{LineAllocation, OrderError, OrderStatus, PlaceOrder};
use crate::validation::ValidationError;

fn amend(changes: Vec<(Sku, u32)>, pricing: Option<PricingInput>) -> OrderCommand {
    OrderCommand::AmendLines(AmendLines {
        changes: changes
            .into_iter()
            .map(|(sku, quantity)| LineChange { sku, quantity })
            .collect(),
        pricing,
        shipping_fee_minor: None,
        reason: "seller split the order".into(),
    })
}

#[test]
fn the_address_changes_until_the_goods_are_handed_over() {
    order()
        .given(vec![placed(), allocated()])
        .when(change_address())
        .then_expect_events(vec![address_changed()]);
    order()
        .given(vec![placed(), allocated(), shipped_some()])
        .when(change_address())
        .then_expect_error(OrderError::AlreadyShipped);
}

#[test]
fn the_delivery_mode_changes_until_the_goods_are_handed_over() {
    order()
        .given(vec![placed()])
        .when(change_delivery())
        .then_expect_events(vec![delivery_changed()]);
    order()
        .given(fulfilled_history())
        .when(change_delivery())
        .then_expect_error(OrderError::AlreadyShipped);
}

#[test]
fn an_amendment_needs_a_reason() {
    order()
        .given(vec![placed()])
        .when(OrderCommand::ChangeShippingAddress {
            shipping_address: new_address(),
            reason: "  ".into(),
        })
        .then_expect_error(OrderError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

#[test]
fn reducing_a_line_reprices_the_order() {
    order()
        .given(vec![placed()])
        .when(reduce_tea_to_one())
        .then_expect_events(vec![tea_reduced_to_one()]);
}

/// Paid in full (31,100), then one tea (12,800) removed: the order is still paid and
/// 12,800 is owed back; the refund itself is a separate `RecordRefund`.
#[test]
fn reducing_a_paid_order_owes_the_difference_back() {
    let events = order()
        .given(vec![
            placed(),
            captured("CAP-1", 31_100, 31_100, PaymentState::Paid),
        ])
        .when(reduce_tea_to_one())
        .inspect_result()
        .expect("amended");
    let [OrderEvent::OrderLinesAmended {
        payment_state,
        refund_owed_minor,
        totals,
        ..
    }] = events.as_slice()
    else {
        panic!("expected one OrderLinesAmended, got {events:?}");
    };
    assert_eq!(totals.grand_total_minor, 18_300);
    assert_eq!(*payment_state, PaymentState::Paid);
    assert_eq!(*refund_owed_minor, 12_800);
}

/// Waybill's own coupon of 500 is re-allocated over the new lines: tea 12,800 and cup
/// 4,500 of 17,300 → 369.94 / 130.06; the larger remainder (tea) takes the missing unit.
#[test]
fn own_promotions_are_repriced_and_reallocated() {
    let coupon = PromotionRequest::FixedCoupon {
        code: "WELCOME5".into(),
        amount_minor: 500,
    };
    let placement = PlaceOrder {
        pricing: PricingInput {
            promotions: vec![coupon.clone()],
            ..PricingInput::default()
        },
        ..sample_place_order()
    };
    let placed = Order::default()
        .decide(OrderCommand::Place(placement))
        .expect("placed");
    let events = order()
        .given(placed)
        .when(reduce_tea_to_one())
        .inspect_result()
        .expect("amended");
    let [OrderEvent::OrderLinesAmended {
        promotions, totals, ..
    }] = events.as_slice()
    else {
        panic!("expected one OrderLinesAmended, got {events:?}");
    };
    assert_eq!(
        promotions,
        &vec![AppliedPromotion {
            promotion: coupon,
            amount_off_minor: 500,
            allocation: vec![
                LineAllocation {
                    sku: tea_sku(),
                    amount_minor: 370
                },
                LineAllocation {
                    sku: cup_sku(),
                    amount_minor: 130
                },
            ],
        }]
    );
    assert_eq!(totals.grand_total_minor, 17_300 - 500 + 1_000);
}

#[test]
fn lines_only_go_down_and_never_all_of_them() {
    order()
        .given(vec![placed()])
        .when(amend(vec![(tea_sku(), 3)], None))
        .then_expect_error(OrderError::AmendmentIncreasesLine {
            sku: tea_sku(),
            current: 2,
            requested: 3,
        });
    order()
        .given(vec![placed()])
        .when(amend(vec![(tea_sku(), 0), (cup_sku(), 0)], None))
        .then_expect_error(OrderError::AmendmentRemovesEveryLine);
    order()
        .given(vec![placed()])
        .when(amend(vec![(sku("NOPE"), 0)], None))
        .then_expect_error(OrderError::UnknownSku { sku: sku("NOPE") });
    order()
        .given(vec![placed()])
        .when(amend(vec![(tea_sku(), 2)], None))
        .then_expect_error(OrderError::NothingToAmend);
}

#[test]
fn removing_a_line_leaves_the_others() {
    let events = order()
        .given(vec![placed()])
        .when(amend(vec![(cup_sku(), 0)], None))
        .inspect_result()
        .expect("amended");
    let [OrderEvent::OrderLinesAmended { lines, totals, .. }] = events.as_slice() else {
        panic!("expected one OrderLinesAmended, got {events:?}");
    };
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].sku, tea_sku());
    assert_eq!(totals.grand_total_minor, 25_600 + 1_000);
}

#[test]
fn lines_are_locked_once_allocated() {
    order()
        .given(vec![placed(), allocated()])
        .when(reduce_tea_to_one())
        .then_expect_error(OrderError::LinesLocked {
            status: OrderStatus::Allocated,
        });
}

#[test]
fn the_amended_lines_are_what_later_commands_see() {
    // One tea left: shipping two is over-fulfilment.
    order()
        .given(vec![placed(), tea_reduced_to_one(), allocated()])
        .when(OrderCommand::Fulfil {
            shipment_reference: "SHIP-1".into(),
            lines: vec![tea(2)],
        })
        .then_expect_error(OrderError::OverFulfilment {
            sku: tea_sku(),
            ordered: 1,
            already: 0,
            requested: 2,
        });
}

#[test]
fn a_resend_with_the_same_content_is_a_replay_whatever_its_time() {
    let again = PlaceOrder {
        placed_at: at(3_600),
        ..sample_place_order()
    };
    order()
        .given(vec![placed()])
        .when(OrderCommand::Place(again))
        .then_expect_error(OrderError::AlreadyPlaced {
            order_id: sample_order_id(),
        });
}

#[test]
fn a_resend_with_changed_content_is_refused_not_replayed() {
    let changed = PlaceOrder {
        shipping_address: new_address(),
        ..sample_place_order()
    };
    order()
        .given(vec![placed()])
        .when(OrderCommand::Place(changed))
        .then_expect_error(OrderError::ChannelOrderChanged {
            order_id: sample_order_id(),
        });
    // Even after an amendment, the comparison is with the first placement.
    order()
        .given(vec![placed(), address_changed()])
        .when(OrderCommand::Place(sample_place_order()))
        .then_expect_error(OrderError::AlreadyPlaced {
            order_id: sample_order_id(),
        });
}
