//! Deciding amendments: orders change after they are placed.
//!
//! - The shipping address and the delivery mode or window may change until the goods are
//!   handed to a carrier (the first `LinesFulfilled`): after that the parcel is on its way.
//! - Lines may be removed or reduced, and the amounts adjusted, until the order is
//!   allocated: after that a warehouse may already be picking it (cancel instead).
//!
//! Every amendment carries a reason; who made it is the event's metadata (actor key and
//! role), like every other event.

use std::collections::BTreeSet;

use crate::address::Address;
use crate::delivery::DeliveryMode;
use crate::order::commands::{AmendLines, OrderLine};
use crate::order::error::OrderError;
use crate::order::events::OrderEvent;
use crate::order::place::{check_lines, check_shipping_fee};
use crate::order::pricing::{price, ChannelPromotion, PricedBy, PricingInput};
use crate::order::state::{OrderState, OrderStatus, PaymentState};
use crate::validation::long_text;
use crate::values::Quantity;

fn not_handed_over(state: &OrderState) -> Result<(), OrderError> {
    if state.anything_fulfilled() {
        return Err(OrderError::AlreadyShipped);
    }
    Ok(())
}

pub(super) fn change_address(
    state: &OrderState,
    shipping_address: Address,
    reason: String,
) -> Result<OrderEvent, OrderError> {
    long_text("reason", &reason)?;
    not_handed_over(state)?;
    Ok(OrderEvent::ShippingAddressChanged {
        shipping_address,
        reason,
    })
}

pub(super) fn change_delivery(
    state: &OrderState,
    delivery: DeliveryMode,
    reason: String,
) -> Result<OrderEvent, OrderError> {
    long_text("reason", &reason)?;
    // Enum fields are public, so this cannot be guaranteed by the type.
    delivery.validate()?;
    not_handed_over(state)?;
    Ok(OrderEvent::DeliveryChanged { delivery, reason })
}

pub(super) fn amend_lines(state: &OrderState, cmd: AmendLines) -> Result<OrderEvent, OrderError> {
    long_text("reason", &cmd.reason)?;
    if state.status != OrderStatus::Placed {
        return Err(OrderError::LinesLocked {
            status: state.status,
        });
    }
    let lines = amended_lines(&state.lines, &cmd)?;
    let shipping_fee_minor = cmd
        .shipping_fee_minor
        .unwrap_or(state.totals.shipping_fee_minor);
    check_shipping_fee(shipping_fee_minor)?;
    let pricing = cmd.pricing.unwrap_or_else(|| current_pricing(state));
    let priced = price(state.channel, &lines, shipping_fee_minor, &pricing)?;
    if lines == state.lines
        && priced.promotions == state.promotions
        && priced.totals == state.totals
    {
        return Err(OrderError::NothingToAmend);
    }
    let grand = priced.totals.grand_total_minor;
    let captured = state.captured_total_minor;
    let payment_state = if captured >= grand {
        PaymentState::Paid
    } else if captured > 0 {
        PaymentState::PartiallyPaid
    } else {
        // Nothing taken yet: an authorisation or a failure still stands.
        state.payment_state
    };
    let refund_owed_minor = state.balance().net_paid_minor.saturating_sub(grand).max(0);
    Ok(OrderEvent::OrderLinesAmended {
        lines,
        promotions: priced.promotions,
        totals: priced.totals,
        payment_state,
        refund_owed_minor,
        reason: cmd.reason,
    })
}

/// The order's lines after the changes: only down, never all of them, no unknown or
/// repeated SKU.
fn amended_lines(current: &[OrderLine], cmd: &AmendLines) -> Result<Vec<OrderLine>, OrderError> {
    let mut seen = BTreeSet::new();
    for change in &cmd.changes {
        if !seen.insert(&change.sku) {
            return Err(OrderError::DuplicateSku {
                sku: change.sku.clone(),
            });
        }
        let Some(line) = current.iter().find(|line| line.sku == change.sku) else {
            return Err(OrderError::UnknownSku {
                sku: change.sku.clone(),
            });
        };
        if change.quantity > line.quantity.get() {
            return Err(OrderError::AmendmentIncreasesLine {
                sku: change.sku.clone(),
                current: line.quantity.get(),
                requested: change.quantity,
            });
        }
    }
    let lines: Vec<OrderLine> = current
        .iter()
        .filter_map(|line| {
            let wanted = cmd
                .changes
                .iter()
                .find(|change| change.sku == line.sku)
                .map_or(line.quantity.get(), |change| change.quantity);
            Quantity::new(wanted).ok().map(|quantity| OrderLine {
                quantity,
                ..line.clone()
            })
        })
        .collect();
    if lines.is_empty() {
        return Err(OrderError::AmendmentRemovesEveryLine);
    }
    check_lines(&lines)?;
    Ok(lines)
}

/// The promotions in force, as an input to price the amended lines with: Waybill's
/// requests again, or the channel's amounts with the split left to the rule (the lines
/// it was stated for have changed).
fn current_pricing(state: &OrderState) -> PricingInput {
    match state.priced_by {
        PricedBy::Waybill => PricingInput {
            promotions: state
                .promotions
                .iter()
                .map(|p| p.promotion.clone())
                .collect(),
            ..PricingInput::default()
        },
        PricedBy::Channel => PricingInput {
            channel_promotions: state
                .promotions
                .iter()
                .map(|p| ChannelPromotion {
                    promotion: p.promotion.clone(),
                    amount_off_minor: p.amount_off_minor,
                    allocation: None,
                })
                .collect(),
            ..PricingInput::default()
        },
    }
}
