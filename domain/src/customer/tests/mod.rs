//! Given/when/then tests for every customer command: each acceptance and
//! each refusal. Histories are hand-written events so each test states its
//! own expectations.

mod guards;
mod interactions;
mod loyalty;
mod profile;

use chrono::{DateTime, TimeDelta, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use crate::customer::sample::*;
use crate::customer::{
    Customer, CustomerCommand, CustomerEvent, MarketingChannel, NpsContext, Tier,
};
use crate::ids::{CustomerId, OrderId};
use crate::money::Currency;

pub(super) fn customer() -> TestFramework<Customer> {
    TestFramework::with(())
}

pub(super) fn registered() -> CustomerEvent {
    sample_customer_registered()
}

/// `days` after the sample registration.
pub(super) fn at(days: i64) -> DateTime<Utc> {
    sample_registered_at() + TimeDelta::days(days)
}

pub(super) fn order_id() -> OrderId {
    crate::order::sample::sample_order_id()
}

pub(super) fn customer_id(value: &str) -> CustomerId {
    CustomerId::parse(value).expect("valid customer id")
}

pub(super) fn earned(points: i64, balance: i64, order_id: Option<OrderId>) -> CustomerEvent {
    CustomerEvent::PointsEarned {
        points,
        reason: "order completed".into(),
        order_id,
        balance,
        at: at(1),
    }
}

pub(super) fn consent_granted(channel: MarketingChannel) -> CustomerEvent {
    CustomerEvent::ConsentGranted { channel, at: at(1) }
}

/// One valid instance of every command but `Register`.
pub(super) fn non_register_commands() -> Vec<CustomerCommand> {
    vec![
        CustomerCommand::UpdateProfile {
            changes: vec![crate::customer::ProfileChange::City(Some("Ningbo".into()))],
            at: at(1),
        },
        CustomerCommand::GrantConsent {
            channel: MarketingChannel::Sms,
            at: at(1),
        },
        CustomerCommand::WithdrawConsent {
            channel: MarketingChannel::Sms,
            at: at(1),
        },
        CustomerCommand::ChangeTier {
            tier: Tier::Gold,
            reason: "spend crossed threshold".into(),
            at: at(1),
        },
        CustomerCommand::EarnPoints {
            points: 10,
            reason: "order completed".into(),
            order_id: None,
            at: at(1),
        },
        CustomerCommand::RedeemPoints {
            points: 10,
            reason: "checkout".into(),
            at: at(1),
        },
        CustomerCommand::RecordReferral {
            referee: sample_referee_id(),
            reward_points: 100,
            at: at(1),
        },
        CustomerCommand::AddTag {
            tag: "tea-lover".into(),
            at: at(1),
        },
        CustomerCommand::RemoveTag {
            tag: "tea-lover".into(),
            at: at(1),
        },
        CustomerCommand::IssueCoupon {
            code: "RECALL-10".into(),
            amount_minor: 1_000,
            currency: Currency::CNY,
            reason: "churn recall".into(),
            expires_at: None,
            at: at(1),
        },
        CustomerCommand::RecordInteraction(sample_interaction()),
        CustomerCommand::RecordNps {
            score: 9,
            context: NpsContext::Delivery,
            order_id: Some(order_id()),
            case_id: None,
            comment: None,
            at: at(1),
        },
    ]
}

/// Rebuilds an aggregate the way the event store does.
pub(super) fn replay(events: Vec<CustomerEvent>) -> Customer {
    let mut customer = Customer::default();
    for event in events {
        customer.apply(event);
    }
    customer
}
