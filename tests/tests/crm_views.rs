//! CRM views over HTTP on both backends: RFM and segments against a hand-computed data set,
//! lifecycle stages, the churn watchlist with the recall sweep, birthday greetings, and
//! personal data per role.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_api::crm::TestClock;
use waybill_api::policies::care::{sweep_birthdays, sweep_churn_recall};
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::{on_both_backends, wide, TestApp};

const REGISTER: &str =
    "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { position } }";
const SEGMENTS: &str = "query($s: RfmSegment) { customers(filter: {segment: $s}, asOf: \"2030-06-30\") { edges { node { id lifecycleStage rfm { r f m fm segment recencyDays frequency monetary } orders { count spend averageOrderValue } } } } }";
const PROFILE: &str =
    "query { customer(id: \"c-a\") { profile { name phone email birthday masked } } }";

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339")
}

async fn register(app: &TestApp, id: &str, birthday: &str) {
    app.gql(REGISTER, json!({"i": {"customerId": id, "acquisitionChannel": "JD", "name": "Li Lei", "phone": "13800000000",
        "email": "lilei@example.com", "birthday": birthday, "preferredContact": "SMS", "registeredAt": "2029-01-01T00:00:00Z"}})).await;
}

/// An order of `tea` × 50.00 + 30.00 + 8.00 shipping, placed at `at`.
async fn order(app: &TestApp, customer: &str, n: u32, tea: u32, at: &str) {
    let mut input = order_input("JD", &format!("JD-{customer}-{n}"), customer);
    input["lines"][0]["quantity"] = json!(tea);
    input["placedAt"] = json!(at);
    app.gql(PLACE, json!({"i": input})).await;
}

async fn wait_for_orders(app: &TestApp, expected: usize) {
    for _ in 0..200 {
        let data = app.gql(SEGMENTS, json!({})).await;
        let total: i64 = data["customers"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["orders"]["count"].as_i64().unwrap())
            .sum();
        if total as usize == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("orders never reached the read model");
}

fn by_id(data: &Value) -> Vec<(String, Value)> {
    data["customers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["id"].as_str().unwrap().to_string(),
                e["node"].clone(),
            )
        })
        .collect()
}

/// As of 2030-06-30, window 365 days; n = 5 so each score is 1 + (customers strictly worse).
///
/// | customer | orders (days ago × tea)  | R | F | M | FM | segment         | stage    |
/// |----------|--------------------------|---|---|---|----|-----------------|----------|
/// | c-a      | 200×4, 100×4, 2×4        | 5 | 5 | 5 | 5  | champions       | retained |
/// | c-b      | 30×3, 10×3               | 4 | 3 | 4 | 4  | champions       | new      |
/// | c-c      | 60×1, 40×1               | 3 | 3 | 3 | 3  | need_attention  | new      |
/// | c-d      | 100×2                    | 2 | 1 | 2 | 2  | need_attention  | active   |
/// | c-e      | 300×1                    | 1 | 1 | 1 | 1  | lost            | at_risk  |
/// | c-f      | none                     | – | – | – | –  | –               | potential|
async fn rfm_segments_and_stages(app: &TestApp) {
    for id in ["c-a", "c-b", "c-c", "c-d", "c-e", "c-f"] {
        register(app, id, "1990-01-01").await;
    }
    let orders = [
        ("c-a", 4, "2029-12-12"),
        ("c-a", 4, "2030-03-22"),
        ("c-a", 4, "2030-06-28"),
        ("c-b", 3, "2030-05-31"),
        ("c-b", 3, "2030-06-20"),
        ("c-c", 1, "2030-05-01"),
        ("c-c", 1, "2030-05-21"),
        ("c-d", 2, "2030-03-22"),
        ("c-e", 1, "2029-09-03"),
    ];
    for (n, (customer, tea, day)) in orders.iter().enumerate() {
        order(app, customer, n as u32, *tea, &format!("{day}T04:00:00Z")).await;
    }
    wait_for_orders(app, orders.len()).await;
    let all = by_id(&app.gql(SEGMENTS, json!({})).await);
    let expected = [
        ("c-a", [5, 5, 5, 5], "CHAMPIONS", "RETAINED", 71400),
        ("c-b", [4, 3, 4, 4], "CHAMPIONS", "NEW", 37600),
        ("c-c", [3, 3, 3, 3], "NEED_ATTENTION", "NEW", 17600),
        ("c-d", [2, 1, 2, 2], "NEED_ATTENTION", "ACTIVE", 13800),
        ("c-e", [1, 1, 1, 1], "LOST", "AT_RISK", 8800),
    ];
    for (id, [r, f, m, fm], segment, stage, monetary) in expected {
        let (_, node) = all.iter().find(|(i, _)| i == id).unwrap();
        let rfm = &node["rfm"];
        assert_eq!(
            [
                rfm["r"].clone(),
                rfm["f"].clone(),
                rfm["m"].clone(),
                rfm["fm"].clone()
            ],
            [json!(r), json!(f), json!(m), json!(fm)],
            "{id}"
        );
        assert_eq!(rfm["segment"], segment, "{id}");
        assert_eq!(wide(&rfm["monetary"]), monetary, "{id}");
        assert_eq!(node["lifecycleStage"], stage, "{id}");
    }
    let f = &all.iter().find(|(i, _)| i == "c-f").unwrap().1;
    assert_eq!(f["rfm"], Value::Null);
    assert_eq!(f["lifecycleStage"], "POTENTIAL");
    let a = &all.iter().find(|(i, _)| i == "c-a").unwrap().1;
    assert_eq!(a["orders"]["averageOrderValue"], "23800");
    let champions: Vec<String> = by_id(&app.gql(SEGMENTS, json!({"s": "CHAMPIONS"})).await)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(champions, ["c-a", "c-b"]);
    let lost: Vec<String> = by_id(&app.gql(SEGMENTS, json!({"s": "LOST"})).await)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(lost, ["c-e"]);
    let stage = app.gql("{ customers(filter: {stage: NEW}, asOf: \"2030-06-30\", first: 1) { edges { node { id } } pageInfo { hasNextPage } } }", json!({})).await;
    assert_eq!(stage["customers"]["edges"][0]["node"]["id"], "c-b");
    assert_eq!(stage["customers"]["pageInfo"]["hasNextPage"], true);
}
on_both_backends!(rfm_segments_and_stages);

