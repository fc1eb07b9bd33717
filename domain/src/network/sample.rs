//! Ready-made valid sites and vehicles for tests in this and other crates.
//! Not behind `cfg(test)` so downstream suites can use it; no IO.

use chrono::{DateTime, NaiveTime, Utc};

use crate::address::{Address, GeoPoint};
use crate::ids::{PickupPointId, VehicleId, WarehouseId};
use crate::network::site::{SiteCommand, SiteEvent, SiteRegistered};
use crate::network::values::{OpeningHours, SiteDetails, SiteId, SiteKind, VehicleSpec};
use crate::network::vehicle::{VehicleCommand, VehicleEvent};
use crate::order::sample::{sample_placed_at, sample_warehouse_id};

pub const SAMPLE_DEPOT_ID: &str = "depot-hz-xihu";
pub const SAMPLE_PICKUP_POINT_ID: &str = "pp-xihu-locker-7";
pub const SAMPLE_VEHICLE_ID: &str = "van-zj-a12345";

/// When the sample network was set up (the sample order's placement time).
pub fn sample_registered_at() -> DateTime<Utc> {
    sample_placed_at()
}

/// The depot vehicles start from; a warehouse id, as depots are warehouses.
pub fn sample_depot_id() -> WarehouseId {
    WarehouseId::trusted(SAMPLE_DEPOT_ID)
}

pub fn sample_pickup_point_id() -> PickupPointId {
    PickupPointId::trusted(SAMPLE_PICKUP_POINT_ID)
}

/// The order sample's warehouse as a site.
pub fn sample_warehouse_site_id() -> SiteId {
    SiteId::Warehouse(sample_warehouse_id())
}

pub fn sample_depot_site_id() -> SiteId {
    SiteId::Warehouse(sample_depot_id())
}

pub fn sample_pickup_point_site_id() -> SiteId {
    SiteId::PickupPoint(sample_pickup_point_id())
}

/// A site address in Hangzhou with coordinates, valid for every kind.
pub fn sample_site_address() -> Address {
    Address {
        recipient: "Receiving desk".into(),
        phone: "+86 571 0000 0000".into(),
        country: "CN".into(),
        province: "Zhejiang".into(),
        city: "Hangzhou".into(),
        district: Some("Xihu".into()),
        street: "88 Wenyi West Road".into(),
        postal_code: Some("310012".into()),
        coordinates: Some(GeoPoint {
            lat: 30.2741,
            lon: 120.1059,
        }),
    }
}

pub fn sample_opening_hours() -> OpeningHours {
    let time = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    OpeningHours {
        opens: time(8),
        closes: time(21),
    }
}

pub fn sample_site_details(name: &str) -> SiteDetails {
    SiteDetails {
        name: name.into(),
        address: sample_site_address(),
        opening_hours: Some(sample_opening_hours()),
    }
}

pub fn sample_register_depot() -> SiteCommand {
    SiteCommand::Register {
        site_id: sample_depot_site_id(),
        kind: SiteKind::Depot,
        details: sample_site_details("Xihu depot"),
        at: sample_registered_at(),
    }
}

pub fn sample_depot_registered() -> SiteEvent {
    SiteEvent::SiteRegistered(SiteRegistered {
        site_id: sample_depot_site_id(),
        kind: SiteKind::Depot,
        details: sample_site_details("Xihu depot"),
        registered_at: sample_registered_at(),
    })
}

pub fn sample_pickup_point_registered() -> SiteEvent {
    SiteEvent::SiteRegistered(SiteRegistered {
        site_id: sample_pickup_point_site_id(),
        kind: SiteKind::PickupPoint,
        details: sample_site_details("Xihu locker 7"),
        registered_at: sample_registered_at(),
    })
}

pub fn sample_vehicle_id() -> VehicleId {
    VehicleId::trusted(SAMPLE_VEHICLE_ID)
}

/// A small van: 800 kg, 120 parcels, 08:00–18:00, 30 km/h in town.
pub fn sample_vehicle_spec() -> VehicleSpec {
    let time = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    VehicleSpec {
        depot: sample_depot_id(),
        capacity_weight_grams: 800_000,
        capacity_parcels: 120,
        shift_start: time(8),
        shift_end: time(18),
        average_speed_kmh: 30,
    }
}

pub fn sample_register_vehicle() -> VehicleCommand {
    VehicleCommand::Register {
        vehicle_id: sample_vehicle_id(),
        spec: sample_vehicle_spec(),
        at: sample_registered_at(),
    }
}

pub fn sample_vehicle_registered() -> VehicleEvent {
    VehicleEvent::VehicleRegistered {
        vehicle_id: sample_vehicle_id(),
        spec: sample_vehicle_spec(),
        at: sample_registered_at(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Site, Vehicle};

    #[test]
    fn sample_literals_pass_their_own_validation() {
        assert!(WarehouseId::parse(SAMPLE_DEPOT_ID).is_ok());
        assert!(PickupPointId::parse(SAMPLE_PICKUP_POINT_ID).is_ok());
        assert!(VehicleId::parse(SAMPLE_VEHICLE_ID).is_ok());
        assert_eq!(
            Address::parse(sample_site_address().to_fields()),
            Ok(sample_site_address())
        );
        assert!(GeoPoint::new(30.2741, 120.1059).is_ok());
        let hours = sample_opening_hours();
        assert_eq!(OpeningHours::new(hours.opens(), hours.closes()), Ok(hours));
        assert_eq!(sample_vehicle_spec().validate(), Ok(()));
    }

    #[test]
    fn sample_events_match_what_registering_records() {
        assert_eq!(
            Site::default().decide(sample_register_depot()),
            Ok(vec![sample_depot_registered()])
        );
        assert_eq!(
            Vehicle::default().decide(sample_register_vehicle()),
            Ok(vec![sample_vehicle_registered()])
        );
    }
}
