//! Sites (warehouses, depots, pickup points) and the own fleet: admin use cases, each one
//! command on one stream. Called by the thin resolvers in `graphql::network`.

use waybill_domain::ids::VehicleId;
use waybill_domain::network::{
    ErrorKind, SiteCommand, SiteError, SiteId, VehicleCommand, VehicleError,
};

use super::context::RequestContext;
use super::service::{CommandOptions, CommandOutcome};
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

pub(crate) fn code_of(kind: ErrorKind) -> ErrorCode {
    match kind {
        ErrorKind::NotFound => ErrorCode::NotFound,
        ErrorKind::InvalidInput => ErrorCode::InvalidInput,
        ErrorKind::InvalidState => ErrorCode::InvalidState,
    }
}

impl From<SiteError> for AppError {
    fn from(e: SiteError) -> Self {
        AppError::new(code_of(e.kind()), e.to_string()).with_reason(e.code())
    }
}

impl From<VehicleError> for AppError {
    fn from(e: VehicleError) -> Self {
        AppError::new(code_of(e.kind()), e.to_string()).with_reason(e.code())
    }
}

fn options(expected_version: Option<i64>, new_stream: bool) -> CommandOptions {
    CommandOptions {
        expected_version,
        idempotency: None,
        expect_new_stream: new_stream && expected_version.is_none(),
    }
}

impl Services {
    /// Registers, updates or closes a site; the stream is the site id (`warehouse:<id>` or
    /// `pickup_point:<id>`).
    pub async fn site_command(
        &self,
        ctx: &RequestContext,
        site_id: &SiteId,
        command: SiteCommand,
        expected_version: Option<i64>,
    ) -> Result<CommandOutcome, AppError> {
        let new_stream = matches!(command, SiteCommand::Register { .. });
        self.commands
            .execute(
                &self.sites,
                &site_id.stream_id(),
                command,
                ctx,
                &options(expected_version, new_stream),
            )
            .await
    }

    /// Registers, updates or retires a vehicle; the stream is the vehicle id.
    pub async fn vehicle_command(
        &self,
        ctx: &RequestContext,
        vehicle_id: &VehicleId,
        command: VehicleCommand,
        expected_version: Option<i64>,
    ) -> Result<CommandOutcome, AppError> {
        let new_stream = matches!(command, VehicleCommand::Register { .. });
        self.commands
            .execute(
                &self.vehicles,
                vehicle_id.as_str(),
                command,
                ctx,
                &options(expected_version, new_stream),
            )
            .await
    }
}
