//! `Request`: returnable quantities, the return window and input shape.

use super::*;
use crate::order::sample::{SAMPLE_GRAND_TOTAL_MINOR, SAMPLE_SHIPPING_FEE_MINOR};
use crate::returns::{
    RequestReturn, Resolution, ReturnError, ReturnLine, ReturnReason, ReturnRequested,
    ReturnWindowPolicy, MAX_PHOTOS,
};
use crate::validation::ValidationError;
use crate::values::SalesChannel;

fn request(cmd: RequestReturn) -> ReturnCommand {
    ReturnCommand::Request(cmd)
}

fn with(edit: impl FnOnce(&mut RequestReturn)) -> ReturnCommand {
    let mut cmd = sample_request_return();
    edit(&mut cmd);
    request(cmd)
}

fn line(sku: Sku, quantity: u32, unit_price_minor: i64) -> ReturnLine {
    ReturnLine {
        sku,
        quantity: qty(quantity),
        unit_price_minor,
        paid: None,
    }
}

/// The sample request event with the given edits.
fn expected(edit: impl FnOnce(&mut ReturnRequested)) -> ReturnEvent {
    let ReturnEvent::ReturnRequested(mut event) = sample_return_requested() else {
        unreachable!("the sample is a request");
    };
    edit(&mut event);
    ReturnEvent::ReturnRequested(event)
}

#[test]
fn requesting_records_the_return_with_its_value_and_window() {
    rma()
        .given_no_previous_events()
        .when(request(sample_request_return()))
        .then_expect_events(vec![requested()]);
}

#[test]
fn requesting_twice_is_already_requested() {
    rma()
        .given(vec![requested()])
        .when(request(sample_request_return()))
        .then_expect_error(ReturnError::AlreadyRequested);
}

#[test]
fn undelivered_order_cannot_be_returned() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| cmd.order.delivered_at = None))
        .then_expect_error(ReturnError::NotDelivered);
}

#[test]
fn more_than_delivered_exceeds_returnable() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.lines = vec![line(tea_sku(), 3, SAMPLE_TEA_PRICE_MINOR)];
        }))
        .then_expect_error(ReturnError::ExceedsReturnable {
            sku: tea_sku(),
            delivered: 2,
            already_returned: 0,
            requested: 3,
        });
}

#[test]
fn units_taken_back_by_other_returns_are_not_returnable_again() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.order.already_returned = [(tea_sku(), 2)].into_iter().collect();
        }))
        .then_expect_error(ReturnError::ExceedsReturnable {
            sku: tea_sku(),
            delivered: 2,
            already_returned: 2,
            requested: 1,
        });
}

#[test]
fn the_rest_of_a_partly_returned_line_is_returnable() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.order.already_returned = [(tea_sku(), 1)].into_iter().collect();
        }))
        .then_expect_events(vec![requested()]);
}

#[test]
fn a_sku_never_delivered_has_nothing_returnable() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| cmd.lines = vec![line(sku("BOWL"), 1, 100)]))
        .then_expect_error(ReturnError::ExceedsReturnable {
            sku: sku("BOWL"),
            delivered: 0,
            already_returned: 0,
            requested: 1,
        });
}

#[test]
fn changed_mind_is_accepted_within_seven_days() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.reason = ReturnReason::ChangedMind;
            cmd.requested_at = day(2 + 7);
        }))
        .then_expect_events(vec![expected(|event| {
            event.reason = ReturnReason::ChangedMind;
            event.window_closes_at = Some(day(2 + 7));
            event.requested_at = day(2 + 7);
        })]);
}

#[test]
fn changed_mind_after_seven_days_is_window_closed() {
    let late = day(2 + 7) + chrono::TimeDelta::seconds(1);
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.reason = ReturnReason::ChangedMind;
            cmd.requested_at = late;
        }))
        .then_expect_error(ReturnError::WindowClosed {
            reason: ReturnReason::ChangedMind,
            days: 7,
            closed_at: day(2 + 7),
            requested_at: late,
        });
}

#[test]
fn quality_problems_get_fifteen_days() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.reason = ReturnReason::QualityProblem;
            cmd.requested_at = day(2 + 15);
        }))
        .then_expect_events(vec![expected(|event| {
            event.reason = ReturnReason::QualityProblem;
            event.requested_at = day(2 + 15);
        })]);
    rma()
        .given_no_previous_events()
        .when(with(|cmd| cmd.requested_at = day(2 + 16)))
        .then_expect_error(ReturnError::WindowClosed {
            reason: ReturnReason::Damaged,
            days: 15,
            closed_at: day(2 + 15),
            requested_at: day(2 + 16),
        });
}

#[test]
fn a_channel_window_from_the_command_applies() {
    let generous = ReturnWindowPolicy {
        no_reason_days: 15,
        quality_days: 30,
    };
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.channel = SalesChannel::Jd;
            cmd.window = generous;
            cmd.requested_at = day(2 + 20);
        }))
        .then_expect_events(vec![expected(|event| {
            event.channel = SalesChannel::Jd;
            event.window = generous;
            event.window_closes_at = Some(day(2 + 30));
            event.requested_at = day(2 + 20);
        })]);
}

