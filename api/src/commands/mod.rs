//! The write side: request context, event stores, the append and the command service.

pub mod append;
pub mod cases;
pub mod context;
pub mod customers;
pub mod network;
pub mod orders;
pub mod returns;
pub mod routing;
pub mod service;
pub mod shipments;
pub mod store;
