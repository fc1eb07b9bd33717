//! HTTP routes: GraphQL (POST), GraphiQL (GET), health and readiness.

use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::commands::context::{clean_id, RequestContext};
use crate::graphql::error::ensure_codes;
use crate::graphql::WaybillSchema;
use crate::guards::{self, Guards};
use crate::services::Services;

/// Router state: the services and the schema that resolves against them.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub schema: WaybillSchema,
    pub guards: Arc<Guards>,
}

pub fn router(state: AppState) -> Router {
    let graphql_routes = Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/graphql/ws", get(subscriptions))
        .layer(DefaultBodyLimit::max(state.guards.max_body_bytes))
        .route_layer(middleware::from_fn_with_state(
            state.guards.clone(),
            guards::limit_by_address,
        ));
    Router::new()
        .merge(graphql_routes)
        .route(
            "/webhooks/carriers/{carrier}",
            axum::routing::post(crate::webhooks::carrier_webhook),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

/// `POST /graphql`: address rate (middleware), body size, key, key rate, then one operation
/// under the request timeout. The checks before GraphQL runs are cheapest first.
async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let guards = &state.guards;
    let body = match guards::body(body, guards.max_body_bytes) {
        Ok(body) => body,
        Err(e) => return guards::error_response(e),
    };
    let token = bearer(&headers).unwrap_or("");
    let principal = match state
        .services
        .keys
        .authenticate(&state.services.db, token)
        .await
    {
        Ok(p) => p,
        Err(e) => return guards::error_response(e),
    };
    if let Err(refused) = guards.throttle.check_key(&principal.key_id) {
        return guards::rate_limited(refused);
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(clean_id)
    };
    let ctx = RequestContext::new(
        principal,
        header("x-correlation-id"),
        header("x-causation-id"),
    );
    let request = match guards::graphql_request(&body) {
        Ok(request) => request.data(ctx),
        Err(e) => return guards::error_response(e),
    };
    match tokio::time::timeout(guards.request_timeout, state.schema.execute(request)).await {
        Ok(response) => GraphQLResponse::from(ensure_codes(response)).into_response(),
        Err(_) => guards::error_response(guards::timed_out(guards.request_timeout)),
    }
}

/// graphql-transport-ws (and the older graphql-ws). The API key comes in the upgrade request's
/// `Authorization` header or, for browsers that cannot set one, in the `connection_init`
/// payload as `{"Authorization": "Bearer …"}`; without a valid key the connection is refused.
async fn subscriptions(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let header_token = bearer(&headers).map(String::from);
    let correlation = headers
        .get("x-correlation-id")
        .and_then(|v| v.to_str().ok())
        .and_then(clean_id);
    let services = state.services.clone();
    // A message over the limit closes the socket (close code 1009, "message too big").
    let max = state.guards.max_body_bytes;
    upgrade
        .max_message_size(max)
        .max_frame_size(max)
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, state.schema.clone(), protocol)
                .on_connection_init(move |payload| async move {
                    let token = header_token.or_else(|| {
                        ["Authorization", "authorization"]
                            .iter()
                            .find_map(|k| payload.get(*k).and_then(|v| v.as_str()))
                            .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).to_string())
                    });
                    let principal = services
                        .keys
                        .authenticate(&services.db, token.as_deref().unwrap_or(""))
                        .await
                        .map_err(async_graphql::Error::from)?;
                    let mut data = async_graphql::Data::default();
                    data.insert(RequestContext::new(principal, correlation, None));
                    Ok(data)
                })
                .serve()
        })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready = database reachable and every migration this binary knows applied. A projection
/// or policy stuck on an event is reported (`"status": "degraded"`, with each one's name,
/// position and error) but still answers 200: every replica would be stuck on the same event,
/// and taking them all out of service for one stale read model would stop the writes too.
async fn readyz(State(state): State<AppState>) -> Response {
    let services = &state.services;
    match services.db.migrations_applied().await {
        Ok(true) => match services.runner.faults().await {
            Ok(faults) if faults.is_empty() => {
                (StatusCode::OK, Json(json!({"status": "ready"}))).into_response()
            }
            Ok(faults) => (
                StatusCode::OK,
                Json(json!({"status": "degraded", "stuck": faults})),
            )
                .into_response(),
            Err(e) => {
                tracing::warn!(error = %e, "readiness check failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Json(json!({"status": "database unreachable"})),
                )
                    .into_response()
            }
        },
        Ok(false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "migrations pending"})),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "database unreachable"})),
            )
                .into_response()
        }
    }
}
