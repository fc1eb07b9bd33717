//! Auditors over GraphQL: history, one request's consequences, time travel, diffs and the
//! tamper check; and nobody else may use the audit tools.

use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_tests::fixtures::{order_input, PLACE};
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

async fn auditors_follow_history_and_travel_in_time(app: &TestApp) {
    let auditor = app.key(Role::Auditor).await;
    let resp: Value = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&app.admin)
        .header("x-correlation-id", "checkout-77")
        .json(&json!({"query": PLACE, "variables": {"i": order_input("TAOBAO", "AUDIT-API-1", "c-1")}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = resp["data"]["placeOrder"]["orderId"]
        .as_str()
        .unwrap()
        .to_string();
    let capture = app
        .gql("mutation($id: String!) { capturePayment(orderId: $id, method: \"alipay\", reference: \"P1\", amount: 5000) { position } }", json!({"id": id}))
        .await;
    let p = wide(&capture["capturePayment"]["position"]);
    app.gql("mutation($id: String!) { allocateOrder(orderId: $id, warehouseId: \"WH-HZ\") { position } }", json!({"id": id})).await;

    let history = app
        .gql_as(&auditor, "query($id: String!) { streamHistory(streamType: \"Order\", streamId: $id) { hasMore events { sequence eventType eventVersion storedVersion hash metadata } } }", json!({"id": id}))
        .await;
    let events = history["streamHistory"]["events"].as_array().unwrap();
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec!["OrderPlaced", "PaymentCaptured", "OrderAllocated"]
    );
    assert!(events
        .iter()
        .all(|e| e["hash"].as_str().is_some_and(|h| h.len() == 64)));
    assert!(events
        .iter()
        .all(|e| e["metadata"]["actor_role"] == "admin"));

    let correlated = app
        .gql_as(
            &auditor,
            "{ correlatedEvents(correlationId: \"checkout-77\") { streamId eventType } }",
            json!({}),
        )
        .await;
    assert_eq!(correlated["correlatedEvents"].as_array().unwrap().len(), 1);
    assert_eq!(
        correlated["correlatedEvents"][0]["eventType"],
        "OrderPlaced"
    );

    let q = "query($id: String!, $v: Int64) { stateAsOf(streamType: \"Order\", streamId: $id, version: $v) { version state } }";
    let v1 = app.gql_as(&auditor, q, json!({"id": id, "v": 1})).await;
    assert_eq!(v1["stateAsOf"]["version"], "1");
    let v3 = app.gql_as(&auditor, q, json!({"id": id, "v": 3})).await;
    assert_eq!(v3["stateAsOf"]["version"], "3");
    assert_ne!(v1["stateAsOf"]["state"], v3["stateAsOf"]["state"]);
    let before = app.gql_as(&auditor, q, json!({"id": id, "v": 0})).await;
    assert!(
        before["stateAsOf"].is_null(),
        "before its first event the order did not exist"
    );

    // As of a time: the capture's recorded time shows the order paid but not allocated.
    let feed = app.gql("query($p: Int64) { events(first: 100, consistentWith: $p) { edges { node { position recordedAt } } } }", json!({"p": p})).await;
    let captured_at = feed["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| wide(&e["node"]["position"]) == p)
        .map(|e| e["node"]["recordedAt"].clone())
        .unwrap();
    let at = app
        .gql_as(&auditor, "query($id: String!, $t: DateTime) { stateAsOf(streamType: \"Order\", streamId: $id, at: $t) { version } }", json!({"id": id, "t": captured_at}))
        .await;
    assert_eq!(at["stateAsOf"]["version"], "2");

    let diff = app
        .gql_as(&auditor, "query($id: String!) { stateDiff(streamType: \"Order\", streamId: $id, fromVersion: 1, toVersion: 2) { path before after } }", json!({"id": id}))
        .await;
    let paths: Vec<&str> = diff["stateDiff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert!(paths.iter().any(|p| p.contains("captured")), "{paths:?}");

    let report = app.gql_as(&auditor, "{ auditVerify { intact findings { kind position } checkpoint { ordinal position chainHash } } }", json!({})).await;
    assert_eq!(report["auditVerify"]["intact"], true);

    for (q, code) in [
        ("query($id: String!) { stateAsOf(streamType: \"Order\", streamId: $id) { version } }", "INVALID_INPUT"),
        ("query($id: String!) { stateAsOf(streamType: \"Nope\", streamId: $id, version: 1) { version } }", "INVALID_INPUT"),
    ] {
        assert_eq!(app.gql_error(&auditor, q, json!({"id": id})).await, code, "{q}");
    }
}
on_both_backends!(auditors_follow_history_and_travel_in_time);

async fn only_auditors_and_admins_use_audit_tools(app: &TestApp) {
    for role in [Role::Integrator, Role::Warehouse, Role::Agent] {
        let key = app.key(role).await;
        for q in [
            "{ auditVerify { intact } }",
            "{ auditCheckpoint { chainHash } }",
            "{ stateAsOf(streamType: \"Order\", streamId: \"x\", version: 1) { version } }",
        ] {
            assert_eq!(
                app.gql_error(&key, q, json!({})).await,
                "FORBIDDEN",
                "{role} {q}"
            );
        }
    }
}
on_both_backends!(only_auditors_and_admins_use_audit_tools);

/// Time travel covers every stream type, not only orders.
async fn time_travel_folds_shipments_too(backend: waybill_tests::Backend) {
    use waybill_api::audit::AsOf;
    use waybill_domain::shipment::{sample, ShipmentCommand, StaffId};
    let Some(d) = waybill_tests::Direct::create(
        backend,
        "time_travel_folds_shipments_too",
        Default::default(),
    )
    .await
    else {
        return;
    };
    let ctx = d.context();
    let order_id = d.place("TT-SHIP-1").await;
    let mut create = sample::sample_create_shipment();
    create.shipment_id = waybill_domain::ids::ShipmentId::from_uuid(uuid::Uuid::now_v7());
    create.order_id = order_id.parse().unwrap();
    let sid = create.shipment_id.to_string();
    d.services
        .create_shipment(&ctx, create, &Default::default())
        .await
        .map_err(|e| e.message)
        .unwrap();
    let pick = ShipmentCommand::Pick {
        staff: StaffId::parse("p-1").unwrap(),
        at: chrono::Utc::now(),
    };
    d.services
        .shipment_command(&ctx, &sid, pick, &Default::default())
        .await
        .map_err(|e| e.message)
        .unwrap();
    let v1 = d
        .services
        .state_as_of("Shipment", &sid, AsOf::Version(1))
        .await
        .map_err(|e| e.message)
        .unwrap()
        .unwrap();
    let v2 = d
        .services
        .state_as_of("Shipment", &sid, AsOf::Version(2))
        .await
        .map_err(|e| e.message)
        .unwrap()
        .unwrap();
    assert!(
        v1.state.to_string().contains("label_created"),
        "{}",
        v1.state
    );
    assert!(v2.state.to_string().contains("picked"), "{}", v2.state);
    assert!(!waybill_api::audit::diff(&v1.state, &v2.state).is_empty());
    d.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_travel_folds_shipments_too_sqlite() {
    time_travel_folds_shipments_too(waybill_tests::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_travel_folds_shipments_too_postgres() {
    time_travel_folds_shipments_too(waybill_tests::Backend::Postgres).await;
}
