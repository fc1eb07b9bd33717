//! Refunds over HTTP, on both backends: refusals with their reasons, idempotency keys, and
//! concurrent refunds that never exceed what was captured.

use chrono::{Duration, Utc};
use futures::future::join_all;
use serde_json::{json, Value};
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::returns::*;
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

/// Refunds that do not fit are refused with a code and a reason, and write nothing.
async fn refund_rejections(app: &TestApp) {
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
    let tea = |n: i64| json!([{"sku": "TEA-1", "quantity": n}]);

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
on_both_backends!(refund_rejections);

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

    // Two returns on one discounted order: Douyin's 20.00 coupon → 118.00 due, 110.00
    // captured so far. At the price paid the coupon splits 1,538.46 / 461.54 over the teas
    // (10,000) and the cup (3,000) → 1,538 / 462 (larger remainder: the cup), so the teas are
    // worth 84.62 and the cup with shipping 25.38 + 8.00 = 33.38. Each fits; together
    // (118.00) they do not.
    let mut input = order_input("DOUYIN", "CONC-RF-3", "cust-r");
    input["channelPromotions"] = json!([{"promotion": {"fixedCoupon": {"code": "SAVE20", "amount": "2000"}}, "amountOff": "2000"}]);
    let order_id = order_with(app, input, "WH-HZ", 11_000, None, Some(&delivered)).await;
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
            json!({"amount": "8462", "method": "alipay", "reference": "T-1"}),
        ),
        (
            &k.agent2,
            cup.clone(),
            json!({"amount": "3338", "includeShipping": true, "method": "alipay", "reference": "C-1"}),
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
    assert_eq!(o["payment"]["captured"], "11000");
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

/// Places an own web shop order with `lines` and `promotions` (no shipping unless given),
/// captures `capture`, allocates, ships `shipped` and delivers it yesterday.
async fn delivered_own_order(
    app: &TestApp,
    external: &str,
    lines: Value,
    promotions: Value,
    shipping_fee: i64,
    capture: i64,
    shipped: Value,
) -> String {
    let mut input = order_input("OWN_WEB_SHOP", external, "cust-p");
    input["lines"] = lines;
    input["promotions"] = promotions;
    input["shippingFee"] = json!(shipping_fee);
    let placed = step(app, &app.admin, PLACE, json!({"i": input})).await;
    let id = placed["orderId"].as_str().unwrap().to_string();
    app.gql(CAPTURE, json!({"id": id, "a": capture})).await;
    app.gql(ALLOCATE, json!({"id": id, "w": "WH-HZ"})).await;
    app.gql(
        "mutation($id: String!, $l: [FulfilLineInput!]!) { fulfilOrder(orderId: $id, shipmentReference: \"SHP-1\", lines: $l) { position } }",
        json!({"id": id, "l": shipped}),
    )
    .await;
    let yesterday = iso(Utc::now() - Duration::days(1));
    app.gql(DELIVER, json!({"id": id, "at": yesterday})).await;
    id
}

/// Requests, approves and receives a return of `units` × `sku`; returns the return as read.
async fn received_return(app: &TestApp, k: &Keys, order_id: &str, sku: &str, units: i64) -> Value {
    let requested = request(
        app,
        &k.agent,
        request_input(
            order_id,
            json!([{"sku": sku, "quantity": units}]),
            "DAMAGED",
            "REFUND",
        ),
    )
    .await;
    let rid = id_of(&requested);
    step(app, &k.agent, APPROVE, json!({"id": rid})).await;
    let received = step(
        app,
        &k.warehouse,
        RECEIVE,
        json!({"id": rid, "w": "WH-HZ", "l": [{"sku": sku, "receivedQuantity": units}]}),
    )
    .await;
    return_at(app, &k.agent, &rid, pos(&received)).await
}

/// A unit refunds its share of what was paid for its line, not its list price; shipping
/// is refundable once per order.
async fn refunds_follow_the_price_paid(app: &TestApp) {
    let k = keys(app).await;
    // 2 × 100.00 with 满200减50 and 8.00 shipping: 150.00 for the goods, 158.00 paid. One
    // unit is worth 75.00, not 100.00.
    let order_id = delivered_own_order(
        app,
        "WEB-PAID-1",
        json!([{"sku": "TEA-1", "name": "Tea", "quantity": 2, "unitPrice": 10000}]),
        json!([{"thresholdReduction": {"name": "满200减50", "threshold": 20000, "reduction": 5000}}]),
        800,
        15_800,
        json!([{"sku": "TEA-1", "quantity": 2}]),
    )
    .await;
    let first = received_return(app, &k, &order_id, "TEA-1", 1).await;
    let rid = first["id"].as_str().unwrap().to_string();
    assert_eq!(first["returnValue"], "7500");
    assert_eq!(
        first["lines"][0]["unitPrice"], "10000",
        "the list price is shown"
    );
    assert_eq!(first["shippingFee"], "800");
    let count = app.event_count().await;
    let (code, reason) = refused(
        app,
        &k.agent,
        REFUND,
        json!({"id": rid, "i": {"amount": 10000, "method": "alipay", "reference": "PP-X"}}),
    )
    .await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("refund_exceeds_return_value"))
    );
    assert_eq!(app.event_count().await, count);
    step(app, &k.agent, REFUND, json!({"id": rid, "i": {"amount": 8300, "includeShipping": true, "method": "alipay", "reference": "PP-1"}})).await;

    // The second unit's return offers no shipping, and the order refuses it a second time.
    let second = received_return(app, &k, &order_id, "TEA-1", 1).await;
    let rid = second["id"].as_str().unwrap().to_string();
    assert_eq!(second["returnValue"], "7500");
    assert_eq!(second["shippingFee"], "0");
    let count = app.event_count().await;
    let (code, reason) = refused(app, &k.agent, REFUND, json!({"id": rid, "i": {"amount": 7500, "includeShipping": true, "method": "alipay", "reference": "PP-2"}})).await;
    assert_eq!(
        (code.as_str(), reason.as_deref()),
        ("INVALID_STATE", Some("shipping_already_refunded"))
    );
    assert_eq!(app.event_count().await, count);
    let last = step(
        app,
        &k.agent,
        REFUND,
        json!({"id": rid, "i": {"amount": 7500, "method": "alipay", "reference": "PP-2"}}),
    )
    .await;
    let o = order_at(app, &k.auditor, &order_id, pos(&last)).await;
    assert_eq!(
        o["payment"]["refunded"], "15800",
        "every unit and shipping once"
    );
    assert_eq!(o["payment"]["netPaid"], "0");

    // Odd amounts under three kinds: TEA-1 3 × 33.33 + CUP-1 1 × 10.01 = 110.00; member
    // price CUP-1 9.01 (−1.00, the cup's), 10 % of 109.00 (−10.90: 10.00 / 0.90 by largest
    // remainder over 99.99 : 9.01), coupon 0.07 (0.06 / 0.01 over 89.99 : 8.11) → 98.03 paid:
    // TEA-1 89.93, CUP-1 8.10. TEA-1's units are floor(8,993 × k / 3): 29.97, then 29.98 and
    // 29.98, so its two returns are worth 29.97 and 59.96 and all three returns 98.03.
    let order_id = delivered_own_order(
        app,
        "WEB-PAID-2",
        json!([
            {"sku": "TEA-1", "name": "Tea", "quantity": 3, "unitPrice": 3333},
            {"sku": "CUP-1", "name": "Cup", "quantity": 1, "unitPrice": 1001}
        ]),
        json!([
            {"fixedCoupon": {"code": "SEVEN", "amount": 7}},
            {"percentageDiscount": {"name": "九折", "percent": 10}},
            {"memberPrice": {"sku": "CUP-1", "memberUnitPrice": 901}}
        ]),
        0,
        9_803,
        json!([{"sku": "TEA-1", "quantity": 3}, {"sku": "CUP-1", "quantity": 1}]),
    )
    .await;
    let one = received_return(app, &k, &order_id, "TEA-1", 1).await;
    let two = received_return(app, &k, &order_id, "TEA-1", 2).await;
    let cup = received_return(app, &k, &order_id, "CUP-1", 1).await;
    let values: Vec<i64> = [&one, &two, &cup]
        .iter()
        .map(|r| wide(&r["returnValue"]))
        .collect();
    assert_eq!(values, vec![2997, 5996, 810]);
    assert_eq!(values.iter().sum::<i64>(), 9_803);
}
on_both_backends!(refunds_follow_the_price_paid);
