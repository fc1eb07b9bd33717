//! Commands that touch several streams: a refusal of any part writes nothing to any stream;
//! labels never carry more than the order has left to ship.

use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::routing::{own_fleet_stop, stream_version, Prepared};
use waybill_tests::{on_both_backends, wide, TestApp};

const DEPOT: &str = "depot-hz";
const DATE: &str = "2025-03-10";
const REGISTER_SITE: &str = "mutation { registerSite(id: \"depot-hz\", kind: DEPOT, details: {name: \"Xihu depot\", address: {recipient: \"Dock\", phone: \"+86 571 0000\", country: \"CN\", province: \"Zhejiang\", city: \"Hangzhou\", street: \"88 Wenyi West Road\", coordinates: {lat: 30.2741, lon: 120.1059}}, opens: \"07:00:00\", closes: \"20:00:00\"}) { position } }";
const REGISTER_VAN: &str = "mutation { registerVehicle(vehicleId: \"van-1\", spec: {depot: \"depot-hz\", capacityWeightGrams: 20000, capacityParcels: 5, shiftStart: \"08:00:00\", shiftEnd: \"18:00:00\", averageSpeedKmh: 30}) { position } }";
const PLAN: &str = "mutation($p: Int64) { planRoutes(depot: \"depot-hz\", date: \"2025-03-10\", vehicles: [\"van-1\"], settings: {maxGenerations: 50, maxTimeSecs: 5}, consistentWith: $p) { routes { routeId stops { shipmentId } } unassigned { shipmentId } position } }";
const DISPATCH: &str =
    "mutation($r: String!) { dispatchRoute(routeId: $r, driver: \"drv-7\") { position } }";
const CREATE: &str =
    "mutation($i: CreateShipmentInput!) { createShipment(input: $i) { shipmentId position } }";

/// The first error's code and reason.
async fn refusal(app: &TestApp, query: &str, variables: Value) -> (String, String) {
    let (_, body) = app.gql_raw(Some(&app.admin), query, variables).await;
    let ext = &body["errors"][0]["extensions"];
    let text = |v: &Value| {
        v.as_str()
            .unwrap_or_else(|| panic!("no error: {body}"))
            .to_string()
    };
    (text(&ext["code"]), text(&ext["reason"]))
}

/// A route of two stops, one packed and one only picked: dispatch is refused and neither the
/// route nor either shipment changes; once the second is packed, dispatch sends all three
/// streams on, and a retry writes nothing.
async fn a_refused_dispatch_leaves_every_stream_as_it_was(app: &TestApp) {
    app.gql(REGISTER_SITE, json!({})).await;
    app.gql(REGISTER_VAN, json!({})).await;
    let (packed, _) =
        own_fleet_stop(app, DEPOT, DATE, (30.26, 120.12), (9, 17), Prepared::Packed).await;
    let (picked, p) =
        own_fleet_stop(app, DEPOT, DATE, (30.28, 120.15), (9, 17), Prepared::Picked).await;
    let plan = app.gql(PLAN, json!({"p": p})).await["planRoutes"].clone();
    assert_eq!(plan["unassigned"], json!([]), "{plan}");
    assert_eq!(plan["routes"][0]["stops"].as_array().map(Vec::len), Some(2));
    let route = plan["routes"][0]["routeId"].as_str().unwrap().to_string();

    // Planned (1) and assigned (create, pick, [pack,] assign).
    let before = (
        stream_version(app, "Route", &route).await,
        stream_version(app, "Shipment", &packed).await,
        stream_version(app, "Shipment", &picked).await,
    );
    assert_eq!(before, (1, 4, 3));

    let (code, reason) = refusal(app, DISPATCH, json!({"r": route})).await;
    assert_eq!(
        (code.as_str(), reason.as_str()),
        ("INVALID_STATE", "not_packed")
    );
    let after = (
        stream_version(app, "Route", &route).await,
        stream_version(app, "Shipment", &packed).await,
        stream_version(app, "Shipment", &picked).await,
    );
    assert_eq!(after, before, "a refused dispatch wrote to a stream");

    let pack =
        "mutation($s: String!) { packShipment(shipmentId: $s, staff: \"wh-1\") { position } }";
    app.gql(pack, json!({"s": picked})).await;
    app.gql(DISPATCH, json!({"r": route})).await;
    let dispatched = (
        stream_version(app, "Route", &route).await,
        stream_version(app, "Shipment", &packed).await,
        stream_version(app, "Shipment", &picked).await,
    );
    assert_eq!(dispatched, (2, 5, 5));

    // A retry finds every part done: nothing more is written.
    let again = app.gql(DISPATCH, json!({"r": route})).await;
    assert_eq!(wide(&again["dispatchRoute"]["position"]), 0, "{again}");
    assert_eq!(
        (
            stream_version(app, "Route", &route).await,
            stream_version(app, "Shipment", &packed).await,
            stream_version(app, "Shipment", &picked).await,
        ),
        dispatched
    );
}
on_both_backends!(a_refused_dispatch_leaves_every_stream_as_it_was);

