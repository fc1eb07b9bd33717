//! Customers and service cases over HTTP on both backends: the customer stream, case
//! lifecycle with automatic assignment, SLA timers with a controllable clock (including a
//! breach across a weekend and a pause that moves the deadline), and policies that stay
//! idempotent across a restart.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use waybill_api::crm::TestClock;
use waybill_api::policies::{all_policies, sla::sweep_breaches, PolicyRunner};
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

pub const REGISTER: &str = "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { customerId streamVersion position replayed } }";
pub const CUSTOMER: &str = "query($id: String!) { customer(id: $id) { id tier pointsBalance tags consents profile { name phone email birthday city masked } coupons { code reason amount } interactions { interactionId kind direction topic } nps { score context } points { points reason orderId balance } orders { count spend } cases { id status } } }";
const OPEN: &str = "mutation($i: OpenCaseInput!) { openCase(input: $i) { caseId streamVersion position case { owner firstContactOwner status } } }";
const CASE: &str = "query($id: String!) { case(id: $id) { id status owner firstContactOwner escalationLevel firstContactResolution csat nps reopenCount responseSeconds slaClocks { metric state dueAt breached withinTarget history { kind at dueAt } } } }";

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339")
}

pub async fn register(app: &TestApp, id: &str, birthday: Option<&str>) -> i64 {
    let data = app
        .gql(
            REGISTER,
            json!({"i": {"customerId": id, "acquisitionChannel": "TMALL", "name": "Li Lei", "phone": "13800000000",
                   "email": "lilei@example.com", "birthday": birthday.unwrap_or("1990-05-17"), "city": "Hangzhou",
                   "preferredContact": "WECHAT_OFFICIAL_ACCOUNT", "registeredAt": "2029-01-01T00:00:00Z"}}),
        )
        .await;
    wide(&data["registerCustomer"]["position"])
}

/// Polls `query` until `done` holds (policies and projections run in the background).
pub async fn eventually(
    app: &TestApp,
    query: &str,
    vars: Value,
    done: impl Fn(&Value) -> bool,
) -> Value {
    app.eventually(query, vars, done).await
}

async fn customer_stream_and_interactions(app: &TestApp) {
    let agent = app.key(waybill_api::auth::Role::Agent).await;
    register(app, "cust-1", None).await;
    let m = |q: &str| format!("mutation {{ {q} {{ customerId streamVersion replayed }} }}");
    for q in [
        "updateCustomerProfile(customerId: \"cust-1\", input: {city: \"Shanghai\"}, at: \"2030-01-02T00:00:00Z\")",
        "grantConsent(customerId: \"cust-1\", channel: SMS, at: \"2030-01-02T00:00:00Z\")",
        "grantConsent(customerId: \"cust-1\", channel: EMAIL, at: \"2030-01-02T00:00:00Z\")",
        "withdrawConsent(customerId: \"cust-1\", channel: SMS, at: \"2030-01-03T00:00:00Z\")",
        "addCustomerTag(customerId: \"cust-1\", tag: \"tea-lover\")",
        "earnPoints(customerId: \"cust-1\", points: 100, reason: \"welcome\")",
        "redeemPoints(customerId: \"cust-1\", points: 30, reason: \"voucher\")",
        "changeTier(customerId: \"cust-1\", tier: GOLD, reason: \"manual\")",
        "issueCoupon(customerId: \"cust-1\", input: {code: \"WELCOME-1\", amount: 1000, currency: \"CNY\", reason: \"welcome\"})",
        "recordInteraction(customerId: \"cust-1\", input: {interactionId: \"chat-1\", direction: INBOUND, channel: ONLINE_CHAT, topic: \"where is my tea\", summary: \"asked about delivery\", agent: \"agent-7\"})",
        "recordCustomerNps(customerId: \"cust-1\", input: {score: 9, orderId: \"0190f5c2-0000-7000-8000-000000000001\"})",
    ] {
        app.gql_as(&agent, &m(q), json!({})).await;
    }
    // Re-recording the same interaction id is refused, and nothing is written.
    let before = app.event_count().await;
    let code = app
        .gql_error(&agent, &m("recordInteraction(customerId: \"cust-1\", input: {interactionId: \"chat-1\", direction: INBOUND, channel: PHONE, topic: \"t\", summary: \"s\"})"), json!({}))
        .await;
    assert_eq!(code, "INVALID_STATE");
    assert_eq!(app.event_count().await, before);
    let c = eventually(app, CUSTOMER, json!({"id": "cust-1"}), |d| {
        d["customer"]["nps"]
            .as_array()
            .is_some_and(|n| !n.is_empty())
    })
    .await["customer"]
        .clone();
    assert_eq!(c["tier"], "GOLD");
    assert_eq!(c["pointsBalance"], "70");
    assert_eq!(c["tags"], json!(["tea-lover"]));
    assert_eq!(c["consents"], json!(["EMAIL"]));
    assert_eq!(c["profile"]["city"], "Shanghai");
    assert_eq!(c["coupons"][0]["code"], "WELCOME-1");
    assert_eq!(c["interactions"][0]["interactionId"], "chat-1");
    assert_eq!(c["nps"][0]["score"], 9);
}
on_both_backends!(customer_stream_and_interactions);

