//! The public planning entry points and the conversion of a solution into a [`RoutePlan`].

use crate::error::PlanError;
use crate::model::{
    Depot, Matrix, PlanSettings, PlannedRoute, PlannedStop, RoutePlan, SolverInfo, StopSpec,
    Unassigned, VehicleSpec,
};
use crate::problem::Solved;
use crate::{baseline, lower, vrp};
use chrono::{DateTime, Utc};

/// Name recorded for plans made by [`nearest_neighbour`].
pub const BASELINE_NAME: &str = "nearest-neighbour";

pub(crate) fn check_settings(settings: &PlanSettings) -> Result<(), PlanError> {
    if settings.max_generations.is_none() && settings.max_time_secs.is_none() {
        return Err(PlanError::InvalidSettings(
            "set max_generations or max_time_secs (or both)".into(),
        ));
    }
    if settings.max_generations == Some(0) || settings.max_time_secs == Some(0) {
        return Err(PlanError::InvalidSettings("limits must be positive".into()));
    }
    Ok(())
}

/// Plans delivery routes from `depot` with the vrp-pragmatic solver.
///
/// Travel is straight-line (haversine) at each vehicle's speed unless `matrix` is given. Every
/// stop is either on a route or in `unassigned` with the solver's reason; invalid input is a
/// [`PlanError`]. The search is randomised: store the returned plan, do not re-solve to explain it.
pub fn plan_routes(
    depot: &Depot,
    vehicles: &[VehicleSpec],
    stops: &[StopSpec],
    matrix: Option<&Matrix>,
    settings: &PlanSettings,
) -> Result<RoutePlan, PlanError> {
    check_settings(settings)?;
    let problem = lower::lower(depot, vehicles, stops, matrix)?;
    let solved = vrp::solve(&problem, settings)?;
    let info = SolverInfo {
        name: vrp::SOLVER_NAME.to_string(),
        version: vrp::SOLVER_VERSION.to_string(),
        settings: settings.clone(),
    };
    to_plan(&solved, vehicles, stops, info)
}

/// The greedy nearest-neighbour baseline on the same input, in the same shape (deterministic).
pub fn nearest_neighbour(
    depot: &Depot,
    vehicles: &[VehicleSpec],
    stops: &[StopSpec],
    matrix: Option<&Matrix>,
) -> Result<RoutePlan, PlanError> {
    let problem = lower::lower(depot, vehicles, stops, matrix)?;
    let solved = baseline::solve(&problem);
    let info = SolverInfo {
        name: BASELINE_NAME.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        settings: PlanSettings {
            max_generations: None,
            max_time_secs: None,
            repeatable: true,
        },
    };
    to_plan(&solved, vehicles, stops, info)
}

fn at(t: i64) -> Result<DateTime<Utc>, PlanError> {
    DateTime::from_timestamp(t, 0)
        .ok_or_else(|| PlanError::Solver(format!("timestamp {t} out of range")))
}

fn to_plan(
    solved: &Solved,
    vehicles: &[VehicleSpec],
    stops: &[StopSpec],
    solver: SolverInfo,
) -> Result<RoutePlan, PlanError> {
    let mut routes = solved
        .routes
        .iter()
        .filter(|r| !r.visits.is_empty())
        .collect::<Vec<_>>();
    // Input order, so the stored plan reads the same way the fleet was given.
    routes.sort_by_key(|r| r.vehicle);
    let routes = routes
        .into_iter()
        .map(|r| {
            let stops = r
                .visits
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    Ok(PlannedStop {
                        stop_id: stops[v.job].id.clone(),
                        sequence: i as u32 + 1,
                        arrival: at(v.arrival)?,
                        eta: at(v.service_start)?,
                        departure: at(v.departure)?,
                    })
                })
                .collect::<Result<Vec<_>, PlanError>>()?;
            Ok(PlannedRoute {
                vehicle_id: vehicles[r.vehicle].id.clone(),
                start: at(r.start)?,
                end: at(r.end)?,
                stops,
                distance_m: r.distance,
                duration_s: r.duration,
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;
    let mut unassigned = solved.unassigned.clone();
    unassigned.sort_by_key(|u| u.job);
    Ok(RoutePlan {
        vehicles_used: routes.len(),
        total_distance_m: routes.iter().map(|r| r.distance_m).sum(),
        routes,
        unassigned: unassigned
            .into_iter()
            .map(|u| Unassigned {
                stop_id: stops[u.job].id.clone(),
                code: u.code,
                reason: u.reason,
            })
            .collect(),
        solver,
    })
}
