//! GraphQL output and input types for delivery routing, converted from the read models and
//! the planning outcome.

use crate::graphql::scalars::Int64;
use async_graphql::{InputObject, Json, SimpleObject};
use chrono::NaiveDate;
use waybill_projections::routing::{DeliveryStopView, RouteView};

use crate::commands::routing::PlanOutcome;
use crate::graphql::orders::CoordinatesInput;
use crate::graphql::timestamp::Timestamp;

#[derive(SimpleObject)]
pub struct DeliveryStop {
    pub shipment_id: String,
    pub order_id: String,
    pub depot: String,
    pub delivery_date: NaiveDate,
    pub lat: f64,
    pub lon: f64,
    pub window_start: Option<Timestamp>,
    pub window_end: Option<Timestamp>,
    pub weight_grams: i64,
    pub parcels: i64,
    pub priority: i32,
    /// pending, on_route, delivered, failed or cancelled.
    pub status: String,
    pub route_id: Option<String>,
}

impl DeliveryStop {
    /// The stop as `role` may see it: its coordinates are the customer's door, coarse for
    /// masked roles (`crate::privacy`). The only way to build one.
    pub fn seen_by(
        v: DeliveryStopView,
        role: crate::auth::Role,
    ) -> Result<Self, crate::error::AppError> {
        let audience = crate::privacy::Audience::of(role);
        let v = crate::privacy::view(audience, crate::privacy::ReadModel::DeliveryStop, v)?;
        Ok(DeliveryStop {
            shipment_id: v.shipment_id,
            order_id: v.order_id,
            depot: v.depot,
            delivery_date: v.delivery_date,
            lat: v.lat,
            lon: v.lon,
            window_start: v.window_start.map(Timestamp::from),
            window_end: v.window_end.map(Timestamp::from),
            weight_grams: v.weight_grams,
            parcels: v.parcels,
            priority: i32::from(v.priority),
            status: v.status,
            route_id: v.route_id,
        })
    }
}

#[derive(SimpleObject)]
pub struct RouteStop {
    pub shipment_id: String,
    pub sequence: i64,
    /// When service starts (inside the stop's window).
    pub eta: Timestamp,
    pub departure: Timestamp,
    /// completed or failed, once recorded.
    pub outcome: Option<String>,
    pub failure_reason: Option<String>,
}

#[derive(SimpleObject)]
pub struct SolverView {
    pub name: String,
    pub version: String,
    pub settings: Json<serde_json::Value>,
}

#[derive(SimpleObject)]
pub struct Route {
    pub route_id: String,
    pub depot: String,
    pub date: NaiveDate,
    pub vehicle_id: String,
    /// planned, dispatched or closed.
    pub status: String,
    pub revision: Int64,
    pub stops: Vec<RouteStop>,
    pub distance_m: i64,
    pub duration_s: i64,
    pub solver: SolverView,
    pub planned_at: Timestamp,
    pub dispatched_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub version: Int64,
}

impl From<RouteView> for Route {
    fn from(v: RouteView) -> Self {
        Route {
            route_id: v.route_id,
            depot: v.depot,
            date: v.date,
            vehicle_id: v.vehicle_id,
            status: v.status,
            revision: Int64(i64::from(v.revision)),
            stops: v
                .stops
                .into_iter()
                .map(|s| RouteStop {
                    shipment_id: s.shipment_id,
                    sequence: i64::from(s.sequence),
                    eta: s.eta.into(),
                    departure: s.departure.into(),
                    outcome: s.outcome,
                    failure_reason: s.failure_reason,
                })
                .collect(),
            distance_m: i64::try_from(v.distance_m).unwrap_or(i64::MAX),
            duration_s: i64::try_from(v.duration_s).unwrap_or(i64::MAX),
            solver: SolverView {
                name: v.solver.name,
                version: v.solver.version,
                settings: Json(v.solver.settings),
            },
            planned_at: v.planned_at.into(),
            dispatched_at: v.dispatched_at.map(Timestamp::from),
            closed_at: v.closed_at.map(Timestamp::from),
            version: Int64(v.version),
        }
    }
}

