//! Customer mutations: every customer command, interactions and delivery NPS.

use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use waybill_domain::case::AgentId;
use waybill_domain::customer::{
    CustomerCommand, Interaction, NpsContext, Profile, ProfileChange, RegisterCustomer,
};
use waybill_domain::ids::{CaseId, OrderId, ReturnId, ShipmentId};
use waybill_domain::money::Currency;
use waybill_projections::customers as customer_rm;

use super::enums::*;
use super::types::Customer;
use super::{customer_360, privacy};
use crate::auth::Permission;
use crate::commands::customers::parse_customer_id;
use crate::commands::orders::WriteOptions;
use crate::commands::service::CommandOutcome;
use crate::error::AppError;
use crate::graphql::context::{authorize, request, services};
use crate::graphql::error::GqlResult;
use crate::graphql::orders::GqlSalesChannel;

/// The answer to a customer mutation, once the events are durable.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CustomerWriteResult {
    pub customer_id: String,
    pub stream_version: i64,
    pub position: i64,
    pub replayed: bool,
}

#[ComplexObject]
impl CustomerWriteResult {
    /// The Customer 360 once the read model includes this write.
    async fn customer(&self, ctx: &Context<'_>) -> GqlResult<Option<Customer>> {
        let principal = authorize(ctx, Permission::ReadCrm)?;
        let services = services(ctx)?;
        services.wait_for(customer_rm::NAME, self.position).await?;
        Ok(customer_360(services, &self.customer_id, None, privacy(principal)).await?)
    }
}

impl From<CommandOutcome> for CustomerWriteResult {
    fn from(o: CommandOutcome) -> Self {
        CustomerWriteResult {
            customer_id: o.stream_id,
            stream_version: o.version,
            position: o.position,
            replayed: o.replayed,
        }
    }
}

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
    pub registered_at: Option<DateTime<Utc>>,
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
    pub amount: i64,
    pub currency: String,
    pub reason: String,
    pub expires_at: Option<DateTime<Utc>>,
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
    pub occurred_at: Option<DateTime<Utc>>,
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

fn score(field: &str, value: i32) -> Result<u8, AppError> {
    u8::try_from(value)
        .map_err(|_| AppError::invalid_input(field, format!("out of range: {value}")))
}

