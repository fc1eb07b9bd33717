//! The order follows its shipments: when an outbound shipment is handed to the carrier, its
//! lines are fulfilled on the order (allocating the order to the shipment's warehouse first if
//! nobody did); when the last of an order's outbound shipments is delivered, the order is
//! marked delivered. Exactly once: every command is keyed by the causing event.

use async_trait::async_trait;
use serde::Deserialize;
use tracing::warn;
use waybill_domain::order::{FulfilLine, OrderCommand};
use waybill_domain::shipment::{ShipmentEvent, ShipmentStatus, SHIPMENT_AGGREGATE_TYPE};
use waybill_domain::WarehouseId;
use waybill_projections::orders;
use waybill_projections::shipments::{self, ShipmentFilter};

use super::{Policy, Reaction};
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

pub struct OrderFollowsShipments;

/// A refusal that means "nothing to do" (already done, or not applicable to this order):
/// logged, not retried — retrying would stall every later event behind it.
fn settled(
    result: Result<crate::commands::service::CommandOutcome, AppError>,
    what: &str,
) -> Result<(), AppError> {
    match result {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::InvalidState | ErrorCode::NotFound | ErrorCode::InvalidInput
            ) =>
        {
            warn!(what, reason = e.reason.unwrap_or(""), message = %e.message, "order did not follow its shipment");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[async_trait]
impl Policy for OrderFollowsShipments {
    fn name(&self) -> &'static str {
        "order_follows_shipments"
    }

    async fn react(&self, services: &Services, reaction: &Reaction<'_>) -> Result<(), AppError> {
        let event = reaction.event;
        if event.aggregate_type != SHIPMENT_AGGREGATE_TYPE
            || !matches!(
                event.event_type.as_str(),
                "HandedToCarrier" | "ScanRecorded" | "DispatchedOnRoute"
            )
        {
            return Ok(());
        }
        let parsed = ShipmentEvent::deserialize(&event.payload)
            .map_err(|e| AppError::internal("reading a shipment event", &e))?;
        // Read the shipments as of this event, never older.
        services.wait_for(shipments::NAME, event.position).await?;
        let Some(shipment) = shipments::get(&services.db, &event.aggregate_id).await? else {
            return Ok(());
        };
        if shipment.direction != "outbound" {
            return Ok(());
        }
        let ctx = &reaction.context;
        match parsed {
            ShipmentEvent::HandedToCarrier { .. } => {
                let order = orders::get(&services.db, &shipment.order_id).await?;
                if order.as_ref().is_some_and(|o| o.warehouse_id.is_none()) {
                    let warehouse_id = WarehouseId::parse(&shipment.warehouse_id)
                        .map_err(|e| AppError::internal("stored warehouse id", &e))?;
                    let allocate = OrderCommand::Allocate { warehouse_id };
                    settled(
                        services
                            .order_command(ctx, &shipment.order_id, allocate, &reaction.options(0))
                            .await,
                        "allocate",
                    )?;
                }
                let lines: Vec<FulfilLine> = serde_json::from_value(shipment.lines.clone())
                    .map_err(|e| AppError::internal("reading shipment lines", &e))?;
                let fulfil = OrderCommand::Fulfil {
                    shipment_reference: shipment.shipment_id.clone(),
                    lines,
                };
                settled(
                    services
                        .order_command(ctx, &shipment.order_id, fulfil, &reaction.options(1))
                        .await,
                    "fulfil",
                )
            }
            ShipmentEvent::ScanRecorded(scan)
                if scan.applied && scan.shipment_status == ShipmentStatus::Delivered =>
            {
                let filter = ShipmentFilter {
                    order_id: Some(shipment.order_id.clone()),
                    ..Default::default()
                };
                let all = shipments::list(&services.db, &filter, 100, None)
                    .await?
                    .shipments;
                let outbound: Vec<_> = all
                    .iter()
                    .filter(|s| s.direction == "outbound" && s.status != "cancelled")
                    .collect();
                if !outbound.iter().all(|s| s.status == "delivered") {
                    return Ok(());
                }
                let delivered_at = outbound
                    .iter()
                    .filter_map(|s| s.delivered_at)
                    .max()
                    .unwrap_or(scan.occurred_at);
                let deliver = OrderCommand::MarkDelivered { delivered_at };
                settled(
                    services
                        .order_command(ctx, &shipment.order_id, deliver, &reaction.options(2))
                        .await,
                    "deliver",
                )
            }
            _ => Ok(()),
        }
    }
}
