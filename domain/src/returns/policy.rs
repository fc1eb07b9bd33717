//! Return windows: how long after delivery a customer may ask to return.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::returns::commands::ReturnReason;
use crate::validation::ValidationError;
use crate::values::SalesChannel;

/// Longest window a channel may configure. Generous, but keeps the
/// arithmetic on delivery timestamps far from chrono's limits.
pub const MAX_WINDOW_DAYS: u32 = 365;

/// One channel's windows, in days after delivery. Zero means "only on the
/// day of delivery", e.g. a channel that offers no no-reason returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReturnWindowPolicy {
    /// Change-of-mind returns (七天无理由退货).
    pub no_reason_days: u32,
    /// Returns for the seller's faults: damage, wrong item, quality, ...
    pub quality_days: u32,
}

impl ReturnWindowPolicy {
    /// The statutory baseline in China: 7 days no-reason, 15 for quality.
    pub const STANDARD: Self = Self {
        no_reason_days: 7,
        quality_days: 15,
    };

    pub fn validate(&self) -> Result<(), ValidationError> {
        for (field, days) in [
            ("window.no_reason_days", self.no_reason_days),
            ("window.quality_days", self.quality_days),
        ] {
            if days > MAX_WINDOW_DAYS {
                return Err(ValidationError::OutOfRange {
                    field,
                    min: 0,
                    max: i64::from(MAX_WINDOW_DAYS),
                });
            }
        }
        Ok(())
    }

    /// Days allowed for `reason`. A seller-fault return never gets less time
    /// than a no-reason one, even if a channel configures it that way.
    pub const fn days_for(&self, reason: ReturnReason) -> u32 {
        if reason.is_no_reason() {
            self.no_reason_days
        } else if self.quality_days >= self.no_reason_days {
            self.quality_days
        } else {
            self.no_reason_days
        }
    }

    /// Last instant a request for `reason` is accepted, counted in whole
    /// 24-hour days from delivery. `None` only if that lies beyond what a
    /// timestamp can hold, i.e. the window never closes in practice.
    pub fn closes_at(
        &self,
        reason: ReturnReason,
        delivered_at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let days = TimeDelta::try_days(i64::from(self.days_for(reason)))?;
        delivered_at.checked_add_signed(days)
    }
}

impl Default for ReturnWindowPolicy {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// Window configuration for all channels: a default plus overrides (some
/// marketplaces promise longer windows than the statutory minimum).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnWindowPolicies {
    pub default: ReturnWindowPolicy,
    #[serde(default)]
    pub per_channel: BTreeMap<SalesChannel, ReturnWindowPolicy>,
}

impl ReturnWindowPolicies {
    pub fn for_channel(&self, channel: SalesChannel) -> ReturnWindowPolicy {
        self.per_channel
            .get(&channel)
            .copied()
            .unwrap_or(self.default)
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        self.default.validate()?;
        self.per_channel
            .values()
            .try_for_each(ReturnWindowPolicy::validate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).expect("in range")
    }

    #[test]
    fn standard_policy_is_seven_and_fifteen_days() {
        let policy = ReturnWindowPolicy::default();
        assert_eq!(policy.days_for(ReturnReason::ChangedMind), 7);
        for reason in ReturnReason::ALL.iter().filter(|r| !r.is_no_reason()) {
            assert_eq!(policy.days_for(*reason), 15, "{reason}");
        }
    }

    #[test]
    fn quality_window_is_never_shorter_than_no_reason() {
        let odd = ReturnWindowPolicy {
            no_reason_days: 30,
            quality_days: 10,
        };
        assert_eq!(odd.days_for(ReturnReason::Damaged), 30);
    }

    #[test]
    fn window_closes_whole_days_after_delivery() {
        let policy = ReturnWindowPolicy::STANDARD;
        assert_eq!(
            policy.closes_at(ReturnReason::ChangedMind, at(0)),
            Some(at(7 * 86_400))
        );
        assert_eq!(
            policy.closes_at(ReturnReason::WrongItem, at(0)),
            Some(at(15 * 86_400))
        );
    }

    #[test]
    fn window_at_the_end_of_time_never_closes() {
        let policy = ReturnWindowPolicy::STANDARD;
        assert_eq!(
            policy.closes_at(ReturnReason::Damaged, DateTime::<Utc>::MAX_UTC),
            None
        );
    }

    #[test]
    fn windows_are_bounded() {
        let long = ReturnWindowPolicy {
            no_reason_days: 7,
            quality_days: MAX_WINDOW_DAYS + 1,
        };
        assert_eq!(
            long.validate(),
            Err(ValidationError::OutOfRange {
                field: "window.quality_days",
                min: 0,
                max: 365
            })
        );
        assert_eq!(ReturnWindowPolicy::STANDARD.validate(), Ok(()));
    }

    #[test]
    fn channels_may_override_the_default() {
        let generous = ReturnWindowPolicy {
            no_reason_days: 15,
            quality_days: 30,
        };
        let policies = ReturnWindowPolicies {
            default: ReturnWindowPolicy::STANDARD,
            per_channel: [(SalesChannel::Jd, generous)].into_iter().collect(),
        };
        assert_eq!(policies.for_channel(SalesChannel::Jd), generous);
        assert_eq!(
            policies.for_channel(SalesChannel::Tmall),
            ReturnWindowPolicy::STANDARD
        );
        assert_eq!(policies.validate(), Ok(()));
        let json = serde_json::to_string(&policies).expect("serialise");
        assert_eq!(serde_json::from_str(&json).ok(), Some(policies));
    }
}
