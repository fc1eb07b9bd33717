//! What callers can ask a customer stream to do. Every command carries the
//! time it happened: the domain reads no clock.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::customer::interaction::Interaction;
use crate::customer::profile::{Profile, ProfileChange};
use crate::customer::values::{MarketingChannel, NpsContext, Tier};
use crate::ids::{CaseId, CustomerId, OrderId};
use crate::money::Currency;
use crate::values::SalesChannel;

/// Everything needed to open a customer stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCustomer {
    pub customer_id: CustomerId,
    /// Where the customer first came from.
    pub acquisition_channel: SalesChannel,
    pub profile: Profile,
    pub registered_at: DateTime<Utc>,
}

/// Commands accepted by the `Customer` aggregate.
// Register and RecordInteraction carry whole records while the rest are a
// few fields; boxing would only make construction noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerCommand {
    Register(RegisterCustomer),
    /// A patch: only listed fields are touched, and of those only the ones
    /// that differ from the profile are recorded.
    UpdateProfile {
        changes: Vec<ProfileChange>,
        at: DateTime<Utc>,
    },
    GrantConsent {
        channel: MarketingChannel,
        at: DateTime<Utc>,
    },
    WithdrawConsent {
        channel: MarketingChannel,
        at: DateTime<Utc>,
    },
    ChangeTier {
        tier: Tier,
        reason: String,
        at: DateTime<Utc>,
    },
    EarnPoints {
        points: i64,
        reason: String,
        /// Points for an order can be earned once; a retried policy is refused.
        order_id: Option<OrderId>,
        at: DateTime<Utc>,
    },
    RedeemPoints {
        points: i64,
        reason: String,
        at: DateTime<Utc>,
    },
    /// Records that this customer referred `referee` and credits the
    /// referrer's reward here; the API earns the referee's reward on the
    /// referee's own stream (one command writes one stream).
    RecordReferral {
        referee: CustomerId,
        reward_points: i64,
        at: DateTime<Utc>,
    },
    AddTag {
        tag: String,
        at: DateTime<Utc>,
    },
    RemoveTag {
        tag: String,
        at: DateTime<Utc>,
    },
    IssueCoupon {
        code: String,
        amount_minor: i64,
        currency: Currency,
        /// Why, e.g. "churn recall" or "birthday".
        reason: String,
        expires_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    },
    RecordInteraction(Interaction),
    RecordNps {
        score: u8,
        context: NpsContext,
        order_id: Option<OrderId>,
        case_id: Option<CaseId>,
        comment: Option<String>,
        at: DateTime<Utc>,
    },
}

impl CustomerCommand {
    /// Stable name for logs and metrics.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Register(_) => "Register",
            Self::UpdateProfile { .. } => "UpdateProfile",
            Self::GrantConsent { .. } => "GrantConsent",
            Self::WithdrawConsent { .. } => "WithdrawConsent",
            Self::ChangeTier { .. } => "ChangeTier",
            Self::EarnPoints { .. } => "EarnPoints",
            Self::RedeemPoints { .. } => "RedeemPoints",
            Self::RecordReferral { .. } => "RecordReferral",
            Self::AddTag { .. } => "AddTag",
            Self::RemoveTag { .. } => "RemoveTag",
            Self::IssueCoupon { .. } => "IssueCoupon",
            Self::RecordInteraction(_) => "RecordInteraction",
            Self::RecordNps { .. } => "RecordNps",
        }
    }
}
