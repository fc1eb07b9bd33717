//! The read side of Waybill: the global event log reader, the projection runner and every
//! read model. Knows SQL; knows nothing of HTTP or GraphQL.

pub mod audit;
pub mod checkpoint;
pub mod db;
pub mod document;
pub mod log;
pub mod projection;
pub mod runner;
pub mod shipments;
pub mod sqlite_functions;
pub mod supervision;
pub mod testing;

pub use db::{Backend, Db, DbError, Tx};
pub use log::{Checkpoint, StoredEvent};
pub use projection::{Projection, ProjectionError};
pub use runner::{BatchOutcome, Runner, RunnerOptions};
pub mod cases;
pub mod customers;
pub mod network;
pub mod orders;
pub mod returns;
pub mod routing;

use std::sync::Arc;

/// Every projection this build maintains, in the order the runner visits them.
pub fn all_projections() -> Vec<Arc<dyn Projection>> {
    vec![
        Arc::new(document::Documents(orders::OrdersProjection)),
        Arc::new(document::Documents(shipments::ShipmentsProjection)),
        Arc::new(document::Documents(returns::ReturnsProjection)),
        Arc::new(document::Documents(returns::RefundsProjection)),
        Arc::new(document::Documents(network::SitesProjection)),
        Arc::new(document::Documents(network::VehiclesProjection)),
        Arc::new(document::Documents(routing::DeliveryStopsProjection)),
        Arc::new(document::Documents(routing::RoutesProjection)),
        Arc::new(document::Documents(customers::CustomersProjection)),
        Arc::new(document::Documents(cases::CasesProjection)),
        Arc::new(audit::AuditChainProjection),
    ]
}
