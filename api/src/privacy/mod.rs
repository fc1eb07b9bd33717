//! Personal data on its way out. Every payload, state and view that leaves the server goes
//! through one of the functions below with the caller's [`Audience`]: event payloads by
//! their (stream type, event type, version), folded aggregate states by stream type, read
//! models by [`ReadModel`], typed fields by [`PiiKind`]. Where the data sits is declared in
//! [`catalogue`]; what each audience sees of each kind of datum is decided in [`rules`].
//!
//! Masking keeps the JSON shape: a masked field is still there (masked, or `null` when the
//! datum has no masked form or the audience may not see it at all), so auditors still see
//! that a field existed and changed. Stored events are never changed; neither are their
//! hashes, which the audit commands verify server-side.

pub mod catalogue;
pub mod rules;
#[cfg(test)]
mod tests;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub use catalogue::ReadModel;
pub use rules::{mask_email, mask_name, mask_phone, Audience, PiiKind, Realm};

use crate::error::AppError;
use catalogue::{Datum, Pii};

/// An event payload (as shown, i.e. at `version`) as `audience` may see it. A payload the
/// catalogue does not know is concealed whole: a missing declaration hides, never leaks.
pub fn event_payload(
    audience: Audience,
    stream_type: &str,
    event_type: &str,
    version: &str,
    payload: &mut Value,
) {
    if audience == Audience::Clear {
        return;
    }
    match catalogue::event_pii(stream_type, event_type, version) {
        Some(declared) => mask_fields(audience, realm_of(stream_type), declared.fields, payload),
        None => *payload = conceal_all(audience, payload),
    }
}

/// One row of `waybill export` as `audience` may read the file. The payload is the stored
/// text at its stored version (exports are not upcast); the hashes stay as stored.
pub fn exported_event(audience: Audience, row: &mut waybill_projections::audit::ExportedEvent) {
    if audience == Audience::Clear {
        return;
    }
    let Ok(mut payload) = serde_json::from_str::<Value>(&row.payload) else {
        // Not JSON, so nothing the catalogue can point into: nothing of it leaves.
        row.payload = conceal_all(audience, &Value::String(row.payload.clone())).to_string();
        return;
    };
    event_payload(
        audience,
        &row.aggregate_type,
        &row.event_type,
        &row.event_version,
        &mut payload,
    );
    row.payload = payload.to_string();
}

/// A folded aggregate state (time travel) as `audience` may see it.
pub fn stream_state(audience: Audience, stream_type: &str, state: &mut Value) {
    if audience == Audience::Clear {
        return;
    }
    match catalogue::stream_pii(stream_type) {
        Some(declared) => mask_fields(audience, declared.realm, declared.state, state),
        None => *state = conceal_all(audience, state),
    }
}

/// A read-model document as `audience` may see it. The declared paths point into JSON-typed
/// fields of the view, so reading the masked document back cannot fail unless a declaration
/// points at a typed field — a bug the catalogue's tests catch.
pub fn view<T: Serialize + DeserializeOwned>(
    audience: Audience,
    model: ReadModel,
    view: T,
) -> Result<T, AppError> {
    if audience == Audience::Clear {
        return Ok(view);
    }
    let mut json =
        serde_json::to_value(&view).map_err(|e| AppError::internal("masking a read model", &e))?;
    mask_fields(audience, model.realm(), model.fields(), &mut json);
    serde_json::from_value(json).map_err(|e| AppError::internal("masking a read model", &e))
}

/// One typed field (the CRM's profile and texts) as `audience` may see it.
pub fn text(
    audience: Audience,
    realm: Realm,
    kind: PiiKind,
    value: Option<&str>,
) -> Option<String> {
    rules::text(audience, realm, kind, value)
}

/// The realm of a stream type; an unknown one gets the strictest (the CRM's).
pub fn realm_of(stream_type: &str) -> Realm {
    catalogue::stream_pii(stream_type).map_or(Realm::Crm, |s| s.realm)
}

fn mask_fields(audience: Audience, realm: Realm, fields: &[Pii], value: &mut Value) {
    for field in fields {
        let segments: Vec<&str> = field.path.split('.').collect();
        at_path(value, &segments, &mut |v| {
            mask_datum(audience, realm, field.datum, v)
        });
    }
}

fn at_path(value: &mut Value, segments: &[&str], f: &mut dyn FnMut(&mut Value)) {
    match segments.split_first() {
        None => f(value),
        Some((&"*", rest)) => match value {
            Value::Array(items) => items.iter_mut().for_each(|v| at_path(v, rest, f)),
            Value::Object(fields) => fields.values_mut().for_each(|v| at_path(v, rest, f)),
            _ => {}
        },
        Some((key, rest)) => {
            if let Some(child) = value.get_mut(*key) {
                at_path(child, rest, f);
            }
        }
    }
}

fn mask_datum(audience: Audience, realm: Realm, datum: Datum, value: &mut Value) {
    match datum {
        Datum::Is(kind) => *value = rules::apply(audience, realm, kind, value),
        Datum::Record(fields) => {
            for (name, kind) in fields {
                if let Some(v) = value.get_mut(*name) {
                    *v = rules::apply(audience, realm, *kind, v);
                }
            }
        }
        Datum::Tagged {
            tag,
            value: key,
            kinds,
        } => {
            let kind = match value.get(tag).and_then(Value::as_str) {
                Some(t) => kinds
                    .iter()
                    .find(|(name, _)| *name == t)
                    .map_or(Some(PiiKind::FreeText), |(_, kind)| *kind),
                None => Some(PiiKind::FreeText),
            };
            if let (Some(kind), Some(v)) = (kind, value.get_mut(key)) {
                *v = rules::apply(audience, realm, kind, v);
            }
        }
    }
}

/// Every string hidden (masked audiences) or withheld (warehouse).
fn conceal_all(audience: Audience, value: &Value) -> Value {
    match audience {
        Audience::Clear => value.clone(),
        Audience::Masked => rules::hide_strings(value),
        Audience::Delivery => withhold_strings(value),
    }
}

fn withhold_strings(value: &Value) -> Value {
    match value {
        Value::String(_) => Value::Null,
        Value::Array(items) => Value::Array(items.iter().map(withhold_strings).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), withhold_strings(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
