//! HTTP routes: GraphQL (POST), GraphiQL (GET), health and readiness.

use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::State;
use axum::extract::WebSocketUpgrade;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::commands::context::{clean_id, RequestContext};
use crate::graphql::error::ensure_codes;
use crate::graphql::WaybillSchema;
use crate::services::Services;

/// Router state: the services and the schema that resolves against them.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub schema: WaybillSchema,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/graphql/ws", get(subscriptions))
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

async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let token = bearer(&headers).unwrap_or("");
    let principal = match state
        .services
        .keys
        .authenticate(&state.services.db, token)
        .await
    {
        Ok(p) => p,
        Err(e) => {
            let status = match e.code {
                crate::error::ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            let body = json!({"errors": [{"message": e.message, "extensions": {"code": e.code.as_str(), "retryable": e.code.retryable()}}]});
            return (status, Json(body)).into_response();
        }
    };
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
    let request = match request {
        Ok(request) => request.into_inner().data(ctx),
        Err(rejection) => {
            let body = json!({"errors": [{"message": format!("malformed GraphQL request: {:?}", rejection.0), "extensions": {"code": "INVALID_INPUT", "retryable": false}}]});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    let response = state.schema.execute(request).await;
    GraphQLResponse::from(ensure_codes(response)).into_response()
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
    upgrade
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
