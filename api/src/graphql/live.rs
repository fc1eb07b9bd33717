//! Live updates over websocket (graphql-transport-ws), fed by the projection runner after each
//! committed batch, so every replica that runs projections can serve them.

use std::sync::Arc;

use async_graphql::{Context, Subscription};
use futures::stream::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;
use waybill_projections::orders;
use waybill_projections::runner::Committed;

use super::context::{authorize, services};
use super::orders::Order;
use crate::auth::Permission;

/// Batches committed by `projection` that touched `stream_id`. A subscriber that falls behind
/// the broadcast buffer skips the missed batches and continues with the current state.
pub fn commits_touching(
    receiver: tokio::sync::broadcast::Receiver<Arc<Committed>>,
    projection: &'static str,
    stream_id: String,
) -> impl Stream<Item = Arc<Committed>> {
    BroadcastStream::new(receiver).filter_map(move |batch| {
        let keep = match &batch {
            Ok(b) => {
                b.projection == projection && b.events.iter().any(|e| e.aggregate_id == stream_id)
            }
            Err(_) => false,
        };
        futures::future::ready(if keep { batch.ok() } else { None })
    })
}

#[derive(Default)]
pub struct OrderSubscriptions;

#[Subscription]
impl OrderSubscriptions {
    /// The order each time the read model changes it.
    async fn order_updated(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> async_graphql::Result<impl Stream<Item = Order>> {
        let role = authorize(ctx, Permission::ReadOrders)?.role;
        let services = services(ctx)?.clone();
        let receiver = services.runner.subscribe();
        Ok(
            commits_touching(receiver, orders::NAME, id.clone()).filter_map(move |_| {
                let services = services.clone();
                let id = id.clone();
                async move {
                    orders::get(&services.db, &id)
                        .await
                        .ok()
                        .flatten()
                        .and_then(|o| Order::seen_by(o, role).ok())
                }
            }),
        )
    }
}
