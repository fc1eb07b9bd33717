//! Command decisions: pure functions from state and command to the events to
//! record, or a typed refusal. Loyalty decisions live in `loyalty`.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::customer::aggregate::Customer;
use crate::customer::commands::{CustomerCommand, RegisterCustomer};
use crate::customer::error::CustomerError;
use crate::customer::events::{CustomerEvent, CustomerRegistered};
use crate::customer::interaction::{nps_score_rule, optional_comment, Interaction};
use crate::customer::loyalty;
use crate::customer::profile::ProfileChange;
use crate::customer::state::CustomerState;
use crate::customer::values::{MarketingChannel, NpsContext, Tier};
use crate::ids::{CaseId, OrderId};
use crate::validation::{required_text, ValidationError};

/// Tags are labels for segmentation, not notes.
pub const TAG_MAX_CHARS: usize = 32;
/// Bounds the state and every profile row that lists tags.
pub const MAX_TAGS: usize = 100;

impl Customer {
    /// Decides `command` against the current state without mutating it.
    pub fn decide(&self, command: CustomerCommand) -> Result<Vec<CustomerEvent>, CustomerError> {
        let Some(state) = self.state() else {
            return match command {
                CustomerCommand::Register(cmd) => register(cmd).map(|event| vec![event]),
                _ => Err(CustomerError::NotFound),
            };
        };
        let event = match command {
            CustomerCommand::Register(_) => {
                return Err(CustomerError::AlreadyRegistered {
                    customer_id: state.customer_id.clone(),
                })
            }
            // Two events (referral, then the referrer's points).
            CustomerCommand::RecordReferral {
                referee,
                reward_points,
                at,
            } => return loyalty::record_referral(state, referee, reward_points, at),
            CustomerCommand::UpdateProfile { changes, at } => update_profile(state, changes, at)?,
            CustomerCommand::GrantConsent { channel, at } => grant(state, channel, at)?,
            CustomerCommand::WithdrawConsent { channel, at } => withdraw(state, channel, at)?,
            CustomerCommand::ChangeTier { tier, reason, at } => {
                loyalty::change_tier(state, tier, reason, at)?
            }
            CustomerCommand::EarnPoints {
                points,
                reason,
                order_id,
                at,
            } => loyalty::earn(state, points, reason, order_id, at)?,
            CustomerCommand::RedeemPoints { points, reason, at } => {
                loyalty::redeem(state, points, reason, at)?
            }
            CustomerCommand::AddTag { tag, at } => add_tag(state, tag, at)?,
            CustomerCommand::RemoveTag { tag, at } => remove_tag(state, tag, at)?,
            CustomerCommand::IssueCoupon {
                code,
                amount_minor,
                currency,
                reason,
                expires_at,
                at,
            } => loyalty::issue_coupon(
                state,
                loyalty::CouponRequest {
                    code,
                    amount_minor,
                    currency,
                    reason,
                    expires_at,
                    at,
                },
            )?,
            CustomerCommand::RecordInteraction(interaction) => interact(state, interaction)?,
            CustomerCommand::RecordNps {
                score,
                context,
                order_id,
                case_id,
                comment,
                at,
            } => nps(state, score, context, (order_id, case_id), comment, at)?,
        };
        Ok(vec![event])
    }
}

fn register(cmd: RegisterCustomer) -> Result<CustomerEvent, CustomerError> {
    cmd.profile.validate(cmd.registered_at)?;
    Ok(CustomerEvent::CustomerRegistered(CustomerRegistered {
        customer_id: cmd.customer_id,
        acquisition_channel: cmd.acquisition_channel,
        profile: cmd.profile,
        // Everyone starts at the bottom; upgrades follow spend.
        tier: Tier::Silver,
        registered_at: cmd.registered_at,
    }))
}