async fn case_lifecycle_with_assignment(app: &TestApp) {
    let agent = app.key(waybill_api::auth::Role::Agent).await;
    register(app, "cust-vip", None).await;
    register(app, "cust-std", None).await;
    app.gql("mutation { changeTier(customerId: \"cust-vip\", tier: BLACK, reason: \"vip\") { position } }", json!({})).await;
    let open = |customer: &str, kind: &str| json!({"i": {"customerId": customer, "caseType": kind, "channel": "PHONE", "subject": "tea arrived broken", "openedAt": "2030-03-01T09:00:00Z"}});
    let vip = app
        .gql_as(&agent, OPEN, open("cust-vip", "COMPLAINT"))
        .await["openCase"]
        .clone();
    assert_eq!(vip["case"]["owner"], "vip-desk");
    let std = app
        .gql_as(&agent, OPEN, open("cust-std", "AFTER_SALES"))
        .await["openCase"]
        .clone();
    assert_eq!(std["case"]["owner"], "agent-after-sales");
    assert_eq!(std["case"]["firstContactOwner"], "agent-after-sales");
    let id = std["caseId"].as_str().unwrap().to_string();
    // Opening starts one clock per metric.
    eventually(app, CASE, json!({"id": id}), |d| {
        d["case"]["slaClocks"]
            .as_array()
            .is_some_and(|c| c.len() == 3)
    })
    .await;
    for q in [
        format!("firstResponse(caseId: \"{id}\", agent: \"agent-after-sales\", at: \"2030-03-01T10:00:00Z\")"),
        format!("escalateCase(caseId: \"{id}\", toAgent: \"supervisor-1\", reason: \"refund above limit\", at: \"2030-03-01T11:00:00Z\")"),
        format!("resolveCase(caseId: \"{id}\", resolution: \"refunded\", firstContactResolution: false, at: \"2030-03-01T12:00:00Z\")"),
        format!("rateCaseSatisfaction(caseId: \"{id}\", csat: 4, at: \"2030-03-01T13:00:00Z\")"),
        format!("recordCaseNps(caseId: \"{id}\", scoreValue: 8, at: \"2030-03-01T13:00:00Z\")"),
        format!("reopenCase(caseId: \"{id}\", reason: \"still broken\", at: \"2030-03-01T14:00:00Z\")"),
        format!("resolveCase(caseId: \"{id}\", resolution: \"replaced\", firstContactResolution: false, at: \"2030-03-01T15:00:00Z\")"),
        format!("closeCase(caseId: \"{id}\", at: \"2030-03-01T16:00:00Z\")"),
    ] {
        app.gql_as(&agent, &format!("mutation {{ {q} {{ position }} }}"), json!({})).await;
    }
    let case = eventually(app, CASE, json!({"id": id}), |d| {
        d["case"]["status"] == "CLOSED"
            && d["case"]["slaClocks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["state"] == "fulfilled")
    })
    .await["case"]
        .clone();
    assert_eq!(case["owner"], "supervisor-1");
    assert_eq!(case["firstContactOwner"], "agent-after-sales");
    assert_eq!(case["escalationLevel"], 1);
    assert_eq!(case["reopenCount"], 1);
    assert_eq!(case["csat"], 4);
    assert_eq!(case["nps"], 8);
    assert_eq!(case["responseSeconds"], 3600);
    assert!(case["slaClocks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["withinTarget"] == true));
    // Closed cases refuse work; CSAT is 1–5.
    let code = app
        .gql_error(
            &agent,
            &format!(
                "mutation {{ rateCaseSatisfaction(caseId: \"{}\", csat: 6) {{ position }} }}",
                vip["caseId"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(code, "INVALID_INPUT");
    // Warehouse keys may not work cases.
    let warehouse = app.key(waybill_api::auth::Role::Warehouse).await;
    let code = app
        .gql_error(
            &warehouse,
            &format!("mutation {{ closeCase(caseId: \"{id}\") {{ position }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");
}
on_both_backends!(case_lifecycle_with_assignment);

fn clock<'a>(case: &'a Value, metric: &str) -> &'a Value {
    case["slaClocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == metric)
        .unwrap()
}

async fn sla_breach_across_a_weekend(app: &TestApp) {
    register(app, "cust-sla", None).await;
    // Friday 17:00 +08:00.
    let open = json!({"i": {"customerId": "cust-sla", "caseType": "INQUIRY", "channel": "EMAIL", "subject": "invoice", "openedAt": "2030-03-01T09:00:00Z"}});
    let id = app.gql(OPEN, open.clone()).await["openCase"]["caseId"]
        .as_str()
        .unwrap()
        .to_string();
    let paused_id = app.gql(OPEN, open).await["openCase"]["caseId"]
        .as_str()
        .unwrap()
        .to_string();
    let started = |d: &Value| {
        d["case"]["slaClocks"]
            .as_array()
            .is_some_and(|c| c.len() == 3)
    };
    let case = eventually(app, CASE, json!({"id": id}), started).await["case"].clone();
    assert_eq!(
        t(clock(&case, "ACKNOWLEDGE")["dueAt"].as_str().unwrap()),
        t("2030-03-02T09:00:00Z")
    );
    assert_eq!(
        t(clock(&case, "HANDLE")["dueAt"].as_str().unwrap()),
        t("2030-03-04T09:00:00Z")
    );
    // Three working days from Friday 17:00 skip the weekend: Wednesday 17:00.
    assert_eq!(
        t(clock(&case, "REPORT_RESULT")["dueAt"].as_str().unwrap()),
        t("2030-03-06T09:00:00Z")
    );
    eventually(app, CASE, json!({"id": paused_id}), started).await;
    app.gql(&format!("mutation {{ firstResponse(caseId: \"{id}\", agent: \"agent-inquiries\", at: \"2030-03-01T10:00:00Z\") {{ position }} }}"), json!({})).await;
    // The second case waits on the customer from Monday 09:00 to Tuesday 09:00 local.
    app.gql(&format!("mutation {{ waitOnCustomer(caseId: \"{paused_id}\", at: \"2030-03-04T01:00:00Z\") {{ position }} }}"), json!({})).await;
    app.gql(&format!("mutation {{ customerReplied(caseId: \"{paused_id}\", at: \"2030-03-05T01:00:00Z\") {{ position }} }}"), json!({})).await;
    let moved = eventually(app, CASE, json!({"id": paused_id}), |d| {
        clock(&d["case"], "REPORT_RESULT")["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "resumed")
    })
    .await["case"]
        .clone();
    assert_eq!(
        t(clock(&moved, "REPORT_RESULT")["dueAt"].as_str().unwrap()),
        t("2030-03-07T09:00:00Z")
    );
    eventually(app, CASE, json!({"id": id}), |d| {
        clock(&d["case"], "ACKNOWLEDGE")["state"] == "fulfilled"
    })
    .await;

    // Tuesday: handle (72 h) is breached, report-result (Wednesday) is not.
    let tuesday = TestClock::at(t("2030-03-05T09:00:00Z"));
    assert!(sweep_breaches(&app.services, &tuesday).await.unwrap() >= 1);
    assert_eq!(
        sweep_breaches(&app.services, &tuesday).await.unwrap(),
        0,
        "a repeated sweep breaches nothing twice"
    );
    let case = eventually(app, CASE, json!({"id": id}), |d| {
        clock(&d["case"], "HANDLE")["breached"] == true
    })
    .await["case"]
        .clone();
    assert_eq!(clock(&case, "ACKNOWLEDGE")["withinTarget"], true);
    assert_eq!(clock(&case, "REPORT_RESULT")["state"], "running");
    // Wednesday after 17:00: the paused case's report-result is not due yet (moved to Thursday).
    sweep_breaches(&app.services, &TestClock::at(t("2030-03-06T10:00:00Z")))
        .await
        .unwrap();
    // Thursday: report-result breached on the first case; on the paused one only after 17:00.
    sweep_breaches(&app.services, &TestClock::at(t("2030-03-07T08:00:00Z")))
        .await
        .unwrap();
    let case = eventually(app, CASE, json!({"id": id}), |d| {
        clock(&d["case"], "REPORT_RESULT")["breached"] == true
    })
    .await["case"]
        .clone();
    let breach = clock(&case, "REPORT_RESULT")["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(breach["kind"], "breached");
    assert_eq!(t(breach["at"].as_str().unwrap()), t("2030-03-06T09:00:00Z"));
    let paused = app.gql(CASE, json!({"id": paused_id})).await["case"].clone();
    assert_eq!(clock(&paused, "REPORT_RESULT")["state"], "running");
    sweep_breaches(&app.services, &TestClock::at(t("2030-03-07T10:00:00Z")))
        .await
        .unwrap();
    eventually(app, CASE, json!({"id": paused_id}), |d| {
        clock(&d["case"], "REPORT_RESULT")["breached"] == true
    })
    .await;
    let kpis = app.gql("{ serviceKpis(period: {from: \"2030-03-01T00:00:00Z\", to: \"2030-03-02T00:00:00Z\"}) { cases slaBreaches slaAttainment } }", json!({})).await;
    assert_eq!(kpis["serviceKpis"]["cases"], 2);
    assert!(kpis["serviceKpis"]["slaBreaches"].as_i64().unwrap() >= 3);
}
on_both_backends!(sla_breach_across_a_weekend);

async fn count(app: &TestApp, event_type: &str) -> i64 {
    waybill_projections::with_db!(&app.test_db.db, read pool =>
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM events WHERE event_type = $1").bind(event_type).fetch_one(pool).await.unwrap())
}

async fn policies_idempotent_across_restart(app: &TestApp) {
    register(app, "cust-pts", None).await;
    let mut input = order_input("TMALL", "TM-PTS-1", "cust-pts");
    input["lines"][0]["quantity"] = json!(100); // 100 × 50.00 + 30.00 + 8.00 = 5 038.00
    let id = app.gql(PLACE, json!({"i": input})).await["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    for q in [
        "capturePayment(orderId: $id, method: \"alipay\", reference: \"C1\", amount: 503800)",
        "allocateOrder(orderId: $id, warehouseId: \"WH-HZ\")",
        "fulfilOrder(orderId: $id, shipmentReference: \"SHP-1\", lines: [{sku: \"TEA-1\", quantity: 100}, {sku: \"CUP-1\", quantity: 1}])",
        "markOrderDelivered(orderId: $id)",
        "completeOrder(orderId: $id)",
    ] {
        app.gql(&format!("mutation($id: String!) {{ {q} {{ position }} }}"), json!({"id": id})).await;
    }
    let c = eventually(app, CUSTOMER, json!({"id": "cust-pts"}), |d| {
        d["customer"]["tier"] == "GOLD"
    })
    .await["customer"]
        .clone();
    assert_eq!(c["pointsBalance"], "5038");
    assert_eq!(c["points"][0]["orderId"], id.as_str());
    // A restart that lost the policies' checkpoints reacts to every event again.
    let db = &app.test_db.db;
    let mut tx = db.begin().await.unwrap();
    for name in ["policy:loyalty", "policy:sla-timers"] {
        waybill_projections::checkpoint::delete(&mut tx, name)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let runner = PolicyRunner::new(app.services.clone(), all_policies());
    runner.run_until_idle().await.unwrap();
    runner.run_until_idle().await.unwrap();
    assert_eq!(count(app, "PointsEarned").await, 1);
    assert_eq!(count(app, "TierChanged").await, 1);
}
on_both_backends!(policies_idempotent_across_restart);
