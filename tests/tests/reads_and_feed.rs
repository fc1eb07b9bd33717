//! Order lists (filters, newest first, Relay paging), the global event feed, and the HTTP
//! edges: malformed requests, limits, health and readiness.

use std::collections::HashSet;

use serde_json::{json, Value};
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

const LIST: &str = "query($f: OrderFilterInput, $first: Int, $after: String, $p: Int64) { orders(filter: $f, first: $first, after: $after, consistentWith: $p) { pageInfo { hasNextPage endCursor } edges { cursor node { id channel customerId status placedAt } } } }";

async fn seed(app: &TestApp) -> i64 {
    let channels = ["TAOBAO", "JD", "PINDUODUO"];
    let mut last = 0;
    let mut ids = Vec::new();
    for i in 0..25 {
        let mut input = order_input(
            channels[i % 3],
            &format!("SEED-{i}"),
            &format!("cust-{}", i % 4),
        );
        input["placedAt"] = json!(format!("2026-03-{:02}T08:00:00Z", i + 1));
        let placed = app.gql(PLACE, json!({"i": input})).await;
        last = wide(&placed["placeOrder"]["position"]);
        ids.push(placed["placeOrder"]["orderId"].clone());
    }
    // Cancel two so the status filter has something to find.
    for i in [3, 7] {
        let cancelled = app
            .gql(
                "mutation($id: String!) { cancelOrder(orderId: $id, reason: \"test\") { position } }",
                json!({"id": ids[i]}),
            )
            .await;
        last = wide(&cancelled["cancelOrder"]["position"]);
    }
    last
}

