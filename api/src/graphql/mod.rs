//! The GraphQL schema: one module per area, merged here. Resolvers stay thin: authorise,
//! convert input, call one application function, convert the output.

use std::sync::Arc;

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::services::Services;

/// A GraphQL enum mirroring one of the domain's coded enums. Conversions go through the
/// domain's stable codes, so a variant added on one side only fails to compile.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $gql:ident <=> $domain:ident { $($variant:ident),+ $(,)? }) => {
        #[derive(async_graphql::Enum, Copy, Clone, Debug, Eq, PartialEq)]
        $(#[$meta])*
        pub enum $gql { $($variant),+ }

        impl From<$gql> for $domain {
            fn from(v: $gql) -> $domain {
                match v { $($gql::$variant => $domain::$variant),+ }
            }
        }

        impl From<$domain> for $gql {
            fn from(v: $domain) -> $gql {
                match v { $($domain::$variant => $gql::$variant),+ }
            }
        }

        impl $gql {
            /// From a code stored in a read model.
            pub fn from_code(code: &str) -> Option<$gql> {
                code.parse::<$domain>().ok().map(Into::into)
            }

            pub fn code(self) -> &'static str {
                $domain::from(self).code()
            }
        }
    };
}

pub mod audit;
pub mod context;
pub mod crm;
pub mod error;
pub mod events;
pub mod keys;
pub mod limits;
pub mod live;
pub mod mutation;
pub mod network;
pub mod operations;
pub mod orders;
pub mod returns;
pub mod revocation;
pub mod routing;
pub mod scalars;
pub mod shipments;
pub mod timestamp;

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    orders::OrderQueries,
    events::EventQueries,
    keys::KeyQueries,
    audit::AuditQueries,
    crm::CrmQueries,
    network::NetworkQueries,
    routing::RoutingQueries,
    returns::ReturnQueries,
    shipments::ShipmentQueries,
    operations::OperationsQueries,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    orders::OrderMutations,
    orders::OrderAmendments,
    keys::KeyMutations,
    crm::CrmMutations,
    network::NetworkMutations,
    routing::RoutingMutations,
    returns::ReturnMutations,
    shipments::ShipmentMutations,
);

#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(live::OrderSubscriptions, shipments::ShipmentSubscriptions);

pub type WaybillSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
}

pub fn build_schema(services: Option<Arc<Services>>) -> WaybillSchema {
    let builder = schema_builder()
        // Before the parser recurses and before validation expands fragments (see `limits`).
        .extension(limits::DocumentLimits)
        .extension(revocation::EndOnRevocation);
    match services {
        Some(s) => builder.data(s).finish(),
        None => builder.finish(),
    }
}

/// The schema as it was before `limits` existed, for measuring what the limits save.
#[cfg(test)]
pub(crate) fn build_schema_without_limits() -> WaybillSchema {
    schema_builder().finish()
}

/// The SDL that `waybill schema` prints and the snapshot test compares.
pub fn sdl() -> String {
    build_schema(None).sdl()
}
