//! Delivery routing use cases: plan (and re-plan) a depot's day, dispatch a route, record stop
//! outcomes, close a route. Called by the thin resolvers in `graphql::routing`.
//!
//! A plan is a decision: each vehicle's run is stored on its own Route stream (solver name,
//! version and settings included) and read back from there; nothing re-solves to explain it.
//! Each of these commands spans streams and is decided on all of them before anything is
//! written, then appended in one transaction (`CommandService::execute_all`): planning writes
//! the Route streams and assigns the shipments, dispatching sends `DispatchOnRoute` to each
//! shipment, a stop outcome records a scan on the shipment whose `carrier_event_id` is derived
//! from the route and stop. A refusal of any part writes nothing; a retry finds the parts done.

mod plan;
mod runs;

use chrono::{DateTime, NaiveDate, Utc};
use waybill_domain::ids::{RouteId, VehicleId, WarehouseId};
use waybill_domain::route::{RouteCommand, RouteError, RoutePlan, RouteState};
use waybill_domain::shipment::{ProofOfDelivery, ShipmentError};
use waybill_routing as solver;

use crate::commands::context::RequestContext;
use crate::commands::network::code_of;
use crate::commands::service::{CommandOptions, CommandOutcome, Decided};
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

impl From<RouteError> for AppError {
    fn from(e: RouteError) -> Self {
        AppError::new(code_of(e.kind()), e.to_string()).with_reason(e.code())
    }
}

// The shipment use cases (the lead's `commands/shipments.rs`) may bring their own mapping;
// if both exist, keep one.
impl From<ShipmentError> for AppError {
    fn from(e: ShipmentError) -> Self {
        AppError::new(code_of(e.kind()), e.to_string()).with_reason(e.code())
    }
}

/// Upper bounds on what a caller may ask the solver for (it runs on a blocking thread).
pub const MAX_SOLVER_SECS: u64 = 60;
pub const MAX_GENERATIONS: usize = 5_000;

/// Time spent at each stop when the plan does not say: a parcel handed over at the door.
pub const DEFAULT_SERVICE_SECONDS: i64 = 300;
/// The longest stop a plan accepts (4 hours). Longer is an installation job, not a delivery
/// stop, or a unit mistake (minutes sent as seconds): refused, never clamped.
pub const MAX_SERVICE_SECONDS: i64 = 14_400;

/// The service time of every stop of a plan: the request's, else the default; refused above
/// the maximum or below zero.
pub(super) fn service_seconds(requested: Option<i64>) -> Result<i64, AppError> {
    let seconds = requested.unwrap_or(DEFAULT_SERVICE_SECONDS);
    if !(0..=MAX_SERVICE_SECONDS).contains(&seconds) {
        return Err(AppError::invalid_input(
            "settings.serviceSeconds",
            format!("service time per stop is 0 to {MAX_SERVICE_SECONDS} seconds, got {seconds}"),
        )
        .with_reason("service_time_out_of_range"));
    }
    Ok(seconds)
}

/// One planning request.
#[derive(Clone, Debug)]
pub struct PlanRequest {
    pub depot: WarehouseId,
    pub date: NaiveDate,
    /// The vehicles to plan with; `None` = every active vehicle of the depot.
    pub vehicles: Option<Vec<VehicleId>>,
    pub max_generations: Option<usize>,
    pub max_time_secs: Option<u64>,
    /// Time spent at each stop (default [`DEFAULT_SERVICE_SECONDS`], at most
    /// [`MAX_SERVICE_SECONDS`]).
    pub service_seconds: Option<i64>,
    /// Wait until the read models include this position first.
    pub consistent_with: Option<i64>,
    /// Road distances and times; without one, straight lines at each vehicle's speed.
    pub travel: Option<TravelMatrix>,
}

/// A client-supplied matrix over `locations` ("depot", then shipment ids), row-major.
#[derive(Clone, Debug)]
pub struct TravelMatrix {
    pub locations: Vec<String>,
    pub distances_m: Vec<i64>,
    pub durations_s: Vec<i64>,
}

