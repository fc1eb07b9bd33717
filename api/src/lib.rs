//! Waybill's composition root: configuration, the command service over the event stores,
//! the GraphQL API served by axum, authentication, and the `waybill` CLI's building blocks.

pub mod audit;
pub mod auth;
pub mod bench;
pub mod commands;
pub mod config;
pub mod crm;
pub mod error;
pub mod graphql;
pub mod guards;
pub mod http;
pub mod policies;
pub mod privacy;
pub mod services;
pub mod startup;
pub mod throttle;
pub mod webhooks;
