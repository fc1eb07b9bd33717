//! Upcasts for order events whose payload shape changed.

use serde_json::{json, Map, Value};

use crate::upcast::{Upcast, UpcastError};

/// `LinesFulfilled` 1.0 → 2.0: the top-level `shipment_reference` and `warehouse_id` became
/// one `shipment: { reference, warehouse_id }` (a field renamed and moved). Stored 1.0
/// payloads stay as written; every reader sees 2.0.
pub const LINES_FULFILLED_1_TO_2: Upcast = Upcast {
    event_type: "LinesFulfilled",
    from: "1.0",
    to: "2.0",
    apply: lines_fulfilled_1_to_2,
};

fn lines_fulfilled_1_to_2(payload: Value) -> Result<Value, UpcastError> {
    let fail = |reason: &str| UpcastError {
        event_type: "LinesFulfilled".into(),
        version: "1.0".into(),
        reason: reason.into(),
    };
    let Value::Object(mut outer) = payload else {
        return Err(fail("payload is not an object"));
    };
    let Some(Value::Object(mut body)) = outer.remove("LinesFulfilled") else {
        return Err(fail("missing the LinesFulfilled body"));
    };
    let reference = body
        .remove("shipment_reference")
        .ok_or_else(|| fail("missing shipment_reference"))?;
    let warehouse_id = body
        .remove("warehouse_id")
        .ok_or_else(|| fail("missing warehouse_id"))?;
    body.insert(
        "shipment".into(),
        json!({"reference": reference, "warehouse_id": warehouse_id}),
    );
    let mut upcast = Map::new();
    upcast.insert("LinesFulfilled".into(), Value::Object(body));
    Ok(Value::Object(upcast))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::order::OrderEvent;
    use crate::upcast::{needs_upcast, upcast};

    fn v1() -> serde_json::Value {
        json!({"LinesFulfilled": {
            "shipment_reference": "SHIP-7",
            "warehouse_id": "WH-HZ",
            "lines": [{"sku": "TEA-1", "quantity": 2}],
            "fully_fulfilled": false
        }})
    }

    #[test]
    fn a_stored_1_0_payload_reads_as_2_0() {
        assert!(needs_upcast("LinesFulfilled", "1.0"));
        assert!(!needs_upcast("LinesFulfilled", "2.0"));
        let (version, payload) = upcast("LinesFulfilled", "1.0", v1()).unwrap();
        assert_eq!(version, "2.0");
        let event: OrderEvent = serde_json::from_value(payload).unwrap();
        let OrderEvent::LinesFulfilled {
            shipment,
            lines,
            fully_fulfilled,
        } = event
        else {
            panic!("wrong event");
        };
        assert_eq!(shipment.reference, "SHIP-7");
        assert_eq!(shipment.warehouse_id.as_str(), "WH-HZ");
        assert_eq!(lines.len(), 1);
        assert!(!fully_fulfilled);
    }

    #[test]
    fn current_payloads_pass_through_and_broken_ones_are_refused() {
        let (version, same) =
            upcast("OrderCompleted", "1.0", json!({"OrderCompleted": {}})).unwrap();
        assert_eq!(
            (version.as_str(), same),
            ("1.0", json!({"OrderCompleted": {}}))
        );
        assert!(upcast(
            "LinesFulfilled",
            "1.0",
            json!({"LinesFulfilled": {"lines": []}})
        )
        .is_err());
        assert!(upcast("LinesFulfilled", "1.0", json!([1])).is_err());
    }
}
