//! The one path every mutation takes: authorise → parse → fingerprint → execute → convert.
//!
//! A resolver calls [`mutation`] (authorisation, and write options bound to this request),
//! turns its arguments into a domain command, and hands one application call to
//! [`Mutation::run`], which converts the outcome into the GraphQL result.
//!
//! The fingerprint an idempotency key is bound to is derived here and nowhere else: the
//! field's name and its arguments after variable substitution, canonicalised. So a retry
//! fingerprints identically whether it sends variables or literals, in any argument or key
//! order, and a reused key with any other input is told apart.

use std::future::Future;

use async_graphql::{Context, Name, Value};

use super::context::{authorize, request, services};
use super::error::GqlResult;
use crate::auth::Permission;
use crate::commands::context::RequestContext;
use crate::commands::orders::WriteOptions;
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

/// Arguments that steer how a write is applied, not what it asks for: the same request
/// retried with another `expectedVersion` is still the same request.
const NOT_FINGERPRINTED: [&str; 2] = ["idempotencyKey", "expectedVersion"];

/// An authorised mutation, ready to execute.
pub struct Mutation<'a> {
    pub services: &'a Services,
    pub request: &'a RequestContext,
    pub write: WriteOptions,
}

/// Authorises the caller and binds the write options to this field and its arguments.
pub fn mutation<'a>(
    ctx: &Context<'a>,
    permission: Permission,
    expected_version: Option<i64>,
    idempotency_key: Option<String>,
) -> GqlResult<Mutation<'a>> {
    authorize(ctx, permission)?;
    let services = services(ctx)?;
    let request = request(ctx)?;
    let write = WriteOptions::new(expected_version, idempotency_key, fingerprint_source(ctx)?);
    Ok(Mutation {
        services: services.as_ref(),
        request,
        write,
    })
}

impl<'a> Mutation<'a> {
    /// Executes the one application call and converts its outcome.
    pub async fn run<O, T, F>(
        self,
        execute: impl FnOnce(&'a Services, &'a RequestContext, WriteOptions) -> F,
    ) -> GqlResult<T>
    where
        F: Future<Output = Result<O, AppError>>,
        T: From<O>,
    {
        let outcome = execute(self.services, self.request, self.write).await?;
        Ok(outcome.into())
    }
}

/// `field(canonical arguments)`: what the idempotency fingerprint hashes.
fn fingerprint_source(ctx: &Context<'_>) -> Result<String, AppError> {
    let field = ctx.field();
    let arguments = field.arguments().map_err(|e| {
        AppError::new(
            ErrorCode::InvalidInput,
            format!("arguments of {}: {}", field.name(), e.message),
        )
    })?;
    let mut out = String::with_capacity(128);
    out.push_str(field.name());
    out.push('(');
    let arguments: Vec<(Name, Value)> = arguments
        .into_iter()
        .filter(|(name, _)| !NOT_FINGERPRINTED.contains(&name.as_str()))
        .collect();
    canonical_object(arguments.iter().map(|(n, v)| (n.as_str(), v)), &mut out);
    out.push(')');
    Ok(out)
}

/// JSON with object keys sorted and null members dropped (an omitted optional argument and
/// an explicit null mean the same); enum values are written as strings, as variables carry
/// them.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::String(s) => push_string(s, out),
        Value::Enum(name) => push_string(name.as_str(), out),
        Value::Binary(bytes) => push_string(&hex::encode(bytes), out),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            canonical_object(members.iter().map(|(n, v)| (n.as_str(), v)), out)
        }
    }
}

fn canonical_object<'v>(members: impl Iterator<Item = (&'v str, &'v Value)>, out: &mut String) {
    let mut members: Vec<(&str, &Value)> = members
        .filter(|(_, value)| !matches!(value, Value::Null))
        .collect();
    members.sort_by(|a, b| a.0.cmp(b.0));
    out.push('{');
    for (i, (name, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_string(name, out);
        out.push(':');
        canonical(value, out);
    }
    out.push('}');
}

fn push_string(s: &str, out: &mut String) {
    // Serialising a &str cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::indexmap::IndexMap;

    fn text(value: &Value) -> String {
        let mut out = String::new();
        canonical(value, &mut out);
        out
    }

    fn object(members: &[(&str, Value)]) -> Value {
        let mut map = IndexMap::new();
        for (name, value) in members {
            map.insert(Name::new(*name), value.clone());
        }
        Value::Object(map)
    }

    #[test]
    fn key_order_nulls_and_enum_spelling_do_not_change_the_form() {
        let a = object(&[
            ("b", Value::from(1)),
            ("a", Value::Enum(Name::new("DAMAGED"))),
            ("c", Value::Null),
        ]);
        let b = object(&[("a", Value::from("DAMAGED")), ("b", Value::from(1))]);
        assert_eq!(text(&a), text(&b));
        assert_eq!(text(&a), r#"{"a":"DAMAGED","b":1}"#);
    }

    #[test]
    fn different_input_gives_a_different_form() {
        let a = object(&[("amount", Value::from(500))]);
        let b = object(&[("amount", Value::from(501))]);
        assert_ne!(text(&a), text(&b));
        let nested = object(&[("lines", Value::List(vec![object(&[("q", Value::from(1))])]))]);
        assert_eq!(text(&nested), r#"{"lines":[{"q":1}]}"#);
        // Strings are escaped, so no two inputs share a form by quoting tricks.
        assert_eq!(text(&Value::from("a\",\"b")), r#""a\",\"b""#);
    }
}
