//! Decisions and the `cqrs_es::Aggregate` wiring for vehicles.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::network::vehicle::commands::VehicleCommand;
use crate::network::vehicle::error::VehicleError;
use crate::network::vehicle::events::VehicleEvent;
use crate::network::vehicle::state::{VehicleState, VehicleStatus};
use crate::validation::long_text;

/// Aggregate type name used by the event store (equals `Vehicle::TYPE`).
pub const VEHICLE_AGGREGATE_TYPE: &str = "Vehicle";

/// A vehicle stream. `None` state means "never registered".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    state: Option<VehicleState>,
}

impl Vehicle {
    pub fn state(&self) -> Option<&VehicleState> {
        self.state.as_ref()
    }

    /// Decides `command` against the current state without mutating it.
    pub fn decide(&self, command: VehicleCommand) -> Result<Vec<VehicleEvent>, VehicleError> {
        let Some(state) = self.state() else {
            return match command {
                VehicleCommand::Register {
                    vehicle_id,
                    spec,
                    at,
                } => {
                    spec.validate()?;
                    Ok(vec![VehicleEvent::VehicleRegistered {
                        vehicle_id,
                        spec,
                        at,
                    }])
                }
                _ => Err(VehicleError::NotFound),
            };
        };
        let event = match command {
            // Before the retired check, so a re-sent registration always
            // resolves to "already exists".
            VehicleCommand::Register { .. } => {
                return Err(VehicleError::AlreadyRegistered {
                    vehicle_id: state.vehicle_id.clone(),
                })
            }
            _ if !state.is_active() => {
                return Err(VehicleError::Retired {
                    vehicle_id: state.vehicle_id.clone(),
                })
            }
            VehicleCommand::Update { spec, at } => {
                spec.validate()?;
                VehicleEvent::VehicleUpdated { spec, at }
            }
            VehicleCommand::Retire { reason, at } => {
                long_text("reason", &reason)?;
                VehicleEvent::VehicleRetired { reason, at }
            }
        };
        Ok(vec![event])
    }
}

impl Aggregate for Vehicle {
    const TYPE: &'static str = VEHICLE_AGGREGATE_TYPE;
    type Command = VehicleCommand;
    type Event = VehicleEvent;
    type Error = VehicleError;
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
                VehicleEvent::VehicleRegistered {
                    vehicle_id,
                    spec,
                    at,
                },
            ) => {
                self.state = Some(VehicleState {
                    vehicle_id,
                    spec,
                    status: VehicleStatus::Active,
                    registered_at: at,
                    retired_at: None,
                });
            }
            (Some(state), event) => state.apply(event),
            // Cannot come from `decide`; ignoring it keeps replay total.
            (None, _) => {}
        }
    }
}