impl TravelMatrix {
    /// Reorders the client's matrix to the solver's order: the depot, then `stops`.
    pub fn for_stops(
        &self,
        stops: &[String],
    ) -> Result<waybill_routing::Matrix, crate::error::AppError> {
        let n = self.locations.len();
        if self.distances_m.len() != n * n || self.durations_s.len() != n * n {
            return Err(crate::error::AppError::invalid_input(
                "travel",
                format!("{n} locations need {} distances and durations", n * n),
            ));
        }
        let index = |id: &str| {
            self.locations.iter().position(|l| l == id).ok_or_else(|| {
                crate::error::AppError::invalid_input(
                    "travel.locations",
                    format!("the matrix has no entry for {id:?}"),
                )
            })
        };
        let order: Vec<usize> = std::iter::once(index("depot"))
            .chain(stops.iter().map(|s| index(s)))
            .collect::<Result<_, _>>()?;
        let mut distances_m = Vec::with_capacity(order.len() * order.len());
        let mut durations_s = Vec::with_capacity(order.len() * order.len());
        for &from in &order {
            for &to in &order {
                distances_m.push(self.distances_m[from * n + to]);
                durations_s.push(self.durations_s[from * n + to]);
            }
        }
        Ok(waybill_routing::Matrix {
            distances_m,
            durations_s,
        })
    }
}

/// A route written by this planning run.
#[derive(Clone, Debug)]
pub struct PlannedRun {
    pub route_id: RouteId,
    pub plan: RoutePlan,
    pub replanned: bool,
}

#[derive(Clone, Debug)]
pub struct PlanOutcome {
    pub routes: Vec<PlannedRun>,
    pub unassigned: Vec<solver::Unassigned>,
    /// Dispatched or closed routes of the day, kept as they are.
    pub fixed_routes: Vec<RouteId>,
    /// Planned routes no longer needed (their vehicle got nothing this time), closed.
    pub superseded_routes: Vec<RouteId>,
    /// Global position of the last event written.
    pub position: i64,
}

/// How a stop ended.
#[derive(Clone, Debug)]
pub enum StopResult {
    Completed { proof: Option<ProofOfDelivery> },
    Failed { reason: String },
}

fn parse_route_id(route_id: &str) -> Result<RouteId, AppError> {
    route_id
        .parse()
        .map_err(|_| AppError::invalid_input("routeId", format!("not a route id: {route_id:?}")))
}

fn at_time(date: NaiveDate, time: chrono::NaiveTime) -> DateTime<Utc> {
    date.and_time(time).and_utc()
}

impl Services {
    pub(super) async fn route_state(&self, route_id: RouteId) -> Result<RouteState, AppError> {
        let ctx = self
            .routes
            .load(&route_id.to_string())
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("loading a route: {e}")))?;
        ctx.aggregate
            .state()
            .cloned()
            .ok_or_else(|| RouteError::NotFound.into())
    }

    pub(super) async fn route_write(
        &self,
        ctx: &RequestContext,
        route_id: RouteId,
        command: RouteCommand,
        new_stream: bool,
    ) -> Result<CommandOutcome, AppError> {
        let options = CommandOptions {
            expect_new_stream: new_stream,
            ..CommandOptions::default()
        };
        self.commands
            .execute(&self.routes, &route_id.to_string(), command, ctx, &options)
            .await
    }
}

/// One stream's part of a multi-stream command, or none when it was refused for one of the
/// `tolerated` reasons (the part is already done: a retry).
pub(super) fn part(
    decided: Result<Decided, AppError>,
    tolerated: &[&str],
) -> Result<Option<Decided>, AppError> {
    match decided {
        Ok(part) => Ok(Some(part)),
        Err(e) if e.reason.is_some_and(|r| tolerated.contains(&r)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The global position of the last event a multi-stream command wrote (0 for none).
pub(super) fn last_position(written: &[CommandOutcome]) -> i64 {
    written.iter().map(|o| o.position).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_time_defaults_and_is_refused_out_of_range_never_clamped() {
        assert_eq!(service_seconds(None).ok(), Some(300));
        assert_eq!(service_seconds(Some(5_400)).ok(), Some(5_400));
        assert_eq!(service_seconds(Some(14_400)).ok(), Some(14_400));
        for refused in [14_401, -1] {
            let e = service_seconds(Some(refused)).unwrap_err();
            assert_eq!(
                (e.code, e.reason),
                (ErrorCode::InvalidInput, Some("service_time_out_of_range"))
            );
        }
    }
}
