//! Currency and integer money. Amounts are always minor units (fen, cents):
//! floats cannot represent 0.10 exactly and would make totals drift.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::validation::ValidationError;

/// ISO-4217-shaped currency code: exactly three uppercase ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const CNY: Currency = Currency(*b"CNY");
    pub const HKD: Currency = Currency(*b"HKD");
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");

    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        match value.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Self([a, b, c])),
            _ => Err(ValidationError::InvalidCurrencyCode { field: "currency" }),
        }
    }

    pub fn as_str(&self) -> &str {
        // Construction guarantees ASCII, so the fallback is unreachable.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = ValidationError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

impl TryFrom<String> for Currency {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> String {
        value.as_str().to_owned()
    }
}

/// Why money arithmetic was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("amount overflowed")]
    Overflow,
}

/// An amount in minor units of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn new(amount_minor: i64, currency: Currency) -> Self {
        Self {
            amount_minor,
            currency,
        }
    }

    pub const fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        let currency = self.same_currency(other)?;
        let amount = self.amount_minor.checked_add(other.amount_minor);
        amount
            .map(|amount_minor| Money::new(amount_minor, currency))
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        let currency = self.same_currency(other)?;
        let amount = self.amount_minor.checked_sub(other.amount_minor);
        amount
            .map(|amount_minor| Money::new(amount_minor, currency))
            .ok_or(MoneyError::Overflow)
    }

    /// Multiplies by a quantity, e.g. unit price × line quantity.
    pub fn checked_mul(self, factor: u32) -> Result<Money, MoneyError> {
        let amount = self.amount_minor.checked_mul(i64::from(factor));
        amount
            .map(|amount_minor| Money::new(amount_minor, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    pub const fn is_negative(&self) -> bool {
        self.amount_minor < 0
    }

    fn same_currency(self, other: Money) -> Result<Currency, MoneyError> {
        if self.currency == other.currency {
            Ok(self.currency)
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_accepts_three_uppercase_letters() {
        assert_eq!(Currency::parse("CNY"), Ok(Currency::CNY));
        assert_eq!(Currency::CNY.as_str(), "CNY");
    }

    #[test]
    fn currency_rejects_wrong_shape() {
        for bad in ["", "CN", "CNYY", "cny", "C1Y", "ÇNY", " CNY"] {
            assert_eq!(
                Currency::parse(bad),
                Err(ValidationError::InvalidCurrencyCode { field: "currency" }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn currency_serialises_as_code_and_validates_on_read() {
        assert_eq!(
            serde_json::to_string(&Currency::USD).ok().as_deref(),
            Some("\"USD\"")
        );
        assert!(serde_json::from_str::<Currency>("\"usd\"").is_err());
    }

    #[test]
    fn money_adds_and_subtracts_in_minor_units() {
        let a = Money::new(1_050, Currency::CNY);
        let b = Money::new(25, Currency::CNY);
        assert_eq!(a.checked_add(b), Ok(Money::new(1_075, Currency::CNY)));
        assert_eq!(a.checked_sub(b), Ok(Money::new(1_025, Currency::CNY)));
        assert_eq!(b.checked_mul(4), Ok(Money::new(100, Currency::CNY)));
    }

    #[test]
    fn money_reports_overflow() {
        let max = Money::new(i64::MAX, Currency::CNY);
        let one = Money::new(1, Currency::CNY);
        assert_eq!(max.checked_add(one), Err(MoneyError::Overflow));
        assert_eq!(
            Money::new(i64::MIN, Currency::CNY).checked_sub(one),
            Err(MoneyError::Overflow)
        );
        assert_eq!(max.checked_mul(2), Err(MoneyError::Overflow));
    }

    #[test]
    fn money_refuses_mixed_currencies() {
        let cny = Money::new(1, Currency::CNY);
        let usd = Money::new(1, Currency::USD);
        assert_eq!(
            cny.checked_add(usd),
            Err(MoneyError::CurrencyMismatch {
                left: Currency::CNY,
                right: Currency::USD
            })
        );
        assert!(!cny.is_negative());
        assert!(Money::zero(Currency::CNY)
            .checked_sub(cny)
            .is_ok_and(|m| m.is_negative()));
    }
}
