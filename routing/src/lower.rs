//! Validates depot-planning input and lowers it to the internal [`Problem`].
//!
//! Units: metres and seconds; times are Unix seconds. Location 0 is the depot, location `i + 1`
//! is `stops[i]`.

use crate::error::{PlanError, MAX_QUANTITY};
use crate::geo::haversine_m;
use crate::model::{Depot, Matrix, StopSpec, VehicleSpec};
use crate::problem::{Job, Problem, Profile, Task, Vehicle};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Last second that vrp's RFC 3339 formatting (4-digit years) can represent.
const MAX_TIMESTAMP: i64 = 253_402_300_799;

fn coordinate(kind: &'static str, id: &str, lat: f64, lon: f64) -> Result<(), PlanError> {
    let ok = lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon);
    if ok {
        Ok(())
    } else {
        Err(PlanError::InvalidCoordinate {
            kind,
            id: id.to_string(),
            lat,
            lon,
        })
    }
}

fn quantity(
    kind: &'static str,
    id: &str,
    field: &'static str,
    value: i64,
) -> Result<i64, PlanError> {
    if (0..=MAX_QUANTITY).contains(&value) {
        Ok(value)
    } else {
        Err(PlanError::InvalidQuantity {
            kind,
            id: id.to_string(),
            field,
            value,
        })
    }
}

fn timestamp(kind: &'static str, id: &str, t: &DateTime<Utc>) -> Result<i64, PlanError> {
    let s = t.timestamp();
    if (0..=MAX_TIMESTAMP).contains(&s) {
        Ok(s)
    } else {
        Err(PlanError::TimeOutOfRange {
            kind,
            id: id.to_string(),
        })
    }
}

fn unique_ids<'a>(kind: &'static str, ids: impl Iterator<Item = &'a str>) -> Result<(), PlanError> {
    let mut seen = HashSet::new();
    for id in ids {
        if id.is_empty() || !seen.insert(id) {
            return Err(PlanError::DuplicateId {
                kind,
                id: id.to_string(),
            });
        }
    }
    Ok(())
}

fn vehicle(depot: &Depot, v: &VehicleSpec) -> Result<Vehicle, PlanError> {
    if v.depot_id != depot.id {
        return Err(PlanError::WrongDepot {
            vehicle_id: v.id.clone(),
            vehicle_depot: v.depot_id.clone(),
            depot: depot.id.clone(),
        });
    }
    if !(v.speed_kmh.is_finite() && v.speed_kmh > 0.0) {
        return Err(PlanError::InvalidSpeed {
            vehicle_id: v.id.clone(),
            speed_kmh: v.speed_kmh,
        });
    }
    let (start, end) = (
        timestamp("vehicle", &v.id, &v.shift_start)?,
        timestamp("vehicle", &v.id, &v.shift_end)?,
    );
    if end < start {
        return Err(PlanError::InvalidShift {
            vehicle_id: v.id.clone(),
        });
    }
    let capacity = vec![
        quantity(
            "vehicle",
            &v.id,
            "capacity_weight_grams",
            v.capacity_weight_grams,
        )?,
        quantity("vehicle", &v.id, "capacity_parcels", v.capacity_parcels)?,
    ];
    Ok(Vehicle {
        capacity,
        start,
        end,
        profile: 0,
    })
}

fn job(idx: usize, s: &StopSpec) -> Result<Job, PlanError> {
    coordinate("stop", &s.id, s.lat, s.lon)?;
    let window = match &s.window {
        None => None,
        Some((open, close)) => {
            let (open, close) = (
                timestamp("stop", &s.id, open)?,
                timestamp("stop", &s.id, close)?,
            );
            if close < open {
                return Err(PlanError::InvalidWindow {
                    stop_id: s.id.clone(),
                });
            }
            Some((open, close))
        }
    };
    let delivery = Task {
        loc: idx + 1,
        demand: vec![
            quantity("stop", &s.id, "weight_grams", s.weight_grams)?,
            quantity("stop", &s.id, "parcels", s.parcels)?,
        ],
        window,
        service: quantity("stop", &s.id, "service_seconds", s.service_seconds)?,
    };
    Ok(Job {
        pickup: None,
        delivery,
        value: (s.priority > 0).then_some(s.priority as f64),
    })
}

