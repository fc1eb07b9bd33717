//! Command decisions for review, logistics, receipt and inspection, and the
//! dispatch that enforces the order of steps. Resolutions are in `resolve`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::ids::{id_rule, PickupPointId, ShipmentId, WarehouseId};
use crate::returns::aggregate::Return;
use crate::returns::commands::{InspectedLine, ReceivedLine, ReturnCommand};
use crate::returns::error::ReturnError;
use crate::returns::events::ReturnEvent;
use crate::returns::request::request;
use crate::returns::resolve;
use crate::returns::state::{ReturnState, ReviewDecision};
use crate::validation::{long_text, short_text};
use crate::values::Sku;

impl Return {
    /// Decides `command` against the current state without mutating it.
    /// `handle` writes the returned events; tests and dry runs call it too.
    pub fn decide(&self, command: ReturnCommand) -> Result<Vec<ReturnEvent>, ReturnError> {
        let Some(state) = self.state() else {
            return match command {
                ReturnCommand::Request(cmd) => request(cmd).map(|event| vec![event]),
                _ => Err(ReturnError::NotFound),
            };
        };
        // Guards run from the most final condition down, so each command
        // gets the one refusal that explains why it is too late or too early.
        let event = match command {
            ReturnCommand::Request(_) => return Err(ReturnError::AlreadyRequested),
            _ if state.is_closed() => return Err(ReturnError::Closed),
            ReturnCommand::Close { at } => resolve::close(state, at)?,
            _ if state.review == Some(ReviewDecision::Rejected) => {
                return Err(ReturnError::Rejected)
            }
            ReturnCommand::Approve { agent, note, at } => approve(state, agent, note, at)?,
            ReturnCommand::Reject { agent, reason, at } => reject(state, agent, reason, at)?,
            _ if state.review.is_none() => return Err(ReturnError::NotApproved),
            ReturnCommand::IssueReturnLabel {
                reverse_shipment_id,
                carrier,
                tracking_number,
                at,
            } => issue_label(state, reverse_shipment_id, carrier, tracking_number, at)?,
            ReturnCommand::DropOff {
                pickup_point_id,
                at,
            } => drop_off(state, pickup_point_id, at)?,
            ReturnCommand::Receive {
                warehouse_id,
                lines,
                staff,
                at,
            } => receive(state, warehouse_id, lines, staff, at)?,
            ReturnCommand::Inspect {
                lines,
                inspector,
                at,
            } => inspect(state, lines, inspector, at)?,
            ReturnCommand::RefundReturn(cmd) => resolve::refund(state, cmd)?,
            ReturnCommand::Exchange {
                replacement_shipment_id,
                lines,
                agent,
                at,
            } => resolve::exchange(state, replacement_shipment_id, lines, agent, at)?,
            ReturnCommand::SendForRepair { vendor, at } => {
                resolve::send_for_repair(state, vendor, at)?
            }
            ReturnCommand::CompleteRepair { at } => resolve::complete_repair(state, at)?,
            ReturnCommand::ReturnRepairedItem { shipment_id, at } => {
                resolve::return_repaired_item(state, shipment_id, at)?
            }
        };
        Ok(vec![event])
    }
}

fn not_reviewed(state: &ReturnState) -> Result<(), ReturnError> {
    match state.review {
        Some(decision) => Err(ReturnError::AlreadyReviewed { decision }),
        None => Ok(()),
    }
}

fn approve(
    state: &ReturnState,
    agent: String,
    note: Option<String>,
    at: DateTime<Utc>,
) -> Result<ReturnEvent, ReturnError> {
    short_text("agent", &agent)?;
    if let Some(note) = &note {
        long_text("note", note)?;
    }
    not_reviewed(state)?;
    Ok(ReturnEvent::ReturnApproved { agent, note, at })
}

fn reject(
    state: &ReturnState,
    agent: String,
    reason: String,
    at: DateTime<Utc>,
) -> Result<ReturnEvent, ReturnError> {
    short_text("agent", &agent)?;
    long_text("reason", &reason)?;
    not_reviewed(state)?;
    Ok(ReturnEvent::ReturnRejected { agent, reason, at })
}

