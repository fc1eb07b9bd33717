//! Concurrency is the normal case: many writers on one stream, over real HTTP.

use futures::future::join_all;
use serde_json::{json, Value};
use waybill_tests::fixtures::{order_input, ORDER, PLACE};
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

const CAPTURE: &str = "mutation($id: String!, $r: String!) { capturePayment(orderId: $id, method: \"alipay\", reference: $r, amount: 1000) { streamVersion position } }";

/// Twenty clients capture 10.00 each on one order of 138.00 at the same moment.
/// Exactly thirteen captures fit. Every acknowledged capture must be in the stream and in
/// the read model; every refusal must be a clean, coded error; the total never exceeds
/// what is due.
async fn many_writers_on_one_stream(app: &TestApp) {
    let placed = app
        .gql(PLACE, json!({"i": order_input("JD", "CONC-1", "c")}))
        .await;
    let id = placed["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    let attempts = (0..20).map(|i| {
        app.gql_raw(
            Some(&app.admin),
            CAPTURE,
            json!({"id": id, "r": format!("R{i}")}),
        )
    });
    let results: Vec<(u16, Value)> = join_all(attempts).await;
    let mut acknowledged = Vec::new();
    for (status, body) in &results {
        assert_eq!(*status, 200);
        match body["errors"][0]["extensions"]["code"].as_str() {
            None => acknowledged.push(body["data"]["capturePayment"].clone()),
            Some(code) => assert!(
                code == "INVALID_STATE" || code == "CONFLICT",
                "unexpected {body}"
            ),
        }
    }
    assert!(
        !acknowledged.is_empty() && acknowledged.len() <= 13,
        "{} acknowledged",
        acknowledged.len()
    );
    let mut versions: Vec<i64> = acknowledged
        .iter()
        .map(|a| wide(&a["streamVersion"]))
        .collect();
    versions.sort_unstable();
    versions.dedup();
    assert_eq!(
        versions.len(),
        acknowledged.len(),
        "two writes acknowledged the same version"
    );
    let last = acknowledged
        .iter()
        .map(|a| wide(&a["position"]))
        .max()
        .unwrap();
    let order = app.gql(ORDER, json!({"id": id, "p": last})).await["order"].clone();
    assert_eq!(
        order["payment"]["captured"],
        json!((1000 * acknowledged.len()).to_string())
    );
    assert_eq!(wide(&order["version"]), 1 + acknowledged.len() as i64);
    // Retrying the refused ones one at a time fills the order exactly.
    let mut i = 100;
    loop {
        let (_, body) = app
            .gql_raw(
                Some(&app.admin),
                CAPTURE,
                json!({"id": id, "r": format!("R{i}")}),
            )
            .await;
        if body.get("errors").is_some() {
            assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_STATE");
            break;
        }
        i += 1;
    }
    let events = app.event_count().await;
    assert_eq!(events, 1 + 13, "thirteen captures in all");
}
on_both_backends!(many_writers_on_one_stream);

/// The same channel order sent by several integrator connections at once still creates one
/// order, and every sender gets its id.
async fn duplicate_placements_race(app: &TestApp) {
    let sends = (0..8).map(|_| {
        app.gql_raw(
            Some(&app.admin),
            PLACE,
            json!({"i": order_input("DOUYIN", "RACE-1", "c")}),
        )
    });
    let results = join_all(sends).await;
    let ids: Vec<String> = results
        .iter()
        .map(|(_, b)| {
            b["data"]["placeOrder"]["orderId"]
                .as_str()
                .unwrap_or_else(|| panic!("{b}"))
                .to_string()
        })
        .collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]));
    let fresh = results
        .iter()
        .filter(|(_, b)| b["data"]["placeOrder"]["replayed"] == false)
        .count();
    assert_eq!(fresh, 1, "exactly one sender created the order");
    assert_eq!(app.event_count().await, 1);
}
on_both_backends!(duplicate_placements_race);

/// The same idempotency key sent concurrently appends once.
async fn concurrent_retries_with_one_idempotency_key(app: &TestApp) {
    let placed = app
        .gql(PLACE, json!({"i": order_input("JD", "IDEM-RACE", "c")}))
        .await;
    let id = placed["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    let q = "mutation($id: String!) { capturePayment(orderId: $id, method: \"alipay\", reference: \"R\", amount: 500, idempotencyKey: \"pay-1\") { streamVersion position replayed } }";
    let results =
        join_all((0..6).map(|_| app.gql_raw(Some(&app.admin), q, json!({"id": id})))).await;
    let ok: Vec<&Value> = results
        .iter()
        .map(|(_, b)| &b["data"]["capturePayment"])
        .filter(|v| v.is_object())
        .collect();
    assert_eq!(ok.len(), 6, "{results:?}");
    assert!(ok.iter().all(|v| v["streamVersion"] == "2"));
    assert_eq!(ok.iter().filter(|v| v["replayed"] == false).count(), 1);
    assert_eq!(app.event_count().await, 2);
}
on_both_backends!(concurrent_retries_with_one_idempotency_key);
