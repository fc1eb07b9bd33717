//! The `cqrs_es::Aggregate` wiring. Decisions live in `handlers`/`place`;
//! this file only replays events and writes new ones.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::order::commands::OrderCommand;
use crate::order::error::OrderError;
use crate::order::events::OrderEvent;
use crate::order::state::{OrderState, OrderStatus};

/// Aggregate type name used by the event store (equals `Order::TYPE`).
pub const ORDER_AGGREGATE_TYPE: &str = "Order";

/// An order stream. `None` state means "never placed".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Order {
    state: Option<OrderState>,
}

impl Order {
    pub fn state(&self) -> Option<&OrderState> {
        self.state.as_ref()
    }

    pub fn status(&self) -> Option<OrderStatus> {
        self.state.as_ref().map(|state| state.status)
    }
}

impl Aggregate for Order {
    const TYPE: &'static str = ORDER_AGGREGATE_TYPE;
    type Command = OrderCommand;
    type Event = OrderEvent;
    type Error = OrderError;
    // Pure domain: nothing to call out to.
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let events = self.decide(command)?;
        for event in events {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match (&mut self.state, event) {
            (None, OrderEvent::OrderPlaced(placed)) => {
                self.state = Some(OrderState::from_placed(placed));
            }
            (Some(state), event) => state.apply(event),
            // Anything before placement cannot have been produced by
            // `decide`; ignoring it keeps replay total.
            (None, _) => {}
        }
    }
}
