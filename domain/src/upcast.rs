//! Schema evolution: every event type has a version; old payloads stay in the store as they
//! were written and are upcast on read, step by step, to the shape the code knows.
//!
//! The same chain serves every reader — the event store (aggregates), the projection runner,
//! history and time travel — so they can never disagree about what an old event means.

use serde_json::Value;

/// One step: `event_type` payloads at `from` become `to`.
pub struct Upcast {
    pub event_type: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub apply: fn(Value) -> Result<Value, UpcastError>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot upcast {event_type} {version}: {reason}")]
pub struct UpcastError {
    pub event_type: String,
    pub version: String,
    pub reason: String,
}

/// Every upcast step Waybill knows, oldest first within each event type.
pub const UPCASTS: &[Upcast] = &[
    crate::order::upcasts::LINES_FULFILLED_1_TO_2,
    crate::order::upcasts::ORDER_PLACED_1_TO_2,
    crate::returns::upcasts::RETURN_REQUESTED_1_TO_2,
];

/// True when a payload of this type and version is older than the code.
pub fn needs_upcast(event_type: &str, version: &str) -> bool {
    UPCASTS
        .iter()
        .any(|u| u.event_type == event_type && u.from == version)
}

/// Applies every step from `version` onwards; returns the final version and payload.
pub fn upcast(
    event_type: &str,
    version: &str,
    mut payload: Value,
) -> Result<(String, Value), UpcastError> {
    let mut version = version.to_string();
    // Bounded by the number of steps, so a cycle in the table cannot loop for ever.
    for _ in 0..=UPCASTS.len() {
        let Some(step) = UPCASTS
            .iter()
            .find(|u| u.event_type == event_type && u.from == version)
        else {
            return Ok((version, payload));
        };
        payload = (step.apply)(payload)?;
        version = step.to.to_string();
    }
    Err(UpcastError {
        event_type: event_type.to_string(),
        version,
        reason: "the upcast table has a cycle".into(),
    })
}
