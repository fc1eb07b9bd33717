//! `Timestamp`: the API's instant, exposed under the GraphQL scalar name `DateTime` so clients
//! see the same schema as before. It exists because chrono's own scalar accepts any year chrono
//! can hold and then emits years past 9999 as `+10000-01-01…`, which no RFC 3339 parser reads.

use std::fmt;

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

/// An instant in the range the API accepts: years 1970 through 2200, UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// The first instant accepted on input.
pub fn earliest() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap()
}

/// The first instant refused on input (the range ends with the year 2200).
pub fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2201, 1, 1, 0, 0, 0).unwrap()
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TimestampError {
    #[error("not an RFC 3339 date-time: {0}")]
    Malformed(String),
    #[error("date-time out of range: accepted from 1970-01-01T00:00:00Z to the end of 2200")]
    OutOfRange,
}

impl Timestamp {
    /// Parses RFC 3339 text with any offset and keeps it only inside the accepted range.
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        let at = DateTime::parse_from_rfc3339(text)
            .map_err(|e| TimestampError::Malformed(e.to_string()))?
            .with_timezone(&Utc);
        Timestamp::checked(at)
    }

    /// The instant, if it is inside the accepted range.
    pub fn checked(at: DateTime<Utc>) -> Result<Timestamp, TimestampError> {
        if at < earliest() || at >= end() {
            return Err(TimestampError::OutOfRange);
        }
        Ok(Timestamp(at))
    }

    pub fn utc(self) -> DateTime<Utc> {
        self.0
    }

    /// RFC 3339 text. Output is never refused (the value may come from a read model written
    /// before the range existed), so an instant outside what RFC 3339 can write is clamped to
    /// its nearest representable one instead of being written with a five-digit year.
    pub fn to_rfc3339(self) -> String {
        let first = Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap();
        let last = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
        self.0
            .clamp(first, last)
            .to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }
}

/// Values the server produces (read models, its clock) are emitted as they are; the range
/// guards what clients send.
impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Timestamp {
        Timestamp(at)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(at: Timestamp) -> DateTime<Utc> {
        at.0
    }
}

// Debug as the bare chrono value: request fingerprints are built from `{:?}` of the inputs, and
// must not change because the type did.
impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// A date and time in RFC 3339 format (e.g. `2026-03-01T09:30:00Z`), accepted from 1970 through
/// the year 2200; emitted in UTC.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for Timestamp {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Timestamp::parse(s).map_err(InputValueError::custom),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_range_and_any_offset() {
        let at = Timestamp::parse("2026-03-01T10:30:00+01:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-03-01T09:30:00+00:00");
        assert!(Timestamp::parse("1970-01-01T00:00:00Z").is_ok());
        assert!(Timestamp::parse("2200-12-31T23:59:59Z").is_ok());
    }

    #[test]
    fn refuses_outside_the_range() {
        for text in [
            "1969-12-31T23:59:59Z",
            "2201-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert_eq!(Timestamp::parse(text), Err(TimestampError::OutOfRange));
        }
    }

    #[test]
    fn refuses_what_is_not_rfc_3339() {
        for text in ["", "2026-03-01", "+10000-01-01T00:00:00Z", "tomorrow", "\0"] {
            assert!(matches!(
                Timestamp::parse(text),
                Err(TimestampError::Malformed(_))
            ));
        }
    }

    #[test]
    fn output_stays_rfc_3339_for_stored_values_outside_the_range() {
        let far = Utc.with_ymd_and_hms(12000, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            Timestamp::from(far).to_rfc3339(),
            "9999-12-31T23:59:59+00:00"
        );
    }

    #[test]
    fn debug_is_the_chrono_value_so_fingerprints_do_not_move() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
        assert_eq!(format!("{:?}", Timestamp::from(at)), format!("{at:?}"));
    }
}
