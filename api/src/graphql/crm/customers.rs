//! Customer mutations: every customer command, interactions and delivery NPS.

use crate::graphql::scalars::Int64;
use async_graphql::{ComplexObject, Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use waybill_domain::customer::{
    CustomerCommand, Interaction, NpsContext, Profile, RegisterCustomer,
};
use waybill_domain::ids::{CaseId, OrderId, ReturnId, ShipmentId};
use waybill_domain::money::Currency;
use waybill_projections::customers as customer_rm;

use super::enums::*;
use super::inputs::*;
use super::types::Customer;
use super::{customer_360, privacy};
use crate::auth::Permission;
use crate::commands::customers::parse_customer_id;
use crate::commands::service::CommandOutcome;
use crate::error::AppError;
use crate::graphql::context::{authorize, services};
use crate::graphql::error::GqlResult;
use crate::graphql::mutation::mutation;
use crate::graphql::timestamp::Timestamp;

/// The answer to a customer mutation, once the events are durable.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CustomerWriteResult {
    pub customer_id: String,
    pub stream_version: Int64,
    pub position: Int64,
    pub replayed: bool,
}

#[ComplexObject]
impl CustomerWriteResult {
    /// The Customer 360 once the read model includes this write.
    async fn customer(&self, ctx: &Context<'_>) -> GqlResult<Option<Customer>> {
        let principal = authorize(ctx, Permission::ReadCrm)?;
        let services = services(ctx)?;
        services
            .wait_for(customer_rm::NAME, self.position.get())
            .await?;
        Ok(customer_360(services, &self.customer_id, None, privacy(principal)).await?)
    }
}

impl From<CommandOutcome> for CustomerWriteResult {
    fn from(o: CommandOutcome) -> Self {
        CustomerWriteResult {
            customer_id: o.stream_id,
            stream_version: Int64(o.version),
            position: Int64(o.position),
            replayed: o.replayed,
        }
    }
}

/// One customer command through the one mutation path.
async fn run(
    ctx: &Context<'_>,
    permission: Permission,
    customer_id: &str,
    build: impl FnOnce(DateTime<Utc>) -> Result<CustomerCommand, AppError>,
    idempotency_key: Option<String>,
    expected_version: Option<Int64>,
) -> GqlResult<CustomerWriteResult> {
    let m = mutation(ctx, permission, expected_version, idempotency_key)?;
    let command = build(m.services.crm.now())?;
    m.run(
        |s, req, write| async move { s.customer_command(req, customer_id, command, &write).await },
    )
    .await
}

#[derive(Default)]
pub struct CustomerMutations;

// Resolvers take the mutation's arguments one by one, as the schema names them.
#[allow(clippy::too_many_arguments)]
#[Object]
impl CustomerMutations {
    async fn register_customer(
        &self,
        ctx: &Context<'_>,
        input: RegisterCustomerInput,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        let m = mutation(ctx, Permission::ManageCustomers, None, idempotency_key)?;
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
            registered_at: input
                .registered_at
                .map(Timestamp::utc)
                .unwrap_or_else(|| m.services.crm.now()),
        };
        m.run(|s, req, write| async move { s.register_customer(req, command, &write).await })
            .await
    }

    async fn update_customer_profile(
        &self,
        ctx: &Context<'_>,
        customer_id: String,
        input: ProfilePatchInput,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
        expected_version: Option<Int64>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::ManageCustomers,
            &customer_id,
            |now| {
                Ok(CustomerCommand::UpdateProfile {
                    changes: patch(input)?,
                    at: at.map(Timestamp::utc).unwrap_or(now),
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
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::ManageCustomers,
            &customer_id,
            |now| {
                Ok(CustomerCommand::GrantConsent {
                    channel: channel.into(),
                    at: at.map(Timestamp::utc).unwrap_or(now),
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
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::ManageCustomers,
            &customer_id,
            |now| {
                Ok(CustomerCommand::WithdrawConsent {
                    channel: channel.into(),
                    at: at.map(Timestamp::utc).unwrap_or(now),
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
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            |now| {
                Ok(CustomerCommand::ChangeTier {
                    tier: tier.into(),
                    reason,
                    at: at.map(Timestamp::utc).unwrap_or(now),
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
        points: Int64,
        reason: String,
        order_id: Option<String>,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            |now| {
                Ok(CustomerCommand::EarnPoints {
                    points: points.get(),
                    reason,
                    order_id: parse::<OrderId>("orderId", order_id)?,
                    at: at.map(Timestamp::utc).unwrap_or(now),
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
        points: Int64,
        reason: String,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            |now| {
                Ok(CustomerCommand::RedeemPoints {
                    points: points.get(),
                    reason,
                    at: at.map(Timestamp::utc).unwrap_or(now),
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
        reward_points: Int64,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            |now| {
                Ok(CustomerCommand::RecordReferral {
                    referee: parse_customer_id(&referee_id)?,
                    reward_points: reward_points.get(),
                    at: at.map(Timestamp::utc).unwrap_or(now),
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
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            |now| {
                Ok(CustomerCommand::AddTag {
                    tag,
                    at: at.map(Timestamp::utc).unwrap_or(now),
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
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            |now| {
                Ok(CustomerCommand::RemoveTag {
                    tag,
                    at: at.map(Timestamp::utc).unwrap_or(now),
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
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::ManageLoyalty,
            &customer_id,
            |now| {
                Ok(CustomerCommand::IssueCoupon {
                    code: input.code,
                    amount_minor: input.amount.get(),
                    currency: Currency::parse(&input.currency)
                        .map_err(|e| AppError::invalid_input("currency", e))?,
                    reason: input.reason,
                    expires_at: input.expires_at.map(Timestamp::utc),
                    at: at.map(Timestamp::utc).unwrap_or(now),
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
        run(
            ctx,
            Permission::ManageCustomers,
            &customer_id,
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
                    occurred_at: input.occurred_at.map(Timestamp::utc).unwrap_or(now),
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
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CustomerWriteResult> {
        run(
            ctx,
            Permission::RecordSurveys,
            &customer_id,
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
                    at: at.map(Timestamp::utc).unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }
}
