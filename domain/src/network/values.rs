//! Values describing sites and vehicles.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::ids::{PickupPointId, WarehouseId};
use crate::validation::{short_text, ValidationError};

coded_enum! {
    /// What a site is for. Depots are warehouses that vehicles start from.
    pub enum SiteKind(field = "site_kind") {
        Warehouse => "warehouse",
        Depot => "depot",
        PickupPoint => "pickup_point",
    }
}

impl SiteKind {
    /// Routing needs a point for every place a vehicle starts from or
    /// stops at; a warehouse only ships through carriers, so its street
    /// address is enough.
    pub const fn needs_coordinates(self) -> bool {
        matches!(self, Self::Depot | Self::PickupPoint)
    }
}

const WAREHOUSE_PREFIX: &str = "warehouse:";
const PICKUP_POINT_PREFIX: &str = "pickup_point:";

/// Identity of a site's stream. See the module docs for why both forms are
/// prefixed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum SiteId {
    Warehouse(WarehouseId),
    PickupPoint(PickupPointId),
}

impl SiteId {
    /// The event-store aggregate id.
    pub fn stream_id(&self) -> String {
        self.to_string()
    }

    pub fn as_warehouse(&self) -> Option<&WarehouseId> {
        match self {
            Self::Warehouse(id) => Some(id),
            Self::PickupPoint(_) => None,
        }
    }

    pub fn as_pickup_point(&self) -> Option<&PickupPointId> {
        match self {
            Self::PickupPoint(id) => Some(id),
            Self::Warehouse(_) => None,
        }
    }

    /// Whether a site of `kind` may live on this stream.
    pub const fn fits(&self, kind: SiteKind) -> bool {
        matches!(
            (self, kind),
            (Self::Warehouse(_), SiteKind::Warehouse | SiteKind::Depot)
                | (Self::PickupPoint(_), SiteKind::PickupPoint)
        )
    }
}

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Warehouse(id) => write!(f, "{WAREHOUSE_PREFIX}{id}"),
            Self::PickupPoint(id) => write!(f, "{PICKUP_POINT_PREFIX}{id}"),
        }
    }
}

impl FromStr for SiteId {
    type Err = ValidationError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if let Some(id) = value.strip_prefix(WAREHOUSE_PREFIX) {
            return WarehouseId::parse(id).map(Self::Warehouse);
        }
        if let Some(id) = value.strip_prefix(PICKUP_POINT_PREFIX) {
            return PickupPointId::parse(id).map(Self::PickupPoint);
        }
        Err(ValidationError::UnknownCode {
            field: "site_id",
            value: value.to_owned(),
        })
    }
}

impl TryFrom<String> for SiteId {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<SiteId> for String {
    fn from(value: SiteId) -> Self {
        value.to_string()
    }
}

/// Daily opening window, local time of the site. One window per day keeps
/// routing time windows simple; sites open around the clock omit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawOpeningHours", into = "RawOpeningHours")]
pub struct OpeningHours {
    pub(crate) opens: NaiveTime,
    pub(crate) closes: NaiveTime,
}

#[derive(Serialize, Deserialize)]
struct RawOpeningHours {
    opens: NaiveTime,
    closes: NaiveTime,
}

impl OpeningHours {
    pub fn new(opens: NaiveTime, closes: NaiveTime) -> Result<Self, ValidationError> {
        if opens >= closes {
            return Err(ValidationError::EmptyWindow {
                field: "opening_hours",
            });
        }
        Ok(Self { opens, closes })
    }

    pub const fn opens(&self) -> NaiveTime {
        self.opens
    }

    pub const fn closes(&self) -> NaiveTime {
        self.closes
    }
}

impl TryFrom<RawOpeningHours> for OpeningHours {
    type Error = ValidationError;

    fn try_from(raw: RawOpeningHours) -> Result<Self, Self::Error> {
        Self::new(raw.opens, raw.closes)
    }
}

impl From<OpeningHours> for RawOpeningHours {
    fn from(hours: OpeningHours) -> Self {
        Self {
            opens: hours.opens,
            closes: hours.closes,
        }
    }
}

/// What an admin edits on a site. Registration and updates both carry the
/// whole set, so read models overwrite instead of merging patches.
///
/// The address's recipient and phone are the site's receiving contact:
/// reverse shipments use the warehouse address as their destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteDetails {
    pub name: String,
    pub address: Address,
    pub opening_hours: Option<OpeningHours>,
}