#[test]
fn an_out_of_range_window_is_invalid() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| cmd.window.no_reason_days = 366))
        .then_expect_error(ReturnError::Validation(ValidationError::OutOfRange {
            field: "window.no_reason_days",
            min: 0,
            max: 365,
        }));
}

#[test]
fn a_refund_needs_money_left_on_the_order() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.order.refunded_minor = SAMPLE_GRAND_TOTAL_MINOR
        }))
        .then_expect_error(ReturnError::NothingToRefund {
            captured_minor: SAMPLE_GRAND_TOTAL_MINOR,
            refunded_minor: SAMPLE_GRAND_TOTAL_MINOR,
        });
}

#[test]
fn an_exchange_needs_no_money_left() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.order.refunded_minor = SAMPLE_GRAND_TOTAL_MINOR;
            cmd.requested_resolution = Resolution::Exchange;
        }))
        .then_expect_events(vec![expected(|event| {
            event.refunded_minor = SAMPLE_GRAND_TOTAL_MINOR;
            event.requested_resolution = Resolution::Exchange;
        })]);
}

#[test]
fn a_return_needs_lines() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| cmd.lines.clear()))
        .then_expect_error(ReturnError::NoLines);
}

#[test]
fn a_sku_may_appear_once() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.lines = vec![line(tea_sku(), 1, 1), line(tea_sku(), 1, 1)];
        }))
        .then_expect_error(ReturnError::DuplicateSku { sku: tea_sku() });
}

#[test]
fn unit_prices_may_not_be_negative_but_gifts_are_free() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| cmd.lines = vec![line(cup_sku(), 1, -1)]))
        .then_expect_error(ReturnError::NegativeUnitPrice {
            sku: cup_sku(),
            unit_price_minor: -1,
        });
    rma()
        .given_no_previous_events()
        .when(with(|cmd| cmd.lines = vec![line(cup_sku(), 1, 0)]))
        .then_expect_events(vec![expected(|event| {
            event.lines = vec![line(cup_sku(), 1, 0)];
            event.return_value_minor = 0;
        })]);
}

#[test]
fn an_absurd_line_value_is_overflow() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| cmd.lines = vec![line(tea_sku(), 2, i64::MAX)]))
        .then_expect_error(ReturnError::AmountOverflow {
            field: "return_value_minor",
        });
}

#[test]
fn photos_are_bounded_and_non_blank() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.photo_refs = vec!["p".into(); MAX_PHOTOS + 1]
        }))
        .then_expect_error(ReturnError::TooManyPhotos {
            max: MAX_PHOTOS,
            actual: MAX_PHOTOS + 1,
        });
    rma()
        .given_no_previous_events()
        .when(with(|cmd| cmd.photo_refs = vec![" ".into()]))
        .then_expect_error(ReturnError::Validation(ValidationError::Empty {
            field: "photo_ref",
        }));
}

#[test]
fn order_amounts_may_not_be_negative() {
    rma()
        .given_no_previous_events()
        .when(with(|cmd| {
            cmd.order.shipping_fee_minor = -SAMPLE_SHIPPING_FEE_MINOR
        }))
        .then_expect_error(ReturnError::NegativeAmount {
            field: "order.shipping_fee_minor",
            amount_minor: -SAMPLE_SHIPPING_FEE_MINOR,
        });
}

#[test]
fn order_facts_can_be_read_off_the_order_aggregate() {
    use crate::order::sample::{sample_full_shipment, sample_order_placed, sample_warehouse_id};
    use crate::order::{Order, OrderEvent, PaymentState};
    use crate::returns::OrderFacts;

    let mut order = Order::default();
    for event in [
        sample_order_placed(),
        OrderEvent::OrderAllocated {
            warehouse_id: sample_warehouse_id(),
            previous_warehouse_id: None,
        },
        OrderEvent::PaymentCaptured {
            method: "alipay".into(),
            reference: "CAP-1".into(),
            amount_minor: SAMPLE_GRAND_TOTAL_MINOR,
            captured_total_minor: SAMPLE_GRAND_TOTAL_MINOR,
            payment_state: PaymentState::Paid,
        },
        OrderEvent::LinesFulfilled {
            shipment: crate::order::FulfilledBy {
                reference: "SHIP-1".into(),
                warehouse_id: sample_warehouse_id(),
            },
            lines: sample_full_shipment(),
            fully_fulfilled: true,
        },
        OrderEvent::OrderDelivered {
            delivered_at: sample_delivered_at(),
        },
    ] {
        order.apply(event);
    }
    let state = order.state().expect("placed");
    assert_eq!(
        OrderFacts::from_order(state, Default::default()),
        sample_order_facts()
    );
}
