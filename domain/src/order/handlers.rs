//! Command decisions: pure functions from current state and command to the
//! events to record, or a typed refusal.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::ids::WarehouseId;
use crate::order::aggregate::Order;
use crate::order::amend::{amend_lines, change_address, change_delivery};
use crate::order::commands::PlaceOrder;
use crate::order::commands::{AnomalyKind, FulfilLine, OrderCommand};
use crate::order::error::OrderError;
use crate::order::events::{FulfilledBy, OrderEvent};
use crate::order::place::{place, same_placement};
use crate::order::refund::{record_refund, RefundRequest};
use crate::order::state::{OrderState, OrderStatus, PaymentState, PaymentStep};
use crate::validation::{long_text, short_text};

impl Order {
    /// Decides `command` against the current state without mutating it.
    /// `handle` writes the returned events; other callers (tests, dry runs,
    /// fixtures) can use it directly.
    pub fn decide(&self, command: OrderCommand) -> Result<Vec<OrderEvent>, OrderError> {
        let Some(state) = self.state() else {
            return match command {
                OrderCommand::Place(cmd) => place(cmd).map(|event| vec![event]),
                _ => Err(OrderError::NotFound),
            };
        };
        let event = match command {
            // Checked before terminality so a re-sent channel order always resolves to
            // "already exists" (a replay), whatever became of it — unless its content
            // changed, which a replay would silently lose.
            OrderCommand::Place(cmd) => return Err(replaced(state, cmd)),
            _ if state.status.is_terminal() && !command.allowed_when_terminal() => {
                return Err(OrderError::Terminal {
                    status: state.status,
                })
            }
            OrderCommand::AuthorisePayment {
                method,
                reference,
                amount_minor,
            } => authorise(state, method, reference, amount_minor)?,
            OrderCommand::CapturePayment {
                method,
                reference,
                amount_minor,
            } => capture(state, method, reference, amount_minor)?,
            OrderCommand::FailPayment {
                method,
                reference,
                reason,
            } => fail(state, method, reference, reason)?,
            OrderCommand::Cancel { reason } => cancel(state, reason)?,
            OrderCommand::Allocate { warehouse_id } => allocate(state, warehouse_id)?,
            OrderCommand::Fulfil {
                shipment_reference,
                lines,
            } => fulfil(state, shipment_reference, lines)?,
            OrderCommand::MarkDelivered { delivered_at } => deliver(state, delivered_at)?,
            OrderCommand::Complete => complete(state)?,
            OrderCommand::FlagAnomaly { kind, note } => flag(state, kind, note)?,
            OrderCommand::ClearAnomaly { kind, resolution } => clear(state, kind, resolution)?,
            OrderCommand::RecordRefund {
                amount_minor,
                method,
                reference,
                return_id,
                reason,
                includes_shipping,
                at,
            } => record_refund(
                state,
                RefundRequest {
                    amount_minor,
                    method,
                    reference,
                    return_id,
                    reason,
                    includes_shipping,
                    at,
                },
            )?,
            OrderCommand::ChangeShippingAddress {
                shipping_address,
                reason,
            } => change_address(state, shipping_address, reason)?,
            OrderCommand::ChangeDelivery { delivery, reason } => {
                change_delivery(state, delivery, reason)?
            }
            OrderCommand::AmendLines(amend) => amend_lines(state, amend)?,
        };
        Ok(vec![event])
    }
}

/// The refusal for a placement on an existing stream: a replay when it is the same
/// order, else "changed" (amendments have their own commands).
fn replaced(state: &OrderState, cmd: PlaceOrder) -> OrderError {
    match place(cmd) {
        Ok(OrderEvent::OrderPlaced(again))
            if same_placement(state.placement_fingerprint, &again) =>
        {
            OrderError::AlreadyPlaced {
                order_id: state.order_id,
            }
        }
        Ok(_) => OrderError::ChannelOrderChanged {
            order_id: state.order_id,
        },
        // Not even acceptable as a new order: its own reason says why.
        Err(e) => e,
    }
}

pub(super) fn positive_amount(field: &'static str, amount_minor: i64) -> Result<(), OrderError> {
    if amount_minor > 0 {
        Ok(())
    } else {
        Err(OrderError::NonPositiveAmount {
            field,
            amount_minor,
        })
    }
}

pub(super) fn payment_ids(method: &str, reference: &str) -> Result<(), OrderError> {
    short_text("method", method)?;
    short_text("reference", reference)?;
    Ok(())
}

fn not_on_hold(state: &OrderState) -> Result<(), OrderError> {
    if state.is_on_hold() {
        return Err(OrderError::OnHold {
            kinds: state.open_anomaly_kinds(),
        });
    }
    Ok(())
}

/// An authorisation may not exceed what is still due, which also keeps it
/// at or below the grand total.
fn authorise(
    state: &OrderState,
    method: String,
    reference: String,
    amount_minor: i64,
) -> Result<OrderEvent, OrderError> {
    payment_ids(&method, &reference)?;
    positive_amount("amount_minor", amount_minor)?;
    let due_minor = state.outstanding_minor();
    if amount_minor > due_minor {
        return Err(OrderError::Overauthorisation {
            due_minor,
            attempted_minor: amount_minor,
        });
    }
    let captured = state.captured_total_minor;
    Ok(OrderEvent::PaymentAuthorised {
        method,
        reference,
        amount_minor,
        captured_total_minor: captured,
        payment_state: PaymentState::after(
            PaymentStep::Authorised,
            state.totals.grand_total_minor,
            captured,
        ),
    })
}

