//! Customer analytics at query time: Customer 360 order figures, RFM over the whole base,
//! lifecycle stage, churn signals and CLV.
//!
//! Approach: [`load_base`] reads every customer document, every order (`rm_orders`, grouped by
//! its `customer_id` column) and every case (`rm_cases`); [`insights`] then calls the pure
//! `waybill_domain::crm` functions. RFM quintiles are relative to the whole base, so they can
//! only be computed over all customers at once; with the base in memory that is one pass.
//! Cancelled orders do not count; refunds come from the orders' `RefundRecorded` totals.
//! Dates are local dates in the configured offset (+08:00 by default).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use sqlx::types::Json;
use waybill_domain::crm::{
    churn_signals, historical_clv, lifecycle_stage, predictive_clv, score_rfm, ChurnInput,
    ChurnReason, ChurnRules, ClvOrder, ClvParams, LifecycleRules, LifecycleStage, OrderFact,
    PredictiveClv, PurchaseSummary, RfmInput, RfmScore,
};
use waybill_domain::ids::CustomerId;

use super::view::CustomerView;
use crate::cases::CaseView;
use crate::db::{Db, DbError};
use crate::orders::OrderView;
use crate::with_db;

/// Tunables for the analytics; `as_of` is the day they are computed for.
#[derive(Clone, Debug)]
pub struct CrmParams {
    pub as_of: NaiveDate,
    pub offset: FixedOffset,
    pub rfm_window_days: u32,
    pub lifecycle: LifecycleRules,
    pub churn: ChurnRules,
    pub clv: ClvParams,
}

impl CrmParams {
    pub fn new(as_of: NaiveDate, offset: FixedOffset, rfm_window_days: u32) -> CrmParams {
        CrmParams {
            as_of,
            offset,
            rfm_window_days,
            lifecycle: LifecycleRules::default(),
            churn: ChurnRules::default(),
            clv: ClvParams::default(),
        }
    }

    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.offset).date_naive()
    }
}

/// Order figures for the Customer 360.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OrderStats {
    pub orders: u32,
    pub spend_minor: i64,
    pub refunded_minor: i64,
    pub net_minor: i64,
    pub aov_minor: Option<i64>,
    pub first_order_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    pub refunds: u32,
}

/// Everything computed about one customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Insight {
    pub customer_id: String,
    pub stats: OrderStats,
    pub rfm: Option<RfmScore>,
    pub stage: LifecycleStage,
    pub churn: Vec<ChurnReason>,
    pub historical_clv_minor: i64,
    pub predictive_clv: Option<PredictiveClv>,
    pub open_cases: u32,
    pub breached_cases: u32,
    pub deliveries: DeliveryStats,
}

/// The customer's outbound shipments and what went wrong with them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DeliveryStats {
    pub shipments: u32,
    pub delivered: u32,
    /// Delivered after the promise, or still underway past it.
    pub late: u32,
    /// Shipments with at least one failed delivery attempt.
    pub failed_attempts: u32,
    pub exceptions: u32,
}

/// The rows analytics run over.
#[derive(Default)]
pub struct Base {
    pub customers: Vec<CustomerView>,
    pub orders: HashMap<String, Vec<OrderView>>,
    pub cases: HashMap<String, Vec<CaseView>>,
    pub deliveries: HashMap<String, DeliveryStats>,
}

