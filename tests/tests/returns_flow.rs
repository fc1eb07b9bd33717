//! After-sales end to end over HTTP, on both backends: returns (RMA) from request to close,
//! refunds on the order stream, rejections with their reasons, role checks, the warehouse
//! queues and analytics against hand-computed figures, and concurrent refunds that never
//! exceed what was captured.

use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

const CAPTURE: &str = "mutation($id: String!, $a: MinorUnits!) { capturePayment(orderId: $id, method: \"alipay\", reference: \"CAP-1\", amount: $a) { position } }";
const ALLOCATE: &str = "mutation($id: String!, $w: String!) { allocateOrder(orderId: $id, warehouseId: $w) { position } }";
const FULFIL_ALL: &str = "mutation($id: String!) { fulfilOrder(orderId: $id, shipmentReference: \"SHP-1\", lines: [{sku: \"TEA-1\", quantity: 2}, {sku: \"CUP-1\", quantity: 1}]) { position } }";
const DELIVER: &str = "mutation($id: String!, $at: DateTime) { markOrderDelivered(orderId: $id, deliveredAt: $at) { position } }";

const REQUEST: &str = "mutation($i: RequestReturnInput!, $k: String) { requestReturn(input: $i, idempotencyKey: $k) { returnId streamVersion position replayed } }";
const APPROVE: &str = "mutation($id: String!, $at: DateTime) { approveReturn(returnId: $id, note: \"photos show the damage\", agent: \"agent-wang\", at: $at) { returnId position } }";
const REJECT: &str = "mutation($id: String!, $at: DateTime) { rejectReturn(returnId: $id, reason: \"used goods\", agent: \"agent-wang\", at: $at) { position } }";
const LABEL: &str = "mutation($id: String!, $c: String!, $t: String!, $at: DateTime) { issueReturnLabel(returnId: $id, carrier: $c, trackingNumber: $t, at: $at) { position } }";
const DROP_OFF: &str = "mutation($id: String!) { arrangeReturnDropOff(returnId: $id, pickupPointId: \"cainiao-hz-0042\") { position } }";
const RECEIVE: &str = "mutation($id: String!, $w: String!, $l: [ReceivedLineInput!]!, $at: DateTime) { receiveReturn(returnId: $id, warehouseId: $w, lines: $l, staff: \"staff-zhao\", at: $at) { position } }";
const INSPECT: &str = "mutation($id: String!, $l: [InspectedLineInput!]!, $at: DateTime) { inspectReturn(returnId: $id, lines: $l, inspector: \"qc-li\", at: $at) { position } }";
const REFUND: &str = "mutation($id: String!, $i: RefundReturnInput!, $k: String) { refundReturn(returnId: $id, input: $i, idempotencyKey: $k) { returnId streamVersion position replayed orderVersion orderPosition } }";
const EXCHANGE: &str = "mutation($id: String!) { exchangeReturn(returnId: $id, lines: [{sku: \"TEA-1\", quantity: 1}]) { position } }";
const CLOSE: &str = "mutation($id: String!, $at: DateTime) { closeReturn(returnId: $id, at: $at) { position return { status outcome stage closedAt } } }";
const RECORD_REFUND: &str = "mutation($id: String!, $a: MinorUnits!, $r: String!, $at: DateTime) { recordRefund(orderId: $id, amount: $a, method: \"alipay\", reference: $r, reason: \"goodwill\", at: $at) { streamVersion position } }";

const RETURN: &str = "query($id: String!, $p: Int64) { return(id: $id, consistentWith: $p) { id orderId channel reason requestedResolution status stage stageSince warehouseId photoRefs returnValue shippingFee windowDays refunded shippingRefunded resolution outcome requestedAt resolvedAt closedAt version ageSeconds inStageSeconds lines { sku quantity unitPrice receivedQuantity damagedQuantity restockedQuantity writtenOffQuantity returnedQuantity } review { decision agent note } logistics { kind reverseShipmentId carrier trackingNumber pickupPointId } receipt { warehouseId staff complete } inspection { warehouseId inspector lines { sku condition decision quantity } } refunds { amount includeShipping method reference policy agent } exchange { replacementShipmentId lines { sku quantity } } repair { vendor stage shipmentId } timeline { eventType actor actorKeyId actorRole correlationId } order { id status } } }";
const ORDER: &str = "query($id: String!, $p: Int64) { order(id: $id, consistentWith: $p) { id status shipmentReferences payment { captured refunded netPaid outstanding } refunds { amount method reference returnId } returns { id status } } }";

/// The first (only) field of a mutation's data.
fn first(data: &Value) -> Value {
    data.as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .unwrap_or(Value::Null)
}

fn pos(v: &Value) -> i64 {
    wide(&v["position"])
}

fn id_of(v: &Value) -> String {
    v["returnId"]
        .as_str()
        .unwrap_or_else(|| panic!("no returnId in {v}"))
        .to_string()
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .with_timezone(&Utc)
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

async fn step(app: &TestApp, token: &str, query: &str, vars: Value) -> Value {
    first(&app.gql_as(token, query, vars).await)
}

/// The first error's code and reason, for a request that must fail.
async fn refused(app: &TestApp, token: &str, query: &str, vars: Value) -> (String, Option<String>) {
    let (_, body) = app.gql_raw(Some(token), query, vars).await;
    let ext = &body["errors"][0]["extensions"];
    let code = ext["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error, got {body}"))
        .to_string();
    (code, ext["reason"].as_str().map(String::from))
}

