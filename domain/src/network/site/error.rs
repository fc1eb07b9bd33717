//! Why a site command was refused.

use thiserror::Error;

use crate::network::values::{SiteId, SiteKind};
use crate::order::ErrorKind;
use crate::validation::ValidationError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SiteError {
    #[error("site not found")]
    NotFound,
    #[error("site {site_id} has already been registered")]
    AlreadyRegistered { site_id: SiteId },
    #[error("site {site_id} is closed")]
    Closed { site_id: SiteId },
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("a {kind} cannot live on stream {site_id}")]
    KindMismatch { site_id: SiteId, kind: SiteKind },
    #[error("a {kind} needs coordinates on its address")]
    MissingCoordinates { kind: SiteKind },
}

impl SiteError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::Validation(_) | Self::KindMismatch { .. } | Self::MissingCoordinates { .. } => {
                ErrorKind::InvalidInput
            }
            Self::AlreadyRegistered { .. } | Self::Closed { .. } => ErrorKind::InvalidState,
        }
    }

    /// Stable snake_case code for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::AlreadyRegistered { .. } => "already_registered",
            Self::Closed { .. } => "site_closed",
            Self::Validation(_) => "validation",
            Self::KindMismatch { .. } => "site_kind_mismatch",
            Self::MissingCoordinates { .. } => "missing_coordinates",
        }
    }
}
