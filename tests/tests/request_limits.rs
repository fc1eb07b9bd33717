//! Hostile requests over real HTTP: each must be answered with a coded error, and the server
//! must still answer a normal query afterwards (issue 9, point 4).

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_api::config::RequestLimits;
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
            "query($id: String!, $p: Int64) { order(id: $id, consistentWith: $p) { placedAt } }",
            json!({"id": id, "p": position}),
        )
        .await;
    let placed_at = order["order"]["placedAt"].as_str().unwrap();
    assert_eq!(placed_at, "2200-12-31T15:00:00+00:00");
    assert!(chrono::DateTime::parse_from_rfc3339(placed_at).is_ok());
    still_answers(app).await;
}
on_both_backends!(dates_in_a_sane_range);

/// A 2,000-deep list literal overflowed the stack and aborted the process, whatever the key.
async fn deep_input_is_refused_and_the_server_stays_up(app: &TestApp) {
    let auditor = app.key(Role::Auditor).await;
    let deep = format!("{}\"x\"{}", "[".repeat(2_000), "]".repeat(2_000));
    let literal = format!("{{ order(id: {deep}) {{ id }} }}");
    let (status, body) = app.gql_raw(Some(&auditor), &literal, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["reason"],
        "nesting_too_deep"
    );
    still_answers(app).await;

    // Variables arrive as JSON: 100 levels is within the JSON parser's own limit, past ours.
    let variable = (0..100).fold(json!("x"), |v, _| json!([v]));
    let query = "query($v: String!) { order(id: $v) { id } }";
    let (_, error) = first_error(app, query, json!({"v": variable})).await;
    assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
    assert_eq!(error["extensions"]["reason"], "nesting_too_deep");
    // Past the JSON parser's limit the body itself is refused, also with a code.
    // (Written as text: a 2,000-deep serde_json value would overflow this test's own stack.)
    let variable = format!("{}\"x\"{}", "[".repeat(2_000), "]".repeat(2_000));
    let body = format!(
        "{{\"query\": {}, \"variables\": {{\"v\": {variable}}}}}",
        json!(query)
    );
    let (status, body) = post_raw(app, Some(&app.admin), body).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_INPUT");
    still_answers(app).await;
}
on_both_backends!(deep_input_is_refused_and_the_server_stays_up);

/// 24 fragments, each spreading the next twice: 1.7 KB that cost 4–15 s of CPU to validate.
fn fragment_bomb(levels: usize) -> String {
    let mut text = String::from("query { ...F0 }\n");
    for level in 0..levels {
        let next = level + 1;
        text.push_str(&format!(
            "fragment F{level} on QueryRoot {{ ...F{next} ...F{next} }}\n"
        ));
    }
    text.push_str(&format!(
        "fragment F{levels} on QueryRoot {{ __typename }}\n"
    ));
    text
}

