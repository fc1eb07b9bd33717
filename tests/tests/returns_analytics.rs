//! Warehouse return queues and return analytics over HTTP, on both backends, against figures
//! computed by hand.

use chrono::Utc;
use serde_json::json;
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::returns::*;
use waybill_tests::{on_both_backends, TestApp};

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
