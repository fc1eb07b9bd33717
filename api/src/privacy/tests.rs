use std::collections::BTreeSet;

use serde_json::json;
use waybill_domain::event_types::{every_event_type, stream_types};

use super::catalogue::{self, Datum, ReadModel, EVENTS, STREAMS};
use super::*;

#[test]
fn every_event_type_at_every_version_is_declared() {
    let known: BTreeSet<(&str, &str, &str)> = every_event_type()
        .into_iter()
        .map(|t| (t.stream_type, t.event_type, t.version))
        .collect();
    let declared: Vec<(&str, &str, &str)> = EVENTS
        .iter()
        .map(|e| (e.stream_type, e.event_type, e.version))
        .collect();
    let missing: Vec<_> = known.iter().filter(|t| !declared.contains(t)).collect();
    assert!(
        missing.is_empty(),
        "event types without a privacy declaration (add them to privacy/catalogue.rs, with \
         an empty list when they carry nothing personal): {missing:?}"
    );
    let unknown: Vec<_> = declared.iter().filter(|t| !known.contains(t)).collect();
    assert!(
        unknown.is_empty(),
        "declared but not an event type: {unknown:?}"
    );
    let distinct: BTreeSet<_> = declared.iter().collect();
    assert_eq!(
        distinct.len(),
        declared.len(),
        "an event type declared twice"
    );
}

#[test]
fn every_stream_type_has_a_realm_and_a_state_declaration() {
    let known: BTreeSet<&str> = stream_types().collect();
    let declared: BTreeSet<&str> = STREAMS.iter().map(|s| s.stream_type).collect();
    assert_eq!(known, declared);
    assert_eq!(declared.len(), STREAMS.len());
    for stream in crate::audit::FOLDABLE {
        assert!(declared.contains(stream), "{stream}");
    }
}

#[test]
fn event_paths_start_at_their_variant_and_state_paths_at_the_state() {
    for e in EVENTS {
        for field in e.fields {
            assert!(
                field.path.starts_with(&format!("{}.", e.event_type)),
                "{} {}: {}",
                e.stream_type,
                e.event_type,
                field.path
            );
        }
    }
    for s in STREAMS {
        for field in s.state {
            // States are shown unwrapped; a path into the old wrapper would mask nothing.
            assert!(!field.path.starts_with("state."), "{}", field.path);
        }
    }
    for model in ReadModel::ALL {
        assert!(!model.fields().is_empty());
    }
}

fn registered() -> Value {
    json!({"CustomerRegistered": {
        "customer_id": "c-1",
        "acquisition_channel": "tmall",
        "profile": {"name": "Li Lei", "phone": "13800000000", "email": "lilei@example.com",
                    "birthday": "1990-05-17", "city": "Hangzhou", "preferred_contact": "sms"},
        "tier": "regular",
        "registered_at": "2029-01-01T00:00:00Z"
    }})
}

#[test]
fn customer_events_are_masked_for_auditors_and_withheld_from_warehouses() {
    let mut masked = registered();
    event_payload(
        Audience::Masked,
        "Customer",
        "CustomerRegistered",
        "1.0",
        &mut masked,
    );
    assert_eq!(
        masked["CustomerRegistered"]["profile"],
        json!({"name": "L* L**", "phone": "138****0000", "email": "l***@example.com",
               "birthday": null, "city": "***", "preferred_contact": "sms"})
    );
    assert_eq!(masked["CustomerRegistered"]["customer_id"], "c-1");
    let mut warehouse = registered();
    event_payload(
        Audience::Delivery,
        "Customer",
        "CustomerRegistered",
        "1.0",
        &mut warehouse,
    );
    assert_eq!(
        warehouse["CustomerRegistered"]["profile"],
        json!({"name": null, "phone": null, "email": null, "birthday": null, "city": null,
               "preferred_contact": "sms"})
    );
    let mut clear = registered();
    event_payload(
        Audience::Clear,
        "Customer",
        "CustomerRegistered",
        "1.0",
        &mut clear,
    );
    assert_eq!(clear, registered());
}