async fn return_at(app: &TestApp, token: &str, id: &str, position: i64) -> Value {
    app.gql_as(token, RETURN, json!({"id": id, "p": position}))
        .await["return"]
        .clone()
}

async fn order_at(app: &TestApp, token: &str, id: &str, position: i64) -> Value {
    app.gql_as(token, ORDER, json!({"id": id, "p": position}))
        .await["order"]
        .clone()
}

/// Places 2 × TEA-1 (50.00) + 1 × CUP-1 (30.00) + 8.00 shipping, captures `capture`,
/// allocates to `warehouse`, ships everything and, with `delivered_at`, delivers it.
async fn order(
    app: &TestApp,
    channel: &str,
    external: &str,
    warehouse: &str,
    placed_at: Option<&str>,
    delivered_at: Option<&str>,
) -> String {
    order_with(
        app,
        order_input(channel, external, "cust-r"),
        warehouse,
        13_800,
        placed_at,
        delivered_at,
    )
    .await
}

async fn order_with(
    app: &TestApp,
    mut input: Value,
    warehouse: &str,
    capture: i64,
    placed_at: Option<&str>,
    delivered_at: Option<&str>,
) -> String {
    if let Some(at) = placed_at {
        input["placedAt"] = json!(at);
    }
    let placed = step(app, &app.admin, PLACE, json!({"i": input})).await;
    let id = placed["orderId"].as_str().unwrap().to_string();
    app.gql(CAPTURE, json!({"id": id, "a": capture})).await;
    app.gql(ALLOCATE, json!({"id": id, "w": warehouse})).await;
    app.gql(FULFIL_ALL, json!({"id": id})).await;
    if let Some(at) = delivered_at {
        app.gql(DELIVER, json!({"id": id, "at": at})).await;
    }
    id
}

fn request_input(order_id: &str, lines: Value, reason: &str, resolution: &str) -> Value {
    json!({
        "orderId": order_id,
        "lines": lines,
        "reason": reason,
        "requestedResolution": resolution,
        "photoRefs": ["returns/photos/r1.jpg"]
    })
}

async fn request(app: &TestApp, token: &str, input: Value) -> Value {
    step(app, token, REQUEST, json!({"i": input})).await
}

struct Keys {
    agent: String,
    agent2: String,
    warehouse: String,
    auditor: String,
    integrator: String,
}

/// Return labels send goods back to the order's warehouse, which must be a registered site.
async fn register_warehouses(app: &TestApp) {
    for id in ["WH-HZ", "WH-SH"] {
        app.gql(
            "mutation($id: String!) { registerSite(id: $id, kind: WAREHOUSE, details: {name: \"Returns desk\", address: {recipient: \"Returns desk\", phone: \"+86 571 0000\", country: \"CN\", province: \"Zhejiang\", city: \"Hangzhou\", street: \"1 Dock Road\"}}) { position } }",
            json!({"id": id}),
        )
        .await;
    }
}

async fn keys(app: &TestApp) -> Keys {
    register_warehouses(app).await;
    Keys {
        agent: app.key(Role::Agent).await,
        agent2: app.key(Role::Agent).await,
        warehouse: app.key(Role::Warehouse).await,
        auditor: app.key(Role::Auditor).await,
        integrator: app.key(Role::Integrator).await,
    }
}

/// GraphQL with an X-Correlation-Id header; returns `data`.
async fn gql_correlated(
    app: &TestApp,
    token: &str,
    correlation: &str,
    query: &str,
    vars: Value,
) -> Value {
    let body: Value = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .header("x-correlation-id", correlation)
        .json(&json!({"query": query, "variables": vars}))
        .send()
        .await
        .expect("HTTP request")
        .json()
        .await
        .expect("JSON body");
    assert!(body.get("errors").is_none(), "GraphQL failed: {body}");
    body["data"].clone()
}

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

