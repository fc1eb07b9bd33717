//! Logistics values shared by shipments and routes: carriers, tracking
//! numbers, staff, parcels and the carrier-scan vocabulary.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::address::GeoPoint;
use crate::ids::id_rule;
use crate::validation::{check_max_chars, short_text, ValidationError};
use crate::values::{Quantity, Sku};

coded_enum! {
    /// Who moves the parcels. `own_fleet` is Waybill's own vans, planned
    /// and dispatched through the `route` module.
    pub enum Carrier(field = "carrier") {
        SfExpress => "sf_express",
        JdLogistics => "jd_logistics",
        Zto => "zto",
        Yto => "yto",
        Sto => "sto",
        Yunda => "yunda",
        Ems => "ems",
        Cainiao => "cainiao",
        OwnFleet => "own_fleet",
        Other => "other",
    }
}

impl Carrier {
    pub const fn is_own_fleet(self) -> bool {
        matches!(self, Self::OwnFleet)
    }
}

coded_enum! {
    /// `reverse` is a return travelling back to a warehouse.
    pub enum Direction(field = "direction") {
        Outbound => "outbound",
        Reverse => "reverse",
    }
}

pub const TRACKING_NUMBER_MAX_CHARS: usize = 40;

/// Carrier waybill numbers are letters, digits and dashes; anything else is
/// a copy-paste accident that would never match the carrier's webhooks.
fn tracking_number_rule(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    check_max_chars(field, value, TRACKING_NUMBER_MAX_CHARS)?;
    if let Some(character) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(ValidationError::DisallowedCharacter { field, character });
    }
    Ok(())
}

validated_string! {
    /// A carrier's waybill number (1..=40 of `A-Z a-z 0-9 -`).
    pub struct TrackingNumber(field = "tracking_number", rule = tracking_number_rule);
}

validated_string! {
    /// A warehouse or fleet staff member (badge id), recorded on the
    /// actions they perform.
    pub struct StaffId(field = "staff", rule = id_rule);
}

/// Lookup key for "which shipment is this tracking number?".
///
/// Carriers reuse tracking numbers (aggregators dedupe (carrier, number)
/// only within months), so the key is unique only among the carrier's
/// *active* shipments ([`ShipmentState::is_active`]). That uniqueness spans
/// streams, so it is enforced by a projection-backed lookup at the API, not
/// by this aggregate. Case is folded because carriers print numbers in upper
/// case but webhooks and staff do not always send them that way.
///
/// [`ShipmentState::is_active`]: crate::shipment::ShipmentState::is_active
pub fn tracking_key(carrier: Carrier, tracking_number: &TrackingNumber) -> String {
    format!(
        "{}:{}",
        carrier.code(),
        tracking_number.as_str().to_ascii_uppercase()
    )
}

/// Units of one SKU in a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentLine {
    pub sku: Sku,
    pub quantity: Quantity,
}

/// One box: weight and outer dimensions, all positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawParcel", into = "RawParcel")]
pub struct Parcel {
    pub(crate) weight_grams: u32,
    pub(crate) length_mm: u32,
    pub(crate) width_mm: u32,
    pub(crate) height_mm: u32,
}

#[derive(Serialize, Deserialize)]
struct RawParcel {
    weight_grams: u32,
    length_mm: u32,
    width_mm: u32,
    height_mm: u32,
}

impl Parcel {
    pub fn new(
        weight_grams: u32,
        length_mm: u32,
        width_mm: u32,
        height_mm: u32,
    ) -> Result<Self, ValidationError> {
        for (field, value) in [
            ("parcel.weight_grams", weight_grams),
            ("parcel.length_mm", length_mm),
            ("parcel.width_mm", width_mm),
            ("parcel.height_mm", height_mm),
        ] {
            if value == 0 {
                return Err(ValidationError::NotPositive { field });
            }
        }
        Ok(Self {
            weight_grams,
            length_mm,
            width_mm,
            height_mm,
        })
    }

    pub const fn weight_grams(&self) -> u32 {
        self.weight_grams
    }
    pub const fn length_mm(&self) -> u32 {
        self.length_mm
    }
    pub const fn width_mm(&self) -> u32 {
        self.width_mm
    }
    pub const fn height_mm(&self) -> u32 {
        self.height_mm
    }
}

impl TryFrom<RawParcel> for Parcel {
    type Error = ValidationError;

    fn try_from(raw: RawParcel) -> Result<Self, Self::Error> {
        Self::new(raw.weight_grams, raw.length_mm, raw.width_mm, raw.height_mm)
    }
}

impl From<Parcel> for RawParcel {
    fn from(parcel: Parcel) -> Self {
        Self {
            weight_grams: parcel.weight_grams,
            length_mm: parcel.length_mm,
            width_mm: parcel.width_mm,
            height_mm: parcel.height_mm,
        }
    }
}

