//! `POST /webhooks/carriers/{carrier}`: carriers push tracking checkpoints, signed with a
//! per-carrier secret (see [`signature`]). An unsigned, wrongly signed, stale or malformed
//! request gets a 4xx with the reason and stores nothing. A well-formed batch is answered 200
//! scan by scan (`recorded`, `duplicate`, `unknown`, `rejected`), its valid scans stored.

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
use crate::commands::shipments::{CarrierScan, ScanOutcome, ScanOutcomeKind};
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
        Ok(outcomes) => (StatusCode::OK, Json(answer(&outcomes))).into_response(),
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

/// Counts per outcome and one result per scan, in the batch's order.
fn answer(outcomes: &[ScanOutcome]) -> serde_json::Value {
    let count = |code: &str| outcomes.iter().filter(|o| o.kind.code() == code).count();
    let results: Vec<_> = outcomes
        .iter()
        .enumerate()
        .map(|(index, o)| {
            let mut result = json!({
                "index": index,
                "tracking_number": o.tracking_number,
                "shipment_id": o.shipment_id,
                "outcome": o.kind.code(),
                "recorded": matches!(o.kind, ScanOutcomeKind::Recorded { .. }),
            });
            match &o.kind {
                ScanOutcomeKind::Recorded { position } => result["position"] = json!(position),
                ScanOutcomeKind::Rejected { reason, message } => {
                    result["reason"] = json!(reason);
                    result["message"] = json!(message);
                }
                ScanOutcomeKind::Unknown => {
                    result["reason"] = json!("unknown_tracking_number");
                }
                ScanOutcomeKind::Duplicate => {}
            }
            result
        })
        .collect();
    json!({
        "recorded": count("recorded"),
        "duplicates": count("duplicate"),
        "unknown": count("unknown"),
        "rejected": count("rejected"),
        "results": results,
    })
}
