//! The event-sourced `Order` aggregate.
//!
//! Commands are decided by [`Order::decide`] (pure, synchronous) and written
//! by the `cqrs_es::Aggregate` impl; [`OrderState`] is rebuilt from events
//! only. Lifecycle: `placed → allocated → partially_fulfilled → fulfilled →
//! delivered → completed`, with `cancelled` reachable until the first
//! shipment. Payments and anomalies run alongside the lifecycle; refunds are
//! recorded even after the order is completed or cancelled.

mod aggregate;
pub mod allocation;
mod amend;
mod commands;
mod error;
mod events;
mod handlers;
mod place;
pub mod pricing;
pub mod promotions;
mod refund;
pub mod sample;
mod state;
pub mod upcasts;

#[cfg(test)]
mod tests;

pub use aggregate::{Order, ORDER_AGGREGATE_TYPE};
pub use allocation::LineAllocation;
pub use commands::{
    AmendLines, AnomalyKind, FulfilLine, LineChange, OrderCommand, OrderLine, PlaceOrder,
};
pub use error::{ErrorKind, OrderError};
pub use events::{
    FulfilledBy, OrderEvent, OrderPlaced, LINES_FULFILLED_VERSION, ORDER_EVENT_TYPES,
    ORDER_EVENT_VERSION, ORDER_PLACED_VERSION,
};
pub use place::MAX_LINES;
pub use pricing::{ChannelPromotion, PricedBy, PricingInput};
pub use promotions::{
    apply_promotions, AppliedPromotion, OrderTotals, PromotionError, PromotionRequest,
};
pub use state::{OrderState, OrderStatus, PaymentBalance, PaymentState};
