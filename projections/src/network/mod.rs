//! The network read models: `sites` (warehouses, depots, pickup points) and `vehicles` (the own
//! fleet), one document per stream, folded from Site and Vehicle events.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use waybill_domain::network::{
    SiteEvent, VehicleEvent, VehicleSpec, SITE_AGGREGATE_TYPE, VEHICLE_AGGREGATE_TYPE,
};

use crate::db::{Db, DbError};
use crate::document::{Column, ColumnType, ColumnValue, DocumentProjection};
use crate::log::StoredEvent;
use crate::projection::ProjectionError;
use crate::with_db;

pub const SITES_NAME: &str = "sites";
pub const SITES_TABLE: &str = "rm_sites";
pub const VEHICLES_NAME: &str = "vehicles";
pub const VEHICLES_TABLE: &str = "rm_vehicles";

fn corrupt(event: &StoredEvent, why: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::Corrupt(format!(
        "{} {}#{} ({}): {why}",
        event.aggregate_type, event.aggregate_id, event.sequence, event.event_type
    ))
}

/// A site as admin screens and the planner show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteView {
    /// The stream id: `warehouse:<id>` or `pickup_point:<id>`.
    pub site_id: String,
    /// The bare id (`<id>`), which is what shipments and vehicles name as their depot.
    pub id: String,
    pub kind: String,
    pub name: String,
    pub address: serde_json::Value,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub opens: Option<NaiveTime>,
    pub closes: Option<NaiveTime>,
    pub status: String,
    pub close_reason: Option<String>,
    pub registered_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
}

pub struct SitesProjection;

fn set_details(
    view: &mut SiteView,
    details: &waybill_domain::network::SiteDetails,
    event: &StoredEvent,
) -> Result<(), ProjectionError> {
    view.name = details.name.clone();
    view.address = serde_json::to_value(&details.address).map_err(|e| corrupt(event, e))?;
    let point = details.address.coordinates();
    view.lat = point.map(|p| p.lat());
    view.lon = point.map(|p| p.lon());
    view.opens = details.opening_hours.map(|h| h.opens());
    view.closes = details.opening_hours.map(|h| h.closes());
    Ok(())
}

impl DocumentProjection for SitesProjection {
    type Doc = SiteView;
    const NAME: &'static str = SITES_NAME;
    const TABLE: &'static str = SITES_TABLE;
    const COLUMNS: &'static [Column] = &[
        Column {
            name: "kind",
            kind: ColumnType::Text,
        },
        Column {
            name: "status",
            kind: ColumnType::Text,
        },
    ];
    const INDEXES: &'static [&'static [&'static str]] = &[&["kind", "id"]];

    fn keys(&self, event: &StoredEvent) -> Vec<String> {
        if event.aggregate_type == SITE_AGGREGATE_TYPE {
            vec![event.aggregate_id.clone()]
        } else {
            Vec::new()
        }
    }

    fn apply(
        &self,
        key: &str,
        doc: Option<SiteView>,
        event: &StoredEvent,
    ) -> Result<Option<SiteView>, ProjectionError> {
        let parsed = SiteEvent::deserialize(&event.payload).map_err(|e| corrupt(event, e))?;
        let mut view = match (parsed, doc) {
            (SiteEvent::SiteRegistered(r), _) => {
                let mut view = SiteView {
                    site_id: key.to_string(),
                    id: r
                        .site_id
                        .as_warehouse()
                        .map(|w| w.to_string())
                        .or_else(|| r.site_id.as_pickup_point().map(|p| p.to_string()))
                        .unwrap_or_default(),
                    kind: r.kind.code().to_string(),
                    name: String::new(),
                    address: serde_json::Value::Null,
                    lat: None,
                    lon: None,
                    opens: None,
                    closes: None,
                    status: "open".into(),
                    close_reason: None,
                    registered_at: r.registered_at,
                    closed_at: None,
                    version: 0,
                };
                set_details(&mut view, &r.details, event)?;
                view
            }
            (_, None) => return Err(corrupt(event, "event for a site never registered")),
            (SiteEvent::SiteUpdated { details, .. }, Some(mut view)) => {
                set_details(&mut view, &details, event)?;
                view
            }
            (SiteEvent::SiteClosed { reason, at }, Some(mut view)) => {
                view.status = "closed".into();
                view.close_reason = Some(reason);
                view.closed_at = Some(at);
                view
            }
        };
        view.version = event.sequence;
        Ok(Some(view))
    }

    fn column_values(&self, doc: &SiteView) -> Vec<ColumnValue> {
        vec![
            ColumnValue::Text(Some(doc.kind.clone())),
            ColumnValue::Text(Some(doc.status.clone())),
        ]
    }
}

