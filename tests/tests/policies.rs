//! Process managers are exactly-once: a policy that crashes after issuing its commands but
//! before saving its checkpoint sees the events again and changes nothing the second time.

use std::sync::Arc;

use waybill_api::policies::fulfilment::OrderFollowsShipments;
use waybill_api::policies::PolicyRunner;
use waybill_domain::ids::ShipmentId;
use waybill_domain::order::OrderCommand;
use waybill_domain::shipment::{
    sample, RecordScan, ScanDetails, ScanStatus, ShipmentCommand, StaffId,
};
use waybill_projections::{checkpoint, orders, with_db, RunnerOptions};
use waybill_tests::{event_count_of, Backend, Direct};

async fn the_order_follows_its_shipment_once(backend: Backend) {
    let Some(d) = Direct::create(
        backend,
        "the_order_follows_its_shipment_once",
        RunnerOptions::default(),
    )
    .await
    else {
        return;
    };
    let ctx = d.context();
    let order_id = d.place("POLICY-1").await;
    let capture = OrderCommand::CapturePayment {
        method: "alipay".into(),
        reference: "P".into(),
        amount_minor: 100,
    };
    d.services
        .order_command(&ctx, &order_id, capture, &Default::default())
        .await
        .map_err(|e| e.message)
        .unwrap();

    let mut create = sample::sample_create_shipment();
    create.shipment_id = ShipmentId::from_uuid(uuid::Uuid::now_v7());
    create.order_id = order_id.parse().unwrap();
    create.lines = waybill_domain::order::sample::sample_full_shipment()
        .into_iter()
        .map(|l| waybill_domain::shipment::ShipmentLine {
            sku: l.sku,
            quantity: l.quantity,
        })
        .collect();
    let sid = create.shipment_id.to_string();
    d.services
        .create_shipment(&ctx, create, &Default::default())
        .await
        .map_err(|e| e.message)
        .unwrap();
    let staff = StaffId::parse("dock-1").unwrap();
    let at = chrono::Utc::now();
    for command in [
        ShipmentCommand::Pick {
            staff: staff.clone(),
            at,
        },
        ShipmentCommand::Pack {
            staff: staff.clone(),
            at,
            parcels: None,
        },
        ShipmentCommand::HandOver {
            staff: staff.clone(),
            at,
            tracking_number: None,
        },
    ] {
        d.services
            .shipment_command(&ctx, &sid, command, &Default::default())
            .await
            .map_err(|e| e.message)
            .unwrap();
    }
    let delivered = RecordScan {
        carrier_event_id: Some("d-1".into()),
        status: ScanStatus::Delivered,
        location: None,
        coordinates: None,
        occurred_at: at,
        details: None::<ScanDetails>,
    };
    d.services
        .shipment_command(
            &ctx,
            &sid,
            ShipmentCommand::RecordScan(delivered),
            &Default::default(),
        )
        .await
        .map_err(|e| e.message)
        .unwrap();

    let policies = PolicyRunner::new(d.services.clone(), vec![Arc::new(OrderFollowsShipments)]);
    d.runner.run_all_to_head().await.unwrap();
    policies
        .run_until_idle()
        .await
        .map_err(|e| e.message)
        .unwrap();
    d.runner.run_all_to_head().await.unwrap();
    let view = orders::get(d.db(), &order_id).await.unwrap().unwrap();
    assert_eq!(view.status, "delivered", "{view:?}");
    let after_first = event_count_of(d.db(), "Order").await;

    // The crash: the checkpoint is lost, the commands are not.
    let mut tx = d.db().begin().await.unwrap();
    checkpoint::delete(&mut tx, "policy:order_follows_shipments")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    policies
        .run_until_idle()
        .await
        .map_err(|e| e.message)
        .unwrap();
    assert_eq!(
        event_count_of(d.db(), "Order").await,
        after_first,
        "a restarted policy must not issue a command twice"
    );
    let keyed: i64 = with_db!(d.db(), read pool => sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE aggregate_type = 'Order' AND CAST(metadata AS TEXT) LIKE '%order_follows_shipments%'").fetch_one(pool).await.unwrap());
    assert!(keyed >= 2, "fulfil and deliver were issued by the policy");
    d.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_follows_its_shipment_once_sqlite() {
    the_order_follows_its_shipment_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_follows_its_shipment_once_postgres() {
    the_order_follows_its_shipment_once(Backend::Postgres).await;
}

/// Shipments in carrier hands with no scan for the configured days expire, once.
async fn silent_shipments_expire_once(backend: Backend) {
    let Some(d) = Direct::create(
        backend,
        "silent_shipments_expire_once",
        RunnerOptions::default(),
    )
    .await
    else {
        return;
    };
    let ctx = d.context();
    let order_id = d.place("EXPIRE-1").await;
    let mut create = sample::sample_create_shipment();
    create.shipment_id = ShipmentId::from_uuid(uuid::Uuid::now_v7());
    create.order_id = order_id.parse().unwrap();
    let sid = create.shipment_id.to_string();
    let handed_at = chrono::Utc::now() - chrono::Duration::days(40);
    create.created_at = handed_at;
    d.services
        .create_shipment(&ctx, create, &Default::default())
        .await
        .map_err(|e| e.message)
        .unwrap();
    let staff = StaffId::parse("dock-1").unwrap();
    for command in [
        ShipmentCommand::Pick {
            staff: staff.clone(),
            at: handed_at,
        },
        ShipmentCommand::Pack {
            staff: staff.clone(),
            at: handed_at,
            parcels: None,
        },
        ShipmentCommand::HandOver {
            staff,
            at: handed_at,
            tracking_number: None,
        },
    ] {
        d.services
            .shipment_command(&ctx, &sid, command, &Default::default())
            .await
            .map_err(|e| e.message)
            .unwrap();
    }
    d.runner.run_all_to_head().await.unwrap();
    let now = chrono::Utc::now();
    assert_eq!(
        d.services
            .expire_silent_shipments(&ctx, now, 60)
            .await
            .map_err(|e| e.message)
            .unwrap(),
        0,
        "not silent long enough"
    );
    assert_eq!(
        d.services
            .expire_silent_shipments(&ctx, now, 30)
            .await
            .map_err(|e| e.message)
            .unwrap(),
        1
    );
    d.runner.run_all_to_head().await.unwrap();
    assert_eq!(
        d.services
            .expire_silent_shipments(&ctx, now, 30)
            .await
            .map_err(|e| e.message)
            .unwrap(),
        0,
        "expired once"
    );
    let view = waybill_projections::shipments::get(d.db(), &sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((view.status.as_str(), view.active), ("expired", false));
    d.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_shipments_expire_once_sqlite() {
    silent_shipments_expire_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_shipments_expire_once_postgres() {
    silent_shipments_expire_once(Backend::Postgres).await;
}
