//! Returns (RMA), refunds and after-sales analytics: every return step as a mutation,
//! `recordRefund` for refunds outside a return, and the `return`, `returns`, `returnQueues`
//! and `returnAnalytics` queries.
//!
//! Roles: agents and integrators open returns, arrange shipping and refund; agents review and
//! resolve; warehouse staff receive and inspect (and handle repairs with agents); auditors
//! and everyone else read.

mod enums;
mod inputs;
mod mutations;
mod types;

use crate::graphql::scalars::{opt_i64, Int64};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, Object, SimpleObject};
use chrono::Utc;
use waybill_domain::order::OrderCommand;
use waybill_domain::returns::ReturnCommand;
use waybill_projections::returns::analytics::{self, AnalyticsFilter, Period};
use waybill_projections::returns::{self, ReturnCursor, ReturnFilter};
use waybill_projections::{orders, Db};

pub use enums::*;
pub use inputs::*;
pub use mutations::ReturnMutations;
pub use types::*;

use super::context::{authorize, page_cost, page_size, services};
use super::error::GqlResult;
use super::mutation::mutation;
use super::orders::{
    fulfil_lines, text, FulfilLineInput, GqlSalesChannel, Order, OrderWriteResult,
};
use crate::auth::Permission;
use crate::commands::context::RequestContext;
use crate::commands::service::CommandOutcome;
use crate::error::AppError;
use crate::graphql::timestamp::Timestamp;
use crate::services::Services;

/// The answer to a return mutation: returned once the events are durable.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ReturnWriteResult {
    pub return_id: String,
    /// The return stream's version after the write.
    pub stream_version: Int64,
    /// Global log position of the last event written; pass it as `consistentWith`.
    pub position: Int64,
    /// True when an earlier identical request answered this one and nothing new was written.
    pub replayed: bool,
    /// refundReturn only: the order stream's version and the position of its `RefundRecorded`.
    pub order_version: Option<Int64>,
    pub order_position: Option<Int64>,
}

#[ComplexObject]
impl ReturnWriteResult {
    /// The return as the read model shows it once it includes this write.
    #[graphql(name = "return")]
    async fn return_view(&self, ctx: &Context<'_>) -> GqlResult<Option<ReturnNode>> {
        let services = services(ctx)?;
        services
            .wait_for(returns::NAME, self.position.get())
            .await?;
        Ok(returns::get(&services.db, &self.return_id)
            .await
            .map_err(AppError::from)?
            .map(ReturnNode::from))
    }

    /// The return's order once the orders read model includes this write (and, after a
    /// refund, the refund).
    async fn order(&self, ctx: &Context<'_>) -> GqlResult<Option<Order>> {
        let role = authorize(ctx, Permission::ReadOrders)?.role;
        let services = services(ctx)?;
        services
            .wait_for(returns::NAME, self.position.get())
            .await?;
        services.wait_for(orders::NAME, self.position.get()).await?;
        let Some(record) = returns::get(&services.db, &self.return_id)
            .await
            .map_err(AppError::from)?
        else {
            return Ok(None);
        };
        Ok(orders::get(&services.db, &record.view.order_id)
            .await
            .map_err(AppError::from)?
            .map(|o| Order::seen_by(o, role))
            .transpose()?)
    }
}

impl From<CommandOutcome> for ReturnWriteResult {
    fn from(o: CommandOutcome) -> Self {
        ReturnWriteResult {
            return_id: o.stream_id,
            stream_version: Int64(o.version),
            position: Int64(o.position),
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
        consistent_with: Option<Int64>,
    ) -> GqlResult<Option<ReturnNode>> {
        authorize(ctx, Permission::ReadReturns)?;
        let services = services(ctx)?;
        wait_all(services, &[returns::NAME], opt_i64(consistent_with)).await?;
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
        consistent_with: Option<Int64>,
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
        wait_all(services, &[returns::NAME], opt_i64(consistent_with)).await?;
        let f = filter.unwrap_or_default();
        let filter = ReturnFilter {
            order_id: f.order_id,
            warehouse_id: f.warehouse_id,
            status: f.status.map(|s| s.code().to_string()),
            stage: f.stage.map(Into::into),
            channel: f.channel.map(|c| c.code().to_string()),
            reason: f.reason.map(|r| r.code().to_string()),
            requested_from: f.requested_from.map(Timestamp::utc),
            requested_to: f.requested_to.map(Timestamp::utc),
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
        consistent_with: Option<Int64>,
    ) -> GqlResult<Vec<ReturnQueue>> {
        authorize(ctx, Permission::ReadReturns)?;
        let services = services(ctx)?;
        wait_all(
            services,
            &[returns::NAME, orders::NAME],
            opt_i64(consistent_with),
        )
        .await?;
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
        from: Option<Timestamp>,
        to: Option<Timestamp>,
        channel: Option<GqlSalesChannel>,
        #[graphql(default)] period: RefundPeriod,
        consistent_with: Option<Int64>,
    ) -> GqlResult<ReturnAnalytics> {
        authorize(ctx, Permission::ReadReturns)?;
        let services = services(ctx)?;
        wait_all(
            services,
            &[returns::NAME, returns::REFUNDS_NAME, orders::NAME],
            opt_i64(consistent_with),
        )
        .await?;
        let filter = AnalyticsFilter {
            from: from.map(Timestamp::utc),
            to: to.map(Timestamp::utc),
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
        from: Option<Timestamp>,
        to: Option<Timestamp>,
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