async fn fragment_explosion_is_refused_before_validation(app: &TestApp) {
    let bomb = fragment_bomb(24);
    let started = Instant::now();
    // Four at once used to stall every other client.
    let bombs = (0..4).map(|_| first_error(app, &bomb, json!({})));
    let (errors, ()) = tokio::join!(futures::future::join_all(bombs), async {
        still_answers(app).await
    });
    for (_, error) in errors {
        assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
        assert_eq!(error["extensions"]["reason"], "too_many_fields", "{error}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let cycle = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
    let (_, error) = first_error(app, cycle, json!({})).await;
    assert_eq!(error["extensions"]["reason"], "fragment_cycle", "{error}");

    let aliases: Vec<String> = (0..201)
        .map(|i| format!("a{i}: orders(first: 1) {{ edges {{ cursor }} }}"))
        .collect();
    let (_, error) = first_error(app, &format!("{{ {} }}", aliases.join(" ")), json!({})).await;
    assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
    assert_eq!(error["extensions"]["reason"], "too_many_aliases", "{error}");
    still_answers(app).await;
}
on_both_backends!(fragment_explosion_is_refused_before_validation);

async fn post_raw(app: &TestApp, token: Option<&str>, body: String) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("HTTP request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

/// Bodies over the limit are refused before the key is looked at; batches are refused.
async fn bodies_are_bounded_before_authentication(app: &TestApp) {
    let big = json!({"query": "{ __typename }", "variables": {"pad": "x".repeat(1_100_000)}});
    for token in [None, Some("wbk_bogus")] {
        let (status, body) = post_raw(app, token, big.to_string()).await;
        assert_eq!(status, 413, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
        assert_eq!(body["errors"][0]["extensions"]["retryable"], false);
    }
    // Just under the limit is served.
    let fits = json!({"query": "{ __typename }", "variables": {"pad": "x".repeat(1_000_000)}});
    let (status, body) = post_raw(app, Some(&app.admin), fits.to_string()).await;
    assert_eq!(
        (status, &body["data"]["__typename"]),
        (200, &json!("QueryRoot")),
        "{body}"
    );

    let batch = json!([{"query": "{ __typename }"}, {"query": "{ __typename }"}]);
    let (status, body) = post_raw(app, Some(&app.admin), batch.to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["reason"], "batch");
    still_answers(app).await;
}
on_both_backends!(bodies_are_bounded_before_authentication);

/// A websocket message over the limit closes that socket, and only that socket.
async fn websocket_messages_are_bounded(app: &TestApp) {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let mut request = format!("ws://{}/graphql/ws", app.address)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {}", app.admin)}});
    socket.send(Message::text(init.to_string())).await.unwrap();
    let ack = socket.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
    let huge = json!({"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", "variables": {"pad": "x".repeat(1_100_000)}}});
    let _ = socket.send(Message::text(huge.to_string())).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                Some(Ok(Message::Text(text))) if text.contains("\"next\"") => return false,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await
    .expect("the server closes the socket");
    assert!(closed, "an oversized message must not be executed");
    still_answers(app).await;
}
on_both_backends!(websocket_messages_are_bounded);

/// A request running past the timeout is answered TIMEOUT (retryable), with a code.
async fn slow_requests_time_out(app: &TestApp) {
    // Another writer holds the events table: a placement waits for it far past the timeout.
    let mut writer = app.test_db.db.begin().await.expect("a write transaction");
    if let waybill_projections::Tx::Postgres(tx) = &mut writer {
        sqlx::query("LOCK TABLE events IN EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await
            .expect("lock");
    }
    let started = Instant::now();
    let input = order_input("JD", "SLOW-1", "C-1");
    let (status, body) = app
        .gql_raw(Some(&app.admin), PLACE, json!({"i": input}))
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT");
    assert_eq!(body["errors"][0]["extensions"]["retryable"], true);
    drop(writer);
    still_answers(app).await;
}
on_both_backends!(
    slow_requests_time_out,
    RequestLimits {
        request_timeout_ms: 500,
        ..RequestLimits::default()
    }
);

/// NUL bytes: PostgreSQL answered INTERNAL, SQLite stored them. Now INVALID_INPUT on both,
/// whether the string comes in a variable or as an escape in the query text.
async fn nul_bytes_are_invalid_input(app: &TestApp) {
    let mut input = order_input("JD", "NUL-1", "C-1");
    input["customerId"] = json!("C\u{0}1");
    let (_, error) = first_error(app, PLACE, json!({"i": input})).await;
    assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
    assert_eq!(error["extensions"]["reason"], "nul_byte", "{error}");

    let literal = "mutation { openCase(input: {customerId: \"C-1\", caseType: COMPLAINT, channel: PHONE, subject: \"a\\u0000b\"}) { caseId } }";
    let (_, error) = first_error(app, literal, json!({})).await;
    assert_eq!(error["extensions"]["code"], "INVALID_INPUT", "{error}");
    assert_eq!(error["extensions"]["reason"], "nul_byte", "{error}");
    assert_eq!(app.event_count().await, 0);
    still_answers(app).await;
}
on_both_backends!(nul_bytes_are_invalid_input);

/// A bogus key costs one database read, however often it is sent; a malformed one none.
async fn bogus_keys_are_cheap(app: &TestApp) {
    let keys = &app.services.keys;
    let bogus = format!("wbk_{}_{}", "0".repeat(16), "a".repeat(64));
    // The first sending reads; wait out the change feed's start (it empties the cache once).
    app.gql_raw(Some(&bogus), "{ __typename }", json!({})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.gql_raw(Some(&bogus), "{ __typename }", json!({})).await;
    let before = keys.database_reads();
    for _ in 0..50 {
        let (status, body) = app.gql_raw(Some(&bogus), "{ __typename }", json!({})).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        let (status, _) = app
            .gql_raw(Some("garbage"), "{ __typename }", json!({}))
            .await;
        assert_eq!(status, 401);
    }
    assert_eq!(keys.database_reads() - before, 0);

    // A key created after its id was found absent works at once (the absence is forgotten).
    let key = waybill_api::auth::keys::create(&app.test_db.db, Role::Agent, "late")
        .await
        .unwrap();
    let (status, _) = app
        .gql_raw(Some(&key.token), "{ __typename }", json!({}))
        .await;
    assert_eq!(status, 200);
}
on_both_backends!(bogus_keys_are_cheap);

/// Past its rate a key is answered RATE_LIMITED (429, retryable, Retry-After); other keys go on.
async fn keys_and_addresses_are_rate_limited(app: &TestApp) {
    let busy = app.key(Role::Integrator).await;
    let mut statuses = Vec::new();
    for _ in 0..30 {
        let (status, body) = app.gql_raw(Some(&busy), "{ __typename }", json!({})).await;
        if status == 429 {
            assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
            assert_eq!(body["errors"][0]["extensions"]["retryable"], true);
        }
        statuses.push(status);
    }
    assert!(statuses[..10].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&busy)
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().get("retry-after").is_some());
    still_answers(app).await;
}
on_both_backends!(
    keys_and_addresses_are_rate_limited,
    RequestLimits {
        rate_limit_per_key: 5,
        ..RequestLimits::default()
    }
);

/// Bogus keys from one address are throttled before any lookup.
async fn an_address_is_rate_limited_before_authentication(app: &TestApp) {
    let mut statuses = Vec::new();
    for _ in 0..100 {
        let (status, _) = app
            .gql_raw(Some("garbage"), "{ __typename }", json!({}))
            .await;
        statuses.push(status);
    }
    assert!(statuses.contains(&401), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
}
on_both_backends!(
    an_address_is_rate_limited_before_authentication,
    RequestLimits {
        rate_limit_per_ip: 20,
        ..RequestLimits::default()
    }
);