coded_enum! {
    /// The canonical carrier checkpoint taxonomy (AfterShip / EasyPost
    /// statuses map onto it at the API edge).
    pub enum ScanStatus(field = "scan_status") {
        InfoReceived => "info_received",
        InTransit => "in_transit",
        OutForDelivery => "out_for_delivery",
        DeliveryAttemptFailed => "delivery_attempt_failed",
        AvailableForPickup => "available_for_pickup",
        Delivered => "delivered",
        Exception => "exception",
        ReturnedToSender => "returned_to_sender",
    }
}

coded_enum! {
    /// Why a carrier raised an exception. `other` keeps unmapped carrier
    /// codes representable instead of refusing the checkpoint.
    pub enum ExceptionKind(field = "exception_kind") {
        Lost => "lost",
        Damaged => "damaged",
        AddressProblem => "address_problem",
        Refused => "refused",
        Customs => "customs",
        Other => "other",
    }
}

/// Evidence of a delivery; at least one part is present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ProofFields", into = "ProofFields")]
pub struct ProofOfDelivery {
    pub(crate) signed_by: Option<String>,
    pub(crate) photo_ref: Option<String>,
    pub(crate) pickup_code: Option<String>,
    pub(crate) coordinates: Option<GeoPoint>,
}

/// Unvalidated proof parts, as received from a carrier or a driver app.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProofFields {
    #[serde(default)]
    pub signed_by: Option<String>,
    #[serde(default)]
    pub photo_ref: Option<String>,
    #[serde(default)]
    pub pickup_code: Option<String>,
    #[serde(default)]
    pub coordinates: Option<GeoPoint>,
}

impl ProofOfDelivery {
    /// Blank parts become `None` (carriers send "" for "not captured"); a
    /// proof with nothing left is refused, since it proves nothing.
    pub fn parse(fields: ProofFields) -> Result<Self, ValidationError> {
        let proof = Self {
            signed_by: optional_text("proof.signed_by", fields.signed_by)?,
            photo_ref: optional_text("proof.photo_ref", fields.photo_ref)?,
            pickup_code: optional_text("proof.pickup_code", fields.pickup_code)?,
            coordinates: fields.coordinates,
        };
        if proof.signed_by.is_none()
            && proof.photo_ref.is_none()
            && proof.pickup_code.is_none()
            && proof.coordinates.is_none()
        {
            return Err(ValidationError::Empty { field: "proof" });
        }
        Ok(proof)
    }

    pub fn signed_by(&self) -> Option<&str> {
        self.signed_by.as_deref()
    }
    pub fn photo_ref(&self) -> Option<&str> {
        self.photo_ref.as_deref()
    }
    pub fn pickup_code(&self) -> Option<&str> {
        self.pickup_code.as_deref()
    }
    pub const fn coordinates(&self) -> Option<GeoPoint> {
        self.coordinates
    }
}

fn optional_text(
    field: &'static str,
    value: Option<String>,
) -> Result<Option<String>, ValidationError> {
    match value {
        Some(text) if !text.trim().is_empty() => {
            let trimmed = text.trim();
            short_text(field, trimmed)?;
            Ok(Some(trimmed.to_owned()))
        }
        _ => Ok(None),
    }
}

impl TryFrom<ProofFields> for ProofOfDelivery {
    type Error = ValidationError;

    fn try_from(fields: ProofFields) -> Result<Self, Self::Error> {
        Self::parse(fields)
    }
}

impl From<ProofOfDelivery> for ProofFields {
    fn from(proof: ProofOfDelivery) -> Self {
        Self {
            signed_by: proof.signed_by,
            photo_ref: proof.photo_ref,
            pickup_code: proof.pickup_code,
            coordinates: proof.coordinates,
        }
    }
}

/// Status-specific facts a checkpoint may carry. Which variant fits which
/// [`ScanStatus`] is checked when the scan is recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ScanDetails {
    AttemptFailed {
        reason: Option<String>,
        next_attempt_at: Option<DateTime<Utc>>,
    },
    Exception {
        kind: ExceptionKind,
        note: Option<String>,
    },
    Delivered {
        proof: ProofOfDelivery,
    },
}

impl ScanDetails {
    /// Stable code of the variant, for error bodies.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::AttemptFailed { .. } => "attempt_failed",
            Self::Exception { .. } => "exception",
            Self::Delivered { .. } => "delivered",
        }
    }

    /// The one scan status these details belong to.
    pub const fn status(&self) -> ScanStatus {
        match self {
            Self::AttemptFailed { .. } => ScanStatus::DeliveryAttemptFailed,
            Self::Exception { .. } => ScanStatus::Exception,
            Self::Delivered { .. } => ScanStatus::Delivered,
        }
    }
}
