//! Service levels as the customer experiences them, over HTTP on both backends: a first
//! response or resolution recorded after its deadline — late, or backdated with `at` — is a
//! breach the moment it is recorded (no sweep needed), the sweep breaches only clocks nobody
//! touched and never one twice; HIGH/URGENT targets are tighter than NORMAL; deadlines follow
//! the configured calendar (2026 PRC holidays and 调休 working weekends); a configuration
//! file sets roster, calendar and targets; CSAT is reported as satisfied share and average.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use waybill_api::crm::TestClock;
use waybill_api::policies::sla::sweep_breaches;
use waybill_tests::{on_both_backends, Backend, TestApp};

const REGISTER: &str =
    "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { position } }";
const OPEN: &str =
    "mutation($i: OpenCaseInput!) { openCase(input: $i) { caseId streamVersion case { owner } } }";
const CASE: &str = "query($id: String!) { case(id: $id) { id status slaClocks { metric state dueAt breached withinTarget history { kind at } } } }";
const KPIS: &str = "{ serviceKpis(period: {from: \"2030-03-01T00:00:00Z\", to: \"2030-03-02T00:00:00Z\"}) { cases slaBreaches slaMet slaDecided slaAttainment csat csatAverage csatSatisfied csatResponses } }";

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339")
}

async fn register(app: &TestApp, id: &str) {
    app.gql(REGISTER, json!({"i": {"customerId": id, "acquisitionChannel": "TMALL", "name": "Li Lei", "phone": "13800000000",
        "email": "lilei@example.com", "birthday": "1990-05-17", "preferredContact": "SMS", "registeredAt": "2029-01-01T00:00:00Z"}})).await;
}

/// Opens a case; the case starts its three clocks in the same write (stream version 4).
async fn open(app: &TestApp, customer: &str, kind: &str, priority: &str, at: &str) -> String {
    let data = app
        .gql(
            OPEN,
            json!({"i": {"customerId": customer, "caseType": kind, "priority": priority,
        "channel": "PHONE", "subject": "tea arrived broken", "openedAt": at}}),
        )
        .await;
    assert_eq!(data["openCase"]["streamVersion"], "4", "{data}");
    let id = data["openCase"]["caseId"].as_str().unwrap().to_string();
    case_when(app, &id, |c| {
        c["slaClocks"].as_array().is_some_and(|c| c.len() == 3)
    })
    .await;
    id
}

async fn case_when(app: &TestApp, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    app.eventually(CASE, json!({"id": id}), |d| done(&d["case"]))
        .await["case"]
        .clone()
}

fn clock<'a>(case: &'a Value, metric: &str) -> &'a Value {
    case["slaClocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == metric)
        .unwrap()
}

fn due(case: &Value, metric: &str) -> DateTime<Utc> {
    t(clock(case, metric)["dueAt"].as_str().unwrap())
}

async fn act(app: &TestApp, field: &str, case: &str, args: &str) {
    app.gql(
        &format!("mutation {{ {field}(caseId: \"{case}\", {args}) {{ position }} }}"),
        json!({}),
    )
    .await;
}

async fn kpis_when(app: &TestApp, done: impl Fn(&Value) -> bool) -> Value {
    app.eventually(KPIS, json!({}), |d| done(&d["serviceKpis"]))
        .await["serviceKpis"]
        .clone()
}

