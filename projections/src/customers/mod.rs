//! The `customers` projection (`rm_customers`): one document per customer stream (profile,
//! consents, tier, points ledger, tags, coupons, interactions timeline, delivery NPS).
//!
//! Orders, refunds, returns and cases are not copied in: [`analytics`] reads them from their
//! own read models (`rm_orders` by its `customer_id` column, `rm_returns` by order,
//! `rm_cases`) at query time and computes the Customer 360, RFM, lifecycle stage, churn
//! signals and CLV with the pure `waybill_domain::crm` functions.

pub mod analytics;
mod view;

pub use view::{
    apply, CouponView, CustomerView, NpsView, PointsEntry, TierChangeView, MAX_TIMELINE,
};

use sqlx::types::Json;
use waybill_domain::customer::CUSTOMER_AGGREGATE_TYPE;

use crate::db::{Db, DbError};
use crate::document::{Column, ColumnType, ColumnValue, DocumentProjection};
use crate::log::StoredEvent;
use crate::projection::ProjectionError;
use crate::with_db;

pub struct CustomersProjection;

pub const NAME: &str = "customers";
pub const TABLE: &str = "rm_customers";

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnType::Text,
    }
}

impl DocumentProjection for CustomersProjection {
    type Doc = CustomerView;
    const NAME: &'static str = NAME;
    const TABLE: &'static str = TABLE;
    const COLUMNS: &'static [Column] = &[
        text("tier"),
        text("acquisition_channel"),
        // `|tag|tag|` so one LIKE finds a whole tag on both backends.
        text("tags"),
        // `MM-DD`, for the birthday sweep.
        text("birthday_md"),
        Column {
            name: "registered_at",
            kind: ColumnType::BigInt,
        },
    ];
    const INDEXES: &'static [&'static [&'static str]] = &[&["tier"], &["birthday_md"]];

    fn keys(&self, event: &StoredEvent) -> Vec<String> {
        if event.aggregate_type == CUSTOMER_AGGREGATE_TYPE {
            vec![event.aggregate_id.clone()]
        } else {
            Vec::new()
        }
    }

    fn apply(
        &self,
        _key: &str,
        doc: Option<CustomerView>,
        event: &StoredEvent,
    ) -> Result<Option<CustomerView>, ProjectionError> {
        view::apply(doc, event)
    }

    fn column_values(&self, doc: &CustomerView) -> Vec<ColumnValue> {
        let tags = if doc.tags.is_empty() {
            None
        } else {
            Some(format!("|{}|", doc.tags.join("|")))
        };
        vec![
            ColumnValue::Text(Some(doc.tier.clone())),
            ColumnValue::Text(Some(doc.acquisition_channel.clone())),
            ColumnValue::Text(tags),
            ColumnValue::Text(doc.birthday_month_day()),
            ColumnValue::BigInt(Some(doc.registered_at.timestamp_micros())),
        ]
    }
}

/// Column filters; segment and stage are computed, so they are applied by the caller.
#[derive(Clone, Debug, Default)]
pub struct CustomerFilter {
    pub tier: Option<String>,
    pub tag: Option<String>,
    pub channel: Option<String>,
    pub birthday_md: Option<String>,
}

pub async fn get(db: &Db, customer_id: &str) -> Result<Option<CustomerView>, DbError> {
    let sql = format!("SELECT doc FROM {TABLE} WHERE id = $1");
    let doc: Option<Json<CustomerView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql).bind(customer_id).fetch_optional(pool).await?);
    Ok(doc.map(|d| d.0))
}

/// Every customer matching the column filters, by id.
pub async fn list(db: &Db, filter: &CustomerFilter) -> Result<Vec<CustomerView>, DbError> {
    let sql = format!(
        "SELECT doc FROM {TABLE} \
         WHERE ($1 IS NULL OR tier = $1) \
           AND ($2 IS NULL OR tags LIKE $2) \
           AND ($3 IS NULL OR acquisition_channel = $3) \
           AND ($4 IS NULL OR birthday_md = $4) \
         ORDER BY id"
    );
    let tag = filter.tag.as_ref().map(|t| format!("%|{t}|%"));
    let rows: Vec<Json<CustomerView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql)
            .bind(filter.tier.as_deref())
            .bind(tag)
            .bind(filter.channel.as_deref())
            .bind(filter.birthday_md.as_deref())
            .fetch_all(pool)
            .await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}
