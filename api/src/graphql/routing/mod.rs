//! Delivery routing: the day's stops, planning, dispatch, stop outcomes. `routePlan` shows the
//! stored plan (Route streams via the `routes` read model); it never re-runs the solver.

mod types;

pub use types::*;

use crate::graphql::scalars::{opt_i64, Int64};
use async_graphql::{Context, Object};
use chrono::NaiveDate;
use waybill_domain::ids::{VehicleId, WarehouseId};
use waybill_domain::shipment::{ProofFields, ProofOfDelivery, StaffId};
use waybill_projections::routing as rm;

use super::context::{authorize, services};
use super::error::GqlResult;
use super::mutation::mutation;
use super::network::StreamWriteResult;
use crate::auth::Permission;
use crate::commands::routing::{PlanRequest, StopResult};
use crate::error::AppError;

fn depot_id(depot: &str) -> Result<WarehouseId, AppError> {
    WarehouseId::parse(depot).map_err(|e| AppError::invalid_input("depot", e))
}

async fn wait(ctx: &Context<'_>, consistent_with: Option<i64>) -> GqlResult<()> {
    if let Some(p) = consistent_with {
        let services = services(ctx)?;
        services.wait_for(rm::STOPS_NAME, p).await?;
        services.wait_for(rm::ROUTES_NAME, p).await?;
    }
    Ok(())
}

#[derive(Default)]
pub struct RoutingQueries;

