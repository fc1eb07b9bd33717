//! Customer mutation inputs and their parsing at the edge.

use crate::graphql::scalars::MinorUnits;
use async_graphql::InputObject;
use chrono::NaiveDate;
use waybill_domain::case::AgentId;
use waybill_domain::customer::ProfileChange;

use super::enums::*;
use crate::error::AppError;
use crate::graphql::orders::GqlSalesChannel;
use crate::graphql::timestamp::Timestamp;

pub(super) fn parse<T: std::str::FromStr>(
    field: &str,
    value: Option<String>,
) -> Result<Option<T>, AppError> {
    value
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| AppError::invalid_input(field, format!("not a valid id: {v:?}")))
        })
        .transpose()
}

pub(super) fn agent(field: &str, value: Option<String>) -> Result<Option<AgentId>, AppError> {
    value
        .map(|v| AgentId::parse(&v).map_err(|e| AppError::invalid_input(field, e)))
        .transpose()
}

#[derive(InputObject, Debug)]
pub struct RegisterCustomerInput {
    pub customer_id: String,
    pub acquisition_channel: GqlSalesChannel,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub city: Option<String>,
    pub preferred_contact: GqlContactChannel,
    pub registered_at: Option<Timestamp>,
}

/// Fields to set; `clear` lists optional fields to empty (phone, email, birthday, city).
#[derive(InputObject, Debug, Default)]
pub struct ProfilePatchInput {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub city: Option<String>,
    pub preferred_contact: Option<GqlContactChannel>,
    pub clear: Option<Vec<String>>,
}

#[derive(InputObject, Debug)]
pub struct IssueCouponInput {
    pub code: String,
    pub amount: MinorUnits,
    pub currency: String,
    pub reason: String,
    pub expires_at: Option<Timestamp>,
}

#[derive(InputObject, Debug)]
pub struct InteractionInput {
    pub interaction_id: String,
    pub direction: GqlDirection,
    pub channel: GqlContactChannel,
    pub kind: Option<GqlInteractionKind>,
    pub topic: String,
    pub summary: String,
    pub agent: Option<String>,
    pub order_id: Option<String>,
    pub shipment_id: Option<String>,
    pub return_id: Option<String>,
    pub case_id: Option<String>,
    pub occurred_at: Option<Timestamp>,
}

#[derive(InputObject, Debug)]
pub struct CustomerNpsInput {
    pub score: i32,
    /// `delivery` needs `orderId`, `case` needs `caseId`.
    pub about_case: Option<bool>,
    pub order_id: Option<String>,
    pub case_id: Option<String>,
    pub comment: Option<String>,
}

pub(super) fn score(field: &str, value: i32) -> Result<u8, AppError> {
    u8::try_from(value)
        .map_err(|_| AppError::invalid_input(field, format!("out of range: {value}")))
}

pub(super) fn patch(input: ProfilePatchInput) -> Result<Vec<ProfileChange>, AppError> {
    let mut changes = Vec::new();
    if let Some(v) = input.name {
        changes.push(ProfileChange::Name(v));
    }
    if let Some(v) = input.phone {
        changes.push(ProfileChange::Phone(Some(v)));
    }
    if let Some(v) = input.email {
        changes.push(ProfileChange::Email(Some(v)));
    }
    if let Some(v) = input.birthday {
        changes.push(ProfileChange::Birthday(Some(v)));
    }
    if let Some(v) = input.city {
        changes.push(ProfileChange::City(Some(v)));
    }
    if let Some(v) = input.preferred_contact {
        changes.push(ProfileChange::PreferredContact(v.into()));
    }
    for field in input.clear.unwrap_or_default() {
        changes.push(match field.as_str() {
            "phone" => ProfileChange::Phone(None),
            "email" => ProfileChange::Email(None),
            "birthday" => ProfileChange::Birthday(None),
            "city" => ProfileChange::City(None),
            other => {
                return Err(AppError::invalid_input(
                    "clear",
                    format!("cannot clear {other:?}"),
                ))
            }
        });
    }
    Ok(changes)
}
