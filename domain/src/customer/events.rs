//! Facts recorded on a customer stream. Points events carry the resulting
//! balance so read models never re-add the ledger.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::customer::interaction::Interaction;
use crate::customer::profile::{Profile, ProfileChange};
use crate::customer::values::{MarketingChannel, NpsContext, Tier};
use crate::ids::{CaseId, CustomerId, OrderId};
use crate::money::Currency;
use crate::values::SalesChannel;

/// Schema version of every event payload below.
pub const CUSTOMER_EVENT_VERSION: &str = "1.0";

/// All `event_type()` values, for stores and projections that dispatch on it.
pub const CUSTOMER_EVENT_TYPES: [&str; 13] = [
    "CustomerRegistered",
    "ProfileChanged",
    "ConsentGranted",
    "ConsentWithdrawn",
    "TierChanged",
    "PointsEarned",
    "PointsRedeemed",
    "ReferralRecorded",
    "TagAdded",
    "TagRemoved",
    "CouponIssued",
    "InteractionRecorded",
    "NpsRecorded",
];

/// The customer as registered. New customers start at the lowest tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRegistered {
    pub customer_id: CustomerId,
    pub acquisition_channel: SalesChannel,
    pub profile: Profile,
    pub tier: Tier,
    pub registered_at: DateTime<Utc>,
}

// Registration and interactions are larger than the rest; events are loaded
// once per command, so a Box in every match arm would cost more.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerEvent {
    CustomerRegistered(CustomerRegistered),
    ProfileChanged {
        /// Only the fields whose value actually changed.
        changes: Vec<ProfileChange>,
        at: DateTime<Utc>,
    },
    ConsentGranted {
        channel: MarketingChannel,
        at: DateTime<Utc>,
    },
    ConsentWithdrawn {
        channel: MarketingChannel,
        at: DateTime<Utc>,
    },
    TierChanged {
        from: Tier,
        to: Tier,
        reason: String,
        at: DateTime<Utc>,
    },
    PointsEarned {
        points: i64,
        reason: String,
        order_id: Option<OrderId>,
        /// Balance after this entry.
        balance: i64,
        at: DateTime<Utc>,
    },
    PointsRedeemed {
        points: i64,
        reason: String,
        /// Balance after this entry; never negative.
        balance: i64,
        at: DateTime<Utc>,
    },
    /// The referrer's reward follows as `PointsEarned` in the same commit.
    ReferralRecorded {
        referee: CustomerId,
        reward_points: i64,
        at: DateTime<Utc>,
    },
    TagAdded {
        tag: String,
        at: DateTime<Utc>,
    },
    TagRemoved {
        tag: String,
        at: DateTime<Utc>,
    },
    CouponIssued {
        code: String,
        amount_minor: i64,
        currency: Currency,
        reason: String,
        expires_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    },
    InteractionRecorded(Interaction),
    NpsRecorded {
        score: u8,
        context: NpsContext,
        order_id: Option<OrderId>,
        case_id: Option<CaseId>,
        comment: Option<String>,
        at: DateTime<Utc>,
    },
}

impl CustomerEvent {
    /// The variant name; also the stored `event_type`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::CustomerRegistered(_) => "CustomerRegistered",
            Self::ProfileChanged { .. } => "ProfileChanged",
            Self::ConsentGranted { .. } => "ConsentGranted",
            Self::ConsentWithdrawn { .. } => "ConsentWithdrawn",
            Self::TierChanged { .. } => "TierChanged",
            Self::PointsEarned { .. } => "PointsEarned",
            Self::PointsRedeemed { .. } => "PointsRedeemed",
            Self::ReferralRecorded { .. } => "ReferralRecorded",
            Self::TagAdded { .. } => "TagAdded",
            Self::TagRemoved { .. } => "TagRemoved",
            Self::CouponIssued { .. } => "CouponIssued",
            Self::InteractionRecorded(_) => "InteractionRecorded",
            Self::NpsRecorded { .. } => "NpsRecorded",
        }
    }
}

impl DomainEvent for CustomerEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        CUSTOMER_EVENT_VERSION.to_owned()
    }
}
