//! Live updates over websocket: authenticated like HTTP, delivered right after the projection
//! commits.

use std::time::{Duration, Instant};

use serde_json::json;
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::live::Subscription;
use waybill_tests::{on_both_backends, TestApp};

const ORDER_UPDATED: &str = "subscription($id: String!) { orderUpdated(id: $id) { id status payment { captured } version } }";

async fn subscribers_see_writes_within_a_second(app: &TestApp) {
    let placed = app
        .gql(PLACE, json!({"i": order_input("JD", "LIVE-1", "c")}))
        .await;
    let id = placed["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    let mut sub = Subscription::start(app.address, &app.admin, ORDER_UPDATED, json!({"id": id}))
        .await
        .unwrap();
    // Give the subscription a moment to be registered before writing.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = Instant::now();
    app.gql("mutation($id: String!) { capturePayment(orderId: $id, method: \"alipay\", reference: \"L1\", amount: 700) { position } }", json!({"id": id})).await;
    // The placement itself may still arrive first (version 1); the capture must follow.
    loop {
        let left = Duration::from_secs(1).saturating_sub(sent.elapsed());
        let update = sub
            .next_data(left)
            .await
            .expect("the capture within one second");
        if update["orderUpdated"]["version"] == "2" {
            assert_eq!(
                update["orderUpdated"]["payment"]["captured"], "700",
                "{update}"
            );
            break;
        }
        assert_eq!(update["orderUpdated"]["version"], "1", "{update}");
    }
    assert!(sent.elapsed() < Duration::from_secs(1));
}
on_both_backends!(subscribers_see_writes_within_a_second);

async fn subscriptions_need_a_valid_key(app: &TestApp) {
    let refused =
        Subscription::start(app.address, "wbk_nope", ORDER_UPDATED, json!({"id": "x"})).await;
    assert!(refused.is_err(), "an invalid key must not be acknowledged");
}
on_both_backends!(subscriptions_need_a_valid_key);
