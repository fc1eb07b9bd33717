//! Customer application functions: one per use case, called by the thin GraphQL resolvers
//! and by the CRM policies.

use cqrs_es::Aggregate;
use waybill_domain::customer::{
    Customer, CustomerCommand, CustomerError, CustomerState, ErrorKind, RegisterCustomer,
};
use waybill_domain::ids::CustomerId;

use super::context::RequestContext;
use super::orders::WriteOptions;
use super::service::CommandOutcome;
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

impl From<CustomerError> for AppError {
    fn from(e: CustomerError) -> Self {
        let code = match e.kind() {
            ErrorKind::NotFound => ErrorCode::NotFound,
            ErrorKind::InvalidInput => ErrorCode::InvalidInput,
            ErrorKind::InvalidState => ErrorCode::InvalidState,
        };
        AppError::new(code, e.to_string()).with_reason(e.code())
    }
}

pub fn parse_customer_id(value: &str) -> Result<CustomerId, AppError> {
    CustomerId::parse(value)
        .map_err(|_| AppError::invalid_input("customerId", format!("not a customer id: {value:?}")))
}

impl Services {
    /// Opens a customer stream (stream id = the customer id).
    pub async fn register_customer(
        &self,
        ctx: &RequestContext,
        command: RegisterCustomer,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let stream_id = command.customer_id.to_string();
        let mut opts = options.command_options()?;
        opts.expect_new_stream = options.expected_version.is_none();
        self.commands
            .execute(
                &self.customers,
                &stream_id,
                CustomerCommand::Register(command),
                ctx,
                &opts,
            )
            .await
    }

    /// Any other customer command.
    pub async fn customer_command(
        &self,
        ctx: &RequestContext,
        customer_id: &str,
        command: CustomerCommand,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id = parse_customer_id(customer_id)?;
        let opts = options.command_options()?;
        self.commands
            .execute(&self.customers, id.as_str(), command, ctx, &opts)
            .await
    }

    /// The customer as the event store has it (policies decide on this, not on read models).
    pub async fn customer_state(
        &self,
        customer_id: &str,
    ) -> Result<Option<CustomerState>, AppError> {
        let events = self
            .customers
            .load_events(customer_id)
            .await
            .map_err(|e| AppError::internal("loading a customer", &e))?;
        let mut customer = Customer::default();
        for envelope in events {
            customer.apply(envelope.payload);
        }
        Ok(customer.state().cloned())
    }
}
