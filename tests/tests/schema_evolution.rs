//! Schema evolution: `LinesFulfilled` moved from 1.0 (flat `shipment_reference`,
//! `warehouse_id`) to 2.0 (`shipment: {reference, warehouse_id}`). Old payloads stay in the
//! store as written; the aggregate, the projections, history and time travel all read both.

use serde_json::json;
use waybill_api::audit::AsOf;
use waybill_domain::order::sample::{cup_sku, tea_sku};
use waybill_domain::order::{FulfilLine, OrderCommand, ORDER_AGGREGATE_TYPE};
use waybill_domain::{Quantity, WarehouseId};
use waybill_projections::{orders, with_db, RunnerOptions};
use waybill_tests::{Backend, Direct};

async fn old_and_new_payloads_read_alike(backend: Backend) {
    let Some(d) = Direct::create(
        backend,
        "old_and_new_payloads_read_alike",
        RunnerOptions::default(),
    )
    .await
    else {
        return;
    };
    let ctx = d.context();
    let id = d.place("EVOLVE-1").await;
    let allocate = OrderCommand::Allocate {
        warehouse_id: WarehouseId::parse("WH-HZ").unwrap(),
    };
    d.services
        .order_command(&ctx, &id, allocate, &Default::default())
        .await
        .map_err(|e| e.message)
        .unwrap();

    // An event written by the old code: version 1.0, the old shape, kept as written.
    let v1 = json!({"LinesFulfilled": {
        "shipment_reference": "SHIP-OLD",
        "warehouse_id": "WH-HZ",
        "lines": [{"sku": tea_sku().as_str(), "quantity": 1}],
        "fully_fulfilled": false
    }});
    let insert = match backend {
        Backend::Postgres => "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) VALUES ('Order', $1, 3, 'LinesFulfilled', '1.0', $2::json, '{}'::json)",
        Backend::Sqlite => "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) VALUES ('Order', $1, 3, 'LinesFulfilled', '1.0', $2, '{}')",
    };
    with_db!(d.db(), pool => {
        sqlx::query(insert).bind(&id).bind(v1.to_string()).execute(pool).await.unwrap();
    });

    // The aggregate: it knows one tea has shipped, so two more is too many…
    let q = |n| Quantity::new(n).unwrap();
    let too_many = OrderCommand::Fulfil {
        shipment_reference: "SHIP-X".into(),
        lines: vec![FulfilLine {
            sku: tea_sku(),
            quantity: q(2),
        }],
    };
    let refused = d
        .services
        .order_command(&ctx, &id, too_many, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(
        refused.reason,
        Some("over_fulfilment"),
        "{}",
        refused.message
    );
    // …and the rest completes the order (written as 2.0).
    let rest = OrderCommand::Fulfil {
        shipment_reference: "SHIP-NEW".into(),
        lines: vec![
            FulfilLine {
                sku: tea_sku(),
                quantity: q(1),
            },
            FulfilLine {
                sku: cup_sku(),
                quantity: q(1),
            },
        ],
    };
    d.services
        .order_command(&ctx, &id, rest, &Default::default())
        .await
        .map_err(|e| e.message)
        .unwrap();

    // Projections.
    d.runner.run_all_to_head().await.unwrap();
    let view = orders::get(d.db(), &id).await.unwrap().unwrap();
    assert_eq!(
        view.shipment_references,
        vec!["SHIP-OLD".to_string(), "SHIP-NEW".to_string()]
    );
    assert_eq!(view.status, "fulfilled");
    assert_eq!(d.runner.verify(orders::NAME).await.unwrap(), vec![]);

    // History: stored as 1.0, shown as 2.0.
    let history = d
        .services
        .stream_history(ORDER_AGGREGATE_TYPE, &id, 0, 100)
        .await
        .map_err(|e| e.message)
        .unwrap();
    let old = &history[2];
    assert_eq!(
        (old.stored_version.as_str(), old.event_version.as_str()),
        ("1.0", "2.0")
    );
    assert_eq!(
        old.payload["LinesFulfilled"]["shipment"]["reference"],
        "SHIP-OLD"
    );
    let new = &history[3];
    assert_eq!(
        (new.stored_version.as_str(), new.event_version.as_str()),
        ("2.0", "2.0")
    );

    // Time travel through the old event.
    let at_v3 = d
        .services
        .state_as_of(ORDER_AGGREGATE_TYPE, &id, AsOf::Version(3))
        .await
        .map_err(|e| e.message)
        .unwrap()
        .unwrap();
    assert_eq!(at_v3.version, 3);
    let state = at_v3.state.to_string();
    assert!(
        state.contains("SHIP-OLD") && !state.contains("SHIP-NEW"),
        "{state}"
    );

    // The old row was not rewritten.
    let stored: String = with_db!(d.db(), read pool => sqlx::query_scalar("SELECT event_version FROM events WHERE aggregate_id = $1 AND sequence = 3").bind(&id).fetch_one(pool).await.unwrap());
    assert_eq!(stored, "1.0");
    d.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_and_new_payloads_read_alike_sqlite() {
    old_and_new_payloads_read_alike(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_and_new_payloads_read_alike_postgres() {
    old_and_new_payloads_read_alike(Backend::Postgres).await;
}
