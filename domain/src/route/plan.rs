//! Checking a solver's plan before it is stored.

use std::collections::BTreeSet;

use crate::route::commands::RoutePlan;
use crate::route::error::RouteError;
use crate::validation::short_text;

/// Upper bound on stops per run; a van does a few hundred at most, and the
/// bound keeps a single plan event reasonably sized.
pub const MAX_STOPS: usize = 500;

/// Validates `plan` and returns it with stops in sequence order, so every
/// reader sees the run in driving order without sorting.
pub(super) fn check_plan(mut plan: RoutePlan) -> Result<RoutePlan, RouteError> {
    short_text("solver.name", &plan.solver.name)?;
    short_text("solver.version", &plan.solver.version)?;
    if plan.stops.is_empty() {
        return Err(RouteError::NoStops);
    }
    if plan.stops.len() > MAX_STOPS {
        return Err(RouteError::TooManyStops {
            max: MAX_STOPS,
            actual: plan.stops.len(),
        });
    }
    let mut shipments = BTreeSet::new();
    let mut sequences = BTreeSet::new();
    for stop in &plan.stops {
        if !shipments.insert(stop.shipment_id) {
            return Err(RouteError::DuplicateStop {
                shipment_id: stop.shipment_id,
            });
        }
        if !sequences.insert(stop.sequence) {
            return Err(RouteError::DuplicateSequence {
                sequence: stop.sequence,
            });
        }
        // Equal is a zero service time (a locker drop), which is fine.
        if stop.departure < stop.eta {
            return Err(RouteError::DepartureBeforeArrival {
                shipment_id: stop.shipment_id,
            });
        }
    }
    plan.stops.sort_by_key(|stop| stop.sequence);
    // A van is in one place at a time: a plan that overlaps stops was
    // corrupted between solver and API, and its ETAs would mislead drivers.
    for pair in plan.stops.windows(2) {
        if let [previous, next] = pair {
            if next.eta < previous.departure {
                return Err(RouteError::StopsOverlap {
                    shipment_id: next.shipment_id,
                });
            }
        }
    }
    Ok(plan)
}
