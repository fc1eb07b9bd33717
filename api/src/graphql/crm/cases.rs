//! Case mutations: opening (with automatic assignment), the lifecycle, and surveys. SLA
//! clock commands are not exposed: only the durable timer policy drives the clocks.

use crate::graphql::scalars::Int64;
use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use waybill_domain::case::{AgentId, CaseCommand};
use waybill_domain::ids::{CaseId, OrderId, ReturnId, ShipmentId};
use waybill_projections::cases as case_rm;

use super::case_types::Case;
use super::enums::*;
use super::inputs::{agent, parse, score};
use crate::auth::Permission;
use crate::commands::cases::OpenCaseRequest;
use crate::commands::service::CommandOutcome;
use crate::error::AppError;
use crate::graphql::context::{authorize, services};
use crate::graphql::error::GqlResult;
use crate::graphql::mutation::mutation;
use crate::graphql::timestamp::Timestamp;

/// The answer to a case mutation, once the events are durable.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CaseWriteResult {
    pub case_id: String,
    pub stream_version: Int64,
    pub position: Int64,
    pub replayed: bool,
}

#[ComplexObject]
impl CaseWriteResult {
    /// The case once the read model includes this write.
    async fn case(&self, ctx: &Context<'_>) -> GqlResult<Option<Case>> {
        let privacy = super::privacy(authorize(ctx, Permission::ReadCrm)?);
        let services = services(ctx)?;
        services
            .wait_for(case_rm::NAME, self.position.get())
            .await?;
        Ok(case_rm::get(&services.db, &self.case_id)
            .await
            .map_err(AppError::from)?
            .map(|c| Case::seen_by(c, privacy)))
    }
}

impl From<CommandOutcome> for CaseWriteResult {
    fn from(o: CommandOutcome) -> Self {
        CaseWriteResult {
            case_id: o.stream_id,
            stream_version: Int64(o.version),
            position: Int64(o.position),
            replayed: o.replayed,
        }
    }
}

#[derive(InputObject, Debug)]
pub struct OpenCaseInput {
    pub customer_id: String,
    pub case_type: GqlCaseType,
    pub priority: Option<GqlPriority>,
    pub channel: GqlContactChannel,
    pub subject: String,
    pub order_id: Option<String>,
    pub shipment_id: Option<String>,
    pub return_id: Option<String>,
    /// The agent the customer reached first; omitted = automatic assignment by tier and type.
    pub assigned_to: Option<String>,
    pub opened_at: Option<Timestamp>,
}

fn required_agent(field: &str, value: String) -> Result<AgentId, AppError> {
    AgentId::parse(&value).map_err(|e| AppError::invalid_input(field, e))
}

/// One case command through the one mutation path.
async fn run(
    ctx: &Context<'_>,
    permission: Permission,
    case_id: &str,
    build: impl FnOnce(DateTime<Utc>) -> Result<CaseCommand, AppError>,
    idempotency_key: Option<String>,
    expected_version: Option<Int64>,
) -> GqlResult<CaseWriteResult> {
    let m = mutation(ctx, permission, expected_version, idempotency_key)?;
    let command = build(m.services.crm.now())?;
    m.run(|s, req, write| async move { s.case_command(req, case_id, command, &write).await })
        .await
}

#[derive(Default)]
pub struct CaseMutations;

// Resolvers take the mutation's arguments one by one, as the schema names them.
#[allow(clippy::too_many_arguments)]
#[Object]
impl CaseMutations {
    /// Opens a case; the first owner is picked by tier and problem type unless given.
    async fn open_case(
        &self,
        ctx: &Context<'_>,
        input: OpenCaseInput,
        idempotency_key: Option<String>,
    ) -> GqlResult<CaseWriteResult> {
        let m = mutation(ctx, Permission::OpenCase, None, idempotency_key)?;
        let open = OpenCaseRequest {
            case_id: CaseId::from_uuid(m.write.new_stream_id(m.request, "case")),
            customer_id: input.customer_id,
            case_type: input.case_type.into(),
            priority: input.priority.unwrap_or(GqlPriority::Normal).into(),
            channel: input.channel.into(),
            subject: input.subject,
            order_id: parse::<OrderId>("orderId", input.order_id)?,
            shipment_id: parse::<ShipmentId>("shipmentId", input.shipment_id)?,
            return_id: parse::<ReturnId>("returnId", input.return_id)?,
            assigned_to: agent("assignedTo", input.assigned_to)?,
            opened_at: input
                .opened_at
                .map(Timestamp::utc)
                .unwrap_or_else(|| m.services.crm.now()),
        };
        m.run(|s, req, write| async move { s.open_case(req, open, &write).await })
            .await
    }

