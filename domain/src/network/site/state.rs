//! A site as rebuilt from its events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::network::site::events::{SiteEvent, SiteRegistered};
use crate::network::values::{SiteDetails, SiteId, SiteKind};

coded_enum! {
    pub enum SiteStatus(field = "site_status") {
        Open => "open",
        Closed => "closed",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteState {
    pub site_id: SiteId,
    pub kind: SiteKind,
    pub details: SiteDetails,
    pub status: SiteStatus,
    pub registered_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl SiteState {
    pub(crate) fn from_registered(registered: SiteRegistered) -> Self {
        Self {
            site_id: registered.site_id,
            kind: registered.kind,
            details: registered.details,
            status: SiteStatus::Open,
            registered_at: registered.registered_at,
            closed_at: None,
        }
    }

    /// Infallible: the decision that produced the event checked the rules.
    pub(crate) fn apply(&mut self, event: SiteEvent) {
        match event {
            SiteEvent::SiteRegistered(_) => {}
            SiteEvent::SiteUpdated { details, .. } => self.details = details,
            SiteEvent::SiteClosed { at, .. } => {
                self.status = SiteStatus::Closed;
                self.closed_at = Some(at);
            }
        }
    }

    pub fn is_open(&self) -> bool {
        self.status == SiteStatus::Open
    }
}