/// Every refusal has a code and a reason, and writes nothing.
async fn return_rejections(app: &TestApp) {
    let k = keys(app).await;
    let now = Utc::now();
    let undelivered = order(app, "JD", "RET-REJ-1", "WH-SH", None, None).await;
    let delivered = order(
        app,
        "JD",
        "RET-REJ-2",
        "WH-SH",
        None,
        Some(&iso(now - Duration::days(1))),
    )
    .await;
    let long_ago = order(
        app,
        "JD",
        "RET-REJ-3",
        "WH-SH",
        None,
        Some(&iso(now - Duration::days(10))),
    )
    .await;
    let count = app.event_count().await;

    let tea = |n: i64| json!([{"sku": "TEA-1", "quantity": n}]);
    let cases: Vec<(Value, &str, Option<&str>)> = vec![
        // A return on an undelivered order is refused (cancel or intercept it instead).
        (
            request_input(&undelivered, tea(1), "DAMAGED", "REFUND"),
            "INVALID_STATE",
            Some("not_delivered"),
        ),
        // Never more than delivered.
        (
            request_input(&delivered, tea(3), "DAMAGED", "REFUND"),
            "INVALID_STATE",
            Some("exceeds_returnable"),
        ),
        (
            request_input(
                &delivered,
                json!([{"sku": "NOPE-1", "quantity": 1}]),
                "DAMAGED",
                "REFUND",
            ),
            "INVALID_STATE",
            Some("exceeds_returnable"),
        ),
        // 七天无理由: a change of mind 10 days after delivery is too late...
        (
            request_input(&long_ago, tea(1), "CHANGED_MIND", "REFUND"),
            "INVALID_STATE",
            Some("window_closed"),
        ),
        // Malformed input.
        (
            request_input(&delivered, json!([]), "DAMAGED", "REFUND"),
            "INVALID_INPUT",
            Some("no_lines"),
        ),
        (
            request_input(&delivered, tea(0), "DAMAGED", "REFUND"),
            "INVALID_INPUT",
            None,
        ),
        (
            request_input("not-an-order", tea(1), "DAMAGED", "REFUND"),
            "INVALID_INPUT",
            None,
        ),
        (
            request_input(
                "0190f5c2-0000-7000-8000-000000000000",
                tea(1),
                "DAMAGED",
                "REFUND",
            ),
            "NOT_FOUND",
            Some("order_not_found"),
        ),
    ];
    for (input, code, reason) in cases {
        let got = refused(app, &k.agent, REQUEST, json!({"i": input})).await;
        assert_eq!(
            (got.0.as_str(), got.1.as_deref()),
            (code, reason),
            "{input}"
        );
    }
    // Warehouses do not open returns.
    let (code, _) = refused(
        app,
        &k.warehouse,
        REQUEST,
        json!({"i": request_input(&delivered, tea(1), "DAMAGED", "REFUND")}),
    )
    .await;
    assert_eq!(code, "FORBIDDEN");
    assert_eq!(
        app.event_count().await,
        count,
        "no refused request may write"
    );

    // ...while a quality problem still has its 15 days.
    let late_quality = request(
        app,
        &k.integrator,
        request_input(&long_ago, tea(1), "QUALITY_PROBLEM", "REPAIR"),
    )
    .await;
    assert_eq!(late_quality["replayed"], false);

    // Delivered minus already returned: two teas were delivered.
    let first_two = request(
        app,
        &k.agent,
        request_input(&delivered, tea(2), "DAMAGED", "REFUND"),
    )
    .await;
    let (code, reason) = refused(
        app,
        &k.agent,
        REQUEST,
        json!({"i": request_input(&delivered, tea(1), "DAMAGED", "REFUND")}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("exceeds_returnable"))
    );
    // A rejected return gives its units back.
    step(app, &k.agent, REJECT, json!({"id": id_of(&first_two)})).await;
    let again = request(
        app,
        &k.agent,
        request_input(&delivered, tea(1), "DAMAGED", "REFUND"),
    )
    .await;
    let r = return_at(app, &k.agent, &id_of(&first_two), pos(&again)).await;
    assert_eq!(r["status"], "REJECTED");
    assert_eq!(r["review"]["note"], "used goods");

    // Steps out of order.
    let rid = id_of(&again);
    let count = app.event_count().await;
    let (code, reason) = refused(
        app,
        &k.warehouse,
        RECEIVE,
        json!({"id": rid, "w": "WH-SH", "l": [{"sku": "TEA-1", "receivedQuantity": 1}]}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("not_approved"))
    );
    let (code, reason) = refused(app, &k.agent, CLOSE, json!({"id": rid})).await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("still_open"))
    );
    step(app, &k.agent, APPROVE, json!({"id": rid})).await;
    let count_after_approval = app.event_count().await;
    assert_eq!(count_after_approval, count + 1);
    let (code, reason) = refused(
        app,
        &k.warehouse,
        RECEIVE,
        json!({"id": rid, "w": "WH-SH", "l": [{"sku": "TEA-1", "receivedQuantity": 2}]}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("exceeds_requested"))
    );
    let (code, reason) = refused(app, &k.agent, REFUND, json!({"id": rid, "i": {"amount": "100", "method": "alipay", "reference": "RF-E", "policy": "AFTER_RECEIPT"}})).await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("not_received"))
    );
    let (code, _) = refused(
        app,
        &k.agent,
        REFUND,
        json!({"id": rid, "i": {"amount": "0", "method": "alipay", "reference": "RF-E"}}),
    )
    .await;
    assert_eq!(code, "INVALID_INPUT");
    assert_eq!(app.event_count().await, count_after_approval);

    // Unknown and malformed return ids.
    let (code, reason) = refused(
        app,
        &k.agent,
        APPROVE,
        json!({"id": "0190f5c2-0000-7000-8000-00000000abcd"}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("NOT_FOUND", Some("not_found"))
    );
    assert_eq!(
        refused(app, &k.agent, APPROVE, json!({"id": "RMA-1"}))
            .await
            .0,
        "INVALID_INPUT"
    );
    let none = app
        .gql_as(
            &k.auditor,
            RETURN,
            json!({"id": "0190f5c2-0000-7000-8000-00000000abcd"}),
        )
        .await;
    assert_eq!(none["return"], Value::Null);

    // Refunds never exceed what the order captured.
    let (code, reason) = refused(
        app,
        &k.integrator,
        RECORD_REFUND,
        json!({"id": undelivered, "a": 13_801, "r": "OVER-1"}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("refund_exceeds_captured"))
    );
    let ok = step(
        app,
        &k.integrator,
        RECORD_REFUND,
        json!({"id": undelivered, "a": 13_800, "r": "ALL-1"}),
    )
    .await;
    let (code, reason) = refused(
        app,
        &k.integrator,
        RECORD_REFUND,
        json!({"id": undelivered, "a": 1, "r": "ALL-2"}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("refund_exceeds_captured"))
    );
    let (code, reason) = refused(
        app,
        &k.integrator,
        RECORD_REFUND,
        json!({"id": undelivered, "a": 1, "r": "ALL-1"}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("duplicate_refund"))
    );
    let o = order_at(app, &k.auditor, &undelivered, pos(&ok)).await;
    assert_eq!(o["payment"]["refunded"], "13800");
    assert_eq!(o["payment"]["netPaid"], "0");
    assert_eq!(o["refunds"][0]["returnId"], Value::Null);
    // Warehouses do not refund.
    assert_eq!(
        refused(
            app,
            &k.warehouse,
            RECORD_REFUND,
            json!({"id": delivered, "a": 1, "r": "WH-1"})
        )
        .await
        .0,
        "FORBIDDEN"
    );

    // An idempotency key reused for a different refund is refused before money moves.
    let rid = id_of(
        &request(
            app,
            &k.agent,
            request_input(
                &delivered,
                json!([{"sku": "CUP-1", "quantity": 1}]),
                "DAMAGED",
                "REFUND",
            ),
        )
        .await,
    );
    step(app, &k.agent, APPROVE, json!({"id": rid})).await;
    let first = step(app, &k.agent, REFUND, json!({"id": rid, "i": {"amount": "1000", "method": "alipay", "reference": "KR-1"}, "k": "key-1"})).await;
    let count = app.event_count().await;
    let (code, _) = refused(app, &k.agent, REFUND, json!({"id": rid, "i": {"amount": "1000", "method": "alipay", "reference": "KR-2"}, "k": "key-1"})).await;
    assert_eq!(code, "INVALID_INPUT");
    let (code, _) = refused(app, &k.agent, REFUND, json!({"id": rid, "i": {"amount": "1000", "method": "alipay", "reference": "KR-3"}, "k": "k".repeat(191)})).await;
    assert_eq!(code, "INVALID_INPUT");
    assert_eq!(app.event_count().await, count);
    let o = order_at(app, &k.auditor, &delivered, pos(&first)).await;
    assert_eq!(
        o["refunds"],
        json!([{"amount": "1000", "method": "alipay", "reference": "KR-1", "returnId": rid}])
    );

    // A return whose order has been fully refunded has nothing left to refund.
    let paid_back = order(
        app,
        "JD",
        "RET-REJ-4",
        "WH-SH",
        None,
        Some(&iso(now - Duration::days(1))),
    )
    .await;
    step(
        app,
        &k.integrator,
        RECORD_REFUND,
        json!({"id": paid_back, "a": 13_800, "r": "ALL-1"}),
    )
    .await;
    let (code, reason) = refused(
        app,
        &k.agent,
        REQUEST,
        json!({"i": request_input(&paid_back, tea(1), "DAMAGED", "REFUND")}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("nothing_to_refund"))
    );
}
on_both_backends!(return_rejections);

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

