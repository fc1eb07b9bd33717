//! Reading shipments: by id, by tracking number, by order or warehouse.

use sqlx::types::Json;

use super::view::ShipmentView;
use super::TABLE;
use crate::db::{Db, DbError};
use crate::with_db;

#[derive(Clone, Debug, Default)]
pub struct ShipmentFilter {
    pub warehouse_id: Option<String>,
    pub order_id: Option<String>,
    pub status: Option<String>,
    pub carrier: Option<String>,
}

pub struct ShipmentPage {
    pub shipments: Vec<ShipmentView>,
    pub has_next: bool,
}

pub async fn get(db: &Db, shipment_id: &str) -> Result<Option<ShipmentView>, DbError> {
    let sql = format!("SELECT doc FROM {TABLE} WHERE id = $1");
    let doc: Option<Json<ShipmentView>> = with_db!(db, read pool => sqlx::query_scalar(&sql).bind(shipment_id).fetch_optional(pool).await?);
    Ok(doc.map(|d| d.0))
}

/// The active shipment holding a tracking key (`carrier:NUMBER`), if any.
pub async fn active_by_tracking(db: &Db, key: &str) -> Result<Option<ShipmentView>, DbError> {
    let sql = format!("SELECT doc FROM {TABLE} WHERE tracking_key = $1 AND active = 1 ORDER BY created_at DESC LIMIT 1");
    let doc: Option<Json<ShipmentView>> =
        with_db!(db, read pool => sqlx::query_scalar(&sql).bind(key).fetch_optional(pool).await?);
    Ok(doc.map(|d| d.0))
}

/// The shipment a carrier's scan belongs to: the active one with that number, else the most
/// recent (late scans after delivery still land in its history).
pub async fn by_tracking(db: &Db, key: &str) -> Result<Option<ShipmentView>, DbError> {
    let sql = format!("SELECT doc FROM {TABLE} WHERE tracking_key = $1 ORDER BY active DESC, created_at DESC LIMIT 1");
    let doc: Option<Json<ShipmentView>> =
        with_db!(db, read pool => sqlx::query_scalar(&sql).bind(key).fetch_optional(pool).await?);
    Ok(doc.map(|d| d.0))
}

/// Newest first; keyset cursor on (created_at, id).
pub async fn list(
    db: &Db,
    filter: &ShipmentFilter,
    first: i64,
    after: Option<(i64, String)>,
) -> Result<ShipmentPage, DbError> {
    let sql = format!(
        "SELECT doc FROM {TABLE} \
         WHERE ($1 IS NULL OR warehouse_id = $1) AND ($2 IS NULL OR order_id = $2) \
           AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR carrier = $4) \
           AND ($5 IS NULL OR created_at < $5 OR (created_at = $5 AND id < $6)) \
         ORDER BY created_at DESC, id DESC LIMIT $7"
    );
    let (at, id) = match after {
        Some((at, id)) => (Some(at), Some(id)),
        None => (None, None),
    };
    let rows: Vec<Json<ShipmentView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql)
            .bind(filter.warehouse_id.as_deref())
            .bind(filter.order_id.as_deref())
            .bind(filter.status.as_deref())
            .bind(filter.carrier.as_deref())
            .bind(at)
            .bind(id)
            .bind(first + 1)
            .fetch_all(pool)
            .await?);
    let mut shipments: Vec<ShipmentView> = rows.into_iter().map(|r| r.0).collect();
    let has_next = shipments.len() as i64 > first;
    shipments.truncate(first as usize);
    Ok(ShipmentPage {
        shipments,
        has_next,
    })
}
