//! Amounts and counters past GraphQL's 32-bit `Int` (issue 9, point 5): money is `MinorUnits`
//! and positions, versions and points are `Int64`, both decimal strings on the wire.

use serde_json::{json, Value};
use waybill_tests::fixtures::{order_input, ORDER, PLACE};
use waybill_tests::{on_both_backends, wide, TestApp};

/// 3,000,000,000 分 (¥30,000,000.00): past 2³¹ − 1 = 2,147,483,647.
const THREE_BILLION: i64 = 3_000_000_000;

const CAPTURE: &str = "mutation($id: String!, $a: MinorUnits!, $v: Int64) { capturePayment(orderId: $id, method: \"bank\", reference: \"CAP-BIG\", amount: $a, expectedVersion: $v) { streamVersion position } }";
const AUTHORISE: &str = "mutation($id: String!, $a: MinorUnits!) { authorisePayment(orderId: $id, method: \"bank\", reference: \"AUTH-BIG\", amount: $a) { streamVersion position } }";

fn big_order(external: &str, unit_price: Value, quantity: u32) -> Value {
    let mut input = order_input("OWN_WEB_SHOP", external, "C-BIG");
    input["lines"] = json!([{"sku": "GOLD-1", "name": "Gold bar", "quantity": quantity, "unitPrice": unit_price}]);
    input["shippingFee"] = json!("0");
    input
}

async fn place(app: &TestApp, input: Value) -> (String, Value) {
    let placed = app.gql(PLACE, json!({"i": input})).await;
    let id = placed["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    (id, placed["placeOrder"].clone())
}

/// An order of 3,000,000,000 分 keeps every digit through placement, payment and reads, in
/// either input spelling, and every amount and counter comes back as a string.
async fn three_billion_fen_round_trip(app: &TestApp) {
    let (id, placed) = place(app, big_order("BIG-1", json!("3000000000"), 1)).await;
    assert!(placed["position"].is_string(), "{placed}");
    assert_eq!(wide(&placed["streamVersion"]), 1);

    let authorised = app
        .gql(AUTHORISE, json!({"id": id, "a": "3000000000"}))
        .await;
    // The old integer spelling is still accepted on input.
    let captured = app
        .gql(
            CAPTURE,
            json!({"id": id, "a": THREE_BILLION, "v": authorised["authorisePayment"]["streamVersion"]}),
        )
        .await;
    let order = app
        .gql(
            ORDER,
            json!({"id": id, "p": captured["capturePayment"]["position"]}),
        )
        .await["order"]
        .clone();
    assert_eq!(order["totals"]["subtotal"], "3000000000", "{order}");
    assert_eq!(order["totals"]["grandTotal"], "3000000000");
    assert_eq!(order["lines"][0]["unitPrice"], "3000000000");
    assert_eq!(order["lines"][0]["lineTotal"], "3000000000");
    assert_eq!(order["payment"]["authorised"], "3000000000");
    assert_eq!(order["payment"]["captured"], "3000000000");
    assert_eq!(order["payment"]["outstanding"], "0");
    assert_eq!(wide(&order["version"]), 3);

    // Two units of 1,500,000,000 add up past 2³¹ in the domain as well.
    let (id, placed) = place(app, big_order("BIG-2", json!(1_500_000_000), 2)).await;
    let order = app
        .gql(ORDER, json!({"id": id, "p": placed["position"]}))
        .await["order"]
        .clone();
    assert_eq!(order["totals"]["grandTotal"], "3000000000", "{order}");

    // The raw event keeps the amount as a JSON number: payloads are stored JSON, not GraphQL.
    let events = app
        .gql(
            "query($p: Int64) { events(first: 10, consistentWith: $p) { edges { node { position sequence eventType payload } } } }",
            json!({"p": placed["position"]}),
        )
        .await;
    let first = &events["events"]["edges"][0]["node"];
    assert!(
        first["position"].is_string() && first["sequence"].is_string(),
        "{first}"
    );
    assert_eq!(
        first["payload"]["OrderPlaced"]["lines"][0]["unit_price_minor"],
        THREE_BILLION
    );
}

/// Anything but a canonical 64-bit decimal is INVALID_INPUT and writes nothing.
async fn malformed_wide_integers_are_refused_and_write_nothing(app: &TestApp) {
    let (id, _) = place(app, big_order("BIG-BAD", json!("100"), 1)).await;
    let before = app.event_count().await;
    for amount in [
        json!("3e9"),
        json!("03000"),
        json!("-0"),
        json!(""),
        json!(" 100"),
        json!("+100"),
        json!("9223372036854775808"),
        json!(1.5),
        json!(true),
        json!(18_446_744_073_709_551_615u64),
    ] {
        let code = app
            .gql_error(&app.admin, AUTHORISE, json!({"id": id, "a": amount}))
            .await;
        assert_eq!(code, "INVALID_INPUT", "amount {amount}");
    }
    for version in [json!("1.0"), json!("x"), json!("")] {
        let code = app
            .gql_error(
                &app.admin,
                CAPTURE,
                json!({"id": id, "a": "100", "v": version}),
            )
            .await;
        assert_eq!(code, "INVALID_INPUT", "expectedVersion {version}");
    }
    // The same mistakes in a literal and in an input object.
    let literal = format!(
        "mutation {{ authorisePayment(orderId: \"{id}\", method: \"bank\", reference: \"L\", amount: \"12.50\") {{ position }} }}"
    );
    assert_eq!(
        app.gql_error(&app.admin, &literal, json!({})).await,
        "INVALID_INPUT"
    );
    let code = app
        .gql_error(
            &app.admin,
            PLACE,
            json!({"i": big_order("BIG-BAD-2", json!("1,000"), 1)}),
        )
        .await;
    assert_eq!(code, "INVALID_INPUT");
    assert_eq!(app.event_count().await, before);
}

/// `"100"` and `100` are one amount: a retry that changes only the spelling is a replay, not a
/// reuse of the key with other input.
async fn both_spellings_are_one_request(app: &TestApp) {
    let (id, _) = place(app, big_order("BIG-KEY", json!("500"), 1)).await;
    let keyed = "mutation($id: String!, $a: MinorUnits!, $k: String) { authorisePayment(orderId: $id, method: \"bank\", reference: \"K\", amount: $a, idempotencyKey: $k) { position replayed } }";
    let first = app
        .gql(keyed, json!({"id": id, "a": "500", "k": "auth-once"}))
        .await["authorisePayment"]
        .clone();
    let again = app
        .gql(keyed, json!({"id": id, "a": 500, "k": "auth-once"}))
        .await["authorisePayment"]
        .clone();
    assert_eq!(again["replayed"], true, "{again}");
    assert_eq!(again["position"], first["position"]);
    let code = app
        .gql_error(
            &app.admin,
            keyed,
            json!({"id": id, "a": "501", "k": "auth-once"}),
        )
        .await;
    assert_eq!(code, "INVALID_INPUT");
}

on_both_backends!(three_billion_fen_round_trip);
on_both_backends!(malformed_wide_integers_are_refused_and_write_nothing);
on_both_backends!(both_spellings_are_one_request);
