//! Who sees the personal data on an address (orders' shipping address, shipments'
//! destination): agents and admins in full; warehouse staff what delivery needs — the name and
//! the address, not the phone; everyone else (auditors, integrators) masked.

use serde_json::Value;

use super::crm::types::{mask_name, mask_phone};
use crate::auth::Role;

pub fn address_for(role: Role, mut address: Value) -> Value {
    let Some(fields) = address.as_object_mut() else {
        return address;
    };
    match role {
        Role::Admin | Role::Agent => {}
        Role::Warehouse => {
            fields.insert("phone".into(), Value::Null);
        }
        Role::Auditor | Role::Integrator => {
            if let Some(Value::String(name)) = fields.get("recipient") {
                let masked = mask_name(name);
                fields.insert("recipient".into(), Value::String(masked));
            }
            if let Some(Value::String(phone)) = fields.get("phone") {
                let masked = mask_phone(phone);
                fields.insert("phone".into(), Value::String(masked));
            }
            for street in ["street", "postal_code"] {
                if fields.get(street).is_some_and(|v| !v.is_null()) {
                    fields.insert(street.into(), Value::String("***".into()));
                }
            }
            fields.remove("coordinates");
        }
    }
    address
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_role_sees_what_it_needs() {
        let a = json!({"recipient": "Li Lei", "phone": "13800000000", "city": "Hangzhou", "street": "1 West Lake Rd", "coordinates": {"lat": 30.2, "lon": 120.1}});
        assert_eq!(address_for(Role::Agent, a.clone()), a);
        let w = address_for(Role::Warehouse, a.clone());
        assert_eq!(
            (
                w["recipient"].as_str(),
                w["street"].as_str(),
                w["phone"].is_null()
            ),
            (Some("Li Lei"), Some("1 West Lake Rd"), true)
        );
        let m = address_for(Role::Auditor, a);
        assert_eq!(
            (
                m["recipient"].as_str(),
                m["phone"].as_str(),
                m["street"].as_str(),
                m["city"].as_str()
            ),
            (
                Some("L* L**"),
                Some("138****0000"),
                Some("***"),
                Some("Hangzhou")
            )
        );
        assert!(m.get("coordinates").is_none());
    }
}
