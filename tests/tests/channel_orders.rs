//! Channel orders over HTTP, on both backends: the channel's amounts recorded as facts with
//! their per-line allocation, re-sends that changed refused instead of replayed, and the
//! amendments (address, delivery, lines) with who and why, in the read model, the history
//! and time travel.

use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::{on_both_backends, TestApp};

const ORDER: &str = "query($id: String!, $p: Int64) { order(id: $id, consistentWith: $p) { id status pricedBy version shippingAddress delivery refundOwed lines { sku quantity lineTotal discount paid discounts { kind label amount } } totals { subtotal discount shippingFee grandTotal byPromotion { kind label amountOff allocation { sku amount } } } amendments { kind reason actorRole actorKeyId version } } }";
const ADDRESS: &str = "mutation($id: String!, $a: AddressInput!, $r: String!) { changeOrderShippingAddress(orderId: $id, address: $a, reason: $r) { position streamVersion } }";
const DELIVERY: &str = "mutation($id: String!, $d: DeliveryInput!, $r: String!) { changeOrderDelivery(orderId: $id, delivery: $d, reason: $r) { position streamVersion } }";
const AMEND: &str = "mutation($id: String!, $i: AmendOrderLinesInput!) { amendOrderLines(orderId: $id, input: $i) { position streamVersion } }";

/// Money fields are string-encoded `MinorUnits`; older ones may still be numbers.
fn amount(v: &Value) -> i64 {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not an amount: {v}"))
}

fn pos(v: &Value) -> i64 {
    amount(&v["position"])
}

/// The first error's code and reason.
async fn refused(app: &TestApp, token: &str, query: &str, vars: Value) -> (String, String) {
    let (_, body) = app.gql_raw(Some(token), query, vars).await;
    let ext = &body["errors"][0]["extensions"];
    (
        ext["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error, got {body}"))
            .to_string(),
        ext["reason"].as_str().unwrap_or("").to_string(),
    )
}

async fn order_at(app: &TestApp, id: &str, position: i64) -> Value {
    app.gql(ORDER, json!({"id": id, "p": position})).await["order"].clone()
}

fn half_price(amount_off: i64) -> Value {
    json!({"promotion": {"percentageDiscount": {"name": "五折", "percent": 50}}, "amountOff": amount_off.to_string()})
}

fn hundred_minus_ten(amount_off: i64) -> Value {
    json!({"promotion": {"thresholdReduction": {"name": "满100减10", "threshold": 10000, "reduction": 1000}}, "amountOff": amount_off.to_string()})
}

