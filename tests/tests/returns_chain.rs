//! A return end to end over HTTP, on both backends: from request to close, with the
//! order's balance, the return's view and the auditor's trail at every step.

use chrono::{Duration, Utc};
use serde_json::json;
use waybill_tests::returns::*;
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

/// place → capture → allocate → fulfil → deliver → request return → approve → label →
/// receive → inspect (restock / write-off) → partial refund → refund incl. shipping → close,
/// with the order's balance, the return's view, and the auditor's trail at every step.
async fn full_return_chain(app: &TestApp) {
    let k = keys(app).await;
    let delivered = Utc::now() - Duration::days(2);
    let order_id = order(
        app,
        "TAOBAO",
        "RET-CHAIN-1",
        "WH-HZ",
        None,
        Some(&iso(delivered)),
    )
    .await;

    // Request: one tea (50.00) and the cup (30.00), damaged, refund wanted.
    let requested = request(
        app,
        &k.agent,
        request_input(
            &order_id,
            json!([{"sku": "TEA-1", "quantity": 1}, {"sku": "CUP-1", "quantity": 1}]),
            "DAMAGED",
            "REFUND",
        ),
    )
    .await;
    assert_eq!(requested["streamVersion"], "1");
    assert_eq!(requested["replayed"], false);
    let rid = id_of(&requested);
    let r = return_at(app, &k.agent, &rid, pos(&requested)).await;
    assert_eq!(r["orderId"], order_id.as_str());
    assert_eq!(r["status"], "REQUESTED");
    assert_eq!(r["stage"], "AWAITING_REVIEW");
    assert_eq!(r["channel"], "TAOBAO");
    assert_eq!(r["reason"], "DAMAGED");
    assert_eq!(r["returnValue"], "8000");
    assert_eq!(r["shippingFee"], "800");
    assert_eq!(
        r["windowDays"], 15,
        "seller's faults get the quality window"
    );
    assert_eq!(
        r["warehouseId"], "WH-HZ",
        "goods go back where they came from"
    );
    assert_eq!(r["photoRefs"], json!(["returns/photos/r1.jpg"]));
    assert_eq!(r["lines"][0]["unitPrice"], "5000");
    assert_eq!(r["order"]["id"], order_id.as_str());

    // Review: the warehouse and the auditor may not; an agent may.
    let count = app.event_count().await;
    for token in [&k.warehouse, &k.auditor] {
        let (code, _) = refused(app, token, APPROVE, json!({"id": rid})).await;
        assert_eq!(code, "FORBIDDEN");
    }
    assert_eq!(app.event_count().await, count);
    let approved = step(app, &k.agent, APPROVE, json!({"id": rid})).await;
    let r = return_at(app, &k.agent, &rid, pos(&approved)).await;
    assert_eq!(r["status"], "APPROVED");
    assert_eq!(r["stage"], "AWAITING_RECEIPT");
    assert_eq!(r["review"]["decision"], "APPROVED");
    assert_eq!(r["review"]["agent"], "agent-wang");

    // Reverse logistics: a label with the carrier's tracking number.
    let labelled = step(
        app,
        &k.agent,
        LABEL,
        json!({"id": rid, "c": "sf-express", "t": "SF1000001"}),
    )
    .await;
    let r = return_at(app, &k.agent, &rid, pos(&labelled)).await;
    assert_eq!(r["logistics"]["kind"], "label");
    assert_eq!(r["logistics"]["carrier"], "sf-express");
    assert_eq!(r["logistics"]["trackingNumber"], "SF1000001");
    let reverse_shipment = r["logistics"]["reverseShipmentId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(reverse_shipment.len(), 36);
    // The reverse shipment is a real, trackable Shipment stream back to the warehouse.
    let reverse = app
        .gql_as(&k.auditor, "query($id: String!) { shipment(id: $id) { direction returnId warehouseId carrier trackingNumber status } }", json!({"id": reverse_shipment}))
        .await;
    let reverse = &reverse["shipment"];
    assert_eq!(
        (reverse["direction"].as_str(), reverse["returnId"].as_str()),
        (Some("reverse"), Some(rid.as_str())),
        "{reverse}"
    );
    assert_eq!(
        (
            reverse["carrier"].as_str(),
            reverse["trackingNumber"].as_str(),
            reverse["status"].as_str()
        ),
        (Some("sf_express"), Some("SF1000001"), Some("label_created"))
    );
    let scan = "mutation { recordTrackingScans(carrier: \"sf_express\", scans: [{trackingNumber: \"SF1000001\", eventId: \"rev-1\", status: \"in_transit\", occurredAt: \"2026-11-24T10:00:00Z\"}]) { shipmentId recorded } }";
    let tracked = app.gql_as(&k.integrator, scan, json!({})).await;
    assert_eq!(
        tracked["recordTrackingScans"][0]["shipmentId"],
        reverse_shipment.as_str(),
        "the carrier's scan finds the reverse shipment"
    );
    let queues = app
        .gql_as(&k.warehouse, "query($p: Int64) { returnQueues(warehouseId: \"WH-HZ\", consistentWith: $p) { warehouseId awaitingReceipt { count oldestAgeSeconds } awaitingInspection { count } } }", json!({"p": pos(&labelled)}))
        .await;
    assert_eq!(queues["returnQueues"][0]["awaitingReceipt"]["count"], 1);
    assert_eq!(queues["returnQueues"][0]["awaitingInspection"]["count"], 0);

    // Receipt at the warehouse: agents may not; the cup arrived damaged.
    let receipt = json!({"id": rid, "w": "WH-HZ", "l": [
        {"sku": "TEA-1", "receivedQuantity": 1},
        {"sku": "CUP-1", "receivedQuantity": 1, "damagedQuantity": 1}
    ]});
    assert_eq!(
        refused(app, &k.agent, RECEIVE, receipt.clone()).await.0,
        "FORBIDDEN"
    );
    let received = step(app, &k.warehouse, RECEIVE, receipt).await;
    let r = return_at(app, &k.warehouse, &rid, pos(&received)).await;
    assert_eq!(r["status"], "RECEIVED");
    assert_eq!(r["stage"], "AWAITING_INSPECTION");
    assert_eq!(r["receipt"]["complete"], true);
    assert_eq!(r["receipt"]["staff"], "staff-zhao");
    assert_eq!(r["lines"][1]["damagedQuantity"], 1);

    // Inspection: the tea goes back on the shelf, the cup is written off.
    let inspected = step(
        app,
        &k.warehouse,
        INSPECT,
        json!({"id": rid, "l": [
            {"sku": "TEA-1", "condition": "RESELLABLE", "decision": "RESTOCK", "quantity": 1},
            {"sku": "CUP-1", "condition": "DAMAGED", "decision": "WRITE_OFF", "quantity": 1}
        ]}),
    )
    .await;
    let r = return_at(app, &k.warehouse, &rid, pos(&inspected)).await;
    assert_eq!(r["status"], "INSPECTED");
    assert_eq!(r["stage"], "AWAITING_RESOLUTION");
    assert_eq!(r["lines"][0]["restockedQuantity"], 1);
    assert_eq!(r["lines"][1]["writtenOffQuantity"], 1);
    assert_eq!(r["inspection"]["warehouseId"], "WH-HZ");

    // A warehouse may not refund; an auditor may not either.
    let partial =
        json!({"amount": "5000", "method": "alipay", "reference": "RF-1", "agent": "agent-wang"});
    for token in [&k.warehouse, &k.auditor] {
        let (code, _) = refused(app, token, REFUND, json!({"id": rid, "i": partial})).await;
        assert_eq!(code, "FORBIDDEN");
    }

    // Partial refund (the tea), sent with a correlation id: the order's refund and the
    // return's share it.
    let data = gql_correlated(
        app,
        &k.agent,
        "refund-corr-1",
        REFUND,
        json!({"id": rid, "i": partial}),
    )
    .await;
    let refunded = data["refundReturn"].clone();
    assert_eq!(refunded["replayed"], false);
    assert!(wide(&refunded["orderPosition"]) < pos(&refunded));
    let r = return_at(app, &k.agent, &rid, pos(&refunded)).await;
    assert_eq!(r["status"], "REFUNDED");
    assert_eq!(r["refunded"], "5000");
    assert_eq!(
        r["refunds"][0]["policy"], "AFTER_RECEIPT",
        "defaults to what is true"
    );
    assert_eq!(r["refunds"][0]["reference"], "RF-1");
    assert_eq!(r["stage"], "RESOLVED");
    let o = order_at(app, &k.agent, &order_id, pos(&refunded)).await;
    assert_eq!(o["payment"]["captured"], "13800");
    assert_eq!(o["payment"]["refunded"], "5000");
    assert_eq!(o["payment"]["netPaid"], "8800");
    assert_eq!(
        o["refunds"],
        json!([{"amount": "5000", "method": "alipay", "reference": "RF-1", "returnId": rid}])
    );

    // More than the goods are worth is refused by the return before any money moves.
    let count = app.event_count().await;
    let (code, reason) = refused(
        app,
        &k.agent,
        REFUND,
        json!({"id": rid, "i": {"amount": "3001", "method": "alipay", "reference": "RF-X"}}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("refund_exceeds_return_value"))
    );
    assert_eq!(app.event_count().await, count);

    // The rest, including shipping: 30.00 + 8.00.
    let rest = json!({"id": rid, "i": {"amount": "3800", "includeShipping": true, "method": "alipay", "reference": "RF-2"}, "k": "refund-rest-1"});
    let refunded = step(app, &k.agent, REFUND, rest.clone()).await;
    let r = return_at(app, &k.agent, &rid, pos(&refunded)).await;
    assert_eq!(r["refunded"], "8800");
    assert_eq!(r["shippingRefunded"], true);
    assert_eq!(r["refunds"][1]["includeShipping"], true);
    // The same request again pays nothing twice, on either stream.
    let count = app.event_count().await;
    let again = step(app, &k.agent, REFUND, rest).await;
    assert_eq!(again["replayed"], true);
    assert_eq!(again["position"], refunded["position"]);
    assert_eq!(again["orderPosition"], refunded["orderPosition"]);
    assert_eq!(app.event_count().await, count);
    // Even another agent retrying the same reference does not pay twice.
    let again = step(app, &k.agent2, REFUND, json!({"id": rid, "i": {"amount": "3800", "includeShipping": true, "method": "alipay", "reference": "RF-2"}})).await;
    assert_eq!(again["replayed"], true);
    assert_eq!(app.event_count().await, count);

    // Close.
    let closed = step(app, &k.agent, CLOSE, json!({"id": rid})).await;
    assert_eq!(closed["return"]["status"], "CLOSED");
    assert_eq!(closed["return"]["outcome"], "REFUNDED");
    assert_eq!(closed["return"]["stage"], "CLOSED");

    // The order shows its balance, its refunds and its returns.
    let o = order_at(app, &k.auditor, &order_id, pos(&closed)).await;
    assert_eq!(o["payment"]["refunded"], "8800");
    assert_eq!(o["payment"]["netPaid"], "5000");
    assert_eq!(o["refunds"].as_array().unwrap().len(), 2);
    assert!(o["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["returnId"] == rid.as_str()));
    assert_eq!(o["returns"], json!([{"id": rid, "status": "CLOSED"}]));
    assert_eq!(o["shipmentReferences"], json!(["SHP-1"]));

    // The auditor's chain: order → shipment → return → reverse shipment → refund, each step
    // with its actor and time.
    let r = return_at(app, &k.auditor, &rid, pos(&closed)).await;
    let steps: Vec<&str> = r["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        vec![
            "ReturnRequested",
            "ReturnApproved",
            "ReturnLabelIssued",
            "ReturnReceived",
            "ReturnInspected",
            "ReturnRefunded",
            "ReturnRefunded",
            "ReturnClosed"
        ]
    );
    assert!(r["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["actorKeyId"].is_string() && s["actorRole"].is_string()));
    assert_eq!(r["timeline"][1]["actor"], "agent-wang");
    assert_eq!(r["timeline"][3]["actorRole"], "warehouse");
    assert_eq!(r["timeline"][5]["correlationId"], "refund-corr-1");
    let history = app
        .gql_as(&k.auditor, "query($id: String!) { streamHistory(streamType: \"Return\", streamId: $id) { events { eventType payload metadata recordedAt } } }", json!({"id": rid}))
        .await;
    let events = history["streamHistory"]["events"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(events.len(), 8);
    assert_eq!(
        events[0]["payload"]["ReturnRequested"]["order_id"],
        order_id.as_str()
    );
    assert_eq!(
        events[2]["payload"]["ReturnLabelIssued"]["reverse_shipment_id"],
        reverse_shipment.as_str()
    );
    assert_eq!(
        events[5]["payload"]["ReturnRefunded"]["order_id"],
        order_id.as_str()
    );
    assert_eq!(events[5]["payload"]["ReturnRefunded"]["reference"], "RF-1");
    for e in &events {
        assert!(e["metadata"]["actor_key_id"].is_string(), "{e}");
        assert!(e["metadata"]["occurred_at"].is_string(), "{e}");
        assert!(e["recordedAt"].is_string(), "{e}");
    }
    let history = app
        .gql_as(&k.auditor, "query($id: String!) { streamHistory(streamType: \"Order\", streamId: $id) { events { eventType payload metadata } } }", json!({"id": order_id}))
        .await;
    let order_events = history["streamHistory"]["events"]
        .as_array()
        .unwrap()
        .clone();
    let types: Vec<&str> = order_events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec![
            "OrderPlaced",
            "PaymentCaptured",
            "OrderAllocated",
            "LinesFulfilled",
            "OrderDelivered",
            "RefundRecorded",
            "RefundRecorded"
        ]
    );
    assert_eq!(
        order_events[5]["payload"]["RefundRecorded"]["return_id"],
        rid.as_str()
    );
    assert_eq!(order_events[5]["metadata"]["actor_role"], "agent");
    let correlated = app
        .gql_as(&k.auditor, "{ correlatedEvents(correlationId: \"refund-corr-1\") { streamType streamId eventType } }", json!({}))
        .await;
    assert_eq!(
        correlated["correlatedEvents"],
        json!([
            {"streamType": "Order", "streamId": order_id, "eventType": "RefundRecorded"},
            {"streamType": "Return", "streamId": rid, "eventType": "ReturnRefunded"}
        ])
    );

    // Auditors read; they write nothing.
    for (q, vars) in [
        (CLOSE, json!({"id": rid})),
        (
            REQUEST,
            json!({"i": request_input(&order_id, json!([{"sku": "TEA-1", "quantity": 1}]), "DAMAGED", "REFUND")}),
        ),
        (RECORD_REFUND, json!({"id": order_id, "a": 1, "r": "AUD-1"})),
    ] {
        assert_eq!(refused(app, &k.auditor, q, vars).await.0, "FORBIDDEN");
    }
}
on_both_backends!(full_return_chain);