pub async fn load_base(db: &Db) -> Result<Base, DbError> {
    let customers = super::list(db, &super::CustomerFilter::default()).await?;
    let sql = format!(
        "SELECT doc FROM {} WHERE status <> 'cancelled'",
        crate::orders::TABLE
    );
    let rows: Vec<Json<OrderView>> =
        with_db!(db, read pool => sqlx::query_scalar(&sql).fetch_all(pool).await?);
    let mut orders: HashMap<String, Vec<OrderView>> = HashMap::new();
    for Json(o) in rows {
        orders.entry(o.customer_id.clone()).or_default().push(o);
    }
    let sql = format!("SELECT doc FROM {}", crate::cases::TABLE);
    let rows: Vec<Json<CaseView>> =
        with_db!(db, read pool => sqlx::query_scalar(&sql).fetch_all(pool).await?);
    let mut cases: HashMap<String, Vec<CaseView>> = HashMap::new();
    for Json(c) in rows {
        cases.entry(c.customer_id.clone()).or_default().push(c);
    }
    let customer_of: HashMap<&str, &str> = orders
        .iter()
        .flat_map(|(c, os)| os.iter().map(move |o| (o.order_id.as_str(), c.as_str())))
        .collect();
    let sql = format!(
        "SELECT doc FROM {} WHERE direction = 'outbound'",
        crate::shipments::TABLE
    );
    let rows: Vec<Json<crate::shipments::ShipmentView>> =
        with_db!(db, read pool => sqlx::query_scalar(&sql).fetch_all(pool).await?);
    let now = Utc::now();
    let mut deliveries: HashMap<String, DeliveryStats> = HashMap::new();
    for Json(s) in rows {
        let Some(customer) = customer_of.get(s.order_id.as_str()) else {
            continue;
        };
        let d = deliveries.entry((*customer).to_string()).or_default();
        d.shipments += 1;
        d.delivered += u32::from(s.delivered_at.is_some());
        let late = match (s.delivered_at, s.promised_delivery_by) {
            (Some(at), Some(promise)) => at > promise,
            (None, Some(promise)) => s.active && promise < now,
            _ => false,
        };
        d.late += u32::from(late);
        d.failed_attempts += u32::from(s.failed_attempts > 0);
        d.exceptions += u32::from(s.had_exception);
    }
    Ok(Base {
        customers,
        orders,
        cases,
        deliveries,
    })
}

/// Returns (RMAs) raised on the customer's orders.
pub async fn returns_count(db: &Db, customer_id: &str) -> Result<i64, DbError> {
    let sql = "SELECT COUNT(*) FROM rm_returns WHERE order_id IN (SELECT id FROM rm_orders WHERE customer_id = $1)";
    Ok(with_db!(db, read pool => sqlx::query_scalar(sql).bind(customer_id).fetch_one(pool).await?))
}

pub fn order_stats(orders: &[OrderView]) -> OrderStats {
    let mut s = OrderStats::default();
    for o in orders {
        s.orders += 1;
        // Saturating: amounts come from channels, and a wrapped sum would show a customer
        // with a huge spend as a huge debtor.
        s.spend_minor = s.spend_minor.saturating_add(o.totals.grand_total_minor);
        s.refunded_minor = s.refunded_minor.saturating_add(o.refunded_minor);
        s.refunds += u32::try_from(o.refunds.len()).unwrap_or(u32::MAX);
        s.first_order_at = Some(s.first_order_at.map_or(o.placed_at, |f| f.min(o.placed_at)));
        s.last_order_at = Some(s.last_order_at.map_or(o.placed_at, |l| l.max(o.placed_at)));
    }
    s.net_minor = s.spend_minor.saturating_sub(s.refunded_minor);
    s.aov_minor = (s.orders > 0).then(|| s.spend_minor / i64::from(s.orders));
    s
}

