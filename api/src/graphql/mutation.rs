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

use async_graphql::indexmap::IndexMap;
use async_graphql::registry::{MetaInputValue, MetaType, MetaTypeName, Registry};
use async_graphql::{Context, Name, Value};

use super::context::{authorize, request, services};
use super::error::GqlResult;
use super::scalars::{opt_i64, wide_integer_value, Int64, WIDE_INTEGER_SCALARS};
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
    expected_version: Option<Int64>,
    idempotency_key: Option<String>,
) -> GqlResult<Mutation<'a>> {
    authorize(ctx, permission)?;
    let services = services(ctx)?;
    let request = request(ctx)?;
    let write = WriteOptions::new(
        opt_i64(expected_version),
        idempotency_key,
        fingerprint_source(ctx)?,
    );
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
    let declared = Declared(&ctx.schema_env.registry);
    let mut out = String::with_capacity(128);
    out.push_str(field.name());
    out.push('(');
    let arguments: Vec<(Name, Value)> = arguments
        .into_iter()
        .filter(|(name, _)| !NOT_FINGERPRINTED.contains(&name.as_str()))
        .collect();
    canonical_object(
        arguments.iter().map(|(n, v)| (n.as_str(), v)),
        declared.arguments(field.name()),
        declared,
        &mut out,
    );
    out.push(')');
    Ok(out)
}

/// The types the schema declares for arguments and input fields. Only the declared type says
/// that `"3000"` and `3000` are one value (a `MinorUnits` or `Int64` accepts both), while for a
/// `String` argument such as an order number they stay apart.
#[derive(Clone, Copy)]
struct Declared<'r>(&'r Registry);

type InputValues = IndexMap<String, MetaInputValue>;

impl<'r> Declared<'r> {
    fn arguments(self, mutation_field: &str) -> Option<&'r InputValues> {
        let root = self.0.mutation_type.as_deref()?;
        match self.0.types.get(root)? {
            MetaType::Object { fields, .. } => fields.get(mutation_field).map(|f| &f.args),
            _ => None,
        }
    }

    fn input_fields(self, type_name: Option<&str>) -> Option<&'r InputValues> {
        match self.0.types.get(type_name?)? {
            MetaType::InputObject { input_fields, .. } => Some(input_fields),
            _ => None,
        }
    }
}

/// JSON with object keys sorted and null members dropped (an omitted optional argument and
/// an explicit null mean the same); enum values are written as strings, as variables carry
/// them; a wide integer is written as a number in whichever spelling it came.
fn canonical(value: &Value, type_name: Option<&str>, declared: Declared<'_>, out: &mut String) {
    if type_name.is_some_and(|t| WIDE_INTEGER_SCALARS.contains(&t)) {
        if let Some(n) = wide_integer_value(value) {
            out.push_str(&n.to_string());
            return;
        }
    }
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
                // A list's items have the list's concrete type.
                canonical(item, type_name, declared, out);
            }
            out.push(']');
        }
        Value::Object(members) => canonical_object(
            members.iter().map(|(n, v)| (n.as_str(), v)),
            declared.input_fields(type_name),
            declared,
            out,
        ),
    }
}

fn canonical_object<'v>(
    members: impl Iterator<Item = (&'v str, &'v Value)>,
    fields: Option<&InputValues>,
    declared: Declared<'_>,
    out: &mut String,
) {
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
        let type_name = fields
            .and_then(|f| f.get(name))
            .map(|f| MetaTypeName::concrete_typename(&f.ty));
        canonical(value, type_name, declared, out);
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
    use crate::graphql::scalars::MinorUnits;
    use async_graphql::{EmptySubscription, Object, Schema};

    fn text(value: &Value) -> String {
        let registry = Registry::default();
        let mut out = String::new();
        canonical(value, None, Declared(&registry), &mut out);
        out
    }

    struct Fingerprints;

    #[derive(async_graphql::InputObject)]
    struct LineInput {
        unit_price: MinorUnits,
        sku: String,
    }

    #[Object]
    impl Fingerprints {
        async fn charge(
            &self,
            ctx: &Context<'_>,
            amount: MinorUnits,
            reference: String,
            lines: Vec<LineInput>,
        ) -> String {
            let _ = (amount, reference, lines);
            fingerprint_source(ctx).unwrap()
        }
    }

    struct NoQuery;

    #[Object]
    impl NoQuery {
        async fn ok(&self) -> bool {
            true
        }
    }

    async fn fingerprint(arguments: &str) -> String {
        let schema = Schema::new(NoQuery, Fingerprints, EmptySubscription);
        let response = schema
            .execute(format!("mutation {{ charge({arguments}) }}"))
            .await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        response.data.into_json().unwrap()["charge"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[tokio::test]
    async fn a_wide_integer_fingerprints_alike_in_both_spellings_and_a_string_does_not_change() {
        let as_numbers =
            fingerprint(r#"amount: 3000, reference: "42", lines: [{unitPrice: 7, sku: "9"}]"#)
                .await;
        let as_strings =
            fingerprint(r#"amount: "3000", reference: "42", lines: [{unitPrice: "7", sku: "9"}]"#)
                .await;
        assert_eq!(as_numbers, as_strings);
        assert_eq!(
            as_numbers,
            r#"charge({"amount":3000,"lines":[{"sku":"9","unitPrice":7}],"reference":"42"})"#
        );
        let other = fingerprint(r#"amount: "3001", reference: "42", lines: []"#).await;
        assert_ne!(as_numbers, other);
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
