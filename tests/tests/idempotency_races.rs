//! Idempotency under concurrency, over real HTTP: for every mutation that creates a stream or
//! moves money, twenty identical requests sent at once with one idempotency key write exactly
//! once, and all twenty get the same answer (one fresh, nineteen `replayed`).
//!
//! Steps of each race: set up what the mutation needs; send the same document with the same
//! variables twenty times concurrently; check that every answer names the same stream,
//! version and position and that exactly one is not a replay; count the events of the type
//! the mutation writes (by event type: background policies write other events meanwhile).

use futures::future::join_all;
use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

const RACERS: usize = 20;

const AUTHORISE: &str = "mutation($id: String!, $k: String, $a: MinorUnits!) { authorisePayment(orderId: $id, method: \"alipay\", reference: \"AUTH-1\", amount: $a, idempotencyKey: $k) { orderId streamVersion position replayed } }";
const CAPTURE: &str = "mutation($id: String!, $k: String, $a: MinorUnits!) { capturePayment(orderId: $id, method: \"alipay\", reference: \"CAP-1\", amount: $a, idempotencyKey: $k) { orderId streamVersion position replayed } }";
const RECORD_REFUND: &str = "mutation($id: String!, $k: String) { recordRefund(orderId: $id, amount: 500, method: \"alipay\", reference: \"GOODWILL-1\", reason: \"late delivery\", idempotencyKey: $k) { orderId streamVersion position replayed } }";
const ALLOCATE: &str =
    "mutation($id: String!) { allocateOrder(orderId: $id, warehouseId: \"WH-HZ\") { position } }";
const FULFIL_ALL: &str = "mutation($id: String!) { fulfilOrder(orderId: $id, shipmentReference: \"SHP-1\", lines: [{sku: \"TEA-1\", quantity: 2}, {sku: \"CUP-1\", quantity: 1}]) { position } }";
const DELIVER: &str = "mutation($id: String!) { markOrderDelivered(orderId: $id) { position } }";
const REQUEST_RETURN: &str = "mutation($i: RequestReturnInput!, $k: String) { requestReturn(input: $i, idempotencyKey: $k) { returnId streamVersion position replayed } }";
const APPROVE: &str =
    "mutation($id: String!) { approveReturn(returnId: $id, agent: \"agent-wang\") { position } }";
const LABEL: &str = "mutation($id: String!, $k: String) { issueReturnLabel(returnId: $id, carrier: \"sf-express\", trackingNumber: \"SF2000000001\", idempotencyKey: $k) { returnId streamVersion position replayed } }";
const REGISTER_SITE: &str = "mutation { registerSite(id: \"WH-HZ\", kind: WAREHOUSE, details: {name: \"Returns desk\", address: {recipient: \"Returns desk\", phone: \"+86 571 0000\", country: \"CN\", province: \"Zhejiang\", city: \"Hangzhou\", street: \"1 Dock Road\"}}) { position } }";
const REGISTER: &str = "mutation($i: RegisterCustomerInput!, $k: String) { registerCustomer(input: $i, idempotencyKey: $k) { customerId streamVersion position replayed } }";
const OPEN_CASE: &str = "mutation($i: OpenCaseInput!, $k: String) { openCase(input: $i, idempotencyKey: $k) { caseId streamVersion position replayed } }";
const CREATE_SHIPMENT: &str = "mutation($i: CreateShipmentInput!, $k: String) { createShipment(input: $i, idempotencyKey: $k) { shipmentId streamVersion position replayed } }";
const EARN: &str = "mutation($c: String!, $p: Int64!, $k: String) { earnPoints(customerId: $c, points: $p, reason: \"welcome\", idempotencyKey: $k) { customerId streamVersion position replayed } }";
const REDEEM: &str = "mutation($c: String!, $k: String) { redeemPoints(customerId: $c, points: 30, reason: \"voucher\", idempotencyKey: $k) { customerId streamVersion position replayed } }";
const ISSUE_COUPON: &str = "mutation($c: String!, $k: String) { issueCoupon(customerId: $c, input: {code: \"WELCOME-1\", amount: 1000, currency: \"CNY\", reason: \"welcome\"}, idempotencyKey: $k) { customerId streamVersion position replayed } }";

