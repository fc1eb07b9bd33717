//! Ready-made valid return values for tests here and in other crates. Builds
//! on the sample order (`order::sample`): tea 2 × 128.00, cup 1 × 45.00,
//! 10.00 shipping, paid in full and delivered.
//!
//! The sample return sends back one tea and the cup (173.00) as damaged,
//! asking for a refund, three days after delivery.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::ids::{PickupPointId, ReturnId, ShipmentId, WarehouseId};
use crate::order::sample::{
    cup_sku, sample_order_id, sample_placed_at, sample_warehouse_id, tea_sku,
    SAMPLE_GRAND_TOTAL_MINOR, SAMPLE_SHIPPING_FEE_MINOR,
};
use crate::returns::commands::{
    OrderFacts, ReceivedLine, RefundPolicy, RefundReturn, RequestReturn, Resolution, ReturnLine,
    ReturnReason,
};
use crate::returns::events::{ReturnEvent, ReturnRequested};
use crate::returns::policy::ReturnWindowPolicy;
use crate::values::{Quantity, SalesChannel};

pub const SAMPLE_TEA_PRICE_MINOR: i64 = 12_800;
pub const SAMPLE_CUP_PRICE_MINOR: i64 = 4_500;
/// One tea plus the cup.
pub const SAMPLE_RETURN_VALUE_MINOR: i64 = 17_300;
pub const SAMPLE_PHOTO_REF: &str = "returns/photos/tea-crushed.jpg";
pub const SAMPLE_AGENT: &str = "agent-wang";
pub const SAMPLE_STAFF: &str = "staff-zhao";
pub const SAMPLE_CARRIER: &str = "sf-express";
pub const SAMPLE_TRACKING_NUMBER: &str = "SF1234567890";

/// `days` whole days after the sample order was placed.
pub fn sample_day(days: i64) -> DateTime<Utc> {
    TimeDelta::try_days(days)
        .and_then(|delta| sample_placed_at().checked_add_signed(delta))
        .unwrap_or_default()
}

/// Two days after placement.
pub fn sample_delivered_at() -> DateTime<Utc> {
    sample_day(2)
}

/// Three days after delivery: inside both standard windows.
pub fn sample_requested_at() -> DateTime<Utc> {
    sample_day(5)
}

pub fn sample_return_id() -> ReturnId {
    ReturnId::from_uuid(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001))
}

pub fn sample_reverse_shipment_id() -> ShipmentId {
    ShipmentId::from_uuid(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0002))
}

pub fn sample_replacement_shipment_id() -> ShipmentId {
    ShipmentId::from_uuid(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0003))
}

pub fn sample_pickup_point_id() -> PickupPointId {
    PickupPointId::trusted("cainiao-hz-0042")
}

/// Returns go back to the warehouse that shipped the order.
pub fn sample_return_warehouse_id() -> WarehouseId {
    sample_warehouse_id()
}

fn quantity(value: u32) -> Quantity {
    Quantity(value)
}

pub fn sample_return_lines() -> Vec<ReturnLine> {
    vec![
        ReturnLine {
            sku: tea_sku(),
            quantity: quantity(1),
            unit_price_minor: SAMPLE_TEA_PRICE_MINOR,
            paid: None,
        },
        ReturnLine {
            sku: cup_sku(),
            quantity: quantity(1),
            unit_price_minor: SAMPLE_CUP_PRICE_MINOR,
            paid: None,
        },
    ]
}

/// Everything on the sample return arrived, nothing damaged in transit.
pub fn sample_received_lines() -> Vec<ReceivedLine> {
    sample_return_lines()
        .into_iter()
        .map(|line| ReceivedLine {
            sku: line.sku,
            received_qty: line.quantity.get(),
            damaged_qty: 0,
        })
        .collect()
}

/// The sample order, delivered and paid in full, nothing returned yet.
pub fn sample_order_facts() -> OrderFacts {
    OrderFacts {
        delivered_at: Some(sample_delivered_at()),
        delivered: [(tea_sku(), 2), (cup_sku(), 1)].into_iter().collect(),
        already_returned: Default::default(),
        captured_minor: SAMPLE_GRAND_TOTAL_MINOR,
        refunded_minor: 0,
        shipping_fee_minor: SAMPLE_SHIPPING_FEE_MINOR,
        shipping_refunded: false,
    }
}

pub fn sample_request_return() -> RequestReturn {
    RequestReturn {
        order_id: sample_order_id(),
        channel: SalesChannel::OwnWebShop,
        lines: sample_return_lines(),
        reason: ReturnReason::Damaged,
        photo_refs: vec![SAMPLE_PHOTO_REF.into()],
        requested_resolution: Resolution::Refund,
        order: sample_order_facts(),
        window: ReturnWindowPolicy::STANDARD,
        requested_at: sample_requested_at(),
    }
}

/// The event requesting [`sample_request_return`] records, spelled out by
/// hand so it doubles as an independent expectation.
pub fn sample_return_requested() -> ReturnEvent {
    ReturnEvent::ReturnRequested(ReturnRequested {
        order_id: sample_order_id(),
        channel: SalesChannel::OwnWebShop,
        lines: sample_return_lines(),
        reason: ReturnReason::Damaged,
        photo_refs: vec![SAMPLE_PHOTO_REF.into()],
        requested_resolution: Resolution::Refund,
        return_value_minor: SAMPLE_RETURN_VALUE_MINOR,
        shipping_fee_minor: SAMPLE_SHIPPING_FEE_MINOR,
        delivered_at: sample_delivered_at(),
        window: ReturnWindowPolicy::STANDARD,
        window_closes_at: Some(sample_day(2 + 15)),
        captured_minor: SAMPLE_GRAND_TOTAL_MINOR,
        refunded_minor: 0,
        requested_at: sample_requested_at(),
    })
}

/// A full refund of the returned goods after they arrived, on an order with
/// nothing refunded yet.
pub fn sample_refund_return() -> RefundReturn {
    RefundReturn {
        amount_minor: SAMPLE_RETURN_VALUE_MINOR,
        include_shipping: false,
        method: "alipay".into(),
        reference: "RF-1".into(),
        policy: RefundPolicy::AfterReceipt,
        agent: SAMPLE_AGENT.into(),
        at: sample_day(9),
        captured_minor: SAMPLE_GRAND_TOTAL_MINOR,
        refunded_minor: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::returns::{Return, ReturnCommand};
    use crate::validation::short_text;

    #[test]
    fn sample_literals_pass_their_own_validation() {
        assert!(PickupPointId::parse(sample_pickup_point_id().as_str()).is_ok());
        assert!(crate::ids::id_rule("carrier", SAMPLE_CARRIER).is_ok());
        assert!(crate::ids::id_rule("tracking_number", SAMPLE_TRACKING_NUMBER).is_ok());
        for text in [SAMPLE_AGENT, SAMPLE_STAFF, SAMPLE_PHOTO_REF] {
            assert!(short_text("text", text).is_ok());
        }
        assert!(Quantity::new(1).is_ok());
    }

    #[test]
    fn sample_return_requested_matches_what_requesting_records() {
        let decided = Return::default().decide(ReturnCommand::Request(sample_request_return()));
        assert_eq!(decided, Ok(vec![sample_return_requested()]));
    }

    #[test]
    fn sample_days_are_whole_days_after_placement() {
        assert_eq!(
            sample_requested_at() - sample_delivered_at(),
            TimeDelta::days(3)
        );
    }
}
