//! Adapter to vrp-pragmatic: lowers [`Problem`] to the pragmatic JSON model, runs the
//! evolutionary solver with the caller's limits, and reads the pragmatic solution back.
//!
//! Locations are matrix references (`{"index": i}`) with our own matrices, never coordinates:
//! that keeps one code path for haversine, road-router and Euclidean benchmark distances, and
//! lets the greedy baseline use exactly the same numbers. Ids sent to vrp are synthetic
//! (`j<idx>`, `v<idx>`) so user ids can never clash with vrp's reserved ids (`departure`,
//! `arrival`, `break`, ...).

use crate::error::PlanError;
use crate::model::PlanSettings;
use crate::problem::{Problem, Solved, SolvedJob, SolvedRoute, Task, Visit};
use chrono::{DateTime, SecondsFormat};
use std::collections::HashMap;
use std::io::{BufReader, BufWriter};
use std::sync::Arc;
use vrp_pragmatic::core::prelude::{DefaultRandom, Environment, Solver, VrpConfigBuilder};
use vrp_pragmatic::core::rosomaxa::evolution::TelemetryMode;
use vrp_pragmatic::core::utils::{Parallelism, TimeQuota};
use vrp_pragmatic::format::problem as api;
use vrp_pragmatic::format::problem::PragmaticProblem;
use vrp_pragmatic::format::solution::{
    deserialize_solution, write_pragmatic, PragmaticOutputType, Stop,
};
use vrp_pragmatic::format::Location;

/// Reported in [`crate::SolverInfo`]; must equal the `=` pin in the workspace Cargo.toml
/// (a unit test checks it).
pub const SOLVER_NAME: &str = "vrp-pragmatic";
pub const SOLVER_VERSION: &str = "1.25.0";

fn time(t: i64) -> Result<String, PlanError> {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
        .ok_or_else(|| PlanError::Solver(format!("timestamp {t} out of range")))
}

fn parse_time(s: &str) -> Result<i64, PlanError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp())
        .map_err(|e| PlanError::Solver(format!("solver returned bad time '{s}': {e}")))
}

fn to_i32(values: &[i64]) -> Vec<i32> {
    // Bounds are checked on input (MAX_QUANTITY < i32::MAX).
    values
        .iter()
        .map(|&v| v.clamp(0, i32::MAX as i64) as i32)
        .collect()
}

fn task(t: &Task) -> Result<api::JobTask, PlanError> {
    let times = match t.window {
        Some((open, close)) => Some(vec![vec![time(open)?, time(close)?]]),
        None => None,
    };
    Ok(api::JobTask {
        places: vec![api::JobPlace {
            location: Location::new_reference(t.loc),
            duration: t.service as f64,
            times,
            tag: None,
        }],
        demand: if t.demand.iter().all(|&d| d == 0) {
            None
        } else {
            Some(to_i32(&t.demand))
        },
        order: None,
    })
}

