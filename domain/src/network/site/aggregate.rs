//! Decisions and the `cqrs_es::Aggregate` wiring for sites.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::network::site::commands::SiteCommand;
use crate::network::site::error::SiteError;
use crate::network::site::events::{SiteEvent, SiteRegistered};
use crate::network::site::state::SiteState;
use crate::network::values::{check_site_details, SiteDetails, SiteKind};
use crate::validation::long_text;

/// Aggregate type name used by the event store (equals `Site::TYPE`).
pub const SITE_AGGREGATE_TYPE: &str = "Site";

/// A site stream. `None` state means "never registered".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Site {
    state: Option<SiteState>,
}

impl Site {
    pub fn state(&self) -> Option<&SiteState> {
        self.state.as_ref()
    }

    /// Decides `command` against the current state without mutating it.
    pub fn decide(&self, command: SiteCommand) -> Result<Vec<SiteEvent>, SiteError> {
        let Some(state) = self.state() else {
            return match command {
                SiteCommand::Register {
                    site_id,
                    kind,
                    details,
                    at,
                } => {
                    if !site_id.fits(kind) {
                        return Err(SiteError::KindMismatch { site_id, kind });
                    }
                    check_details(kind, &details)?;
                    Ok(vec![SiteEvent::SiteRegistered(SiteRegistered {
                        site_id,
                        kind,
                        details,
                        registered_at: at,
                    })])
                }
                _ => Err(SiteError::NotFound),
            };
        };
        let event = match command {
            // Before the closed check, so a re-sent registration always
            // resolves to "already exists".
            SiteCommand::Register { .. } => {
                return Err(SiteError::AlreadyRegistered {
                    site_id: state.site_id.clone(),
                })
            }
            _ if !state.is_open() => {
                return Err(SiteError::Closed {
                    site_id: state.site_id.clone(),
                })
            }
            SiteCommand::Update { details, at } => {
                check_details(state.kind, &details)?;
                SiteEvent::SiteUpdated { details, at }
            }
            SiteCommand::Close { reason, at } => {
                long_text("reason", &reason)?;
                SiteEvent::SiteClosed { reason, at }
            }
        };
        Ok(vec![event])
    }
}

fn check_details(kind: SiteKind, details: &SiteDetails) -> Result<(), SiteError> {
    check_site_details(details)?;
    if kind.needs_coordinates() && details.address.coordinates().is_none() {
        return Err(SiteError::MissingCoordinates { kind });
    }
    Ok(())
}

impl Aggregate for Site {
    const TYPE: &'static str = SITE_AGGREGATE_TYPE;
    type Command = SiteCommand;
    type Event = SiteEvent;
    type Error = SiteError;
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
            (None, SiteEvent::SiteRegistered(registered)) => {
                self.state = Some(SiteState::from_registered(registered));
            }
            (Some(state), event) => state.apply(event),
            // Cannot come from `decide`; ignoring it keeps replay total.
            (None, _) => {}
        }
    }
}
