//! Deciding `Request`: validate the lines against what the customer actually
//! received, and the timing against the channel's return window.

use std::collections::BTreeSet;

use crate::returns::commands::{OrderFacts, RequestReturn, Resolution, ReturnLine};
use crate::returns::error::ReturnError;
use crate::returns::events::{ReturnEvent, ReturnRequested};
use crate::validation::short_text;

/// Same bound as order lines: a return never has more lines than its order.
pub const MAX_RETURN_LINES: usize = crate::order::MAX_LINES;
/// Photos are evidence for the agent, not an archive.
pub const MAX_PHOTOS: usize = 20;

pub(super) fn request(cmd: RequestReturn) -> Result<ReturnEvent, ReturnError> {
    cmd.window.validate()?;
    if cmd.photo_refs.len() > MAX_PHOTOS {
        return Err(ReturnError::TooManyPhotos {
            max: MAX_PHOTOS,
            actual: cmd.photo_refs.len(),
        });
    }
    for photo in &cmd.photo_refs {
        short_text("photo_ref", photo)?;
    }
    check_amounts(&cmd.order)?;
    let return_value_minor = check_lines(&cmd.lines)?;

    // An undelivered order is a cancellation (or interception), not a return.
    let Some(delivered_at) = cmd.order.delivered_at else {
        return Err(ReturnError::NotDelivered);
    };
    check_returnable(&cmd.lines, &cmd.order)?;
    let window_closes_at = cmd.window.closes_at(cmd.reason, delivered_at);
    if let Some(closed_at) = window_closes_at {
        if cmd.requested_at > closed_at {
            return Err(ReturnError::WindowClosed {
                reason: cmd.reason,
                days: cmd.window.days_for(cmd.reason),
                closed_at,
                requested_at: cmd.requested_at,
            });
        }
    }
    // Exchanges and repairs need no money; a refund needs some left to give.
    if cmd.requested_resolution == Resolution::Refund
        && cmd.order.refunded_minor >= cmd.order.captured_minor
    {
        return Err(ReturnError::NothingToRefund {
            captured_minor: cmd.order.captured_minor,
            refunded_minor: cmd.order.refunded_minor,
        });
    }

    Ok(ReturnEvent::ReturnRequested(ReturnRequested {
        order_id: cmd.order_id,
        channel: cmd.channel,
        lines: cmd.lines,
        reason: cmd.reason,
        photo_refs: cmd.photo_refs,
        requested_resolution: cmd.requested_resolution,
        return_value_minor,
        // Once per order: a fee another refund already paid back is not offered again.
        shipping_fee_minor: if cmd.order.shipping_refunded {
            0
        } else {
            cmd.order.shipping_fee_minor
        },
        delivered_at,
        window: cmd.window,
        window_closes_at,
        captured_minor: cmd.order.captured_minor,
        refunded_minor: cmd.order.refunded_minor,
        requested_at: cmd.requested_at,
    }))
}

fn check_amounts(order: &OrderFacts) -> Result<(), ReturnError> {
    for (field, amount_minor) in [
        ("order.captured_minor", order.captured_minor),
        ("order.refunded_minor", order.refunded_minor),
        ("order.shipping_fee_minor", order.shipping_fee_minor),
    ] {
        if amount_minor < 0 {
            return Err(ReturnError::NegativeAmount {
                field,
                amount_minor,
            });
        }
    }
    Ok(())
}

/// Checks the shape of the lines and returns their total value.
fn check_lines(lines: &[ReturnLine]) -> Result<i64, ReturnError> {
    if lines.is_empty() {
        return Err(ReturnError::NoLines);
    }
    if lines.len() > MAX_RETURN_LINES {
        return Err(ReturnError::TooManyLines {
            max: MAX_RETURN_LINES,
            actual: lines.len(),
        });
    }
    let mut skus = BTreeSet::new();
    let mut total: i64 = 0;
    for line in lines {
        if !skus.insert(&line.sku) {
            return Err(ReturnError::DuplicateSku {
                sku: line.sku.clone(),
            });
        }
        if line.unit_price_minor < 0 {
            return Err(ReturnError::NegativeUnitPrice {
                sku: line.sku.clone(),
                unit_price_minor: line.unit_price_minor,
            });
        }
        total = line
            .line_total_minor()
            .and_then(|value| total.checked_add(value))
            .ok_or(ReturnError::AmountOverflow {
                field: "return_value_minor",
            })?;
    }
    Ok(total)
}

/// Units per SKU may not exceed what was delivered less what other returns
/// already took back; SKUs never delivered simply have nothing returnable.
fn check_returnable(lines: &[ReturnLine], order: &OrderFacts) -> Result<(), ReturnError> {
    for line in lines {
        let delivered = order.delivered.get(&line.sku).copied().unwrap_or(0);
        let already_returned = order.already_returned.get(&line.sku).copied().unwrap_or(0);
        let requested = line.quantity.get();
        if requested > delivered.saturating_sub(already_returned) {
            return Err(ReturnError::ExceedsReturnable {
                sku: line.sku.clone(),
                delivered,
                already_returned,
                requested,
            });
        }
    }
    Ok(())
}
