//! Delivery routing read models: `delivery_stops` (what the own fleet must deliver, per depot
//! and day) and `routes` (every planned run with its stops and outcomes).

mod routes;
mod stops;

pub use routes::{get_route, list_routes, RouteStopView, RouteView, RoutesProjection};
pub use stops::{delivery_date, list_stops, DeliveryStopView, DeliveryStopsProjection};

pub const STOPS_NAME: &str = "delivery_stops";
pub const STOPS_TABLE: &str = "rm_delivery_stops";
pub const ROUTES_NAME: &str = "routes";
pub const ROUTES_TABLE: &str = "rm_routes";

fn corrupt(
    event: &crate::log::StoredEvent,
    why: impl std::fmt::Display,
) -> crate::projection::ProjectionError {
    crate::projection::ProjectionError::Corrupt(format!(
        "{} {}#{} ({}): {why}",
        event.aggregate_type, event.aggregate_id, event.sequence, event.event_type
    ))
}
