//! Who asked, why, and under which keys: the metadata every event carries.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use crate::auth::Principal;

/// Built once per request at the edge; cloned into each command it triggers.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub principal: Principal,
    /// Ties together everything one business request caused, across streams and services.
    pub correlation_id: String,
    /// The message that caused this one (the caller's request id, or ours).
    pub causation_id: String,
    pub request_id: String,
    pub received_at: DateTime<Utc>,
}

/// What makes one command idempotent: the caller's key and a fingerprint of the request, so
/// reusing a key for a different request is refused rather than answered wrongly.
#[derive(Clone, Debug)]
pub struct Idempotency {
    pub key: String,
    pub fingerprint: String,
}

impl RequestContext {
    pub fn new(
        principal: Principal,
        correlation_id: Option<String>,
        causation_id: Option<String>,
    ) -> RequestContext {
        let request_id = Uuid::now_v7().to_string();
        RequestContext {
            principal,
            correlation_id: correlation_id.unwrap_or_else(|| request_id.clone()),
            causation_id: causation_id.unwrap_or_else(|| request_id.clone()),
            request_id,
            received_at: Utc::now(),
        }
    }

    /// The metadata stored with each event of one command.
    pub fn metadata(
        &self,
        command_id: &str,
        idempotency: Option<&Idempotency>,
    ) -> HashMap<String, String> {
        let mut m = HashMap::with_capacity(9);
        m.insert("actor_key_id".into(), self.principal.key_id.clone());
        m.insert("actor_role".into(), self.principal.role.as_str().into());
        m.insert("correlation_id".into(), self.correlation_id.clone());
        m.insert("causation_id".into(), self.causation_id.clone());
        m.insert("request_id".into(), self.request_id.clone());
        m.insert("command_id".into(), command_id.to_string());
        m.insert(
            "occurred_at".into(),
            Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
        );
        if let Some(i) = idempotency {
            m.insert("idempotency_key".into(), i.key.clone());
            m.insert("idempotency_fingerprint".into(), i.fingerprint.clone());
        }
        m
    }
}

/// Validates a caller-supplied id header/argument: short, printable, no surprises in logs.
pub fn clean_id(value: &str) -> Option<String> {
    let ok = !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| value.to_string())
}