/// Sends `query` `RACERS` times at once; asserts one write answered twenty times alike.
/// Returns that answer.
async fn race(app: &TestApp, token: &str, query: &str, vars: Value, field: &str) -> Value {
    let results =
        join_all((0..RACERS).map(|_| app.gql_raw(Some(token), query, vars.clone()))).await;
    let answers: Vec<Value> = results
        .iter()
        .map(|(status, body)| {
            assert!(
                *status == 200 && body.get("errors").is_none(),
                "a racer failed ({status}): {body}"
            );
            body["data"][field].clone()
        })
        .collect();
    let fresh = answers.iter().filter(|a| a["replayed"] == false).count();
    assert_eq!(fresh, 1, "exactly one racer writes: {answers:?}");
    let without_replayed = |a: &Value| {
        let mut a = a.clone();
        a.as_object_mut().expect("an object").remove("replayed");
        a
    };
    let first = without_replayed(&answers[0]);
    assert!(
        answers.iter().all(|a| without_replayed(a) == first),
        "every racer gets the same stream, version and position: {answers:?}"
    );
    assert!(wide(&first["position"]) > 0, "{first}");
    first
}

/// Events of one type in the whole store.
async fn count(app: &TestApp, event_type: &str) -> i64 {
    waybill_projections::with_db!(&app.test_db.db, read pool =>
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE event_type = $1")
            .bind(event_type)
            .fetch_one(pool)
            .await
            .expect("count events"))
}

async fn place(app: &TestApp, external: &str) -> String {
    app.gql(PLACE, json!({"i": order_input("JD", external, "cust-r")}))
        .await["placeOrder"]["orderId"]
        .as_str()
        .expect("order id")
        .to_string()
}

async fn register(app: &TestApp, customer: &str) {
    app.gql(REGISTER, json!({"i": customer_input(customer)}))
        .await;
}

fn customer_input(customer: &str) -> Value {
    json!({"customerId": customer, "acquisitionChannel": "TMALL", "name": "Li Lei",
           "phone": "13800000000", "email": "lilei@example.com", "birthday": "1990-05-17",
           "city": "Hangzhou", "preferredContact": "WECHAT_OFFICIAL_ACCOUNT"})
}

fn case_input(customer: &str, subject: &str) -> Value {
    json!({"customerId": customer, "caseType": "AFTER_SALES", "channel": "PHONE",
           "subject": subject})
}

async fn place_order_once(app: &TestApp) {
    let vars = json!({"i": order_input("JD", "RACE-PLACE", "cust-r"), "k": "place-1"});
    race(app, &app.admin, PLACE, vars, "placeOrder").await;
    assert_eq!(count(app, "OrderPlaced").await, 1);
}
on_both_backends!(place_order_once);

async fn authorise_payment_once(app: &TestApp) {
    let id = place(app, "RACE-AUTH").await;
    let vars = json!({"id": id, "k": "auth-1", "a": 13_800});
    let answer = race(app, &app.admin, AUTHORISE, vars, "authorisePayment").await;
    assert_eq!(answer["streamVersion"], "2");
    assert_eq!(count(app, "PaymentAuthorised").await, 1);
}
on_both_backends!(authorise_payment_once);

async fn capture_payment_once(app: &TestApp) {
    let id = place(app, "RACE-CAPTURE").await;
    let vars = json!({"id": id, "k": "capture-1", "a": 5_000});
    race(app, &app.admin, CAPTURE, vars, "capturePayment").await;
    assert_eq!(count(app, "PaymentCaptured").await, 1);
}
on_both_backends!(capture_payment_once);

async fn record_refund_once(app: &TestApp) {
    let id = place(app, "RACE-REFUND").await;
    app.gql(CAPTURE, json!({"id": id, "a": 13_800})).await;
    let vars = json!({"id": id, "k": "refund-1"});
    race(app, &app.admin, RECORD_REFUND, vars, "recordRefund").await;
    assert_eq!(count(app, "RefundRecorded").await, 1);
}
on_both_backends!(record_refund_once);

