//! The event-sourced `Return` (RMA) aggregate, one stream per `ReturnId`.
//!
//! A return is requested against a delivered order (the caller passes the
//! order facts in), reviewed by an agent, travels back by label or drop-off,
//! is received and inspected, and is resolved by refund, exchange or repair
//! before it is closed. Money refunded here is also recorded on the order
//! (`OrderCommand::RecordRefund` with the return id) by the caller.
//!
//! ```text
//! requested ─approve→ approved ─receive→ received ─inspect→ inspected
//!     │                  │  (label / drop-off any time before receipt)
//!     └─reject→ rejected │
//!                        └─ refund (before/after receipt) | exchange | repair
//!                                                  ↓
//!                                                closed
//! ```

mod aggregate;
mod commands;
mod error;
mod events;
mod handlers;
mod policy;
mod request;
mod resolve;
pub mod sample;
mod state;
pub mod upcasts;

#[cfg(test)]
mod tests;

pub use aggregate::{Return, RETURN_AGGREGATE_TYPE};
pub use commands::{
    InspectedLine, InspectionDecision, ItemCondition, OrderFacts, PaidShare, ReceivedLine,
    RefundPolicy, RefundReturn, RequestReturn, Resolution, ReturnCommand, ReturnLine, ReturnReason,
};
pub use error::ReturnError;
pub use events::{
    ReturnEvent, ReturnRequested, RETURN_EVENT_TYPES, RETURN_EVENT_VERSION,
    RETURN_REQUESTED_VERSION,
};
pub use policy::{ReturnWindowPolicies, ReturnWindowPolicy, MAX_WINDOW_DAYS};
pub use request::{MAX_PHOTOS, MAX_RETURN_LINES};
pub use state::{
    Receipt, RepairStage, ReturnLogistics, ReturnOutcome, ReturnState, ReturnStatus, ReviewDecision,
};
