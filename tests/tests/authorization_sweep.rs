//! The authorisation sweep: every query, mutation and subscription field of the schema, with
//! every role's key, over real HTTP (subscriptions over the real WebSocket), compared with the
//! one permission table in `waybill_tests::permissions`.
//!
//! The requests are generated from the schema itself: required arguments get type-correct
//! dummy values (enums their first value, strings `"x"`, numbers 1, input objects their
//! required fields, recursively), the selection is `__typename` for objects. Such a request is
//! valid GraphQL, so it reaches the resolver; what the sweep looks at is only whether the role
//! is refused (`FORBIDDEN`) or not (anything else: success, `NOT_FOUND`, `INVALID_INPUT`…).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_tests::live::Subscription;
use waybill_tests::permissions::{allowed, PERMISSIONS};
use waybill_tests::{on_both_backends, TestApp};

/// One root field, with its generated request.
struct Field {
    /// `Query.orders`, `Mutation.placeOrder`, `Subscription.orderUpdated`.
    key: String,
    document: String,
}

/// What the schema's types look like, for generating values.
struct Types {
    enums: BTreeMap<String, String>,
    inputs: BTreeMap<String, Vec<(String, Type, bool)>>,
    composites: BTreeSet<String>,
}

/// A literal for a custom scalar; a scalar missing here fails the sweep loudly.
fn scalar_literal(name: &str) -> Option<&'static str> {
    Some(match name {
        "String" | "ID" => "\"x\"",
        "Int" => "1",
        "Float" => "1.0",
        "Boolean" => "true",
        "DateTime" => "\"2026-01-05T08:00:00Z\"",
        "NaiveDate" => "\"2026-01-05\"",
        "NaiveTime" => "\"09:00:00\"",
        "JSON" => "{}",
        "MinorUnits" | "Int64" => "\"1\"",
        _ => return None,
    })
}

impl Types {
    fn literal(&self, ty: &Type, depth: usize) -> String {
        assert!(depth < 12, "input types nest too deep to generate a value");
        match &ty.base {
            BaseType::List(inner) => format!("[{}]", self.literal(inner, depth + 1)),
            BaseType::Named(name) => {
                let name = name.as_str();
                if let Some(first) = self.enums.get(name) {
                    return first.clone();
                }
                if let Some(fields) = self.inputs.get(name) {
                    let required: Vec<String> = fields
                        .iter()
                        .filter(|(_, ty, has_default)| !ty.nullable && !has_default)
                        .map(|(n, ty, _)| format!("{n}: {}", self.literal(ty, depth + 1)))
                        .collect();
                    return format!("{{{}}}", required.join(", "));
                }
                scalar_literal(name)
                    .unwrap_or_else(|| {
                        panic!("no dummy value for scalar {name}: add one to scalar_literal")
                    })
                    .to_string()
            }
        }
    }

    fn selection(&self, ty: &Type) -> &'static str {
        let mut ty = ty;
        while let BaseType::List(inner) = &ty.base {
            ty = inner;
        }
        match &ty.base {
            BaseType::Named(name) if self.composites.contains(name.as_str()) => " { __typename }",
            _ => "",
        }
    }
}

/// Every root field of the live schema, each with a minimal valid request.
fn root_fields() -> Vec<Field> {
    let sdl = waybill_api::graphql::sdl();
    let doc = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    let mut types = Types {
        enums: BTreeMap::new(),
        inputs: BTreeMap::new(),
        composites: BTreeSet::new(),
    };
    let mut objects = BTreeMap::new();
    let mut roots = Vec::new();
    for definition in &doc.definitions {
        match definition {
            TypeSystemDefinition::Schema(schema) => {
                let s = &schema.node;
                for (kind, name) in [
                    ("Query", &s.query),
                    ("Mutation", &s.mutation),
                    ("Subscription", &s.subscription),
                ] {
                    if let Some(name) = name {
                        roots.push((kind, name.node.to_string()));
                    }
                }
            }
            TypeSystemDefinition::Type(t) => {
                let name = t.node.name.node.to_string();
                match &t.node.kind {
                    TypeKind::Enum(e) => {
                        types
                            .enums
                            .insert(name, e.values[0].node.value.node.to_string());
                    }
                    TypeKind::InputObject(i) => {
                        let fields = i
                            .fields
                            .iter()
                            .map(|f| {
                                let f = &f.node;
                                (
                                    f.name.node.to_string(),
                                    f.ty.node.clone(),
                                    f.default_value.is_some(),
                                )
                            })
                            .collect();
                        types.inputs.insert(name, fields);
                    }
                    TypeKind::Object(o) => {
                        types.composites.insert(name.clone());
                        objects.insert(name, o.fields.clone());
                    }
                    TypeKind::Interface(_) | TypeKind::Union(_) => {
                        types.composites.insert(name);
                    }
                    TypeKind::Scalar => {}
                }
            }
            TypeSystemDefinition::Directive(_) => {}
        }
    }
    assert_eq!(roots.len(), 3, "query, mutation and subscription roots");
    let mut fields = Vec::new();
    for (kind, root) in roots {
        let operation = kind.to_lowercase();
        for field in &objects[&root] {
            let field = &field.node;
            let args: Vec<String> = field
                .arguments
                .iter()
                .map(|a| &a.node)
                .filter(|a| !a.ty.node.nullable && a.default_value.is_none())
                .map(|a| format!("{}: {}", a.name.node, types.literal(&a.ty.node, 0)))
                .collect();
            let args = if args.is_empty() {
                String::new()
            } else {
                format!("({})", args.join(", "))
            };
            fields.push(Field {
                key: format!("{kind}.{}", field.name.node),
                document: format!(
                    "{operation} {{ {}{args}{} }}",
                    field.name.node,
                    types.selection(&field.ty.node)
                ),
            });
        }
    }
    fields
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Forbidden,
    Other,
}