    async fn first_response(
        &self,
        ctx: &Context<'_>,
        case_id: String,
        agent: String,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CaseWriteResult> {
        run(
            ctx,
            Permission::HandleCases,
            &case_id,
            |now| {
                Ok(CaseCommand::FirstResponse {
                    agent: required_agent("agent", agent)?,
                    at: at.map(Timestamp::utc).unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    /// Pauses the SLA clocks until the customer replies.
    async fn wait_on_customer(
        &self,
        ctx: &Context<'_>,
        case_id: String,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CaseWriteResult> {
        run(
            ctx,
            Permission::HandleCases,
            &case_id,
            |now| {
                Ok(CaseCommand::WaitOnCustomer {
                    at: at.map(Timestamp::utc).unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn customer_replied(
        &self,
        ctx: &Context<'_>,
        case_id: String,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CaseWriteResult> {
        run(
            ctx,
            Permission::HandleCases,
            &case_id,
            |now| {
                Ok(CaseCommand::CustomerReplied {
                    at: at.map(Timestamp::utc).unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn escalate_case(
        &self,
        ctx: &Context<'_>,
        case_id: String,
        to_agent: String,
        reason: String,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CaseWriteResult> {
        run(
            ctx,
            Permission::HandleCases,
            &case_id,
            |now| {
                Ok(CaseCommand::Escalate {
                    to_agent: required_agent("toAgent", to_agent)?,
                    reason,
                    at: at.map(Timestamp::utc).unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn resolve_case(
        &self,
        ctx: &Context<'_>,
        case_id: String,
        resolution: String,
        first_contact_resolution: bool,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CaseWriteResult> {
        run(
            ctx,
            Permission::HandleCases,
            &case_id,
            |now| {
                Ok(CaseCommand::Resolve {
                    resolution,
                    first_contact_resolution,
                    at: at.map(Timestamp::utc).unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn reopen_case(
        &self,
        ctx: &Context<'_>,
        case_id: String,
        reason: String,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CaseWriteResult> {
        run(
            ctx,
            Permission::HandleCases,
            &case_id,
            |now| {
                Ok(CaseCommand::Reopen {
                    reason,
                    at: at.map(Timestamp::utc).unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    async fn close_case(
        &self,
        ctx: &Context<'_>,
        case_id: String,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CaseWriteResult> {
        run(
            ctx,
            Permission::HandleCases,
            &case_id,
            |now| {
                Ok(CaseCommand::Close {
                    at: at.map(Timestamp::utc).unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    /// CSAT 1–5 once the case has an outcome.
    async fn rate_case_satisfaction(
        &self,
        ctx: &Context<'_>,
        case_id: String,
        csat: i32,
        comment: Option<String>,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CaseWriteResult> {
        run(
            ctx,
            Permission::RecordSurveys,
            &case_id,
            |now| {
                Ok(CaseCommand::RateSatisfaction {
                    csat: score("csat", csat)?,
                    comment,
                    at: at.map(Timestamp::utc).unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }

    /// NPS 0–10 after a case.
    async fn record_case_nps(
        &self,
        ctx: &Context<'_>,
        case_id: String,
        score_value: i32,
        comment: Option<String>,
        at: Option<Timestamp>,
        idempotency_key: Option<String>,
    ) -> GqlResult<CaseWriteResult> {
        run(
            ctx,
            Permission::RecordSurveys,
            &case_id,
            |now| {
                Ok(CaseCommand::RecordNps {
                    score: score("score", score_value)?,
                    comment,
                    at: at.map(Timestamp::utc).unwrap_or(now),
                })
            },
            idempotency_key,
            None,
        )
        .await
    }
}
