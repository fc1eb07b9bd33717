//! The `cqrs_es::Aggregate` wiring. Decisions live in `handlers`, `request`
//! and `resolve`; this file only replays events and writes new ones.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::returns::commands::ReturnCommand;
use crate::returns::error::ReturnError;
use crate::returns::events::ReturnEvent;
use crate::returns::state::{ReturnState, ReturnStatus};

/// Aggregate type name used by the event store (equals `Return::TYPE`).
pub const RETURN_AGGREGATE_TYPE: &str = "Return";

/// A return stream, keyed by `ReturnId`. `None` state means "never requested".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Return {
    state: Option<ReturnState>,
}

impl Return {
    pub fn state(&self) -> Option<&ReturnState> {
        self.state.as_ref()
    }

    pub fn status(&self) -> Option<ReturnStatus> {
        self.state.as_ref().map(ReturnState::status)
    }
}

impl Aggregate for Return {
    const TYPE: &'static str = RETURN_AGGREGATE_TYPE;
    type Command = ReturnCommand;
    type Event = ReturnEvent;
    type Error = ReturnError;
    // Pure domain: order facts arrive in the commands instead.
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
            (None, ReturnEvent::ReturnRequested(requested)) => {
                self.state = Some(ReturnState::from_requested(requested));
            }
            (Some(state), event) => state.apply(event),
            // Nothing precedes a request when `decide` wrote the stream;
            // ignoring strays keeps replay total.
            (None, _) => {}
        }
    }
}