/// The case id is minted by the server: derived from the key, so racers name one stream.
async fn open_case_once(app: &TestApp) {
    register(app, "cust-case").await;
    let agent = app.key(Role::Agent).await;
    let vars = json!({"i": case_input("cust-case", "tea arrived broken"), "k": "case-1"});
    race(app, &agent, OPEN_CASE, vars, "openCase").await;
    assert_eq!(count(app, "CaseOpened").await, 1);
}
on_both_backends!(open_case_once);

/// A placed, paid, shipped and delivered order.
async fn delivered(app: &TestApp, external: &str) -> String {
    let id = place(app, external).await;
    app.gql(CAPTURE, json!({"id": id, "a": 13_800})).await;
    app.gql(ALLOCATE, json!({"id": id})).await;
    app.gql(FULFIL_ALL, json!({"id": id})).await;
    app.gql(DELIVER, json!({"id": id})).await;
    id
}

/// One unit of two: a second return would fit, so only the key stops a second one.
async fn request_return_once(app: &TestApp) {
    let id = delivered(app, "RACE-RETURN").await;
    let input = json!({"orderId": id, "lines": [{"sku": "TEA-1", "quantity": 1}],
                       "reason": "DAMAGED", "requestedResolution": "REFUND"});
    let vars = json!({"i": input, "k": "return-1"});
    race(app, &app.admin, REQUEST_RETURN, vars, "requestReturn").await;
    assert_eq!(count(app, "ReturnRequested").await, 1);
}
on_both_backends!(request_return_once);

async fn register_customer_once(app: &TestApp) {
    let vars = json!({"i": customer_input("cust-race"), "k": "register-1"});
    race(app, &app.admin, REGISTER, vars, "registerCustomer").await;
    assert_eq!(count(app, "CustomerRegistered").await, 1);
}
on_both_backends!(register_customer_once);

/// No `shipmentId` in the input: the server mints it, from the key.
async fn create_shipment_once(app: &TestApp) {
    let order = place(app, "RACE-SHIP").await;
    let input = json!({
        "orderId": order,
        "warehouseId": "WH-HZ",
        "lines": [{"sku": "TEA-1", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}],
        "parcels": [{"weightGrams": 1200, "lengthMm": 300, "widthMm": 200, "heightMm": 100}],
        "delivery": {"mode": "EXPRESS"},
        "carrier": "sf_express",
        "trackingNumber": "SF1000000001",
        "destination": {"recipient": "Li Lei", "phone": "13800000000", "country": "CN",
                        "province": "Zhejiang", "city": "Hangzhou", "street": "1 West Lake Rd"}
    });
    let vars = json!({"i": input, "k": "label-1"});
    race(app, &app.admin, CREATE_SHIPMENT, vars, "createShipment").await;
    assert_eq!(count(app, "ShipmentCreated").await, 1);
}
on_both_backends!(create_shipment_once);

async fn earn_points_once(app: &TestApp) {
    register(app, "cust-points").await;
    let vars = json!({"c": "cust-points", "p": 100, "k": "earn-1"});
    race(app, &app.admin, EARN, vars, "earnPoints").await;
    assert_eq!(count(app, "PointsEarned").await, 1);
}
on_both_backends!(earn_points_once);

async fn redeem_points_once(app: &TestApp) {
    register(app, "cust-redeem").await;
    app.gql(EARN, json!({"c": "cust-redeem", "p": 1000})).await;
    let vars = json!({"c": "cust-redeem", "k": "redeem-1"});
    race(app, &app.admin, REDEEM, vars, "redeemPoints").await;
    assert_eq!(count(app, "PointsRedeemed").await, 1);
}
on_both_backends!(redeem_points_once);

async fn issue_coupon_once(app: &TestApp) {
    register(app, "cust-coupon").await;
    let vars = json!({"c": "cust-coupon", "k": "coupon-1"});
    race(app, &app.admin, ISSUE_COUPON, vars, "issueCoupon").await;
    assert_eq!(count(app, "CouponIssued").await, 1);
}
on_both_backends!(issue_coupon_once);

