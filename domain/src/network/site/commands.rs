//! What an admin can ask a site to do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::network::values::{SiteDetails, SiteId, SiteKind};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SiteCommand {
    Register {
        site_id: SiteId,
        kind: SiteKind,
        details: SiteDetails,
        at: DateTime<Utc>,
    },
    /// Replaces every editable detail; the kind is fixed by the stream id.
    Update {
        details: SiteDetails,
        at: DateTime<Utc>,
    },
    Close {
        reason: String,
        at: DateTime<Utc>,
    },
}

impl SiteCommand {
    /// Stable name for logs and metrics.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Register { .. } => "Register",
            Self::Update { .. } => "Update",
            Self::Close { .. } => "Close",
        }
    }
}
