//! The `cqrs_es::Aggregate` wiring. Decisions live in `handlers`, `create`
//! and `scan`; this file only replays events and writes new ones.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::shipment::commands::ShipmentCommand;
use crate::shipment::error::ShipmentError;
use crate::shipment::events::ShipmentEvent;
use crate::shipment::state::{ShipmentState, ShipmentStatus};

/// Aggregate type name used by the event store (equals `Shipment::TYPE`).
pub const SHIPMENT_AGGREGATE_TYPE: &str = "Shipment";

/// A shipment stream. `None` state means "never created".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    state: Option<ShipmentState>,
}

impl Shipment {
    pub fn state(&self) -> Option<&ShipmentState> {
        self.state.as_ref()
    }

    pub fn status(&self) -> Option<ShipmentStatus> {
        self.state.as_ref().map(|state| state.status)
    }
}

impl Aggregate for Shipment {
    const TYPE: &'static str = SHIPMENT_AGGREGATE_TYPE;
    type Command = ShipmentCommand;
    type Event = ShipmentEvent;
    type Error = ShipmentError;
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
            (None, ShipmentEvent::ShipmentCreated(created)) => {
                self.state = Some(ShipmentState::from_created(created));
            }
            (Some(state), event) => state.apply(event),
            // Anything before creation cannot have been produced by
            // `decide`; ignoring it keeps replay total.
            (None, _) => {}
        }
    }
}