fn nodes(data: &Value) -> Vec<Value> {
    data["orders"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn lists_filter_sort_and_page(app: &TestApp) {
    let p = seed(app).await;
    // Paging through everything: newest first, no duplicates, nothing missing.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = app
            .gql(LIST, json!({"first": 7, "after": after, "p": p}))
            .await;
        seen.extend(nodes(&data));
        if data["orders"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = data["orders"]["pageInfo"]["endCursor"]
            .as_str()
            .map(String::from);
    }
    assert_eq!(seen.len(), 25);
    let ids: HashSet<_> = seen
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 25);
    let times: Vec<&str> = seen
        .iter()
        .map(|n| n["placedAt"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");

    let by_channel = nodes(
        &app.gql(LIST, json!({"f": {"channel": "JD"}, "first": 100}))
            .await,
    );
    assert_eq!(by_channel.len(), 8);
    assert!(by_channel.iter().all(|n| n["channel"] == "JD"));
    let by_customer = nodes(
        &app.gql(LIST, json!({"f": {"customerId": "cust-1"}, "first": 100}))
            .await,
    );
    assert!(by_customer.len() >= 6 && by_customer.iter().all(|n| n["customerId"] == "cust-1"));
    let cancelled = nodes(
        &app.gql(LIST, json!({"f": {"status": "CANCELLED"}, "first": 100}))
            .await,
    );
    assert_eq!(cancelled.len(), 2);
    let march_5_to_10 = nodes(
        &app.gql(LIST, json!({"f": {"placedFrom": "2026-03-05T00:00:00Z", "placedTo": "2026-03-10T00:00:00Z"}, "first": 100})).await,
    );
    assert_eq!(march_5_to_10.len(), 5);
    let combined = nodes(&app.gql(LIST, json!({"f": {"channel": "TAOBAO", "status": "PLACED", "placedFrom": "2026-03-10T00:00:00Z"}, "first": 100})).await);
    assert!(combined
        .iter()
        .all(|n| n["channel"] == "TAOBAO" && n["status"] == "PLACED"));
    assert_eq!(combined.len(), 6, "{combined:?}");

    for first in [0, 101, -1] {
        assert_eq!(
            app.gql_error(&app.admin, LIST, json!({"first": first}))
                .await,
            "INVALID_INPUT"
        );
    }
    assert_eq!(
        app.gql_error(&app.admin, LIST, json!({"after": "zzz"}))
            .await,
        "INVALID_INPUT"
    );
}
on_both_backends!(lists_filter_sort_and_page);

const FEED: &str = "query($after: String, $first: Int, $t: String, $p: Int64) { events(after: $after, first: $first, streamType: $t, consistentWith: $p) { pageInfo { hasNextPage endCursor } edges { cursor node { position eventId streamType streamId sequence eventType eventVersion payload metadata recordedAt } } } }";

async fn event_feed_carries_metadata_and_pages(app: &TestApp) {
    let resp = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin)
        .header("x-correlation-id", "corr-42")
        .json(&json!({"query": PLACE, "variables": {"i": order_input("JD", "FEED-1", "c"), "k": "idem-feed-1"}}))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    let id = body["data"]["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    let captured = app.gql("mutation($id: String!) { capturePayment(orderId: $id, method: \"wechat\", reference: \"W1\", amount: 100) { position } }", json!({"id": id})).await;
    let p = captured["capturePayment"]["position"].clone();

    let data = app
        .gql(FEED, json!({"first": 100, "t": "Order", "p": p}))
        .await;
    let events: Vec<Value> = data["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(events.len(), 2);
    let placed = &events[0];
    assert_eq!(placed["eventType"], "OrderPlaced");
    assert_eq!(placed["eventVersion"], "2.0");
    assert_eq!(placed["streamId"], id.as_str());
    assert_eq!(placed["sequence"], "1");
    let meta = &placed["metadata"];
    assert_eq!(meta["correlation_id"], "corr-42");
    assert_eq!(meta["idempotency_key"], "idem-feed-1");
    assert_eq!(meta["actor_role"], "admin");
    for key in ["actor_key_id", "causation_id", "request_id", "occurred_at"] {
        assert!(
            meta[key].as_str().is_some_and(|v| !v.is_empty()),
            "metadata {key}: {meta}"
        );
    }
    assert_eq!(
        placed["payload"]["OrderPlaced"]["external_number"],
        "FEED-1"
    );
    assert_eq!(events[1]["eventType"], "PaymentCaptured");
    assert!(wide(&events[1]["position"]) > wide(&placed["position"]));

    // Page one at a time with the cursor.
    let first = app.gql(FEED, json!({"first": 1})).await;
    assert_eq!(first["events"]["pageInfo"]["hasNextPage"], true);
    let cursor = first["events"]["pageInfo"]["endCursor"].clone();
    let second = app.gql(FEED, json!({"first": 1, "after": cursor})).await;
    assert_eq!(
        second["events"]["edges"][0]["node"]["eventType"],
        "PaymentCaptured"
    );
    let end = app
        .gql(
            FEED,
            json!({"first": 5, "after": second["events"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(end["events"]["edges"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.gql_error(&app.admin, FEED, json!({"after": "nonsense"}))
            .await,
        "INVALID_INPUT"
    );
}
on_both_backends!(event_feed_carries_metadata_and_pages);

async fn malformed_requests_get_coded_errors(app: &TestApp) {
    let resp = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_INPUT");

    for q in [
        "{ nope }",
        "query { orders(first: \"x\") { edges { cursor } } }",
        "mutation { placeOrder }",
        "{ orders { edges { node { id lines { sku } totals { byPromotion { parameters } } } } } ",
    ] {
        assert_eq!(
            app.gql_error(&app.admin, q, json!({})).await,
            "INVALID_INPUT",
            "{q}"
        );
    }
    // Depth limit: a deeply nested introspection query.
    let deep = format!(
        "{{ __schema {{ types {{ {}name{} }} }} }}",
        "fields { type { ofType { ".repeat(8),
        " }".repeat(24)
    );
    assert_eq!(
        app.gql_error(&app.admin, &deep, json!({})).await,
        "INVALID_INPUT"
    );
    // Complexity limit: many large pages.
    let heavy = (0..30)
        .map(|i| {
            format!("a{i}: orders(first: 100) {{ edges {{ node {{ id lines {{ sku }} }} }} }}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(
        app.gql_error(&app.admin, &format!("{{ {heavy} }}"), json!({}))
            .await,
        "INVALID_INPUT"
    );
    // Oversized numbers and strings are refused cleanly.
    let mut huge = order_input("JD", "HUGE-1", "c");
    huge["lines"][0]["quantity"] = json!(1u64 << 40);
    assert_eq!(
        app.gql_error(&app.admin, PLACE, json!({"i": huge})).await,
        "INVALID_INPUT"
    );
    let mut long = order_input("JD", &"X".repeat(10_000), "c");
    long["lines"][0]["name"] = json!("y".repeat(100_000));
    assert_eq!(
        app.gql_error(&app.admin, PLACE, json!({"i": long})).await,
        "INVALID_INPUT"
    );
    let mut overflow = order_input("JD", "OVERFLOW-1", "c");
    overflow["lines"][0]["unitPrice"] = json!(i64::MAX);
    overflow["lines"][0]["quantity"] = json!(3);
    assert_eq!(
        app.gql_error(&app.admin, PLACE, json!({"i": overflow}))
            .await,
        "INVALID_INPUT"
    );
    assert_eq!(app.event_count().await, 0);
}
on_both_backends!(malformed_requests_get_coded_errors);

async fn health_and_readiness(app: &TestApp) {
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let ready: Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    let graphiql = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_eq!(graphiql.status().as_u16(), 200);
    assert!(graphiql
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("graphiql"));
}
on_both_backends!(health_and_readiness);