/// Classifies a GraphQL response. An error without a `path` never reached a resolver (the
/// generated request was invalid, or a limit refused it): that would make the sweep prove
/// nothing, so it fails the test.
fn classify(field: &Field, role: Role, body: &Value) -> Result<Outcome, String> {
    let errors = match body.get("errors").and_then(Value::as_array) {
        None => return Ok(Outcome::Other),
        Some(errors) => errors,
    };
    if errors
        .iter()
        .any(|e| e["extensions"]["code"] == "FORBIDDEN")
    {
        return Ok(Outcome::Forbidden);
    }
    if let Some(e) = errors.iter().find(|e| e.get("path").is_none()) {
        if e["extensions"]["retryable"] == true {
            return Err("retry".into());
        }
        panic!(
            "{} as {role}: the generated request never reached the resolver: {e}\n{}",
            field.key, field.document
        );
    }
    Ok(Outcome::Other)
}

async fn query_outcome(app: &TestApp, token: &str, field: &Field, role: Role) -> Outcome {
    for attempt in 0..20 {
        let (_, body) = app.gql_raw(Some(token), &field.document, json!({})).await;
        match classify(field, role, &body) {
            Ok(outcome) => return outcome,
            // Throttled: wait and ask again rather than misread the refusal.
            Err(_) => tokio::time::sleep(Duration::from_millis(100 * (attempt + 1))).await,
        }
    }
    panic!("{} as {role}: still throttled after 20 attempts", field.key)
}

async fn subscription_outcome(app: &TestApp, token: &str, field: &Field, role: Role) -> Outcome {
    let mut sub = Subscription::start(app.address, token, &field.document, json!({}))
        .await
        .unwrap_or_else(|e| panic!("{} as {role}: {e}", field.key));
    // A refusal comes at once; an allowed subscription on a dummy id simply stays open.
    match sub.next_message(Duration::from_millis(700)).await {
        None => Outcome::Other,
        Some(msg) => {
            let errors = match msg["type"].as_str() {
                Some("error") => msg["payload"].clone(),
                Some("next") => msg["payload"]["errors"].clone(),
                _ => Value::Null,
            };
            let body = json!({"errors": errors});
            if errors.is_array() {
                classify(field, role, &body).unwrap_or(Outcome::Other)
            } else {
                Outcome::Other
            }
        }
    }
}

/// Every field × every role matches the table; every field has an entry; no entry is stale.
async fn every_field_refuses_exactly_the_roles_outside_its_entry(app: &TestApp) {
    let fields = root_fields();
    let mut keys = Vec::new();
    for role in Role::ALL {
        keys.push((role, app.key(role).await));
    }
    let missing: Vec<&str> = fields
        .iter()
        .filter(|f| allowed(&f.key).is_none())
        .map(|f| f.key.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "fields without an entry in tests/src/permissions.rs: {missing:?}"
    );
    let stale: Vec<&str> = PERMISSIONS
        .iter()
        .map(|(f, _)| *f)
        .filter(|f| !fields.iter().any(|field| field.key == *f))
        .collect();
    assert!(
        stale.is_empty(),
        "entries for fields the schema no longer has: {stale:?}"
    );

    let mut mismatches = Vec::new();
    for field in &fields {
        let roles = allowed(&field.key).unwrap_or_default();
        for (role, token) in &keys {
            let outcome = if field.key.starts_with("Subscription.") {
                subscription_outcome(app, token, field, *role).await
            } else {
                query_outcome(app, token, field, *role).await
            };
            let expected = if roles.contains(&role.as_str()) {
                Outcome::Other
            } else {
                Outcome::Forbidden
            };
            if outcome != expected {
                mismatches.push(format!(
                    "{} as {role}: expected {expected:?}, got {outcome:?} ({})",
                    field.key, field.document
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} checks disagree with the permission table:\n{}",
        mismatches.len(),
        fields.len() * keys.len(),
        mismatches.join("\n")
    );
    eprintln!(
        "authorization sweep: {} fields x {} roles checked",
        fields.len(),
        keys.len()
    );
}
on_both_backends!(every_field_refuses_exactly_the_roles_outside_its_entry);

/// The generator itself: a request for every field is produced and the table is not empty,
/// so the sweep above cannot pass by checking nothing.
#[test]
fn the_sweep_covers_every_root_field() {
    let fields = root_fields();
    assert!(fields.len() > 100, "{}", fields.len());
    for kind in ["Query.", "Mutation.", "Subscription."] {
        assert!(fields.iter().any(|f| f.key.starts_with(kind)), "{kind}");
    }
    let place = fields
        .iter()
        .find(|f| f.key == "Mutation.placeOrder")
        .expect("placeOrder");
    assert!(
        place.document.starts_with("mutation { placeOrder(input: {"),
        "{}",
        place.document
    );
}
