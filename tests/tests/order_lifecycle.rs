//! The order stream end to end over HTTP, on both backends.

use serde_json::{json, Value};
use waybill_tests::fixtures::{order_input, ORDER, PLACE};
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

async fn place(app: &TestApp, external: &str) -> Value {
    let data = app
        .gql(
            PLACE,
            json!({"i": order_input("TAOBAO", external, "cust-1")}),
        )
        .await;
    data["placeOrder"].clone()
}

async fn order_at(app: &TestApp, id: &str, position: i64) -> Value {
    app.gql(ORDER, json!({"id": id, "p": position})).await["order"].clone()
}

const CAPTURE: &str = "mutation($id: String!, $amt: MinorUnits!, $ref: String!, $k: String, $v: Int64) { capturePayment(orderId: $id, method: \"alipay\", reference: $ref, amount: $amt, idempotencyKey: $k, expectedVersion: $v) { streamVersion position replayed } }";

async fn full_lifecycle(app: &TestApp) {
    let placed = place(app, "TB-LIFE-1").await;
    let id = placed["orderId"].as_str().unwrap().to_string();
    assert_eq!(placed["streamVersion"], "1");
    let order = order_at(app, &id, wide(&placed["position"])).await;
    assert_eq!(order["status"], "PLACED");
    assert_eq!(order["totals"]["grandTotal"], "13800");
    assert_eq!(order["payment"]["state"], "UNPAID");

    let steps: Vec<(&str, Value)> = vec![
        ("mutation($id: String!) { authorisePayment(orderId: $id, method: \"alipay\", reference: \"A1\", amount: 13800) { position } }", json!({})),
        ("mutation($id: String!) { capturePayment(orderId: $id, method: \"alipay\", reference: \"C1\", amount: 13800) { position } }", json!({})),
        ("mutation($id: String!) { allocateOrder(orderId: $id, warehouseId: \"WH-HZ\") { position } }", json!({})),
        ("mutation($id: String!) { fulfilOrder(orderId: $id, shipmentReference: \"SHP-1\", lines: [{sku: \"TEA-1\", quantity: 1}]) { position } }", json!({})),
    ];
    let mut last = 0;
    for (q, _) in &steps {
        let data = app.gql(q, json!({"id": id})).await;
        last = data.as_object().unwrap().values().next().unwrap()["position"]
            .as_str()
            .and_then(|p| p.parse::<i64>().ok())
            .expect("position");
    }
    let order = order_at(app, &id, last).await;
    assert_eq!(order["status"], "PARTIALLY_FULFILLED");
    assert_eq!(order["payment"]["state"], "PAID");
    assert_eq!(order["payment"]["outstanding"], "0");
    assert_eq!(order["warehouseId"], "WH-HZ");
    assert_eq!(order["lines"][0]["fulfilledQuantity"], 1);

    for q in [
        "mutation($id: String!) { fulfilOrder(orderId: $id, shipmentReference: \"SHP-2\", lines: [{sku: \"TEA-1\", quantity: 1}, {sku: \"CUP-1\", quantity: 1}]) { position } }",
        "mutation($id: String!) { markOrderDelivered(orderId: $id) { position } }",
        "mutation($id: String!) { completeOrder(orderId: $id) { position } }",
    ] {
        let data = app.gql(q, json!({"id": id})).await;
        last = wide(&data.as_object().unwrap().values().next().unwrap()["position"]);
    }
    let order = order_at(app, &id, last).await;
    assert_eq!(order["status"], "COMPLETED");
    assert_eq!(order["version"], "8");
    assert_eq!(order["shipmentReferences"], json!(["SHP-1", "SHP-2"]));

    // A terminal order accepts nothing more, and the refusal writes nothing.
    let before = app.event_count().await;
    let code = app
        .gql_error(
            &app.admin,
            "mutation($id: String!) { cancelOrder(orderId: $id, reason: \"late\") { position } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code, "INVALID_STATE");
    assert_eq!(app.event_count().await, before);
}
on_both_backends!(full_lifecycle);

async fn cancel_paid_order_records_refund_owed(app: &TestApp) {
    let id = place(app, "TB-CANCEL-1").await["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    app.gql(CAPTURE, json!({"id": id, "amt": 5000, "ref": "C1"}))
        .await;
    let data = app.gql("mutation($id: String!) { cancelOrder(orderId: $id, reason: \"customer asked\") { position } }", json!({"id": id})).await;
    let order = order_at(app, &id, wide(&data["cancelOrder"]["position"])).await;
    assert_eq!(order["status"], "CANCELLED");
    assert_eq!(order["refundOwed"], "5000");
    assert_eq!(order["cancelReason"], "customer asked");
}
on_both_backends!(cancel_paid_order_records_refund_owed);

async fn same_channel_order_twice_is_one_order(app: &TestApp) {
    let first = place(app, "JD-DUP-1").await;
    let count = app.event_count().await;
    let second = place(app, "JD-DUP-1").await;
    assert_eq!(first["orderId"], second["orderId"]);
    assert_eq!(second["replayed"], true);
    assert_eq!(second["position"], first["position"]);
    assert_eq!(
        app.event_count().await,
        count,
        "a repeated channel order appends nothing"
    );
    // The same external number on another channel is another order.
    let other = app
        .gql(PLACE, json!({"i": order_input("JD", "JD-DUP-1", "cust-1")}))
        .await;
    assert_ne!(other["placeOrder"]["orderId"], first["orderId"]);
}
on_both_backends!(same_channel_order_twice_is_one_order);

async fn idempotency_key_returns_first_result(app: &TestApp) {
    let id = place(app, "PDD-IDEM-1").await["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    let first = app
        .gql(
            CAPTURE,
            json!({"id": id, "amt": 1000, "ref": "C1", "k": "cap-1"}),
        )
        .await["capturePayment"]
        .clone();
    let count = app.event_count().await;
    let again = app
        .gql(
            CAPTURE,
            json!({"id": id, "amt": 1000, "ref": "C1", "k": "cap-1"}),
        )
        .await["capturePayment"]
        .clone();
    assert_eq!(again["replayed"], true);
    assert_eq!(again["position"], first["position"]);
    assert_eq!(again["streamVersion"], first["streamVersion"]);
    assert_eq!(app.event_count().await, count);
    // The same key for a different request is refused, not silently answered.
    let code = app
        .gql_error(
            &app.admin,
            CAPTURE,
            json!({"id": id, "amt": 2000, "ref": "C2", "k": "cap-1"}),
        )
        .await;
    assert_eq!(code, "INVALID_INPUT");
    assert_eq!(app.event_count().await, count);
}
on_both_backends!(idempotency_key_returns_first_result);

async fn expected_version_guards_concurrent_edits(app: &TestApp) {
    let id = place(app, "DY-VER-1").await["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    let ok = app
        .gql(CAPTURE, json!({"id": id, "amt": 100, "ref": "C1", "v": 1}))
        .await;
    assert_eq!(ok["capturePayment"]["streamVersion"], "2");
    let count = app.event_count().await;
    let (_, body) = app
        .gql_raw(
            Some(&app.admin),
            CAPTURE,
            json!({"id": id, "amt": 100, "ref": "C2", "v": 1}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
    assert_eq!(body["errors"][0]["extensions"]["retryable"], true);
    assert_eq!(app.event_count().await, count);
}
on_both_backends!(expected_version_guards_concurrent_edits);

async fn rejections_have_codes_and_change_nothing(app: &TestApp) {
    let id = place(app, "TM-REJ-1").await["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    let count = app.event_count().await;
    let admin = app.admin.clone();

    let mut bad_qty = order_input("TMALL", "TM-REJ-2", "c");
    bad_qty["lines"][0]["quantity"] = json!(0);
    let mut bad_price = order_input("TMALL", "TM-REJ-3", "c");
    bad_price["lines"][0]["unitPrice"] = json!(-5);
    let mut no_lines = order_input("TMALL", "TM-REJ-4", "c");
    no_lines["lines"] = json!([]);
    let mut bad_currency = order_input("TMALL", "TM-REJ-5", "c");
    bad_currency["currency"] = json!("yuan");
    let mut bad_coords = order_input("TMALL", "TM-REJ-6", "c");
    bad_coords["shippingAddress"]["coordinates"] = json!({"lat": 123.0, "lon": 0.0});
    let mut bad_window = order_input("TMALL", "TM-REJ-7", "c");
    bad_window["delivery"] = json!({"mode": "SCHEDULED", "windowStart": "2026-01-02T10:00:00Z", "windowEnd": "2026-01-02T09:00:00Z"});
    let mut threshold_not_met = order_input("TMALL", "TM-REJ-8", "c");
    threshold_not_met["promotions"] = json!([{"thresholdReduction": {"name": "满300减30", "threshold": "30000", "reduction": "3000"}}]);
    for input in [
        bad_qty,
        bad_price,
        no_lines,
        bad_currency,
        bad_coords,
        bad_window,
        threshold_not_met,
    ] {
        assert_eq!(
            app.gql_error(&admin, PLACE, json!({"i": input})).await,
            "INVALID_INPUT",
            "{input}"
        );
    }

    let cases = [
        ("mutation($id: String!) { capturePayment(orderId: $id, method: \"m\", reference: \"r\", amount: 999999) { position } }", "INVALID_STATE"),
        ("mutation($id: String!) { capturePayment(orderId: $id, method: \"m\", reference: \"r\", amount: 0) { position } }", "INVALID_INPUT"),
        ("mutation($id: String!) { fulfilOrder(orderId: $id, shipmentReference: \"S\", lines: [{sku: \"TEA-1\", quantity: 1}]) { position } }", "INVALID_STATE"),
        ("mutation($id: String!) { markOrderDelivered(orderId: $id) { position } }", "INVALID_STATE"),
        ("mutation($id: String!) { clearOrderAnomaly(orderId: $id, kind: STOCK_SHORTAGE, resolution: \"ok\") { position } }", "INVALID_STATE"),
        ("mutation($id: String!) { cancelOrder(orderId: $id, reason: \"   \") { position } }", "INVALID_INPUT"),
        ("mutation($id: String!) { allocateOrder(orderId: $id, warehouseId: \"bad id!\") { position } }", "INVALID_INPUT"),
        ("mutation { completeOrder(orderId: \"not-a-uuid\") { position } }", "INVALID_INPUT"),
        ("mutation { completeOrder(orderId: \"0190f5c2-0000-7000-8000-000000000000\") { position } }", "NOT_FOUND"),
    ];
    for (q, code) in cases {
        assert_eq!(
            app.gql_error(&admin, q, json!({"id": id})).await,
            code,
            "{q}"
        );
    }
    assert_eq!(
        app.event_count().await,
        count,
        "no rejected request may write"
    );

    // The domain's finer reason travels along.
    let (_, body) = app
        .gql_raw(Some(&admin), "mutation($id: String!) { capturePayment(orderId: $id, method: \"m\", reference: \"r\", amount: 999999) { position } }", json!({"id": id}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["reason"], "overcapture");
}
on_both_backends!(rejections_have_codes_and_change_nothing);

async fn anomalies_put_orders_on_hold(app: &TestApp) {
    let id = place(app, "KS-ANOM-1").await["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    app.gql("mutation($id: String!) { flagOrderAnomaly(orderId: $id, kind: SUSPECTED_FAKE_ORDER, note: \"10 orders from one phone\") { position } }", json!({"id": id})).await;
    let code = app.gql_error(&app.admin, "mutation($id: String!) { allocateOrder(orderId: $id, warehouseId: \"WH-1\") { position } }", json!({"id": id})).await;
    assert_eq!(code, "INVALID_STATE");
    let data = app.gql("mutation($id: String!) { clearOrderAnomaly(orderId: $id, kind: SUSPECTED_FAKE_ORDER, resolution: \"verified by phone\") { position } }", json!({"id": id})).await;
    let order = order_at(app, &id, wide(&data["clearOrderAnomaly"]["position"])).await;
    assert_eq!(order["openAnomalies"], json!([]));
    app.gql("mutation($id: String!) { allocateOrder(orderId: $id, warehouseId: \"WH-1\") { position } }", json!({"id": id})).await;
}
on_both_backends!(anomalies_put_orders_on_hold);

async fn promotions_are_priced_and_broken_down(app: &TestApp) {
    let mut input = order_input("OWN_WEB_SHOP", "WEB-PROMO-1", "cust-9");
    input["promotions"] = json!([
        {"fixedCoupon": {"code": "WELCOME5", "amount": "500"}},
        {"memberPrice": {"sku": "TEA-1", "memberUnitPrice": "4500"}},
        {"percentageDiscount": {"name": "Double 11", "percent": 10}},
        {"thresholdReduction": {"name": "满100减10", "threshold": "10000", "reduction": "1000"}},
        {"pointsRedemption": {"points": "200", "minorPerPoint": "1"}}
    ]);
    let placed = app.gql(PLACE, json!({"i": input})).await["placeOrder"].clone();
    let order = order_at(
        app,
        placed["orderId"].as_str().unwrap(),
        wide(&placed["position"]),
    )
    .await;
    // 13000 subtotal; member price −1000 → 12000; 10 % −1200 → 10800; 满减 −1000 → 9800;
    // coupon −500 → 9300; 200 points × 1 −200 → 9100; + 800 shipping.
    let kinds: Vec<(String, i64)> = order["totals"]["byPromotion"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                wide(&p["amountOff"]),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("member_price".to_string(), 1000),
            ("percentage_discount".to_string(), 1200),
            ("threshold_reduction".to_string(), 1000),
            ("fixed_coupon".to_string(), 500),
            ("points_redemption".to_string(), 200),
        ]
    );
    assert_eq!(order["totals"]["subtotal"], "13000");
    assert_eq!(order["totals"]["discount"], "3900");
    assert_eq!(order["totals"]["grandTotal"], "9900");
}
on_both_backends!(promotions_are_priced_and_broken_down);
