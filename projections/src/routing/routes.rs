//! `routes`: one document per delivery run, keyed by route id, folded from Route events. It
//! shows the plan exactly as stored (the solver is never re-run to explain it).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use waybill_domain::route::{RouteEvent, RoutePlan, SolverRun, ROUTE_AGGREGATE_TYPE};

use super::{corrupt, ROUTES_NAME, ROUTES_TABLE};
use crate::db::{Db, DbError};
use crate::document::{Column, ColumnType, ColumnValue, DocumentProjection};
use crate::log::StoredEvent;
use crate::projection::ProjectionError;
use crate::with_db;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteStopView {
    pub shipment_id: String,
    pub sequence: u32,
    pub eta: DateTime<Utc>,
    pub departure: DateTime<Utc>,
    /// `completed` or `failed` once recorded.
    pub outcome: Option<String>,
    pub failure_reason: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteView {
    pub route_id: String,
    pub depot: String,
    pub date: NaiveDate,
    pub vehicle_id: String,
    /// `planned`, `dispatched` or `closed`.
    pub status: String,
    pub revision: u32,
    pub stops: Vec<RouteStopView>,
    pub distance_m: u64,
    pub duration_s: u64,
    pub solver: SolverRun,
    pub planned_at: DateTime<Utc>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
    pub version: i64,
}

impl RouteView {
    fn set_plan(&mut self, plan: RoutePlan) {
        self.depot = plan.depot.to_string();
        self.date = plan.date;
        self.vehicle_id = plan.vehicle_id.to_string();
        self.distance_m = plan.distance_m;
        self.duration_s = plan.duration_s;
        self.solver = plan.solver;
        let mut stops = plan.stops;
        stops.sort_by_key(|s| s.sequence);
        self.stops = stops
            .into_iter()
            .map(|s| RouteStopView {
                shipment_id: s.shipment_id.to_string(),
                sequence: s.sequence,
                eta: s.eta,
                departure: s.departure,
                outcome: None,
                failure_reason: None,
                done_at: None,
            })
            .collect();
    }

    fn stop(&mut self, shipment_id: &str) -> Option<&mut RouteStopView> {
        self.stops.iter_mut().find(|s| s.shipment_id == shipment_id)
    }
}

pub struct RoutesProjection;

impl DocumentProjection for RoutesProjection {
    type Doc = RouteView;
    const NAME: &'static str = ROUTES_NAME;
    const TABLE: &'static str = ROUTES_TABLE;
    const COLUMNS: &'static [Column] = &[
        Column {
            name: "depot",
            kind: ColumnType::Text,
        },
        Column {
            name: "route_date",
            kind: ColumnType::Text,
        },
        Column {
            name: "vehicle_id",
            kind: ColumnType::Text,
        },
        Column {
            name: "status",
            kind: ColumnType::Text,
        },
    ];
    const INDEXES: &'static [&'static [&'static str]] = &[&["depot", "route_date", "id"]];

    fn keys(&self, event: &StoredEvent) -> Vec<String> {
        if event.aggregate_type == ROUTE_AGGREGATE_TYPE {
            vec![event.aggregate_id.clone()]
        } else {
            Vec::new()
        }
    }

    fn apply(
        &self,
        key: &str,
        doc: Option<RouteView>,
        event: &StoredEvent,
    ) -> Result<Option<RouteView>, ProjectionError> {
        let parsed = RouteEvent::deserialize(&event.payload).map_err(|e| corrupt(event, e))?;
        let mut view = match (parsed, doc) {
            (
                RouteEvent::RoutePlanned {
                    plan, revision, at, ..
                },
                _,
            ) => {
                let mut view = RouteView {
                    route_id: key.to_string(),
                    depot: String::new(),
                    date: plan.date,
                    vehicle_id: String::new(),
                    status: "planned".into(),
                    revision,
                    stops: Vec::new(),
                    distance_m: 0,
                    duration_s: 0,
                    solver: plan.solver.clone(),
                    planned_at: at,
                    dispatched_at: None,
                    closed_at: None,
                    close_reason: None,
                    version: 0,
                };
                view.set_plan(plan);
                view
            }
            (_, None) => return Err(corrupt(event, "event for a route never planned")),
            (other, Some(mut view)) => {
                change(&mut view, other);
                view
            }
        };
        view.version = event.sequence;
        Ok(Some(view))
    }

    fn column_values(&self, doc: &RouteView) -> Vec<ColumnValue> {
        vec![
            ColumnValue::Text(Some(doc.depot.clone())),
            ColumnValue::Text(Some(doc.date.to_string())),
            ColumnValue::Text(Some(doc.vehicle_id.clone())),
            ColumnValue::Text(Some(doc.status.clone())),
        ]
    }
}

fn change(view: &mut RouteView, event: RouteEvent) {
    match event {
        RouteEvent::RoutePlanned { .. } => {}
        RouteEvent::RouteReplanned { plan, revision, .. } => {
            view.set_plan(plan);
            view.revision = revision;
        }
        RouteEvent::RouteDispatched { at, .. } => {
            view.status = "dispatched".into();
            view.dispatched_at = Some(at);
        }
        RouteEvent::StopCompleted {
            shipment_id, at, ..
        } => {
            if let Some(stop) = view.stop(&shipment_id.to_string()) {
                stop.outcome = Some("completed".into());
                stop.done_at = Some(at);
            }
        }
        RouteEvent::StopFailed {
            shipment_id,
            reason,
            at,
            ..
        } => {
            if let Some(stop) = view.stop(&shipment_id.to_string()) {
                stop.outcome = Some("failed".into());
                stop.failure_reason = Some(reason);
                stop.done_at = Some(at);
            }
        }
        RouteEvent::RouteClosed { reason, at, .. } => {
            view.status = "closed".into();
            view.close_reason = reason;
            view.closed_at = Some(at);
        }
    }
}

pub async fn get_route(db: &Db, route_id: &str) -> Result<Option<RouteView>, DbError> {
    let sql = format!("SELECT doc FROM {ROUTES_TABLE} WHERE id = $1");
    let doc: Option<Json<RouteView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql).bind(route_id).fetch_optional(pool).await?);
    Ok(doc.map(|d| d.0))
}

/// Every route of one depot and day (closed ones included), by vehicle then id.
pub async fn list_routes(db: &Db, depot: &str, date: NaiveDate) -> Result<Vec<RouteView>, DbError> {
    let sql = format!(
        "SELECT doc FROM {ROUTES_TABLE} WHERE depot = $1 AND route_date = $2 \
         ORDER BY vehicle_id, id"
    );
    let rows: Vec<Json<RouteView>> = with_db!(db, read pool =>
        sqlx::query_scalar(&sql).bind(depot).bind(date.to_string()).fetch_all(pool).await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}
