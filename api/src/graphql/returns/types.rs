//! GraphQL output types for returns, refunds, queues and analytics, converted from the read
//! models.

use crate::graphql::scalars::{Int64, MinorUnits};
use async_graphql::{ComplexObject, Context, SimpleObject};
use chrono::{DateTime, Utc};
use waybill_projections::orders;
use waybill_projections::returns::analytics::{RateRow, RefundBucket, ResolutionTimes, Totals};
use waybill_projections::returns::{
    self, QueueStage, ReturnFilter, ReturnRecord, ReturnView, WarehouseQueue,
};

use super::enums::{
    GqlInspectionDecision, GqlItemCondition, GqlRefundPolicy, GqlResolution, GqlReturnOutcome,
    GqlReturnReason, GqlReturnStage, GqlReturnStatus, GqlReviewDecision,
};
use crate::auth::Permission;
use crate::error::AppError;
use crate::graphql::context::{authorize, services};
use crate::graphql::error::GqlResult;
use crate::graphql::orders::{GqlSalesChannel, Order};
use crate::graphql::timestamp::Timestamp;

#[derive(SimpleObject)]
pub struct ReturnLineNode {
    pub sku: String,
    /// Requested units.
    pub quantity: i64,
    /// Paid unit price (minor units).
    pub unit_price: MinorUnits,
    /// Null until the parcel is counted.
    pub received_quantity: Option<i64>,
    pub damaged_quantity: i64,
    pub restocked_quantity: i64,
    pub written_off_quantity: i64,
    /// Units coming back: requested until received, then received.
    pub returned_quantity: i64,
}

#[derive(SimpleObject)]
pub struct ReturnReview {
    pub decision: GqlReviewDecision,
    pub agent: String,
    /// The approval note, or the reason for the rejection.
    pub note: Option<String>,
    pub at: Timestamp,
}

#[derive(SimpleObject)]
pub struct ReturnLogistics {
    /// `label` (the customer ships with a carrier) or `drop_off` (at a pickup point).
    pub kind: String,
    /// The reverse shipment the label belongs to.
    pub reverse_shipment_id: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub pickup_point_id: Option<String>,
    pub at: Timestamp,
}

#[derive(SimpleObject)]
pub struct ReturnReceipt {
    pub warehouse_id: String,
    pub staff: String,
    /// Every requested unit arrived.
    pub complete: bool,
    pub at: Timestamp,
}

#[derive(SimpleObject)]
pub struct InspectedLine {
    pub sku: String,
    pub condition: GqlItemCondition,
    pub decision: GqlInspectionDecision,
    pub quantity: i64,
}

#[derive(SimpleObject)]
pub struct ReturnInspection {
    pub warehouse_id: String,
    pub lines: Vec<InspectedLine>,
    pub inspector: String,
    pub at: Timestamp,
}

/// A refund paid for the return; the order shows the same reference with this return's id.
#[derive(SimpleObject)]
pub struct ReturnRefund {
    pub amount: MinorUnits,
    pub include_shipping: bool,
    pub method: String,
    pub reference: String,
    pub policy: GqlRefundPolicy,
    pub agent: String,
    pub at: Timestamp,
}

#[derive(SimpleObject)]
pub struct ExchangeLine {
    pub sku: String,
    pub quantity: i64,
}

#[derive(SimpleObject)]
pub struct ReturnExchange {
    /// The outbound shipment with the replacement.
    pub replacement_shipment_id: String,
    pub lines: Vec<ExchangeLine>,
    pub agent: String,
    pub at: Timestamp,
}

#[derive(SimpleObject)]
pub struct ReturnRepair {
    pub vendor: String,
    /// sent_for_repair, repaired or returned_to_customer.
    pub stage: String,
    pub sent_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub returned_at: Option<Timestamp>,
    /// The shipment taking the repaired item back.
    pub shipment_id: Option<String>,
}

