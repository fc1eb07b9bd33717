//! Returns (RMA), refunds and after-sales analytics: every return step as a mutation,
//! `recordRefund` for refunds outside a return, and the `return`, `returns`, `returnQueues`
//! and `returnAnalytics` queries.
//!
//! Roles: agents and integrators open returns, arrange shipping and refund; agents review and
//! resolve; warehouse staff receive and inspect (and handle repairs with agents); auditors
//! and everyone else read.

mod enums;
mod inputs;
mod types;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use waybill_domain::order::OrderCommand;
use waybill_domain::returns::ReturnCommand;
use waybill_projections::returns::analytics::{self, AnalyticsFilter, Period};
use waybill_projections::returns::{self, ReturnCursor, ReturnFilter};
use waybill_projections::{orders, Db};

pub use enums::*;
pub use inputs::*;
pub use types::*;

use super::context::{authorize, page_cost, page_size, request, services};
use super::error::GqlResult;
use super::orders::{
    fulfil_lines, text, FulfilLineInput, GqlSalesChannel, Order, OrderWriteResult,
};
use crate::auth::Permission;
use crate::commands::context::RequestContext;
use crate::commands::orders::WriteOptions;
use crate::commands::service::CommandOutcome;
use crate::error::AppError;
use crate::services::Services;

/// The answer to a return mutation: returned once the events are durable.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ReturnWriteResult {
    pub return_id: String,
    /// The return stream's version after the write.
    pub stream_version: i64,
    /// Global log position of the last event written; pass it as `consistentWith`.
    pub position: i64,
    /// True when an earlier identical request answered this one and nothing new was written.
    pub replayed: bool,
    /// refundReturn only: the order stream's version and the position of its `RefundRecorded`.
    pub order_version: Option<i64>,
    pub order_position: Option<i64>,
}

#[ComplexObject]
impl ReturnWriteResult {
    /// The return as the read model shows it once it includes this write.
    #[graphql(name = "return")]
    async fn return_view(&self, ctx: &Context<'_>) -> GqlResult<Option<ReturnNode>> {
        let services = services(ctx)?;
        services.wait_for(returns::NAME, self.position).await?;
        Ok(returns::get(&services.db, &self.return_id)
            .await
            .map_err(AppError::from)?
            .map(ReturnNode::from))
    }

    /// The return's order once the orders read model includes this write (and, after a
    /// refund, the refund).
    async fn order(&self, ctx: &Context<'_>) -> GqlResult<Option<Order>> {
        authorize(ctx, Permission::ReadOrders)?;
        let services = services(ctx)?;
        services.wait_for(returns::NAME, self.position).await?;
        services.wait_for(orders::NAME, self.position).await?;
        let Some(record) = returns::get(&services.db, &self.return_id)
            .await
            .map_err(AppError::from)?
        else {
            return Ok(None);
        };
        Ok(orders::get(&services.db, &record.view.order_id)
            .await
            .map_err(AppError::from)?
            .map(Order::from))
    }
}

impl From<CommandOutcome> for ReturnWriteResult {
    fn from(o: CommandOutcome) -> Self {
        ReturnWriteResult {
            return_id: o.stream_id,
            stream_version: o.version,
            position: o.position,
            replayed: o.replayed,
            order_version: None,
            order_position: None,
        }
    }
}

#[derive(Default)]
pub struct ReturnQueries;

async fn wait_all(services: &Services, names: &[&str], position: Option<i64>) -> GqlResult<()> {
    if let Some(p) = position {
        for name in names {
            services.wait_for(name, p).await?;
        }
    }
    Ok(())
}

#[Object]
impl ReturnQueries {
    /// One return, or null. With `consistentWith` (a position from a mutation result), waits
    /// until the read model includes that write.
    #[graphql(name = "return")]
    async fn return_by_id(
        &self,
        ctx: &Context<'_>,
        id: String,
        consistent_with: Option<i64>,
    ) -> GqlResult<Option<ReturnNode>> {
        authorize(ctx, Permission::ReadReturns)?;
        let services = services(ctx)?;
        wait_all(services, &[returns::NAME], consistent_with).await?;
        Ok(returns::get(&services.db, &id)
            .await
            .map_err(AppError::from)?
            .map(ReturnNode::from))
    }

