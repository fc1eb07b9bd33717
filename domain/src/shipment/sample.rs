//! Ready-made valid shipments for tests in this and other crates (API,
//! projections). Not behind `cfg(test)` so downstream suites can use it; no
//! IO, and nothing here is used by production paths.
//!
//! The sample shipment carries the sample order (2 × tea, 1 × cup) in one
//! 1.2 kg parcel by SF Express; the own-fleet variant has no tracking
//! number; the reverse variant brings the tea back for a return.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::address::GeoPoint;
use crate::delivery::DeliveryMode;
use crate::ids::{ReturnId, ShipmentId};
use crate::order::sample::{
    sample_address, sample_lines, sample_order_id, sample_warehouse_id, SAMPLE_PLACED_AT_SECS,
};
use crate::shipment::commands::{CreateShipment, RecordScan};
use crate::shipment::events::{ShipmentCreated, ShipmentEvent};
use crate::shipment::values::{
    Carrier, Direction, Parcel, ProofOfDelivery, ScanStatus, ShipmentLine, StaffId, TrackingNumber,
};

pub const SAMPLE_TRACKING_NUMBER: &str = "SF1234567890123";
pub const SAMPLE_STAFF_ID: &str = "staff-0042";
/// One hour after the sample order was placed.
pub const SAMPLE_SHIPMENT_CREATED_AT_SECS: i64 = SAMPLE_PLACED_AT_SECS + 3_600;

/// `SAMPLE_SHIPMENT_CREATED_AT_SECS + seconds`.
pub fn shipment_time(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(SAMPLE_SHIPMENT_CREATED_AT_SECS + seconds, 0).unwrap_or_default()
}

pub fn sample_shipment_id() -> ShipmentId {
    ShipmentId::from_uuid(Uuid::from_u128(0x0194_0000_0000_7000_8000_0000_0000_0001))
}

pub fn sample_other_shipment_id() -> ShipmentId {
    ShipmentId::from_uuid(Uuid::from_u128(0x0194_0000_0000_7000_8000_0000_0000_0002))
}

pub fn sample_return_id() -> ReturnId {
    ReturnId::from_uuid(Uuid::from_u128(0x0194_0000_0000_7000_8000_0000_0000_00a1))
}

pub fn sample_tracking_number() -> TrackingNumber {
    TrackingNumber::trusted(SAMPLE_TRACKING_NUMBER)
}

pub fn sample_staff_id() -> StaffId {
    StaffId::trusted(SAMPLE_STAFF_ID)
}

/// 1.2 kg in a 300 × 200 × 150 mm box.
pub fn sample_parcel() -> Parcel {
    Parcel {
        weight_grams: 1_200,
        length_mm: 300,
        width_mm: 200,
        height_mm: 150,
    }
}

/// The sample order's lines, all in this shipment.
pub fn sample_shipment_lines() -> Vec<ShipmentLine> {
    sample_lines()
        .into_iter()
        .map(|line| ShipmentLine {
            sku: line.sku,
            quantity: line.quantity,
        })
        .collect()
}

/// Outbound by SF Express, promised to the carrier within a day and to the
/// customer within three.
pub fn sample_create_shipment() -> CreateShipment {
    CreateShipment {
        shipment_id: sample_shipment_id(),
        order_id: sample_order_id(),
        direction: Direction::Outbound,
        return_id: None,
        warehouse_id: sample_warehouse_id(),
        lines: sample_shipment_lines(),
        parcels: vec![sample_parcel()],
        delivery: DeliveryMode::Express,
        carrier: Carrier::SfExpress,
        tracking_number: Some(sample_tracking_number()),
        destination: sample_address(),
        promised_handover_by: Some(shipment_time(86_400)),
        promised_delivery_by: Some(shipment_time(3 * 86_400)),
        priority: 5,
        created_at: shipment_time(0),
    }
}

/// The same goods on the own fleet, not yet numbered.
pub fn sample_create_own_fleet_shipment() -> CreateShipment {
    CreateShipment {
        carrier: Carrier::OwnFleet,
        tracking_number: None,
        ..sample_create_shipment()
    }
}

/// The tea coming back to the warehouse for a return.
pub fn sample_create_reverse_shipment() -> CreateShipment {
    let tea = sample_shipment_lines().into_iter().take(1).collect();
    CreateShipment {
        shipment_id: sample_other_shipment_id(),
        direction: Direction::Reverse,
        return_id: Some(sample_return_id()),
        lines: tea,
        promised_handover_by: None,
        promised_delivery_by: None,
        priority: 0,
        ..sample_create_shipment()
    }
}

