//! The `cqrs_es::Aggregate` wiring. Decisions live in `handlers`/`loyalty`;
//! this file only replays events and writes new ones.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::customer::commands::CustomerCommand;
use crate::customer::error::CustomerError;
use crate::customer::events::CustomerEvent;
use crate::customer::state::CustomerState;

/// Aggregate type name used by the event store (equals `Customer::TYPE`).
pub const CUSTOMER_AGGREGATE_TYPE: &str = "Customer";

/// A customer stream, keyed by `CustomerId`. `None` state means "never
/// registered".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    state: Option<CustomerState>,
}

impl Customer {
    pub fn state(&self) -> Option<&CustomerState> {
        self.state.as_ref()
    }
}

impl Aggregate for Customer {
    const TYPE: &'static str = CUSTOMER_AGGREGATE_TYPE;
    type Command = CustomerCommand;
    type Event = CustomerEvent;
    type Error = CustomerError;
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
            (None, CustomerEvent::CustomerRegistered(registered)) => {
                self.state = Some(CustomerState::from_registered(registered));
            }
            (Some(state), event) => state.apply(event),
            // `decide` never emits anything before registration; ignoring
            // it keeps replay total.
            (None, _) => {}
        }
    }
}
