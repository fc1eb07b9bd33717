//! `POST /webhooks/carriers/{carrier}`: carriers push tracking checkpoints, signed with a
//! per-carrier secret (see [`signature`]). An unsigned, wrongly signed, stale or malformed
//! request gets a 4xx with the reason and stores nothing; a valid batch is all resolved to
//! shipments before anything is written.

pub mod secrets;
pub mod signature;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use waybill_domain::shipment::Carrier;

use crate::auth::{Principal, Role};
use crate::commands::context::{clean_id, RequestContext};
use crate::commands::shipments::{CarrierScan, ScanOutcome};
use crate::error::{AppError, ErrorCode};
use crate::http::AppState;

#[derive(serde::Deserialize)]
struct Batch {
    scans: Vec<CarrierScan>,
}

fn reject(status: StatusCode, code: &str, reason: impl std::fmt::Display) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "reason": reason.to_string()}})),
    )
        .into_response()
}

pub async fn carrier_webhook(
    State(state): State<AppState>,
    Path(carrier): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(carrier) = carrier.parse::<Carrier>() else {
        return reject(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("unknown carrier {carrier:?}"),
        );
    };
    let services = &state.services;
    let secret = match secrets::get(&services.db, carrier.code()).await {
        Ok(Some(secret)) => secret,
        Ok(None) => {
            return reject(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                format!("no webhook secret is configured for {}", carrier.code()),
            )
        }
        Err(e) => return reject(StatusCode::SERVICE_UNAVAILABLE, "INTERNAL", e.message),
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = signature::verify(
        secret.as_bytes(),
        header("x-waybill-timestamp"),
        header("x-waybill-signature"),
        &body,
        now,
    ) {
        return reject(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", e);
    }
    let batch: Batch = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return reject(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT",
                format!("malformed body: {e}"),
            )
        }
    };
    let principal = Principal {
        key_id: format!("carrier:{}", carrier.code()),
        role: Role::Integrator,
    };
    let correlation = header("x-correlation-id").and_then(clean_id);
    let ctx = RequestContext::new(principal, correlation, None);
    match services
        .record_carrier_scans(&ctx, carrier, batch.scans)
        .await
    {
        Ok(outcomes) => {
            let recorded = outcomes
                .iter()
                .filter(|o| matches!(o, ScanOutcome::Recorded { .. }))
                .count();
            let results: Vec<_> = outcomes
                .iter()
                .map(|o| match o {
                    ScanOutcome::Recorded {
                        shipment_id,
                        position,
                    } => {
                        json!({"shipment_id": shipment_id, "recorded": true, "position": position})
                    }
                    ScanOutcome::Duplicate { shipment_id } => {
                        json!({"shipment_id": shipment_id, "recorded": false})
                    }
                })
                .collect();
            (StatusCode::OK, Json(json!({"recorded": recorded, "duplicates": outcomes.len() - recorded, "results": results}))).into_response()
        }
        Err(AppError {
            code: ErrorCode::InvalidInput,
            message,
            ..
        }) => reject(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_INPUT", message),
        Err(AppError {
            code: ErrorCode::InvalidState,
            message,
            ..
        }) => reject(StatusCode::CONFLICT, "INVALID_STATE", message),
        Err(AppError {
            code: ErrorCode::Conflict,
            message,
            ..
        }) => reject(StatusCode::SERVICE_UNAVAILABLE, "CONFLICT", message),
        Err(e) => reject(
            StatusCode::INTERNAL_SERVER_ERROR,
            e.code.as_str(),
            e.message,
        ),
    }
}
