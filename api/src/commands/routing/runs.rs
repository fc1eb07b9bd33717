//! After planning: dispatch, stop outcomes, closing.

use waybill_domain::ids::ShipmentId;
use waybill_domain::route::RouteCommand;
use waybill_domain::shipment::{RecordScan, ScanDetails, ScanStatus, ShipmentCommand, StaffId};

use crate::commands::context::RequestContext;
use crate::commands::service::CommandOutcome;
use crate::error::AppError;
use crate::services::Services;

use super::{parse_route_id, StopResult};

impl Services {
    /// Sends a planned route out, then each of its shipments (`DispatchOnRoute`). A retry after
    /// a partial failure finishes the shipments.
    pub async fn dispatch_route(
        &self,
        ctx: &RequestContext,
        route_id: &str,
        driver: Option<StaffId>,
    ) -> Result<i64, AppError> {
        let route_id = parse_route_id(route_id)?;
        let command = RouteCommand::Dispatch {
            at: ctx.received_at,
            driver,
        };
        let mut position = match self.route_write(ctx, route_id, command, false).await {
            Ok(o) => o.position,
            Err(e) if e.reason == Some("already_dispatched") => 0,
            Err(e) => return Err(e),
        };
        let state = self.route_state(route_id).await?;
        let at = state.dispatched_at.unwrap_or(ctx.received_at);
        for shipment_id in state.shipment_ids() {
            let command = ShipmentCommand::DispatchOnRoute { route_id, at };
            let tolerated = ["already_out_for_delivery"];
            match self
                .shipment_write(ctx, shipment_id, command, &tolerated)
                .await
            {
                Ok(p) => position = position.max(p),
                // A retry: the shipment is already out (or beyond) on this route.
                Err(e) if e.reason == Some("invalid_transition") => {
                    if !self.is_out_on(shipment_id, route_id).await? {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(position)
    }

    /// Records a stop's outcome on the route, then the matching scan on the shipment.
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
        let mut position = match self.route_write(ctx, route_id, command, false).await {
            Ok(o) => o.position,
            // A retry: the route has the outcome; make sure the shipment has it too.
            Err(e) if e.reason == Some("stop_already_done") => 0,
            Err(e) => return Err(e),
        };
        let scan = RecordScan {
            carrier_event_id: Some(format!("route:{route_id}:{shipment_id}:{label}")),
            status,
            location: None,
            coordinates: None,
            occurred_at: at,
            details,
        };
        let p = self
            .shipment_write(
                ctx,
                shipment_id,
                ShipmentCommand::RecordScan(scan),
                &["duplicate_scan"],
            )
            .await?;
        position = position.max(p);
        Ok(position)
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
