//! Service-case application functions. Opening a case picks its first owner automatically
//! (by the customer's tier and the problem type, 首问负责制), snapshots the SLA targets for
//! its (type, priority) and computes their deadlines on the configured working calendar, so
//! the case starts its own clocks and judges every later fact against them.

use chrono::{DateTime, Utc};
use waybill_domain::case::{
    assign, AgentId, CaseCommand, CaseError, CaseType, ErrorKind, OpenCase, Priority,
};
use waybill_domain::customer::ContactChannel;
use waybill_domain::ids::{CaseId, OrderId, ReturnId, ShipmentId};
use waybill_projections::cases;

use super::context::RequestContext;
use super::customers::parse_customer_id;
use super::orders::WriteOptions;
use super::service::CommandOutcome;
use crate::crm::FALLBACK_DESK;
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

impl From<CaseError> for AppError {
    fn from(e: CaseError) -> Self {
        let code = match e.kind() {
            ErrorKind::NotFound => ErrorCode::NotFound,
            ErrorKind::InvalidInput => ErrorCode::InvalidInput,
            ErrorKind::InvalidState => ErrorCode::InvalidState,
        };
        AppError::new(code, e.to_string()).with_reason(e.code())
    }
}

/// A case as the caller describes it; the owner is optional (automatic assignment).
pub struct OpenCaseRequest {
    pub case_id: CaseId,
    pub customer_id: String,
    pub case_type: CaseType,
    pub priority: Priority,
    pub channel: ContactChannel,
    pub subject: String,
    pub order_id: Option<OrderId>,
    pub shipment_id: Option<ShipmentId>,
    pub return_id: Option<ReturnId>,
    /// The agent the customer reached first, when the intake already knows.
    pub assigned_to: Option<AgentId>,
    pub opened_at: DateTime<Utc>,
}

pub fn parse_case_id(value: &str) -> Result<CaseId, AppError> {
    value
        .parse()
        .map_err(|_| AppError::invalid_input("caseId", format!("not a case id: {value:?}")))
}

impl Services {
    /// Opens a case for a registered customer, assigning its first owner.
    pub async fn open_case(
        &self,
        ctx: &RequestContext,
        request: OpenCaseRequest,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let customer_id = parse_customer_id(&request.customer_id)?;
        let customer = self
            .customer_state(customer_id.as_str())
            .await?
            .ok_or_else(|| AppError::not_found(format!("customer {customer_id} not found")))?;
        let owner = match request.assigned_to {
            Some(agent) => agent,
            None => self.pick_owner(customer.tier, request.case_type).await?,
        };
        let sla = self
            .crm
            .sla
            .targets_for(request.case_type, request.priority);
        let deadlines = sla
            .deadlines(request.opened_at, &self.crm.calendar)
            .map_err(|e| {
                AppError::invalid_input("openedAt", format!("no SLA deadline can be set: {e}"))
                    .with_reason("sla_deadline_out_of_range")
            })?;
        let command = OpenCase {
            case_id: request.case_id,
            customer_id,
            case_type: request.case_type,
            priority: request.priority,
            channel: request.channel,
            subject: request.subject,
            order_id: request.order_id,
            shipment_id: request.shipment_id,
            return_id: request.return_id,
            assigned_to: owner,
            sla,
            deadlines,
            opened_at: request.opened_at,
        };
        let stream_id = command.case_id.to_string();
        let mut opts = options.command_options()?;
        opts.expect_new_stream = options.expected_version.is_none();
        self.commands
            .execute(
                &self.cases,
                &stream_id,
                CaseCommand::Open(command),
                ctx,
                &opts,
            )
            .await
    }

    /// The roster with current loads, through the pure assignment rule.
    async fn pick_owner(
        &self,
        tier: waybill_domain::customer::Tier,
        case_type: CaseType,
    ) -> Result<AgentId, AppError> {
        let load = cases::open_per_owner(&self.db).await?;
        let agents: Vec<_> = self
            .crm
            .agents
            .iter()
            .cloned()
            .map(|mut a| {
                a.open_cases = load.get(a.id.as_str()).copied().unwrap_or(0);
                a
            })
            .collect();
        match assign(tier, case_type, &agents) {
            Some(agent) => Ok(agent),
            None => AgentId::parse(FALLBACK_DESK)
                .map_err(|_| AppError::new(ErrorCode::Internal, "fallback desk id is invalid")),
        }
    }

    /// Any other case command.
    pub async fn case_command(
        &self,
        ctx: &RequestContext,
        case_id: &str,
        command: CaseCommand,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id = parse_case_id(case_id)?;
        let opts = options.command_options()?;
        self.commands
            .execute(&self.cases, &id.to_string(), command, ctx, &opts)
            .await
    }
}
