//! Open subscriptions end when their key is revoked. A websocket authenticates once, at
//! `connection_init`; without this a revoked key's subscriptions would stream for as long as
//! the socket stays open. Every subscription stream is wrapped here, in one schema extension,
//! so a new subscription field cannot forget it.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextSubscribe};
use async_graphql::Response;
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};
use futures::FutureExt;

use crate::auth::cache::KeyCache;
use crate::commands::context::RequestContext;
use crate::error::{AppError, ErrorCode};
use crate::graphql::error::server_error;
use crate::services::Services;

pub struct EndOnRevocation;

impl ExtensionFactory for EndOnRevocation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(EndOnRevocationExtension)
    }
}

struct EndOnRevocationExtension;

#[async_trait::async_trait]
impl Extension for EndOnRevocationExtension {
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let stream = next.run(ctx, stream);
        match (
            ctx.data_opt::<Arc<Services>>(),
            ctx.data_opt::<RequestContext>(),
        ) {
            (Some(services), Some(request)) => until_revoked(
                stream,
                revoked(services.clone(), request.principal.key_id.clone()).boxed(),
            ),
            // No key behind this stream (the schema used without the HTTP layer).
            _ => stream,
        }
    }
}

/// Resolves once `key_id` is no longer active: checked at once, on every change to the keys,
/// and every [`KeyCache::TTL`] for revocations no process announced.
async fn revoked(services: Arc<Services>, key_id: String) {
    let mut changes = services.keys.changes();
    loop {
        match services.keys.is_active(&services.db, &key_id).await {
            Ok(false) => return,
            Ok(true) => {}
            // An outage is not a revocation: keep the stream and look again later.
            Err(_) => {}
        }
        tokio::select! {
            _ = changes.changed() => {}
            _ = tokio::time::sleep(KeyCache::TTL) => {}
        }
    }
}

enum Live<'s> {
    Streaming(BoxStream<'s, Response>, BoxFuture<'static, ()>),
    Ended,
}

/// The responses of `stream` until `revoked` resolves, then one UNAUTHENTICATED error and
/// the end of the subscription.
fn until_revoked<'s>(
    stream: BoxStream<'s, Response>,
    revoked: BoxFuture<'static, ()>,
) -> BoxStream<'s, Response> {
    futures::stream::unfold(Live::Streaming(stream, revoked), |state| async move {
        let Live::Streaming(mut stream, mut revoked) = state else {
            return None;
        };
        tokio::select! {
            biased;
            () = &mut revoked => Some((revoked_response(), Live::Ended)),
            item = stream.next() => item.map(|r| (r, Live::Streaming(stream, revoked))),
        }
    })
    .boxed()
}

fn revoked_response() -> Response {
    Response::from_errors(vec![server_error(AppError::new(
        ErrorCode::Unauthenticated,
        "the API key was revoked",
    ))])
}
