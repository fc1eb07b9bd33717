//! Return requests, reviews and receipts over HTTP, on both backends: windows, what is still
//! returnable, steps out of order, unknown ids — each refusal with its code and reason.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use waybill_tests::returns::*;
use waybill_tests::{on_both_backends, TestApp};

/// Every refusal of a request, review or receipt has a code and a reason, and writes nothing.
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
}
on_both_backends!(return_rejections);

/// A return step that creates a shipment (a label, an exchange, a repaired item going back)
/// is decided on the return first: a step the return refuses leaves no shipment behind.
async fn a_refused_label_writes_no_shipment(app: &TestApp) {
    let k = keys(app).await;
    let delivered = order(
        app,
        "JD",
        "RET-LBL-1",
        "WH-SH",
        None,
        Some(&iso(Utc::now() - Duration::days(1))),
    )
    .await;
    let requested = request(
        app,
        &k.agent,
        request_input(
            &delivered,
            json!([{"sku": "TEA-1", "quantity": 1}]),
            "DAMAGED",
            "REFUND",
        ),
    )
    .await;
    let rid = id_of(&requested);
    step(app, &k.agent, APPROVE, json!({"id": rid})).await;
    step(app, &k.integrator, DROP_OFF, json!({"id": rid})).await;
    step(
        app,
        &k.warehouse,
        RECEIVE,
        json!({"id": rid, "w": "WH-SH", "l": [{"sku": "TEA-1", "receivedQuantity": 1}]}),
    )
    .await;
    let before = app.event_count().await;
    let (code, _) = refused(
        app,
        &k.agent,
        LABEL,
        json!({"id": rid, "c": "sf-express", "t": "SF-LATE-1"}),
    )
    .await;
    assert_eq!(code, "INVALID_STATE");
    assert_eq!(
        app.event_count().await,
        before,
        "neither a reverse shipment nor a label event"
    );
}

on_both_backends!(a_refused_label_writes_no_shipment);