/// One step of the return: what happened, who did it (person and API key), when, and under
/// which correlation id (see `correlatedEvents`).
#[derive(SimpleObject)]
pub struct ReturnStep {
    pub sequence: i64,
    pub event_type: String,
    /// The agent, staff member, inspector or repair vendor named in the event.
    pub actor: Option<String>,
    pub actor_key_id: Option<String>,
    pub actor_role: Option<String>,
    pub correlation_id: Option<String>,
    /// Business time of the step.
    pub at: Timestamp,
    pub recorded_at: Timestamp,
}

/// A return (RMA) as the read model shows it. Money is in the order's minor units.
#[derive(SimpleObject)]
#[graphql(name = "Return", complex)]
pub struct ReturnNode {
    pub id: String,
    pub order_id: String,
    pub channel: Option<GqlSalesChannel>,
    pub reason: Option<GqlReturnReason>,
    pub requested_resolution: Option<GqlResolution>,
    pub status: Option<GqlReturnStatus>,
    pub stage: GqlReturnStage,
    /// When the return entered its current stage.
    pub stage_since: Timestamp,
    /// Where the goods were received, or until then the warehouse that shipped the order.
    pub warehouse_id: Option<String>,
    pub photo_refs: Vec<String>,
    pub lines: Vec<ReturnLineNode>,
    /// The requested lines at their paid prices.
    pub return_value: MinorUnits,
    /// The order's shipping fee, refundable when an agent includes it.
    pub shipping_fee: MinorUnits,
    /// The order's captured and refunded totals when the return was requested.
    pub order_captured_at_request: MinorUnits,
    pub order_refunded_at_request: MinorUnits,
    pub delivered_at: Timestamp,
    pub window_days: i64,
    pub window_closes_at: Option<Timestamp>,
    pub review: Option<ReturnReview>,
    pub logistics: Option<ReturnLogistics>,
    pub receipt: Option<ReturnReceipt>,
    pub inspection: Option<ReturnInspection>,
    pub refunds: Vec<ReturnRefund>,
    /// Sum of this return's refunds.
    pub refunded: MinorUnits,
    pub shipping_refunded: bool,
    /// The resolution started, if any.
    pub resolution: Option<GqlResolution>,
    pub exchange: Option<ReturnExchange>,
    pub repair: Option<ReturnRepair>,
    pub outcome: Option<GqlReturnOutcome>,
    pub requested_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub timeline: Vec<ReturnStep>,
    pub updated_at: Timestamp,
    /// Stream version this view reflects.
    pub version: Int64,
}

#[ComplexObject]
impl ReturnNode {
    /// Seconds since the request, at query time.
    async fn age_seconds(&self) -> i64 {
        (Utc::now() - self.requested_at.utc()).num_seconds().max(0)
    }

    /// Seconds in the current stage, at query time.
    async fn in_stage_seconds(&self) -> i64 {
        (Utc::now() - self.stage_since.utc()).num_seconds().max(0)
    }

    /// The order the goods were bought on.
    async fn order(&self, ctx: &Context<'_>) -> GqlResult<Option<Order>> {
        let role = authorize(ctx, Permission::ReadOrders)?.role;
        let services = services(ctx)?;
        Ok(orders::get(&services.db, &self.order_id)
            .await
            .map_err(AppError::from)?
            .map(|o| Order::seen_by(o, role))
            .transpose()?)
    }
}

fn qty(v: u32) -> i64 {
    i64::from(v)
}

