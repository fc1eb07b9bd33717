//! Shipping address and optional coordinates.

use serde::{Deserialize, Serialize};

use crate::validation::{short_text, ValidationError};

/// A WGS-84 point. Coordinates are the one place floats are fine: they are
/// measured, not summed into money.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGeoPoint", into = "RawGeoPoint")]
pub struct GeoPoint {
    pub(crate) lat: f64,
    pub(crate) lon: f64,
}

#[derive(Serialize, Deserialize)]
struct RawGeoPoint {
    lat: f64,
    lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<Self, ValidationError> {
        check_coordinate("coordinates.lat", lat, 90)?;
        check_coordinate("coordinates.lon", lon, 180)?;
        Ok(Self { lat, lon })
    }

    pub const fn lat(&self) -> f64 {
        self.lat
    }

    pub const fn lon(&self) -> f64 {
        self.lon
    }
}

fn check_coordinate(field: &'static str, value: f64, bound: i16) -> Result<(), ValidationError> {
    if !value.is_finite() {
        return Err(ValidationError::NotFinite { field });
    }
    let bound_f = f64::from(bound);
    if !(-bound_f..=bound_f).contains(&value) {
        return Err(ValidationError::OutOfRange {
            field,
            min: -i64::from(bound),
            max: i64::from(bound),
        });
    }
    Ok(())
}

impl TryFrom<RawGeoPoint> for GeoPoint {
    type Error = ValidationError;

    fn try_from(raw: RawGeoPoint) -> Result<Self, Self::Error> {
        Self::new(raw.lat, raw.lon)
    }
}

impl From<GeoPoint> for RawGeoPoint {
    fn from(point: GeoPoint) -> Self {
        Self {
            lat: point.lat,
            lon: point.lon,
        }
    }
}

/// Unvalidated address parts, as received from a channel or the API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AddressFields {
    pub recipient: String,
    pub phone: String,
    pub country: String,
    pub province: String,
    pub city: String,
    #[serde(default)]
    pub district: Option<String>,
    pub street: String,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub coordinates: Option<GeoPoint>,
}

/// A validated shipping address. Only reachable through [`Address::parse`]
/// (or deserialisation, which runs the same rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AddressFields", into = "AddressFields")]
pub struct Address {
    pub(crate) recipient: String,
    pub(crate) phone: String,
    pub(crate) country: String,
    pub(crate) province: String,
    pub(crate) city: String,
    pub(crate) district: Option<String>,
    pub(crate) street: String,
    pub(crate) postal_code: Option<String>,
    pub(crate) coordinates: Option<GeoPoint>,
}

impl Address {
    /// Required parts must be non-blank and at most 200 characters; all parts
    /// are trimmed. Blank optional parts become `None` because channels often
    /// send "" for "not applicable".
    pub fn parse(fields: AddressFields) -> Result<Self, ValidationError> {
        Ok(Self {
            recipient: required("address.recipient", fields.recipient)?,
            phone: required("address.phone", fields.phone)?,
            country: required("address.country", fields.country)?,
            province: required("address.province", fields.province)?,
            city: required("address.city", fields.city)?,
            district: optional("address.district", fields.district)?,
            street: required("address.street", fields.street)?,
            postal_code: optional("address.postal_code", fields.postal_code)?,
            coordinates: fields.coordinates,
        })
    }

    pub fn recipient(&self) -> &str {
        &self.recipient
    }
    pub fn phone(&self) -> &str {
        &self.phone
    }
    pub fn country(&self) -> &str {
        &self.country
    }
    pub fn province(&self) -> &str {
        &self.province
    }
    pub fn city(&self) -> &str {
        &self.city
    }
    pub fn district(&self) -> Option<&str> {
        self.district.as_deref()
    }
    pub fn street(&self) -> &str {
        &self.street
    }
    pub fn postal_code(&self) -> Option<&str> {
        self.postal_code.as_deref()
    }
    pub const fn coordinates(&self) -> Option<GeoPoint> {
        self.coordinates
    }

    /// The raw parts, e.g. to edit and re-validate.
    pub fn to_fields(&self) -> AddressFields {
        AddressFields::from(self.clone())
    }
}

fn required(field: &'static str, value: String) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    short_text(field, trimmed)?;
    Ok(trimmed.to_owned())
}

fn optional(field: &'static str, value: Option<String>) -> Result<Option<String>, ValidationError> {
    match value {
        Some(text) if !text.trim().is_empty() => required(field, text).map(Some),
        _ => Ok(None),
    }
}

