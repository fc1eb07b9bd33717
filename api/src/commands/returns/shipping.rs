//! The shipments a return causes: the reverse shipment behind a label, and the outbound
//! replacement (exchange) or repaired item. Their ids derive from the return, so a retried
//! step names — and idempotently re-creates — the same shipment.

use chrono::{DateTime, Utc};
use uuid::Uuid;
use waybill_domain::ids::{ReturnId, ShipmentId};
use waybill_domain::order::FulfilLine;
use waybill_domain::returns::ReturnCommand;
use waybill_domain::values::{Quantity, Sku};
use waybill_projections::{log, returns};

use super::parse_return_id;
use crate::commands::context::RequestContext;
use crate::commands::orders::WriteOptions;
use crate::commands::service::CommandOutcome;
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

/// Stable ids for shipments a return causes, so a retried step names the same shipment.
const RETURN_SHIPMENT_NAMESPACE: Uuid = Uuid::from_u128(0x4f1d_62b8_93a5_4c07_8e2f_b5d1_0c6a_73e9);

fn shipment_id(return_id: &ReturnId, purpose: &str) -> ShipmentId {
    let name = format!("returns/{return_id}/{purpose}");
    ShipmentId::from_uuid(Uuid::new_v5(&RETURN_SHIPMENT_NAMESPACE, name.as_bytes()))
}

/// The reverse shipment behind a return label: one per (return, carrier, tracking number).
pub fn reverse_shipment_id(return_id: &ReturnId, carrier: &str, tracking: &str) -> ShipmentId {
    shipment_id(return_id, &format!("label/{carrier}/{tracking}"))
}

/// The outbound shipment carrying an exchange's replacement (one exchange per return).
pub fn replacement_shipment_id(return_id: &ReturnId) -> ShipmentId {
    shipment_id(return_id, "exchange")
}

/// The shipment taking a repaired item back to the customer.
pub fn repair_return_shipment_id(return_id: &ReturnId) -> ShipmentId {
    shipment_id(return_id, "repair-return")
}

impl Services {
    /// Issues a return label: the customer ships the goods back with `carrier`.
    ///
    /// The reverse shipment's id is derived from (return, carrier, tracking number), so the
    /// same label sent twice names the same shipment.
    pub async fn issue_return_label(
        &self,
        ctx: &RequestContext,
        return_id: &str,
        carrier: String,
        tracking_number: String,
        at: DateTime<Utc>,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id = parse_return_id(return_id)?;
        let reverse_shipment_id = reverse_shipment_id(&id, &carrier, &tracking_number);
        let command = ReturnCommand::IssueReturnLabel {
            reverse_shipment_id,
            carrier: carrier.clone(),
            tracking_number: tracking_number.clone(),
            at,
        };
        self.refuse_before_shipping(ctx, &id, &command, options)
            .await?;
        // The reverse shipment is a Shipment stream like any other, tracked by the same scans;
        // its id is derived from the label, so issuing the same label again names (and
        // idempotently re-creates) the same shipment.
        let create = self
            .reverse_shipment(&id, reverse_shipment_id, &carrier, &tracking_number, at)
            .await?;
        let key = format!("return-label:{reverse_shipment_id}");
        let shipment_options = WriteOptions {
            expected_version: None,
            idempotency_key: Some(key.clone()),
            request: key,
        };
        match self.create_shipment(ctx, create, &shipment_options).await {
            // Created by an earlier attempt with this label (possibly by another agent).
            Err(e) if e.reason == Some("already_created") => {}
            other => {
                other?;
            }
        }
        self.return_command(ctx, &id.to_string(), command, options)
            .await
    }

    /// A return step that creates a shipment writes the shipment first and the return's
    /// event second (two streams, two transactions). Deciding the return's part first, without
    /// writing, keeps a refused step from leaving a shipment behind. A retry of a step that
    /// went through is answered by its idempotency key and skips the check (its shipment
    /// exists already, and the return would refuse the step a second time). What remains is
    /// a return changed by someone else between this check and the write; that shipment is
    /// then an orphan the return never names (ARCHITECTURE, "Commands that span streams").
    async fn refuse_before_shipping(
        &self,
        ctx: &RequestContext,
        id: &ReturnId,
        command: &ReturnCommand,
        options: &WriteOptions,
    ) -> Result<(), AppError> {
        let opts = options.command_options()?;
        if self
            .commands
            .is_answered(opts.idempotency.as_ref(), ctx)
            .await?
        {
            return Ok(());
        }
        self.commands
            .decide(&self.returns, &id.to_string(), command.clone())
            .await?
            .result
            .map(|_| ())
    }