impl From<ReturnRecord> for ReturnNode {
    fn from(record: ReturnRecord) -> Self {
        let ReturnRecord { view, warehouse_id } = record;
        let resolution = view.resolution().and_then(GqlResolution::from_code);
        let ReturnView {
            return_id,
            order_id,
            channel,
            reason,
            requested_resolution,
            photo_refs,
            lines,
            return_value_minor,
            shipping_fee_minor,
            order_captured_minor,
            order_refunded_minor,
            delivered_at,
            window_days,
            window_closes_at,
            status,
            stage,
            stage_since,
            review,
            logistics,
            receipt,
            inspection,
            refunds,
            refunded_minor,
            shipping_refunded,
            exchange,
            repair,
            outcome,
            requested_at,
            resolved_at,
            closed_at,
            timeline,
            updated_at,
            version,
        } = view;
        ReturnNode {
            id: return_id,
            order_id,
            channel: GqlSalesChannel::from_code(&channel),
            reason: GqlReturnReason::from_code(&reason),
            requested_resolution: GqlResolution::from_code(&requested_resolution),
            status: GqlReturnStatus::from_code(&status),
            stage: stage.into(),
            stage_since: stage_since.into(),
            warehouse_id,
            photo_refs,
            lines: lines
                .into_iter()
                .map(|l| ReturnLineNode {
                    sku: l.sku,
                    quantity: qty(l.quantity),
                    unit_price: MinorUnits(l.unit_price_minor),
                    received_quantity: l.received_qty.map(qty),
                    damaged_quantity: qty(l.damaged_qty),
                    restocked_quantity: qty(l.restocked_qty),
                    written_off_quantity: qty(l.written_off_qty),
                    returned_quantity: qty(l.returned_qty),
                })
                .collect(),
            return_value: MinorUnits(return_value_minor),
            shipping_fee: MinorUnits(shipping_fee_minor),
            order_captured_at_request: MinorUnits(order_captured_minor),
            order_refunded_at_request: MinorUnits(order_refunded_minor),
            delivered_at: delivered_at.into(),
            window_days: i64::from(window_days),
            window_closes_at: window_closes_at.map(Timestamp::from),
            review: review.map(|r| ReturnReview {
                decision: GqlReviewDecision::from_code(&r.decision)
                    .unwrap_or(GqlReviewDecision::Rejected),
                agent: r.agent,
                note: r.note,
                at: r.at.into(),
            }),
            logistics: logistics.map(|l| ReturnLogistics {
                kind: l.kind,
                reverse_shipment_id: l.reverse_shipment_id,
                carrier: l.carrier,
                tracking_number: l.tracking_number,
                pickup_point_id: l.pickup_point_id,
                at: l.at.into(),
            }),
            receipt: receipt.map(|r| ReturnReceipt {
                warehouse_id: r.warehouse_id,
                staff: r.staff,
                complete: r.complete,
                at: r.at.into(),
            }),
            inspection: inspection.map(|i| ReturnInspection {
                warehouse_id: i.warehouse_id,
                lines: i
                    .lines
                    .into_iter()
                    .filter_map(|l| {
                        Some(InspectedLine {
                            condition: GqlItemCondition::from_code(&l.condition)?,
                            decision: GqlInspectionDecision::from_code(&l.decision)?,
                            sku: l.sku,
                            quantity: qty(l.quantity),
                        })
                    })
                    .collect(),
                inspector: i.inspector,
                at: i.at.into(),
            }),
            refunds: refunds
                .into_iter()
                .map(|r| ReturnRefund {
                    amount: MinorUnits(r.amount_minor),
                    include_shipping: r.include_shipping,
                    method: r.method,
                    reference: r.reference,
                    policy: GqlRefundPolicy::from_code(&r.policy)
                        .unwrap_or(GqlRefundPolicy::AfterReceipt),
                    agent: r.agent,
                    at: r.at.into(),
                })
                .collect(),
            refunded: MinorUnits(refunded_minor),
            shipping_refunded,
            resolution,
            exchange: exchange.map(|e| ReturnExchange {
                replacement_shipment_id: e.replacement_shipment_id,
                lines: e
                    .lines
                    .into_iter()
                    .map(|l| ExchangeLine {
                        sku: l.sku,
                        quantity: qty(l.quantity),
                    })
                    .collect(),
                agent: e.agent,
                at: e.at.into(),
            }),
            repair: repair.map(|r| ReturnRepair {
                vendor: r.vendor,
                stage: r.stage,
                sent_at: r.sent_at.into(),
                completed_at: r.completed_at.map(Timestamp::from),
                returned_at: r.returned_at.map(Timestamp::from),
                shipment_id: r.shipment_id,
            }),
            outcome: outcome.as_deref().and_then(GqlReturnOutcome::from_code),
            requested_at: requested_at.into(),
            resolved_at: resolved_at.map(Timestamp::from),
            closed_at: closed_at.map(Timestamp::from),
            timeline: timeline
                .into_iter()
                .map(|s| ReturnStep {
                    sequence: s.sequence,
                    event_type: s.event_type,
                    actor: s.actor,
                    actor_key_id: s.actor_key_id,
                    actor_role: s.actor_role,
                    correlation_id: s.correlation_id,
                    at: s.at.into(),
                    recorded_at: s.recorded_at.into(),
                })
                .collect(),
            updated_at: updated_at.into(),
            version: Int64(version),
        }
    }
}

