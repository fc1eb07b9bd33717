//! Deciding `Place`: validate lines, price promotions (or check the channel's prices),
//! fix totals.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::ids::OrderId;
use crate::order::commands::{OrderLine, PlaceOrder};
use crate::order::error::OrderError;
use crate::order::events::{OrderEvent, OrderPlaced};
use crate::order::pricing::price;
use crate::order::promotions::subtotal_minor;
use crate::order::state::PaymentState;
use crate::validation::short_text;

/// Upper bound on lines per order; real baskets are far smaller, and the
/// bound keeps a single event (and its projection row set) reasonably sized.
pub const MAX_LINES: usize = 500;

pub(super) fn place(cmd: PlaceOrder) -> Result<OrderEvent, OrderError> {
    check_lines(&cmd.lines)?;
    check_shipping_fee(cmd.shipping_fee_minor)?;
    // Enum fields are public, so this cannot be guaranteed by the type.
    cmd.delivery.validate()?;
    let priced = price(
        cmd.channel,
        &cmd.lines,
        cmd.shipping_fee_minor,
        &cmd.pricing,
    )?;
    Ok(OrderEvent::OrderPlaced(OrderPlaced {
        order_id: OrderId::for_channel_order(cmd.channel, &cmd.external_number),
        channel: cmd.channel,
        external_number: cmd.external_number,
        customer_id: cmd.customer_id,
        lines: cmd.lines,
        currency: cmd.currency,
        shipping_address: cmd.shipping_address,
        delivery: cmd.delivery,
        priced_by: priced.priced_by,
        promotions: priced.promotions,
        totals: priced.totals,
        payment_state: PaymentState::initial(priced.totals.grand_total_minor),
        placed_at: cmd.placed_at,
    }))
}

pub(super) fn check_shipping_fee(shipping_fee_minor: i64) -> Result<(), OrderError> {
    if shipping_fee_minor < 0 {
        return Err(OrderError::NegativeShippingFee { shipping_fee_minor });
    }
    Ok(())
}

/// A re-sent placement is the same order when it would record the same facts as the
/// first placement; when the channel has sent it is not part of them (a re-send without
/// `placed_at` gets "now").
pub(super) fn same_placement(first: u64, again: &OrderPlaced) -> bool {
    placement_fingerprint(again) == first
}

/// FNV-1a (64 bit) of the placement's serialised facts, less when it arrived. Not
/// collision resistant, which is fine: it tells a re-send from an edited one, and
/// nobody gains from forging a collision with their own order.
pub(crate) fn placement_fingerprint(placed: &OrderPlaced) -> u64 {
    let mut facts = placed.clone();
    facts.placed_at = DateTime::<Utc>::UNIX_EPOCH;
    let bytes = serde_json::to_vec(&facts).unwrap_or_default();
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Checks every line and returns the merchandise subtotal.
pub(super) fn check_lines(lines: &[OrderLine]) -> Result<i64, OrderError> {
    if lines.is_empty() {
        return Err(OrderError::NoLines);
    }
    if lines.len() > MAX_LINES {
        return Err(OrderError::TooManyLines {
            max: MAX_LINES,
            actual: lines.len(),
        });
    }
    let mut skus = BTreeSet::new();
    for line in lines {
        short_text("line.name", &line.name).map_err(|source| OrderError::InvalidLineName {
            sku: line.sku.clone(),
            source,
        })?;
        if line.unit_price_minor <= 0 {
            return Err(OrderError::NonPositiveUnitPrice {
                sku: line.sku.clone(),
                unit_price_minor: line.unit_price_minor,
            });
        }
        // One line per SKU keeps fulfilment and member prices unambiguous.
        if !skus.insert(&line.sku) {
            return Err(OrderError::DuplicateSku {
                sku: line.sku.clone(),
            });
        }
    }
    subtotal_minor(lines).ok_or(OrderError::AmountOverflow {
        field: "subtotal_minor",
    })
}
