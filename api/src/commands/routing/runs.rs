//! After planning: dispatch, stop outcomes, closing.

use waybill_domain::ids::ShipmentId;
use waybill_domain::route::{RouteCommand, RouteError};
use waybill_domain::shipment::{
    RecordScan, ScanDetails, ScanStatus, ShipmentCommand, ShipmentStatus, StaffId,
};

use crate::commands::context::RequestContext;
use crate::commands::service::{CommandOutcome, Decided};
use crate::error::AppError;
use crate::services::Services;

use super::{last_position, parse_route_id, part, StopResult};

impl Services {
    /// Sends a planned route out with each of its shipments (`DispatchOnRoute`), in one
    /// transaction: every shipment must be packed and on this route, or nothing is written.
    /// A retry of a dispatched route finds every part done and writes nothing.
    pub async fn dispatch_route(
        &self,
        ctx: &RequestContext,
        route_id: &str,
        driver: Option<StaffId>,
    ) -> Result<i64, AppError> {
        let route_id = parse_route_id(route_id)?;
        let stream = route_id.to_string();
        let written = self
            .commands
            .execute_all(ctx, None, || async {
                let command = RouteCommand::Dispatch {
                    at: ctx.received_at,
                    driver: driver.clone(),
                };
                let route = self.commands.decide(&self.routes, &stream, command).await?;
                let mut parts = part(route.result, &["already_dispatched"])?
                    .into_iter()
                    .collect::<Vec<_>>();
                let state = route.aggregate.state().ok_or(RouteError::NotFound)?;
                let at = state.dispatched_at.unwrap_or(ctx.received_at);
                for shipment_id in state.shipment_ids() {
                    let command = ShipmentCommand::DispatchOnRoute { route_id, at };
                    let shipment = self
                        .commands
                        .decide(&self.shipments, &shipment_id.to_string(), command)
                        .await?;
                    // A retry: the shipment is already out (or beyond) on this route.
                    let done = shipment.aggregate.state().is_some_and(|s| {
                        s.route_id == Some(route_id)
                            && matches!(
                                s.status,
                                ShipmentStatus::OutForDelivery
                                    | ShipmentStatus::Delivered
                                    | ShipmentStatus::DeliveryAttemptFailed
                            )
                    });
                    match shipment.result {
                        Err(_) if done => {}
                        result => parts.extend(part(result, &[])?),
                    }
                }
                Ok(parts)
            })
            .await?;
        Ok(last_position(&written))
    }

    /// Records a stop's outcome on the route and the matching scan on the shipment, in one
    /// transaction. The scan's `carrier_event_id` is derived from the route and stop, so a
    /// retry finds both parts done and writes nothing.
    pub async fn record_stop(
        &self,
        ctx: &RequestContext,
        route_id: &str,
        shipment_id: &str,
        result: StopResult,
    ) -> Result<i64, AppError> {
        let route_id = parse_route_id(route_id)?;
        let shipment_id: ShipmentId = shipment_id.parse().map_err(|_| {
            AppError::invalid_input("shipmentId", format!("not a shipment id: {shipment_id:?}"))
        })?;
        let at = ctx.received_at;
        let (command, status, details, label) = match result {
            StopResult::Completed { proof } => (
                RouteCommand::CompleteStop {
                    shipment_id,
                    at,
                    proof: proof.clone(),
                },
                ScanStatus::Delivered,
                proof.map(|proof| ScanDetails::Delivered { proof }),
                "completed",
            ),
            StopResult::Failed { reason } => (
                RouteCommand::FailStop {
                    shipment_id,
                    at,
                    reason: reason.clone(),
                },
                ScanStatus::DeliveryAttemptFailed,
                Some(ScanDetails::AttemptFailed {
                    reason: Some(reason),
                    next_attempt_at: None,
                }),
                "failed",
            ),
        };
        let scan = RecordScan {
            carrier_event_id: Some(format!("route:{route_id}:{shipment_id}:{label}")),
            status,
            location: None,
            coordinates: None,
            occurred_at: at,
            details,
        };
        let (route_stream, shipment_stream) = (route_id.to_string(), shipment_id.to_string());
        let written = self
            .commands
            .execute_all(ctx, None, || async {
                let route = self
                    .commands
                    .decide(&self.routes, &route_stream, command.clone())
                    .await?;
                let shipment = self
                    .commands
                    .decide(
                        &self.shipments,
                        &shipment_stream,
                        ShipmentCommand::RecordScan(scan.clone()),
                    )
                    .await?;
                let mut parts: Vec<Decided> = part(route.result, &["stop_already_done"])?
                    .into_iter()
                    .collect();
                parts.extend(part(shipment.result, &["duplicate_scan"])?);
                Ok(parts)
            })
            .await?;
        Ok(last_position(&written))
    }

    pub async fn close_route(
        &self,
        ctx: &RequestContext,
        route_id: &str,
        force: bool,
        reason: Option<String>,
    ) -> Result<CommandOutcome, AppError> {
        let route_id = parse_route_id(route_id)?;
        let command = RouteCommand::Close {
            at: ctx.received_at,
            force,
            reason,
        };
        self.route_write(ctx, route_id, command, false).await
    }
}
