//! The one table of who sees which kind of personal datum, and what a masked datum looks like.
//!
//! Every path out of the server (GraphQL fields, nested objects, mutation results,
//! subscriptions, the CLI export) ends here, through the catalogue or directly for typed
//! fields, so the rules cannot drift apart per path.

use serde_json::Value;

use crate::auth::Role;

/// Who is looking, as far as personal data is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Admins and agents: everything in clear.
    Clear,
    /// Integrators, auditors and masked exports: every datum masked, its field kept.
    Masked,
    /// Warehouse staff: what delivery needs (recipient name, address, coordinates, carrier
    /// notes) in clear; never phone, email or birthday; nothing of the CRM.
    Delivery,
}

impl Audience {
    pub fn of(role: Role) -> Audience {
        match role {
            Role::Admin | Role::Agent => Audience::Clear,
            Role::Integrator | Role::Auditor => Audience::Masked,
            Role::Warehouse => Audience::Delivery,
        }
    }
}

/// What part of the business a datum belongs to; the warehouse rules differ between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Realm {
    /// Orders, shipments, routes, returns: the recipient as delivery needs them.
    Delivery,
    /// Customers and service cases: the relationship, none of which delivery needs.
    Crm,
    /// Sites and vehicles: the business's own premises and fleet.
    Network,
}

/// The kinds of personal datum the catalogue declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PiiKind {
    /// A person's name (recipient, customer, who signed for a parcel).
    Name,
    Phone,
    Email,
    Birthday,
    /// Street and house number, district-level detail below the city.
    Street,
    PostalCode,
    /// A customer's home city (an address's city stays clear: coarse, and analytics need it).
    City,
    /// A point or one of its numbers (`{lat, lon}`, or `lat`/`lon` on their own).
    Coordinates,
    /// Text a person wrote that may carry any of the above (contact summaries, comments,
    /// case subjects, carrier notes).
    FreeText,
}

/// What happens to one datum for one audience.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Treatment {
    Clear,
    /// Replaced by a masked value of the same JSON type where one exists.
    Mask,
    /// Replaced by `null`: the field is there, its value is not.
    Withhold,
}

pub fn treatment(audience: Audience, realm: Realm, kind: PiiKind) -> Treatment {
    match audience {
        Audience::Clear => Treatment::Clear,
        Audience::Masked => Treatment::Mask,
        Audience::Delivery => match realm {
            Realm::Crm => Treatment::Withhold,
            Realm::Delivery | Realm::Network => match kind {
                PiiKind::Name
                | PiiKind::Street
                | PiiKind::PostalCode
                | PiiKind::City
                | PiiKind::Coordinates
                | PiiKind::FreeText => Treatment::Clear,
                PiiKind::Phone | PiiKind::Email | PiiKind::Birthday => Treatment::Withhold,
            },
        },
    }
}

/// `value` as `audience` may see it. `null` stays `null`, so "absent" stays visible.
pub fn apply(audience: Audience, realm: Realm, kind: PiiKind, value: &Value) -> Value {
    if value.is_null() {
        return Value::Null;
    }
    match treatment(audience, realm, kind) {
        Treatment::Clear => value.clone(),
        Treatment::Withhold => Value::Null,
        Treatment::Mask => masked(kind, value),
    }
}

/// The same, for a typed string field.
pub fn text(
    audience: Audience,
    realm: Realm,
    kind: PiiKind,
    value: Option<&str>,
) -> Option<String> {
    let value = value?;
    match apply(audience, realm, kind, &Value::String(value.to_string())) {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn masked(kind: PiiKind, value: &Value) -> Value {
    match (kind, value) {
        (PiiKind::Name, Value::String(s)) => Value::String(mask_name(s)),
        (PiiKind::Phone, Value::String(s)) => Value::String(mask_phone(s)),
        (PiiKind::Email, Value::String(s)) => Value::String(mask_email(s)),
        // A date has no masked form that stays a date; the field stays, its value goes.
        (PiiKind::Birthday, _) => Value::Null,
        (PiiKind::Coordinates, v) => coarse(v),
        // Anything else, including an unexpected shape: every string in it hidden.
        (_, v) => hide_strings(v),
    }
}

/// Coordinates rounded to one decimal (about 11 km): the region stays, the door does not.
fn coarse(value: &Value) -> Value {
    match value {
        Value::Number(n) => n
            .as_f64()
            .and_then(|f| serde_json::Number::from_f64((f * 10.0).round() / 10.0))
            .map_or(Value::Null, Value::Number),
        Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), coarse(v))).collect())
        }
        other => hide_strings(other),
    }
}

/// Every string leaf becomes `***`; numbers, booleans and the shape stay.
pub fn hide_strings(value: &Value) -> Value {
    match value {
        Value::String(_) => Value::String("***".into()),
        Value::Array(items) => Value::Array(items.iter().map(hide_strings).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), hide_strings(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// "Li Lei" → "L* L**": the first letter of each word.
pub fn mask_name(name: &str) -> String {
    name.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "13800000000" → "138****0000".
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// "lilei@example.com" → "l***@example.com".
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_audience_sees_what_it_needs() {
        use PiiKind::*;
        let seen = |audience, realm, kind, v: Value| apply(audience, realm, kind, &v);
        let phone = json!("13800000000");
        assert_eq!(
            seen(Audience::Clear, Realm::Crm, Phone, phone.clone()),
            phone
        );
        assert_eq!(
            seen(Audience::Masked, Realm::Delivery, Phone, phone.clone()),
            json!("138****0000")
        );
        assert_eq!(
            seen(Audience::Delivery, Realm::Delivery, Phone, phone),
            Value::Null
        );
        let name = json!("Li Lei");
        assert_eq!(
            seen(Audience::Delivery, Realm::Delivery, Name, name.clone()),
            name
        );
        assert_eq!(
            seen(Audience::Delivery, Realm::Crm, Name, name.clone()),
            Value::Null
        );
        assert_eq!(
            seen(Audience::Masked, Realm::Crm, Name, name),
            json!("L* L**")
        );
        assert_eq!(
            seen(
                Audience::Masked,
                Realm::Crm,
                Email,
                json!("lilei@example.com")
            ),
            json!("l***@example.com")
        );
        assert_eq!(
            seen(Audience::Masked, Realm::Crm, Birthday, json!("1990-05-17")),
            Value::Null
        );
        assert_eq!(
            seen(
                Audience::Masked,
                Realm::Delivery,
                Street,
                json!("1 West Lake Rd")
            ),
            json!("***")
        );
        assert_eq!(
            seen(
                Audience::Masked,
                Realm::Delivery,
                Coordinates,
                json!({"lat": 30.2741, "lon": 120.1059})
            ),
            json!({"lat": 30.3, "lon": 120.1})
        );
        assert_eq!(
            seen(
                Audience::Masked,
                Realm::Crm,
                FreeText,
                json!({"a": ["x", 1]})
            ),
            json!({"a": ["***", 1]})
        );
        assert_eq!(
            seen(Audience::Masked, Realm::Crm, Name, Value::Null),
            Value::Null
        );
    }

    #[test]
    fn roles_map_to_audiences() {
        assert_eq!(Audience::of(Role::Admin), Audience::Clear);
        assert_eq!(Audience::of(Role::Agent), Audience::Clear);
        assert_eq!(Audience::of(Role::Auditor), Audience::Masked);
        assert_eq!(Audience::of(Role::Integrator), Audience::Masked);
        assert_eq!(Audience::of(Role::Warehouse), Audience::Delivery);
    }
}