fn update_profile(
    state: &CustomerState,
    changes: Vec<ProfileChange>,
    at: DateTime<Utc>,
) -> Result<CustomerEvent, CustomerError> {
    let mut fields = BTreeSet::new();
    for change in &changes {
        if !fields.insert(change.field()) {
            return Err(CustomerError::DuplicateProfileField {
                field: change.field(),
            });
        }
        change.validate(at)?;
    }
    let changes: Vec<_> = changes
        .into_iter()
        .filter(|change| !change.is_no_op(&state.profile))
        .collect();
    if changes.is_empty() {
        return Err(CustomerError::NoProfileChanges);
    }
    Ok(CustomerEvent::ProfileChanged { changes, at })
}

fn grant(
    state: &CustomerState,
    channel: MarketingChannel,
    at: DateTime<Utc>,
) -> Result<CustomerEvent, CustomerError> {
    if state.has_consent(channel) {
        return Err(CustomerError::ConsentAlreadyGranted { channel });
    }
    Ok(CustomerEvent::ConsentGranted { channel, at })
}

fn withdraw(
    state: &CustomerState,
    channel: MarketingChannel,
    at: DateTime<Utc>,
) -> Result<CustomerEvent, CustomerError> {
    if !state.has_consent(channel) {
        return Err(CustomerError::ConsentNotGranted { channel });
    }
    Ok(CustomerEvent::ConsentWithdrawn { channel, at })
}

/// Surrounding whitespace is refused rather than trimmed so "vip" and
/// "vip " can never be two different tags.
fn tag_rule(tag: &str) -> Result<(), ValidationError> {
    required_text("tag", tag, TAG_MAX_CHARS)?;
    if tag.trim() != tag {
        return Err(ValidationError::SurroundingWhitespace { field: "tag" });
    }
    if tag.chars().any(char::is_control) {
        return Err(ValidationError::NotPrintable { field: "tag" });
    }
    Ok(())
}

fn add_tag(
    state: &CustomerState,
    tag: String,
    at: DateTime<Utc>,
) -> Result<CustomerEvent, CustomerError> {
    tag_rule(&tag)?;
    if state.tags.contains(&tag) {
        return Err(CustomerError::TagAlreadyPresent { tag });
    }
    if state.tags.len() >= MAX_TAGS {
        return Err(CustomerError::TooManyTags { max: MAX_TAGS });
    }
    Ok(CustomerEvent::TagAdded { tag, at })
}

fn remove_tag(
    state: &CustomerState,
    tag: String,
    at: DateTime<Utc>,
) -> Result<CustomerEvent, CustomerError> {
    if !state.tags.contains(&tag) {
        return Err(CustomerError::TagNotPresent { tag });
    }
    Ok(CustomerEvent::TagRemoved { tag, at })
}

fn interact(
    state: &CustomerState,
    interaction: Interaction,
) -> Result<CustomerEvent, CustomerError> {
    interaction.validate()?;
    if state.interactions.contains(&interaction.interaction_id) {
        return Err(CustomerError::DuplicateInteraction {
            interaction_id: interaction.interaction_id,
        });
    }
    Ok(CustomerEvent::InteractionRecorded(interaction))
}

/// A delivery answer must name its order (one answer per order), a case
/// answer its case; the case stream guards its own duplicates.
fn nps(
    state: &CustomerState,
    score: u8,
    context: NpsContext,
    (order_id, case_id): (Option<OrderId>, Option<CaseId>),
    comment: Option<String>,
    at: DateTime<Utc>,
) -> Result<CustomerEvent, CustomerError> {
    nps_score_rule(score)?;
    optional_comment(comment.as_deref())?;
    match (context, order_id, case_id) {
        (NpsContext::Delivery, Some(order_id), _) => {
            if state.orders_with_nps.contains(&order_id) {
                return Err(CustomerError::NpsAlreadyRecorded { order_id });
            }
        }
        (NpsContext::Case, _, Some(_)) => {}
        (context, _, _) => return Err(CustomerError::MissingNpsLink { context }),
    }
    Ok(CustomerEvent::NpsRecorded {
        score,
        context,
        order_id,
        case_id,
        comment,
        at,
    })
}
