//! Independent feasibility check of a [`RoutePlan`] against its input, without the solver.
//!
//! Used by the tests and the benchmark; callers can use it to re-validate a stored plan against
//! the input it was made from (e.g. after hand edits) without re-solving.

use crate::model::{RoutePlan, StopSpec, VehicleSpec};
use std::collections::HashMap;

/// Returns the first rule the plan breaks: a stop missing or served twice, a vehicle over
/// capacity, service outside a window or a shift, a timeline running backwards, a locked stop
/// moved off its vehicle or out of order.
pub fn check_plan(
    plan: &RoutePlan,
    vehicles: &[VehicleSpec],
    stops: &[StopSpec],
) -> Result<(), String> {
    let by_id: HashMap<&str, &StopSpec> = stops.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for id in plan
        .routes
        .iter()
        .flat_map(|r| r.stops.iter().map(|s| s.stop_id.as_str()))
    {
        *seen.entry(id).or_default() += 1;
    }
    for u in &plan.unassigned {
        *seen.entry(u.stop_id.as_str()).or_default() += 1;
    }
    if let Some(s) = stops.iter().find(|s| seen.get(s.id.as_str()) != Some(&1)) {
        return Err(format!(
            "stop {} is served or listed {} times",
            s.id,
            seen.get(s.id.as_str()).unwrap_or(&0)
        ));
    }
    if seen.len() != stops.len() {
        return Err("plan names a stop that is not in the input".into());
    }
    for route in &plan.routes {
        let v = vehicles
            .iter()
            .find(|v| v.id == route.vehicle_id)
            .ok_or_else(|| format!("unknown vehicle {}", route.vehicle_id))?;
        let served: Vec<&StopSpec> = route
            .stops
            .iter()
            .map(|s| by_id[s.stop_id.as_str()])
            .collect();
        let weight: i64 = served.iter().map(|s| s.weight_grams).sum();
        let parcels: i64 = served.iter().map(|s| s.parcels).sum();
        if weight > v.capacity_weight_grams || parcels > v.capacity_parcels {
            return Err(format!(
                "{}: load {weight} g / {parcels} parcels over capacity",
                v.id
            ));
        }
        if route.start < v.shift_start || route.end > v.shift_end {
            return Err(format!(
                "{}: route {}..{} outside shift",
                v.id, route.start, route.end
            ));
        }
        let mut clock = route.start;
        for (i, (planned, spec)) in route.stops.iter().zip(&served).enumerate() {
            if planned.sequence as usize != i + 1 {
                return Err(format!(
                    "{}: sequence {} at position {}",
                    v.id,
                    planned.sequence,
                    i + 1
                ));
            }
            if !(clock <= planned.arrival
                && planned.arrival <= planned.eta
                && planned.eta <= planned.departure)
            {
                return Err(format!(
                    "{}: stop {} timeline runs backwards",
                    v.id, spec.id
                ));
            }
            if (planned.departure - planned.eta).num_seconds() != spec.service_seconds {
                return Err(format!("{}: stop {} service time differs", v.id, spec.id));
            }
            if let Some((open, close)) = spec.window {
                if planned.eta < open || planned.eta > close {
                    return Err(format!(
                        "{}: stop {} served at {} outside {open}..{close}",
                        v.id, spec.id, planned.eta
                    ));
                }
            }
            clock = planned.departure;
        }
        if clock > route.end {
            return Err(format!("{}: returns before the last departure", v.id));
        }
    }
    check_locks(plan, stops)
}

/// Locked stops must open their vehicle's route, in `sequence` order (unless unassigned).
fn check_locks(plan: &RoutePlan, stops: &[StopSpec]) -> Result<(), String> {
    let mut locked: HashMap<&str, Vec<(u32, &str)>> = HashMap::new();
    for s in stops {
        if let Some(l) = &s.locked_to {
            locked
                .entry(l.vehicle_id.as_str())
                .or_default()
                .push((l.sequence, s.id.as_str()));
        }
    }
    for (vehicle, mut ids) in locked {
        ids.sort();
        let expected: Vec<&str> = ids
            .into_iter()
            .map(|(_, id)| id)
            .filter(|id| !plan.unassigned.iter().any(|u| u.stop_id == *id))
            .collect();
        let route: Vec<&str> = plan
            .routes
            .iter()
            .find(|r| r.vehicle_id == vehicle)
            .map(|r| r.stops.iter().map(|s| s.stop_id.as_str()).collect())
            .unwrap_or_default();
        if route.len() < expected.len() || route[..expected.len()] != expected[..] {
            return Err(format!(
                "{vehicle}: locked stops {expected:?} do not open its route {route:?}"
            ));
        }
    }
    Ok(())
}
