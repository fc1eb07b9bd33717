//! The `Site` aggregate: a warehouse, depot or pickup point.
//!
//! Lifecycle: `open → closed`. Details are replaced wholesale on update; a
//! closed site accepts nothing further (a reopened site is registered again
//! under a new id, so history about the old one stays unambiguous).

mod aggregate;
mod commands;
mod error;
mod events;
mod state;

pub use aggregate::{Site, SITE_AGGREGATE_TYPE};
pub use commands::SiteCommand;
pub use error::SiteError;
pub use events::{SiteEvent, SiteRegistered, SITE_EVENT_TYPES, SITE_EVENT_VERSION};
pub use state::{SiteState, SiteStatus};
