//! How the customer receives the goods.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{short_text, ValidationError};

/// Delivery choice made at placement.
///
/// Enum fields are necessarily public, so the invariants (non-blank pickup
/// point, window start before end) are enforced by the constructors, by
/// deserialisation, and again by the aggregate via [`DeliveryMode::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawDeliveryMode", into = "RawDeliveryMode")]
pub enum DeliveryMode {
    Express,
    SelfPickup {
        pickup_point: String,
    },
    Scheduled {
        window_start: DateTime<Utc>,
        window_end: DateTime<Utc>,
    },
}

impl DeliveryMode {
    pub fn self_pickup(pickup_point: impl Into<String>) -> Result<Self, ValidationError> {
        let mode = Self::SelfPickup {
            pickup_point: pickup_point.into(),
        };
        mode.validate()?;
        Ok(mode)
    }

    pub fn scheduled(
        window_start: DateTime<Utc>,
        window_end: DateTime<Utc>,
    ) -> Result<Self, ValidationError> {
        let mode = Self::Scheduled {
            window_start,
            window_end,
        };
        mode.validate()?;
        Ok(mode)
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::Express => Ok(()),
            Self::SelfPickup { pickup_point } => short_text("delivery.pickup_point", pickup_point),
            Self::Scheduled {
                window_start,
                window_end,
            } if window_start >= window_end => Err(ValidationError::EmptyWindow {
                field: "delivery.window",
            }),
            Self::Scheduled { .. } => Ok(()),
        }
    }

    /// Stable code of the mode, for storage and filtering.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Express => "express",
            Self::SelfPickup { .. } => "self_pickup",
            Self::Scheduled { .. } => "scheduled",
        }
    }
}

/// Wire shape: `{"mode":"scheduled","window_start":..,"window_end":..}`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
enum RawDeliveryMode {
    Express,
    SelfPickup {
        pickup_point: String,
    },
    Scheduled {
        window_start: DateTime<Utc>,
        window_end: DateTime<Utc>,
    },
}

impl TryFrom<RawDeliveryMode> for DeliveryMode {
    type Error = ValidationError;

    fn try_from(raw: RawDeliveryMode) -> Result<Self, Self::Error> {
        let mode = match raw {
            RawDeliveryMode::Express => Self::Express,
            RawDeliveryMode::SelfPickup { pickup_point } => Self::SelfPickup { pickup_point },
            RawDeliveryMode::Scheduled {
                window_start,
                window_end,
            } => Self::Scheduled {
                window_start,
                window_end,
            },
        };
        mode.validate()?;
        Ok(mode)
    }
}

impl From<DeliveryMode> for RawDeliveryMode {
    fn from(mode: DeliveryMode) -> Self {
        match mode {
            DeliveryMode::Express => Self::Express,
            DeliveryMode::SelfPickup { pickup_point } => Self::SelfPickup { pickup_point },
            DeliveryMode::Scheduled {
                window_start,
                window_end,
            } => Self::Scheduled {
                window_start,
                window_end,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000 + seconds, 0).unwrap_or_default()
    }

    #[test]
    fn scheduled_window_must_start_before_it_ends() {
        assert!(DeliveryMode::scheduled(at(0), at(3600)).is_ok());
        for end in [at(0), at(0) - TimeDelta::seconds(1)] {
            assert_eq!(
                DeliveryMode::scheduled(at(0), end),
                Err(ValidationError::EmptyWindow {
                    field: "delivery.window"
                })
            );
        }
    }

    #[test]
    fn self_pickup_needs_a_pickup_point() {
        assert_eq!(
            DeliveryMode::self_pickup(" "),
            Err(ValidationError::Empty {
                field: "delivery.pickup_point"
            })
        );
        assert!(DeliveryMode::self_pickup("Locker 7, Xihu").is_ok());
    }

    #[test]
    fn delivery_mode_is_tagged_and_validated_on_the_wire() {
        let json = serde_json::to_value(DeliveryMode::Express).expect("serialise");
        assert_eq!(json, serde_json::json!({ "mode": "express" }));
        let bad = serde_json::json!({ "mode": "self_pickup", "pickup_point": "" });
        assert!(serde_json::from_value::<DeliveryMode>(bad).is_err());
        let mode = DeliveryMode::scheduled(at(0), at(60)).expect("valid");
        let json = serde_json::to_value(&mode).expect("serialise");
        assert_eq!(json["mode"], "scheduled");
        assert_eq!(
            serde_json::from_value::<DeliveryMode>(json).ok(),
            Some(mode)
        );
    }

    #[test]
    fn delivery_mode_codes() {
        assert_eq!(DeliveryMode::Express.code(), "express");
        assert_eq!(
            DeliveryMode::self_pickup("P1").map(|m| m.code()),
            Ok("self_pickup")
        );
    }
}
