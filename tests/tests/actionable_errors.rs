//! Errors a person can act on (issue 10, point 8): each names the caller's field, the limit
//! that was broken, or the valid choices; none answers a mistake with silence or "altered".

use serde_json::{json, Value};
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::{on_both_backends, TestApp};

async fn first_error(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let (_, body) = app.gql_raw(Some(token), query, variables).await;
    assert!(body["errors"].is_array(), "expected an error: {body}");
    body["errors"][0].clone()
}

async fn placed_order(app: &TestApp) -> (String, Value) {
    let placed = app
        .gql(PLACE, json!({"i": order_input("JD", "ERR-1", "C-1")}))
        .await;
    (
        placed["placeOrder"]["orderId"]
            .as_str()
            .unwrap()
            .to_string(),
        placed["placeOrder"]["position"].clone(),
    )
}

/// Time travel past the head is refused with the head's version; the state is the order
/// itself, not wrapped in another `state`.
async fn state_as_of_knows_the_head(app: &TestApp) {
    let (id, _) = placed_order(app).await;
    let auditor = app.key(waybill_api::auth::Role::Auditor).await;
    let q = "query($t: String!, $id: String!, $v: Int64) { stateAsOf(streamType: $t, streamId: $id, version: $v) { version state } }";
    let error = first_error(app, &auditor, q, json!({"t": "Order", "id": id, "v": 5})).await;
    assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
    assert_eq!(error["extensions"]["reason"], "past_head", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("at version 1"),
        "{error}"
    );
    let at_head = app
        .gql_as(&auditor, q, json!({"t": "Order", "id": id, "v": 1}))
        .await;
    let state = &at_head["stateAsOf"]["state"];
    assert_eq!(state["status"], "placed", "{state}");
    assert!(state.get("state").is_none(), "{state}");
}

/// Stream type names are matched without regard to case; an unknown one is refused with the
/// list instead of answering an empty history.
async fn stream_types_are_case_insensitive_or_refused_with_the_list(app: &TestApp) {
    let (id, position) = placed_order(app).await;
    let auditor = app.key(waybill_api::auth::Role::Auditor).await;
    let history = "query($t: String!, $id: String!) { streamHistory(streamType: $t, streamId: $id) { events { eventType } } }";
    for spelling in ["Order", "order", "ORDER"] {
        let page = app
            .gql_as(&auditor, history, json!({"t": spelling, "id": id}))
            .await;
        assert_eq!(
            page["streamHistory"]["events"][0]["eventType"], "OrderPlaced",
            "{spelling}: {page}"
        );
    }
    let feed = "query($t: String, $p: Int64) { events(first: 10, streamType: $t, consistentWith: $p) { edges { node { streamType } } } }";
    let orders = app
        .gql_as(&auditor, feed, json!({"t": "order", "p": position}))
        .await;
    assert_eq!(
        orders["events"]["edges"][0]["node"]["streamType"], "Order",
        "{orders}"
    );
    for query in [history, feed] {
        let error = first_error(app, &auditor, query, json!({"t": "Orders", "id": id})).await;
        assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("Orders")
                && message.contains("Customer")
                && message.contains("Order,"),
            "{message}"
        );
    }
}

/// A checkpoint the seal could never have written is bad input, not tampering.
async fn audit_prove_refuses_impossible_checkpoints(app: &TestApp) {
    placed_order(app).await;
    let auditor = app.key(waybill_api::auth::Role::Auditor).await;
    let q = "query($o: Int64!, $p: Int64!) { auditProve(ordinal: $o, position: $p, chainHash: \"00\") { kind } }";
    for (ordinal, position, field) in [(-1, 1, "ordinal"), (0, 1, "ordinal"), (1, -5, "position")] {
        let error = first_error(app, &auditor, q, json!({"o": ordinal, "p": position})).await;
        assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
        assert!(
            error["message"].as_str().unwrap().starts_with(field),
            "{error}"
        );
    }
}

/// A query over the cost limit is told its cost and the limit.
async fn too_complex_states_cost_and_limit(app: &TestApp) {
    let q = "{ orders(first: 100) { edges { node { id status externalNumber customerId channel currency version refundOwed placedAt warehouseId lines { sku quantity unitPrice lineTotal fulfilledQuantity } totals { subtotal discount shippingFee grandTotal } payment { state captured } } } } }";
    let error = first_error(app, &app.admin, q, json!({})).await;
    assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
    assert_eq!(error["extensions"]["reason"], "too_complex", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("over the limit of 2000"), "{message}");
    let cost: usize = message
        .split_whitespace()
        .nth(3)
        .and_then(|n| n.trim_end_matches(',').parse().ok())
        .unwrap_or_else(|| panic!("no cost in {message:?}"));
    assert!(cost > 2000, "{message}");
}

/// Fields are named as the caller sent them, not as the domain calls them.
async fn errors_name_the_callers_field(app: &TestApp) {
    let dispatch = "mutation { dispatchRoute(routeId: \"r-1\", driver: \"\") { position } }";
    let error = first_error(app, &app.admin, dispatch, json!({})).await;
    assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
    assert_eq!(error["extensions"]["field"], "driver", "{error}");
    assert_eq!(error["message"], "driver must not be empty", "{error}");

    let mut input = order_input("JD", "ERR-FIELD", "C-1");
    input["lines"][0]["sku"] = json!("");
    let error = first_error(app, &app.admin, PLACE, json!({"i": input})).await;
    assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
    assert_eq!(error["extensions"]["field"], "sku", "{error}");
    assert_eq!(app.event_count().await, 0);
}

on_both_backends!(state_as_of_knows_the_head);
on_both_backends!(stream_types_are_case_insensitive_or_refused_with_the_list);
on_both_backends!(audit_prove_refuses_impossible_checkpoints);
on_both_backends!(too_complex_states_cost_and_limit);
on_both_backends!(errors_name_the_callers_field);