/// A key is bound to its request: the same key with other input is INVALID_INPUT and writes
/// nothing, sequentially and when both inputs race.
async fn key_reused_for_other_input_writes_nothing(app: &TestApp) {
    let id = place(app, "REUSE-1").await;
    app.gql(AUTHORISE, json!({"id": id, "k": "reuse-1", "a": 100}))
        .await;
    let before = app.event_count().await;
    let code = app
        .gql_error(
            &app.admin,
            AUTHORISE,
            json!({"id": id, "k": "reuse-1", "a": 200}),
        )
        .await;
    assert_eq!(code, "INVALID_INPUT");
    assert_eq!(app.event_count().await, before);
    assert_eq!(count(app, "PaymentAuthorised").await, 1);

    // Ten racers with one subject, ten with another, one key: one case, and every other
    // answer is either that case or a refusal.
    register(app, "cust-reuse").await;
    let agent = app.key(Role::Agent).await;
    let racers = (0..RACERS).map(|i| {
        let subject = if i % 2 == 0 {
            "broken cup"
        } else {
            "late parcel"
        };
        let vars = json!({"i": case_input("cust-reuse", subject), "k": "case-reuse"});
        app.gql_raw(Some(&agent), OPEN_CASE, vars)
    });
    let results = join_all(racers).await;
    let mut cases: Vec<String> = Vec::new();
    let mut refused = 0;
    for (_, body) in &results {
        match body["errors"][0]["extensions"]["code"].as_str() {
            None => cases.push(
                body["data"]["openCase"]["caseId"]
                    .as_str()
                    .expect("case id")
                    .to_string(),
            ),
            Some("INVALID_INPUT") => refused += 1,
            Some(other) => panic!("unexpected {other}: {body}"),
        }
    }
    cases.dedup();
    assert_eq!(cases.len(), 1, "one case answers every accepted racer");
    assert!(refused >= RACERS / 2, "{refused} refused");
    assert_eq!(count(app, "CaseOpened").await, 1);
}
on_both_backends!(key_reused_for_other_input_writes_nothing);

/// The fingerprint is the field and its arguments after variable substitution: a retry
/// written with literals, in another argument order, is the same request.
async fn literals_and_variables_fingerprint_alike(app: &TestApp) {
    let id = place(app, "FINGERPRINT-1").await;
    let first = app
        .gql(AUTHORISE, json!({"id": id, "k": "fp-1", "a": 700}))
        .await["authorisePayment"]
        .clone();
    assert_eq!(first["replayed"], false);
    let literal = format!(
        "mutation {{ authorisePayment(amount: 700, idempotencyKey: \"fp-1\", reference: \"AUTH-1\", method: \"alipay\", orderId: \"{id}\") {{ orderId streamVersion position replayed }} }}"
    );
    let again = app.gql(&literal, json!({})).await["authorisePayment"].clone();
    assert_eq!(again["replayed"], true, "{again}");
    assert_eq!(again["position"], first["position"]);
    assert_eq!(again["streamVersion"], first["streamVersion"]);
    assert_eq!(count(app, "PaymentAuthorised").await, 1);
}
on_both_backends!(literals_and_variables_fingerprint_alike);

/// A return label writes two streams (the reverse shipment, then the return): racers with one
/// key create one shipment and record one label.
async fn issue_return_label_once(app: &TestApp) {
    app.gql(REGISTER_SITE, json!({})).await;
    let id = delivered(app, "RACE-LABEL").await;
    let input = json!({"orderId": id, "lines": [{"sku": "TEA-1", "quantity": 1}],
                       "reason": "DAMAGED", "requestedResolution": "REFUND"});
    let requested = app.gql(REQUEST_RETURN, json!({"i": input})).await;
    let return_id = requested["requestReturn"]["returnId"]
        .as_str()
        .expect("return id")
        .to_string();
    app.gql(APPROVE, json!({"id": return_id})).await;
    let shipments_before = count(app, "ShipmentCreated").await;
    let vars = json!({"id": return_id, "k": "label-race-1"});
    race(app, &app.admin, LABEL, vars, "issueReturnLabel").await;
    assert_eq!(count(app, "ReturnLabelIssued").await, 1);
    assert_eq!(count(app, "ShipmentCreated").await, shipments_before + 1);
}
on_both_backends!(issue_return_label_once);
