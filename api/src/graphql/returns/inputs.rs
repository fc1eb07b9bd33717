//! GraphQL inputs for return steps, parsed once into domain values.

use crate::graphql::scalars::MinorUnits;
use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use waybill_domain::ids::{OrderId, PickupPointId, ReturnId, WarehouseId};
use waybill_domain::returns::{InspectedLine, ReceivedLine};
use waybill_domain::validation::ValidationError;
use waybill_domain::values::{Quantity, Sku};

use super::enums::{
    GqlInspectionDecision, GqlItemCondition, GqlRefundPolicy, GqlResolution, GqlReturnReason,
    GqlReturnStage, GqlReturnStatus,
};
use crate::commands::returns::{NewReturn, ReturnRefundRequest};
use crate::error::AppError;
use crate::graphql::orders::{text, GqlSalesChannel};
use crate::graphql::timestamp::Timestamp;

fn invalid(field: &str, e: ValidationError) -> AppError {
    AppError::invalid_input(field, e)
}

pub fn sku(field: &str, value: &str) -> Result<Sku, AppError> {
    Sku::parse(value).map_err(|e| invalid(field, e))
}

fn units(field: &str, value: i64, allow_zero: bool) -> Result<u32, AppError> {
    let min = i64::from(!allow_zero);
    u32::try_from(value)
        .ok()
        .filter(|v| i64::from(*v) >= min)
        .ok_or_else(|| {
            AppError::invalid_input(
                field,
                format!(
                    "{field} must be a whole number from {min} to {}, got {value}",
                    u32::MAX
                ),
            )
        })
}

pub fn quantity(field: &str, value: i64) -> Result<Quantity, AppError> {
    Quantity::new(units(field, value, false)?).map_err(|e| invalid(field, e))
}

pub fn return_id(value: &str) -> Result<ReturnId, AppError> {
    value
        .parse()
        .map_err(|_| AppError::invalid_input("returnId", format!("not a return id: {value:?}")))
}

pub fn order_id(value: &str) -> Result<OrderId, AppError> {
    value
        .parse()
        .map_err(|_| AppError::invalid_input("orderId", format!("not an order id: {value:?}")))
}

pub fn warehouse_id(value: &str) -> Result<WarehouseId, AppError> {
    WarehouseId::parse(value).map_err(|e| invalid("warehouseId", e))
}

pub fn pickup_point_id(value: &str) -> Result<PickupPointId, AppError> {
    PickupPointId::parse(value).map_err(|e| invalid("pickupPointId", e))
}

/// A person's name recorded on the event (agent, staff, inspector); defaults to the caller's
/// API key id, which the event metadata carries in any case.
pub fn person(field: &str, value: Option<String>, key_id: &str) -> Result<String, AppError> {
    match value {
        Some(v) => text(field, v, 200),
        None => Ok(format!("key:{key_id}")),
    }
}

#[derive(InputObject, Debug)]
pub struct ReturnLineInput {
    pub sku: String,
    pub quantity: i64,
}

#[derive(InputObject, Debug)]
pub struct RequestReturnInput {
    /// A UUID chosen by the client to make creation idempotent: sending the same request
    /// again answers with the return it created (`replayed: true`). Generated when absent.
    pub return_id: Option<String>,
    pub order_id: String,
    pub lines: Vec<ReturnLineInput>,
    pub reason: GqlReturnReason,
    /// Object keys of uploaded photos (evidence for the agent).
    #[graphql(default)]
    pub photo_refs: Vec<String>,
    pub requested_resolution: GqlResolution,
    /// When the customer asked; defaults to now. The return window is checked against it.
    pub requested_at: Option<Timestamp>,
}

impl RequestReturnInput {
    pub fn parse(self, now: DateTime<Utc>) -> Result<NewReturn, AppError> {
        let lines = self
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                Ok((
                    sku(&format!("lines[{i}].sku"), &l.sku)?,
                    quantity(&format!("lines[{i}].quantity"), l.quantity)?,
                ))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(NewReturn {
            return_id: self.return_id.as_deref().map(return_id).transpose()?,
            order_id: order_id(&self.order_id)?,
            lines,
            reason: self.reason.into(),
            photo_refs: self.photo_refs,
            requested_resolution: self.requested_resolution.into(),
            requested_at: self.requested_at.map(Timestamp::utc).unwrap_or(now),
        })
    }
}

