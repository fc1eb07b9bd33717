//! Hostile requests over real HTTP: each must be answered with a coded error, and the server
//! must still answer a normal query afterwards (issue 9, point 4).

use serde_json::{json, Value};
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::{on_both_backends, TestApp};

/// The server is up and answers an ordinary read.
async fn still_answers(app: &TestApp) {
    let data = app
        .gql("{ orders(first: 1) { edges { cursor } } }", json!({}))
        .await;
    assert!(data["orders"]["edges"].is_array(), "{data}");
}

async fn first_error(app: &TestApp, query: &str, variables: Value) -> (u16, Value) {
    let (status, body) = app.gql_raw(Some(&app.admin), query, variables).await;
    (status, body["errors"][0].clone())
}

/// Years outside 1970–2200 are INVALID_INPUT on input; what is accepted comes back as RFC 3339.
async fn dates_in_a_sane_range(app: &TestApp) {
    for at in [
        "9999-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "2201-01-01T00:00:00Z",
    ] {
        let mut input = order_input("JD", &format!("RANGE-{}", &at[..4]), "C-1");
        input["placedAt"] = json!(at);
        let (_, error) = first_error(app, PLACE, json!({"i": input})).await;
        assert_eq!(
            error["extensions"]["code"], "INVALID_INPUT",
            "{at}: {error}"
        );
        let query = "query($f: OrderFilterInput) { orders(filter: $f) { edges { cursor } } }";
        let (_, error) = first_error(app, query, json!({"f": {"placedFrom": at}})).await;
        assert_eq!(
            error["extensions"]["code"], "INVALID_INPUT",
            "{at}: {error}"
        );
    }
    assert_eq!(app.event_count().await, 0);

    let mut input = order_input("JD", "RANGE-OK", "C-1");
    input["placedAt"] = json!("2200-12-31T23:00:00+08:00");
    let placed = app.gql(PLACE, json!({"i": input})).await;
    let id = placed["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    let position = placed["placeOrder"]["position"].clone();
    let order = app
        .gql(
            "query($id: String!, $p: Int) { order(id: $id, consistentWith: $p) { placedAt } }",
            json!({"id": id, "p": position}),
        )
        .await;
    let placed_at = order["order"]["placedAt"].as_str().unwrap();
    assert_eq!(placed_at, "2200-12-31T15:00:00+00:00");
    assert!(chrono::DateTime::parse_from_rfc3339(placed_at).is_ok());
    still_answers(app).await;
}
on_both_backends!(dates_in_a_sane_range);