    /// Returns, newest request first, filtered; a Relay connection (`first` ≤ 100).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn returns(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReturnFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        consistent_with: Option<i64>,
    ) -> GqlResult<Connection<String, ReturnNode>> {
        authorize(ctx, Permission::ReadReturns)?;
        let services = services(ctx)?;
        let first = page_size(first)?;
        let after = after
            .map(|a| {
                ReturnCursor::decode(&a)
                    .ok_or_else(|| AppError::invalid_input("after", "not a cursor from this list"))
            })
            .transpose()?;
        wait_all(services, &[returns::NAME], consistent_with).await?;
        let f = filter.unwrap_or_default();
        let filter = ReturnFilter {
            order_id: f.order_id,
            warehouse_id: f.warehouse_id,
            status: f.status.map(|s| s.code().to_string()),
            stage: f.stage.map(Into::into),
            channel: f.channel.map(|c| c.code().to_string()),
            reason: f.reason.map(|r| r.code().to_string()),
            requested_from: f.requested_from,
            requested_to: f.requested_to,
        };
        let page = returns::list(&services.db, &filter, first, after.as_ref())
            .await
            .map_err(AppError::from)?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection.edges.extend(
            page.returns
                .into_iter()
                .map(|r| Edge::new(ReturnCursor::of(&r.view).encode(), ReturnNode::from(r))),
        );
        Ok(connection)
    }

    /// Open returns per warehouse: awaiting receipt, inspection and resolution, with ages.
    /// A return not received yet counts at the warehouse that shipped its order.
    async fn return_queues(
        &self,
        ctx: &Context<'_>,
        warehouse_id: Option<String>,
        consistent_with: Option<i64>,
    ) -> GqlResult<Vec<ReturnQueue>> {
        authorize(ctx, Permission::ReadReturns)?;
        let services = services(ctx)?;
        wait_all(services, &[returns::NAME, orders::NAME], consistent_with).await?;
        let now = Utc::now();
        Ok(returns::queues(&services.db, warehouse_id.as_deref())
            .await
            .map_err(AppError::from)?
            .iter()
            .map(|q| ReturnQueue::at(q, now))
            .collect())
    }

    /// Return rates by SKU, reason, channel and carrier, refund totals per period and time
    /// to resolution, over `[from, to)` (returns by request time, orders by placement time,
    /// refunds by refund time), optionally for one channel.
    #[allow(clippy::too_many_arguments)]
    async fn return_analytics(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        channel: Option<GqlSalesChannel>,
        #[graphql(default)] period: RefundPeriod,
        consistent_with: Option<i64>,
    ) -> GqlResult<ReturnAnalytics> {
        authorize(ctx, Permission::ReadReturns)?;
        let services = services(ctx)?;
        wait_all(
            services,
            &[returns::NAME, returns::REFUNDS_NAME, orders::NAME],
            consistent_with,
        )
        .await?;
        let filter = AnalyticsFilter {
            from,
            to,
            channel: channel.map(|c| c.code().to_string()),
        };
        let period = match period {
            RefundPeriod::Day => Period::Day,
            RefundPeriod::Week => Period::Week,
            RefundPeriod::Month => Period::Month,
        };
        Ok(analytics_of(&services.db, &filter, period)
            .await
            .map_err(AppError::from)?
            .with(from, to, channel))
    }
}

struct AnalyticsParts {
    totals: ReturnTotals,
    by_sku: Vec<ReturnRate>,
    by_reason: Vec<ReturnRate>,
    by_channel: Vec<ReturnRate>,
    by_carrier: Vec<ReturnRate>,
    refund_totals: Vec<RefundTotal>,
    resolution_time: ResolutionTime,
}

impl AnalyticsParts {
    fn with(
        self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        channel: Option<GqlSalesChannel>,
    ) -> ReturnAnalytics {
        ReturnAnalytics {
            from,
            to,
            channel,
            totals: self.totals,
            by_sku: self.by_sku,
            by_reason: self.by_reason,
            by_channel: self.by_channel,
            by_carrier: self.by_carrier,
            refund_totals: self.refund_totals,
            resolution_time: self.resolution_time,
        }
    }
}

