//! The `cqrs_es::Aggregate` wiring. Decisions live in `handlers`/`clock`;
//! this file only replays events and writes new ones.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::case::commands::CaseCommand;
use crate::case::error::CaseError;
use crate::case::events::CaseEvent;
use crate::case::state::CaseState;
use crate::case::values::CaseStatus;

/// Aggregate type name used by the event store (equals `Case::TYPE`).
pub const CASE_AGGREGATE_TYPE: &str = "Case";

/// A service case stream, keyed by `CaseId`. `None` state means "never
/// opened".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Case {
    state: Option<CaseState>,
}

impl Case {
    pub fn state(&self) -> Option<&CaseState> {
        self.state.as_ref()
    }

    pub fn status(&self) -> Option<CaseStatus> {
        self.state.as_ref().map(|state| state.status)
    }
}

impl Aggregate for Case {
    const TYPE: &'static str = CASE_AGGREGATE_TYPE;
    type Command = CaseCommand;
    type Event = CaseEvent;
    type Error = CaseError;
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
            (None, CaseEvent::CaseOpened(opened)) => {
                self.state = Some(CaseState::from_opened(opened));
            }
            (Some(state), event) => state.apply(event),
            // `decide` never emits anything before opening; ignoring it
            // keeps replay total.
            (None, _) => {}
        }
    }
}
