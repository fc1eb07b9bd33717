//! Settling a return: refund, exchange or repair (one kind per return), and
//! closing it once settled.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::ids::ShipmentId;
use crate::order::FulfilLine;
use crate::returns::commands::{RefundPolicy, RefundReturn, Resolution};
use crate::returns::error::ReturnError;
use crate::returns::events::ReturnEvent;
use crate::returns::state::{RepairStage, ReturnState};
use crate::validation::short_text;

/// A return is settled one way: mixing a refund with a replacement would pay
/// the customer twice for the same goods.
fn compatible(state: &ReturnState, attempted: Resolution) -> Result<(), ReturnError> {
    match state.resolution() {
        Some(resolved) if resolved != attempted => Err(ReturnError::ResolutionConflict {
            resolved,
            attempted,
        }),
        _ => Ok(()),
    }
}

fn non_negative(field: &'static str, amount_minor: i64) -> Result<(), ReturnError> {
    if amount_minor < 0 {
        return Err(ReturnError::NegativeAmount {
            field,
            amount_minor,
        });
    }
    Ok(())
}

pub(super) fn refund(state: &ReturnState, cmd: RefundReturn) -> Result<ReturnEvent, ReturnError> {
    short_text("method", &cmd.method)?;
    short_text("reference", &cmd.reference)?;
    short_text("agent", &cmd.agent)?;
    if cmd.amount_minor <= 0 {
        return Err(ReturnError::NonPositiveAmount {
            field: "amount_minor",
            amount_minor: cmd.amount_minor,
        });
    }
    non_negative("captured_minor", cmd.captured_minor)?;
    non_negative("refunded_minor", cmd.refunded_minor)?;
    compatible(state, Resolution::Refund)?;
    // The policy is recorded for audit, so it has to be true.
    match (cmd.policy, state.is_received()) {
        (RefundPolicy::AfterReceipt, false) => return Err(ReturnError::NotReceived),
        (RefundPolicy::BeforeReceipt, true) => return Err(ReturnError::AlreadyReceived),
        _ => {}
    }
    if state.refund_references.contains(&cmd.reference) {
        return Err(ReturnError::DuplicateRefund {
            reference: cmd.reference,
        });
    }
    let refundable_minor = state.refundable_minor(cmd.include_shipping);
    let refunded_minor = state.refunded_total_minor;
    let refunded_total_minor = refunded_minor
        .checked_add(cmd.amount_minor)
        .filter(|total| *total <= refundable_minor)
        .ok_or(ReturnError::RefundExceedsReturnValue {
            refundable_minor,
            refunded_minor,
            attempted_minor: cmd.amount_minor,
        })?;
    let order_exceeded = ReturnError::RefundExceedsCaptured {
        captured_minor: cmd.captured_minor,
        refunded_minor: cmd.refunded_minor,
        attempted_minor: cmd.amount_minor,
    };
    match cmd.refunded_minor.checked_add(cmd.amount_minor) {
        Some(order_total) if order_total <= cmd.captured_minor => {}
        _ => return Err(order_exceeded),
    }
    Ok(ReturnEvent::ReturnRefunded {
        order_id: state.order_id,
        amount_minor: cmd.amount_minor,
        include_shipping: cmd.include_shipping,
        method: cmd.method,
        reference: cmd.reference,
        policy: cmd.policy,
        agent: cmd.agent,
        refunded_total_minor,
        refundable_minor,
        at: cmd.at,
    })
}

/// Replacements may be other SKUs (a different size), so they are bounded by
/// the number of units coming back rather than matched SKU by SKU. Shipping
/// before the goods arrive (advance exchange) is the agent's call.
pub(super) fn exchange(
    state: &ReturnState,
    replacement_shipment_id: ShipmentId,
    lines: Vec<FulfilLine>,
    agent: String,
    at: DateTime<Utc>,
) -> Result<ReturnEvent, ReturnError> {
    short_text("agent", &agent)?;
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
    }
    compatible(state, Resolution::Exchange)?;
    if state.exchange_shipment_id.is_some() {
        return Err(ReturnError::AlreadyExchanged);
    }
    let returned = state.returned_units();
    let replacement = lines
        .iter()
        .map(|line| line.quantity.get())
        .fold(0, u32::saturating_add);
    if replacement > returned {
        return Err(ReturnError::ExchangeExceedsReturned {
            returned,
            replacement,
        });
    }
    Ok(ReturnEvent::ExchangeShipped {
        order_id: state.order_id,
        replacement_shipment_id,
        lines,
        agent,
        at,
    })
}

/// Only goods in hand can go to a repairer.
pub(super) fn send_for_repair(
    state: &ReturnState,
    vendor: String,
    at: DateTime<Utc>,
) -> Result<ReturnEvent, ReturnError> {
    short_text("vendor", &vendor)?;
    compatible(state, Resolution::Repair)?;
    if let Some(stage) = state.repair {
        return Err(ReturnError::RepairAlreadyAt { stage });
    }
    if !state.is_received() {
        return Err(ReturnError::NotReceived);
    }
    Ok(ReturnEvent::SentForRepair { vendor, at })
}

pub(super) fn complete_repair(
    state: &ReturnState,
    at: DateTime<Utc>,
) -> Result<ReturnEvent, ReturnError> {
    match state.repair {
        None => Err(ReturnError::NotSentForRepair),
        Some(RepairStage::SentForRepair) => Ok(ReturnEvent::RepairCompleted { at }),
        Some(stage) => Err(ReturnError::RepairAlreadyAt { stage }),
    }
}

pub(super) fn return_repaired_item(
    state: &ReturnState,
    shipment_id: ShipmentId,
    at: DateTime<Utc>,
) -> Result<ReturnEvent, ReturnError> {
    match state.repair {
        None => Err(ReturnError::NotSentForRepair),
        Some(RepairStage::SentForRepair) => Err(ReturnError::RepairNotCompleted),
        Some(RepairStage::Repaired) => Ok(ReturnEvent::RepairedItemReturned { shipment_id, at }),
        Some(stage @ RepairStage::ReturnedToCustomer) => {
            Err(ReturnError::RepairAlreadyAt { stage })
        }
    }
}

pub(super) fn close(state: &ReturnState, at: DateTime<Utc>) -> Result<ReturnEvent, ReturnError> {
    let Some(outcome) = state.outcome() else {
        return Err(ReturnError::StillOpen {
            status: state.status(),
        });
    };
    Ok(ReturnEvent::ReturnClosed { outcome, at })
}
