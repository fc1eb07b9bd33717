//! Planning a depot's day: gather the facts, run the solver off the async runtime, then store
//! one Route stream per vehicle run and assign the shipments, all in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use chrono::TimeDelta;
use uuid::Uuid;
use waybill_domain::ids::{RouteId, VehicleId, WarehouseId};
use waybill_domain::network::{SiteId, VehicleStatus};
use waybill_domain::route::{PlannedStop, RouteCommand, RoutePlan, RouteStatus, SolverRun};
use waybill_domain::shipment::{ShipmentCommand, MIN_WINDOW_MINUTES};
use waybill_projections::routing::{self as rm, ROUTES_NAME, STOPS_NAME};
use waybill_routing as solver;

use crate::commands::context::RequestContext;
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

use super::{
    at_time, last_position, parse_route_id, part, service_seconds, PlanOutcome, PlanRequest,
    PlannedRun, MAX_GENERATIONS, MAX_SOLVER_SECS,
};
use crate::commands::service::Decided;

impl Services {
    /// VIP tier orders first: the solver serves higher priority first when not everything
    /// fits, so Black and Gold customers' stops get a floor above any shipment's own priority.
    async fn vip_priority(&self, order_id: &str) -> Result<u8, AppError> {
        let Some(order) = waybill_projections::orders::get(&self.db, order_id).await? else {
            return Ok(0);
        };
        let tier = waybill_projections::customers::get(&self.db, &order.customer_id)
            .await?
            .map(|c| c.tier);
        Ok(match tier.as_deref() {
            Some("black") => 250,
            Some("gold") => 200,
            _ => 0,
        })
    }

