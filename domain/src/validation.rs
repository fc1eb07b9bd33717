//! The single validation error type and the text rules shared by value types.

use thiserror::Error;

/// Longest accepted short label (names, references, address parts).
pub const SHORT_TEXT_MAX: usize = 200;
/// Longest accepted free text (cancel reasons, anomaly notes).
pub const LONG_TEXT_MAX: usize = 2000;

/// Why a raw value was refused. One variant per rule, each naming the field,
/// so callers can point at the offending input without parsing messages.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },

    #[error("{field} must be at most {max} characters, got {actual}")]
    TooLong {
        field: &'static str,
        max: usize,
        actual: usize,
    },

    #[error("{field} contains the disallowed character {character:?}")]
    DisallowedCharacter {
        field: &'static str,
        character: char,
    },

    #[error("{field} must not contain whitespace")]
    ContainsWhitespace { field: &'static str },

    #[error("{field} must not start or end with whitespace")]
    SurroundingWhitespace { field: &'static str },

    #[error("{field} must contain only printable characters")]
    NotPrintable { field: &'static str },

    #[error("{field} must be exactly three uppercase ASCII letters")]
    InvalidCurrencyCode { field: &'static str },

    #[error("{field} must be greater than zero")]
    NotPositive { field: &'static str },

    #[error("{field} must be a finite number")]
    NotFinite { field: &'static str },

    #[error("{field} must be between {min} and {max}")]
    OutOfRange {
        field: &'static str,
        min: i64,
        max: i64,
    },

    #[error("{field} must start strictly before it ends")]
    EmptyWindow { field: &'static str },

    #[error("{field} is not a valid UUID")]
    InvalidUuid { field: &'static str },

    #[error("{field} has no variant with code {value:?}")]
    UnknownCode { field: &'static str, value: String },
}

impl ValidationError {
    /// The field the rule was checked on, as the domain names it.
    pub fn field(&self) -> &'static str {
        match self {
            ValidationError::Empty { field }
            | ValidationError::TooLong { field, .. }
            | ValidationError::DisallowedCharacter { field, .. }
            | ValidationError::ContainsWhitespace { field }
            | ValidationError::SurroundingWhitespace { field }
            | ValidationError::NotPrintable { field }
            | ValidationError::InvalidCurrencyCode { field }
            | ValidationError::NotPositive { field }
            | ValidationError::NotFinite { field }
            | ValidationError::OutOfRange { field, .. }
            | ValidationError::EmptyWindow { field }
            | ValidationError::InvalidUuid { field }
            | ValidationError::UnknownCode { field, .. } => field,
        }
    }

    /// The rule without the field's name ("must not be empty"), for an edge that names the
    /// field the way its caller does (`driver`, where the domain says `staff`).
    pub fn rule(&self) -> String {
        let message = self.to_string();
        message
            .strip_prefix(self.field())
            .map(|rest| rest.trim_start().to_string())
            .unwrap_or(message)
    }
}

/// Counts characters rather than bytes: limits are about what people type,
/// and CJK text is three bytes per character in UTF-8.
pub(crate) fn check_max_chars(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), ValidationError> {
    let actual = value.chars().count();
    if actual > max {
        return Err(ValidationError::TooLong { field, max, actual });
    }
    Ok(())
}

/// Required human text: not blank, bounded length.
pub(crate) fn required_text(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::Empty { field });
    }
    check_max_chars(field, value, max)
}

pub(crate) fn short_text(field: &'static str, value: &str) -> Result<(), ValidationError> {
    required_text(field, value, SHORT_TEXT_MAX)
}

pub(crate) fn long_text(field: &'static str, value: &str) -> Result<(), ValidationError> {
    required_text(field, value, LONG_TEXT_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_reads_without_the_domain_field_name() {
        let e = ValidationError::Empty { field: "staff" };
        assert_eq!(e.field(), "staff");
        assert_eq!(e.rule(), "must not be empty");
        let e = ValidationError::OutOfRange {
            field: "service_seconds",
            min: 0,
            max: 7200,
        };
        assert_eq!(e.rule(), "must be between 0 and 7200");
    }

    #[test]
    fn blank_text_is_empty() {
        assert_eq!(
            short_text("name", "  \t"),
            Err(ValidationError::Empty { field: "name" })
        );
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        let tea = "茶".repeat(SHORT_TEXT_MAX);
        assert_eq!(short_text("name", &tea), Ok(()));
        let too_much = "茶".repeat(SHORT_TEXT_MAX + 1);
        assert_eq!(
            short_text("name", &too_much),
            Err(ValidationError::TooLong {
                field: "name",
                max: SHORT_TEXT_MAX,
                actual: SHORT_TEXT_MAX + 1
            })
        );
    }

    #[test]
    fn long_text_allows_more_than_short_text() {
        let reason = "x".repeat(LONG_TEXT_MAX);
        assert_eq!(long_text("reason", &reason), Ok(()));
        assert!(long_text("reason", &format!("{reason}x")).is_err());
    }
}
