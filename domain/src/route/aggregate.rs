//! The `cqrs_es::Aggregate` wiring. Decisions live in `handlers` and
//! `plan`; this file only replays events and writes new ones.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::route::commands::RouteCommand;
use crate::route::error::RouteError;
use crate::route::events::RouteEvent;
use crate::route::state::{RouteState, RouteStatus};

/// Aggregate type name used by the event store (equals `Route::TYPE`).
pub const ROUTE_AGGREGATE_TYPE: &str = "Route";

/// A route stream. `None` state means "never planned".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Route {
    state: Option<RouteState>,
}

impl Route {
    pub fn state(&self) -> Option<&RouteState> {
        self.state.as_ref()
    }

    pub fn status(&self) -> Option<RouteStatus> {
        self.state.as_ref().map(|state| state.status)
    }
}

impl Aggregate for Route {
    const TYPE: &'static str = ROUTE_AGGREGATE_TYPE;
    type Command = RouteCommand;
    type Event = RouteEvent;
    type Error = RouteError;
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
            (
                None,
                RouteEvent::RoutePlanned {
                    route_id,
                    plan,
                    revision,
                    at,
                },
            ) => {
                self.state = Some(RouteState::planned(route_id, plan, revision, at));
            }
            (Some(state), event) => state.apply(event),
            // Anything before the first plan cannot have been produced by
            // `decide`; ignoring it keeps replay total.
            (None, _) => {}
        }
    }
}