/// A depot's day as stored: its routes and the stops no route covers yet.
#[derive(SimpleObject)]
pub struct DayPlan {
    pub depot: String,
    pub date: NaiveDate,
    pub routes: Vec<Route>,
    /// Pending stops of the day on no open route.
    pub unplanned_stops: Vec<DeliveryStop>,
}

#[derive(SimpleObject)]
pub struct UnassignedStop {
    pub shipment_id: String,
    /// The solver's code (e.g. TIME_WINDOW_CONSTRAINT).
    pub code: String,
    pub reason: String,
}

#[derive(SimpleObject)]
pub struct PlannedRouteResult {
    pub route_id: String,
    pub vehicle_id: String,
    /// True when an open planned route of this vehicle was re-planned in place.
    pub replanned: bool,
    pub stops: Vec<RouteStop>,
    pub distance_m: i64,
    pub duration_s: i64,
}

#[derive(SimpleObject)]
pub struct PlanRoutesResult {
    pub routes: Vec<PlannedRouteResult>,
    pub unassigned: Vec<UnassignedStop>,
    /// Dispatched or closed routes of the day, left untouched.
    pub fixed_route_ids: Vec<String>,
    /// Planned routes closed because their vehicle got no stops this time.
    pub superseded_route_ids: Vec<String>,
    pub solver_name: Option<String>,
    pub solver_version: Option<String>,
    /// Pass as `consistentWith` to read the stored plan.
    pub position: Int64,
}

impl From<PlanOutcome> for PlanRoutesResult {
    fn from(o: PlanOutcome) -> Self {
        let solver = o.routes.first().map(|r| r.plan.solver.clone());
        PlanRoutesResult {
            routes: o
                .routes
                .into_iter()
                .map(|r| PlannedRouteResult {
                    route_id: r.route_id.to_string(),
                    vehicle_id: r.plan.vehicle_id.to_string(),
                    replanned: r.replanned,
                    stops: r
                        .plan
                        .stops
                        .iter()
                        .map(|s| RouteStop {
                            shipment_id: s.shipment_id.to_string(),
                            sequence: i64::from(s.sequence),
                            eta: s.eta.into(),
                            departure: s.departure.into(),
                            outcome: None,
                            failure_reason: None,
                        })
                        .collect(),
                    distance_m: i64::try_from(r.plan.distance_m).unwrap_or(i64::MAX),
                    duration_s: i64::try_from(r.plan.duration_s).unwrap_or(i64::MAX),
                })
                .collect(),
            unassigned: o
                .unassigned
                .into_iter()
                .map(|u| UnassignedStop {
                    shipment_id: u.stop_id,
                    code: u.code,
                    reason: u.reason,
                })
                .collect(),
            fixed_route_ids: o.fixed_routes.iter().map(|r| r.to_string()).collect(),
            superseded_route_ids: o.superseded_routes.iter().map(|r| r.to_string()).collect(),
            solver_name: solver.as_ref().map(|s| s.name.clone()),
            solver_version: solver.map(|s| s.version),
            position: Int64(o.position),
        }
    }
}

#[derive(InputObject, Debug, Default)]
pub struct PlanSettingsInput {
    /// Solver generations (default 500, at most 5000).
    pub max_generations: Option<u32>,
    /// Solver time limit in seconds (default 10, at most 60).
    pub max_time_secs: Option<u32>,
    /// Time spent at each stop, in seconds (default 300, at most 14,400 = 4 h; above that the
    /// plan is refused with `INVALID_INPUT` / `service_time_out_of_range`, never clamped).
    /// Delivery windows are honoured exactly: service starts inside each stop's window.
    pub service_seconds: Option<i32>,
}

#[derive(InputObject, Debug, Default)]
pub struct ProofInput {
    pub signed_by: Option<String>,
    pub photo_ref: Option<String>,
    pub pickup_code: Option<String>,
    pub coordinates: Option<CoordinatesInput>,
}
