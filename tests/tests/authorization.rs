//! Every denial: no key, a bad key, a revoked key, and each role outside its lane.

use serde_json::json;
use waybill_api::auth::Role;
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::{on_both_backends, TestApp};

const ORDERS: &str = "{ orders { edges { node { id } } } }";

async fn requests_without_a_valid_key_are_rejected(app: &TestApp) {
    let (status, body) = app.gql_raw(None, ORDERS, json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    let forged = format!("wbk_{}_{}", "0".repeat(16), "0".repeat(64));
    for token in ["garbage", "wbk_", forged.as_str()] {
        let (status, body) = app.gql_raw(Some(token), ORDERS, json!({})).await;
        assert_eq!(status, 401, "{token}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }

    // A real key id with a wrong secret.
    let real = app.key(Role::Integrator).await;
    let wrong_secret = format!("{}{}", &real[..real.len() - 4], "0000");
    let (status, _) = app.gql_raw(Some(&wrong_secret), ORDERS, json!({})).await;
    assert_eq!(status, 401);

    // Unauthenticated writes change nothing.
    let count = app.event_count().await;
    let (status, _) = app
        .gql_raw(None, PLACE, json!({"i": order_input("JD", "AUTH-1", "c")}))
        .await;
    assert_eq!(status, 401);
    assert_eq!(app.event_count().await, count);
}
on_both_backends!(requests_without_a_valid_key_are_rejected);

async fn revoked_keys_stop_working(app: &TestApp) {
    let key = app.key(Role::Integrator).await;
    app.gql_as(&key, ORDERS, json!({})).await;
    let key_id = key.split('_').nth(1).unwrap().to_string();
    let data = app
        .gql(
            "mutation($k: String!) { revokeApiKey(keyId: $k) }",
            json!({"k": key_id}),
        )
        .await;
    assert_eq!(data["revokeApiKey"], true);
    let (status, body) = app.gql_raw(Some(&key), ORDERS, json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let code = app
        .gql_error(
            &app.admin,
            "mutation { revokeApiKey(keyId: \"nope\") }",
            json!({}),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");
}
on_both_backends!(revoked_keys_stop_working);

async fn auditors_read_everything_and_write_nothing(app: &TestApp) {
    let auditor = app.key(Role::Auditor).await;
    let placed = app
        .gql(PLACE, json!({"i": order_input("JD", "AUD-1", "c")}))
        .await;
    let id = placed["placeOrder"]["orderId"].as_str().unwrap();
    app.gql_as(&auditor, ORDERS, json!({})).await;
    app.gql_as(
        &auditor,
        "{ events { edges { node { position eventType } } } }",
        json!({}),
    )
    .await;
    app.gql_as(
        &auditor,
        "query($id: String!) { order(id: $id) { id } }",
        json!({"id": id}),
    )
    .await;

    let count = app.event_count().await;
    let writes = [
        (PLACE, json!({"i": order_input("JD", "AUD-2", "c")})),
        ("mutation($id: String!) { capturePayment(orderId: $id, method: \"m\", reference: \"r\", amount: 1) { position } }", json!({"id": id})),
        ("mutation($id: String!) { cancelOrder(orderId: $id, reason: \"r\") { position } }", json!({"id": id})),
        ("mutation($id: String!) { allocateOrder(orderId: $id, warehouseId: \"W\") { position } }", json!({"id": id})),
        ("mutation($id: String!) { flagOrderAnomaly(orderId: $id, kind: STOCK_SHORTAGE, note: \"n\") { position } }", json!({"id": id})),
        ("mutation { createApiKey(role: ADMIN) { token } }", json!({})),
    ];
    for (q, vars) in writes {
        assert_eq!(app.gql_error(&auditor, q, vars).await, "FORBIDDEN", "{q}");
    }
    assert_eq!(app.event_count().await, count);
}
on_both_backends!(auditors_read_everything_and_write_nothing);

async fn integrators_cannot_manage_keys(app: &TestApp) {
    let integrator = app.key(Role::Integrator).await;
    for q in [
        "mutation { createApiKey(role: ADMIN) { token } }",
        "mutation { revokeApiKey(keyId: \"x\") }",
        "{ apiKeys { keyId } }",
    ] {
        assert_eq!(
            app.gql_error(&integrator, q, json!({})).await,
            "FORBIDDEN",
            "{q}"
        );
    }
    // …but place orders.
    app.gql_as(
        &integrator,
        PLACE,
        json!({"i": order_input("DOUYIN", "INT-1", "c")}),
    )
    .await;
}
on_both_backends!(integrators_cannot_manage_keys);

async fn roles_stay_in_their_lanes(app: &TestApp) {
    let warehouse = app.key(Role::Warehouse).await;
    let agent = app.key(Role::Agent).await;
    let placed = app
        .gql(PLACE, json!({"i": order_input("JD", "LANE-1", "c")}))
        .await;
    let id = placed["placeOrder"]["orderId"].as_str().unwrap();
    let denied = [
        (&warehouse, PLACE, json!({"i": order_input("JD", "LANE-2", "c")})),
        (&warehouse, "mutation($id: String!) { capturePayment(orderId: $id, method: \"m\", reference: \"r\", amount: 1) { position } }", json!({"id": id})),
        (&warehouse, "mutation($id: String!) { cancelOrder(orderId: $id, reason: \"r\") { position } }", json!({"id": id})),
        (&warehouse, "mutation($id: String!) { clearOrderAnomaly(orderId: $id, kind: STOCK_SHORTAGE, resolution: \"r\") { position } }", json!({"id": id})),
        (&agent, PLACE, json!({"i": order_input("JD", "LANE-3", "c")})),
        (&agent, "mutation($id: String!) { allocateOrder(orderId: $id, warehouseId: \"W\") { position } }", json!({"id": id})),
        (&agent, "mutation($id: String!) { fulfilOrder(orderId: $id, shipmentReference: \"S\", lines: [{sku: \"TEA-1\", quantity: 1}]) { position } }", json!({"id": id})),
        (&agent, "mutation { createApiKey(role: AGENT) { token } }", json!({})),
    ];
    for (key, q, vars) in denied {
        assert_eq!(app.gql_error(key, q, vars).await, "FORBIDDEN", "{q}");
    }
    // Allowed: warehouse allocates, agent flags and clears.
    app.gql_as(&warehouse, "mutation($id: String!) { allocateOrder(orderId: $id, warehouseId: \"WH-1\") { position } }", json!({"id": id})).await;
    app.gql_as(&agent, "mutation($id: String!) { flagOrderAnomaly(orderId: $id, kind: ADDRESS_PROBLEM, note: \"no door number\") { position } }", json!({"id": id})).await;
    app.gql_as(&agent, "mutation($id: String!) { clearOrderAnomaly(orderId: $id, kind: ADDRESS_PROBLEM, resolution: \"called customer\") { position } }", json!({"id": id})).await;
}
on_both_backends!(roles_stay_in_their_lanes);

async fn admins_create_keys_shown_once(app: &TestApp) {
    let data = app
        .gql(
            "mutation { createApiKey(role: AGENT, label: \"desk 4\") { keyId role token } }",
            json!({}),
        )
        .await;
    let token = data["createApiKey"]["token"].as_str().unwrap().to_string();
    app.gql_as(&token, ORDERS, json!({})).await;
    let keys = app
        .gql("{ apiKeys { keyId role label revoked } }", json!({}))
        .await;
    let listed = keys["apiKeys"].as_array().unwrap();
    assert!(listed
        .iter()
        .any(|k| k["keyId"] == data["createApiKey"]["keyId"] && k["label"] == "desk 4"));
    assert!(
        !keys.to_string().contains(&token),
        "listing never shows secrets"
    );
}
on_both_backends!(admins_create_keys_shown_once);
