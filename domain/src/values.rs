//! Small validated values used on order lines and placement.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::{check_max_chars, ValidationError};

/// A positive count of units. Zero-quantity lines are meaningless, so the
/// type makes them unrepresentable instead of checking at every use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(pub(crate) u32);

impl Quantity {
    pub fn new(value: u32) -> Result<Self, ValidationError> {
        if value == 0 {
            return Err(ValidationError::NotPositive { field: "quantity" });
        }
        Ok(Self(value))
    }

    pub const fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Quantity {
    type Error = ValidationError;

    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Quantity> for u32 {
    fn from(value: Quantity) -> u32 {
        value.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

pub const SKU_MAX_CHARS: usize = 64;
pub const EXTERNAL_NUMBER_MAX_CHARS: usize = 128;

fn sku_rule(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    check_max_chars(field, value, SKU_MAX_CHARS)?;
    if value.chars().any(char::is_whitespace) {
        return Err(ValidationError::ContainsWhitespace { field });
    }
    if value.chars().any(char::is_control) {
        return Err(ValidationError::NotPrintable { field });
    }
    Ok(())
}

/// Surrounding whitespace is refused rather than trimmed: the number feeds the
/// order id hash, and "123" vs "123 " must not become two different orders.
fn external_number_rule(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    check_max_chars(field, value, EXTERNAL_NUMBER_MAX_CHARS)?;
    if value.chars().any(char::is_control) {
        return Err(ValidationError::NotPrintable { field });
    }
    if value.trim() != value {
        return Err(ValidationError::SurroundingWhitespace { field });
    }
    Ok(())
}

validated_string! {
    /// Stock keeping unit: 1..=64 characters, no whitespace.
    pub struct Sku(field = "sku", rule = sku_rule);
}

validated_string! {
    /// The order number the sales channel assigned (1..=128 printable chars).
    pub struct ExternalOrderNumber(field = "external_number", rule = external_number_rule);
}

coded_enum! {
    /// Where the order was taken.
    pub enum SalesChannel(field = "channel") {
        OwnWebShop => "own_web_shop",
        App => "app",
        Taobao => "taobao",
        Tmall => "tmall",
        Jd => "jd",
        Pinduoduo => "pinduoduo",
        Douyin => "douyin",
        Kuaishou => "kuaishou",
        WechatMall => "wechat_mall",
        OfflineStore => "offline_store",
        LiveStream => "live_stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_must_be_positive() {
        assert_eq!(
            Quantity::new(0),
            Err(ValidationError::NotPositive { field: "quantity" })
        );
        assert_eq!(Quantity::new(3).map(Quantity::get), Ok(3));
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert_eq!(
            serde_json::from_str::<Quantity>("2").ok(),
            Quantity::new(2).ok()
        );
    }

    #[test]
    fn sku_rejects_empty() {
        assert_eq!(Sku::parse(""), Err(ValidationError::Empty { field: "sku" }));
    }

    #[test]
    fn sku_rejects_whitespace_anywhere() {
        for bad in ["TEA 001", " TEA", "TEA\t", "TEA\u{3000}1"] {
            assert_eq!(
                Sku::parse(bad),
                Err(ValidationError::ContainsWhitespace { field: "sku" }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn sku_rejects_control_characters() {
        assert_eq!(
            Sku::parse("TEA\u{7}"),
            Err(ValidationError::NotPrintable { field: "sku" })
        );
    }

    #[test]
    fn sku_is_limited_to_64_chars() {
        assert!(Sku::parse(&"S".repeat(64)).is_ok());
        assert_eq!(
            Sku::parse(&"S".repeat(65)),
            Err(ValidationError::TooLong {
                field: "sku",
                max: 64,
                actual: 65
            })
        );
    }

    #[test]
    fn sku_allows_non_ascii() {
        assert!(Sku::parse("龙井-250g").is_ok());
    }

    #[test]
    fn external_number_accepts_printable_text_with_inner_spaces() {
        assert!(ExternalOrderNumber::parse("PDD 2025-0001/7").is_ok());
    }

    #[test]
    fn external_number_rejects_empty_and_long() {
        assert_eq!(
            ExternalOrderNumber::parse(""),
            Err(ValidationError::Empty {
                field: "external_number"
            })
        );
        assert!(ExternalOrderNumber::parse(&"9".repeat(128)).is_ok());
        assert!(matches!(
            ExternalOrderNumber::parse(&"9".repeat(129)),
            Err(ValidationError::TooLong { max: 128, .. })
        ));
    }

    #[test]
    fn external_number_rejects_control_characters() {
        assert_eq!(
            ExternalOrderNumber::parse("12\n34"),
            Err(ValidationError::NotPrintable {
                field: "external_number"
            })
        );
    }

    #[test]
    fn external_number_rejects_surrounding_whitespace() {
        assert_eq!(
            ExternalOrderNumber::parse("1234 "),
            Err(ValidationError::SurroundingWhitespace {
                field: "external_number"
            })
        );
    }

    #[test]
    fn sales_channel_codes_are_stable() {
        let codes: Vec<_> = SalesChannel::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            [
                "own_web_shop",
                "app",
                "taobao",
                "tmall",
                "jd",
                "pinduoduo",
                "douyin",
                "kuaishou",
                "wechat_mall",
                "offline_store",
                "live_stream"
            ]
        );
    }

    #[test]
    fn sales_channel_round_trips_through_code_and_serde() {
        for channel in SalesChannel::ALL {
            assert_eq!(channel.code().parse::<SalesChannel>(), Ok(*channel));
            let json = serde_json::to_string(channel).expect("serialise");
            assert_eq!(json, format!("\"{}\"", channel.code()));
        }
    }

    #[test]
    fn sales_channel_rejects_unknown_code() {
        assert_eq!(
            "amazon".parse::<SalesChannel>(),
            Err(ValidationError::UnknownCode {
                field: "channel",
                value: "amazon".into()
            })
        );
    }
}
