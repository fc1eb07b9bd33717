//! Membership: tiers, the points ledger, referrals and coupons.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::customer::error::CustomerError;
use crate::customer::events::CustomerEvent;
use crate::customer::state::CustomerState;
use crate::customer::values::Tier;
use crate::ids::{id_rule, CustomerId, OrderId};
use crate::money::Currency;
use crate::validation::short_text;

/// Spend thresholds (minor units, over whatever period the caller sums) at
/// which each tier starts. Configurable because marketing moves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierPolicy {
    pub silver_from_minor: i64,
    pub gold_from_minor: i64,
    pub black_from_minor: i64,
}

impl Default for TierPolicy {
    /// Silver from 0, Gold from 5 000.00, Black from 20 000.00.
    fn default() -> Self {
        Self {
            silver_from_minor: 0,
            gold_from_minor: 500_000,
            black_from_minor: 2_000_000,
        }
    }
}

impl TierPolicy {
    /// The highest tier whose threshold `spend_minor` reaches. Silver is the
    /// floor: there is no tier below it, so spend under `silver_from_minor`
    /// (e.g. net negative after refunds) is still Silver. Checking from the
    /// top makes misordered thresholds degrade to "highest reached" rather
    /// than to nonsense.
    pub fn tier_for(&self, spend_minor: i64) -> Tier {
        if spend_minor >= self.black_from_minor {
            Tier::Black
        } else if spend_minor >= self.gold_from_minor {
            Tier::Gold
        } else {
            Tier::Silver
        }
    }

    /// The tier the upgrade policy should move to, if any. Only upgrades:
    /// downgrades are a periodic business decision, not a reaction to one
    /// refund.
    pub fn upgrade_for(&self, current: Tier, spend_minor: i64) -> Option<Tier> {
        let earned = self.tier_for(spend_minor);
        (earned > current).then_some(earned)
    }
}

pub(super) fn change_tier(
    state: &CustomerState,
    tier: Tier,
    reason: String,
    at: DateTime<Utc>,
) -> Result<CustomerEvent, CustomerError> {
    short_text("reason", &reason)?;
    if state.tier == tier {
        return Err(CustomerError::SameTier { tier });
    }
    Ok(CustomerEvent::TierChanged {
        from: state.tier,
        to: tier,
        reason,
        at,
    })
}

fn positive_points(points: i64) -> Result<(), CustomerError> {
    if points > 0 {
        Ok(())
    } else {
        Err(CustomerError::NonPositivePoints { points })
    }
}

pub(super) fn earn(
    state: &CustomerState,
    points: i64,
    reason: String,
    order_id: Option<OrderId>,
    at: DateTime<Utc>,
) -> Result<CustomerEvent, CustomerError> {
    short_text("reason", &reason)?;
    positive_points(points)?;
    if let Some(order_id) = order_id {
        if state.orders_with_points.contains(&order_id) {
            return Err(CustomerError::PointsAlreadyEarned { order_id });
        }
    }
    let balance = state
        .points_balance
        .checked_add(points)
        .ok_or(CustomerError::PointsOverflow)?;
    Ok(CustomerEvent::PointsEarned {
        points,
        reason,
        order_id,
        balance,
        at,
    })
}

pub(super) fn redeem(
    state: &CustomerState,
    points: i64,
    reason: String,
    at: DateTime<Utc>,
) -> Result<CustomerEvent, CustomerError> {
    short_text("reason", &reason)?;
    positive_points(points)?;
    let balance = state.points_balance;
    if points > balance {
        return Err(CustomerError::InsufficientPoints {
            balance,
            requested: points,
        });
    }
    Ok(CustomerEvent::PointsRedeemed {
        points,
        reason,
        balance: balance - points,
        at,
    })
}

/// A zero reward records the referral without touching the ledger.
pub(super) fn record_referral(
    state: &CustomerState,
    referee: CustomerId,
    reward_points: i64,
    at: DateTime<Utc>,
) -> Result<Vec<CustomerEvent>, CustomerError> {
    if referee == state.customer_id {
        return Err(CustomerError::SelfReferral);
    }
    if reward_points < 0 {
        return Err(CustomerError::NegativeReward { reward_points });
    }
    if state.referees.contains(&referee) {
        return Err(CustomerError::DuplicateReferral { referee });
    }
    let reward = if reward_points > 0 {
        let reason = format!("referral of {referee}");
        Some(earn(state, reward_points, reason, None, at)?)
    } else {
        None
    };
    let mut events = vec![CustomerEvent::ReferralRecorded {
        referee,
        reward_points,
        at,
    }];
    events.extend(reward);
    Ok(events)
}

/// The fields of `CustomerCommand::IssueCoupon`, named so the decision does
/// not take seven positional arguments.
pub(super) struct CouponRequest {
    pub code: String,
    pub amount_minor: i64,
    pub currency: Currency,
    pub reason: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

pub(super) fn issue_coupon(
    state: &CustomerState,
    request: CouponRequest,
) -> Result<CustomerEvent, CustomerError> {
    let CouponRequest {
        code,
        amount_minor,
        currency,
        reason,
        expires_at,
        at,
    } = request;
    id_rule("coupon_code", &code)?;
    short_text("reason", &reason)?;
    if amount_minor <= 0 {
        return Err(CustomerError::NonPositiveAmount { amount_minor });
    }
    if expires_at.is_some_and(|expires| expires <= at) {
        return Err(CustomerError::CouponExpiresBeforeIssue);
    }
    if state.coupons.contains(&code) {
        return Err(CustomerError::DuplicateCoupon { code });
    }
    Ok(CustomerEvent::CouponIssued {
        code,
        amount_minor,
        currency,
        reason,
        expires_at,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_thresholds_pick_tiers() {
        let policy = TierPolicy::default();
        assert_eq!(policy.tier_for(-1), Tier::Silver);
        assert_eq!(policy.tier_for(0), Tier::Silver);
        assert_eq!(policy.tier_for(499_999), Tier::Silver);
        assert_eq!(policy.tier_for(500_000), Tier::Gold);
        assert_eq!(policy.tier_for(1_999_999), Tier::Gold);
        assert_eq!(policy.tier_for(2_000_000), Tier::Black);
    }

    #[test]
    fn thresholds_are_configurable() {
        let policy = TierPolicy {
            silver_from_minor: 0,
            gold_from_minor: 100,
            black_from_minor: 200,
        };
        assert_eq!(policy.tier_for(150), Tier::Gold);
        assert_eq!(policy.tier_for(200), Tier::Black);
    }

    #[test]
    fn upgrade_only_moves_up() {
        let policy = TierPolicy::default();
        assert_eq!(policy.upgrade_for(Tier::Silver, 600_000), Some(Tier::Gold));
        assert_eq!(policy.upgrade_for(Tier::Gold, 600_000), None);
        assert_eq!(policy.upgrade_for(Tier::Black, 0), None);
        assert_eq!(policy.upgrade_for(Tier::Gold, 2_500_000), Some(Tier::Black));
    }
}
