//! The event-sourced `Customer` aggregate (stream id = `CustomerId`).
//!
//! One stream holds the whole relationship: profile, marketing consents per
//! channel, membership tier, the points ledger (never negative), referrals,
//! tags, coupons, interactions (service contacts and care) and delivery NPS.
//! Cross-stream effects (the referee's reward, tier upgrades from spend) are
//! policies in the API that send further commands; [`TierPolicy`] is the pure
//! rule they use.

mod aggregate;
mod commands;
mod error;
mod events;
mod handlers;
mod interaction;
mod loyalty;
mod profile;
pub mod sample;
mod state;
mod values;

#[cfg(test)]
mod tests;

pub use crate::order::ErrorKind;
pub use aggregate::{Customer, CUSTOMER_AGGREGATE_TYPE};
pub use commands::{CustomerCommand, RegisterCustomer};
pub use error::CustomerError;
pub use events::{CustomerEvent, CustomerRegistered, CUSTOMER_EVENT_TYPES, CUSTOMER_EVENT_VERSION};
pub use handlers::{MAX_TAGS, TAG_MAX_CHARS};
pub use interaction::{Direction, Interaction, InteractionKind, CSAT_MAX, CSAT_MIN, NPS_MAX};
pub use loyalty::TierPolicy;
pub use profile::{Profile, ProfileChange, EMAIL_MAX_CHARS, PHONE_MAX_CHARS};
pub use state::CustomerState;
pub use values::{ContactChannel, MarketingChannel, NpsContext, Tier};

pub(crate) use interaction::{csat_score_rule, nps_score_rule, optional_comment};
