//! GraphQL output types for orders, converted from the read model.

use crate::graphql::scalars::{Int64, MinorUnits};
use async_graphql::{Json, SimpleObject};
use waybill_domain::order::{AppliedPromotion, PromotionRequest};
use waybill_projections::orders::OrderView;

use super::enums::{GqlOrderStatus, GqlPaymentState, GqlSalesChannel};
use super::pricing::{line_money, LineDiscountView, LinePromotionShare};
use crate::error::AppError;
use crate::privacy;

use crate::graphql::timestamp::Timestamp;

#[derive(SimpleObject)]
pub struct OrderLineView {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price: MinorUnits,
    pub line_total: MinorUnits,
    /// The discounts allocated to this line (sum of `discounts`).
    pub discount: MinorUnits,
    /// What the buyer paid for the line: `lineTotal − discount`. A unit's refundable
    /// value is its share of this (see README, refunds at the price paid).
    pub paid: MinorUnits,
    /// This line's share of each promotion.
    pub discounts: Vec<LinePromotionShare>,
    /// Units shipped so far.
    pub fulfilled_quantity: i64,
}

/// One amendment of the order: what changed, why, and who.
#[derive(SimpleObject)]
pub struct OrderAmendment {
    /// `shipping_address`, `delivery` or `lines`.
    pub kind: String,
    pub reason: String,
    pub actor_key_id: Option<String>,
    pub actor_role: Option<String>,
    /// The order stream's version the amendment was recorded at (for time travel).
    pub version: Int64,
    pub at: Timestamp,
}

/// One promotion and the exact amount it took off.
#[derive(SimpleObject)]
pub struct PromotionView {
    /// member_price, percentage_discount, threshold_reduction, fixed_coupon, points_redemption.
    pub kind: String,
    /// Campaign name, coupon code, SKU or points, depending on the kind.
    pub label: String,
    pub amount_off: MinorUnits,
    /// The promotion's parameters as requested.
    pub parameters: Json<serde_json::Value>,
    /// How the amount is split over the lines; the shares sum exactly to `amountOff`.
    pub allocation: Vec<LineDiscountView>,
}

#[derive(SimpleObject)]
pub struct OrderTotalsView {
    pub subtotal: MinorUnits,
    pub discount: MinorUnits,
    pub shipping_fee: MinorUnits,
    pub grand_total: MinorUnits,
    /// The discount broken down by promotion, in application order.
    pub by_promotion: Vec<PromotionView>,
}

#[derive(SimpleObject)]
pub struct PaymentView {
    pub state: GqlPaymentState,
    pub authorised: MinorUnits,
    pub captured: MinorUnits,
    pub outstanding: MinorUnits,
    /// Sum of all refunds.
    pub refunded: MinorUnits,
    /// captured − refunded: what the merchant keeps.
    pub net_paid: MinorUnits,
}

/// Money paid back on the order; `returnId` names the return it settles, if any.
#[derive(SimpleObject)]
pub struct OrderRefund {
    pub amount: MinorUnits,
    pub method: String,
    pub reference: String,
    pub return_id: Option<String>,
    pub at: Timestamp,
}

#[derive(SimpleObject)]
#[graphql(complex)] // `returns`: graphql::returns::types
pub struct Order {
    pub id: String,
    pub channel: GqlSalesChannel,
    pub external_number: String,
    pub customer_id: String,
    pub status: GqlOrderStatus,
    pub payment: PaymentView,
    pub warehouse_id: Option<String>,
    /// ISO 4217; every amount on the order is in its minor units.
    pub currency: String,
    pub lines: Vec<OrderLineView>,
    /// `waybill` (own web shop, app: Waybill's rules) or `channel` (the channel's amounts,
    /// recorded as facts).
    pub priced_by: String,
    pub totals: OrderTotalsView,
    /// Owed back to the customer after a cancellation of a paid order.
    pub refund_owed: MinorUnits,
    /// Every refund, oldest first.
    pub refunds: Vec<OrderRefund>,
    pub shipment_references: Vec<String>,
    pub open_anomalies: Vec<String>,
    pub cancel_reason: Option<String>,
    pub shipping_address: Json<serde_json::Value>,
    pub delivery: Json<serde_json::Value>,
    pub placed_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    /// Stream version this view reflects.
    pub version: Int64,
    /// Address and delivery changes and line amendments, oldest first.
    pub amendments: Vec<OrderAmendment>,
}

