//! A revoked key stops working everywhere within a second: plain requests and open
//! subscriptions. The revocation is written straight to the store, as `waybill keys revoke`
//! in another process does, so the running server learns of it only through the cross-process
//! signal (LISTEN/NOTIFY on PostgreSQL, the change counter poll on SQLite), never through its
//! own cache.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use waybill_api::auth::{keys, Role};
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::live::Subscription;
use waybill_tests::{on_both_backends, TestApp};

const ORDERS: &str = "{ orders(first: 1) { edges { node { id } } } }";
const ORDER_UPDATED: &str = "subscription($id: String!) { orderUpdated(id: $id) { id version } }";

async fn new_key(app: &TestApp, role: Role) -> keys::NewKey {
    keys::create(&app.test_db.db, role, "revocation test")
        .await
        .expect("key")
}

fn code_of(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

async fn a_revoked_key_is_refused_within_a_second(app: &TestApp) {
    let key = new_key(app, Role::Integrator).await;
    // Authenticated once, so the server holds the key in its cache.
    let (status, body) = app.gql_raw(Some(&key.token), ORDERS, json!({})).await;
    assert_eq!((status, code_of(&body)), (200, None), "{body}");

    let revoked_at = Instant::now();
    keys::revoke(&app.test_db.db, &key.key_id)
        .await
        .expect("revoke");
    loop {
        let (status, body) = app.gql_raw(Some(&key.token), ORDERS, json!({})).await;
        if code_of(&body) == Some("UNAUTHENTICATED") {
            assert_eq!(status, 401, "{body}");
            break;
        }
        assert!(
            revoked_at.elapsed() < Duration::from_secs(1),
            "a revoked key still answered after {:?}: {body}",
            revoked_at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Other keys are untouched by the invalidation.
    app.gql(ORDERS, json!({})).await;
}
on_both_backends!(a_revoked_key_is_refused_within_a_second);

/// True when `message` ends the subscription: an error, a completion or a closed socket.
fn ends_the_subscription(message: &Value) -> bool {
    match message["type"].as_str() {
        Some("complete") | Some("close") | Some("error") => true,
        Some("next") => message["payload"]["errors"]
            .as_array()
            .is_some_and(|errors| {
                errors
                    .iter()
                    .any(|e| e["extensions"]["code"] == "UNAUTHENTICATED")
            }),
        _ => false,
    }
}

async fn an_open_subscription_ends_when_its_key_is_revoked(app: &TestApp) {
    let placed = app
        .gql(PLACE, json!({"i": order_input("JD", "REVOKE-1", "c")}))
        .await;
    let id = placed["placeOrder"]["orderId"]
        .as_str()
        .expect("order id")
        .to_string();
    let key = new_key(app, Role::Integrator).await;
    let mut sub = Subscription::start(app.address, &key.token, ORDER_UPDATED, json!({"id": id}))
        .await
        .expect("subscribed");
    tokio::time::sleep(Duration::from_millis(100)).await;

    let revoked_at = Instant::now();
    keys::revoke(&app.test_db.db, &key.key_id)
        .await
        .expect("revoke");
    let mut seen = Vec::new();
    loop {
        let left = Duration::from_secs(1).saturating_sub(revoked_at.elapsed());
        let Some(message) = sub.next_message(left).await else {
            panic!(
                "the subscription was still open {:?} after revocation; saw {seen:?}",
                revoked_at.elapsed()
            );
        };
        if ends_the_subscription(&message) {
            break;
        }
        seen.push(message);
    }

    // A write after the revocation reaches nobody on that subscription.
    app.gql(
        "mutation($id: String!) { capturePayment(orderId: $id, method: \"alipay\", reference: \"R1\", amount: 700) { position } }",
        json!({"id": id}),
    )
    .await;
    if let Some(message) = sub.next_message(Duration::from_millis(500)).await {
        assert!(
            message["type"] != "next" || message["payload"]["data"].is_null(),
            "a revoked subscription still delivered data: {message}"
        );
    }
}
on_both_backends!(an_open_subscription_ends_when_its_key_is_revoked);
