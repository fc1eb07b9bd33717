//! Command decisions: pure functions from current state and command to the
//! events to record, or a typed refusal.

use chrono::{DateTime, Utc};

use crate::ids::ShipmentId;
use crate::route::aggregate::Route;
use crate::route::commands::{RouteCommand, RoutePlan};
use crate::route::error::RouteError;
use crate::route::events::RouteEvent;
use crate::route::plan::check_plan;
use crate::route::state::{RouteState, RouteStatus, StopOutcome};
use crate::validation::long_text;

impl Route {
    /// Decides `command` against the current state without mutating it.
    pub fn decide(&self, command: RouteCommand) -> Result<Vec<RouteEvent>, RouteError> {
        let Some(state) = self.state() else {
            return match command {
                RouteCommand::Plan { route_id, plan, at } => Ok(vec![RouteEvent::RoutePlanned {
                    route_id,
                    plan: check_plan(plan)?,
                    revision: 1,
                    at,
                }]),
                _ => Err(RouteError::NotFound),
            };
        };
        let event = match command {
            // Before the closed check so a re-sent plan always resolves to
            // "already exists".
            RouteCommand::Plan { .. } => {
                return Err(RouteError::AlreadyPlanned {
                    route_id: state.route_id,
                })
            }
            _ if state.status == RouteStatus::Closed => return Err(RouteError::Closed),
            RouteCommand::Replan { plan, at } => replan(state, plan, at)?,
            RouteCommand::Dispatch { at, driver } => {
                not_dispatched(state)?;
                RouteEvent::RouteDispatched {
                    vehicle_id: state.plan.vehicle_id.clone(),
                    driver,
                    shipment_ids: state.shipment_ids(),
                    at,
                }
            }
            RouteCommand::CompleteStop {
                shipment_id,
                at,
                proof,
            } => RouteEvent::StopCompleted {
                shipment_id,
                sequence: open_stop(state, shipment_id)?,
                proof,
                at,
            },
            RouteCommand::FailStop {
                shipment_id,
                at,
                reason,
            } => {
                let sequence = open_stop(state, shipment_id)?;
                long_text("reason", &reason)?;
                RouteEvent::StopFailed {
                    shipment_id,
                    sequence,
                    reason,
                    at,
                }
            }
            RouteCommand::Close { at, force, reason } => close(state, at, force, reason)?,
        };
        Ok(vec![event])
    }
}

/// Once the van has left, the plan is what the driver is following; changing
/// it would make the stored plan disagree with what happened.
fn not_dispatched(state: &RouteState) -> Result<(), RouteError> {
    match state.dispatched_at {
        Some(dispatched_at) => Err(RouteError::AlreadyDispatched { dispatched_at }),
        None => Ok(()),
    }
}

fn replan(
    state: &RouteState,
    plan: RoutePlan,
    at: DateTime<Utc>,
) -> Result<RouteEvent, RouteError> {
    not_dispatched(state)?;
    let plan = check_plan(plan)?;
    let old = state.shipment_ids();
    let added = plan
        .stops
        .iter()
        .map(|stop| stop.shipment_id)
        .filter(|id| !old.contains(id))
        .collect();
    let removed = old
        .into_iter()
        .filter(|id| !plan.stops.iter().any(|stop| stop.shipment_id == *id))
        .collect();
    Ok(RouteEvent::RouteReplanned {
        plan,
        revision: state.revision.saturating_add(1),
        added,
        removed,
        at,
    })
}

/// The stop's sequence, if it can still get an outcome.
fn open_stop(state: &RouteState, shipment_id: ShipmentId) -> Result<u32, RouteError> {
    if !state.is_dispatched() {
        return Err(RouteError::NotDispatched);
    }
    let Some(stop) = state.stop(shipment_id) else {
        return Err(RouteError::UnknownStop { shipment_id });
    };
    if let Some(outcome) = state.outcome(shipment_id) {
        return Err(RouteError::StopAlreadyDone {
            shipment_id,
            outcome,
        });
    }
    Ok(stop.sequence)
}

fn close(
    state: &RouteState,
    at: DateTime<Utc>,
    force: bool,
    reason: Option<String>,
) -> Result<RouteEvent, RouteError> {
    if let Some(reason) = &reason {
        long_text("reason", reason)?;
    }
    let open = state.open_stops();
    if !open.is_empty() {
        if !force {
            return Err(RouteError::OpenStops { open });
        }
        if reason.is_none() {
            return Err(RouteError::ForceWithoutReason);
        }
    }
    Ok(RouteEvent::RouteClosed {
        forced: !open.is_empty(),
        reason,
        completed: state.count(StopOutcome::Completed),
        failed: state.count(StopOutcome::Failed),
        unfinished: open,
        at,
    })
}