fn label(order_id: &str, lines: Value) -> Value {
    json!({"i": {
        "orderId": order_id,
        "warehouseId": "WH-HZ",
        "lines": lines,
        "parcels": [{"weightGrams": 1200, "lengthMm": 300, "widthMm": 200, "heightMm": 100}],
        "delivery": {"mode": "EXPRESS"},
        "carrier": "own_fleet",
        "destination": {"recipient": "Li Lei", "phone": "13800000000", "country": "CN", "province": "Zhejiang", "city": "Hangzhou", "street": "1 West Lake Rd"}
    }})
}

/// The order has TEA-1 × 2 and CUP-1 × 1. Hand-computed: a label for 5 cups is refused (1
/// left); TEA-1 × 1 + CUP-1 × 1 leaves TEA-1 × 1, so TEA-1 × 2 is refused and TEA-1 × 1
/// passes; then nothing is left until a label is cancelled, which gives its units back.
async fn labels_never_carry_more_than_the_order_has_left(app: &TestApp) {
    let warehouse = app.key(Role::Warehouse).await;
    let order = app
        .gql(PLACE, json!({"i": order_input("JD", "UNITS-1", "c-1")}))
        .await["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();

    let before = waybill_tests::event_count_of(&app.test_db.db, "Shipment").await;
    let (code, reason) = refusal(
        app,
        CREATE,
        label(&order, json!([{"sku": "CUP-1", "quantity": 5}])),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_str()),
        ("INVALID_STATE", "exceeds_unshipped")
    );
    let (code, reason) = refusal(
        app,
        CREATE,
        label(&order, json!([{"sku": "MUG-9", "quantity": 1}])),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_str()),
        ("INVALID_STATE", "sku_not_on_order")
    );
    assert_eq!(
        waybill_tests::event_count_of(&app.test_db.db, "Shipment").await,
        before,
        "a refused label wrote something"
    );

    let first = app
        .gql_as(
            &warehouse,
            CREATE,
            label(
                &order,
                json!([{"sku": "TEA-1", "quantity": 1}, {"sku": "CUP-1", "quantity": 1}]),
            ),
        )
        .await;
    let first_id = first["createShipment"]["shipmentId"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, reason) = refusal(
        app,
        CREATE,
        label(&order, json!([{"sku": "TEA-1", "quantity": 2}])),
    )
    .await;
    assert_eq!(reason, "exceeds_unshipped");
    app.gql_as(
        &warehouse,
        CREATE,
        label(&order, json!([{"sku": "TEA-1", "quantity": 1}])),
    )
    .await;
    let (_, reason) = refusal(
        app,
        CREATE,
        label(&order, json!([{"sku": "CUP-1", "quantity": 1}])),
    )
    .await;
    assert_eq!(reason, "exceeds_unshipped");

    let cancel = "mutation($s: String!) { cancelShipment(shipmentId: $s, reason: \"wrong box\") { position } }";
    app.gql(cancel, json!({"s": first_id})).await;
    app.gql_as(
        &warehouse,
        CREATE,
        label(&order, json!([{"sku": "CUP-1", "quantity": 1}])),
    )
    .await;
}
on_both_backends!(labels_never_carry_more_than_the_order_has_left);

/// Promises are kept or refused, never bent: a scheduled window of 14 minutes is refused at
/// the label (15 is accepted), and a plan's service time above 14,400 s (or below 0) is
/// refused rather than clamped; 14,400 s is accepted. Refusals write nothing.
async fn narrow_windows_and_long_service_are_refused(app: &TestApp) {
    let order = app
        .gql(PLACE, json!({"i": order_input("JD", "WINDOW-1", "c-1")}))
        .await["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    let scheduled = |minutes: i64| {
        let mut input = label(&order, json!([{"sku": "TEA-1", "quantity": 1}]));
        let end = chrono::DateTime::parse_from_rfc3339("2030-03-11T10:00:00Z").unwrap()
            + chrono::Duration::minutes(minutes);
        input["i"]["delivery"] = json!({"mode": "SCHEDULED", "windowStart": "2030-03-11T10:00:00Z", "windowEnd": end.to_rfc3339()});
        input
    };
    let shipments = || waybill_tests::event_count_of(&app.test_db.db, "Shipment");
    let before = shipments().await;
    let (code, reason) = refusal(app, CREATE, scheduled(14)).await;
    assert_eq!(
        (code.as_str(), reason.as_str()),
        ("INVALID_INPUT", "window_too_narrow")
    );
    assert_eq!(shipments().await, before);
    app.gql(CREATE, scheduled(15)).await;

    app.gql(REGISTER_SITE, json!({})).await;
    app.gql(REGISTER_VAN, json!({})).await;
    let plan = "mutation($s: Int) { planRoutes(depot: \"depot-hz\", date: \"2025-03-10\", vehicles: [\"van-1\"], settings: {serviceSeconds: $s}) { routes { routeId } } }";
    let routes = || waybill_tests::event_count_of(&app.test_db.db, "Route");
    let before = (routes().await, shipments().await);
    for seconds in [14_401, -1] {
        let (code, reason) = refusal(app, plan, json!({"s": seconds})).await;
        assert_eq!(
            (code.as_str(), reason.as_str()),
            ("INVALID_INPUT", "service_time_out_of_range"),
            "{seconds} s"
        );
    }
    assert_eq!((routes().await, shipments().await), before);
    app.gql(plan, json!({"s": 14_400})).await;
}
on_both_backends!(narrow_windows_and_long_service_are_refused);