/// Returns on an order, newest first; at most this many are listed on an order.
pub const ORDER_RETURNS_LIMIT: i64 = 100;

#[ComplexObject]
impl Order {
    /// Returns requested against this order, newest first (at most 100).
    async fn returns(&self, ctx: &Context<'_>) -> GqlResult<Vec<ReturnNode>> {
        authorize(ctx, Permission::ReadReturns)?;
        let services = services(ctx)?;
        let filter = ReturnFilter {
            order_id: Some(self.id.clone()),
            ..Default::default()
        };
        let page = returns::list(&services.db, &filter, ORDER_RETURNS_LIMIT, None)
            .await
            .map_err(AppError::from)?;
        Ok(page.returns.into_iter().map(ReturnNode::from).collect())
    }
}

/// One work queue of a warehouse; ages are at query time.
#[derive(SimpleObject)]
pub struct ReturnQueueStage {
    pub count: i64,
    /// When the longest-waiting return entered this queue.
    pub oldest_since: Option<Timestamp>,
    pub oldest_age_seconds: Option<i64>,
    pub average_age_seconds: Option<i64>,
}

impl ReturnQueueStage {
    fn at(stage: &QueueStage, now: DateTime<Utc>) -> Self {
        ReturnQueueStage {
            count: stage.count,
            oldest_since: stage.oldest_since.map(Timestamp::from),
            oldest_age_seconds: stage.oldest_age_seconds(now),
            average_age_seconds: stage.average_age_seconds(now),
        }
    }
}

/// After-sales work waiting at one warehouse. List the returns themselves with
/// `returns(filter: {warehouseId, stage})`.
#[derive(SimpleObject)]
pub struct ReturnQueue {
    /// Null for returns whose order never named a warehouse.
    pub warehouse_id: Option<String>,
    /// Approved; goods on their way back.
    pub awaiting_receipt: ReturnQueueStage,
    /// Received; restock or write-off not decided yet.
    pub awaiting_inspection: ReturnQueueStage,
    /// Inspected (or out for repair); no refund, exchange or repaired item back yet.
    pub awaiting_resolution: ReturnQueueStage,
}

impl ReturnQueue {
    pub fn at(queue: &WarehouseQueue, now: DateTime<Utc>) -> Self {
        ReturnQueue {
            warehouse_id: queue.warehouse_id.clone(),
            awaiting_receipt: ReturnQueueStage::at(&queue.awaiting_receipt, now),
            awaiting_inspection: ReturnQueueStage::at(&queue.awaiting_inspection, now),
            awaiting_resolution: ReturnQueueStage::at(&queue.awaiting_resolution, now),
        }
    }
}

/// One row of a return-rate breakdown: `returns` (and their `units`) out of `base`.
#[derive(SimpleObject)]
pub struct ReturnRate {
    /// The SKU, reason code, channel code or carrier.
    pub key: String,
    /// Returns (not rejected) in the row.
    pub returns: i64,
    /// Units those returns take back.
    pub units: i64,
    /// The denominator: ordered units (by SKU), orders (by channel and reason) or labelled
    /// returns (by carrier).
    pub base: i64,
    /// units / base by SKU, returns / base otherwise; null when base is 0.
    pub rate: Option<f64>,
}

