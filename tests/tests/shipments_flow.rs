//! Shipments over HTTP: labels, warehouse steps, carrier scans (GraphQL and signed webhook),
//! the order following its shipments, the board, the scorecard and live tracking.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_api::webhooks::signature::sign;
use waybill_tests::fixtures::{order_input, ORDER, PLACE};
use waybill_tests::live::Subscription;
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

const CREATE: &str =
    "mutation($i: CreateShipmentInput!) { createShipment(input: $i) { shipmentId position } }";
const SHIPMENT: &str = "query($id: String!, $p: Int64) { shipment(id: $id, consistentWith: $p) { id status active trackingNumber handedOverAt deliveredAt failedAttempts staff { action staff } checkpoints { status applied occurredAt } } }";
const SCANS: &str = "mutation($c: String!, $s: [TrackingScanInput!]!) { recordTrackingScans(carrier: $c, scans: $s) { shipmentId recorded position } }";

async fn placed_and_paid(app: &TestApp, external: &str) -> String {
    let id = app
        .gql(PLACE, json!({"i": order_input("JD", external, "c-9")}))
        .await["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    app.gql("mutation($id: String!) { capturePayment(orderId: $id, method: \"alipay\", reference: \"P\", amount: 13800) { position } }", json!({"id": id})).await;
    id
}

fn shipment_input(order_id: &str, tracking: &str, promised_delivery: &str) -> Value {
    json!({
        "orderId": order_id,
        "warehouseId": "WH-HZ",
        "lines": [{"sku": "TEA-1", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}],
        "parcels": [{"weightGrams": 1200, "lengthMm": 300, "widthMm": 200, "heightMm": 100}],
        "delivery": {"mode": "EXPRESS"},
        "carrier": "sf_express",
        "trackingNumber": tracking,
        "destination": {"recipient": "Li Lei", "phone": "13800000000", "country": "CN", "province": "Zhejiang", "city": "Hangzhou", "street": "1 West Lake Rd"},
        "promisedDeliveryBy": promised_delivery,
        "priority": 1
    })
}

async fn shipment(app: &TestApp, id: &str, p: i64) -> Value {
    app.gql(SHIPMENT, json!({"id": id, "p": p})).await["shipment"].clone()
}

/// Polls the order until `status` (policies run in the background), at most five seconds.
async fn order_reaches(app: &TestApp, id: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let order = app.gql(ORDER, json!({"id": id})).await["order"].clone();
        if order["status"] == status || Instant::now() > deadline {
            return order;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn a_shipment_from_label_to_doorstep(app: &TestApp) {
    let warehouse = app.key(Role::Warehouse).await;
    let integrator = app.key(Role::Integrator).await;
    let order_id = placed_and_paid(app, "SHIP-FLOW-1").await;
    let created = app
        .gql_as(
            &warehouse,
            CREATE,
            json!({"i": shipment_input(&order_id, "SF1000001", "2099-01-01T00:00:00Z")}),
        )
        .await;
    let sid = created["createShipment"]["shipmentId"]
        .as_str()
        .unwrap()
        .to_string();

    let agent = app.key(Role::Agent).await;
    let pick = "mutation($id: String!) { pickShipment(shipmentId: $id, staff: \"picker-7\") { position } }";
    assert_eq!(
        app.gql_error(&agent, pick, json!({"id": sid})).await,
        "FORBIDDEN"
    );
    app.gql_as(&warehouse, pick, json!({"id": sid})).await;
    app.gql_as(&warehouse, "mutation($id: String!) { packShipment(shipmentId: $id, staff: \"packer-2\") { position } }", json!({"id": sid})).await;
    let handed = app.gql_as(&warehouse, "mutation($id: String!) { handOverShipment(shipmentId: $id, staff: \"dock-1\") { position } }", json!({"id": sid})).await;
    let s = shipment(app, &sid, wide(&handed["handOverShipment"]["position"])).await;
    assert_eq!(s["status"], "handed_to_carrier");
    let staff: Vec<&str> = s["staff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["staff"].as_str().unwrap())
        .collect();
    assert_eq!(staff, vec!["picker-7", "packer-2", "dock-1"]);

    // The order follows: fulfilled once the parcels are with the carrier.
    assert_eq!(
        order_reaches(app, &order_id, "FULFILLED").await["status"],
        "FULFILLED"
    );

    let scans = json!([
        {"trackingNumber": "SF1000001", "eventId": "sf-1", "status": "in_transit", "occurredAt": "2026-11-20T10:00:00Z", "location": "Hangzhou hub"},
        {"trackingNumber": "SF1000001", "eventId": "sf-2", "status": "out_for_delivery", "occurredAt": "2026-11-21T08:00:00Z", "location": "Xihu station"},
        {"trackingNumber": "SF1000001", "eventId": "sf-3", "status": "delivered", "occurredAt": "2026-11-21T11:00:00Z",
         "details": {"type": "delivered", "proof": {"signed_by": "Li Lei"}}}
    ]);
    let recorded = app
        .gql_as(&integrator, SCANS, json!({"c": "sf_express", "s": scans}))
        .await;
    let results = recorded["recordTrackingScans"].as_array().unwrap();
    assert!(results.iter().all(|r| r["recorded"] == true));
    // The carrier resends its whole list: nothing new is stored.
    let count = waybill_tests::event_count_of(&app.test_db.db, "Shipment").await;
    let again = app
        .gql_as(&integrator, SCANS, json!({"c": "sf_express", "s": scans}))
        .await;
    assert!(again["recordTrackingScans"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["recorded"] == false));
    // A late, older checkpoint is history only.
    let late = json!([{"trackingNumber": "SF1000001", "eventId": "sf-0", "status": "in_transit", "occurredAt": "2026-11-19T09:00:00Z", "location": "Origin"}]);
    let late = app
        .gql_as(&integrator, SCANS, json!({"c": "sf_express", "s": late}))
        .await;
    assert_eq!(
        waybill_tests::event_count_of(&app.test_db.db, "Shipment").await,
        count + 1,
        "one event for the late scan, none for the resend"
    );
    let s = shipment(app, &sid, wide(&late["recordTrackingScans"][0]["position"])).await;
    assert_eq!(s["status"], "delivered");
    assert_eq!(s["active"], false);
    let applied: Vec<bool> = s["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["applied"].as_bool().unwrap())
        .collect();
    assert_eq!(applied, vec![true, true, true, false]);

    // …and delivered once every outbound shipment is.
    assert_eq!(
        order_reaches(app, &order_id, "DELIVERED").await["status"],
        "DELIVERED"
    );

    // A batch with an unknown number is answered scan by scan, and its valid scans are
    // stored: here one new checkpoint (+1 event), one unknown, one resent (duplicate), one
    // the shipment refuses (an exception scan needs its kind).
    let before = waybill_tests::event_count_of(&app.test_db.db, "Shipment").await;
    let mixed = json!([
        {"trackingNumber": "SF999", "status": "in_transit", "occurredAt": "2026-11-21T08:00:00Z"},
        {"trackingNumber": "SF1000001", "eventId": "sf-9", "status": "in_transit", "occurredAt": "2026-11-22T08:00:00Z", "location": "Return desk"},
        {"trackingNumber": "SF1000001", "eventId": "sf-1", "status": "in_transit", "occurredAt": "2026-11-20T10:00:00Z", "location": "Hangzhou hub"},
        {"trackingNumber": "SF1000001", "eventId": "sf-10", "status": "exception", "occurredAt": "2026-11-22T09:00:00Z"}
    ]);
    let answered = app
        .gql_as(&integrator, "mutation($s: [TrackingScanInput!]!) { recordTrackingScans(carrier: \"sf_express\", scans: $s) { trackingNumber shipmentId outcome recorded reason } }", json!({"s": mixed}))
        .await;
    let results = answered["recordTrackingScans"].as_array().unwrap();
    let outcomes: Vec<_> = results
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["UNKNOWN", "RECORDED", "DUPLICATE", "REJECTED"],
        "{answered}"
    );
    assert_eq!(results[3]["reason"], "missing_exception_kind");
    assert_eq!(results[0]["trackingNumber"], "SF999");
    assert_eq!(results[0]["shipmentId"], Value::Null);
    assert_eq!(results[0]["reason"], "unknown_tracking_number");
    assert_eq!(results[1]["shipmentId"], sid.as_str());
    assert_eq!(
        waybill_tests::event_count_of(&app.test_db.db, "Shipment").await,
        before + 1
    );
}
on_both_backends!(a_shipment_from_label_to_doorstep);

async fn tracking_numbers_are_unique_among_active_shipments(app: &TestApp) {
    let order_id = placed_and_paid(app, "SHIP-UNIQ-1").await;
    let first = app
        .gql(
            CREATE,
            json!({"i": shipment_input(&order_id, "SF2000001", "2099-01-01T00:00:00Z")}),
        )
        .await;
    let p = wide(&first["createShipment"]["position"]);
    shipment(
        app,
        first["createShipment"]["shipmentId"].as_str().unwrap(),
        p,
    )
    .await;
    // A label takes all of an order's units: the later labels are for a second order.
    let second = placed_and_paid(app, "SHIP-UNIQ-2").await;
    let (_, body) = app
        .gql_raw(
            Some(&app.admin),
            CREATE,
            json!({"i": shipment_input(&second, "SF2000001", "2099-01-01T00:00:00Z")}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_STATE");
    assert_eq!(
        body["errors"][0]["extensions"]["reason"],
        "tracking_number_in_use"
    );
    // Another carrier may use the same number.
    let mut other = shipment_input(&second, "SF2000001", "2099-01-01T00:00:00Z");
    other["carrier"] = json!("zto");
    app.gql(CREATE, json!({"i": other})).await;
    let mut bad = shipment_input(&second, "SF2000002", "2099-01-01T00:00:00Z");
    bad["lines"] = json!([]);
    assert_eq!(
        app.gql_error(&app.admin, CREATE, json!({"i": bad})).await,
        "INVALID_INPUT"
    );
}
on_both_backends!(tracking_numbers_are_unique_among_active_shipments);

async fn post_webhook(
    app: &TestApp,
    carrier: &str,
    body: &str,
    secret: Option<&str>,
    timestamp: i64,
) -> (u16, Value) {
    let mut req = app
        .client
        .post(app.url(&format!("/webhooks/carriers/{carrier}")))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(secret) = secret {
        req = req
            .header("x-waybill-timestamp", timestamp.to_string())
            .header(
                "x-waybill-signature",
                sign(secret.as_bytes(), timestamp, body.as_bytes()),
            );
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn carriers_push_signed_scans(app: &TestApp) {
    let order_id = placed_and_paid(app, "SHIP-HOOK-1").await;
    let created = app
        .gql(
            CREATE,
            json!({"i": shipment_input(&order_id, "SF3000001", "2099-01-01T00:00:00Z")}),
        )
        .await;
    let sid = created["createShipment"]["shipmentId"]
        .as_str()
        .unwrap()
        .to_string();
    shipment(app, &sid, wide(&created["createShipment"]["position"])).await;
    let body = json!({"scans": [
        {"tracking_number": "SF3000001", "carrier_event_id": "e-1", "status": "in_transit", "occurred_at": "2026-11-20T10:00:00Z", "location": "Hub"},
        {"tracking_number": "SF3000001", "status": "delivery_attempt_failed", "occurred_at": "2026-11-21T10:00:00Z",
         "details": {"type": "attempt_failed", "reason": "nobody home", "next_attempt_at": "2026-11-22T10:00:00Z"}}
    ]})
    .to_string();
    let now = chrono::Utc::now().timestamp();
    // No secret configured yet.
    assert_eq!(
        post_webhook(app, "sf_express", &body, Some("x"), now)
            .await
            .0,
        401
    );
    let secret = app
        .gql(
            "mutation { rotateCarrierWebhookSecret(carrier: \"sf_express\") }",
            json!({}),
        )
        .await["rotateCarrierWebhookSecret"]
        .as_str()
        .unwrap()
        .to_string();
    let count = app.event_count().await;
    for (status, reason) in [
        (
            post_webhook(app, "sf_express", &body, None, now).await,
            "unsigned",
        ),
        (
            post_webhook(app, "sf_express", &body, Some("wrong"), now).await,
            "wrong secret",
        ),
        (
            post_webhook(app, "sf_express", &body, Some(&secret), now - 3600).await,
            "stale",
        ),
        (
            post_webhook(
                app,
                "sf_express",
                "{\"scans\": [{\"nope\": 1}]}",
                Some(&secret),
                now,
            )
            .await,
            "malformed",
        ),
        (
            post_webhook(app, "no_such_carrier", &body, Some(&secret), now).await,
            "unknown carrier",
        ),
    ] {
        assert!((400..500).contains(&status.0), "{reason}: {status:?}");
        assert!(
            status.1["error"]["reason"]
                .as_str()
                .is_some_and(|r| !r.is_empty()),
            "{reason}: {status:?}"
        );
    }
    assert_eq!(
        app.event_count().await,
        count,
        "rejected webhooks store nothing"
    );

    let (status, reply) = post_webhook(app, "sf_express", &body, Some(&secret), now).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["recorded"], 2);
    let p = reply["results"][1]["position"].as_i64().expect("position");
    let (status, reply) = post_webhook(app, "sf_express", &body, Some(&secret), now).await;
    assert_eq!(
        (
            status,
            reply["recorded"].clone(),
            reply["duplicates"].clone()
        ),
        (200, json!(0), json!(2))
    );
    let s = shipment(app, &sid, p).await;
    assert_eq!(s["status"], "delivery_attempt_failed");
    assert_eq!(s["failedAttempts"], 1);

    // One unknown number does not refuse the batch: 200, an answer per scan, the new
    // checkpoint stored (+1 event), the resent one a duplicate.
    let count = waybill_tests::event_count_of(&app.test_db.db, "Shipment").await;
    let mixed = json!({"scans": [
        {"tracking_number": "SF3000001", "carrier_event_id": "e-2", "status": "out_for_delivery", "occurred_at": "2026-11-22T08:00:00Z"},
        {"tracking_number": "SF3999999", "carrier_event_id": "x-1", "status": "in_transit", "occurred_at": "2026-11-22T08:00:00Z"},
        {"tracking_number": "SF3000001", "carrier_event_id": "e-1", "status": "in_transit", "occurred_at": "2026-11-20T10:00:00Z", "location": "Hub"}
    ]})
    .to_string();
    let (status, reply) = post_webhook(app, "sf_express", &mixed, Some(&secret), now).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        (
            &reply["recorded"],
            &reply["unknown"],
            &reply["duplicates"],
            &reply["rejected"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(0)),
        "{reply}"
    );
    let outcomes: Vec<_> = reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["recorded", "unknown", "duplicate"]);
    assert_eq!(reply["results"][1]["tracking_number"], "SF3999999");
    assert_eq!(reply["results"][1]["reason"], "unknown_tracking_number");
    assert_eq!(
        waybill_tests::event_count_of(&app.test_db.db, "Shipment").await,
        count + 1
    );
}
on_both_backends!(carriers_push_signed_scans);

async fn subscribers_see_a_webhook_scan_within_a_second(app: &TestApp) {
    let order_id = placed_and_paid(app, "SHIP-LIVE-1").await;
    let created = app
        .gql(
            CREATE,
            json!({"i": shipment_input(&order_id, "SF4000001", "2099-01-01T00:00:00Z")}),
        )
        .await;
    let sid = created["createShipment"]["shipmentId"]
        .as_str()
        .unwrap()
        .to_string();
    shipment(app, &sid, wide(&created["createShipment"]["position"])).await;
    let secret = app
        .gql(
            "mutation { rotateCarrierWebhookSecret(carrier: \"sf_express\") }",
            json!({}),
        )
        .await["rotateCarrierWebhookSecret"]
        .as_str()
        .unwrap()
        .to_string();
    let mut sub = Subscription::start(
        app.address,
        &app.admin,
        "subscription($id: String!) { shipmentUpdated(id: $id) { status checkpoints { status } } }",
        json!({"id": sid}),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let body = json!({"scans": [{"tracking_number": "SF4000001", "carrier_event_id": "live-1", "status": "in_transit", "occurred_at": "2026-11-20T10:00:00Z"}]}).to_string();
    let sent = Instant::now();
    assert_eq!(
        post_webhook(
            app,
            "sf_express",
            &body,
            Some(&secret),
            chrono::Utc::now().timestamp()
        )
        .await
        .0,
        200
    );
    let update = sub
        .next_data(Duration::from_secs(1))
        .await
        .expect("an update within one second");
    assert_eq!(
        update["shipmentUpdated"]["status"], "in_transit",
        "{update}"
    );
    assert!(sent.elapsed() < Duration::from_secs(1));
}
on_both_backends!(subscribers_see_a_webhook_scan_within_a_second);

async fn the_board_and_the_scorecard(app: &TestApp) {
    let order_id = placed_and_paid(app, "SHIP-BOARD-1").await;
    // One late (promised yesterday, not delivered), one on time.
    let late = app
        .gql(
            CREATE,
            json!({"i": shipment_input(&order_id, "SF5000001", "2020-01-01T00:00:00Z")}),
        )
        .await;
    let second = placed_and_paid(app, "SHIP-BOARD-2").await;
    let on_time = app
        .gql(
            CREATE,
            json!({"i": shipment_input(&second, "SF5000002", "2099-01-01T00:00:00Z")}),
        )
        .await;
    let on_time_id = on_time["createShipment"]["shipmentId"]
        .as_str()
        .unwrap()
        .to_string();
    for id in [&on_time_id] {
        for step in ["pickShipment", "packShipment", "handOverShipment"] {
            app.gql(&format!("mutation($id: String!) {{ {step}(shipmentId: $id, staff: \"s1\") {{ position }} }}"), json!({"id": id})).await;
        }
    }
    let scans = json!([
        {"trackingNumber": "SF5000002", "eventId": "b-1", "status": "delivery_attempt_failed", "occurredAt": "2026-11-21T09:00:00Z"},
        {"trackingNumber": "SF5000002", "eventId": "b-2", "status": "delivered", "occurredAt": "2026-11-22T09:00:00Z"}
    ]);
    let rec = app.gql(SCANS, json!({"c": "sf_express", "s": scans})).await;
    let p = wide(&rec["recordTrackingScans"][1]["position"]);
    shipment(app, &on_time_id, p).await;
    let board = app.gql("{ warehouseBoard(warehouseId: \"WH-HZ\") { byStatus { status count } late { shipmentId lateReason } deliveredOnTime deliveredLate } }", json!({})).await;
    let b = &board["warehouseBoard"];
    assert_eq!(b["late"].as_array().unwrap().len(), 1);
    assert_eq!(
        b["late"][0]["shipmentId"],
        late["createShipment"]["shipmentId"]
    );
    assert_eq!(b["late"][0]["lateReason"], "not_delivered");
    assert_eq!(b["deliveredOnTime"], 1);
    let card = app.gql("{ carrierScorecard(from: \"2000-01-01T00:00:00Z\", to: \"2100-01-01T00:00:00Z\") { carrier shipments delivered onTimeRate failedAttemptRate exceptionRate } }", json!({})).await;
    let sf = &card["carrierScorecard"][0];
    assert_eq!(
        (
            sf["carrier"].as_str(),
            sf["shipments"].as_i64(),
            sf["delivered"].as_i64()
        ),
        (Some("sf_express"), Some(2), Some(1))
    );
    assert_eq!(sf["onTimeRate"], 1.0);
    assert_eq!(sf["failedAttemptRate"], 0.5);
    assert_eq!(sf["exceptionRate"], 0.0);
}
on_both_backends!(the_board_and_the_scorecard);

/// Personal data on shipments and orders: agents and admins see it, warehouse staff see the
/// name and address only, auditors and integrators see it masked.
async fn addresses_are_shown_as_each_role_may_see_them(app: &TestApp) {
    let order_id = placed_and_paid(app, "SHIP-PII-1").await;
    let created = app
        .gql(
            CREATE,
            json!({"i": shipment_input(&order_id, "SF6000001", "2099-01-01T00:00:00Z")}),
        )
        .await;
    let sid = created["createShipment"]["shipmentId"]
        .as_str()
        .unwrap()
        .to_string();
    let p = wide(&created["createShipment"]["position"]);
    let q =
        "query($id: String!, $p: Int64) { shipment(id: $id, consistentWith: $p) { destination } }";
    let oq = "query($id: String!) { order(id: $id) { shippingAddress } }";
    for (role, recipient, phone) in [
        (Role::Agent, "Li Lei", Some("13800000000")),
        (Role::Warehouse, "Li Lei", None),
        (Role::Auditor, "L* L**", Some("138****0000")),
        (Role::Integrator, "L* L**", Some("138****0000")),
    ] {
        let key = app.key(role).await;
        let s = app.gql_as(&key, q, json!({"id": sid, "p": p})).await;
        let d = &s["shipment"]["destination"];
        assert_eq!(
            (d["recipient"].as_str(), d["phone"].as_str()),
            (Some(recipient), phone),
            "{role}: {d}"
        );
        let o = app.gql_as(&key, oq, json!({"id": order_id})).await;
        let a = &o["order"]["shippingAddress"];
        assert_eq!(
            (a["recipient"].as_str(), a["phone"].as_str()),
            (Some(recipient), phone),
            "{role}: {a}"
        );
    }
}
on_both_backends!(addresses_are_shown_as_each_role_may_see_them);

/// The Customer 360 counts the customer's shipments and their delivery problems.
async fn customer_360_shows_delivery_problems(app: &TestApp) {
    app.gql(
        "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { position } }",
        json!({"i": {"customerId": "c-9", "acquisitionChannel": "JD", "name": "Li Lei", "phone": "13800000000",
               "email": "lilei@example.com", "birthday": "1990-05-17", "city": "Hangzhou",
               "preferredContact": "PHONE", "registeredAt": "2026-01-01T00:00:00Z"}}),
    )
    .await;
    let order_id = placed_and_paid(app, "SHIP-360-1").await;
    let late = app
        .gql(
            CREATE,
            json!({"i": shipment_input(&order_id, "SF7000001", "2020-01-01T00:00:00Z")}),
        )
        .await;
    let second = placed_and_paid(app, "SHIP-360-2").await;
    let failed = app
        .gql(
            CREATE,
            json!({"i": shipment_input(&second, "SF7000002", "2099-01-01T00:00:00Z")}),
        )
        .await;
    let fid = failed["createShipment"]["shipmentId"]
        .as_str()
        .unwrap()
        .to_string();
    shipment(
        app,
        late["createShipment"]["shipmentId"].as_str().unwrap(),
        wide(&late["createShipment"]["position"]),
    )
    .await;
    shipment(app, &fid, wide(&failed["createShipment"]["position"])).await;
    let scans = json!([{"trackingNumber": "SF7000002", "eventId": "f-1", "status": "delivery_attempt_failed", "occurredAt": "2026-11-21T09:00:00Z"}]);
    let rec = app.gql(SCANS, json!({"c": "sf_express", "s": scans})).await;
    shipment(app, &fid, wide(&rec["recordTrackingScans"][0]["position"])).await;
    let c = app.gql("{ customer(id: \"c-9\") { deliveries { shipments delivered late withFailedAttempts withExceptions } } }", json!({})).await;
    let d = &c["customer"]["deliveries"];
    assert_eq!(
        (
            d["shipments"].as_i64(),
            d["late"].as_i64(),
            d["withFailedAttempts"].as_i64()
        ),
        (Some(2), Some(1), Some(1)),
        "{d}"
    );
}
on_both_backends!(customer_360_shows_delivery_problems);