async fn analytics_of(
    db: &Db,
    f: &AnalyticsFilter,
    period: Period,
) -> Result<AnalyticsParts, waybill_projections::DbError> {
    Ok(AnalyticsParts {
        totals: analytics::totals(db, f).await?.into(),
        by_sku: analytics::by_sku(db, f)
            .await?
            .into_iter()
            .map(ReturnRate::of_units)
            .collect(),
        by_reason: analytics::by_reason(db, f)
            .await?
            .into_iter()
            .map(ReturnRate::of_returns)
            .collect(),
        by_channel: analytics::by_channel(db, f)
            .await?
            .into_iter()
            .map(ReturnRate::of_returns)
            .collect(),
        by_carrier: analytics::by_carrier(db, f)
            .await?
            .into_iter()
            .map(ReturnRate::of_returns)
            .collect(),
        refund_totals: analytics::refund_totals(db, f, period)
            .await?
            .into_iter()
            .map(RefundTotal::from)
            .collect(),
        resolution_time: analytics::resolution_times(db, f).await?.into(),
    })
}

#[derive(Default)]
pub struct ReturnMutations;

fn options(
    expected_version: Option<i64>,
    idempotency_key: Option<String>,
    request: String,
) -> WriteOptions {
    WriteOptions {
        expected_version,
        idempotency_key,
        request,
    }
}

/// Authorises, builds the command from the caller's context, runs it on the return.
async fn return_write(
    ctx: &Context<'_>,
    permission: Permission,
    return_id: &str,
    build: impl FnOnce(&RequestContext) -> Result<ReturnCommand, AppError>,
    write: WriteOptions,
) -> GqlResult<ReturnWriteResult> {
    authorize(ctx, permission)?;
    let req = request(ctx)?;
    let command = build(req)?;
    let outcome = services(ctx)?
        .return_command(req, return_id, command, &write)
        .await?;
    Ok(outcome.into())
}

// Each GraphQL argument is a resolver parameter; the argument list is the public API.
#[allow(clippy::too_many_arguments)]
#[Object]
impl ReturnMutations {
    /// Opens a return (RMA) on a delivered order. Refused with INVALID_STATE when the order
    /// is not delivered (`not_delivered`), more units are asked for than were delivered less
    /// what other returns take back (`exceeds_returnable`), or the channel's window has
    /// closed (`window_closed`: 7 days after delivery for CHANGED_MIND, 15 for the seller's
    /// faults by default).
    async fn request_return(
        &self,
        ctx: &Context<'_>,
        input: RequestReturnInput,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        authorize(ctx, Permission::RequestReturn)?;
        let req = request(ctx)?;
        let write = options(
            expected_version,
            idempotency_key,
            format!("requestReturn {input:?}"),
        );
        let new = input.parse(req.received_at)?;
        Ok(services(ctx)?
            .request_return(req, new, &write)
            .await?
            .into())
    }