#[Object]
impl RoutingQueries {
    /// The own-fleet stops of a depot's day (by delivery date, UTC), every status.
    async fn delivery_stops(
        &self,
        ctx: &Context<'_>,
        depot: String,
        date: NaiveDate,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Vec<DeliveryStop>> {
        let role = authorize(ctx, Permission::ReadNetwork)?.role;
        wait(ctx, opt_i64(consistent_with)).await?;
        let stops = rm::list_stops(&services(ctx)?.db, &depot, date, None)
            .await
            .map_err(AppError::from)?;
        Ok(stops
            .into_iter()
            .map(|s| DeliveryStop::seen_by(s, role))
            .collect::<Result<_, _>>()?)
    }

    /// The stored plan of a depot's day: every route as planned (and what happened since).
    async fn route_plan(
        &self,
        ctx: &Context<'_>,
        depot: String,
        date: NaiveDate,
        consistent_with: Option<Int64>,
    ) -> GqlResult<DayPlan> {
        let role = authorize(ctx, Permission::ReadNetwork)?.role;
        wait(ctx, opt_i64(consistent_with)).await?;
        let db = &services(ctx)?.db;
        let routes = rm::list_routes(db, &depot, date)
            .await
            .map_err(AppError::from)?;
        let on_route: std::collections::BTreeSet<&str> = routes
            .iter()
            .filter(|r| r.status != "closed" || r.stops.iter().any(|s| s.outcome.is_some()))
            .flat_map(|r| r.stops.iter().map(|s| s.shipment_id.as_str()))
            .collect();
        let unplanned_stops = rm::list_stops(db, &depot, date, Some("pending"))
            .await
            .map_err(AppError::from)?
            .into_iter()
            .filter(|s| !on_route.contains(s.shipment_id.as_str()))
            .map(|s| DeliveryStop::seen_by(s, role))
            .collect::<Result<_, _>>()?;
        Ok(DayPlan {
            depot,
            date,
            routes: routes.into_iter().map(Route::from).collect(),
            unplanned_stops,
        })
    }

    async fn route(
        &self,
        ctx: &Context<'_>,
        route_id: String,
        consistent_with: Option<Int64>,
    ) -> GqlResult<Option<Route>> {
        authorize(ctx, Permission::ReadNetwork)?;
        wait(ctx, opt_i64(consistent_with)).await?;
        Ok(rm::get_route(&services(ctx)?.db, &route_id)
            .await
            .map_err(AppError::from)?
            .map(Route::from))
    }
}

#[derive(Default)]
pub struct RoutingMutations;

#[Object]
impl RoutingMutations {
    /// Plans (or re-plans) a depot's day with the given vehicles (default: every active
    /// vehicle of the depot). Dispatched and closed routes stay fixed.
    // GraphQL arguments are the resolver's parameters; the argument list is the public API.
    #[allow(clippy::too_many_arguments)]
    async fn plan_routes(
        &self,
        ctx: &Context<'_>,
        depot: String,
        date: NaiveDate,
        vehicles: Option<Vec<String>>,
        settings: Option<PlanSettingsInput>,
        travel: Option<TravelMatrixInput>,
        consistent_with: Option<Int64>,
    ) -> GqlResult<PlanRoutesResult> {
        let m = mutation(ctx, Permission::PlanRoutes, None, None)?;
        let vehicles = vehicles
            .map(|ids| {
                ids.iter()
                    .map(|v| {
                        VehicleId::parse(v).map_err(|e| AppError::invalid_input("vehicles", e))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let settings = settings.unwrap_or_default();
        let request_ = PlanRequest {
            depot: depot_id(&depot)?,
            date,
            vehicles,
            max_generations: settings.max_generations.map(|g| g as usize),
            max_time_secs: settings.max_time_secs.map(u64::from),
            service_seconds: settings.service_seconds.map(i64::from),
            consistent_with: opt_i64(consistent_with),
            travel: travel.map(|t| crate::commands::routing::TravelMatrix {
                locations: t.locations,
                distances_m: t.distances_m,
                durations_s: t.durations_s,
            }),
        };
        let outcome = m.services.plan_routes(m.request, request_).await?;
        Ok(outcome.into())
    }

    /// Sends a planned route out; each of its shipments goes out for delivery. Every shipment
    /// on the route must be packed: otherwise `INVALID_STATE` (reason `not_packed`) and nothing
    /// is written, neither to the route nor to any shipment.
    async fn dispatch_route(
        &self,
        ctx: &Context<'_>,
        route_id: String,
        driver: Option<String>,
    ) -> GqlResult<StreamWriteResult> {
        let m = mutation(ctx, Permission::DispatchRoutes, None, None)?;
        let driver = driver
            .map(|d| StaffId::parse(&d).map_err(|e| AppError::invalid_input("driver", e)))
            .transpose()?;
        let position = m
            .services
            .dispatch_route(m.request, &route_id, driver)
            .await?;
        Ok(written(route_id, position))
    }

    /// The stop was delivered; the shipment records a `delivered` scan.
    async fn record_stop_completed(
        &self,
        ctx: &Context<'_>,
        route_id: String,
        shipment_id: String,
        proof: Option<ProofInput>,
    ) -> GqlResult<StreamWriteResult> {
        let m = mutation(ctx, Permission::RecordStops, None, None)?;
        let proof = proof
            .map(|p| {
                ProofOfDelivery::parse(ProofFields {
                    signed_by: p.signed_by,
                    photo_ref: p.photo_ref,
                    pickup_code: p.pickup_code,
                    coordinates: p
                        .coordinates
                        .map(|c| waybill_domain::GeoPoint::new(c.lat, c.lon))
                        .transpose()
                        .map_err(|e| AppError::invalid_input("proof", e))?,
                })
                .map_err(|e| AppError::invalid_input("proof", e))
            })
            .transpose()?;
        let position = m
            .services
            .record_stop(
                m.request,
                &route_id,
                &shipment_id,
                StopResult::Completed { proof },
            )
            .await?;
        Ok(written(route_id, position))
    }

    /// The delivery attempt failed; the shipment records a `delivery_attempt_failed` scan.
    async fn record_stop_failed(
        &self,
        ctx: &Context<'_>,
        route_id: String,
        shipment_id: String,
        reason: String,
    ) -> GqlResult<StreamWriteResult> {
        let m = mutation(ctx, Permission::RecordStops, None, None)?;
        let position = m
            .services
            .record_stop(
                m.request,
                &route_id,
                &shipment_id,
                StopResult::Failed { reason },
            )
            .await?;
        Ok(written(route_id, position))
    }

    /// Closes a route; with open stops only with `force` and a reason.
    async fn close_route(
        &self,
        ctx: &Context<'_>,
        route_id: String,
        force: Option<bool>,
        reason: Option<String>,
    ) -> GqlResult<StreamWriteResult> {
        let m = mutation(ctx, Permission::RecordStops, None, None)?;
        let outcome = m
            .services
            .close_route(m.request, &route_id, force.unwrap_or(false), reason)
            .await?;
        Ok(outcome.into())
    }
}

fn written(route_id: String, position: i64) -> StreamWriteResult {
    StreamWriteResult {
        stream_id: route_id,
        stream_version: Int64(0),
        position: Int64(position),
    }
}

/// Road distances (metres) and travel times (seconds) between every pair of `locations`,
/// row-major; `locations` lists "depot" and the shipment ids of the stops.
#[derive(async_graphql::InputObject)]
pub struct TravelMatrixInput {
    pub locations: Vec<String>,
    pub distances_m: Vec<i64>,
    pub durations_s: Vec<i64>,
}