#[test]
fn profile_changes_are_masked_by_the_field_they_change() {
    let changed = json!({"ProfileChanged": {"changes": [
        {"field": "phone", "value": "13911112222"},
        {"field": "preferred_contact", "value": "email"},
        {"field": "shoe_size", "value": "44"}
    ], "at": "2030-01-01T00:00:00Z"}});
    let mut masked = changed.clone();
    event_payload(
        Audience::Masked,
        "Customer",
        "ProfileChanged",
        "1.0",
        &mut masked,
    );
    assert_eq!(
        masked["ProfileChanged"]["changes"],
        json!([
            {"field": "phone", "value": "139****2222"},
            {"field": "preferred_contact", "value": "email"},
            {"field": "shoe_size", "value": "***"}
        ])
    );
}

#[test]
fn warehouses_see_the_recipient_but_never_the_phone() {
    let placed = json!({"OrderPlaced": {"shipping_address": {
        "recipient": "Li Lei", "phone": "13800000000", "country": "CN", "province": "Zhejiang",
        "city": "Hangzhou", "district": null, "street": "1 West Lake Rd", "postal_code": "310000",
        "coordinates": {"lat": 30.2741, "lon": 120.1059}}}});
    let mut warehouse = placed.clone();
    event_payload(
        Audience::Delivery,
        "Order",
        "OrderPlaced",
        "1.0",
        &mut warehouse,
    );
    let mut expected = placed.clone();
    expected["OrderPlaced"]["shipping_address"]["phone"] = Value::Null;
    assert_eq!(warehouse, expected);
    let mut auditor = placed;
    event_payload(
        Audience::Masked,
        "Order",
        "OrderPlaced",
        "1.0",
        &mut auditor,
    );
    assert_eq!(
        auditor["OrderPlaced"]["shipping_address"],
        json!({"recipient": "L* L**", "phone": "138****0000", "country": "CN",
               "province": "Zhejiang", "city": "Hangzhou", "district": null, "street": "***",
               "postal_code": "***", "coordinates": {"lat": 30.3, "lon": 120.1}})
    );
}

#[test]
fn an_undeclared_payload_is_concealed_whole() {
    let mut payload = json!({"SomethingNew": {"secret": "13800000000", "count": 3}});
    event_payload(
        Audience::Masked,
        "Order",
        "SomethingNew",
        "1.0",
        &mut payload,
    );
    assert_eq!(
        payload,
        json!({"SomethingNew": {"secret": "***", "count": 3}})
    );
    let mut payload = json!({"SomethingNew": {"secret": "13800000000"}});
    event_payload(
        Audience::Delivery,
        "Order",
        "SomethingNew",
        "1.0",
        &mut payload,
    );
    assert_eq!(payload, json!({"SomethingNew": {"secret": null}}));
    let mut state = json!({"state": {"x": "y"}});
    stream_state(Audience::Masked, "Unknown", &mut state);
    assert_eq!(state, json!({"state": {"x": "***"}}));
}

#[test]
fn read_models_round_trip_through_masking() {
    let stop = waybill_projections::routing::DeliveryStopView {
        lat: 30.2741,
        lon: 120.1059,
        ..sample_stop()
    };
    let masked = view(Audience::Masked, ReadModel::DeliveryStop, stop.clone()).unwrap();
    assert_eq!((masked.lat, masked.lon), (30.3, 120.1));
    let warehouse = view(Audience::Delivery, ReadModel::DeliveryStop, stop.clone()).unwrap();
    assert_eq!((warehouse.lat, warehouse.lon), (stop.lat, stop.lon));
}

fn sample_stop() -> waybill_projections::routing::DeliveryStopView {
    serde_json::from_value(json!({
        "shipment_id": "s", "order_id": "o", "depot": "d", "delivery_date": "2030-01-01",
        "lat": 0.0, "lon": 0.0, "window_start": null, "window_end": null, "weight_grams": 1,
        "parcels": 1, "priority": 1, "status": "pending", "route_id": null,
        "updated_at": "2030-01-01T00:00:00Z", "version": 1
    }))
    .expect("a delivery stop")
}

#[test]
fn tagged_data_without_a_tag_is_free_text() {
    let mut v = json!({"value": "Li Lei"});
    mask_datum(
        Audience::Masked,
        Realm::Crm,
        catalogue::PROFILE_CHANGE,
        &mut v,
    );
    assert_eq!(v, json!({"value": "***"}));
    let Datum::Tagged { kinds, .. } = catalogue::PROFILE_CHANGE else {
        panic!("profile changes are tagged");
    };
    assert_eq!(kinds.len(), 6, "one entry per ProfileChange variant");
}
