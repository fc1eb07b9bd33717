//! Facts recorded on a site stream.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::network::values::{SiteDetails, SiteId, SiteKind};

/// Schema version of every event payload below.
pub const SITE_EVENT_VERSION: &str = "1.0";

/// All `event_type()` values, for stores and projections that dispatch on it.
pub const SITE_EVENT_TYPES: [&str; 3] = ["SiteRegistered", "SiteUpdated", "SiteClosed"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteRegistered {
    pub site_id: SiteId,
    pub kind: SiteKind,
    pub details: SiteDetails,
    pub registered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SiteEvent {
    SiteRegistered(SiteRegistered),
    /// Carries the complete new details, so a read model just overwrites.
    SiteUpdated {
        details: SiteDetails,
        at: DateTime<Utc>,
    },
    SiteClosed {
        reason: String,
        at: DateTime<Utc>,
    },
}

impl SiteEvent {
    /// The variant name; also the stored `event_type`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::SiteRegistered(_) => "SiteRegistered",
            Self::SiteUpdated { .. } => "SiteUpdated",
            Self::SiteClosed { .. } => "SiteClosed",
        }
    }
}

impl DomainEvent for SiteEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        SITE_EVENT_VERSION.to_owned()
    }
}