    /// The reverse Shipment for a return label: the return's lines, from the customer back to
    /// the warehouse that shipped the order (it must be registered as a site, for its address).
    async fn reverse_shipment(
        &self,
        id: &ReturnId,
        shipment_id: ShipmentId,
        carrier: &str,
        tracking_number: &str,
        at: DateTime<Utc>,
    ) -> Result<waybill_domain::shipment::CreateShipment, AppError> {
        use waybill_domain::shipment::{
            Carrier, CreateShipment, Direction, Parcel, ShipmentLine, TrackingNumber,
        };
        // The return may be newer than its read model: catch up first.
        let head = log::head_position(&self.db).await?;
        self.wait_for(returns::NAME, head).await?;
        let record = returns::get(&self.db, &id.to_string())
            .await?
            .ok_or_else(|| AppError::not_found(format!("no return {id}")))?;
        let warehouse = record.warehouse_id.ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidState,
                "the order has no warehouse to return to",
            )
        })?;
        let site = waybill_projections::network::list_sites(&self.db, None)
            .await?
            .into_iter()
            .find(|s| s.id == warehouse)
            .ok_or_else(|| {
                AppError::new(ErrorCode::InvalidState, format!("register warehouse {warehouse} as a site: a return label needs its address"))
                    .with_reason("warehouse_not_registered")
            })?;
        let destination = serde_json::from_value(site.address)
            .map_err(|e| AppError::internal("reading a site address", &e))?;
        // Carriers are named loosely on labels ("sf-express"); unknown ones are `other`.
        let carrier = carrier
            .trim()
            .to_lowercase()
            .replace(['-', ' '], "_")
            .parse::<Carrier>()
            .unwrap_or(Carrier::Other);
        let tracking_number = TrackingNumber::parse(tracking_number)
            .map_err(|e| AppError::invalid_input("trackingNumber", e))?;
        let lines = record
            .view
            .lines
            .iter()
            .map(|l| {
                Ok(ShipmentLine {
                    sku: waybill_domain::Sku::parse(&l.sku)
                        .map_err(|e| AppError::internal("a stored SKU", &e))?,
                    quantity: waybill_domain::Quantity::new(l.quantity)
                        .map_err(|e| AppError::internal("a stored quantity", &e))?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        // The customer packs the parcel; its real size is known when the carrier collects it
        // (the pickup scan). A nominal 1 kg parcel holds the label until then.
        let parcel = Parcel::new(1000, 300, 200, 150)
            .map_err(|e| AppError::internal("the nominal parcel", &e))?;
        Ok(CreateShipment {
            shipment_id,
            order_id: record
                .view
                .order_id
                .parse()
                .map_err(|_| AppError::new(ErrorCode::Internal, "a stored order id"))?,
            direction: Direction::Reverse,
            return_id: Some(*id),
            warehouse_id: waybill_domain::WarehouseId::parse(&warehouse)
                .map_err(|e| AppError::internal("a stored warehouse id", &e))?,
            lines,
            parcels: vec![parcel],
            delivery: waybill_domain::DeliveryMode::Express,
            carrier,
            tracking_number: Some(tracking_number),
            destination,
            promised_handover_by: None,
            promised_delivery_by: None,
            priority: 0,
            created_at: at,
        })
    }

    /// The return as its read model has it, after catching up to everything written so far.
    async fn return_record(&self, id: &ReturnId) -> Result<returns::ReturnRecord, AppError> {
        let head = log::head_position(&self.db).await?;
        self.wait_for(returns::NAME, head).await?;
        returns::get(&self.db, &id.to_string())
            .await?
            .ok_or_else(|| AppError::not_found(format!("no return {id}")))
    }

    /// An outbound Shipment to the customer for a return (replacement or repaired item), from
    /// the warehouse that shipped the order, on the own fleet until a carrier label is made
    /// (hand-over can name the carrier's number). Keyed by its id, so a retry creates nothing.
    async fn outbound_for_return(
        &self,
        ctx: &RequestContext,
        id: &ReturnId,
        shipment_id: ShipmentId,
        lines: Vec<(Sku, Quantity)>,
        at: DateTime<Utc>,
        purpose: &str,
    ) -> Result<(), AppError> {
        use waybill_domain::shipment::{Carrier, CreateShipment, Direction, Parcel, ShipmentLine};
        let record = self.return_record(id).await?;
        let order = waybill_projections::orders::get(&self.db, &record.view.order_id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("no order {}", record.view.order_id)))?;
        let warehouse = record
            .warehouse_id
            .or(order.warehouse_id.clone())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::InvalidState,
                    "the order has no warehouse to ship from",
                )
            })?;
        let destination = serde_json::from_value(order.shipping_address.clone())
            .map_err(|e| AppError::internal("reading the order's address", &e))?;
        // The warehouse packs it and records the real parcels then (Pack); 1 kg until then.
        let parcel = Parcel::new(1000, 300, 200, 150)
            .map_err(|e| AppError::internal("the nominal parcel", &e))?;
        let create = CreateShipment {
            shipment_id,
            order_id: record
                .view
                .order_id
                .parse()
                .map_err(|_| AppError::new(ErrorCode::Internal, "a stored order id"))?,
            direction: Direction::Outbound,
            return_id: None,
            warehouse_id: waybill_domain::WarehouseId::parse(&warehouse)
                .map_err(|e| AppError::internal("a stored warehouse id", &e))?,
            lines: lines
                .into_iter()
                .map(|(sku, quantity)| ShipmentLine { sku, quantity })
                .collect(),
            parcels: vec![parcel],
            delivery: waybill_domain::DeliveryMode::Express,
            carrier: Carrier::OwnFleet,
            tracking_number: None,
            destination,
            promised_handover_by: None,
            promised_delivery_by: None,
            priority: 0,
            created_at: at,
        };
        let key = format!("return-{purpose}:{shipment_id}");
        let options = WriteOptions {
            expected_version: None,
            idempotency_key: Some(key.clone()),
            request: key,
        };
        match self.create_shipment(ctx, create, &options).await {
            Ok(_) => Ok(()),
            // Created by an earlier attempt of this very step.
            Err(e) if e.reason == Some("already_created") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Ships replacement goods for a return. The replacement shipment's id is derived from
    /// the return (a return has at most one exchange).
    pub async fn exchange_return(
        &self,
        ctx: &RequestContext,
        return_id: &str,
        lines: Vec<FulfilLine>,
        agent: String,
        at: DateTime<Utc>,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id = parse_return_id(return_id)?;
        let shipment_lines = lines.iter().map(|l| (l.sku.clone(), l.quantity)).collect();
        let command = ReturnCommand::Exchange {
            replacement_shipment_id: replacement_shipment_id(&id),
            lines,
            agent,
            at,
        };
        self.refuse_before_shipping(ctx, &id, &command, options)
            .await?;
        self.outbound_for_return(
            ctx,
            &id,
            replacement_shipment_id(&id),
            shipment_lines,
            at,
            "exchange",
        )
        .await?;
        self.return_command(ctx, &id.to_string(), command, options)
            .await
    }

    /// The repaired item goes back to the customer.
    pub async fn return_repaired_item(
        &self,
        ctx: &RequestContext,
        return_id: &str,
        at: DateTime<Utc>,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id = parse_return_id(return_id)?;
        let command = ReturnCommand::ReturnRepairedItem {
            shipment_id: repair_return_shipment_id(&id),
            at,
        };
        self.refuse_before_shipping(ctx, &id, &command, options)
            .await?;
        let record = self.return_record(&id).await?;
        let lines = record
            .view
            .lines
            .iter()
            .map(|l| {
                Ok((
                    Sku::parse(&l.sku).map_err(|e| AppError::internal("a stored SKU", &e))?,
                    Quantity::new(l.quantity)
                        .map_err(|e| AppError::internal("a stored quantity", &e))?,
                ))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        self.outbound_for_return(
            ctx,
            &id,
            repair_return_shipment_id(&id),
            lines,
            at,
            "repair-return",
        )
        .await?;
        self.return_command(ctx, &id.to_string(), command, options)
            .await
    }
}
