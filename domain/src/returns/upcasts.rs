//! Upcasts for return events whose payload meaning changed.

use serde_json::Value;

use crate::upcast::{Upcast, UpcastError};

/// `ReturnRequested` 1.0 → 2.0: lines gained an optional `paid` (the order line's value
/// after discounts). A 1.0 payload has none and keeps the list prices it was requested
/// and refunded at, so the payload itself is unchanged: only its version moves on, which
/// tells readers that its values are list prices.
pub const RETURN_REQUESTED_1_TO_2: Upcast = Upcast {
    event_type: "ReturnRequested",
    from: "1.0",
    to: "2.0",
    apply: unchanged,
};

fn unchanged(payload: Value) -> Result<Value, UpcastError> {
    Ok(payload)
}
