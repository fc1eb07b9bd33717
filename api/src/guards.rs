//! What the HTTP edge checks before GraphQL runs: the client address's rate, the body's size
//! (before the API key is even looked at), the shape of the request, and how long it may run.
//! Every refusal is a GraphQL-shaped JSON error with `extensions.code`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::config::RequestLimits;
use crate::error::{AppError, ErrorCode};
use crate::graphql::error::server_error;
use crate::throttle::{RateLimited, Throttle};

pub struct Guards {
    pub throttle: Throttle,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
}

impl Guards {
    pub fn new(limits: &RequestLimits) -> Guards {
        Guards {
            throttle: Throttle::new(limits),
            max_body_bytes: limits.max_body_bytes,
            request_timeout: Duration::from_millis(limits.request_timeout_ms),
        }
    }
}

/// The HTTP status each code is answered with outside a GraphQL response.
fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::InvalidInput | ErrorCode::InvalidState => StatusCode::BAD_REQUEST,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Timeout | ErrorCode::Internal => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// A refusal before (or instead of) a GraphQL response, shaped like one.
pub fn error_response(error: AppError) -> Response {
    let status = status_of(error.code);
    let body = async_graphql::Response::from_errors(vec![server_error(error)]);
    (status, Json(body)).into_response()
}

pub fn rate_limited(refused: RateLimited) -> Response {
    let seconds = refused.retry_after_secs();
    let mut response = error_response(refused.into());
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// Middleware on the GraphQL routes: the client address's rate limit, before the body is read
/// or the key looked up, so bogus keys cost their sender the same as real ones.
pub async fn limit_by_address(
    State(guards): State<Arc<Guards>>,
    request: Request,
    next: Next,
) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(address) = address {
        if let Err(refused) = guards.throttle.check_address(address) {
            return rate_limited(refused);
        }
    }
    next.run(request).await
}

/// The body as read under the size limit (`DefaultBodyLimit` on the route).
pub fn body(body: Result<Bytes, BytesRejection>, max: usize) -> Result<Bytes, AppError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("request body larger than {max} bytes"),
            )
        } else {
            AppError::invalid_input("body", format!("cannot read the request body: {rejection}"))
        }
    })
}

/// One GraphQL request in JSON. Batches (a JSON array of requests) are refused: each request
/// is one operation, limited, timed and rate-counted on its own.
pub fn graphql_request(body: &[u8]) -> Result<async_graphql::Request, AppError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return Err(AppError::invalid_input(
            "body",
            "batched requests are not accepted; send one per request",
        )
        .with_reason("batch"));
    }
    serde_json::from_slice(body)
        .map_err(|e| AppError::invalid_input("body", format!("malformed GraphQL request: {e}")))
}

pub fn timed_out(after: Duration) -> AppError {
    AppError::new(
        ErrorCode::Timeout,
        format!("the request ran longer than {} ms", after.as_millis()),
    )
}
