//! Amendments: orders change after they are placed. Each is a command with an event, a
//! reason, and the caller's key and role in the event's metadata; history, time travel and
//! `Order.amendments` show them.

use async_graphql::{Context, InputObject, Object};
use waybill_domain::order::{AmendLines, LineChange, OrderCommand};
use waybill_domain::values::Sku;

use super::inputs::{invalid, text, AddressInput, DeliveryInput, PromotionInput};
use super::pricing::{pricing_input, ChannelPromotionInput};
use super::OrderWriteResult;
use crate::auth::Permission;
use crate::error::AppError;
use crate::graphql::error::GqlResult;
use crate::graphql::mutation::mutation;
use crate::graphql::scalars::{Int64, MinorUnits};

/// A line's new quantity; 0 removes it.
#[derive(InputObject, Debug)]
pub struct LineQuantityInput {
    pub sku: String,
    pub quantity: i64,
}

/// Lines removed or reduced, and the amounts adjusted, before the order is allocated.
#[derive(InputObject, Debug)]
pub struct AmendOrderLinesInput {
    /// SKUs not named keep their quantity; quantities only go down.
    pub lines: Vec<LineQuantityInput>,
    /// New promotions for an own web shop / app order (Waybill re-prices them).
    pub promotions: Option<Vec<PromotionInput>>,
    /// New promotions with the channel's amounts for a channel order.
    pub channel_promotions: Option<Vec<ChannelPromotionInput>>,
    /// The channel's new paid total, checked like at placement.
    pub paid_total: Option<MinorUnits>,
    /// A new shipping fee; kept when absent.
    pub shipping_fee: Option<MinorUnits>,
    pub reason: String,
}

impl AmendOrderLinesInput {
    fn parse(self) -> Result<OrderCommand, AppError> {
        let changes = self
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                Ok(LineChange {
                    sku: Sku::parse(&l.sku).map_err(invalid)?,
                    quantity: u32::try_from(l.quantity).map_err(|_| {
                        AppError::invalid_input(
                            format!("lines[{i}].quantity"),
                            "quantity must be a whole number from 0 up",
                        )
                    })?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        // Without any of the three, the promotions in force are kept (and re-checked).
        let pricing = if self.promotions.is_none()
            && self.channel_promotions.is_none()
            && self.paid_total.is_none()
        {
            None
        } else {
            Some(pricing_input(
                self.promotions.unwrap_or_default(),
                self.channel_promotions.unwrap_or_default(),
                self.paid_total,
            )?)
        };
        Ok(OrderCommand::AmendLines(AmendLines {
            changes,
            pricing,
            shipping_fee_minor: self.shipping_fee.map(MinorUnits::get),
            reason: text("reason", self.reason, 500)?,
        }))
    }
}

#[derive(Default)]
pub struct OrderAmendments;

#[Object]
impl OrderAmendments {
    /// The buyer's new shipping address, until the goods are handed to a carrier
    /// (`INVALID_STATE`/`already_shipped` after).
    async fn change_order_shipping_address(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        address: AddressInput,
        reason: String,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::AmendOrder,
            expected_version,
            idempotency_key,
        )?;
        let command = OrderCommand::ChangeShippingAddress {
            shipping_address: address.parse()?,
            reason: text("reason", reason, 500)?,
        };
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }

    /// A new delivery mode or window, until the goods are handed to a carrier.
    async fn change_order_delivery(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        delivery: DeliveryInput,
        reason: String,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::AmendOrder,
            expected_version,
            idempotency_key,
        )?;
        let command = OrderCommand::ChangeDelivery {
            delivery: delivery.parse()?,
            reason: text("reason", reason, 500)?,
        };
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }

    /// Removes or reduces lines and adjusts the amounts, until the order is allocated
    /// (`INVALID_STATE`/`lines_locked` after). Money already paid beyond the new total is
    /// shown as `refundOwed`; the refund itself is `recordRefund`.
    async fn amend_order_lines(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        input: AmendOrderLinesInput,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::AmendOrder,
            expected_version,
            idempotency_key,
        )?;
        let command = input.parse()?;
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }
}
