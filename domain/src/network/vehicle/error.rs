//! Why a vehicle command was refused.

use thiserror::Error;

use crate::ids::VehicleId;
use crate::order::ErrorKind;
use crate::validation::ValidationError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VehicleError {
    #[error("vehicle not found")]
    NotFound,
    #[error("vehicle {vehicle_id} has already been registered")]
    AlreadyRegistered { vehicle_id: VehicleId },
    #[error("vehicle {vehicle_id} is retired")]
    Retired { vehicle_id: VehicleId },
    #[error(transparent)]
    Validation(#[from] ValidationError),
}

impl VehicleError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::Validation(_) => ErrorKind::InvalidInput,
            Self::AlreadyRegistered { .. } | Self::Retired { .. } => ErrorKind::InvalidState,
        }
    }

    /// Stable snake_case code for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::AlreadyRegistered { .. } => "already_registered",
            Self::Retired { .. } => "vehicle_retired",
            Self::Validation(_) => "validation",
        }
    }
}