/// Three cases opened Friday 2030-03-01 17:00 +08:00 (09:00 UTC), default targets:
///
/// | case   | ack   | handle     | report (working days) | what happens                          |
/// |--------|-------|------------|-----------------------|---------------------------------------|
/// | NORMAL | 24 h  | 72 h       | 3 → Wed 03-06 09:00Z  | response 03-02 15:00 (6 h late)       |
/// |        |       |            |                       | swept 03-04 10:00, resolved 12:00     |
/// | URGENT | 2 h   | 24 h       | 1 → Mon 03-04 09:00Z  | response backdated to 12:30 (1.5 h    |
/// |        |       |            |                       | late), resolved 20:00 (in time)       |
/// | HIGH   | 8 h   | 48 h       | 2 → Tue 03-05 09:00Z  | response 16:00, resolved 03-03 08:00  |
///
/// Breaches: NORMAL ack and URGENT ack (recorded by the responses, before any sweep), NORMAL
/// handle (the sweep) = 3; decided 9, met 6. CSAT 5, 2, 4: satisfied 2 of 3, average 11/3.
async fn late_facts_breach_when_recorded(app: &TestApp) {
    register(app, "cust-sla").await;
    let opened = "2030-03-01T09:00:00Z";
    let normal = open(app, "cust-sla", "INQUIRY", "NORMAL", opened).await;
    let urgent = open(app, "cust-sla", "COMPLAINT", "URGENT", opened).await;
    let high = open(app, "cust-sla", "AFTER_SALES", "HIGH", opened).await;
    let expected_due = [
        (
            &normal,
            [
                "2030-03-02T09:00:00Z",
                "2030-03-04T09:00:00Z",
                "2030-03-06T09:00:00Z",
            ],
        ),
        (
            &urgent,
            [
                "2030-03-01T11:00:00Z",
                "2030-03-02T09:00:00Z",
                "2030-03-04T09:00:00Z",
            ],
        ),
        (
            &high,
            [
                "2030-03-01T17:00:00Z",
                "2030-03-03T09:00:00Z",
                "2030-03-05T09:00:00Z",
            ],
        ),
    ];
    for (id, [ack, handle, report]) in expected_due {
        let case = app.gql(CASE, json!({"id": id})).await["case"].clone();
        assert_eq!(due(&case, "ACKNOWLEDGE"), t(ack), "{id}");
        assert_eq!(due(&case, "HANDLE"), t(handle), "{id}");
        assert_eq!(due(&case, "REPORT_RESULT"), t(report), "{id}");
    }
    // 10:00 UTC: nothing is due yet.
    let early = TestClock::at(t("2030-03-01T10:00:00Z"));
    assert_eq!(sweep_breaches(&app.services, &early).await.unwrap(), 0);

    act(
        app,
        "firstResponse",
        &high,
        "agent: \"agent-after-sales\", at: \"2030-03-01T16:00:00Z\"",
    )
    .await;
    act(
        app,
        "firstResponse",
        &urgent,
        "agent: \"vip-desk\", at: \"2030-03-01T12:30:00Z\"",
    )
    .await;
    act(
        app,
        "firstResponse",
        &normal,
        "agent: \"agent-inquiries\", at: \"2030-03-02T15:00:00Z\"",
    )
    .await;
    act(
        app,
        "resolveCase",
        &urgent,
        "resolution: \"refunded\", firstContactResolution: true, at: \"2030-03-01T20:00:00Z\"",
    )
    .await;
    let late = case_when(app, &normal, |c| {
        clock(c, "ACKNOWLEDGE")["state"] == "fulfilled"
    })
    .await;
    let ack = clock(&late, "ACKNOWLEDGE");
    assert_eq!(ack["breached"], true);
    assert_eq!(ack["withinTarget"], false);
    let history: Vec<(&str, DateTime<Utc>)> = ack["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["kind"].as_str().unwrap(), t(h["at"].as_str().unwrap())))
        .collect();
    assert_eq!(
        history,
        [
            ("started", t(opened)),
            ("breached", t("2030-03-02T09:00:00Z")),
            ("fulfilled", t("2030-03-02T15:00:00Z")),
        ]
    );
    // No sweep ran after the deadlines: both late responses are breaches already. Decided:
    // three acknowledgements (HIGH met) and URGENT's handle and report (met).
    let k = kpis_when(app, |k| k["slaBreaches"] == 2 && k["slaDecided"] == 5).await;
    assert_eq!(k["slaMet"], 3);
    // A sweep now finds nothing new: the breached clocks are settled.
    let after = TestClock::at(t("2030-03-02T16:00:00Z"));
    assert_eq!(sweep_breaches(&app.services, &after).await.unwrap(), 0);

    act(
        app,
        "resolveCase",
        &high,
        "resolution: \"replaced\", firstContactResolution: true, at: \"2030-03-03T08:00:00Z\"",
    )
    .await;
    case_when(app, &high, |c| c["status"] == "RESOLVED").await;
    // Monday 10:00 UTC: only NORMAL's handle (due 09:00) was left running past its deadline.
    let monday = TestClock::at(t("2030-03-04T10:00:00Z"));
    assert_eq!(sweep_breaches(&app.services, &monday).await.unwrap(), 1);
    assert_eq!(sweep_breaches(&app.services, &monday).await.unwrap(), 0);
    case_when(app, &normal, |c| clock(c, "HANDLE")["breached"] == true).await;
    act(
        app,
        "resolveCase",
        &normal,
        "resolution: \"explained\", firstContactResolution: true, at: \"2030-03-04T12:00:00Z\"",
    )
    .await;
    let done = case_when(app, &normal, |c| c["status"] == "RESOLVED").await;
    assert_eq!(clock(&done, "HANDLE")["state"], "fulfilled");
    assert_eq!(clock(&done, "REPORT_RESULT")["withinTarget"], true);
    let later = TestClock::at(t("2030-03-10T00:00:00Z"));
    assert_eq!(sweep_breaches(&app.services, &later).await.unwrap(), 0);

    for (id, score) in [(&normal, 5), (&urgent, 2), (&high, 4)] {
        act(
            app,
            "rateCaseSatisfaction",
            id,
            &format!("csat: {score}, at: \"2030-03-05T00:00:00Z\""),
        )
        .await;
    }
    let k = kpis_when(app, |k| k["csatResponses"] == 3 && k["slaDecided"] == 9).await;
    assert_eq!(k["cases"], 3);
    assert_eq!(k["slaBreaches"], 3);
    assert_eq!(k["slaMet"], 6);
    assert!(
        (k["slaAttainment"].as_f64().unwrap() - 200.0 / 3.0).abs() < 1e-9,
        "{k}"
    );
    assert_eq!(k["csatSatisfied"], 2);
    assert!(
        (k["csat"].as_f64().unwrap() - 200.0 / 3.0).abs() < 1e-9,
        "{k}"
    );
    assert!(
        (k["csatAverage"].as_f64().unwrap() - 11.0 / 3.0).abs() < 1e-9,
        "{k}"
    );
}
on_both_backends!(late_facts_breach_when_recorded);

/// Working days follow the built-in 2026 calendar. Spring Festival: opened Friday Feb 13
/// 10:00 +08:00; Saturday Feb 14 is worked (1), Feb 15–23 are off, Tuesday 24 (2), Wednesday
/// 25 (3). National Day: opened Wednesday Sep 30 10:00; Oct 1–7 off, Thursday 8 (1), Friday 9
/// (2), Saturday Oct 10 worked (3).
async fn deadlines_follow_the_2026_holiday_calendar(app: &TestApp) {
    register(app, "cust-cal").await;
    for (opened, report) in [
        ("2026-02-13T02:00:00Z", "2026-02-25T02:00:00Z"),
        ("2026-09-30T02:00:00Z", "2026-10-10T02:00:00Z"),
    ] {
        let id = open(app, "cust-cal", "INQUIRY", "NORMAL", opened).await;
        let case = app.gql(CASE, json!({"id": id})).await["case"].clone();
        assert_eq!(due(&case, "REPORT_RESULT"), t(report), "opened {opened}");
        // Hours are calendar hours, holidays or not.
        assert_eq!(
            due(&case, "HANDLE"),
            t(opened) + chrono::TimeDelta::hours(72)
        );
    }
}
on_both_backends!(deadlines_follow_the_2026_holiday_calendar);

const CONFIG: &str = r#"{
  "calendar": {"utc_offset_seconds": 28800, "weekend": ["Sat", "Sun"], "holidays": ["2030-03-04"]},
  "sla": {
    "standard": {
      "acknowledge": {"unit": "calendar_hours", "amount": 4},
      "handle": {"unit": "calendar_hours", "amount": 12},
      "report_result": {"unit": "working_days", "amount": 2}
    },
    "by_priority": [{"priority": "urgent", "targets": {
      "acknowledge": {"unit": "calendar_hours", "amount": 1},
      "handle": {"unit": "calendar_hours", "amount": 6},
      "report_result": {"unit": "working_days", "amount": 1}
    }}]
  },
  "agents": [{"id": "desk-a", "skills": ["complaint"]}]
}"#;

