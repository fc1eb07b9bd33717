//! Command decisions: pure functions from current state and command to the
//! events to record, or a typed refusal.

use chrono::{DateTime, TimeDelta, Utc};

use crate::ids::RouteId;
use crate::shipment::aggregate::Shipment;
use crate::shipment::commands::ShipmentCommand;
use crate::shipment::create::{check_parcels, create};
use crate::shipment::error::ShipmentError;
use crate::shipment::events::ShipmentEvent;
use crate::shipment::scan::record_scan;
use crate::shipment::state::{ShipmentState, ShipmentStatus};
use crate::shipment::values::Direction;
use crate::validation::{long_text, ValidationError};

impl Shipment {
    /// Decides `command` against the current state without mutating it.
    /// `handle` writes the returned events; other callers (tests, dry runs,
    /// fixtures) can use it directly.
    pub fn decide(&self, command: ShipmentCommand) -> Result<Vec<ShipmentEvent>, ShipmentError> {
        let Some(state) = self.state() else {
            return match command {
                ShipmentCommand::Create(cmd) => create(cmd).map(|event| vec![event]),
                _ => Err(ShipmentError::NotFound),
            };
        };
        let event = match command {
            // Checked before terminality so a re-sent creation always
            // resolves to "already exists", whatever became of it.
            ShipmentCommand::Create(_) => {
                return Err(ShipmentError::AlreadyCreated {
                    shipment_id: state.shipment_id,
                })
            }
            _ if state.status.is_terminal() && !command.allowed_when_terminal() => {
                return Err(ShipmentError::Terminal {
                    status: state.status,
                })
            }
            ShipmentCommand::Pick { staff, at } => {
                warehouse_step(state, ShipmentStatus::LabelCreated, ShipmentStatus::Picked)?;
                ShipmentEvent::ShipmentPicked { staff, at }
            }
            ShipmentCommand::Pack { staff, at, parcels } => {
                warehouse_step(state, ShipmentStatus::Picked, ShipmentStatus::Packed)?;
                let parcels = match parcels {
                    Some(parcels) => {
                        check_parcels(&parcels)?;
                        parcels
                    }
                    None => state.parcels.clone(),
                };
                ShipmentEvent::ShipmentPacked { staff, at, parcels }
            }
            ShipmentCommand::HandOver {
                staff,
                at,
                tracking_number,
            } => {
                warehouse_step(
                    state,
                    ShipmentStatus::Packed,
                    ShipmentStatus::HandedToCarrier,
                )?;
                let tracking_number = tracking_number.or_else(|| state.tracking_number.clone());
                if tracking_number.is_none() && !state.carrier.is_own_fleet() {
                    return Err(ShipmentError::MissingTrackingNumber {
                        carrier: state.carrier,
                    });
                }
                ShipmentEvent::HandedToCarrier {
                    staff,
                    at,
                    carrier: state.carrier,
                    tracking_number,
                }
            }
            ShipmentCommand::RecordScan(scan) => record_scan(state, scan)?,
            ShipmentCommand::AssignToRoute { route_id, at } => assign(state, route_id, at)?,
            ShipmentCommand::DispatchOnRoute { route_id, at } => dispatch(state, route_id, at)?,
            ShipmentCommand::Cancel { reason, at } => cancel(state, reason, at)?,
            ShipmentCommand::Expire {
                at,
                days_without_scan,
                last_activity_before,
            } => expire(state, at, days_without_scan, last_activity_before)?,
        };
        Ok(vec![event])
    }
}

/// Warehouse steps run strictly in order; a carrier scan that arrived
/// first (courier collected without a hand-over being recorded) has
/// already moved the shipment past them.
fn warehouse_step(
    state: &ShipmentState,
    from: ShipmentStatus,
    to: ShipmentStatus,
) -> Result<(), ShipmentError> {
    not_reverse(state)?;
    if state.status != from {
        return Err(ShipmentError::InvalidTransition {
            from: state.status,
            to,
        });
    }
    Ok(())
}

/// Returns are collected from the customer by the carrier; the warehouse
/// only sees them arrive.
fn not_reverse(state: &ShipmentState) -> Result<(), ShipmentError> {
    if state.direction == Direction::Reverse {
        return Err(ShipmentError::ReverseShipment);
    }
    Ok(())
}

/// Re-assignment is how a re-plan moves a stop to another run; it stops
/// once the van has left.
fn assign(
    state: &ShipmentState,
    route_id: RouteId,
    at: DateTime<Utc>,
) -> Result<ShipmentEvent, ShipmentError> {
    if !state.carrier.is_own_fleet() {
        return Err(ShipmentError::NotOwnFleet {
            carrier: state.carrier,
        });
    }
    not_reverse(state)?;
    if state.status == ShipmentStatus::OutForDelivery {
        return Err(ShipmentError::AlreadyOutForDelivery);
    }
    if state.route_id == Some(route_id) {
        return Err(ShipmentError::AlreadyAssigned { route_id });
    }
    Ok(ShipmentEvent::AssignedToRoute {
        route_id,
        previous_route_id: state.route_id,
        at,
    })
}

fn dispatch(
    state: &ShipmentState,
    route_id: RouteId,
    at: DateTime<Utc>,
) -> Result<ShipmentEvent, ShipmentError> {
    if state.route_id != Some(route_id) {
        return Err(ShipmentError::NotAssignedToRoute {
            route_id,
            assigned: state.route_id,
        });
    }
    // Unpacked goods cannot be on the van.
    if state.progress.rank() < ShipmentStatus::Packed.rank() {
        return Err(ShipmentError::NotPacked {
            status: state.status,
        });
    }
    // A second dispatch is a retry the caller should not mistake for a new run.
    if state.status == ShipmentStatus::OutForDelivery {
        return Err(ShipmentError::InvalidTransition {
            from: state.status,
            to: ShipmentStatus::OutForDelivery,
        });
    }
    Ok(ShipmentEvent::DispatchedOnRoute { route_id, at })
}

fn cancel(
    state: &ShipmentState,
    reason: String,
    at: DateTime<Utc>,
) -> Result<ShipmentEvent, ShipmentError> {
    long_text("reason", &reason)?;
    if state.is_handed_over() {
        return Err(ShipmentError::AlreadyHandedOver {
            status: state.status,
        });
    }
    Ok(ShipmentEvent::ShipmentCancelled {
        reason,
        status_before: state.status,
        at,
    })
}

/// The policy picks the threshold; this only refuses an inconsistent one
/// (a bug in the policy) and a shipment that has had news since.
fn expire(
    state: &ShipmentState,
    at: DateTime<Utc>,
    days_without_scan: u32,
    last_activity_before: DateTime<Utc>,
) -> Result<ShipmentEvent, ShipmentError> {
    if days_without_scan == 0 {
        return Err(ValidationError::NotPositive {
            field: "days_without_scan",
        }
        .into());
    }
    let latest_threshold = TimeDelta::try_days(i64::from(days_without_scan))
        .and_then(|window| at.checked_sub_signed(window));
    if latest_threshold.is_none_or(|latest| last_activity_before > latest) {
        return Err(ShipmentError::InconsistentExpiry {
            at,
            days_without_scan,
            last_activity_before,
        });
    }
    if state.last_activity_at >= last_activity_before {
        return Err(ShipmentError::RecentActivity {
            last_activity_at: state.last_activity_at,
            last_activity_before,
        });
    }
    Ok(ShipmentEvent::ShipmentExpired {
        days_without_scan,
        last_activity_at: state.last_activity_at,
        status_before: state.status,
        at,
    })
}
