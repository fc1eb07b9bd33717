//! Resolutions without money over HTTP, on both backends: client-chosen return ids, exchanges
//! (the replacement ships ahead of the goods) and repairs.

use chrono::{Duration, Utc};
use serde_json::json;
use waybill_tests::returns::*;
use waybill_tests::{on_both_backends, TestApp};

/// A client-chosen return id makes creation idempotent; exchanges and repairs resolve
/// returns without money; a refund cannot follow an exchange.
async fn exchanges_repairs_and_idempotent_requests(app: &TestApp) {
    let k = keys(app).await;
    let delivered = iso(Utc::now() - Duration::days(1));
    let order_id = order(app, "APP", "RET-EXR-1", "WH-HZ", None, Some(&delivered)).await;

    let mut input = request_input(
        &order_id,
        json!([{"sku": "TEA-1", "quantity": 1}]),
        "WRONG_ITEM",
        "EXCHANGE",
    );
    input["returnId"] = json!("0190f5c2-0000-7000-8000-0000000000e1");
    let first_time = request(app, &k.agent, input.clone()).await;
    let count = app.event_count().await;
    let second_time = request(app, &k.agent, input.clone()).await;
    assert_eq!(second_time["replayed"], true);
    assert_eq!(second_time["returnId"], first_time["returnId"]);
    assert_eq!(second_time["position"], first_time["position"]);
    assert_eq!(app.event_count().await, count);
    // The same id for another order is refused.
    let other = order(app, "APP", "RET-EXR-2", "WH-HZ", None, Some(&delivered)).await;
    let mut elsewhere = request_input(
        &other,
        json!([{"sku": "TEA-1", "quantity": 1}]),
        "WRONG_ITEM",
        "EXCHANGE",
    );
    elsewhere["returnId"] = json!("0190f5c2-0000-7000-8000-0000000000e1");
    assert_eq!(
        refused(app, &k.agent, REQUEST, json!({"i": elsewhere}))
            .await
            .0,
        "INVALID_INPUT"
    );

    // Exchange: drop-off at a locker, the replacement ships ahead of the goods.
    let rid = id_of(&first_time);
    step(app, &k.agent, APPROVE, json!({"id": rid})).await;
    step(app, &k.integrator, DROP_OFF, json!({"id": rid})).await;
    let exchanged = step(app, &k.agent, EXCHANGE, json!({"id": rid})).await;
    let r = return_at(app, &k.agent, &rid, pos(&exchanged)).await;
    assert_eq!(r["status"], "EXCHANGE_SHIPPED");
    assert_eq!(r["resolution"], "EXCHANGE");
    assert_eq!(r["logistics"]["kind"], "drop_off");
    assert_eq!(r["logistics"]["pickupPointId"], "cainiao-hz-0042");
    assert_eq!(
        r["exchange"]["lines"],
        json!([{"sku": "TEA-1", "quantity": 1}])
    );
    assert_eq!(
        r["exchange"]["replacementShipmentId"]
            .as_str()
            .unwrap()
            .len(),
        36
    );
    // The replacement is a real outbound shipment to the customer, ready to pick.
    let replacement = app
        .gql_as(
            &k.agent,
            "query($id: String!) { shipment(id: $id) { direction status orderId lines } }",
            json!({"id": r["exchange"]["replacementShipmentId"]}),
        )
        .await;
    assert_eq!(
        replacement["shipment"]["direction"], "outbound",
        "{replacement}"
    );
    assert_eq!(replacement["shipment"]["status"], "label_created");
    assert_eq!(replacement["shipment"]["lines"][0]["sku"], "TEA-1");
    assert_eq!(
        r["stage"], "AWAITING_RECEIPT",
        "the goods are still owed back"
    );
    let (code, reason) = refused(
        app,
        &k.agent,
        REFUND,
        json!({"id": rid, "i": {"amount": "100", "method": "alipay", "reference": "RF-X"}}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("resolution_conflict"))
    );
    step(
        app,
        &k.warehouse,
        RECEIVE,
        json!({"id": rid, "w": "WH-HZ", "l": [{"sku": "TEA-1", "receivedQuantity": 1}]}),
    )
    .await;
    let closed = step(app, &k.agent, CLOSE, json!({"id": rid})).await;
    assert_eq!(closed["return"]["outcome"], "EXCHANGED");

    // Repair: sent out, repaired, sent back — warehouse staff handle it.
    let repair = request(
        app,
        &k.agent,
        request_input(
            &order_id,
            json!([{"sku": "CUP-1", "quantity": 1}]),
            "QUALITY_PROBLEM",
            "REPAIR",
        ),
    )
    .await;
    let rid = id_of(&repair);
    step(app, &k.agent, APPROVE, json!({"id": rid})).await;
    step(
        app,
        &k.warehouse,
        RECEIVE,
        json!({"id": rid, "w": "WH-HZ", "l": [{"sku": "CUP-1", "receivedQuantity": 1}]}),
    )
    .await;
    let sent = step(app, &k.warehouse, "mutation($id: String!) { sendReturnForRepair(returnId: $id, vendor: \"acme-repair\") { position } }", json!({"id": rid})).await;
    let r = return_at(app, &k.agent, &rid, pos(&sent)).await;
    assert_eq!(r["status"], "IN_REPAIR");
    assert_eq!(r["stage"], "AWAITING_RESOLUTION");
    step(
        app,
        &k.warehouse,
        "mutation($id: String!) { completeReturnRepair(returnId: $id) { position } }",
        json!({"id": rid}),
    )
    .await;
    let back = step(
        app,
        &k.warehouse,
        "mutation($id: String!) { returnRepairedItem(returnId: $id) { position } }",
        json!({"id": rid}),
    )
    .await;
    let r = return_at(app, &k.agent, &rid, pos(&back)).await;
    assert_eq!(r["status"], "REPAIR_RETURNED");
    assert_eq!(r["repair"]["stage"], "returned_to_customer");
    assert_eq!(r["repair"]["vendor"], "acme-repair");
    assert!(r["repair"]["shipmentId"].is_string());
    assert_eq!(r["stage"], "RESOLVED");
    let closed = step(app, &k.agent, CLOSE, json!({"id": rid})).await;
    assert_eq!(closed["return"]["outcome"], "REPAIRED");
    assert_eq!(closed["return"]["status"], "CLOSED");
}
on_both_backends!(exchanges_repairs_and_idempotent_requests);