fn label_of(promotion: &PromotionRequest) -> String {
    match promotion {
        PromotionRequest::MemberPrice { sku, .. } => sku.to_string(),
        PromotionRequest::PercentageDiscount { name, .. }
        | PromotionRequest::ThresholdReduction { name, .. } => name.clone(),
        PromotionRequest::FixedCoupon { code, .. } => code.clone(),
        PromotionRequest::PointsRedemption { points, .. } => format!("{points} points"),
    }
}

fn promotion_view(p: AppliedPromotion) -> PromotionView {
    PromotionView {
        kind: p.promotion.kind_code().to_string(),
        label: label_of(&p.promotion),
        amount_off: MinorUnits(p.amount_off_minor),
        parameters: Json(serde_json::to_value(&p.promotion).unwrap_or_default()),
        allocation: p
            .allocation
            .into_iter()
            .map(|a| LineDiscountView {
                sku: a.sku.to_string(),
                amount: a.amount_minor.into(),
            })
            .collect(),
    }
}

impl Order {
    /// The order as `role` may see it: the only way to build one, so no path can skip the
    /// mask (see `crate::privacy`).
    pub fn seen_by(view: OrderView, role: crate::auth::Role) -> Result<Order, AppError> {
        let audience = privacy::Audience::of(role);
        Ok(Order::from_view(privacy::view(
            audience,
            privacy::ReadModel::Order,
            view,
        )?))
    }

    fn from_view(v: OrderView) -> Order {
        let lines = v
            .lines
            .iter()
            .map(|l| {
                let money = line_money(l, &v.promotions, label_of);
                OrderLineView {
                    sku: l.sku.to_string(),
                    name: l.name.clone(),
                    quantity: i64::from(l.quantity.get()),
                    unit_price: MinorUnits(l.unit_price_minor),
                    line_total: MinorUnits(l.line_total_minor().unwrap_or(i64::MAX)),
                    discount: money.discount.into(),
                    paid: money.paid.into(),
                    discounts: money.shares,
                    fulfilled_quantity: i64::from(
                        v.fulfilled.get(l.sku.as_str()).copied().unwrap_or(0),
                    ),
                }
            })
            .collect();
        Order {
            id: v.order_id,
            channel: GqlSalesChannel::from_code(&v.channel).unwrap_or(GqlSalesChannel::OwnWebShop),
            external_number: v.external_number,
            customer_id: v.customer_id,
            status: GqlOrderStatus::from_code(&v.status).unwrap_or(GqlOrderStatus::Placed),
            payment: PaymentView {
                state: GqlPaymentState::from_code(&v.payment_state)
                    .unwrap_or(GqlPaymentState::Unpaid),
                authorised: MinorUnits(v.authorised_minor),
                captured: MinorUnits(v.captured_minor),
                outstanding: MinorUnits((v.totals.grand_total_minor - v.captured_minor).max(0)),
                refunded: MinorUnits(v.refunded_minor),
                net_paid: MinorUnits(v.captured_minor - v.refunded_minor),
            },
            warehouse_id: v.warehouse_id,
            currency: v.currency,
            lines,
            priced_by: v.priced_by,
            totals: OrderTotalsView {
                subtotal: MinorUnits(v.totals.subtotal_minor),
                discount: MinorUnits(v.totals.discount_minor),
                shipping_fee: MinorUnits(v.totals.shipping_fee_minor),
                grand_total: MinorUnits(v.totals.grand_total_minor),
                by_promotion: v.promotions.into_iter().map(promotion_view).collect(),
            },
            refund_owed: MinorUnits(v.refund_owed_minor),
            refunds: v
                .refunds
                .into_iter()
                .map(|r| OrderRefund {
                    amount: MinorUnits(r.amount_minor),
                    method: r.method,
                    reference: r.reference,
                    return_id: r.return_id,
                    at: r.at.into(),
                })
                .collect(),
            shipment_references: v.shipment_references,
            open_anomalies: v.open_anomalies,
            cancel_reason: v.cancel_reason,
            shipping_address: Json(v.shipping_address),
            delivery: Json(v.delivery),
            placed_at: v.placed_at.into(),
            delivered_at: v.delivered_at.map(Timestamp::from),
            completed_at: v.completed_at.map(Timestamp::from),
            cancelled_at: v.cancelled_at.map(Timestamp::from),
            updated_at: v.updated_at.into(),
            version: Int64(v.version),
            amendments: v
                .amendments
                .into_iter()
                .map(|a| OrderAmendment {
                    kind: a.kind,
                    reason: a.reason,
                    actor_key_id: a.actor_key_id,
                    actor_role: a.actor_role,
                    version: Int64(a.version),
                    at: a.at.into(),
                })
                .collect(),
        }
    }
}