#[derive(InputObject, Debug)]
pub struct ReceivedLineInput {
    pub sku: String,
    /// Units in the parcel; 0 records "expected, not in the parcel".
    pub received_quantity: i64,
    /// Of the received units, how many arrived damaged.
    #[graphql(default)]
    pub damaged_quantity: i64,
}

pub fn received_lines(lines: Vec<ReceivedLineInput>) -> Result<Vec<ReceivedLine>, AppError> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            Ok(ReceivedLine {
                sku: sku(&format!("lines[{i}].sku"), &l.sku)?,
                received_qty: units(
                    &format!("lines[{i}].receivedQuantity"),
                    l.received_quantity,
                    true,
                )?,
                damaged_qty: units(
                    &format!("lines[{i}].damagedQuantity"),
                    l.damaged_quantity,
                    true,
                )?,
            })
        })
        .collect()
}

#[derive(InputObject, Debug)]
pub struct InspectedLineInput {
    pub sku: String,
    pub condition: GqlItemCondition,
    /// RESTOCK or WRITE_OFF, explicitly, for these units.
    pub decision: GqlInspectionDecision,
    pub quantity: i64,
}

pub fn inspected_lines(lines: Vec<InspectedLineInput>) -> Result<Vec<InspectedLine>, AppError> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            Ok(InspectedLine {
                sku: sku(&format!("lines[{i}].sku"), &l.sku)?,
                condition: l.condition.into(),
                decision: l.decision.into(),
                quantity: quantity(&format!("lines[{i}].quantity"), l.quantity)?,
            })
        })
        .collect()
}

#[derive(InputObject, Debug)]
pub struct RefundReturnInput {
    /// Minor units; at most what the returned goods are worth (plus shipping when included)
    /// and what the order has captured and not yet refunded.
    pub amount: MinorUnits,
    /// Raises this return's cap by the order's shipping fee.
    #[graphql(default)]
    pub include_shipping: bool,
    pub method: String,
    /// The payment provider's refund reference; unique per order. Retrying with the same
    /// reference never pays twice.
    pub reference: String,
    /// Defaults to whichever is true now: AFTER_RECEIPT once the goods are in, else
    /// BEFORE_RECEIPT.
    pub policy: Option<GqlRefundPolicy>,
    /// Recorded as the reason on the order's refund.
    pub note: Option<String>,
    /// The agent giving the refund; defaults to the caller's key.
    pub agent: Option<String>,
    /// Defaults to now.
    pub at: Option<Timestamp>,
}

impl RefundReturnInput {
    pub fn parse(self, now: DateTime<Utc>, key_id: &str) -> Result<ReturnRefundRequest, AppError> {
        Ok(ReturnRefundRequest {
            amount_minor: self.amount.get(),
            include_shipping: self.include_shipping,
            method: text("method", self.method, 64)?,
            reference: text("reference", self.reference, 128)?,
            policy: self.policy.map(Into::into),
            note: self.note.map(|n| text("note", n, 1000)).transpose()?,
            agent: person("agent", self.agent, key_id)?,
            at: self.at.map(Timestamp::utc).unwrap_or(now),
        })
    }
}

#[derive(InputObject, Default)]
pub struct ReturnFilterInput {
    pub order_id: Option<String>,
    /// The receiving warehouse, or before receipt the warehouse that shipped the order.
    pub warehouse_id: Option<String>,
    pub status: Option<GqlReturnStatus>,
    pub stage: Option<GqlReturnStage>,
    pub channel: Option<GqlSalesChannel>,
    pub reason: Option<GqlReturnReason>,
    /// Requested at or after.
    pub requested_from: Option<Timestamp>,
    /// Requested before.
    pub requested_to: Option<Timestamp>,
}
