//! Tiers, the points ledger, referrals and coupons.

use super::*;
use crate::customer::CustomerError;
use crate::validation::ValidationError;

fn change_tier(tier: Tier) -> CustomerCommand {
    CustomerCommand::ChangeTier {
        tier,
        reason: "spend crossed threshold".into(),
        at: at(30),
    }
}

#[test]
fn changing_tier_records_from_and_to() {
    customer()
        .given(vec![registered()])
        .when(change_tier(Tier::Gold))
        .then_expect_events(vec![CustomerEvent::TierChanged {
            from: Tier::Silver,
            to: Tier::Gold,
            reason: "spend crossed threshold".into(),
            at: at(30),
        }]);
}

#[test]
fn changing_to_the_current_tier_is_refused() {
    customer()
        .given(vec![registered()])
        .when(change_tier(Tier::Silver))
        .then_expect_error(CustomerError::SameTier { tier: Tier::Silver });
}

#[test]
fn changing_tier_needs_a_reason() {
    customer()
        .given(vec![registered()])
        .when(CustomerCommand::ChangeTier {
            tier: Tier::Black,
            reason: String::new(),
            at: at(30),
        })
        .then_expect_error(CustomerError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

fn earn(points: i64, order_id: Option<OrderId>) -> CustomerCommand {
    CustomerCommand::EarnPoints {
        points,
        reason: "order completed".into(),
        order_id,
        at: at(1),
    }
}

fn redeem(points: i64) -> CustomerCommand {
    CustomerCommand::RedeemPoints {
        points,
        reason: "checkout".into(),
        at: at(2),
    }
}

#[test]
fn earning_adds_to_the_balance() {
    customer()
        .given(vec![registered(), earned(100, 100, None)])
        .when(earn(311, Some(order_id())))
        .then_expect_events(vec![earned(311, 411, Some(order_id()))]);
}

#[test]
fn earning_needs_positive_points() {
    for points in [0, -5] {
        customer()
            .given(vec![registered()])
            .when(earn(points, None))
            .then_expect_error(CustomerError::NonPositivePoints { points });
    }
}

#[test]
fn earning_twice_for_one_order_is_refused() {
    customer()
        .given(vec![registered(), earned(311, 311, Some(order_id()))])
        .when(earn(311, Some(order_id())))
        .then_expect_error(CustomerError::PointsAlreadyEarned {
            order_id: order_id(),
        });
}

#[test]
fn earning_past_the_integer_range_is_refused() {
    customer()
        .given(vec![registered(), earned(i64::MAX, i64::MAX, None)])
        .when(earn(1, None))
        .then_expect_error(CustomerError::PointsOverflow);
}

#[test]
fn redeeming_subtracts_from_the_balance() {
    customer()
        .given(vec![registered(), earned(500, 500, None)])
        .when(redeem(500))
        .then_expect_events(vec![CustomerEvent::PointsRedeemed {
            points: 500,
            reason: "checkout".into(),
            balance: 0,
            at: at(2),
        }]);
}

#[test]
fn redeeming_more_than_the_balance_is_insufficient_points() {
    customer()
        .given(vec![registered(), earned(500, 500, None)])
        .when(redeem(501))
        .then_expect_error(CustomerError::InsufficientPoints {
            balance: 500,
            requested: 501,
        });
}

#[test]
fn redeeming_needs_positive_points_and_a_reason() {
    customer()
        .given(vec![registered(), earned(500, 500, None)])
        .when(redeem(0))
        .then_expect_error(CustomerError::NonPositivePoints { points: 0 });
    customer()
        .given(vec![registered(), earned(500, 500, None)])
        .when(CustomerCommand::RedeemPoints {
            points: 1,
            reason: " ".into(),
            at: at(2),
        })
        .then_expect_error(CustomerError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

fn refer(referee: CustomerId, reward_points: i64) -> CustomerCommand {
    CustomerCommand::RecordReferral {
        referee,
        reward_points,
        at: at(7),
    }
}

fn referral_recorded(reward_points: i64) -> CustomerEvent {
    CustomerEvent::ReferralRecorded {
        referee: sample_referee_id(),
        reward_points,
        at: at(7),
    }
}

#[test]
fn referring_records_the_referral_and_credits_the_referrer() {
    customer()
        .given(vec![registered(), earned(50, 50, None)])
        .when(refer(sample_referee_id(), 200))
        .then_expect_events(vec![
            referral_recorded(200),
            CustomerEvent::PointsEarned {
                points: 200,
                reason: "referral of cust-0002".into(),
                order_id: None,
                balance: 250,
                at: at(7),
            },
        ]);
}

#[test]
fn referring_without_a_reward_touches_no_points() {
    customer()
        .given(vec![registered()])
        .when(refer(sample_referee_id(), 0))
        .then_expect_events(vec![referral_recorded(0)]);
}

#[test]
fn referring_oneself_is_refused() {
    customer()
        .given(vec![registered()])
        .when(refer(sample_customer_id(), 200))
        .then_expect_error(CustomerError::SelfReferral);
}

#[test]
fn referring_the_same_referee_twice_is_refused() {
    customer()
        .given(vec![registered(), referral_recorded(0)])
        .when(refer(sample_referee_id(), 200))
        .then_expect_error(CustomerError::DuplicateReferral {
            referee: sample_referee_id(),
        });
}

#[test]
fn referring_with_a_negative_reward_is_refused() {
    customer()
        .given(vec![registered()])
        .when(refer(customer_id("cust-0003"), -1))
        .then_expect_error(CustomerError::NegativeReward { reward_points: -1 });
}

fn issue(code: &str, amount_minor: i64, expires_at: Option<DateTime<Utc>>) -> CustomerCommand {
    CustomerCommand::IssueCoupon {
        code: code.into(),
        amount_minor,
        currency: Currency::CNY,
        reason: "churn recall".into(),
        expires_at,
        at: at(60),
    }
}

fn coupon_issued(code: &str) -> CustomerEvent {
    CustomerEvent::CouponIssued {
        code: code.into(),
        amount_minor: 2_000,
        currency: Currency::CNY,
        reason: "churn recall".into(),
        expires_at: Some(at(90)),
        at: at(60),
    }
}

#[test]
fn issuing_a_coupon_records_it() {
    customer()
        .given(vec![registered()])
        .when(issue("RECALL-20", 2_000, Some(at(90))))
        .then_expect_events(vec![coupon_issued("RECALL-20")]);
}

#[test]
fn issuing_a_coupon_code_twice_is_refused() {
    customer()
        .given(vec![registered(), coupon_issued("RECALL-20")])
        .when(issue("RECALL-20", 2_000, None))
        .then_expect_error(CustomerError::DuplicateCoupon {
            code: "RECALL-20".into(),
        });
}

#[test]
fn issuing_a_worthless_coupon_is_refused() {
    customer()
        .given(vec![registered()])
        .when(issue("ZERO", 0, None))
        .then_expect_error(CustomerError::NonPositiveAmount { amount_minor: 0 });
}

#[test]
fn issuing_an_already_expired_coupon_is_refused() {
    customer()
        .given(vec![registered()])
        .when(issue("LATE", 2_000, Some(at(60))))
        .then_expect_error(CustomerError::CouponExpiresBeforeIssue);
}

#[test]
fn issuing_a_coupon_with_a_malformed_code_is_refused() {
    customer()
        .given(vec![registered()])
        .when(issue("RECALL 20", 2_000, None))
        .then_expect_error(CustomerError::Validation(
            ValidationError::DisallowedCharacter {
                field: "coupon_code",
                character: ' ',
            },
        ));
}
