//! Identifiers: the order stream id and the validated external ids.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{check_max_chars, ValidationError};
use crate::values::{ExternalOrderNumber, SalesChannel};

/// Namespace for name-based order ids. Changing it would silently split every
/// existing order from its stream, so it is fixed forever.
pub const WAYBILL_ORDER_NAMESPACE: Uuid =
    Uuid::from_u128(0x6c2f_9a0e_4b71_4d5a_9e3c_1f8b_7d20_a54e);

/// Identity of an order's event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(Uuid);

impl OrderId {
    /// Derives the id from the channel's own order number. Sending the same
    /// channel order twice lands on the same stream, so placement is
    /// idempotent by construction and needs no lookup table.
    pub fn for_channel_order(channel: SalesChannel, external: &ExternalOrderNumber) -> Self {
        let name = format!("orders/{}/{}", channel.code(), external.as_str());
        Self(Uuid::new_v5(&WAYBILL_ORDER_NAMESPACE, name.as_bytes()))
    }

    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub const fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl FromStr for OrderId {
    type Err = ValidationError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(value)
            .map(Self)
            .map_err(|_| ValidationError::InvalidUuid { field: "order_id" })
    }
}

/// Longest accepted external id.
pub const ID_MAX_CHARS: usize = 64;

/// Ids come from other systems and end up in URLs, logs and stream names, so
/// they are limited to a conservative, URL-safe alphabet.
pub(crate) fn id_rule(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    check_max_chars(field, value, ID_MAX_CHARS)?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-');
    if let Some(character) = value.chars().find(|c| !allowed(*c)) {
        return Err(ValidationError::DisallowedCharacter { field, character });
    }
    Ok(())
}

validated_string! {
    /// A customer's id in the upstream customer system.
    pub struct CustomerId(field = "customer_id", rule = id_rule);
}

validated_string! {
    /// A warehouse that can fulfil orders.
    pub struct WarehouseId(field = "warehouse_id", rule = id_rule);
}

validated_string! {
    /// A self-pickup point or parcel locker.
    pub struct PickupPointId(field = "pickup_point_id", rule = id_rule);
}

validated_string! {
    /// A delivery vehicle of the own fleet.
    pub struct VehicleId(field = "vehicle_id", rule = id_rule);
}

/// A stream id that Waybill mints itself (UUIDv7 at the API edge: the domain reads no clock).
macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $field:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(value)
                    .map(Self)
                    .map_err(|_| ValidationError::InvalidUuid { field: $field })
            }
        }
    };
}

uuid_id!(
    /// A shipment's stream (outbound or reverse).
    ShipmentId,
    "shipment_id"
);
uuid_id!(
    /// A delivery run's stream.
    RouteId,
    "route_id"
);
uuid_id!(
    /// A return (RMA) stream.
    ReturnId,
    "return_id"
);
uuid_id!(
    /// A service case's stream.
    CaseId,
    "case_id"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn external(value: &str) -> ExternalOrderNumber {
        ExternalOrderNumber::parse(value).expect("valid external number")
    }

    #[test]
    fn same_channel_order_maps_to_same_id() {
        let a = OrderId::for_channel_order(SalesChannel::Tmall, &external("T-1001"));
        let b = OrderId::for_channel_order(SalesChannel::Tmall, &external("T-1001"));
        assert_eq!(a, b);
        assert_eq!(a.as_uuid().get_version_num(), 5);
    }

    #[test]
    fn channel_is_part_of_the_id() {
        let tmall = OrderId::for_channel_order(SalesChannel::Tmall, &external("1001"));
        let jd = OrderId::for_channel_order(SalesChannel::Jd, &external("1001"));
        assert_ne!(tmall, jd);
    }

    #[test]
    fn order_id_is_stable_across_releases() {
        let expected = Uuid::new_v5(&WAYBILL_ORDER_NAMESPACE, b"orders/jd/JD-42");
        let id = OrderId::for_channel_order(SalesChannel::Jd, &external("JD-42"));
        assert_eq!(id.as_uuid(), expected);
    }

    #[test]
    fn order_id_round_trips_through_display_and_serde() {
        let id = OrderId::for_channel_order(SalesChannel::App, &external("A-1"));
        assert_eq!(id.to_string().parse::<OrderId>(), Ok(id));
        let json = serde_json::to_string(&id).expect("serialise");
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<OrderId>(&json).ok(), Some(id));
    }

    #[test]
    fn order_id_rejects_garbage() {
        assert_eq!(
            "not-a-uuid".parse::<OrderId>(),
            Err(ValidationError::InvalidUuid { field: "order_id" })
        );
    }

    #[test]
    fn customer_id_accepts_the_safe_alphabet() {
        let id = CustomerId::parse("cust_01.A:b-9").expect("valid");
        assert_eq!(id.as_str(), "cust_01.A:b-9");
    }

    #[test]
    fn customer_id_rejects_empty() {
        assert_eq!(
            CustomerId::parse(""),
            Err(ValidationError::Empty {
                field: "customer_id"
            })
        );
    }

    #[test]
    fn customer_id_rejects_over_64_chars() {
        assert_eq!(
            CustomerId::parse(&"c".repeat(65)),
            Err(ValidationError::TooLong {
                field: "customer_id",
                max: 64,
                actual: 65
            })
        );
        assert!(CustomerId::parse(&"c".repeat(64)).is_ok());
    }

    #[test]
    fn warehouse_id_rejects_disallowed_characters() {
        assert_eq!(
            WarehouseId::parse("wh 1"),
            Err(ValidationError::DisallowedCharacter {
                field: "warehouse_id",
                character: ' '
            })
        );
        assert_eq!(
            WarehouseId::parse("仓库"),
            Err(ValidationError::DisallowedCharacter {
                field: "warehouse_id",
                character: '仓'
            })
        );
    }

    #[test]
    fn ids_validate_when_deserialised() {
        assert!(serde_json::from_str::<WarehouseId>("\"wh/1\"").is_err());
        let id: WarehouseId = serde_json::from_str("\"wh-1\"").expect("valid");
        assert_eq!(WarehouseId::try_from(String::from("wh-1")), Ok(id));
    }
}
