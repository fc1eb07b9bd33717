//! Deciding `Place`: validate lines, price promotions, fix totals.

use std::collections::BTreeSet;

use crate::ids::OrderId;
use crate::order::commands::{OrderLine, PlaceOrder};
use crate::order::error::OrderError;
use crate::order::events::{OrderEvent, OrderPlaced};
use crate::order::promotions::{apply_promotions, subtotal_minor, OrderTotals};
use crate::order::state::PaymentState;
use crate::validation::short_text;

/// Upper bound on lines per order; real baskets are far smaller, and the
/// bound keeps a single event (and its projection row set) reasonably sized.
pub const MAX_LINES: usize = 500;

pub(super) fn place(cmd: PlaceOrder) -> Result<OrderEvent, OrderError> {
    let subtotal = check_lines(&cmd.lines)?;
    if cmd.shipping_fee_minor < 0 {
        return Err(OrderError::NegativeShippingFee {
            shipping_fee_minor: cmd.shipping_fee_minor,
        });
    }
    // Enum fields are public, so this cannot be guaranteed by the type.
    cmd.delivery.validate()?;
    let promotions = apply_promotions(&cmd.lines, &cmd.promotions)?;
    let discount = promotions
        .iter()
        .try_fold(0_i64, |sum, applied| {
            sum.checked_add(applied.amount_off_minor)
        })
        .ok_or(OrderError::AmountOverflow {
            field: "discount_minor",
        })?;
    let totals = OrderTotals::from_parts(subtotal, discount, cmd.shipping_fee_minor).ok_or(
        OrderError::AmountOverflow {
            field: "grand_total_minor",
        },
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
        promotions,
        totals,
        payment_state: PaymentState::initial(totals.grand_total_minor),
        placed_at: cmd.placed_at,
    }))
}

/// Checks every line and returns the merchandise subtotal.
fn check_lines(lines: &[OrderLine]) -> Result<i64, OrderError> {
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
