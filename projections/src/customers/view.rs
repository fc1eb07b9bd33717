//! The customer document: the whole customer stream folded into one JSON document.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use waybill_domain::customer::{CustomerEvent, Interaction, Profile};

use crate::log::StoredEvent;
use crate::projection::ProjectionError;

/// Timeline entries kept per document; older ones stay in the event log.
pub const MAX_TIMELINE: usize = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointsEntry {
    pub points: i64,
    pub reason: String,
    pub order_id: Option<String>,
    pub balance: i64,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CouponView {
    pub code: String,
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub issued_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NpsView {
    pub score: u8,
    pub context: String,
    pub order_id: Option<String>,
    pub case_id: Option<String>,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierChangeView {
    pub from: String,
    pub to: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub customer_id: String,
    pub acquisition_channel: String,
    pub profile: Profile,
    pub tier: String,
    pub tier_history: Vec<TierChangeView>,
    pub registered_at: DateTime<Utc>,
    pub consents: Vec<String>,
    pub points_balance: i64,
    pub points: Vec<PointsEntry>,
    pub referees: Vec<String>,
    pub tags: Vec<String>,
    pub coupons: Vec<CouponView>,
    /// Newest last, at most [`MAX_TIMELINE`].
    pub interactions: Vec<Interaction>,
    pub nps: Vec<NpsView>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl CustomerView {
    /// `MM-DD` of the birthday, for the birthday sweep's filter.
    pub fn birthday_month_day(&self) -> Option<String> {
        self.profile
            .birthday
            .map(|b: NaiveDate| b.format("%m-%d").to_string())
    }
}

fn corrupt(event: &StoredEvent, why: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::Corrupt(format!(
        "{} {}#{} ({}): {why}",
        event.aggregate_type, event.aggregate_id, event.sequence, event.event_type
    ))
}

fn push_capped<T>(list: &mut Vec<T>, item: T) {
    list.push(item);
    if list.len() > MAX_TIMELINE {
        list.remove(0);
    }
}

/// Folds one customer event into the document.
pub fn apply(
    doc: Option<CustomerView>,
    event: &StoredEvent,
) -> Result<Option<CustomerView>, ProjectionError> {
    let parsed = CustomerEvent::deserialize(&event.payload).map_err(|e| corrupt(event, e))?;
    let mut view = match (parsed, doc) {
        (CustomerEvent::CustomerRegistered(r), _) => CustomerView {
            customer_id: r.customer_id.to_string(),
            acquisition_channel: r.acquisition_channel.code().to_string(),
            profile: r.profile,
            tier: r.tier.code().to_string(),
            tier_history: Vec::new(),
            registered_at: r.registered_at,
            consents: Vec::new(),
            points_balance: 0,
            points: Vec::new(),
            referees: Vec::new(),
            tags: Vec::new(),
            coupons: Vec::new(),
            interactions: Vec::new(),
            nps: Vec::new(),
            updated_at: event.recorded_at,
            version: event.sequence,
        },
        (_, None) => return Err(corrupt(event, "event for an unregistered customer")),
        (other, Some(mut view)) => {
            apply_change(&mut view, other);
            view
        }
    };
    view.updated_at = event.recorded_at;
    view.version = event.sequence;
    Ok(Some(view))
}

fn apply_change(view: &mut CustomerView, event: CustomerEvent) {
    match event {
        CustomerEvent::CustomerRegistered(_) => {}
        CustomerEvent::ProfileChanged { changes, .. } => {
            for change in changes {
                let mut p = view.profile.clone();
                match change {
                    waybill_domain::customer::ProfileChange::Name(v) => p.name = v,
                    waybill_domain::customer::ProfileChange::Phone(v) => p.phone = v,
                    waybill_domain::customer::ProfileChange::Email(v) => p.email = v,
                    waybill_domain::customer::ProfileChange::Birthday(v) => p.birthday = v,
                    waybill_domain::customer::ProfileChange::City(v) => p.city = v,
                    waybill_domain::customer::ProfileChange::PreferredContact(v) => {
                        p.preferred_contact = v
                    }
                }
                view.profile = p;
            }
        }
        CustomerEvent::ConsentGranted { channel, .. } => {
            let code = channel.code().to_string();
            if !view.consents.contains(&code) {
                view.consents.push(code);
                view.consents.sort();
            }
        }
        CustomerEvent::ConsentWithdrawn { channel, .. } => {
            view.consents.retain(|c| c != channel.code());
        }
        CustomerEvent::TierChanged {
            from,
            to,
            reason,
            at,
        } => {
            view.tier = to.code().to_string();
            view.tier_history.push(TierChangeView {
                from: from.code().into(),
                to: to.code().into(),
                reason,
                at,
            });
        }
        CustomerEvent::PointsEarned {
            points,
            reason,
            order_id,
            balance,
            at,
        } => {
            view.points_balance = balance;
            push_capped(
                &mut view.points,
                PointsEntry {
                    points,
                    reason,
                    order_id: order_id.map(|o| o.to_string()),
                    balance,
                    at,
                },
            );
        }
        CustomerEvent::PointsRedeemed {
            points,
            reason,
            balance,
            at,
        } => {
            view.points_balance = balance;
            push_capped(
                &mut view.points,
                PointsEntry {
                    points: -points,
                    reason,
                    order_id: None,
                    balance,
                    at,
                },
            );
        }
        CustomerEvent::ReferralRecorded { referee, .. } => view.referees.push(referee.to_string()),
        CustomerEvent::TagAdded { tag, .. } => {
            if !view.tags.contains(&tag) {
                view.tags.push(tag);
                view.tags.sort();
            }
        }
        CustomerEvent::TagRemoved { tag, .. } => view.tags.retain(|t| *t != tag),
        CustomerEvent::CouponIssued {
            code,
            amount_minor,
            currency,
            reason,
            expires_at,
            at,
        } => view.coupons.push(CouponView {
            code,
            amount_minor,
            currency: currency.to_string(),
            reason,
            expires_at,
            issued_at: at,
        }),
        CustomerEvent::InteractionRecorded(interaction) => {
            push_capped(&mut view.interactions, interaction)
        }
        CustomerEvent::NpsRecorded {
            score,
            context,
            order_id,
            case_id,
            comment,
            at,
        } => view.nps.push(NpsView {
            score,
            context: context.code().to_string(),
            order_id: order_id.map(|o| o.to_string()),
            case_id: case_id.map(|c| c.to_string()),
            comment,
            at,
        }),
    }
}