fn capture(
    state: &OrderState,
    method: String,
    reference: String,
    amount_minor: i64,
) -> Result<OrderEvent, OrderError> {
    payment_ids(&method, &reference)?;
    positive_amount("amount_minor", amount_minor)?;
    if state.capture_references.contains(&reference) {
        return Err(OrderError::DuplicateCapture { reference });
    }
    let due_minor = state.outstanding_minor();
    if amount_minor > due_minor {
        return Err(OrderError::Overcapture {
            due_minor,
            attempted_minor: amount_minor,
        });
    }
    let captured =
        state
            .captured_total_minor
            .checked_add(amount_minor)
            .ok_or(OrderError::AmountOverflow {
                field: "captured_total_minor",
            })?;
    Ok(OrderEvent::PaymentCaptured {
        method,
        reference,
        amount_minor,
        captured_total_minor: captured,
        payment_state: PaymentState::after(
            PaymentStep::Captured,
            state.totals.grand_total_minor,
            captured,
        ),
    })
}

fn fail(
    state: &OrderState,
    method: String,
    reference: String,
    reason: String,
) -> Result<OrderEvent, OrderError> {
    payment_ids(&method, &reference)?;
    long_text("reason", &reason)?;
    let captured = state.captured_total_minor;
    Ok(OrderEvent::PaymentFailed {
        method,
        reference,
        reason,
        captured_total_minor: captured,
        payment_state: PaymentState::after(
            PaymentStep::Failed,
            state.totals.grand_total_minor,
            captured,
        ),
    })
}

fn cancel(state: &OrderState, reason: String) -> Result<OrderEvent, OrderError> {
    long_text("reason", &reason)?;
    if state.anything_fulfilled() {
        return Err(OrderError::AlreadyShipped);
    }
    Ok(OrderEvent::OrderCancelled {
        reason,
        refund_owed_minor: state.balance().net_paid_minor,
    })
}

/// Re-allocation is allowed until the first shipment leaves a warehouse.
fn allocate(state: &OrderState, warehouse_id: WarehouseId) -> Result<OrderEvent, OrderError> {
    if state.anything_fulfilled() {
        return Err(OrderError::AlreadyShipped);
    }
    not_on_hold(state)?;
    if state.warehouse_id.as_ref() == Some(&warehouse_id) {
        return Err(OrderError::AlreadyAllocated { warehouse_id });
    }
    Ok(OrderEvent::OrderAllocated {
        warehouse_id,
        previous_warehouse_id: state.warehouse_id.clone(),
    })
}

fn fulfil(
    state: &OrderState,
    shipment_reference: String,
    lines: Vec<FulfilLine>,
) -> Result<OrderEvent, OrderError> {
    let Some(warehouse_id) = state.warehouse_id.clone() else {
        return Err(OrderError::NotAllocated);
    };
    not_on_hold(state)?;
    short_text("shipment_reference", &shipment_reference)?;
    if lines.is_empty() {
        return Err(OrderError::EmptyFulfilment);
    }
    if state.shipments.contains(&shipment_reference) {
        return Err(OrderError::DuplicateShipment { shipment_reference });
    }
    let mut seen = BTreeSet::new();
    for line in &lines {
        if !seen.insert(&line.sku) {
            return Err(OrderError::DuplicateSku {
                sku: line.sku.clone(),
            });
        }
        let Some(ordered) = state.ordered_quantity(&line.sku) else {
            return Err(OrderError::UnknownSku {
                sku: line.sku.clone(),
            });
        };
        let already = state.fulfilled_quantity(&line.sku);
        let requested = line.quantity.get();
        if already.saturating_add(requested) > ordered {
            return Err(OrderError::OverFulfilment {
                sku: line.sku.clone(),
                ordered,
                already,
                requested,
            });
        }
    }
    let fully_fulfilled = state.lines.iter().all(|ordered| {
        let shipping_now = lines
            .iter()
            .find(|line| line.sku == ordered.sku)
            .map_or(0, |line| line.quantity.get());
        state
            .fulfilled_quantity(&ordered.sku)
            .saturating_add(shipping_now)
            >= ordered.quantity.get()
    });
    Ok(OrderEvent::LinesFulfilled {
        shipment: FulfilledBy {
            reference: shipment_reference,
            warehouse_id,
        },
        lines,
        fully_fulfilled,
    })
}

fn deliver(state: &OrderState, delivered_at: DateTime<Utc>) -> Result<OrderEvent, OrderError> {
    match state.status {
        OrderStatus::Fulfilled => Ok(OrderEvent::OrderDelivered { delivered_at }),
        OrderStatus::Delivered => Err(OrderError::AlreadyDelivered),
        _ => Err(OrderError::NotFullyFulfilled),
    }
}

fn complete(state: &OrderState) -> Result<OrderEvent, OrderError> {
    if state.status != OrderStatus::Delivered {
        return Err(OrderError::NotDelivered);
    }
    Ok(OrderEvent::OrderCompleted {})
}

fn flag(state: &OrderState, kind: AnomalyKind, note: String) -> Result<OrderEvent, OrderError> {
    long_text("note", &note)?;
    if state.open_anomalies.contains(&kind) {
        return Err(OrderError::AnomalyAlreadyFlagged { kind });
    }
    Ok(OrderEvent::AnomalyFlagged { kind, note })
}

fn clear(
    state: &OrderState,
    kind: AnomalyKind,
    resolution: String,
) -> Result<OrderEvent, OrderError> {
    long_text("resolution", &resolution)?;
    if !state.open_anomalies.contains(&kind) {
        return Err(OrderError::AnomalyNotFlagged { kind });
    }
    Ok(OrderEvent::AnomalyCleared { kind, resolution })
}
