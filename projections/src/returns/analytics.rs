//! Return analytics: SQL aggregates over `rm_returns`, `rm_refunds` and `rm_orders`.
//!
//! Definitions (all over one period and optionally one channel):
//! - A *return* is a return request that was not rejected; its *units* are what it takes
//!   back (requested units until the parcel is counted, received units after).
//! - Returns are counted by `requested_at`, orders by `placed_at`, refunds by their `at`;
//!   cancelled orders are not counted (nothing can come back from them).
//! - Rate by SKU = returned units / ordered units of that SKU.
//! - Rate by channel = returns / orders of that channel.
//! - Rate by reason = returns with that reason / all orders.
//! - By carrier: the carrier of the return label (the reverse shipment), the only carrier a
//!   return knows today; the rate is that carrier's share of labelled returns.
//!   integrate: once outbound shipments carry their carrier (`waybill_domain::shipment`),
//!   rate by the *outbound* carrier = returns / orders shipped by that carrier.
//! - Refund totals count every refund recorded on an order (with or without a return), per
//!   UTC day, ISO week (from Monday) or month, per currency.
//! - Time to resolution runs from the request to the first refund, shipped exchange or
//!   repaired item back with the customer; percentiles are nearest-rank.
//!
//! Most of this is one SQL text on both backends. Two things are not: reading SKUs out of
//! JSON line arrays (`jsonb_array_elements` / `json_each`) and the order's currency out of its
//! document (`->>` / `json_extract`), which branch on the backend.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::refunds::REFUNDS_TABLE;
use super::TABLE;
use crate::db::{Backend, Db, DbError};
use crate::orders::TABLE as ORDERS_TABLE;
use crate::with_db;

#[derive(Clone, Debug, Default)]
pub struct AnalyticsFilter {
    /// Inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
    pub channel: Option<String>,
}

impl AnalyticsFilter {
    fn bounds(&self) -> (Option<i64>, Option<i64>) {
        (
            self.from.map(|t| t.timestamp_micros()),
            self.to.map(|t| t.timestamp_micros()),
        )
    }
}