/// Queues per warehouse and analytics over a fixed March 2025, checked against figures
/// computed by hand (see the comments).
async fn queues_and_analytics(app: &TestApp) {
    let k = keys(app).await;
    let placed = Some("2025-03-03T08:00:00Z");
    let delivered = Some("2025-03-04T00:00:00Z");
    // Orders: A (Taobao, WH-HZ), B and C (JD, WH-SH), D (Taobao, cancelled). Each is
    // 2 × TEA-1 + 1 × CUP-1, captured in full (138.00).
    let a = order(app, "TAOBAO", "AN-A", "WH-HZ", placed, delivered).await;
    let b = order(app, "JD", "AN-B", "WH-SH", placed, delivered).await;
    let c = order(app, "JD", "AN-C", "WH-SH", placed, delivered).await;
    let mut d_input = order_input("TAOBAO", "AN-D", "cust-r");
    d_input["placedAt"] = json!(placed);
    let d = step(app, &app.admin, PLACE, json!({"i": d_input})).await["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    app.gql("mutation($id: String!) { cancelOrder(orderId: $id, reason: \"changed mind\") { position } }", json!({"id": d})).await;
    // An order outside the period does not count.
    order(
        app,
        "JD",
        "AN-E",
        "WH-SH",
        Some("2025-04-02T08:00:00Z"),
        Some("2025-04-03T00:00:00Z"),
    )
    .await;

    let req = |order: &str, sku: &str, n: i64, reason: &str, at: &str| {
        let mut input = request_input(
            order,
            json!([{"sku": sku, "quantity": n}]),
            reason,
            "REFUND",
        );
        input["requestedAt"] = json!(at);
        input
    };
    // R1 on A: 1 tea, damaged; label sf-express; received and inspected at WH-HZ; refunded
    // 50.00 two days after the request (172 800 s).
    let r1 = id_of(
        &request(
            app,
            &k.agent,
            req(&a, "TEA-1", 1, "DAMAGED", "2025-03-05T00:00:00Z"),
        )
        .await,
    );
    step(
        app,
        &k.agent,
        APPROVE,
        json!({"id": r1, "at": "2025-03-05T01:00:00Z"}),
    )
    .await;
    step(
        app,
        &k.agent,
        LABEL,
        json!({"id": r1, "c": "sf-express", "t": "SF-A1", "at": "2025-03-05T02:00:00Z"}),
    )
    .await;
    step(app, &k.warehouse, RECEIVE, json!({"id": r1, "w": "WH-HZ", "l": [{"sku": "TEA-1", "receivedQuantity": 1}], "at": "2025-03-06T00:00:00Z"})).await;
    step(app, &k.warehouse, INSPECT, json!({"id": r1, "l": [{"sku": "TEA-1", "condition": "DAMAGED", "decision": "WRITE_OFF", "quantity": 1}], "at": "2025-03-06T10:00:00Z"})).await;
    step(app, &k.agent, REFUND, json!({"id": r1, "i": {"amount": "5000", "method": "alipay", "reference": "R1-RF", "at": "2025-03-07T00:00:00Z"}})).await;
    // R2 on B: the cup, change of mind; label yto; refunded 30.00 before receipt, 6 h after
    // the request (21 600 s); still awaiting receipt at WH-SH since its approval at 01:00.
    let r2 = id_of(
        &request(
            app,
            &k.agent,
            req(&b, "CUP-1", 1, "CHANGED_MIND", "2025-03-06T00:00:00Z"),
        )
        .await,
    );
    step(
        app,
        &k.agent,
        APPROVE,
        json!({"id": r2, "at": "2025-03-06T01:00:00Z"}),
    )
    .await;
    step(
        app,
        &k.agent,
        LABEL,
        json!({"id": r2, "c": "yto", "t": "YT-B1", "at": "2025-03-06T02:00:00Z"}),
    )
    .await;
    step(app, &k.agent, REFUND, json!({"id": r2, "i": {"amount": "3000", "method": "wechat", "reference": "R2-RF", "at": "2025-03-06T06:00:00Z"}})).await;
    // R3 on B: both teas, wrong item; label sf-express; received at WH-SH, not inspected.
    let r3 = id_of(
        &request(
            app,
            &k.agent,
            req(&b, "TEA-1", 2, "WRONG_ITEM", "2025-03-06T12:00:00Z"),
        )
        .await,
    );
    step(
        app,
        &k.agent,
        APPROVE,
        json!({"id": r3, "at": "2025-03-06T13:00:00Z"}),
    )
    .await;
    step(
        app,
        &k.agent,
        LABEL,
        json!({"id": r3, "c": "sf-express", "t": "SF-B2", "at": "2025-03-06T14:00:00Z"}),
    )
    .await;
    step(app, &k.warehouse, RECEIVE, json!({"id": r3, "w": "WH-SH", "l": [{"sku": "TEA-1", "receivedQuantity": 2}], "at": "2025-03-08T00:00:00Z"})).await;
    // R4 on C: rejected — counts nowhere but in `rejected`.
    let r4 = id_of(
        &request(
            app,
            &k.agent,
            req(&c, "TEA-1", 1, "CHANGED_MIND", "2025-03-05T00:00:00Z"),
        )
        .await,
    );
    step(
        app,
        &k.agent,
        REJECT,
        json!({"id": r4, "at": "2025-03-05T03:00:00Z"}),
    )
    .await;
    // R5 on A: the cup, quality problem; not reviewed yet.
    request(
        app,
        &k.agent,
        req(&a, "CUP-1", 1, "QUALITY_PROBLEM", "2025-03-08T00:00:00Z"),
    )
    .await;
    // R6 on A: the other tea, damaged; dropped off, received and inspected at WH-HZ,
    // awaiting resolution.
    let r6 = id_of(
        &request(
            app,
            &k.agent,
            req(&a, "TEA-1", 1, "DAMAGED", "2025-03-09T00:00:00Z"),
        )
        .await,
    );
    step(
        app,
        &k.agent,
        APPROVE,
        json!({"id": r6, "at": "2025-03-09T01:00:00Z"}),
    )
    .await;
    step(app, &k.warehouse, RECEIVE, json!({"id": r6, "w": "WH-HZ", "l": [{"sku": "TEA-1", "receivedQuantity": 1}], "at": "2025-03-10T00:00:00Z"})).await;
    step(app, &k.warehouse, INSPECT, json!({"id": r6, "l": [{"sku": "TEA-1", "condition": "RESELLABLE", "decision": "RESTOCK", "quantity": 1}], "at": "2025-03-10T02:00:00Z"})).await;
    // A goodwill refund on C, outside any return.
    let last = step(
        app,
        &k.integrator,
        RECORD_REFUND,
        json!({"id": c, "a": 1000, "r": "GW-1", "at": "2025-03-10T00:00:00Z"}),
    )
    .await;
    let p = pos(&last);

    // Queues: WH-HZ has R6 awaiting resolution (R1 is resolved and inspected, R5 unreviewed);
    // WH-SH has R2 awaiting receipt (since its approval) and R3 awaiting inspection.
    let q = app
        .gql_as(&k.warehouse, "query($p: Int64) { returnQueues(consistentWith: $p) { warehouseId awaitingReceipt { count oldestSince oldestAgeSeconds averageAgeSeconds } awaitingInspection { count oldestSince } awaitingResolution { count oldestSince } } }", json!({"p": p}))
        .await["returnQueues"]
        .clone();
    let queues = q.as_array().unwrap();
    assert_eq!(queues.len(), 2, "{q}");
    let hz = &queues[0];
    assert_eq!(hz["warehouseId"], "WH-HZ");
    assert_eq!(hz["awaitingReceipt"]["count"], 0);
    assert_eq!(hz["awaitingInspection"]["count"], 0);
    assert_eq!(hz["awaitingResolution"]["count"], 1);
    assert_eq!(
        time(hz["awaitingResolution"]["oldestSince"].as_str().unwrap()),
        time("2025-03-10T02:00:00Z")
    );
    let sh = &queues[1];
    assert_eq!(sh["warehouseId"], "WH-SH");
    assert_eq!(sh["awaitingReceipt"]["count"], 1);
    let since = time("2025-03-06T01:00:00Z");
    assert_eq!(
        time(sh["awaitingReceipt"]["oldestSince"].as_str().unwrap()),
        since
    );
    let age = sh["awaitingReceipt"]["oldestAgeSeconds"].as_i64().unwrap();
    let expected = (Utc::now() - since).num_seconds();
    assert!((expected - age).abs() <= 60, "age {age} vs {expected}");
    assert_eq!(
        sh["awaitingReceipt"]["averageAgeSeconds"],
        sh["awaitingReceipt"]["oldestAgeSeconds"]
    );
    assert_eq!(sh["awaitingInspection"]["count"], 1);
    assert_eq!(sh["awaitingResolution"]["count"], 0);
    let listed = app
        .gql_as(&k.warehouse, "{ returns(filter: {warehouseId: \"WH-SH\", stage: AWAITING_INSPECTION}) { edges { node { id stage warehouseId } } } }", json!({}))
        .await;
    assert_eq!(
        listed["returns"]["edges"],
        json!([{"node": {"id": r3, "stage": "AWAITING_INSPECTION", "warehouseId": "WH-SH"}}])
    );
    let one = app
        .gql_as(&k.auditor, "{ returnQueues(warehouseId: \"WH-XX\") { warehouseId awaitingReceipt { count oldestSince } } }", json!({}))
        .await;
    assert_eq!(
        one["returnQueues"],
        json!([{"warehouseId": "WH-XX", "awaitingReceipt": {"count": 0, "oldestSince": null}}])
    );

    // Analytics for March 2025.
    let analytics = |period: &str| {
        format!("query($p: Int64) {{ returnAnalytics(from: \"2025-03-01T00:00:00Z\", to: \"2025-04-01T00:00:00Z\", period: {period}, consistentWith: $p) {{ totals {{ orders orderedUnits returns returnedUnits rejected returnRate unitReturnRate refundedByReturns }} bySku {{ key returns units base rate }} byReason {{ key returns units base rate }} byChannel {{ key returns units base rate }} byCarrier {{ key returns units base rate }} refundTotals {{ periodStart currency refunds amount forReturns }} resolutionTime {{ resolved averageSeconds p50Seconds p90Seconds }} }} }}")
    };
    let data = app
        .gql_as(&k.auditor, &analytics("DAY"), json!({"p": p}))
        .await["returnAnalytics"]
        .clone();
    // Orders A, B, C (D cancelled, E in April): 3 orders, 6 teas + 3 cups ordered.
    // Returns R1, R2, R3, R5, R6 (R4 rejected): units 1 + 1 + 2 + 1 + 1 = 6.
    assert_eq!(
        data["totals"],
        json!({"orders": 3, "orderedUnits": 9, "returns": 5, "returnedUnits": 6, "rejected": 1,
               "returnRate": 5.0 / 3.0, "unitReturnRate": 6.0 / 9.0, "refundedByReturns": "8000"})
    );
    // By SKU: teas R1, R3, R6 → 4 of 6; cups R2, R5 → 2 of 3.
    assert_eq!(
        data["bySku"],
        json!([
            {"key": "CUP-1", "returns": 2, "units": 2, "base": 3, "rate": 2.0 / 3.0},
            {"key": "TEA-1", "returns": 3, "units": 4, "base": 6, "rate": 4.0 / 6.0}
        ])
    );
    // By reason, out of 3 orders.
    assert_eq!(
        data["byReason"],
        json!([
            {"key": "changed_mind", "returns": 1, "units": 1, "base": 3, "rate": 1.0 / 3.0},
            {"key": "damaged", "returns": 2, "units": 2, "base": 3, "rate": 2.0 / 3.0},
            {"key": "quality_problem", "returns": 1, "units": 1, "base": 3, "rate": 1.0 / 3.0},
            {"key": "wrong_item", "returns": 1, "units": 2, "base": 3, "rate": 1.0 / 3.0}
        ])
    );
    // By channel: JD R2, R3 of orders B, C; Taobao R1, R5, R6 of order A.
    assert_eq!(
        data["byChannel"],
        json!([
            {"key": "jd", "returns": 2, "units": 3, "base": 2, "rate": 1.0},
            {"key": "taobao", "returns": 3, "units": 3, "base": 1, "rate": 3.0}
        ])
    );
    // By reverse carrier: sf-express R1, R3; yto R2; R5, R6 have no label.
    assert_eq!(
        data["byCarrier"],
        json!([
            {"key": "sf-express", "returns": 2, "units": 3, "base": 3, "rate": 2.0 / 3.0},
            {"key": "yto", "returns": 1, "units": 1, "base": 3, "rate": 1.0 / 3.0}
        ])
    );
    // Refunds per day: R2 30.00 on the 6th, R1 50.00 on the 7th, goodwill 10.00 on the 10th.
    assert_eq!(
        data["refundTotals"],
        json!([
            {"periodStart": "2025-03-06", "currency": "CNY", "refunds": 1, "amount": "3000", "forReturns": "1"},
            {"periodStart": "2025-03-07", "currency": "CNY", "refunds": 1, "amount": "5000", "forReturns": "1"},
            {"periodStart": "2025-03-10", "currency": "CNY", "refunds": 1, "amount": "1000", "forReturns": "0"}
        ])
    );
    // Resolved: R2 after 21 600 s, R1 after 172 800 s. Mean 97 200; nearest-rank p50 is the
    // first of two, p90 the second.
    assert_eq!(
        data["resolutionTime"],
        json!({"resolved": 2, "averageSeconds": 97_200, "p50Seconds": 21_600, "p90Seconds": 172_800})
    );
    // Weeks start on Monday (3 and 10 March 2025); the month holds all three.
    let weekly = app
        .gql_as(&k.auditor, &analytics("WEEK"), json!({"p": p}))
        .await;
    assert_eq!(
        weekly["returnAnalytics"]["refundTotals"],
        json!([
            {"periodStart": "2025-03-03", "currency": "CNY", "refunds": 2, "amount": "8000", "forReturns": "2"},
            {"periodStart": "2025-03-10", "currency": "CNY", "refunds": 1, "amount": "1000", "forReturns": "0"}
        ])
    );
    let monthly = app
        .gql_as(&k.auditor, &analytics("MONTH"), json!({"p": p}))
        .await;
    assert_eq!(
        monthly["returnAnalytics"]["refundTotals"],
        json!([{"periodStart": "2025-03-01", "currency": "CNY", "refunds": 3, "amount": "9000", "forReturns": "2"}])
    );
    // One channel only.
    let jd = app
        .gql_as(&k.auditor, "{ returnAnalytics(from: \"2025-03-01T00:00:00Z\", to: \"2025-04-01T00:00:00Z\", channel: JD) { totals { orders returns returnedUnits } resolutionTime { resolved p50Seconds } refundTotals { amount } } }", json!({}))
        .await["returnAnalytics"]
        .clone();
    assert_eq!(
        jd["totals"],
        json!({"orders": 2, "returns": 2, "returnedUnits": 3})
    );
    assert_eq!(
        jd["resolutionTime"],
        json!({"resolved": 1, "p50Seconds": 21_600})
    );
    assert_eq!(
        jd["refundTotals"],
        json!([{"amount": "3000"}, {"amount": "1000"}])
    );

    // Both read models are pure folds of the log: a scratch rebuild matches them document by
    // document, and a rebuilt table answers the same.
    let runner = &app.services.runner;
    for name in ["returns", "refunds"] {
        let differences = runner.verify(name).await.expect("verify");
        assert!(differences.is_empty(), "{name}: {differences:?}");
        runner.rebuild(name).await.expect("rebuild");
    }
    let again = app
        .gql_as(&k.auditor, &analytics("DAY"), json!({"p": p}))
        .await["returnAnalytics"]
        .clone();
    assert_eq!(again, data);
}
on_both_backends!(queues_and_analytics);

/// Two agents refund the same order at the same moment, for more than it captured: the
/// order stream lets through only what fits, every acknowledged refund is on the order, and
/// the total never exceeds what was captured. Likewise for two returns of one order, and for
/// two requests returning the same units.
async fn concurrent_refunds_never_exceed_captured(app: &TestApp) {
    let k = keys(app).await;
    let delivered = iso(Utc::now() - Duration::days(1));

    // Straight refunds: 90.00 and 80.00 against 138.00 captured.
    let order_id = order(app, "DOUYIN", "CONC-RF-1", "WH-HZ", None, Some(&delivered)).await;
    let attempts =
        [(&k.agent, 9000, "A-1"), (&k.agent2, 8000, "B-1")].map(|(token, amount, reference)| {
            app.gql_raw(
                Some(token),
                RECORD_REFUND,
                json!({"id": order_id, "a": amount, "r": reference}),
            )
        });
    let results = join_all(attempts).await;
    let mut acknowledged: Vec<(i64, &str)> = Vec::new();
    let mut last = 0;
    for ((_, body), (amount, reference)) in results.iter().zip([(9000, "A-1"), (8000, "B-1")]) {
        match body["errors"][0]["extensions"]["code"].as_str() {
            None => {
                acknowledged.push((amount, reference));
                last = last.max(wide(&body["data"]["recordRefund"]["position"]));
            }
            Some(code) => {
                assert!(code == "INVALID_STATE" || code == "CONFLICT", "{body}");
                if code == "INVALID_STATE" {
                    assert_eq!(
                        body["errors"][0]["extensions"]["reason"],
                        "refund_exceeds_captured"
                    );
                }
            }
        }
    }
    assert_eq!(
        acknowledged.len(),
        1,
        "exactly one of two refunds fits: {results:?}"
    );
    let o = order_at(app, &k.auditor, &order_id, last).await;
    let total: i64 = acknowledged.iter().map(|a| a.0).sum();
    assert_eq!(wide(&o["payment"]["refunded"]), total);
    assert!(total <= 13_800);
    for (amount, reference) in &acknowledged {
        assert!(
            o["refunds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["reference"] == *reference && wide(&f["amount"]) == *amount),
            "{o}"
        );
    }

    // Many small refunds at once: 3000 each, 4 fit in 13 800.
    let order_id = order(app, "DOUYIN", "CONC-RF-2", "WH-HZ", None, Some(&delivered)).await;
    let tokens = [&k.agent, &k.agent2, &k.integrator];
    let attempts = (0..10).map(|i| {
        app.gql_raw(
            Some(tokens[i % 3]),
            RECORD_REFUND,
            json!({"id": order_id, "a": 3000, "r": format!("M-{i}")}),
        )
    });
    let results = join_all(attempts).await;
    let ok: Vec<&Value> = results
        .iter()
        .map(|(_, b)| b)
        .filter(|b| b.get("errors").is_none())
        .collect();
    assert!(!ok.is_empty() && ok.len() <= 4, "{} acknowledged", ok.len());
    for (_, body) in &results {
        if let Some(code) = body["errors"][0]["extensions"]["code"].as_str() {
            assert!(code == "INVALID_STATE" || code == "CONFLICT", "{body}");
        }
    }
    let last = ok
        .iter()
        .map(|b| wide(&b["data"]["recordRefund"]["position"]))
        .max()
        .unwrap();
    let o = order_at(app, &k.auditor, &order_id, last).await;
    assert_eq!(wide(&o["payment"]["refunded"]), 3000 * ok.len() as i64);
    assert_eq!(o["refunds"].as_array().unwrap().len(), ok.len());

    // Two returns on one discounted order: 20.00 coupon → 118.00 captured. The teas (100.00)
    // and the cup with shipping (38.00) each fit; together they do not.
    let mut input = order_input("DOUYIN", "CONC-RF-3", "cust-r");
    input["promotions"] = json!([{"fixedCoupon": {"code": "SAVE20", "amount": "2000"}}]);
    let order_id = order_with(app, input, "WH-HZ", 11_800, None, Some(&delivered)).await;
    let teas = id_of(
        &request(
            app,
            &k.agent,
            request_input(
                &order_id,
                json!([{"sku": "TEA-1", "quantity": 2}]),
                "DAMAGED",
                "REFUND",
            ),
        )
        .await,
    );
    let cup = id_of(
        &request(
            app,
            &k.agent,
            request_input(
                &order_id,
                json!([{"sku": "CUP-1", "quantity": 1}]),
                "DAMAGED",
                "REFUND",
            ),
        )
        .await,
    );
    step(app, &k.agent, APPROVE, json!({"id": teas})).await;
    step(app, &k.agent, APPROVE, json!({"id": cup})).await;
    let refunds = [
        (
            &k.agent,
            teas.clone(),
            json!({"amount": "10000", "method": "alipay", "reference": "T-1"}),
        ),
        (
            &k.agent2,
            cup.clone(),
            json!({"amount": "3800", "includeShipping": true, "method": "alipay", "reference": "C-1"}),
        ),
    ];
    let results = join_all(refunds.iter().map(|(token, rid, input)| {
        app.gql_raw(Some(token), REFUND, json!({"id": rid, "i": input}))
    }))
    .await;
    let mut won = Vec::new();
    for ((_, body), (_, rid, input)) in results.iter().zip(&refunds) {
        match body["errors"][0]["extensions"]["code"].as_str() {
            None => won.push((
                rid.clone(),
                wide(&input["amount"]),
                body["data"]["refundReturn"].clone(),
            )),
            Some(code) => {
                assert_eq!(code, "INVALID_STATE", "{body}");
                assert_eq!(
                    body["errors"][0]["extensions"]["reason"], "refund_exceeds_captured",
                    "{body}"
                );
            }
        }
    }
    assert_eq!(won.len(), 1, "exactly one return refund fits: {results:?}");
    let (winner, amount, result) = &won[0];
    let loser = if *winner == teas { &cup } else { &teas };
    let o = order_at(app, &k.auditor, &order_id, pos(result)).await;
    assert_eq!(o["payment"]["captured"], "11800");
    assert_eq!(wide(&o["payment"]["refunded"]), *amount);
    assert_eq!(o["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(o["refunds"][0]["returnId"], winner.as_str());
    let w = return_at(app, &k.auditor, winner, pos(result)).await;
    assert_eq!(wide(&w["refunded"]), *amount);
    assert_eq!(w["refunds"][0]["policy"], "BEFORE_RECEIPT");
    let l = return_at(app, &k.auditor, loser, pos(result)).await;
    assert_eq!(l["refunded"], "0");
    assert_eq!(l["status"], "APPROVED");

    // Two requests for the same two teas at once: only one return gets them.
    let order_id = order(app, "DOUYIN", "CONC-RF-4", "WH-HZ", None, Some(&delivered)).await;
    let both = [&k.agent, &k.agent2].map(|token| {
        app.gql_raw(Some(token), REQUEST, json!({"i": request_input(&order_id, json!([{"sku": "TEA-1", "quantity": 2}]), "DAMAGED", "REFUND")}))
    });
    let results = join_all(both).await;
    let accepted = results
        .iter()
        .filter(|(_, b)| b.get("errors").is_none())
        .count();
    assert_eq!(accepted, 1, "{results:?}");
    assert!(results
        .iter()
        .any(|(_, b)| b["errors"][0]["extensions"]["reason"] == "exceeds_returnable"));
}
on_both_backends!(concurrent_refunds_never_exceed_captured);
