//! Upcasts for order events whose payload shape changed.

use serde_json::{json, Map, Value};

use crate::order::commands::OrderLine;
use crate::order::promotions::{with_allocation, AppliedPromotion};
use crate::upcast::{Upcast, UpcastError};

/// `OrderPlaced` 1.0 → 2.0: `priced_by` and each promotion's per-line `allocation` were
/// added. Every 1.0 order was priced by Waybill's own rules, and the allocation is the
/// documented rule's (`crate::order::allocation`), which is deterministic, so the upcast
/// computes exactly what placing it today would record.
pub const ORDER_PLACED_1_TO_2: Upcast = Upcast {
    event_type: "OrderPlaced",
    from: "1.0",
    to: "2.0",
    apply: order_placed_1_to_2,
};

fn order_placed_1_to_2(payload: Value) -> Result<Value, UpcastError> {
    let fail = |reason: &str| UpcastError {
        event_type: "OrderPlaced".into(),
        version: "1.0".into(),
        reason: reason.into(),
    };
    let Value::Object(mut outer) = payload else {
        return Err(fail("payload is not an object"));
    };
    let Some(Value::Object(mut body)) = outer.remove("OrderPlaced") else {
        return Err(fail("missing the OrderPlaced body"));
    };
    let lines: Vec<OrderLine> = body
        .get("lines")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|_| fail("lines are not order lines"))?
        .ok_or_else(|| fail("missing lines"))?;
    let promotions: Vec<AppliedPromotion> = body
        .get("promotions")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|_| fail("promotions are not applied promotions"))?
        .unwrap_or_default();
    let promotions = with_allocation(&lines, promotions)
        .ok_or_else(|| fail("the lines cannot carry the promotions"))?;
    body.insert(
        "promotions".into(),
        serde_json::to_value(promotions).map_err(|_| fail("promotions do not serialise"))?,
    );
    body.insert("priced_by".into(), json!("waybill"));
    let mut upcast = Map::new();
    upcast.insert("OrderPlaced".into(), Value::Object(body));
    Ok(Value::Object(upcast))
}

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

    /// A 1.0 placement (2 × 10,000 + 1 × 5,000 with a 3,000 coupon) reads as 2.0: priced
    /// by Waybill, the coupon split 2,400 / 600 in proportion to 20,000 / 5,000.
    #[test]
    fn a_stored_1_0_placement_reads_as_2_0_with_its_allocation() {
        let OrderEvent::OrderPlaced(sample) = crate::order::sample::sample_order_placed() else {
            panic!("sample is an OrderPlaced");
        };
        let mut v1 = serde_json::to_value(OrderEvent::OrderPlaced(sample)).unwrap();
        let body = v1["OrderPlaced"].as_object_mut().unwrap();
        body.remove("priced_by");
        body.insert(
            "lines".into(),
            json!([
                {"sku": "A", "name": "a", "quantity": 2, "unit_price_minor": 10_000},
                {"sku": "B", "name": "b", "quantity": 1, "unit_price_minor": 5_000}
            ]),
        );
        body.insert(
            "promotions".into(),
            json!([{"promotion": {"kind": "fixed_coupon", "code": "C30", "amount_minor": 3_000},
                    "amount_off_minor": 3_000}]),
        );
        assert!(needs_upcast("OrderPlaced", "1.0"));
        let (version, payload) = upcast("OrderPlaced", "1.0", v1).unwrap();
        assert_eq!(version, "2.0");
        assert_eq!(payload["OrderPlaced"]["priced_by"], "waybill");
        assert_eq!(
            payload["OrderPlaced"]["promotions"][0]["allocation"],
            json!([{"sku": "A", "amount_minor": 2_400}, {"sku": "B", "amount_minor": 600}])
        );
        let event: OrderEvent = serde_json::from_value(payload).unwrap();
        assert_eq!(event.name(), "OrderPlaced");
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
