//! Orders: every order command as a mutation; `order` and `orders` queries.

mod amend;
mod enums;
mod inputs;
mod pricing;
mod types;

use crate::graphql::scalars::{opt_i64, Int64, MinorUnits};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject};
use waybill_domain::order::OrderCommand;
use waybill_projections::orders::{self, OrderCursor, OrderFilter};

pub use amend::{AmendOrderLinesInput, LineQuantityInput, OrderAmendments};
pub use enums::{GqlAnomalyKind, GqlOrderStatus, GqlPaymentState, GqlSalesChannel};
pub use inputs::*;
pub use pricing::{ChannelPromotionInput, LineDiscountInput};
pub use types::*;

use super::context::{authorize, page_cost, page_size, request, services};
use super::error::GqlResult;
use super::mutation::mutation;
use crate::auth::Permission;
use crate::commands::service::CommandOutcome;
use crate::error::AppError;
use crate::graphql::timestamp::Timestamp;

/// The answer to an order mutation: returned once the events are durable.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct OrderWriteResult {
    pub order_id: String,
    /// The order stream's version after the write.
    pub stream_version: Int64,
    /// Global log position of the last event written; pass it as `consistentWith` to read
    /// your own write.
    pub position: Int64,
    /// True when an earlier identical request answered this one and nothing new was written.
    pub replayed: bool,
}

#[ComplexObject]
impl OrderWriteResult {
    /// The order as the read model shows it once it includes this write.
    async fn order(&self, ctx: &Context<'_>) -> GqlResult<Option<Order>> {
        let role = request(ctx)?.principal.role;
        let services = services(ctx)?;
        services.wait_for(orders::NAME, self.position.get()).await?;
        Ok(orders::get(&services.db, &self.order_id)
            .await
            .map_err(AppError::from)?
            .map(|o| Order::seen_by(o, role))
            .transpose()?)
    }
}

impl From<CommandOutcome> for OrderWriteResult {
    fn from(o: CommandOutcome) -> Self {
        OrderWriteResult {
            order_id: o.stream_id,
            stream_version: Int64(o.version),
            position: Int64(o.position),
            replayed: o.replayed,
        }
    }
}

#[derive(InputObject, Default)]
pub struct OrderFilterInput {
    pub status: Option<GqlOrderStatus>,
    pub channel: Option<GqlSalesChannel>,
    pub customer_id: Option<String>,
    /// Placed at or after.
    pub placed_from: Option<Timestamp>,
    /// Placed before.
    pub placed_to: Option<Timestamp>,
}

#[derive(Default)]
pub struct OrderQueries;

#[Object]
impl OrderQueries {
    /// One order, or null. With `consistentWith` (a position from a mutation result), waits
    /// until the read model includes that write.
    async fn order(
        &self,
        ctx: &Context<'_>,
        id: String,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Option<Order>> {
        let role = authorize(ctx, Permission::ReadOrders)?.role;
        let services = services(ctx)?;
        if let Some(p) = opt_i64(consistent_with) {
            services.wait_for(orders::NAME, p).await?;
        }
        Ok(orders::get(&services.db, &id)
            .await
            .map_err(AppError::from)?
            .map(|o| Order::seen_by(o, role))
            .transpose()?)
    }

    /// Orders, newest first, filtered; a Relay connection (`first` ≤ 100).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrderFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Connection<String, Order>> {
        let role = authorize(ctx, Permission::ReadOrders)?.role;
        let services = services(ctx)?;
        let first = page_size(first)?;
        let after = after
            .map(|a| {
                OrderCursor::decode(&a)
                    .ok_or_else(|| AppError::invalid_input("after", "not a cursor from this list"))
            })
            .transpose()?;
        if let Some(p) = opt_i64(consistent_with) {
            services.wait_for(orders::NAME, p).await?;
        }
        let f = filter.unwrap_or_default();
        let filter = OrderFilter {
            status: f.status.map(|s| s.code().to_string()),
            channel: f.channel.map(|c| c.code().to_string()),
            customer_id: f.customer_id,
            placed_from: f.placed_from.map(Timestamp::utc),
            placed_to: f.placed_to.map(Timestamp::utc),
        };
        let page = orders::list(&services.db, &filter, first, after.as_ref())
            .await
            .map_err(AppError::from)?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        for o in page.orders {
            let cursor = OrderCursor::of(&o).encode();
            connection
                .edges
                .push(Edge::new(cursor, Order::seen_by(o, role)?));
        }
        Ok(connection)
    }
}