    async fn depot_location(&self, depot: &WarehouseId) -> Result<solver::Depot, AppError> {
        let site = SiteId::Warehouse(depot.clone());
        let loaded = self
            .sites
            .load(&site.stream_id())
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("loading a site: {e}")))?;
        let state = loaded.aggregate.state().ok_or_else(|| {
            AppError::not_found(format!("depot {depot} is not registered")).with_reason("not_found")
        })?;
        let point = state
            .details
            .address
            .coordinates()
            .filter(|_| state.is_open());
        let point = point.ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidState,
                format!("depot {depot} is closed or has no coordinates"),
            )
            .with_reason("depot_unusable")
        })?;
        Ok(solver::Depot {
            id: depot.to_string(),
            lat: point.lat(),
            lon: point.lon(),
        })
    }

    async fn plan_vehicles(
        &self,
        request: &PlanRequest,
        exclude: &BTreeSet<String>,
    ) -> Result<Vec<solver::VehicleSpec>, AppError> {
        let ids: Vec<String> = match &request.vehicles {
            Some(ids) => ids.iter().map(|v| v.to_string()).collect(),
            None => {
                waybill_projections::network::list_vehicles(&self.db, Some(request.depot.as_str()))
                    .await?
                    .into_iter()
                    .map(|v| v.vehicle_id)
                    .collect()
            }
        };
        let mut out = Vec::new();
        for id in ids.into_iter().filter(|id| !exclude.contains(id)) {
            let loaded = self.vehicles.load(&id).await.map_err(|e| {
                AppError::new(ErrorCode::Internal, format!("loading a vehicle: {e}"))
            })?;
            let Some(state) = loaded.aggregate.state() else {
                return Err(
                    AppError::not_found(format!("vehicle {id} is not registered"))
                        .with_reason("not_found"),
                );
            };
            if state.status == VehicleStatus::Retired {
                continue;
            }
            let spec = &state.spec;
            if spec.depot != request.depot {
                return Err(AppError::invalid_input(
                    "vehicles",
                    format!("vehicle {id} belongs to depot {}", spec.depot),
                ));
            }
            out.push(solver::VehicleSpec {
                id,
                depot_id: spec.depot.to_string(),
                capacity_weight_grams: i64::from(spec.capacity_weight_grams),
                capacity_parcels: i64::from(spec.capacity_parcels),
                shift_start: at_time(request.date, spec.shift_start),
                shift_end: at_time(request.date, spec.shift_end),
                speed_kmh: f64::from(spec.average_speed_kmh),
            });
        }
        Ok(out)
    }

    /// Plans (or re-plans) a depot's day. Dispatched and closed routes stay as they are: their
    /// vehicles and shipments are left out. Planned routes are re-planned in place (same
    /// stream, `RouteReplanned`), or closed when their vehicle gets nothing this time.
    pub async fn plan_routes(
        &self,
        ctx: &RequestContext,
        request: PlanRequest,
    ) -> Result<PlanOutcome, AppError> {
        if let Some(p) = request.consistent_with {
            self.wait_for(STOPS_NAME, p).await?;
            self.wait_for(ROUTES_NAME, p).await?;
        }
        let depot = self.depot_location(&request.depot).await?;
        let mut fixed_vehicles = BTreeSet::new();
        let mut fixed_shipments = BTreeSet::new();
        let mut fixed_routes = Vec::new();
        let mut open_planned: BTreeMap<String, RouteId> = BTreeMap::new();
        for view in rm::list_routes(&self.db, request.depot.as_str(), request.date).await? {
            let state = self.route_state(parse_route_id(&view.route_id)?).await?;
            let vehicle = state.plan.vehicle_id.to_string();
            if state.status == RouteStatus::Planned {
                open_planned.insert(vehicle, state.route_id);
            } else {
                fixed_vehicles.insert(vehicle);
                fixed_shipments.extend(state.shipment_ids().iter().map(|s| s.to_string()));
                fixed_routes.push(state.route_id);
            }
        }
        let vehicles = self.plan_vehicles(&request, &fixed_vehicles).await?;
        if vehicles.is_empty() {
            return Err(
                AppError::new(ErrorCode::InvalidState, "no free vehicle to plan with")
                    .with_reason("no_vehicles"),
            );
        }
        let service_seconds = service_seconds(request.service_seconds)?;
        let day_start = at_time(request.date, chrono::NaiveTime::MIN);
        let day_end = day_start + TimeDelta::days(1);
        let pending: Vec<_> = rm::list_stops(
            &self.db,
            request.depot.as_str(),
            request.date,
            Some("pending"),
        )
        .await?
        .into_iter()
        .filter(|s| !fixed_shipments.contains(&s.shipment_id))
        .collect();
        let mut vip_floor = std::collections::HashMap::new();
        for s in &pending {
            vip_floor.insert(s.order_id.clone(), self.vip_priority(&s.order_id).await?);
        }
        // Windows are honoured exactly. One narrower than a promise can be (only stored
        // before shipments refused them, or "by" a promise early in the day) is left out with
        // its reason instead of being widened.
        let mut too_narrow = Vec::new();
        let stops: Vec<solver::StopSpec> = pending
            .into_iter()
            .filter_map(|s| {
                let window = (s.window_start.is_some() || s.window_end.is_some()).then(|| {
                    let start = s.window_start.unwrap_or(day_start);
                    (start, s.window_end.unwrap_or(day_end))
                });
                if let Some((start, end)) = window {
                    if end - start < TimeDelta::minutes(MIN_WINDOW_MINUTES) {
                        too_narrow.push(solver::Unassigned {
                            stop_id: s.shipment_id,
                            code: "WINDOW_TOO_NARROW".into(),
                            reason: format!(
                                "the delivery window {start} – {end} is narrower than {MIN_WINDOW_MINUTES} minutes"
                            ),
                        });
                        return None;
                    }
                }
                Some(solver::StopSpec {
                    id: s.shipment_id,
                    lat: s.lat,
                    lon: s.lon,
                    window,
                    weight_grams: s.weight_grams,
                    parcels: s.parcels,
                    service_seconds,
                    priority: s
                        .priority
                        .max(vip_floor.get(&s.order_id).copied().unwrap_or(0)),
                    locked_to: None,
                })
            })
            .collect();
        let settings = solver::PlanSettings {
            max_generations: Some(
                request
                    .max_generations
                    .unwrap_or(500)
                    .clamp(1, MAX_GENERATIONS),
            ),
            max_time_secs: Some(
                request
                    .max_time_secs
                    .unwrap_or(10)
                    .clamp(1, MAX_SOLVER_SECS),
            ),
            repeatable: false,
        };
        let plan = if stops.is_empty() {
            None
        } else {
            let ids: Vec<String> = stops.iter().map(|s| s.id.clone()).collect();
            let matrix = request
                .travel
                .as_ref()
                .map(|t| t.for_stops(&ids))
                .transpose()?;
            let input = (depot, vehicles, stops, settings, matrix);
            let solved = tokio::task::spawn_blocking(move || {
                solver::plan_routes(&input.0, &input.1, &input.2, input.4.as_ref(), &input.3)
            })
            .await
            .map_err(|e| AppError::internal("running the route solver", &e))?
            .map_err(|e| {
                AppError::new(ErrorCode::InvalidInput, format!("route planning: {e}"))
                    .with_reason("plan_rejected")
            })?;
            Some(solved)
        };
        let mut outcome = PlanOutcome {
            routes: Vec::new(),
            unassigned: Vec::new(),
            fixed_routes,
            superseded_routes: Vec::new(),
            position: 0,
        };
        outcome.unassigned = too_narrow;
        if let Some(plan) = plan {
            outcome.unassigned.extend(plan.unassigned.iter().cloned());
            for route in &plan.routes {
                let stored = route_plan(&request, route, &plan.solver, service_seconds)?;
                let (route_id, replanned) = match open_planned.remove(&route.vehicle_id) {
                    Some(route_id) => (route_id, true),
                    None => (RouteId::from_uuid(Uuid::now_v7()), false),
                };
                outcome.routes.push(PlannedRun {
                    route_id,
                    plan: stored,
                    replanned,
                });
            }
        }
        outcome.superseded_routes = open_planned.into_values().collect();
        let written = self
            .commands
            .execute_all(ctx, None, || self.decide_plan(ctx, &outcome))
            .await?;
        outcome.position = last_position(&written);
        Ok(outcome)
    }

    /// Every stream a plan touches, decided: each vehicle's run (a new Route stream, or a
    /// re-plan of its open one), its shipments' assignments, and the superseded routes closed.
    async fn decide_plan(
        &self,
        ctx: &RequestContext,
        outcome: &PlanOutcome,
    ) -> Result<Vec<Decided>, AppError> {
        let at = ctx.received_at;
        let mut parts = Vec::new();
        for run in &outcome.routes {
            let route_id = run.route_id;
            let command = if run.replanned {
                RouteCommand::Replan {
                    plan: run.plan.clone(),
                    at,
                }
            } else {
                RouteCommand::Plan {
                    route_id,
                    plan: run.plan.clone(),
                    at,
                }
            };
            let route = self
                .commands
                .decide(&self.routes, &route_id.to_string(), command)
                .await?;
            parts.extend(part(route.result, &[])?);
            for stop in &run.plan.stops {
                let assign = ShipmentCommand::AssignToRoute { route_id, at };
                let shipment = self
                    .commands
                    .decide(&self.shipments, &stop.shipment_id.to_string(), assign)
                    .await?;
                parts.extend(part(shipment.result, &["already_assigned"])?);
            }
        }
        for route_id in &outcome.superseded_routes {
            let close = RouteCommand::Close {
                at,
                force: true,
                reason: Some("superseded by a re-plan of the depot's day".into()),
            };
            let route = self
                .commands
                .decide(&self.routes, &route_id.to_string(), close)
                .await?;
            parts.extend(part(route.result, &[])?);
        }
        Ok(parts)
    }
}