/// The configuration file replaces roster, calendar and targets. Opened Friday 2030-03-01
/// 17:00 +08:00: acknowledge 4 h → 13:00 UTC; report in 2 working days skips the weekend and
/// the configured Monday holiday → Wednesday 03-06 09:00 UTC; URGENT: 1 h and Tuesday.
async fn a_configuration_file_sets_roster_calendar_and_targets(backend: Backend) {
    let Some(app) = TestApp::spawn_with_crm_config(backend, "crm_config_file", CONFIG).await else {
        return;
    };
    register(&app, "cust-cfg").await;
    let data = app
        .gql(
            OPEN,
            json!({"i": {"customerId": "cust-cfg", "caseType": "INQUIRY",
        "channel": "PHONE", "subject": "invoice", "openedAt": "2030-03-01T09:00:00Z"}}),
        )
        .await;
    assert_eq!(data["openCase"]["case"]["owner"], "desk-a");
    let id = data["openCase"]["caseId"].as_str().unwrap().to_string();
    let case = case_when(&app, &id, |c| {
        c["slaClocks"].as_array().is_some_and(|c| c.len() == 3)
    })
    .await;
    assert_eq!(due(&case, "ACKNOWLEDGE"), t("2030-03-01T13:00:00Z"));
    assert_eq!(due(&case, "HANDLE"), t("2030-03-01T21:00:00Z"));
    assert_eq!(due(&case, "REPORT_RESULT"), t("2030-03-06T09:00:00Z"));
    let urgent = open(
        &app,
        "cust-cfg",
        "COMPLAINT",
        "URGENT",
        "2030-03-01T09:00:00Z",
    )
    .await;
    let case = app.gql(CASE, json!({"id": urgent})).await["case"].clone();
    assert_eq!(due(&case, "ACKNOWLEDGE"), t("2030-03-01T10:00:00Z"));
    assert_eq!(due(&case, "REPORT_RESULT"), t("2030-03-05T09:00:00Z"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_file_sets_roster_calendar_and_targets_sqlite() {
    a_configuration_file_sets_roster_calendar_and_targets(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_file_sets_roster_calendar_and_targets_postgres() {
    a_configuration_file_sets_roster_calendar_and_targets(Backend::Postgres).await;
}

/// A case stream opened the way cases were before they kept their own clocks (no deadlines
/// on `OpenCase`): the catch-up policy starts its clocks from the snapshotted targets, and
/// from then on the case settles them itself — a late response still breaches when recorded.
async fn streams_opened_without_clocks_are_caught_up(app: &TestApp) {
    use waybill_domain::case::{AgentId, CaseCommand, CaseType, OpenCase, Priority, SlaTargets};
    use waybill_domain::customer::ContactChannel;
    use waybill_domain::ids::CustomerId;

    register(app, "cust-old").await;
    let id = "0190f5c2-0000-7000-8000-0000000000aa";
    let open = OpenCase {
        case_id: id.parse().unwrap(),
        customer_id: CustomerId::parse("cust-old").unwrap(),
        case_type: CaseType::Inquiry,
        priority: Priority::Normal,
        channel: ContactChannel::Phone,
        subject: "old invoice".into(),
        order_id: None,
        shipment_id: None,
        return_id: None,
        assigned_to: AgentId::parse("agent-inquiries").unwrap(),
        sla: SlaTargets::SERVICE_STANDARD,
        deadlines: Default::default(),
        opened_at: t("2030-03-01T09:00:00Z"),
    };
    let outcome = app
        .services
        .case_command(
            &app.admin_context(),
            id,
            CaseCommand::Open(open),
            &Default::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("open: {}", e.message));
    assert_eq!(outcome.version, 1, "opened without clocks");
    let case = case_when(app, id, |c| {
        c["slaClocks"].as_array().is_some_and(|c| c.len() == 3)
    })
    .await;
    assert_eq!(due(&case, "ACKNOWLEDGE"), t("2030-03-02T09:00:00Z"));
    assert_eq!(due(&case, "REPORT_RESULT"), t("2030-03-06T09:00:00Z"));
    act(
        app,
        "firstResponse",
        id,
        "agent: \"agent-inquiries\", at: \"2030-03-02T10:00:00Z\"",
    )
    .await;
    let late = case_when(app, id, |c| clock(c, "ACKNOWLEDGE")["state"] == "fulfilled").await;
    assert_eq!(clock(&late, "ACKNOWLEDGE")["breached"], true);
    assert_eq!(clock(&late, "ACKNOWLEDGE")["withinTarget"], false);
}
on_both_backends!(streams_opened_without_clocks_are_caught_up);