    /// An agent approves the request.
    async fn approve_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        note: Option<String>,
        agent: Option<String>,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let write = options(
            expected_version,
            idempotency_key,
            format!("approveReturn {return_id} {note:?} {agent:?} {at:?}"),
        );
        return_write(
            ctx,
            Permission::ReviewReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::Approve {
                    agent: person("agent", agent, &req.principal.key_id)?,
                    note: note.map(|n| text("note", n, 2000)).transpose()?,
                    at: at.unwrap_or(req.received_at),
                })
            },
            write,
        )
        .await
    }

    /// An agent rejects the request; a rejected return can only be closed.
    async fn reject_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        reason: String,
        agent: Option<String>,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let write = options(
            expected_version,
            idempotency_key,
            format!("rejectReturn {return_id} {reason} {agent:?} {at:?}"),
        );
        return_write(
            ctx,
            Permission::ReviewReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::Reject {
                    agent: person("agent", agent, &req.principal.key_id)?,
                    reason: text("reason", reason, 2000)?,
                    at: at.unwrap_or(req.received_at),
                })
            },
            write,
        )
        .await
    }

    /// Issues a return label: the customer sends the goods back with `carrier`. The return
    /// records the reverse shipment's id; a new label replaces the previous arrangement
    /// until the goods arrive.
    async fn issue_return_label(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        carrier: String,
        tracking_number: String,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        authorize(ctx, Permission::ArrangeReturnShipping)?;
        let req = request(ctx)?;
        let write = options(
            expected_version,
            idempotency_key,
            format!("issueReturnLabel {return_id} {carrier} {tracking_number} {at:?}"),
        );
        Ok(services(ctx)?
            .issue_return_label(
                req,
                &return_id,
                carrier,
                tracking_number,
                at.unwrap_or(req.received_at),
                &write,
            )
            .await?
            .into())
    }

    /// The customer drops the goods off at a pickup point or parcel locker instead.
    async fn arrange_return_drop_off(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        pickup_point_id: String,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let write = options(
            expected_version,
            idempotency_key,
            format!("arrangeReturnDropOff {return_id} {pickup_point_id} {at:?}"),
        );
        return_write(
            ctx,
            Permission::ArrangeReturnShipping,
            &return_id,
            |req| {
                Ok(ReturnCommand::DropOff {
                    pickup_point_id: inputs::pickup_point_id(&pickup_point_id)?,
                    at: at.unwrap_or(req.received_at),
                })
            },
            write,
        )
        .await
    }

    /// The warehouse counts the parcel: received and damaged units per SKU.
    async fn receive_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        warehouse_id: String,
        lines: Vec<ReceivedLineInput>,
        staff: Option<String>,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let write = options(
            expected_version,
            idempotency_key,
            format!("receiveReturn {return_id} {warehouse_id} {lines:?} {staff:?} {at:?}"),
        );
        return_write(
            ctx,
            Permission::ReceiveReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::Receive {
                    warehouse_id: inputs::warehouse_id(&warehouse_id)?,
                    lines: received_lines(lines)?,
                    staff: person("staff", staff, &req.principal.key_id)?,
                    at: at.unwrap_or(req.received_at),
                })
            },
            write,
        )
        .await
    }

    /// Inspection: every received unit gets an explicit RESTOCK or WRITE_OFF.
    async fn inspect_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        lines: Vec<InspectedLineInput>,
        inspector: Option<String>,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let write = options(
            expected_version,
            idempotency_key,
            format!("inspectReturn {return_id} {lines:?} {inspector:?} {at:?}"),
        );
        return_write(
            ctx,
            Permission::InspectReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::Inspect {
                    lines: inspected_lines(lines)?,
                    inspector: person("inspector", inspector, &req.principal.key_id)?,
                    at: at.unwrap_or(req.received_at),
                })
            },
            write,
        )
        .await
    }

    /// Refunds the return: recorded on the order first (which refuses anything beyond what
    /// it captured: `refund_exceeds_captured`), then on the return with the same reference.
    /// Retrying with the same reference never pays twice; if the second write failed, the
    /// retry completes it. `idempotencyKey`: at most 190 characters; reusing one for a
    /// different refund is refused before any money moves.
    async fn refund_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        input: RefundReturnInput,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        authorize(ctx, Permission::RecordRefund)?;
        let req = request(ctx)?;
        let write = options(
            expected_version,
            idempotency_key,
            format!("refundReturn {return_id} {input:?}"),
        );
        let refund = input.parse(req.received_at, &req.principal.key_id)?;
        let outcome = services(ctx)?
            .refund_return(req, &return_id, refund, &write)
            .await?;
        let mut result = ReturnWriteResult::from(outcome.ret);
        result.order_version = Some(outcome.order.version);
        result.order_position = Some(outcome.order.position);
        Ok(result)
    }

    /// Ships replacement goods (any SKUs, at most as many units as come back).
    async fn exchange_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        lines: Vec<FulfilLineInput>,
        agent: Option<String>,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        authorize(ctx, Permission::ResolveReturn)?;
        let req = request(ctx)?;
        let write = options(
            expected_version,
            idempotency_key,
            format!("exchangeReturn {return_id} {lines:?} {agent:?} {at:?}"),
        );
        let lines = fulfil_lines(lines)?;
        let agent = person("agent", agent, &req.principal.key_id)?;
        Ok(services(ctx)?
            .exchange_return(
                req,
                &return_id,
                lines,
                agent,
                at.unwrap_or(req.received_at),
                &write,
            )
            .await?
            .into())
    }

    /// The received item goes to a repairer.
    async fn send_return_for_repair(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        vendor: String,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let write = options(
            expected_version,
            idempotency_key,
            format!("sendReturnForRepair {return_id} {vendor} {at:?}"),
        );
        return_write(
            ctx,
            Permission::RepairReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::SendForRepair {
                    vendor: text("vendor", vendor, 200)?,
                    at: at.unwrap_or(req.received_at),
                })
            },
            write,
        )
        .await
    }

    /// The repairer has fixed the item.
    async fn complete_return_repair(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let write = options(
            expected_version,
            idempotency_key,
            format!("completeReturnRepair {return_id} {at:?}"),
        );
        return_write(
            ctx,
            Permission::RepairReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::CompleteRepair {
                    at: at.unwrap_or(req.received_at),
                })
            },
            write,
        )
        .await
    }

    /// The repaired item ships back to the customer.
    async fn return_repaired_item(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        authorize(ctx, Permission::RepairReturn)?;
        let req = request(ctx)?;
        let write = options(
            expected_version,
            idempotency_key,
            format!("returnRepairedItem {return_id} {at:?}"),
        );
        Ok(services(ctx)?
            .return_repaired_item(req, &return_id, at.unwrap_or(req.received_at), &write)
            .await?
            .into())
    }

    /// Closes a resolved (refunded, exchanged, repaired) or rejected return.
    async fn close_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let write = options(
            expected_version,
            idempotency_key,
            format!("closeReturn {return_id} {at:?}"),
        );
        return_write(
            ctx,
            Permission::ResolveReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::Close {
                    at: at.unwrap_or(req.received_at),
                })
            },
            write,
        )
        .await
    }

    /// Records money paid back on an order outside any return (goodwill, price adjustment,
    /// a cancelled paid order). Refused beyond what the order captured
    /// (`refund_exceeds_captured`) and for a reference already used (`duplicate_refund`).
    async fn record_refund(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        amount: i64,
        method: String,
        reference: String,
        reason: String,
        #[graphql(default)] includes_shipping: bool,
        at: Option<DateTime<Utc>>,
        expected_version: Option<i64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        authorize(ctx, Permission::RecordRefund)?;
        let req = request(ctx)?;
        let write = options(
            expected_version,
            idempotency_key,
            format!(
                "recordRefund {order_id} {amount} {method} {reference} {reason} {includes_shipping} {at:?}"
            ),
        );
        let command = OrderCommand::RecordRefund {
            amount_minor: amount,
            method: text("method", method, 64)?,
            reference: text("reference", reference, 128)?,
            return_id: None,
            reason: text("reason", reason, 1000)?,
            includes_shipping,
            at: at.unwrap_or(req.received_at),
        };
        Ok(services(ctx)?
            .record_refund(req, &order_id, command, &write)
            .await?
            .into())
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::{Permission, Principal, Role};

    fn may(role: Role, permission: Permission) -> bool {
        Principal {
            key_id: "k".into(),
            role,
        }
        .require(permission)
        .is_ok()
    }

    #[test]
    fn return_steps_go_to_the_right_roles() {
        use Permission::*;
        assert!(may(Role::Agent, ReviewReturn) && !may(Role::Warehouse, ReviewReturn));
        assert!(may(Role::Warehouse, ReceiveReturn) && !may(Role::Agent, ReceiveReturn));
        assert!(may(Role::Warehouse, InspectReturn) && !may(Role::Integrator, InspectReturn));
        assert!(may(Role::Integrator, RecordRefund) && !may(Role::Warehouse, RecordRefund));
        for role in Role::ALL {
            assert!(may(role, ReadReturns), "{role}");
        }
        for p in [
            RequestReturn,
            ReviewReturn,
            ArrangeReturnShipping,
            ReceiveReturn,
            InspectReturn,
            ResolveReturn,
            RepairReturn,
            RecordRefund,
        ] {
            assert!(!may(Role::Auditor, p), "{p:?}");
            assert!(may(Role::Admin, p), "{p:?}");
        }
    }
}