/// Rates are ratios of counts (never money), so a float is fine here.
fn ratio(numerator: i64, base: i64) -> Option<f64> {
    (base > 0).then(|| numerator as f64 / base as f64)
}

impl ReturnRate {
    pub fn of_returns(row: RateRow) -> Self {
        ReturnRate {
            rate: ratio(row.returns, row.base),
            key: row.key,
            returns: row.returns,
            units: row.units,
            base: row.base,
        }
    }

    pub fn of_units(row: RateRow) -> Self {
        ReturnRate {
            rate: ratio(row.units, row.base),
            key: row.key,
            returns: row.returns,
            units: row.units,
            base: row.base,
        }
    }
}

#[derive(SimpleObject)]
pub struct ReturnTotals {
    /// Orders placed in the period (not cancelled).
    pub orders: i64,
    pub ordered_units: i64,
    /// Returns requested in the period (not rejected).
    pub returns: i64,
    pub returned_units: i64,
    /// Return requests rejected.
    pub rejected: i64,
    /// returns / orders.
    pub return_rate: Option<f64>,
    /// returnedUnits / orderedUnits.
    pub unit_return_rate: Option<f64>,
    /// What those returns have refunded so far (minor units, mixed currencies are not
    /// separated here; see `refundTotals`).
    pub refunded_by_returns: MinorUnits,
}

impl From<Totals> for ReturnTotals {
    fn from(t: Totals) -> Self {
        ReturnTotals {
            return_rate: ratio(t.returns, t.orders),
            unit_return_rate: ratio(t.returned_units, t.ordered_units),
            orders: t.orders,
            ordered_units: t.ordered_units,
            returns: t.returns,
            returned_units: t.returned_units,
            rejected: t.rejected,
            refunded_by_returns: MinorUnits(t.refunded_minor_by_returns),
        }
    }
}

/// Refunds recorded on orders in one period, per currency.
#[derive(SimpleObject)]
pub struct RefundTotal {
    /// First day of the period (YYYY-MM-DD, UTC; weeks start on Monday).
    pub period_start: String,
    pub currency: String,
    pub refunds: i64,
    pub amount: MinorUnits,
    /// Of those refunds, how many a return caused.
    pub for_returns: MinorUnits,
}

impl From<RefundBucket> for RefundTotal {
    fn from(b: RefundBucket) -> Self {
        RefundTotal {
            period_start: b.period_start,
            currency: b.currency,
            refunds: b.refunds,
            amount: MinorUnits(b.amount_minor),
            for_returns: MinorUnits(b.for_returns),
        }
    }
}

/// From request to first refund, shipped exchange or repaired item back (nearest-rank
/// percentiles, whole seconds).
#[derive(SimpleObject)]
pub struct ResolutionTime {
    pub resolved: i64,
    pub average_seconds: Option<i64>,
    pub p50_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

impl From<ResolutionTimes> for ResolutionTime {
    fn from(t: ResolutionTimes) -> Self {
        ResolutionTime {
            resolved: t.resolved,
            average_seconds: t.average_seconds,
            p50_seconds: t.p50_seconds,
            p90_seconds: t.p90_seconds,
        }
    }
}

/// Return analytics over one period (returns by request time, orders by placement time,
/// refunds by refund time).
#[derive(SimpleObject)]
pub struct ReturnAnalytics {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub channel: Option<GqlSalesChannel>,
    pub totals: ReturnTotals,
    /// Returned units / ordered units per SKU.
    pub by_sku: Vec<ReturnRate>,
    /// Returns / orders per reason.
    pub by_reason: Vec<ReturnRate>,
    /// Returns / orders per sales channel.
    pub by_channel: Vec<ReturnRate>,
    /// Returns per reverse-shipment carrier (from the return label) / labelled returns.
    pub by_carrier: Vec<ReturnRate>,
    pub refund_totals: Vec<RefundTotal>,
    pub resolution_time: ResolutionTime,
}