#[derive(Default)]
pub struct OrderMutations;

// Each GraphQL argument is a resolver parameter; the argument list is the public API.
#[allow(clippy::too_many_arguments)]
#[Object]
impl OrderMutations {
    /// Accepts an order. Own web shop and app orders are priced by Waybill (`promotions`);
    /// every other channel's amounts are recorded as the channel stated them
    /// (`channelPromotions`, `paidTotal`), checked for consistency only. Sending the same
    /// (channel, externalNumber) again with the same content returns the order first placed,
    /// with `replayed: true`; with other content it is refused (`INVALID_INPUT`,
    /// `channel_order_changed`): changes go through the amendment mutations.
    async fn place_order(
        &self,
        ctx: &Context<'_>,
        input: PlaceOrderInput,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::PlaceOrder,
            expected_version,
            idempotency_key,
        )?;
        let command = input.parse(m.request.received_at)?;
        m.run(|s, req, write| async move { s.place_order(req, command, &write).await })
            .await
    }

    async fn authorise_payment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        method: String,
        reference: String,
        amount: MinorUnits,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::RecordPayment,
            expected_version,
            idempotency_key,
        )?;
        let command = OrderCommand::AuthorisePayment {
            method: text("method", method, 64)?,
            reference: text("reference", reference, 128)?,
            amount_minor: amount.get(),
        };
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }

    /// Records money taken. Capturing more than is still due is refused.
    async fn capture_payment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        method: String,
        reference: String,
        amount: MinorUnits,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::RecordPayment,
            expected_version,
            idempotency_key,
        )?;
        let command = OrderCommand::CapturePayment {
            method: text("method", method, 64)?,
            reference: text("reference", reference, 128)?,
            amount_minor: amount.get(),
        };
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }

    async fn fail_payment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        method: String,
        reference: String,
        reason: String,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::RecordPayment,
            expected_version,
            idempotency_key,
        )?;
        let command = OrderCommand::FailPayment {
            method: text("method", method, 64)?,
            reference: text("reference", reference, 128)?,
            reason: text("reason", reason, 500)?,
        };
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }

    /// Cancels an order that has not shipped; a paid order records the refund owed.
    async fn cancel_order(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        reason: String,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::CancelOrder,
            expected_version,
            idempotency_key,
        )?;
        let command = text("reason", reason, 500).map(|reason| OrderCommand::Cancel { reason })?;
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }

    async fn allocate_order(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        warehouse_id: String,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::AllocateOrder,
            expected_version,
            idempotency_key,
        )?;
        let command =
            warehouse(&warehouse_id).map(|warehouse_id| OrderCommand::Allocate { warehouse_id })?;
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }

    /// Records lines leaving in a shipment (partial fulfilment allowed).
    async fn fulfil_order(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_reference: String,
        lines: Vec<FulfilLineInput>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::FulfilOrder,
            expected_version,
            idempotency_key,
        )?;
        let command = OrderCommand::Fulfil {
            shipment_reference: text("shipmentReference", shipment_reference, 128)?,
            lines: fulfil_lines(lines)?,
        };
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }

    async fn mark_order_delivered(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        delivered_at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::RecordDelivery,
            expected_version,
            idempotency_key,
        )?;
        let command = OrderCommand::MarkDelivered {
            delivered_at: delivered_at
                .map(Timestamp::utc)
                .unwrap_or(m.request.received_at),
        };
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }

    async fn complete_order(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::CompleteOrder,
            expected_version,
            idempotency_key,
        )?;
        m.run(|s, req, write| async move {
            s.order_command(req, &order_id, OrderCommand::Complete, &write)
                .await
        })
        .await
    }

    /// 订单异常: puts the order on hold (no allocation or fulfilment) until cleared.
    async fn flag_order_anomaly(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        kind: GqlAnomalyKind,
        note: String,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::FlagAnomaly,
            expected_version,
            idempotency_key,
        )?;
        let command = text("note", note, 1000).map(|note| OrderCommand::FlagAnomaly {
            kind: kind.into(),
            note,
        })?;
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }

    async fn clear_order_anomaly(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        kind: GqlAnomalyKind,
        resolution: String,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::ClearAnomaly,
            expected_version,
            idempotency_key,
        )?;
        let command =
            text("resolution", resolution, 1000).map(|resolution| OrderCommand::ClearAnomaly {
                kind: kind.into(),
                resolution,
            })?;
        m.run(|s, req, write| async move { s.order_command(req, &order_id, command, &write).await })
            .await
    }
}
