//! Own-fleet stops for the routing tests, set up through the application layer.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use waybill_api::commands::service::CommandOptions;
use waybill_domain::address::{Address, GeoPoint};
use waybill_domain::delivery::DeliveryMode;
use waybill_domain::ids::ShipmentId;
use waybill_domain::order::sample::{sample_address_fields, sample_order_id};
use waybill_domain::shipment::sample::{sample_create_own_fleet_shipment, sample_staff_id};
use waybill_domain::shipment::ShipmentCommand;
use waybill_domain::WarehouseId;

use crate::TestApp;

/// `hour`:00 UTC on `date` (YYYY-MM-DD).
pub fn at(date: &str, hour: u32) -> DateTime<Utc> {
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
    date.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("time"))
        .and_utc()
}

/// How far the warehouse has taken a stop's shipment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Prepared {
    Picked,
    Packed,
}

/// Creates an own-fleet shipment of `depot` delivered at (lat, lon) within `window` (UTC hours
/// of `date`), and takes it to `prepared`; returns (id, position).
pub async fn own_fleet_stop(
    app: &TestApp,
    depot: &str,
    date: &str,
    (lat, lon): (f64, f64),
    window: (u32, u32),
    prepared: Prepared,
) -> (String, i64) {
    let id = ShipmentId::from_uuid(uuid::Uuid::now_v7());
    let mut fields = sample_address_fields();
    fields.coordinates = Some(GeoPoint::new(lat, lon).expect("point"));
    let create = waybill_domain::shipment::CreateShipment {
        shipment_id: id,
        order_id: sample_order_id(),
        warehouse_id: WarehouseId::parse(depot).expect("depot"),
        destination: Address::parse(fields).expect("address"),
        delivery: DeliveryMode::scheduled(at(date, window.0), at(date, window.1)).expect("window"),
        promised_handover_by: None,
        promised_delivery_by: None,
        created_at: at(date, 0) - chrono::Duration::days(1),
        ..sample_create_own_fleet_shipment()
    };
    let ctx = app.admin_context();
    let stream = id.to_string();
    let when = create.created_at;
    let mut commands = vec![
        ShipmentCommand::Create(create),
        ShipmentCommand::Pick {
            staff: sample_staff_id(),
            at: when,
        },
    ];
    if prepared == Prepared::Packed {
        commands.push(ShipmentCommand::Pack {
            staff: sample_staff_id(),
            at: when,
            parcels: None,
        });
    }
    let mut position = 0;
    for command in commands {
        let s = &app.services;
        position = s
            .commands
            .execute(
                &s.shipments,
                &stream,
                command,
                &ctx,
                &CommandOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("shipment command: {}", e.message))
            .position;
    }
    (stream, position)
}

/// The version (last sequence) of one stream, read from the store.
pub async fn stream_version(app: &TestApp, stream_type: &str, stream_id: &str) -> i64 {
    waybill_projections::with_db!(&app.test_db.db, read pool =>
        sqlx::query_scalar("SELECT COALESCE(MAX(sequence), 0) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2")
            .bind(stream_type)
            .bind(stream_id)
            .fetch_one(pool)
            .await
            .expect("stream version"))
}