/// The fixture order (TEA-1 2 × 5,000 + CUP-1 1 × 3,000 = 13,000, 800 shipping) on Taobao,
/// with 五折 (6,500) and then 满100减10 (1,000) both checked on the list price, as Taobao
/// does: paid 13,000 − 7,500 + 800 = 6,300. Waybill's own rule order would refuse 满100减10
/// (6,500 left < 10,000).
///
/// Allocation: 五折 6,500 over 10,000 : 3,000 → 5,000 / 1,500 exactly; 满100减10 1,000 over
/// what is left, 5,000 : 1,500 → 769.23 / 230.77; the larger remainder (CUP) takes the
/// missing unit: 769 / 231. Paid per line: TEA 10,000 − 5,769 = 4,231, CUP 3,000 − 1,731 =
/// 1,269 (together 5,500 = 13,000 − 7,500).
async fn channel_amounts_are_facts(app: &TestApp) {
    let mut input = order_input("TAOBAO", "TB-FACT-1", "cust-c");
    input["channelPromotions"] = json!([half_price(6_500), hundred_minus_ten(1_000)]);
    input["paidTotal"] = json!("6300");
    let placed = app.gql(PLACE, json!({"i": input})).await["placeOrder"].clone();
    let id = placed["orderId"].as_str().unwrap().to_string();
    let o = order_at(app, &id, pos(&placed)).await;
    assert_eq!(o["pricedBy"], "channel");
    assert_eq!(amount(&o["totals"]["subtotal"]), 13_000);
    assert_eq!(amount(&o["totals"]["discount"]), 7_500);
    assert_eq!(amount(&o["totals"]["grandTotal"]), 6_300);
    let by: Vec<(i64, Vec<(String, i64)>)> = o["totals"]["byPromotion"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let split = p["allocation"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (a["sku"].as_str().unwrap().to_string(), amount(&a["amount"])))
                .collect();
            (amount(&p["amountOff"]), split)
        })
        .collect();
    assert_eq!(
        by,
        vec![
            (
                6_500,
                vec![("TEA-1".to_string(), 5_000), ("CUP-1".to_string(), 1_500)]
            ),
            (
                1_000,
                vec![("TEA-1".to_string(), 769), ("CUP-1".to_string(), 231)]
            ),
        ]
    );
    let paid: Vec<(i64, i64)> = o["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (amount(&l["discount"]), amount(&l["paid"])))
        .collect();
    assert_eq!(paid, vec![(5_769, 4_231), (1_731, 1_269)]);
    assert_eq!(o["lines"][1]["discounts"][1]["label"], "满100减10");
    assert_eq!(amount(&o["lines"][1]["discounts"][1]["amount"]), 231);

    // The same promotions priced by Waybill's own rules are refused by its rule order.
    let count = app.event_count().await;
    let mut own = order_input("OWN_WEB_SHOP", "WEB-FACT-1", "cust-c");
    own["promotions"] = json!([
        {"percentageDiscount": {"name": "五折", "percent": 50}},
        {"thresholdReduction": {"name": "满100减10", "threshold": 10000, "reduction": 1000}}
    ]);
    let admin = app.admin.clone();
    assert_eq!(
        refused(app, &admin, PLACE, json!({"i": own})).await,
        ("INVALID_INPUT".into(), "promotion".into())
    );

    // Inconsistent channel amounts are refused with their reason, never capped.
    let with = |external: &str, promotions: Value, paid: Option<&str>| {
        let mut input = order_input("JD", external, "cust-c");
        input["channelPromotions"] = promotions;
        if let Some(paid) = paid {
            input["paidTotal"] = json!(paid);
        }
        json!({"i": input})
    };
    let coupon = |amount_off: i64| json!([{"promotion": {"fixedCoupon": {"code": "BIG", "amount": 14000}}, "amountOff": amount_off.to_string()}]);
    let cases = [
        (
            with("JD-BAD-1", coupon(14_000), None),
            "discount_exceeds_base",
        ),
        (with("JD-BAD-2", coupon(-1), None), "negative_discount"),
        (
            with("JD-BAD-3", coupon(1_000), Some("12000")),
            "paid_total_mismatch",
        ),
        (
            with(
                "JD-BAD-4",
                json!([{"promotion": {"fixedCoupon": {"code": "C", "amount": 1000}}, "amountOff": "1000",
                         "lines": [{"sku": "TEA-1", "amount": "600"}, {"sku": "CUP-1", "amount": "300"}]}]),
                None,
            ),
            "allocation_mismatch",
        ),
    ];
    for (vars, reason) in cases {
        assert_eq!(
            refused(app, &admin, PLACE, vars.clone()).await,
            ("INVALID_INPUT".into(), reason.into()),
            "{vars}"
        );
    }
    let mut unpriced = order_input("PINDUODUO", "PDD-BAD-1", "cust-c");
    unpriced["promotions"] = json!([{"fixedCoupon": {"code": "C", "amount": 1000}}]);
    assert_eq!(
        refused(app, &admin, PLACE, json!({"i": unpriced})).await,
        ("INVALID_INPUT".into(), "channel_amounts_required".into())
    );
    assert_eq!(app.event_count().await, count, "no refused order may write");

    // A channel's own split is kept as stated when it sums exactly.
    let vars = with(
        "JD-SPLIT-1",
        json!([{"promotion": {"fixedCoupon": {"code": "C", "amount": 1000}}, "amountOff": "1000",
                 "lines": [{"sku": "CUP-1", "amount": "400"}, {"sku": "TEA-1", "amount": "600"}]}]),
        Some("12800"),
    );
    let placed = app.gql(PLACE, vars).await["placeOrder"].clone();
    let o = order_at(app, placed["orderId"].as_str().unwrap(), pos(&placed)).await;
    assert_eq!(
        o["totals"]["byPromotion"][0]["allocation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| amount(&a["amount"]))
            .collect::<Vec<_>>(),
        vec![600, 400],
        "stored in line order"
    );
}
on_both_backends!(channel_amounts_are_facts);

/// A re-send with other content is refused, not replayed; amendments change the address,
/// the delivery and the lines, each with who and why, until their cut-off.
async fn resends_and_amendments(app: &TestApp) {
    let agent = app.key(Role::Agent).await;
    let warehouse = app.key(Role::Warehouse).await;
    let auditor = app.key(Role::Auditor).await;
    let input = order_input("JD", "JD-AMEND-1", "cust-a");
    let placed = app.gql(PLACE, json!({"i": input})).await["placeOrder"].clone();
    let id = placed["orderId"].as_str().unwrap().to_string();

    // The same content again is a replay; other content is refused and writes nothing.
    let again = app.gql(PLACE, json!({"i": input})).await["placeOrder"].clone();
    assert_eq!(again["replayed"], true);
    assert_eq!(again["orderId"], id.as_str());
    let count = app.event_count().await;
    let mut changed = input.clone();
    changed["shippingFee"] = json!(0);
    let admin = app.admin.clone();
    assert_eq!(
        refused(app, &admin, PLACE, json!({"i": changed})).await,
        ("INVALID_INPUT".into(), "channel_order_changed".into())
    );
    assert_eq!(app.event_count().await, count);

    // The buyer moved: an agent changes the address, with a reason.
    let mut address = input["shippingAddress"].clone();
    address["street"] = json!("88 Wensan Road");
    let vars = json!({"id": id, "a": address, "r": "buyer moved"});
    assert_eq!(
        refused(app, &warehouse, ADDRESS, vars.clone()).await.0,
        "FORBIDDEN"
    );
    let moved = app.gql_as(&agent, ADDRESS, vars).await["changeOrderShippingAddress"].clone();
    // Collect at a locker instead.
    let delivery = json!({"mode": "SELF_PICKUP", "pickupPoint": "菜鸟驿站 0042"});
    app.gql_as(
        &agent,
        DELIVERY,
        json!({"id": id, "d": delivery, "r": "buyer will collect"}),
    )
    .await;
    // One tea less: 5,000 + 3,000 = 8,000, + 800 = 8,800.
    let amended = app
        .gql_as(
            &agent,
            AMEND,
            json!({"id": id, "i": {"lines": [{"sku": "TEA-1", "quantity": 1}], "reason": "seller out of stock"}}),
        )
        .await["amendOrderLines"]
        .clone();
    let o = order_at(app, &id, pos(&amended)).await;
    assert_eq!(o["shippingAddress"]["street"], "88 Wensan Road");
    assert_eq!(
        o["delivery"],
        json!({"mode": "self_pickup", "pickup_point": "菜鸟驿站 0042"})
    );
    assert_eq!(o["lines"][0]["quantity"], 1);
    assert_eq!(amount(&o["totals"]["subtotal"]), 8_000);
    assert_eq!(amount(&o["totals"]["grandTotal"]), 8_800);
    let kinds: Vec<(&str, &str, &str)> = o["amendments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap(),
                a["reason"].as_str().unwrap(),
                a["actorRole"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("shipping_address", "buyer moved", "agent"),
            ("delivery", "buyer will collect", "agent"),
            ("lines", "seller out of stock", "agent"),
        ]
    );
    assert_eq!(o["amendments"][0]["version"], moved["streamVersion"]);

    // The history and time travel show them.
    let history = app
        .gql_as(&auditor, "query($id: String!) { streamHistory(streamType: \"Order\", streamId: $id) { events { eventType payload metadata } } }", json!({"id": id}))
        .await;
    let events = history["streamHistory"]["events"].as_array().unwrap();
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec![
            "OrderPlaced",
            "ShippingAddressChanged",
            "DeliveryChanged",
            "OrderLinesAmended"
        ]
    );
    assert_eq!(events[3]["metadata"]["actor_role"], "agent");
    assert_eq!(
        events[3]["payload"]["OrderLinesAmended"]["reason"],
        "seller out of stock"
    );
    let as_of = "query($id: String!, $v: Int64) { stateAsOf(streamType: \"Order\", streamId: $id, version: $v) { state } }";
    let tea_units = |v: &Value| {
        let s = &v["stateAsOf"]["state"];
        let s = if s.get("state").is_some() {
            &s["state"]
        } else {
            s
        };
        s["lines"][0]["quantity"].as_i64().unwrap()
    };
    assert_eq!(
        tea_units(&app.gql_as(&auditor, as_of, json!({"id": id, "v": 3})).await),
        2
    );
    assert_eq!(
        tea_units(&app.gql_as(&auditor, as_of, json!({"id": id, "v": 4})).await),
        1
    );

    // Refusals write nothing: increases, every line, no reason, after allocation, after
    // handover.
    let count = app.event_count().await;
    for (lines, reason, code, why) in [
        (
            json!([{"sku": "TEA-1", "quantity": 3}]),
            "x",
            "INVALID_INPUT",
            "amendment_increases_line",
        ),
        (
            json!([{"sku": "TEA-1", "quantity": 0}, {"sku": "CUP-1", "quantity": 0}]),
            "x",
            "INVALID_INPUT",
            "amendment_removes_every_line",
        ),
        (
            json!([{"sku": "TEA-1", "quantity": 1}]),
            "x",
            "INVALID_INPUT",
            "nothing_to_amend",
        ),
    ] {
        assert_eq!(
            refused(
                app,
                &agent,
                AMEND,
                json!({"id": id, "i": {"lines": lines, "reason": reason}})
            )
            .await,
            (code.to_string(), why.to_string())
        );
    }
    assert_eq!(
        refused(
            app,
            &agent,
            AMEND,
            json!({"id": id, "i": {"lines": [], "reason": "  "}})
        )
        .await
        .0,
        "INVALID_INPUT"
    );
    app.gql("mutation($id: String!) { allocateOrder(orderId: $id, warehouseId: \"WH-1\") { position } }", json!({"id": id})).await;
    assert_eq!(
        refused(
            app,
            &agent,
            AMEND,
            json!({"id": id, "i": {"lines": [{"sku": "CUP-1", "quantity": 0}], "reason": "x"}})
        )
        .await,
        ("INVALID_STATE".into(), "lines_locked".into())
    );
    app.gql("mutation($id: String!) { fulfilOrder(orderId: $id, shipmentReference: \"SHP-1\", lines: [{sku: \"TEA-1\", quantity: 1}]) { position } }", json!({"id": id})).await;
    let count_after = app.event_count().await;
    assert_eq!(count_after, count + 2);
    assert_eq!(
        refused(
            app,
            &agent,
            ADDRESS,
            json!({"id": id, "a": address, "r": "again"})
        )
        .await,
        ("INVALID_STATE".into(), "already_shipped".into())
    );
    assert_eq!(
        refused(
            app,
            &agent,
            DELIVERY,
            json!({"id": id, "d": {"mode": "EXPRESS"}, "r": "again"})
        )
        .await,
        ("INVALID_STATE".into(), "already_shipped".into())
    );
    assert_eq!(app.event_count().await, count_after);
}
on_both_backends!(resends_and_amendments);