/// What creating `cmd` records, field by field.
pub fn shipment_created_from(cmd: CreateShipment) -> ShipmentEvent {
    ShipmentEvent::ShipmentCreated(ShipmentCreated {
        shipment_id: cmd.shipment_id,
        order_id: cmd.order_id,
        direction: cmd.direction,
        return_id: cmd.return_id,
        warehouse_id: cmd.warehouse_id,
        lines: cmd.lines,
        parcels: cmd.parcels,
        delivery: cmd.delivery,
        carrier: cmd.carrier,
        tracking_number: cmd.tracking_number,
        destination: cmd.destination,
        promised_handover_by: cmd.promised_handover_by,
        promised_delivery_by: cmd.promised_delivery_by,
        priority: cmd.priority,
        created_at: cmd.created_at,
    })
}

pub fn sample_shipment_created() -> ShipmentEvent {
    shipment_created_from(sample_create_shipment())
}

pub fn sample_own_fleet_shipment_created() -> ShipmentEvent {
    shipment_created_from(sample_create_own_fleet_shipment())
}

pub fn sample_reverse_shipment_created() -> ShipmentEvent {
    shipment_created_from(sample_create_reverse_shipment())
}

pub fn sample_picked() -> ShipmentEvent {
    ShipmentEvent::ShipmentPicked {
        staff: sample_staff_id(),
        at: shipment_time(600),
    }
}

pub fn sample_packed() -> ShipmentEvent {
    ShipmentEvent::ShipmentPacked {
        staff: sample_staff_id(),
        at: shipment_time(1_200),
        parcels: vec![sample_parcel()],
    }
}

pub fn sample_handed_to_carrier() -> ShipmentEvent {
    ShipmentEvent::HandedToCarrier {
        staff: sample_staff_id(),
        at: shipment_time(3_600),
        carrier: Carrier::SfExpress,
        tracking_number: Some(sample_tracking_number()),
    }
}

/// Created, picked, packed and handed to SF Express.
pub fn sample_handed_over_history() -> Vec<ShipmentEvent> {
    vec![
        sample_shipment_created(),
        sample_picked(),
        sample_packed(),
        sample_handed_to_carrier(),
    ]
}

/// A plain checkpoint without carrier id, location or details.
pub fn sample_scan(status: ScanStatus, occurred_at: DateTime<Utc>) -> RecordScan {
    RecordScan {
        carrier_event_id: None,
        status,
        location: Some("Hangzhou Xihu hub".into()),
        coordinates: None,
        occurred_at,
        details: None,
    }
}

/// Signed for at the door, with the driver's position.
pub fn sample_proof() -> ProofOfDelivery {
    ProofOfDelivery {
        signed_by: Some("Li Wei".into()),
        photo_ref: Some("pod/2025/01/03/sf-0001.jpg".into()),
        pickup_code: None,
        coordinates: Some(GeoPoint {
            lat: 30.25,
            lon: 120.15,
        }),
    }
}

/// Handy for "N days later" in expiry scenarios.
pub fn days(n: i64) -> TimeDelta {
    TimeDelta::try_days(n).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shipment::values::ProofFields;
    use crate::shipment::{Shipment, ShipmentCommand};

    #[test]
    fn sample_literals_pass_their_own_validation() {
        assert!(TrackingNumber::parse(SAMPLE_TRACKING_NUMBER).is_ok());
        assert!(StaffId::parse(SAMPLE_STAFF_ID).is_ok());
        assert_eq!(Parcel::new(1_200, 300, 200, 150), Ok(sample_parcel()));
        let proof = sample_proof();
        assert_eq!(
            ProofOfDelivery::parse(ProofFields::from(proof.clone())),
            Ok(proof)
        );
    }

    #[test]
    fn sample_created_events_match_what_creating_records() {
        for cmd in [
            sample_create_shipment(),
            sample_create_own_fleet_shipment(),
            sample_create_reverse_shipment(),
        ] {
            let expected = shipment_created_from(cmd.clone());
            let decided = Shipment::default().decide(ShipmentCommand::Create(cmd));
            assert_eq!(decided, Ok(vec![expected]));
        }
    }
}
