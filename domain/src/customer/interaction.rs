//! Contacts between the customer and the business, recorded on the
//! customer's stream so the whole relationship replays from one place.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::AgentId;
use crate::customer::error::CustomerError;
use crate::customer::values::ContactChannel;
use crate::ids::{id_rule, CaseId, OrderId, ReturnId, ShipmentId};
use crate::validation::{long_text, short_text, ValidationError};

coded_enum! {
    /// Who started the contact.
    pub enum Direction(field = "direction") {
        Inbound => "inbound",
        Outbound => "outbound",
    }
}

coded_enum! {
    /// `care` is relationship upkeep (holiday and birthday greetings), kept
    /// apart from service contacts so it never counts as a complaint or a
    /// repeated contact in churn signals.
    pub enum InteractionKind(field = "interaction_kind") {
        Contact => "contact",
        Care => "care",
    }
}

/// One contact, with the business objects it was about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    /// Caller-chosen id (chat session, call id); re-recording it is refused
    /// so webhook retries cannot duplicate contacts.
    pub interaction_id: String,
    pub direction: Direction,
    pub channel: ContactChannel,
    pub kind: InteractionKind,
    pub topic: String,
    pub summary: String,
    pub agent: Option<AgentId>,
    pub order_id: Option<OrderId>,
    pub shipment_id: Option<ShipmentId>,
    pub return_id: Option<ReturnId>,
    pub case_id: Option<CaseId>,
    pub occurred_at: DateTime<Utc>,
}

impl Interaction {
    pub(crate) fn validate(&self) -> Result<(), CustomerError> {
        id_rule("interaction_id", &self.interaction_id)?;
        short_text("topic", &self.topic)?;
        long_text("summary", &self.summary)?;
        // A greeting the customer sent us is a contact, not care we gave.
        if self.kind == InteractionKind::Care && self.direction == Direction::Inbound {
            return Err(CustomerError::InboundCare);
        }
        Ok(())
    }
}

/// Net Promoter answers are 0..=10.
pub const NPS_MAX: u8 = 10;
/// Satisfaction (CSAT) answers are 1..=5.
pub const CSAT_MIN: u8 = 1;
pub const CSAT_MAX: u8 = 5;

pub(crate) fn nps_score_rule(score: u8) -> Result<(), ValidationError> {
    if score > NPS_MAX {
        return Err(ValidationError::OutOfRange {
            field: "nps_score",
            min: 0,
            max: i64::from(NPS_MAX),
        });
    }
    Ok(())
}

pub(crate) fn csat_score_rule(score: u8) -> Result<(), ValidationError> {
    if !(CSAT_MIN..=CSAT_MAX).contains(&score) {
        return Err(ValidationError::OutOfRange {
            field: "csat",
            min: i64::from(CSAT_MIN),
            max: i64::from(CSAT_MAX),
        });
    }
    Ok(())
}

/// Free-text survey comments are optional but bounded when given.
pub(crate) fn optional_comment(comment: Option<&str>) -> Result<(), ValidationError> {
    comment.map_or(Ok(()), |text| long_text("comment", text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_ranges() {
        assert_eq!(nps_score_rule(0), Ok(()));
        assert_eq!(nps_score_rule(10), Ok(()));
        assert!(nps_score_rule(11).is_err());
        assert!(csat_score_rule(0).is_err());
        assert_eq!(csat_score_rule(5), Ok(()));
        assert!(csat_score_rule(6).is_err());
    }

    #[test]
    fn kind_and_direction_codes_are_stable() {
        assert_eq!(InteractionKind::Care.code(), "care");
        assert_eq!(Direction::ALL.len(), 2);
        assert_eq!("outbound".parse(), Ok(Direction::Outbound));
    }
}