fn patch(input: ProfilePatchInput) -> Result<Vec<ProfileChange>, AppError> {
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

/// One customer command through the application layer.
async fn run(
    ctx: &Context<'_>,
    permission: Permission,
    customer_id: &str,
    request_text: String,
    build: impl FnOnce(DateTime<Utc>) -> Result<CustomerCommand, AppError>,
    idempotency_key: Option<String>,
    expected_version: Option<i64>,
) -> GqlResult<CustomerWriteResult> {
    authorize(ctx, permission)?;
    let services = services(ctx)?;
    let command = build(services.crm.now())?;
    let options = WriteOptions {
        expected_version,
        idempotency_key,
        request: format!("{customer_id}|{request_text}"),
    };
    let outcome = services
        .customer_command(request(ctx)?, customer_id, command, &options)
        .await?;
    Ok(outcome.into())
}

#[derive(Default)]
pub struct CustomerMutations;

#[Object]
impl CustomerMutations {
    async fn register_customer(
        &self,
        ctx: &Context<'_>,
        input: RegisterCustomerInput,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        authorize(ctx, Permission::ManageCustomers)?;
        let services = services(ctx)?;
        let request_text = format!("{input:?}");
        let command = RegisterCustomer {
            customer_id: parse_customer_id(&input.customer_id)?,
            acquisition_channel: input.acquisition_channel.into(),
            profile: Profile {
                name: input.name,
                phone: input.phone,
                email: input.email,
                birthday: input.birthday,
                city: input.city,
                preferred_contact: input.preferred_contact.into(),
            },
            registered_at: input.registered_at.unwrap_or_else(|| services.crm.now()),
        };
        let options = WriteOptions {
            expected_version: None,
            idempotency_key,
            request: request_text,
        };
        let outcome = services
            .register_customer(request(ctx)?, command, &options)
            .await?;
        Ok(outcome.into())
    }

    async fn update_customer_profile(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        input: ProfilePatchInput,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
        expected_version: Option<i64>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("profile {input:?} {at:?}");
        run(
            ctx,
            Permission::ManageCustomers,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::UpdateProfile {
                    changes: patch(input)?,
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            expected_version,
        )
        .await
    }

    async fn grant_consent(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        channel: GqlMarketingChannel,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("grant {channel:?} {at:?}");
        run(
            ctx,
            Permission::ManageCustomers,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::GrantConsent {
                    channel: channel.into(),
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn withdraw_consent(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        channel: GqlMarketingChannel,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("withdraw {channel:?} {at:?}");
        run(
            ctx,
            Permission::ManageCustomers,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::WithdrawConsent {
                    channel: channel.into(),
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn change_tier(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        tier: GqlTier,
        reason: String,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("tier {tier:?} {reason} {at:?}");
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::ChangeTier {
                    tier: tier.into(),
                    reason,
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn earn_points(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        points: i64,
        reason: String,
        order_id: Option<String>,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("earn {points} {reason} {order_id:?} {at:?}");
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::EarnPoints {
                    points,
                    reason,
                    order_id: parse::<OrderId>("orderId", order_id)?,
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn redeem_points(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        points: i64,
        reason: String,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("redeem {points} {reason} {at:?}");
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::RedeemPoints {
                    points,
                    reason,
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    /// Records the referral and credits the referrer's reward on the referrer's stream.
    async fn record_referral(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        referee_id: String,
        reward_points: i64,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("referral {referee_id} {reward_points} {at:?}");
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::RecordReferral {
                    referee: parse_customer_id(&referee_id)?,
                    reward_points,
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn add_customer_tag(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        tag: String,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("tag+ {tag} {at:?}");
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::AddTag {
                    tag,
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn remove_customer_tag(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        tag: String,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("tag- {tag} {at:?}");
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::RemoveTag {
                    tag,
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn issue_coupon(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        input: IssueCouponInput,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("coupon {input:?} {at:?}");
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::IssueCoupon {
                    code: input.code,
                    amount_minor: input.amount,
                    currency: Currency::parse(&input.currency)
                        .map_err(|e| AppError::invalid_input("currency", e))?,
                    reason: input.reason,
                    expires_at: input.expires_at,
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    /// A contact or care interaction; re-recording an interaction id is refused.
    async fn record_interaction(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        input: InteractionInput,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("interaction {input:?}");
        run(
            ctx,
            Permission::ManageCustomers,
            &customer_id,
            text,
            |now| {
                Ok(CustomerCommand::RecordInteraction(Interaction {
                    interaction_id: input.interaction_id,
                    direction: input.direction.into(),
                    channel: input.channel.into(),
                    kind: input.kind.unwrap_or(GqlInteractionKind::Contact).into(),
                    topic: input.topic,
                    summary: input.summary,
                    agent: agent("agent", input.agent)?,
                    order_id: parse::<OrderId>("orderId", input.order_id)?,
                    shipment_id: parse::<ShipmentId>("shipmentId", input.shipment_id)?,
                    return_id: parse::<ReturnId>("returnId", input.return_id)?,
                    case_id: parse::<CaseId>("caseId", input.case_id)?,
                    occurred_at: input.occurred_at.unwrap_or(now),
                }))
            },
            idempotency_key,
            None,
        )
        .await
    }

    /// NPS 0–10 on the customer stream: after a delivery (with `orderId`) or a case.
    async fn record_customer_nps(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        input: CustomerNpsInput,
        at: Option<DateTime<Utc>>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let text = format!("nps {input:?} {at:?}");
        run(
            ctx,
            Permission::RecordSurveys,
            &customer_id,
            text,
            |now| {
                let context = if input.about_case.unwrap_or(false) {
                    NpsContext::Case
                } else {
                    NpsContext::Delivery
                };
                Ok(CustomerCommand::RecordNps {
                    score: score("score", input.score)?,
                    context,
                    order_id: parse::<OrderId>("orderId", input.order_id)?,
                    case_id: parse::<CaseId>("caseId", input.case_id)?,
                    comment: input.comment,
                    at: at.unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }
}