impl TryFrom<AddressFields> for Address {
    type Error = ValidationError;

    fn try_from(fields: AddressFields) -> Result<Self, Self::Error> {
        Self::parse(fields)
    }
}

impl From<Address> for AddressFields {
    fn from(address: Address) -> Self {
        Self {
            recipient: address.recipient,
            phone: address.phone,
            country: address.country,
            province: address.province,
            city: address.city,
            district: address.district,
            street: address.street,
            postal_code: address.postal_code,
            coordinates: address.coordinates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> AddressFields {
        AddressFields {
            recipient: "  Li Wei ".into(),
            phone: "+86 138 0000 0000".into(),
            country: "CN".into(),
            province: "Zhejiang".into(),
            city: "Hangzhou".into(),
            district: Some("Xihu".into()),
            street: "1 Longjing Road".into(),
            postal_code: Some("310000".into()),
            coordinates: GeoPoint::new(30.25, 120.15).ok(),
        }
    }

    #[test]
    fn address_trims_and_keeps_parts() {
        let address = Address::parse(fields()).expect("valid");
        assert_eq!(address.recipient(), "Li Wei");
        assert_eq!(address.district(), Some("Xihu"));
        assert_eq!(address.coordinates().map(|p| p.lat()), Some(30.25));
    }

    #[test]
    fn address_requires_every_mandatory_part() {
        type Blank = fn(&mut AddressFields);
        let cases: [(&str, Blank); 6] = [
            ("address.recipient", |f| f.recipient.clear()),
            ("address.phone", |f| f.phone = " ".into()),
            ("address.country", |f| f.country.clear()),
            ("address.province", |f| f.province.clear()),
            ("address.city", |f| f.city.clear()),
            ("address.street", |f| f.street.clear()),
        ];
        for (field, blank) in cases {
            let mut raw = fields();
            blank(&mut raw);
            assert_eq!(Address::parse(raw), Err(ValidationError::Empty { field }));
        }
    }

    #[test]
    fn address_parts_are_limited_to_200_chars() {
        let mut raw = fields();
        raw.street = "路".repeat(201);
        assert_eq!(
            Address::parse(raw),
            Err(ValidationError::TooLong {
                field: "address.street",
                max: 200,
                actual: 201
            })
        );
        let mut raw = fields();
        raw.postal_code = Some("9".repeat(201));
        assert!(matches!(
            Address::parse(raw),
            Err(ValidationError::TooLong {
                field: "address.postal_code",
                ..
            })
        ));
    }

    #[test]
    fn blank_optional_parts_become_none() {
        let mut raw = fields();
        raw.district = Some("  ".into());
        raw.postal_code = None;
        let address = Address::parse(raw).expect("valid");
        assert_eq!(address.district(), None);
        assert_eq!(address.postal_code(), None);
    }

    #[test]
    fn address_validates_when_deserialised() {
        let address = Address::parse(fields()).expect("valid");
        let json = serde_json::to_value(&address).expect("serialise");
        assert_eq!(
            serde_json::from_value::<Address>(json.clone()).ok(),
            Some(address)
        );
        let mut broken = json;
        broken["city"] = "".into();
        assert!(serde_json::from_value::<Address>(broken).is_err());
    }

    #[test]
    fn geo_point_accepts_bounds() {
        assert!(GeoPoint::new(90.0, 180.0).is_ok());
        assert!(GeoPoint::new(-90.0, -180.0).is_ok());
    }

    #[test]
    fn geo_point_rejects_out_of_range() {
        assert_eq!(
            GeoPoint::new(90.5, 0.0),
            Err(ValidationError::OutOfRange {
                field: "coordinates.lat",
                min: -90,
                max: 90
            })
        );
        assert_eq!(
            GeoPoint::new(0.0, -180.1),
            Err(ValidationError::OutOfRange {
                field: "coordinates.lon",
                min: -180,
                max: 180
            })
        );
    }

    #[test]
    fn geo_point_rejects_non_finite() {
        assert_eq!(
            GeoPoint::new(f64::NAN, 0.0),
            Err(ValidationError::NotFinite {
                field: "coordinates.lat"
            })
        );
        assert_eq!(
            GeoPoint::new(0.0, f64::INFINITY),
            Err(ValidationError::NotFinite {
                field: "coordinates.lon"
            })
        );
        assert!(serde_json::from_str::<GeoPoint>(r#"{"lat":91.0,"lon":0.0}"#).is_err());
    }
}