/// Insights for every customer in the base, keyed by customer id.
pub fn insights(base: &Base, p: &CrmParams) -> BTreeMap<String, Insight> {
    let no_orders = Vec::new();
    let no_cases = Vec::new();
    let dated = |orders: &[OrderView]| -> Vec<(NaiveDate, i64)> {
        orders
            .iter()
            .map(|o| {
                (
                    p.local_date(o.placed_at),
                    o.totals.grand_total_minor.saturating_sub(o.refunded_minor),
                )
            })
            .collect()
    };
    let rfm_inputs: Vec<RfmInput> = base
        .customers
        .iter()
        .filter_map(|c| {
            let id = CustomerId::parse(&c.customer_id).ok()?;
            let orders = base.orders.get(&c.customer_id)?;
            RfmInput::from_orders(id, &dated(orders), p.as_of, p.rfm_window_days)
        })
        .collect();
    let scores: HashMap<String, RfmScore> = score_rfm(&rfm_inputs, p.as_of)
        .into_iter()
        .map(|s| (s.customer_id.to_string(), s))
        .collect();
    let window_start = p.as_of - chrono::Days::new(u64::from(p.churn.window_days));
    base.customers
        .iter()
        .map(|c| {
            let orders = base.orders.get(&c.customer_id).unwrap_or(&no_orders);
            let cases = base.cases.get(&c.customer_id).unwrap_or(&no_cases);
            let deliveries = base
                .deliveries
                .get(&c.customer_id)
                .cloned()
                .unwrap_or_default();
            let stats = order_stats(orders);
            let dates: Vec<(NaiveDate, i64)> = dated(orders);
            let rfm = scores.get(&c.customer_id).cloned();
            let stage = lifecycle_stage(
                &dates.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
                p.as_of,
                &p.lifecycle,
            );
            let open_cases = cases
                .iter()
                .filter(|k| k.status == "open" || k.status == "waiting_on_customer")
                .count();
            let breached_cases = cases.iter().filter(|k| k.breaches() > 0).count();
            let recent: Vec<_> = orders
                .iter()
                .flat_map(|o| o.refunds.iter())
                .filter(|r| p.local_date(r.at) >= window_start)
                .collect();
            let last_nps = c
                .nps
                .iter()
                .map(|n| (n.at, n.score))
                .chain(
                    cases
                        .iter()
                        .filter_map(|k| k.nps.map(|s| (k.updated_at, s))),
                )
                .max_by_key(|(at, _)| *at)
                .map(|(_, s)| s);
            let last_csat = cases
                .iter()
                .filter_map(|k| k.csat.map(|s| (k.updated_at, s)))
                .max_by_key(|(at, _)| *at)
                .map(|(_, s)| s);
            let input = ChurnInput {
                orders: dates
                    .iter()
                    .map(|(date, net)| OrderFact {
                        date: *date,
                        net_minor: *net,
                    })
                    .collect(),
                segment: rfm.as_ref().map(|r| r.segment),
                open_cases: u32::try_from(open_cases).unwrap_or(u32::MAX),
                breached_cases: u32::try_from(breached_cases).unwrap_or(u32::MAX),
                late_deliveries: deliveries.late,
                failed_deliveries: deliveries.failed_attempts,
                recent_refunds: u32::try_from(recent.len()).unwrap_or(u32::MAX),
                recent_refunded_minor: recent
                    .iter()
                    .fold(0, |sum, r| sum.saturating_add(r.amount_minor)),
                last_nps,
                last_csat,
            };
            let clv_orders: Vec<ClvOrder> = orders
                .iter()
                .map(|o| ClvOrder {
                    revenue_minor: o.totals.grand_total_minor,
                    refunded_minor: o.refunded_minor,
                    cost_minor: None,
                })
                .collect();
            let predictive = stats.first_order_at.and_then(|first| {
                let summary = PurchaseSummary {
                    net_revenue_minor: stats.net_minor,
                    orders: stats.orders,
                    first_order: p.local_date(first),
                };
                predictive_clv(&summary, p.as_of, &p.clv).ok()
            });
            let insight = Insight {
                customer_id: c.customer_id.clone(),
                churn: churn_signals(&input, p.as_of, &p.churn),
                historical_clv_minor: historical_clv(&clv_orders, p.clv.margin_bps).unwrap_or(0),
                predictive_clv: predictive,
                stats,
                rfm,
                stage,
                open_cases: input.open_cases,
                breached_cases: input.breached_cases,
                deliveries,
            };
            (c.customer_id.clone(), insight)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use waybill_domain::order::sample::{sample_order_placed, sample_placed_at};

    fn order(grand_total_minor: i64, refunded_minor: i64) -> OrderView {
        let placed = sample_order_placed();
        let event = crate::log::StoredEvent {
            position: 1,
            tx_id: 0,
            event_id: "e1".into(),
            aggregate_type: "Order".into(),
            aggregate_id: "o-1".into(),
            sequence: 1,
            event_type: placed.name().into(),
            event_version: "1.0".into(),
            stored_version: "1.0".into(),
            payload: serde_json::to_value(&placed).expect("payload"),
            metadata: serde_json::json!({}),
            recorded_at: sample_placed_at(),
            hash: None,
        };
        let mut view = crate::orders::apply(None, &event)
            .expect("applies")
            .expect("a document");
        view.totals.grand_total_minor = grand_total_minor;
        view.refunded_minor = refunded_minor;
        view
    }

    /// Each order's total is bounded by the domain; the sum over a customer's orders is not,
    /// and must saturate instead of wrapping to a negative spend in release builds.
    #[test]
    fn spend_over_orders_near_i64_max_saturates_instead_of_wrapping() {
        let stats = order_stats(&[order(i64::MAX - 10, 0), order(i64::MAX - 10, 0)]);
        assert_eq!(stats.spend_minor, i64::MAX);
        assert_eq!(stats.net_minor, i64::MAX);
        assert!(stats.aov_minor.is_some_and(|aov| aov > 0));
    }

    #[test]
    fn refunds_near_i64_max_saturate_too() {
        let stats = order_stats(&[order(5, i64::MAX), order(5, i64::MAX)]);
        assert_eq!(stats.refunded_minor, i64::MAX);
        assert_eq!(stats.net_minor, 10 - i64::MAX);
    }
}