/// Highest accepted average speed. Above it the value is a unit mistake
/// (m/s, mph) rather than a fast van, and it would make every ETA too early.
pub const MAX_SPEED_KMH: u16 = 150;

/// What an admin edits on a vehicle; like [`SiteDetails`], always complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleSpec {
    pub depot: WarehouseId,
    pub capacity_weight_grams: u32,
    pub capacity_parcels: u32,
    /// Local time at the depot.
    pub shift_start: NaiveTime,
    /// Local time at the depot; overnight shifts are not modelled.
    pub shift_end: NaiveTime,
    pub average_speed_kmh: u16,
}

impl VehicleSpec {
    /// Fields are public for easy construction, so the rules are checked
    /// here, by the aggregate, on every registration and update.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.capacity_weight_grams == 0 {
            return Err(ValidationError::NotPositive {
                field: "capacity_weight_grams",
            });
        }
        if self.capacity_parcels == 0 {
            return Err(ValidationError::NotPositive {
                field: "capacity_parcels",
            });
        }
        if self.shift_start >= self.shift_end {
            return Err(ValidationError::EmptyWindow { field: "shift" });
        }
        if !(1..=MAX_SPEED_KMH).contains(&self.average_speed_kmh) {
            return Err(ValidationError::OutOfRange {
                field: "average_speed_kmh",
                min: 1,
                max: i64::from(MAX_SPEED_KMH),
            });
        }
        Ok(())
    }
}

/// Site names show up in driver apps and pickup notices.
pub(super) fn check_site_details(details: &SiteDetails) -> Result<(), ValidationError> {
    short_text("name", &details.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    #[test]
    fn site_id_round_trips_through_its_stream_form() {
        let warehouse = SiteId::Warehouse(WarehouseId::trusted("wh-1"));
        assert_eq!(warehouse.stream_id(), "warehouse:wh-1");
        assert_eq!("warehouse:wh-1".parse(), Ok(warehouse.clone()));
        let point = SiteId::PickupPoint(PickupPointId::trusted("pp:7"));
        assert_eq!(point.to_string(), "pickup_point:pp:7");
        let json = serde_json::to_string(&point).expect("serialise");
        assert_eq!(json, "\"pickup_point:pp:7\"");
        assert_eq!(serde_json::from_str::<SiteId>(&json).ok(), Some(point));
    }

    #[test]
    fn site_id_rejects_unknown_prefix_and_bad_ids() {
        assert_eq!(
            "wh-1".parse::<SiteId>(),
            Err(ValidationError::UnknownCode {
                field: "site_id",
                value: "wh-1".into()
            })
        );
        assert_eq!(
            "warehouse:".parse::<SiteId>(),
            Err(ValidationError::Empty {
                field: "warehouse_id"
            })
        );
        assert!(serde_json::from_str::<SiteId>("\"pickup_point:a b\"").is_err());
    }

    #[test]
    fn site_id_fits_matching_kinds_only() {
        let warehouse = SiteId::Warehouse(WarehouseId::trusted("wh-1"));
        let point = SiteId::PickupPoint(PickupPointId::trusted("pp-1"));
        assert!(warehouse.fits(SiteKind::Warehouse) && warehouse.fits(SiteKind::Depot));
        assert!(!warehouse.fits(SiteKind::PickupPoint));
        assert!(point.fits(SiteKind::PickupPoint) && !point.fits(SiteKind::Depot));
    }

    #[test]
    fn opening_hours_must_open_before_closing() {
        assert!(OpeningHours::new(time(8, 0), time(20, 0)).is_ok());
        assert_eq!(
            OpeningHours::new(time(20, 0), time(8, 0)),
            Err(ValidationError::EmptyWindow {
                field: "opening_hours"
            })
        );
        let bad = r#"{"opens":"09:00:00","closes":"09:00:00"}"#;
        assert!(serde_json::from_str::<OpeningHours>(bad).is_err());
    }
}
