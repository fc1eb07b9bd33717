//! Waybill's pure order domain.
//!
//! Everything here is deterministic and free of IO: no clocks, no randomness,
//! no storage. Callers pass timestamps in, and the event store, HTTP layer and
//! projections live in other crates. That keeps every business rule testable
//! with plain given/when/then tests and replayable from events alone.
//!
//! Values that reach the domain are validated newtypes (see [`ids`],
//! [`values`], [`money`], [`address`], [`delivery`]); the [`order`] module
//! holds the event-sourced `Order` aggregate built on `cqrs-es`.

#[macro_use]
mod macros;

pub mod address;
pub mod calendar;
pub mod case;
pub mod crm;
pub mod customer;
pub mod delivery;
pub mod event_types;
pub mod ids;
pub mod money;
pub mod network;
pub mod order;
pub mod returns;
pub mod route;
pub mod shipment;
pub mod upcast;
pub mod validation;
pub mod values;

pub use address::{Address, AddressFields, GeoPoint};
pub use delivery::DeliveryMode;
pub use ids::{CustomerId, OrderId, WarehouseId};
pub use money::{Currency, Money, MoneyError};
pub use validation::ValidationError;
pub use values::{ExternalOrderNumber, Quantity, SalesChannel, Sku};