/// One vehicle's run as stored on its Route stream.
fn route_plan(
    request: &PlanRequest,
    route: &solver::PlannedRoute,
    run: &solver::SolverInfo,
    service_seconds: i64,
) -> Result<RoutePlan, AppError> {
    let mut settings = serde_json::to_value(&run.settings).unwrap_or_default();
    if let Some(map) = settings.as_object_mut() {
        map.insert("service_seconds".into(), service_seconds.into());
        map.insert(
            "travel".into(),
            if request.travel.is_some() {
                "matrix"
            } else {
                "haversine"
            }
            .into(),
        );
    }
    let stops = route
        .stops
        .iter()
        .map(|s| {
            Ok(PlannedStop {
                shipment_id: s.stop_id.parse().map_err(|_| {
                    AppError::new(ErrorCode::Internal, "solver returned an unknown stop")
                })?,
                sequence: s.sequence,
                eta: s.eta,
                departure: s.departure,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(RoutePlan {
        depot: request.depot.clone(),
        date: request.date,
        vehicle_id: VehicleId::parse(&route.vehicle_id)
            .map_err(|e| AppError::invalid_input("vehicles", e))?,
        stops,
        distance_m: u64::try_from(route.distance_m).unwrap_or(0),
        duration_s: u64::try_from(route.duration_s).unwrap_or(0),
        solver: SolverRun {
            name: run.name.clone(),
            version: run.version.clone(),
            settings,
        },
    })
}