/// A vehicle of the own fleet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleView {
    pub vehicle_id: String,
    pub depot: String,
    pub capacity_weight_grams: u32,
    pub capacity_parcels: u32,
    pub shift_start: NaiveTime,
    pub shift_end: NaiveTime,
    pub average_speed_kmh: u16,
    /// `active` or `retired`.
    pub status: String,
    pub retire_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl VehicleView {
    fn set_spec(&mut self, spec: VehicleSpec) {
        self.depot = spec.depot.to_string();
        self.capacity_weight_grams = spec.capacity_weight_grams;
        self.capacity_parcels = spec.capacity_parcels;
        self.shift_start = spec.shift_start;
        self.shift_end = spec.shift_end;
        self.average_speed_kmh = spec.average_speed_kmh;
    }
}

pub struct VehiclesProjection;

impl DocumentProjection for VehiclesProjection {
    type Doc = VehicleView;
    const NAME: &'static str = VEHICLES_NAME;
    const TABLE: &'static str = VEHICLES_TABLE;
    const COLUMNS: &'static [Column] = &[
        Column {
            name: "depot",
            kind: ColumnType::Text,
        },
        Column {
            name: "status",
            kind: ColumnType::Text,
        },
    ];
    const INDEXES: &'static [&'static [&'static str]] = &[&["depot", "id"]];

    fn keys(&self, event: &StoredEvent) -> Vec<String> {
        if event.aggregate_type == VEHICLE_AGGREGATE_TYPE {
            vec![event.aggregate_id.clone()]
        } else {
            Vec::new()
        }
    }

    fn apply(
        &self,
        key: &str,
        doc: Option<VehicleView>,
        event: &StoredEvent,
    ) -> Result<Option<VehicleView>, ProjectionError> {
        let parsed = VehicleEvent::deserialize(&event.payload).map_err(|e| corrupt(event, e))?;
        let mut view = match (parsed, doc) {
            (VehicleEvent::VehicleRegistered { spec, at, .. }, _) => {
                let mut view = VehicleView {
                    vehicle_id: key.to_string(),
                    depot: String::new(),
                    capacity_weight_grams: 0,
                    capacity_parcels: 0,
                    shift_start: spec.shift_start,
                    shift_end: spec.shift_end,
                    average_speed_kmh: 0,
                    status: "active".into(),
                    retire_reason: None,
                    updated_at: at,
                    version: 0,
                };
                view.set_spec(spec);
                view
            }
            (_, None) => return Err(corrupt(event, "event for a vehicle never registered")),
            (VehicleEvent::VehicleUpdated { spec, at }, Some(mut view)) => {
                view.set_spec(spec);
                view.updated_at = at;
                view
            }
            (VehicleEvent::VehicleRetired { reason, at }, Some(mut view)) => {
                view.status = "retired".into();
                view.retire_reason = Some(reason);
                view.updated_at = at;
                view
            }
        };
        view.version = event.sequence;
        Ok(Some(view))
    }

    fn column_values(&self, doc: &VehicleView) -> Vec<ColumnValue> {
        vec![
            ColumnValue::Text(Some(doc.depot.clone())),
            ColumnValue::Text(Some(doc.status.clone())),
        ]
    }
}

/// Every site, optionally of one kind (`warehouse`, `depot`, `pickup_point`), by stream id.
pub async fn list_sites(db: &Db, kind: Option<&str>) -> Result<Vec<SiteView>, DbError> {
    let sql = format!("SELECT doc FROM {SITES_TABLE} WHERE ($1 IS NULL OR kind = $1) ORDER BY id");
    let rows: Vec<Json<SiteView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql).bind(kind).fetch_all(pool).await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The vehicles of a depot (every depot when `None`), retired ones included, by id.
pub async fn list_vehicles(db: &Db, depot: Option<&str>) -> Result<Vec<VehicleView>, DbError> {
    let sql =
        format!("SELECT doc FROM {VEHICLES_TABLE} WHERE ($1 IS NULL OR depot = $1) ORDER BY id");
    let rows: Vec<Json<VehicleView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql).bind(depot).fetch_all(pool).await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}
