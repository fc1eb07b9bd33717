//! Ready-made valid customer values for tests in this and other crates.
//! Not behind `cfg(test)` so downstream suites can use it; no IO.
//!
//! The sample customer is the sample order's customer (`cust-0001`),
//! registered from the app on 2024-12-01 with a complete profile.

use chrono::{DateTime, NaiveDate, Utc};

use crate::case::AgentId;
use crate::customer::commands::RegisterCustomer;
use crate::customer::events::{CustomerEvent, CustomerRegistered};
use crate::customer::interaction::{Direction, Interaction, InteractionKind};
use crate::customer::profile::Profile;
use crate::customer::values::{ContactChannel, Tier};
use crate::ids::CustomerId;
use crate::values::SalesChannel;

pub use crate::order::sample::sample_customer_id;

/// 2024-12-01T00:00:00Z.
pub const SAMPLE_REGISTERED_AT_SECS: i64 = 1_733_011_200;
pub const SAMPLE_REFEREE_ID: &str = "cust-0002";
pub const SAMPLE_AGENT_ID: &str = "agent-li";

pub fn sample_registered_at() -> DateTime<Utc> {
    DateTime::from_timestamp(SAMPLE_REGISTERED_AT_SECS, 0).unwrap_or_default()
}

pub fn sample_referee_id() -> CustomerId {
    CustomerId::trusted(SAMPLE_REFEREE_ID)
}

pub fn sample_agent_id() -> AgentId {
    AgentId::trusted(SAMPLE_AGENT_ID)
}

pub fn sample_birthday() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1990, 5, 20)
}

pub fn sample_profile() -> Profile {
    Profile {
        name: "Li Wei".into(),
        phone: Some("+86 138 0000 0000".into()),
        email: Some("li.wei@example.cn".into()),
        birthday: sample_birthday(),
        city: Some("Hangzhou".into()),
        preferred_contact: ContactChannel::WechatOfficialAccount,
    }
}

pub fn sample_register() -> RegisterCustomer {
    RegisterCustomer {
        customer_id: sample_customer_id(),
        acquisition_channel: SalesChannel::App,
        profile: sample_profile(),
        registered_at: sample_registered_at(),
    }
}

/// What registering [`sample_register`] records, spelled out by hand.
pub fn sample_customer_registered() -> CustomerEvent {
    CustomerEvent::CustomerRegistered(CustomerRegistered {
        customer_id: sample_customer_id(),
        acquisition_channel: SalesChannel::App,
        profile: sample_profile(),
        tier: Tier::Silver,
        registered_at: sample_registered_at(),
    })
}

/// An inbound online-chat contact about the sample order.
pub fn sample_interaction() -> Interaction {
    Interaction {
        interaction_id: "chat-0001".into(),
        direction: Direction::Inbound,
        channel: ContactChannel::OnlineChat,
        kind: InteractionKind::Contact,
        topic: "Where is my parcel?".into(),
        summary: "Customer asked for the delivery date; agent shared tracking.".into(),
        agent: Some(sample_agent_id()),
        order_id: Some(crate::order::sample::sample_order_id()),
        shipment_id: None,
        return_id: None,
        case_id: None,
        occurred_at: sample_registered_at() + chrono::TimeDelta::days(40),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::{Customer, CustomerCommand};

    #[test]
    fn sample_literals_pass_their_own_validation() {
        assert!(CustomerId::parse(SAMPLE_REFEREE_ID).is_ok());
        assert!(AgentId::parse(SAMPLE_AGENT_ID).is_ok());
        assert_eq!(sample_profile().validate(sample_registered_at()), Ok(()));
        assert_eq!(sample_interaction().validate(), Ok(()));
    }

    #[test]
    fn sample_registered_matches_what_registering_records() {
        let decided = Customer::default().decide(CustomerCommand::Register(sample_register()));
        assert_eq!(decided, Ok(vec![sample_customer_registered()]));
    }
}