fn build(problem: &Problem) -> Result<(api::Problem, Vec<api::Matrix>), PlanError> {
    let jobs = problem
        .jobs
        .iter()
        .enumerate()
        .map(|(idx, job)| {
            Ok(api::Job {
                id: format!("j{idx}"),
                pickups: job.pickup.as_ref().map(task).transpose()?.map(|t| vec![t]),
                deliveries: Some(vec![task(&job.delivery)?]),
                replacements: None,
                services: None,
                skills: None,
                value: job.value,
                group: None,
                compatibility: None,
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;

    // Identical vehicles share one vrp vehicle type (the usual way to give vrp a fleet of N).
    let mut types: Vec<api::VehicleType> = Vec::new();
    let mut by_key: HashMap<(Vec<i64>, i64, i64, usize), usize> = HashMap::new();
    for (idx, v) in problem.vehicles.iter().enumerate() {
        let key = (v.capacity.clone(), v.start, v.end, v.profile);
        if let Some(&t) = by_key.get(&key) {
            types[t].vehicle_ids.push(format!("v{idx}"));
            continue;
        }
        by_key.insert(key, types.len());
        let depot = Location::new_reference(problem.depot);
        types.push(api::VehicleType {
            type_id: format!("t{}", types.len()),
            vehicle_ids: vec![format!("v{idx}")],
            profile: api::VehicleProfile {
                matrix: format!("p{}", v.profile),
                scale: None,
            },
            // Minimise distance; fleet size is minimised by vrp's MinimizeTours objective.
            costs: api::VehicleCosts {
                fixed: None,
                distance: 1.0,
                time: 0.0,
            },
            shifts: vec![api::VehicleShift {
                start: api::ShiftStart {
                    earliest: time(v.start)?,
                    latest: None,
                    location: depot.clone(),
                },
                end: Some(api::ShiftEnd {
                    earliest: None,
                    latest: time(v.end)?,
                    location: depot,
                }),
                breaks: None,
                reloads: None,
                recharges: None,
            }],
            capacity: to_i32(&v.capacity),
            skills: None,
            limits: None,
        });
    }

    // Locked jobs open the route in order with nothing in between: strict + "departure" anchor.
    let relations: Vec<api::Relation> = problem
        .locks
        .iter()
        .map(|(vehicle, jobs)| api::Relation {
            type_field: api::RelationType::Strict,
            jobs: std::iter::once("departure".to_string())
                .chain(jobs.iter().map(|j| format!("j{j}")))
                .collect(),
            vehicle_id: format!("v{vehicle}"),
            shift_index: None,
        })
        .collect();

    let profiles = (0..problem.profiles.len()).map(|p| api::MatrixProfile {
        name: format!("p{p}"),
        speed: None,
    });
    let matrices = problem
        .profiles
        .iter()
        .enumerate()
        .map(|(p, m)| api::Matrix {
            profile: Some(format!("p{p}")),
            timestamp: None,
            travel_times: m.durations.clone(),
            distances: m.distances.clone(),
            error_codes: None,
        })
        .collect();

    let api_problem = api::Problem {
        plan: api::Plan {
            jobs,
            relations: if relations.is_empty() {
                None
            } else {
                Some(relations)
            },
            clustering: None,
        },
        fleet: api::Fleet {
            vehicles: types,
            profiles: profiles.collect(),
            resources: None,
        },
        // Default goal: [maximize value if any job has one], minimize unassigned, minimize tours,
        // minimize cost — i.e. the usual "vehicles first, then distance" VRPTW scoring.
        objectives: None,
    };
    Ok((api_problem, matrices))
}

/// Runs vrp-pragmatic on `problem` within the limits of `settings`.
pub(crate) fn solve(problem: &Problem, settings: &PlanSettings) -> Result<Solved, PlanError> {
    if problem.jobs.is_empty() {
        return Ok(Solved::default());
    }
    let (api_problem, matrices) = build(problem)?;
    let core = Arc::new(
        (api_problem, matrices)
            .read_pragmatic()
            .map_err(|e| PlanError::Solver(e.to_string()))?,
    );

    let max_time = settings
        .max_time_secs
        .map(|s| s.min(usize::MAX as u64) as usize);
    let environment = Arc::new(Environment {
        random: Arc::new(if settings.repeatable {
            DefaultRandom::new_repeatable()
        } else {
            DefaultRandom::default()
        }),
        // The quota also bounds the construction phase, not only the evolution loop.
        quota: max_time.map(|s| Arc::new(TimeQuota::new(s as f64)) as _),
        parallelism: Parallelism::default(),
        // A library must not print: vrp's default logger writes to stdout.
        logger: Arc::new(|_: &str| {}),
        is_experimental: false,
    });
    let solution = VrpConfigBuilder::new(core.clone())
        .set_environment(environment)
        .set_telemetry_mode(TelemetryMode::None)
        .prebuild()
        .and_then(|b| {
            b.with_max_generations(settings.max_generations)
                .with_max_time(max_time)
                .build()
        })
        .map(|config| Solver::new(core.clone(), config))
        .and_then(|solver| solver.solve())
        .map_err(|e| PlanError::Solver(e.to_string()))?;

    // The pragmatic writer is the supported way to get schedules and reason codes out; its
    // in-memory model is crate-private, so round-trip through its JSON.
    let mut out = BufWriter::new(Vec::new());
    write_pragmatic(
        &core,
        &solution,
        PragmaticOutputType::OnlyPragmatic,
        &mut out,
    )
    .map_err(|e| PlanError::Solver(e.to_string()))?;
    let bytes = out
        .into_inner()
        .map_err(|e| PlanError::Solver(e.to_string()))?;
    let api_solution = deserialize_solution(BufReader::new(bytes.as_slice()))
        .map_err(|e| PlanError::Solver(e.to_string()))?;
    read_solution(&api_solution)
}

fn index(id: &str, prefix: char) -> Result<usize, PlanError> {
    id.strip_prefix(prefix)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| PlanError::Solver(format!("unexpected id '{id}' in solution")))
}

fn read_solution(
    solution: &vrp_pragmatic::format::solution::Solution,
) -> Result<Solved, PlanError> {
    let mut routes = Vec::with_capacity(solution.tours.len());
    for tour in &solution.tours {
        let mut route = SolvedRoute {
            vehicle: index(&tour.vehicle_id, 'v')?,
            start: 0,
            end: 0,
            visits: Vec::new(),
            distance: tour.statistic.distance,
            duration: tour.statistic.duration,
        };
        for stop in &tour.stops {
            let Stop::Point(point) = stop else { continue };
            let mut arrival = parse_time(&point.time.arrival)?;
            for activity in &point.activities {
                let (start, end) = match &activity.time {
                    Some(t) => (parse_time(&t.start)?, parse_time(&t.end)?),
                    None => (
                        parse_time(&point.time.arrival)?,
                        parse_time(&point.time.departure)?,
                    ),
                };
                match activity.activity_type.as_str() {
                    "departure" => route.start = parse_time(&point.time.departure)?,
                    "arrival" => route.end = parse_time(&point.time.arrival)?,
                    kind => route.visits.push(Visit {
                        job: index(&activity.job_id, 'j')?,
                        is_pickup: kind == "pickup",
                        arrival: arrival.min(start),
                        service_start: start,
                        departure: end,
                    }),
                }
                // A later activity at the same stop "arrives" when the previous one is done.
                arrival = end;
            }
        }
        routes.push(route);
    }
    let unassigned = solution
        .unassigned
        .iter()
        .flatten()
        .map(|u| {
            Ok(SolvedJob {
                job: index(&u.job_id, 'j')?,
                code: u
                    .reasons
                    .first()
                    .map_or_else(|| "UNKNOWN".to_string(), |r| r.code.clone()),
                reason: u
                    .reasons
                    .iter()
                    .map(|r| r.description.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;
    Ok(Solved { routes, unassigned })
}
