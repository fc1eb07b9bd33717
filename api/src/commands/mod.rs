//! The write side: request context, event stores and the command service.

pub mod context;
pub mod orders;
pub mod service;
pub mod store;
