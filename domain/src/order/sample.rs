//! Ready-made valid values for tests in this and other crates (API,
//! projections). Not behind `cfg(test)` so downstream test suites can use it;
//! it does no IO and nothing here is used by production paths.
//!
//! The sample order: tea 2 × 128.00 + cup 1 × 45.00 = 301.00 CNY merchandise,
//! 10.00 shipping, no promotions, 311.00 grand total.

use chrono::{DateTime, Utc};

use crate::address::{Address, AddressFields, GeoPoint};
use crate::delivery::DeliveryMode;
use crate::ids::{CustomerId, OrderId, WarehouseId};
use crate::money::Currency;
use crate::order::commands::{FulfilLine, OrderLine, PlaceOrder};
use crate::order::events::{OrderEvent, OrderPlaced};
use crate::order::pricing::{PricedBy, PricingInput};
use crate::order::promotions::OrderTotals;
use crate::order::state::PaymentState;
use crate::values::{ExternalOrderNumber, Quantity, SalesChannel, Sku};

pub const SAMPLE_EXTERNAL_NUMBER: &str = "WB-SAMPLE-0001";
pub const SAMPLE_TEA_SKU: &str = "TEA-LJ-250";
pub const SAMPLE_CUP_SKU: &str = "CUP-CELADON";
pub const SAMPLE_SHIPPING_FEE_MINOR: i64 = 1_000;
pub const SAMPLE_SUBTOTAL_MINOR: i64 = 30_100;
pub const SAMPLE_GRAND_TOTAL_MINOR: i64 = 31_100;
/// 2025-01-01T00:00:00Z.
pub const SAMPLE_PLACED_AT_SECS: i64 = 1_735_689_600;

pub fn sample_placed_at() -> DateTime<Utc> {
    DateTime::from_timestamp(SAMPLE_PLACED_AT_SECS, 0).unwrap_or_default()
}

pub fn sample_customer_id() -> CustomerId {
    CustomerId::trusted("cust-0001")
}

pub fn sample_warehouse_id() -> WarehouseId {
    WarehouseId::trusted("wh-hangzhou-1")
}

/// A second warehouse, for re-allocation scenarios.
pub fn sample_other_warehouse_id() -> WarehouseId {
    WarehouseId::trusted("wh-shanghai-2")
}

pub fn sample_external_number() -> ExternalOrderNumber {
    ExternalOrderNumber::trusted(SAMPLE_EXTERNAL_NUMBER)
}

pub fn tea_sku() -> Sku {
    Sku::trusted(SAMPLE_TEA_SKU)
}

pub fn cup_sku() -> Sku {
    Sku::trusted(SAMPLE_CUP_SKU)
}

fn quantity(value: u32) -> Quantity {
    Quantity(value)
}

pub fn sample_lines() -> Vec<OrderLine> {
    vec![
        OrderLine {
            sku: tea_sku(),
            name: "Longjing green tea 250g".into(),
            quantity: quantity(2),
            unit_price_minor: 12_800,
        },
        OrderLine {
            sku: cup_sku(),
            name: "Celadon tea cup".into(),
            quantity: quantity(1),
            unit_price_minor: 4_500,
        },
    ]
}

/// Every ordered unit, i.e. the lines of a single complete shipment.
pub fn sample_full_shipment() -> Vec<FulfilLine> {
    sample_lines()
        .into_iter()
        .map(|line| FulfilLine {
            sku: line.sku,
            quantity: line.quantity,
        })
        .collect()
}

pub fn sample_address() -> Address {
    Address {
        recipient: "Li Wei".into(),
        phone: "+86 138 0000 0000".into(),
        country: "CN".into(),
        province: "Zhejiang".into(),
        city: "Hangzhou".into(),
        district: Some("Xihu".into()),
        street: "1 Longjing Road".into(),
        postal_code: Some("310000".into()),
        coordinates: Some(GeoPoint {
            lat: 30.25,
            lon: 120.15,
        }),
    }
}

/// The raw form of [`sample_address`], e.g. for API request bodies.
pub fn sample_address_fields() -> AddressFields {
    sample_address().to_fields()
}

/// The sample order on the own web shop.
pub fn sample_place_order() -> PlaceOrder {
    sample_place_order_for(SalesChannel::OwnWebShop, sample_external_number())
}

/// The sample order under another channel/number, i.e. another stream.
pub fn sample_place_order_for(
    channel: SalesChannel,
    external_number: ExternalOrderNumber,
) -> PlaceOrder {
    PlaceOrder {
        channel,
        external_number,
        customer_id: sample_customer_id(),
        lines: sample_lines(),
        currency: Currency::CNY,
        shipping_address: sample_address(),
        delivery: DeliveryMode::Express,
        pricing: PricingInput::default(),
        shipping_fee_minor: SAMPLE_SHIPPING_FEE_MINOR,
        placed_at: sample_placed_at(),
    }
}

/// The id the sample order's stream gets.
pub fn sample_order_id() -> OrderId {
    OrderId::for_channel_order(SalesChannel::OwnWebShop, &sample_external_number())
}

/// The event that placing [`sample_place_order`] records, spelled out by
/// hand so it also serves as an independent expectation.
pub fn sample_order_placed() -> OrderEvent {
    let cmd = sample_place_order();
    OrderEvent::OrderPlaced(OrderPlaced {
        order_id: sample_order_id(),
        channel: cmd.channel,
        external_number: cmd.external_number,
        customer_id: cmd.customer_id,
        lines: cmd.lines,
        currency: cmd.currency,
        shipping_address: cmd.shipping_address,
        delivery: cmd.delivery,
        priced_by: PricedBy::Waybill,
        promotions: Vec::new(),
        totals: OrderTotals {
            subtotal_minor: SAMPLE_SUBTOTAL_MINOR,
            discount_minor: 0,
            shipping_fee_minor: SAMPLE_SHIPPING_FEE_MINOR,
            grand_total_minor: SAMPLE_GRAND_TOTAL_MINOR,
        },
        payment_state: PaymentState::Unpaid,
        placed_at: cmd.placed_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::Order;

    #[test]
    fn sample_literals_pass_their_own_validation() {
        assert!(CustomerId::parse(sample_customer_id().as_str()).is_ok());
        for id in [sample_warehouse_id(), sample_other_warehouse_id()] {
            assert!(WarehouseId::parse(id.as_str()).is_ok());
        }
        assert!(ExternalOrderNumber::parse(SAMPLE_EXTERNAL_NUMBER).is_ok());
        assert!(Sku::parse(SAMPLE_TEA_SKU).is_ok());
        assert!(Sku::parse(SAMPLE_CUP_SKU).is_ok());
        assert_eq!(
            Address::parse(sample_address_fields()),
            Ok(sample_address())
        );
        assert!(GeoPoint::new(30.25, 120.15).is_ok());
    }

    #[test]
    fn sample_order_placed_matches_what_placing_records() {
        let decided =
            Order::default().decide(crate::order::OrderCommand::Place(sample_place_order()));
        assert_eq!(decided, Ok(vec![sample_order_placed()]));
    }
}