/// One row of a breakdown: `returns` and `units` out of `base` (see the module docs for
/// what `base` counts in each breakdown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateRow {
    pub key: String,
    pub returns: i64,
    pub units: i64,
    pub base: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Orders placed in the period, cancelled ones excluded.
    pub orders: i64,
    pub ordered_units: i64,
    /// Returns requested in the period, rejected ones excluded.
    pub returns: i64,
    pub returned_units: i64,
    pub rejected: i64,
    pub refunded_minor_by_returns: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    fn column(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundBucket {
    /// First day of the bucket, `YYYY-MM-DD` (UTC).
    pub period_start: String,
    pub currency: String,
    pub refunds: i64,
    pub amount_minor: i64,
    /// Of those, refunds a return caused.
    pub for_returns: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolutionTimes {
    pub resolved: i64,
    pub average_seconds: Option<i64>,
    pub p50_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// Not rejected, requested in the period, in the channel. Binds $1 from, $2 to, $3 channel.
const RETURNS_WHERE: &str = "(review IS NULL OR review <> 'rejected') \
     AND ($1 IS NULL OR requested_at >= $1) AND ($2 IS NULL OR requested_at < $2) \
     AND ($3 IS NULL OR channel = $3)";

/// Not cancelled, placed in the period, in the channel. Binds $1, $2, $3 like the above.
const ORDERS_WHERE: &str = "status <> 'cancelled' \
     AND ($1 IS NULL OR placed_at >= $1) AND ($2 IS NULL OR placed_at < $2) \
     AND ($3 IS NULL OR channel = $3)";

/// `(key, count, sum)` rows of a grouped query bound with the filter.
async fn grouped(
    db: &Db,
    sql: &str,
    f: &AnalyticsFilter,
) -> Result<Vec<(String, i64, i64)>, DbError> {
    let (from, to) = f.bounds();
    Ok(with_db!(db, read pool =>
        sqlx::query(sql)
            .bind(from)
            .bind(to)
            .bind(f.channel.as_deref())
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| -> Result<(String, i64, i64), sqlx::Error> {
                let key: Option<String> = row.try_get(0)?;
                let sum: Option<i64> = row.try_get(2)?;
                Ok((key.unwrap_or_default(), row.try_get(1)?, sum.unwrap_or(0)))
            })
            .collect::<Result<Vec<_>, _>>()?))
}

pub async fn totals(db: &Db, f: &AnalyticsFilter) -> Result<Totals, DbError> {
    let returns = grouped(
        db,
        &format!(
            "SELECT 'all', COUNT(*), CAST(SUM(returned_units) AS BIGINT) FROM {TABLE} WHERE {RETURNS_WHERE}"
        ),
        f,
    )
    .await?;
    let refunded = grouped(
        db,
        &format!(
            "SELECT 'all', COUNT(*), CAST(SUM(refunded_minor) AS BIGINT) FROM {TABLE} WHERE {RETURNS_WHERE}"
        ),
        f,
    )
    .await?;
    let rejected = grouped(
        db,
        &format!(
            "SELECT 'all', COUNT(*), CAST(0 AS BIGINT) FROM {TABLE} WHERE review = 'rejected' \
               AND ($1 IS NULL OR requested_at >= $1) AND ($2 IS NULL OR requested_at < $2) \
               AND ($3 IS NULL OR channel = $3)"
        ),
        f,
    )
    .await?;
    let orders = grouped(
        db,
        &format!(
            "SELECT 'all', COUNT(*), CAST(0 AS BIGINT) FROM {ORDERS_TABLE} WHERE {ORDERS_WHERE}"
        ),
        f,
    )
    .await?;
    let ordered_units = ordered_units_by_sku(db, f)
        .await?
        .values()
        .fold(0_i64, |sum, units| sum.saturating_add(*units));
    let first = |rows: &[(String, i64, i64)]| rows.first().map_or((0, 0), |r| (r.1, r.2));
    Ok(Totals {
        orders: first(&orders).0,
        ordered_units,
        returns: first(&returns).0,
        returned_units: first(&returns).1,
        rejected: first(&rejected).0,
        refunded_minor_by_returns: first(&refunded).1,
    })
}

/// Returns / orders per channel, for every channel with orders or returns.
pub async fn by_channel(db: &Db, f: &AnalyticsFilter) -> Result<Vec<RateRow>, DbError> {
    let returns = grouped(
        db,
        &format!(
            "SELECT channel, COUNT(*), CAST(SUM(returned_units) AS BIGINT) FROM {TABLE} \
              WHERE {RETURNS_WHERE} GROUP BY channel"
        ),
        f,
    )
    .await?;
    let orders = grouped(
        db,
        &format!(
            "SELECT channel, COUNT(*), CAST(0 AS BIGINT) FROM {ORDERS_TABLE} WHERE {ORDERS_WHERE} GROUP BY channel"
        ),
        f,
    )
    .await?;
    let mut rows: BTreeMap<String, RateRow> = BTreeMap::new();
    for (key, count, _) in orders {
        rows.entry(key.clone()).or_insert_with(|| empty(key)).base = count;
    }
    for (key, count, units) in returns {
        let row = rows.entry(key.clone()).or_insert_with(|| empty(key));
        row.returns = count;
        row.units = units;
    }
    Ok(rows.into_values().collect())
}

/// Returns per reason, out of all orders in the period.
pub async fn by_reason(db: &Db, f: &AnalyticsFilter) -> Result<Vec<RateRow>, DbError> {
    let returns = grouped(
        db,
        &format!(
            "SELECT reason, COUNT(*), CAST(SUM(returned_units) AS BIGINT) FROM {TABLE} \
              WHERE {RETURNS_WHERE} GROUP BY reason ORDER BY reason"
        ),
        f,
    )
    .await?;
    let orders = grouped(
        db,
        &format!(
            "SELECT 'all', COUNT(*), CAST(0 AS BIGINT) FROM {ORDERS_TABLE} WHERE {ORDERS_WHERE}"
        ),
        f,
    )
    .await?;
    let base = orders.first().map_or(0, |r| r.1);
    Ok(returns
        .into_iter()
        .map(|(key, returns, units)| RateRow {
            key,
            returns,
            units,
            base,
        })
        .collect())
}

/// Returns per reverse-shipment carrier, out of all labelled returns.
pub async fn by_carrier(db: &Db, f: &AnalyticsFilter) -> Result<Vec<RateRow>, DbError> {
    let returns = grouped(
        db,
        &format!(
            "SELECT carrier, COUNT(*), CAST(SUM(returned_units) AS BIGINT) FROM {TABLE} \
              WHERE carrier IS NOT NULL AND {RETURNS_WHERE} GROUP BY carrier ORDER BY carrier"
        ),
        f,
    )
    .await?;
    let base = returns.iter().map(|r| r.1).sum();
    Ok(returns
        .into_iter()
        .map(|(key, returns, units)| RateRow {
            key,
            returns,
            units,
            base,
        })
        .collect())
}

/// Returned units / ordered units per SKU, for every SKU ordered or returned.
pub async fn by_sku(db: &Db, f: &AnalyticsFilter) -> Result<Vec<RateRow>, DbError> {
    let (sku, units) = match db.backend() {
        Backend::Postgres => (
            "l.value ->> 'sku'",
            "CAST(SUM((l.value ->> 'returned_qty')::BIGINT) AS BIGINT)",
        ),
        Backend::Sqlite => (
            "json_extract(l.value, '$.sku')",
            "CAST(SUM(json_extract(l.value, '$.returned_qty')) AS BIGINT)",
        ),
    };
    let sql = format!(
        "SELECT {sku}, COUNT(DISTINCT r.id), {units} FROM {TABLE} r {} \
          WHERE (r.review IS NULL OR r.review <> 'rejected') \
            AND ($1 IS NULL OR r.requested_at >= $1) AND ($2 IS NULL OR r.requested_at < $2) \
            AND ($3 IS NULL OR r.channel = $3) \
          GROUP BY 1",
        lines_of(db.backend(), "r")
    );
    let returned = grouped(db, &sql, f).await?;
    let ordered = ordered_units_by_sku(db, f).await?;
    let mut rows: BTreeMap<String, RateRow> = BTreeMap::new();
    for (key, units) in ordered {
        rows.entry(key.clone()).or_insert_with(|| empty(key)).base = units;
    }
    for (key, returns, units) in returned {
        let row = rows.entry(key.clone()).or_insert_with(|| empty(key));
        row.returns = returns;
        row.units = units;
    }
    Ok(rows.into_values().collect())
}

/// Ordered units per SKU over the orders in the period.
async fn ordered_units_by_sku(
    db: &Db,
    f: &AnalyticsFilter,
) -> Result<BTreeMap<String, i64>, DbError> {
    let (sku, units) = match db.backend() {
        Backend::Postgres => (
            "l.value ->> 'sku'",
            "CAST(SUM((l.value ->> 'quantity')::BIGINT) AS BIGINT)",
        ),
        Backend::Sqlite => (
            "json_extract(l.value, '$.sku')",
            "CAST(SUM(json_extract(l.value, '$.quantity')) AS BIGINT)",
        ),
    };
    let sql = format!(
        "SELECT {sku}, COUNT(*), {units} FROM {ORDERS_TABLE} o {} \
          WHERE o.status <> 'cancelled' \
            AND ($1 IS NULL OR o.placed_at >= $1) AND ($2 IS NULL OR o.placed_at < $2) \
            AND ($3 IS NULL OR o.channel = $3) \
          GROUP BY 1",
        lines_of(db.backend(), "o")
    );
    Ok(grouped(db, &sql, f)
        .await?
        .into_iter()
        .map(|(key, _, units)| (key, units))
        .collect())
}

/// The join that turns a document's `lines` array into rows `l(value)`.
fn lines_of(backend: Backend, alias: &str) -> String {
    match backend {
        Backend::Postgres => {
            format!("CROSS JOIN LATERAL jsonb_array_elements({alias}.doc -> 'lines') AS l(value)")
        }
        Backend::Sqlite => format!("CROSS JOIN json_each({alias}.doc, '$.lines') AS l"),
    }
}

fn empty(key: String) -> RateRow {
    RateRow {
        key,
        returns: 0,
        units: 0,
        base: 0,
    }
}

/// Refund totals per period and currency, oldest period first.
pub async fn refund_totals(
    db: &Db,
    f: &AnalyticsFilter,
    period: Period,
) -> Result<Vec<RefundBucket>, DbError> {
    let currency = match db.backend() {
        Backend::Postgres => "o.doc ->> 'currency'",
        Backend::Sqlite => "json_extract(o.doc, '$.currency')",
    };
    let bucket = period.column();
    let sql = format!(
        "SELECT f.{bucket}, {currency}, COUNT(*), CAST(SUM(f.amount_minor) AS BIGINT), \
                COUNT(f.return_id) \
           FROM {REFUNDS_TABLE} f LEFT JOIN {ORDERS_TABLE} o ON o.id = f.order_id \
          WHERE ($1 IS NULL OR f.at >= $1) AND ($2 IS NULL OR f.at < $2) \
            AND ($3 IS NULL OR o.channel = $3) \
          GROUP BY 1, 2 ORDER BY 1, 2"
    );
    let (from, to) = f.bounds();
    Ok(with_db!(db, read pool =>
        sqlx::query(&sql)
            .bind(from)
            .bind(to)
            .bind(f.channel.as_deref())
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| -> Result<RefundBucket, sqlx::Error> {
                let currency: Option<String> = row.try_get(1)?;
                let amount: Option<i64> = row.try_get(3)?;
                Ok(RefundBucket {
                    period_start: row.try_get(0)?,
                    currency: currency.unwrap_or_default(),
                    refunds: row.try_get(2)?,
                    amount_minor: amount.unwrap_or(0),
                    for_returns: row.try_get(4)?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?))
}

/// How long resolved returns (requested in the period) took from request to resolution.
pub async fn resolution_times(db: &Db, f: &AnalyticsFilter) -> Result<ResolutionTimes, DbError> {
    let sql = format!(
        "SELECT resolved_at - requested_at FROM {TABLE} \
          WHERE resolved_at IS NOT NULL AND {RETURNS_WHERE}"
    );
    let (from, to) = f.bounds();
    let mut micros: Vec<i64> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql)
            .bind(from)
            .bind(to)
            .bind(f.channel.as_deref())
            .fetch_all(pool)
            .await?);
    micros.sort_unstable();
    Ok(summarise(&micros))
}

/// Count, mean and nearest-rank p50/p90 of durations in µs, reported in whole seconds.
pub fn summarise(sorted_micros: &[i64]) -> ResolutionTimes {
    let n = sorted_micros.len();
    if n == 0 {
        return ResolutionTimes::default();
    }
    let rank = |p: usize| {
        // Nearest rank: the smallest value with at least p% of values at or below it.
        let index = (p * n).div_ceil(100).clamp(1, n) - 1;
        sorted_micros[index] / 1_000_000
    };
    let sum: i128 = sorted_micros.iter().map(|&m| i128::from(m)).sum();
    let mean = i64::try_from(sum / n as i128).unwrap_or(i64::MAX);
    ResolutionTimes {
        resolved: n as i64,
        average_seconds: Some(mean / 1_000_000),
        p50_seconds: Some(rank(50)),
        p90_seconds: Some(rank(90)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let s = 1_000_000;
        assert_eq!(summarise(&[]), ResolutionTimes::default());
        let one = summarise(&[5 * s]);
        assert_eq!(
            (one.p50_seconds, one.p90_seconds, one.average_seconds),
            (Some(5), Some(5), Some(5))
        );
        let ten: Vec<i64> = (1..=10).map(|i| i * s).collect();
        let t = summarise(&ten);
        assert_eq!(t.resolved, 10);
        assert_eq!(t.p50_seconds, Some(5));
        assert_eq!(t.p90_seconds, Some(9));
        assert_eq!(t.average_seconds, Some(5)); // 5.5 truncated
        let three = summarise(&[s, 2 * s, 10 * s]);
        assert_eq!(three.p50_seconds, Some(2));
        assert_eq!(three.p90_seconds, Some(10));
    }
}