/// Logistics may be re-arranged (lost label, customer prefers a locker)
/// until the parcel arrives; after that there is nothing left to send.
fn not_received(state: &ReturnState) -> Result<(), ReturnError> {
    if state.is_received() {
        return Err(ReturnError::AlreadyReceived);
    }
    Ok(())
}

fn issue_label(
    state: &ReturnState,
    reverse_shipment_id: ShipmentId,
    carrier: String,
    tracking_number: String,
    at: DateTime<Utc>,
) -> Result<ReturnEvent, ReturnError> {
    // Carrier codes and tracking numbers end up in carrier API URLs.
    id_rule("carrier", &carrier)?;
    id_rule("tracking_number", &tracking_number)?;
    not_received(state)?;
    Ok(ReturnEvent::ReturnLabelIssued {
        reverse_shipment_id,
        carrier,
        tracking_number,
        at,
    })
}

fn drop_off(
    state: &ReturnState,
    pickup_point_id: PickupPointId,
    at: DateTime<Utc>,
) -> Result<ReturnEvent, ReturnError> {
    not_received(state)?;
    Ok(ReturnEvent::DropOffArranged {
        pickup_point_id,
        at,
    })
}

fn receive(
    state: &ReturnState,
    warehouse_id: WarehouseId,
    lines: Vec<ReceivedLine>,
    staff: String,
    at: DateTime<Utc>,
) -> Result<ReturnEvent, ReturnError> {
    short_text("staff", &staff)?;
    if lines.is_empty() {
        return Err(ReturnError::NoLines);
    }
    let mut seen = BTreeSet::new();
    for line in &lines {
        if !seen.insert(&line.sku) {
            return Err(ReturnError::DuplicateSku {
                sku: line.sku.clone(),
            });
        }
        if line.damaged_qty > line.received_qty {
            return Err(ReturnError::DamagedExceedsReceived {
                sku: line.sku.clone(),
                received: line.received_qty,
                damaged: line.damaged_qty,
            });
        }
    }
    if lines.iter().all(|line| line.received_qty == 0) {
        return Err(ReturnError::NothingReceived);
    }
    not_received(state)?;
    for line in &lines {
        let requested = requested_or_unknown(state, &line.sku)?;
        if line.received_qty > requested {
            return Err(ReturnError::ExceedsRequested {
                sku: line.sku.clone(),
                requested,
                received: line.received_qty,
            });
        }
    }
    let complete = state.lines.iter().all(|requested| {
        lines
            .iter()
            .any(|line| line.sku == requested.sku && line.received_qty >= requested.quantity.get())
    });
    Ok(ReturnEvent::ReturnReceived {
        warehouse_id,
        lines,
        staff,
        complete,
        at,
    })
}

/// Every received unit gets exactly one explicit restock/write-off decision,
/// so stock and write-off ledgers can be driven from this event alone.
fn inspect(
    state: &ReturnState,
    lines: Vec<InspectedLine>,
    inspector: String,
    at: DateTime<Utc>,
) -> Result<ReturnEvent, ReturnError> {
    short_text("inspector", &inspector)?;
    if lines.is_empty() {
        return Err(ReturnError::NoLines);
    }
    let Some(receipt) = &state.receipt else {
        return Err(ReturnError::NotReceived);
    };
    if state.inspection.is_some() {
        return Err(ReturnError::AlreadyInspected);
    }
    let mut inspected: BTreeMap<&Sku, u32> = BTreeMap::new();
    for line in &lines {
        requested_or_unknown(state, &line.sku)?;
        let units = inspected.entry(&line.sku).or_insert(0);
        *units = units.saturating_add(line.quantity.get());
    }
    for requested in &state.lines {
        let received = state.received_quantity(&requested.sku);
        let inspected = inspected.get(&requested.sku).copied().unwrap_or(0);
        if inspected != received {
            return Err(ReturnError::InspectionMismatch {
                sku: requested.sku.clone(),
                received,
                inspected,
            });
        }
    }
    Ok(ReturnEvent::ReturnInspected {
        warehouse_id: receipt.warehouse_id.clone(),
        lines,
        inspector,
        at,
    })
}

fn requested_or_unknown(state: &ReturnState, sku: &Sku) -> Result<u32, ReturnError> {
    state
        .requested_quantity(sku)
        .ok_or_else(|| ReturnError::UnknownSku { sku: sku.clone() })
}