async fn churn_watchlist_recall_and_birthdays(app: &TestApp) {
    register(app, "w-1", "1990-06-30").await;
    register(app, "w-2", "1991-02-01").await;
    order(app, "w-1", 1, 1, "2030-01-10T04:00:00Z").await;
    // A detractor answer and an open case are churn signals.
    app.gql("mutation { recordCustomerNps(customerId: \"w-1\", input: {score: 3, orderId: \"0190f5c2-0000-7000-8000-000000000001\"}, at: \"2030-06-01T00:00:00Z\") { position } }", json!({})).await;
    app.gql("mutation { openCase(input: {customerId: \"w-1\", caseType: COMPLAINT, channel: PHONE, subject: \"late\", openedAt: \"2030-06-29T00:00:00Z\"}) { caseId } }", json!({})).await;
    let mut watch = Value::Null;
    for _ in 0..200 {
        watch = app.gql("{ churnWatchlist(asOf: \"2030-06-30\") { customerId name reasons { reason evidence } } }", json!({})).await;
        let text = watch.to_string();
        if text.contains("nps_detractor") && text.contains("open_cases") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let list = watch["churnWatchlist"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{watch}");
    assert_eq!(list[0]["customerId"], "w-1");
    let reasons: Vec<&str> = list[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"nps_detractor") && reasons.contains(&"open_cases"),
        "{reasons:?}"
    );

    let clock = TestClock::at(t("2030-06-30T04:00:00Z"));
    assert_eq!(sweep_churn_recall(&app.services, &clock).await.unwrap(), 1);
    assert_eq!(
        sweep_churn_recall(&app.services, &clock).await.unwrap(),
        0,
        "one recall per month"
    );
    assert_eq!(sweep_birthdays(&app.services, &clock).await.unwrap(), 1);
    assert_eq!(
        sweep_birthdays(&app.services, &clock).await.unwrap(),
        0,
        "one greeting per year"
    );
    let q = "{ customer(id: \"w-1\") { coupons { reason amount } interactions { kind direction topic } } }";
    let mut c = Value::Null;
    for _ in 0..200 {
        c = app.gql(q, json!({})).await;
        if !c["customer"]["interactions"].as_array().unwrap().is_empty()
            && !c["customer"]["coupons"].as_array().unwrap().is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        c["customer"]["coupons"],
        json!([{"reason": "churn recall", "amount": "2000"}])
    );
    assert_eq!(
        c["customer"]["interactions"],
        json!([{"kind": "CARE", "direction": "OUTBOUND", "topic": "birthday greeting"}])
    );
}
on_both_backends!(churn_watchlist_recall_and_birthdays);

async fn personal_data_per_role(app: &TestApp) {
    register(app, "c-a", "1990-01-01").await;
    for _ in 0..200 {
        if !app.gql(PROFILE, json!({})).await["customer"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for role in [Role::Admin, Role::Agent] {
        let key = app.key(role).await;
        let p = app.gql_as(&key, PROFILE, json!({})).await["customer"]["profile"].clone();
        assert_eq!(
            p,
            json!({"name": "Li Lei", "phone": "13800000000", "email": "lilei@example.com", "birthday": "1990-01-01", "masked": false}),
            "{role}"
        );
    }
    for role in [Role::Auditor, Role::Integrator] {
        let key = app.key(role).await;
        let p = app.gql_as(&key, PROFILE, json!({})).await["customer"]["profile"].clone();
        assert_eq!(
            p,
            json!({"name": "L* L**", "phone": "138****0000", "email": "l***@example.com", "birthday": null, "masked": true}),
            "{role}"
        );
    }
    let warehouse = app.key(Role::Warehouse).await;
    assert_eq!(
        app.gql_error(&warehouse, PROFILE, json!({})).await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_error(&warehouse, "{ churnWatchlist { customerId } }", json!({}))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_error(
            &warehouse,
            "{ customers { edges { node { id } } } }",
            json!({})
        )
        .await,
        "FORBIDDEN"
    );
    let auditor = app.key(Role::Auditor).await;
    assert_eq!(
        app.gql_error(
            &auditor,
            "mutation { addCustomerTag(customerId: \"c-a\", tag: \"x\") { position } }",
            json!({})
        )
        .await,
        "FORBIDDEN"
    );
}
on_both_backends!(personal_data_per_role);

/// Churn judged against each customer's own rhythm, as of 2030-06-30 (orders of `tea` × 50.00
/// + 38.00, i.e. 8 800 for one tea and 23 800 for four):
///
/// | customer    | orders (days ago × tea)              | signals                                 |
/// |-------------|--------------------------------------|-----------------------------------------|
/// | r-steady-1  | 171, 131, 91, 51, 11 × 1             | none: every gap 40, 11 days open        |
/// | r-steady-2  | the same                             | none (fixed 90-day windows: 3 then 2)   |
/// | r-lapsed    | 280, 240, 200, 160, 120 × 1          | overdue 120 > 2.5 × 40; slowing 120 > 60 |
/// | r-declining | 205, 175, 145 × 4, then 115, 40 × 1  | slowing 75 > 1.5 × 30; spend 8 800 vs   |
/// |             |                                      | 23 800 average (≥ 30 % down)            |
///
/// RFM over these four (n = 4): R 3/3/1/2, F 1 for all, M 1/1/1/4 → Promising, Promising,
/// Lost, Need attention — no risky segment, so the rhythm signals are the only ones.
async fn churn_follows_each_customers_rhythm(app: &TestApp) {
    let customers = [
        (
            "r-steady-1",
            [
                "2030-01-10",
                "2030-02-19",
                "2030-03-31",
                "2030-05-10",
                "2030-06-19",
            ],
            [1, 1, 1, 1, 1],
        ),
        (
            "r-steady-2",
            [
                "2030-01-10",
                "2030-02-19",
                "2030-03-31",
                "2030-05-10",
                "2030-06-19",
            ],
            [1, 1, 1, 1, 1],
        ),
        (
            "r-lapsed",
            [
                "2029-09-23",
                "2029-11-02",
                "2029-12-12",
                "2030-01-21",
                "2030-03-02",
            ],
            [1, 1, 1, 1, 1],
        ),
        (
            "r-declining",
            [
                "2029-12-07",
                "2030-01-06",
                "2030-02-05",
                "2030-03-07",
                "2030-05-21",
            ],
            [4, 4, 4, 1, 1],
        ),
    ];
    let mut n = 0;
    for (id, days, teas) in customers {
        register(app, id, "1990-01-01").await;
        for (day, tea) in days.iter().zip(teas) {
            n += 1;
            order(app, id, n, tea, &format!("{day}T04:00:00Z")).await;
        }
    }
    wait_for_orders(app, n as usize).await;
    let data = app
        .gql(
            "{ churnWatchlist(asOf: \"2030-06-30\") { customerId reasons { reason evidence } } }",
            json!({}),
        )
        .await;
    let watch: Vec<(String, Vec<Value>)> = data["churnWatchlist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let reasons = w["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| serde_json::from_str(r["evidence"].as_str().unwrap()).unwrap())
                .collect();
            (w["customerId"].as_str().unwrap().to_string(), reasons)
        })
        .collect();
    let reasons = |id: &str| watch.iter().find(|(c, _)| c == id).map(|(_, r)| r.clone());
    assert_eq!(reasons("r-steady-1"), None, "{data}");
    assert_eq!(reasons("r-steady-2"), None, "{data}");
    assert_eq!(
        reasons("r-lapsed"),
        Some(vec![
            json!({"reason": "overdue_for_usual_rhythm", "days_since_last_order": 120, "median_gap_days": 40.0, "threshold_days": 100.0}),
            json!({"reason": "falling_frequency", "usual_gap_days": 40.0, "latest_gap_days": 120, "still_open": true, "threshold_days": 60.0}),
        ])
    );
    assert_eq!(
        reasons("r-declining"),
        Some(vec![
            json!({"reason": "falling_frequency", "usual_gap_days": 30.0, "latest_gap_days": 75, "still_open": false, "threshold_days": 45.0}),
            json!({"reason": "falling_spend", "previous_average_minor": 23800, "previous_orders": 3, "recent_average_minor": 8800, "recent_orders": 2}),
        ])
    );
    assert_eq!(watch.len(), 2, "{data}");
}
on_both_backends!(churn_follows_each_customers_rhythm);
