//! The API's 64-bit integer scalars. GraphQL's `Int` is a signed 32-bit integer: an order of
//! 3,000,000,000 分 (three million yuan), a global log position past 2³¹ or a large points
//! balance cannot be an `Int` without breaking clients that follow the specification (and
//! JavaScript clients lose precision above 2⁵³ even when they do not). Large commerce APIs
//! carry such values as decimal strings; so does Waybill: `MinorUnits` for every amount,
//! `Int64` for positions, versions and points.
//!
//! Output is always a string. Input is a string in canonical form (`-?(0|[1-9][0-9]*)`, no
//! sign on zero, no spaces) or, for clients written against the old `Int` fields, an integer
//! literal. Both spell the same value, so the idempotency fingerprint treats them alike
//! (`mutation::canonical`).

use std::fmt;

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// The names of the scalars below, for code that meets values by their declared type.
pub const WIDE_INTEGER_SCALARS: [&str; 2] = ["MinorUnits", "Int64"];

/// Why a value is not a 64-bit integer in canonical decimal form.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WideIntegerError {
    #[error("expected a decimal integer string such as \"3000000000\", got {0:?}")]
    Malformed(String),
    #[error("{0} does not fit in 64 bits (from -9223372036854775808 to 9223372036854775807)")]
    OutOfRange(String),
}

/// Parses the canonical decimal form and nothing else: a leading `+`, leading zeros, spaces,
/// `-0` or an exponent would give one value several spellings.
pub fn parse_canonical(text: &str) -> Result<i64, WideIntegerError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && text != "-0";
    if !canonical {
        return Err(WideIntegerError::Malformed(text.to_string()));
    }
    text.parse::<i64>()
        .map_err(|_| WideIntegerError::OutOfRange(text.to_string()))
}

/// The value of an input in either accepted spelling.
fn parse_input(value: &Value) -> Option<Result<i64, WideIntegerError>> {
    match value {
        Value::String(text) => Some(parse_canonical(text)),
        Value::Number(n) => Some(
            n.as_i64()
                .ok_or_else(|| WideIntegerError::OutOfRange(n.to_string())),
        ),
        _ => None,
    }
}

/// The number an input of one of these scalars stands for, if it is a valid one; used to
/// write both spellings of one value the same way.
pub fn wide_integer_value(value: &Value) -> Option<i64> {
    parse_input(value).and_then(Result::ok)
}

macro_rules! wide_integer_scalar {
    ($(#[$doc:meta])* $ty:ident, $name:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $ty(pub i64);

        impl $ty {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $ty {
            fn from(value: i64) -> Self {
                $ty(value)
            }
        }

        impl From<$ty> for i64 {
            fn from(value: $ty) -> i64 {
                value.0
            }
        }

        // Debug as the bare number, like the `i64` it replaced.
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        $(#[$doc])*
        #[Scalar(name = $name)]
        impl ScalarType for $ty {
            fn parse(value: Value) -> InputValueResult<Self> {
                match parse_input(&value) {
                    Some(Ok(v)) => Ok($ty(v)),
                    Some(Err(e)) => Err(InputValueError::custom(e)),
                    None => Err(InputValueError::expected_type(value)),
                }
            }

            fn is_valid(value: &Value) -> bool {
                matches!(value, Value::String(_) | Value::Number(_))
            }

            fn to_value(&self) -> Value {
                Value::String(self.0.to_string())
            }
        }
    };
}

wide_integer_scalar!(
    /// An amount of money in the currency's minor unit (分 for CNY, cents for USD) as a
    /// 64-bit decimal string, e.g. `"3000000000"` for ¥30,000,000.00. Accepted as such a
    /// string or as an integer literal; always emitted as a string.
    MinorUnits,
    "MinorUnits"
);

wide_integer_scalar!(
    /// A 64-bit signed integer as a decimal string (log positions, stream versions, points),
    /// e.g. `"4294967296"`. Accepted as such a string or as an integer literal; always
    /// emitted as a string.
    Int64,
    "Int64"
);

/// `Option<Int64>` arguments as the `Option<i64>` the services take.
pub fn opt_i64(value: Option<Int64>) -> Option<i64> {
    value.map(Int64::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_values_past_32_bits_as_strings() {
        let amount = MinorUnits::parse(Value::from("3000000000")).unwrap();
        assert_eq!(amount.get(), 3_000_000_000);
        assert_eq!(amount.to_value(), Value::from("3000000000"));
        assert_eq!(
            Int64::parse(Value::from(i64::MAX)).unwrap().to_value(),
            Value::from("9223372036854775807")
        );
        assert_eq!(
            MinorUnits::parse(Value::from("-9223372036854775808"))
                .unwrap()
                .get(),
            i64::MIN
        );
    }

    #[test]
    fn accepts_only_the_canonical_spelling() {
        for text in [
            "", "-", "+5", "05", "-0", " 5", "5 ", "1e3", "1.0", "0x10", "五",
        ] {
            assert_eq!(
                parse_canonical(text),
                Err(WideIntegerError::Malformed(text.to_string())),
                "{text:?}"
            );
        }
        assert_eq!(parse_canonical("0"), Ok(0));
        assert_eq!(parse_canonical("-17"), Ok(-17));
    }

    #[test]
    fn refuses_what_does_not_fit_or_is_not_an_integer() {
        assert!(matches!(
            parse_canonical("9223372036854775808"),
            Err(WideIntegerError::OutOfRange(_))
        ));
        assert!(MinorUnits::parse(Value::from(1.5)).is_err());
        assert!(MinorUnits::parse(Value::from(u64::MAX)).is_err());
        assert!(Int64::parse(Value::Boolean(true)).is_err());
        assert!(Int64::parse(Value::Null).is_err());
    }

    #[test]
    fn both_spellings_are_one_value() {
        assert_eq!(wide_integer_value(&Value::from("42")), Some(42));
        assert_eq!(wide_integer_value(&Value::from(42)), Some(42));
        assert_eq!(wide_integer_value(&Value::from("042")), None);
    }
}
