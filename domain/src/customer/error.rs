//! Why a customer command was refused.

use chrono::NaiveDate;
use thiserror::Error;

use crate::customer::values::{MarketingChannel, NpsContext, Tier};
use crate::ids::{CustomerId, OrderId};
use crate::order::ErrorKind;
use crate::validation::ValidationError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CustomerError {
    #[error("customer not found")]
    NotFound,
    #[error("customer {customer_id} is already registered")]
    AlreadyRegistered { customer_id: CustomerId },

    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("email address is not well formed")]
    InvalidEmail,
    #[error("phone number is not well formed")]
    InvalidPhone,
    #[error("birthday {birthday} is in the future")]
    BirthdayInFuture { birthday: NaiveDate },
    #[error("profile field {field} is listed more than once")]
    DuplicateProfileField { field: &'static str },
    #[error("the update changes nothing")]
    NoProfileChanges,

    #[error("consent for {channel} is already granted")]
    ConsentAlreadyGranted { channel: MarketingChannel },
    #[error("consent for {channel} is not granted")]
    ConsentNotGranted { channel: MarketingChannel },

    #[error("customer is already {tier}")]
    SameTier { tier: Tier },

    #[error("points must be greater than zero, got {points}")]
    NonPositivePoints { points: i64 },
    #[error("cannot redeem {requested} points, balance is {balance}")]
    InsufficientPoints { balance: i64, requested: i64 },
    #[error("points balance overflowed")]
    PointsOverflow,
    #[error("points for order {order_id} have already been earned")]
    PointsAlreadyEarned { order_id: OrderId },

    #[error("a customer cannot refer themselves")]
    SelfReferral,
    #[error("referral of {referee} is already recorded")]
    DuplicateReferral { referee: CustomerId },
    #[error("referral reward must not be negative, got {reward_points}")]
    NegativeReward { reward_points: i64 },

    #[error("tag {tag:?} is already present")]
    TagAlreadyPresent { tag: String },
    #[error("tag {tag:?} is not present")]
    TagNotPresent { tag: String },
    #[error("a customer may carry at most {max} tags")]
    TooManyTags { max: usize },

    #[error("coupon amount must be greater than zero, got {amount_minor}")]
    NonPositiveAmount { amount_minor: i64 },
    #[error("coupon {code} has already been issued")]
    DuplicateCoupon { code: String },
    #[error("coupon would expire before it is issued")]
    CouponExpiresBeforeIssue,

    #[error("interaction {interaction_id} is already recorded")]
    DuplicateInteraction { interaction_id: String },
    #[error("care interactions are outbound by definition")]
    InboundCare,

    #[error("an NPS answer about a {context} needs its link")]
    MissingNpsLink { context: NpsContext },
    #[error("NPS for order {order_id} is already recorded")]
    NpsAlreadyRecorded { order_id: OrderId },
}

impl CustomerError {
    pub fn kind(&self) -> ErrorKind {
        use CustomerError::*;
        match self {
            NotFound => ErrorKind::NotFound,
            Validation(_)
            | InvalidEmail
            | InvalidPhone
            | BirthdayInFuture { .. }
            | DuplicateProfileField { .. }
            | NonPositivePoints { .. }
            | SelfReferral
            | NegativeReward { .. }
            | NonPositiveAmount { .. }
            | CouponExpiresBeforeIssue
            | InboundCare
            | MissingNpsLink { .. } => ErrorKind::InvalidInput,
            AlreadyRegistered { .. }
            | NoProfileChanges
            | ConsentAlreadyGranted { .. }
            | ConsentNotGranted { .. }
            | SameTier { .. }
            | InsufficientPoints { .. }
            | PointsOverflow
            | PointsAlreadyEarned { .. }
            | DuplicateReferral { .. }
            | TagAlreadyPresent { .. }
            | TagNotPresent { .. }
            | TooManyTags { .. }
            | DuplicateCoupon { .. }
            | DuplicateInteraction { .. }
            | NpsAlreadyRecorded { .. } => ErrorKind::InvalidState,
        }
    }

    /// Stable snake_case code for API error bodies.
    pub fn code(&self) -> &'static str {
        use CustomerError::*;
        match self {
            NotFound => "not_found",
            AlreadyRegistered { .. } => "already_registered",
            Validation(_) => "validation",
            InvalidEmail => "invalid_email",
            InvalidPhone => "invalid_phone",
            BirthdayInFuture { .. } => "birthday_in_future",
            DuplicateProfileField { .. } => "duplicate_profile_field",
            NoProfileChanges => "no_profile_changes",
            ConsentAlreadyGranted { .. } => "consent_already_granted",
            ConsentNotGranted { .. } => "consent_not_granted",
            SameTier { .. } => "same_tier",
            NonPositivePoints { .. } => "non_positive_points",
            InsufficientPoints { .. } => "insufficient_points",
            PointsOverflow => "points_overflow",
            PointsAlreadyEarned { .. } => "points_already_earned",
            SelfReferral => "self_referral",
            DuplicateReferral { .. } => "duplicate_referral",
            NegativeReward { .. } => "negative_reward",
            TagAlreadyPresent { .. } => "tag_already_present",
            TagNotPresent { .. } => "tag_not_present",
            TooManyTags { .. } => "too_many_tags",
            NonPositiveAmount { .. } => "non_positive_amount",
            DuplicateCoupon { .. } => "duplicate_coupon",
            CouponExpiresBeforeIssue => "coupon_expires_before_issue",
            DuplicateInteraction { .. } => "duplicate_interaction",
            InboundCare => "inbound_care",
            MissingNpsLink { .. } => "missing_nps_link",
            NpsAlreadyRecorded { .. } => "nps_already_recorded",
        }
    }
}
