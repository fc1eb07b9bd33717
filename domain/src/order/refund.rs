//! Deciding `RecordRefund`: money going back to the customer, bounded by
//! what was actually captured.

use chrono::{DateTime, Utc};

use crate::ids::ReturnId;
use crate::order::error::OrderError;
use crate::order::events::OrderEvent;
use crate::order::handlers::{payment_ids, positive_amount};
use crate::order::state::OrderState;
use crate::validation::long_text;

/// The fields of `OrderCommand::RecordRefund`, named so the decision does
/// not take seven positional arguments.
pub(super) struct RefundRequest {
    pub amount_minor: i64,
    pub method: String,
    pub reference: String,
    pub return_id: Option<ReturnId>,
    pub reason: String,
    pub includes_shipping: bool,
    pub at: DateTime<Utc>,
}

/// Deliberately indifferent to status and holds: the terminal guard lets
/// refunds through, and an anomaly hold stops goods, not money owed back.
pub(super) fn record_refund(
    state: &OrderState,
    request: RefundRequest,
) -> Result<OrderEvent, OrderError> {
    let RefundRequest {
        amount_minor,
        method,
        reference,
        return_id,
        reason,
        includes_shipping,
        at,
    } = request;
    payment_ids(&method, &reference)?;
    long_text("reason", &reason)?;
    positive_amount("amount_minor", amount_minor)?;
    if state.refund_references.contains(&reference) {
        return Err(OrderError::DuplicateRefund { reference });
    }
    // Once per order, not once per return: the buyer paid for delivery once.
    if includes_shipping && state.shipping_refunded {
        return Err(OrderError::ShippingAlreadyRefunded);
    }
    let captured_minor = state.captured_total_minor;
    let refunded_minor = state.refunded_total_minor;
    let exceeds = OrderError::RefundExceedsCaptured {
        captured_minor,
        refunded_minor,
        attempted_minor: amount_minor,
    };
    // Overflow can only come from absurd amounts, which exceed any capture.
    let refunded_total_minor = refunded_minor
        .checked_add(amount_minor)
        .ok_or_else(|| exceeds.clone())?;
    if refunded_total_minor > captured_minor {
        return Err(exceeds);
    }
    Ok(OrderEvent::RefundRecorded {
        amount_minor,
        method,
        reference,
        return_id,
        reason,
        includes_shipping,
        refunded_total_minor,
        captured_total_minor: captured_minor,
        at,
    })
}