/// `(vehicle, jobs)` for each vehicle with locked stops, jobs in `sequence` order.
fn locks(
    vehicles: &[VehicleSpec],
    stops: &[StopSpec],
) -> Result<Vec<(usize, Vec<usize>)>, PlanError> {
    let index: HashMap<&str, usize> = vehicles
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.as_str(), i))
        .collect();
    let mut by_vehicle: BTreeMap<usize, BTreeMap<u32, usize>> = BTreeMap::new();
    for (j, s) in stops.iter().enumerate() {
        let Some(lock) = &s.locked_to else { continue };
        let &v =
            index
                .get(lock.vehicle_id.as_str())
                .ok_or_else(|| PlanError::UnknownLockedVehicle {
                    stop_id: s.id.clone(),
                    vehicle_id: lock.vehicle_id.clone(),
                })?;
        if by_vehicle
            .entry(v)
            .or_default()
            .insert(lock.sequence, j)
            .is_some()
        {
            return Err(PlanError::DuplicateLockedSequence {
                vehicle_id: lock.vehicle_id.clone(),
                sequence: lock.sequence,
            });
        }
    }
    Ok(by_vehicle
        .into_iter()
        .map(|(v, seq)| (v, seq.into_values().collect()))
        .collect())
}

fn profiles(
    depot: &Depot,
    vehicles: &[VehicleSpec],
    lowered: &mut [Vehicle],
    stops: &[StopSpec],
    matrix: Option<&Matrix>,
) -> Result<Vec<Profile>, PlanError> {
    let n = stops.len() + 1;
    if let Some(m) = matrix {
        let valid =
            |v: &Vec<i64>| v.len() == n * n && v.iter().all(|x| (0..=MAX_QUANTITY).contains(x));
        if !valid(&m.distances_m) || !valid(&m.durations_s) {
            return Err(PlanError::InvalidMatrix { expected: n });
        }
        return Ok(vec![Profile {
            distances: m.distances_m.clone(),
            durations: m.durations_s.clone(),
        }]);
    }
    let points: Vec<(f64, f64)> = std::iter::once((depot.lat, depot.lon))
        .chain(stops.iter().map(|s| (s.lat, s.lon)))
        .collect();
    let metres: Vec<f64> = points
        .iter()
        .flat_map(|a| points.iter().map(move |b| haversine_m(*a, *b)))
        .collect();
    let distances: Vec<i64> = metres.iter().map(|m| m.round() as i64).collect();
    // One profile per distinct speed: vehicles at the same speed share a matrix.
    let mut speeds: Vec<f64> = Vec::new();
    for (spec, v) in vehicles.iter().zip(lowered.iter_mut()) {
        v.profile = match speeds.iter().position(|s| *s == spec.speed_kmh) {
            Some(p) => p,
            None => {
                speeds.push(spec.speed_kmh);
                speeds.len() - 1
            }
        };
    }
    Ok(speeds
        .iter()
        .map(|kmh| {
            let mps = kmh / 3.6;
            let durations = metres
                .iter()
                .map(|m| ((m / mps).round() as i64).min(MAX_QUANTITY))
                .collect();
            Profile {
                distances: distances.clone(),
                durations,
            }
        })
        .collect())
}

/// Checks every input rule and builds the internal problem.
pub(crate) fn lower(
    depot: &Depot,
    vehicles: &[VehicleSpec],
    stops: &[StopSpec],
    matrix: Option<&Matrix>,
) -> Result<Problem, PlanError> {
    if vehicles.is_empty() {
        return Err(PlanError::NoVehicles);
    }
    coordinate("depot", &depot.id, depot.lat, depot.lon)?;
    unique_ids("vehicle", vehicles.iter().map(|v| v.id.as_str()))?;
    unique_ids("stop", stops.iter().map(|s| s.id.as_str()))?;
    let mut lowered = vehicles
        .iter()
        .map(|v| vehicle(depot, v))
        .collect::<Result<Vec<_>, _>>()?;
    let jobs = stops
        .iter()
        .enumerate()
        .map(|(i, s)| job(i, s))
        .collect::<Result<Vec<_>, _>>()?;
    let locks = locks(vehicles, stops)?;
    let profiles = profiles(depot, vehicles, &mut lowered, stops, matrix)?;
    Ok(Problem {
        locations: stops.len() + 1,
        depot: 0,
        vehicles: lowered,
        jobs,
        profiles,
        locks,
    })
}
