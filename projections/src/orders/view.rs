//! The order read model: one document per order, folded from its events.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use waybill_domain::order::{
    AppliedPromotion, OrderEvent, OrderLine, OrderPlaced, OrderStatus, OrderTotals, PricedBy,
};

use crate::log::StoredEvent;
use crate::projection::ProjectionError;

/// What order lists and the order page show. Money is integer minor units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderView {
    pub order_id: String,
    pub channel: String,
    pub external_number: String,
    pub customer_id: String,
    pub status: String,
    pub payment_state: String,
    pub warehouse_id: Option<String>,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    pub totals: OrderTotals,
    /// `waybill` (own web shop, app) or `channel` (the channel's amounts as facts).
    /// Defaulted so documents written before channel pricing still load.
    #[serde(default = "waybill_priced")]
    pub priced_by: String,
    /// Every promotion with the exact amount it took off and its per-line allocation, in
    /// application (or the channel's) order.
    pub promotions: Vec<AppliedPromotion>,
    pub shipping_address: serde_json::Value,
    pub delivery: serde_json::Value,
    pub authorised_minor: i64,
    pub captured_minor: i64,
    pub refund_owed_minor: i64,
    /// Sum of all refunds. Defaulted so documents written before refunds
    /// existed still load.
    #[serde(default)]
    pub refunded_minor: i64,
    /// Every refund, oldest first.
    #[serde(default)]
    pub refunds: Vec<RefundView>,
    /// Shipped quantity per SKU.
    pub fulfilled: BTreeMap<String, u32>,
    pub shipment_references: Vec<String>,
    pub open_anomalies: Vec<String>,
    pub cancel_reason: Option<String>,
    pub placed_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// When the last event was recorded.
    pub updated_at: DateTime<Utc>,
    /// Stream version the document reflects.
    pub version: i64,
    /// Address and delivery changes and line amendments, oldest first.
    #[serde(default)]
    pub amendments: Vec<AmendmentView>,
}

fn waybill_priced() -> String {
    PricedBy::Waybill.code().to_string()
}

/// One amendment: what changed, why, and who (from the event's metadata).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AmendmentView {
    /// `shipping_address`, `delivery` or `lines`.
    pub kind: String,
    pub reason: String,
    pub actor_key_id: Option<String>,
    pub actor_role: Option<String>,
    pub version: i64,
    pub at: DateTime<Utc>,
}

/// One refund paid back to the customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefundView {
    pub amount_minor: i64,
    pub method: String,
    pub reference: String,
    /// The return (RMA) this refund settles, if any.
    pub return_id: Option<String>,
    pub at: DateTime<Utc>,
}

fn corrupt(event: &StoredEvent, why: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::Corrupt(format!(
        "{} {}#{} ({}): {why}",
        event.aggregate_type, event.aggregate_id, event.sequence, event.event_type
    ))
}

/// Folds one order event into the document.
pub fn apply(
    doc: Option<OrderView>,
    event: &StoredEvent,
) -> Result<Option<OrderView>, ProjectionError> {
    let parsed = OrderEvent::deserialize(&event.payload).map_err(|e| corrupt(event, e))?;
    let mut view = match (parsed, doc) {
        (OrderEvent::OrderPlaced(placed), _) => placed_view(event, placed)?,
        (_, None) => return Err(corrupt(event, "event for an order that was never placed")),
        (other, Some(mut view)) => {
            apply_change(&mut view, other, event)?;
            view
        }
    };
    view.updated_at = event.recorded_at;
    view.version = event.sequence;
    Ok(Some(view))
}

fn placed_view(event: &StoredEvent, placed: OrderPlaced) -> Result<OrderView, ProjectionError> {
    Ok(OrderView {
        order_id: event.aggregate_id.clone(),
        channel: placed.channel.code().to_string(),
        external_number: placed.external_number.to_string(),
        customer_id: placed.customer_id.to_string(),
        status: OrderStatus::Placed.code().into(),
        payment_state: placed.payment_state.code().into(),
        warehouse_id: None,
        currency: placed.currency.to_string(),
        shipping_address: serde_json::to_value(&placed.shipping_address)
            .map_err(|e| corrupt(event, e))?,
        delivery: serde_json::to_value(&placed.delivery).map_err(|e| corrupt(event, e))?,
        lines: placed.lines,
        totals: placed.totals,
        priced_by: placed.priced_by.code().to_string(),
        promotions: placed.promotions,
        authorised_minor: 0,
        captured_minor: 0,
        refund_owed_minor: 0,
        refunded_minor: 0,
        refunds: Vec::new(),
        fulfilled: BTreeMap::new(),
        shipment_references: Vec::new(),
        open_anomalies: Vec::new(),
        cancel_reason: None,
        placed_at: placed.placed_at,
        delivered_at: None,
        completed_at: None,
        cancelled_at: None,
        updated_at: event.recorded_at,
        version: event.sequence,
        amendments: Vec::new(),
    })
}

fn amendment(stored: &StoredEvent, kind: &str, reason: String) -> AmendmentView {
    AmendmentView {
        kind: kind.to_string(),
        reason,
        actor_key_id: stored.meta("actor_key_id").map(String::from),
        actor_role: stored.meta("actor_role").map(String::from),
        version: stored.sequence,
        at: stored.recorded_at,
    }
}

fn apply_change(
    view: &mut OrderView,
    event: OrderEvent,
    stored: &StoredEvent,
) -> Result<(), ProjectionError> {
    match event {
        OrderEvent::OrderPlaced(_) => {}
        OrderEvent::PaymentAuthorised {
            amount_minor,
            captured_total_minor,
            payment_state,
            ..
        } => {
            view.authorised_minor = view.authorised_minor.saturating_add(amount_minor);
            view.captured_minor = captured_total_minor;
            view.payment_state = payment_state.code().into();
        }
        OrderEvent::PaymentCaptured {
            captured_total_minor,
            payment_state,
            ..
        }
        | OrderEvent::PaymentFailed {
            captured_total_minor,
            payment_state,
            ..
        } => {
            view.captured_minor = captured_total_minor;
            view.payment_state = payment_state.code().into();
        }
        OrderEvent::OrderCancelled {
            reason,
            refund_owed_minor,
        } => {
            view.status = OrderStatus::Cancelled.code().into();
            view.cancel_reason = Some(reason);
            view.refund_owed_minor = refund_owed_minor;
            view.cancelled_at = Some(stored.recorded_at);
        }
        OrderEvent::OrderAllocated { warehouse_id, .. } => {
            view.warehouse_id = Some(warehouse_id.to_string());
            view.status = OrderStatus::Allocated.code().into();
        }
        OrderEvent::LinesFulfilled {
            shipment,
            lines,
            fully_fulfilled,
        } => {
            let shipment_reference = shipment.reference;
            for line in lines {
                let units = view.fulfilled.entry(line.sku.to_string()).or_default();
                *units = units.saturating_add(line.quantity.get());
            }
            view.shipment_references.push(shipment_reference);
            let status = if fully_fulfilled {
                OrderStatus::Fulfilled
            } else {
                OrderStatus::PartiallyFulfilled
            };
            view.status = status.code().into();
        }
        OrderEvent::OrderDelivered { delivered_at } => {
            view.status = OrderStatus::Delivered.code().into();
            view.delivered_at = Some(delivered_at);
        }
        OrderEvent::OrderCompleted {} => {
            view.status = OrderStatus::Completed.code().into();
            view.completed_at = Some(stored.recorded_at);
        }
        OrderEvent::AnomalyFlagged { kind, .. } => {
            view.open_anomalies.push(kind.code().to_string());
            view.open_anomalies.sort();
        }
        OrderEvent::AnomalyCleared { kind, .. } => {
            view.open_anomalies.retain(|k| k != kind.code());
        }
        OrderEvent::RefundRecorded {
            amount_minor,
            method,
            reference,
            return_id,
            refunded_total_minor,
            captured_total_minor,
            at,
            ..
        } => {
            view.refunded_minor = refunded_total_minor;
            view.captured_minor = captured_total_minor;
            // Paying back reduces what a cancellation left owing; refunds on
            // live orders (returns) never owed anything, hence the floor.
            view.refund_owed_minor = view.refund_owed_minor.saturating_sub(amount_minor).max(0);
            view.refunds.push(RefundView {
                amount_minor,
                method,
                reference,
                return_id: return_id.map(|id| id.to_string()),
                at,
            });
        }
        OrderEvent::ShippingAddressChanged {
            shipping_address,
            reason,
        } => {
            view.shipping_address =
                serde_json::to_value(&shipping_address).map_err(|e| corrupt(stored, e))?;
            view.amendments
                .push(amendment(stored, "shipping_address", reason));
        }
        OrderEvent::DeliveryChanged { delivery, reason } => {
            view.delivery = serde_json::to_value(&delivery).map_err(|e| corrupt(stored, e))?;
            view.amendments.push(amendment(stored, "delivery", reason));
        }
        OrderEvent::OrderLinesAmended {
            lines,
            promotions,
            totals,
            payment_state,
            refund_owed_minor,
            reason,
        } => {
            view.lines = lines;
            view.promotions = promotions;
            view.totals = totals;
            view.payment_state = payment_state.code().into();
            view.refund_owed_minor = refund_owed_minor;
            view.amendments.push(amendment(stored, "lines", reason));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use waybill_domain::order::sample::{sample_order_placed, sample_placed_at};
    use waybill_domain::order::PaymentState;

    fn stored(sequence: i64, event: &OrderEvent) -> StoredEvent {
        StoredEvent {
            position: sequence,
            tx_id: 0,
            event_id: format!("e{sequence}"),
            aggregate_type: "Order".into(),
            aggregate_id: "o-1".into(),
            sequence,
            event_type: event.name().into(),
            event_version: "1.0".into(),
            stored_version: "1.0".into(),
            payload: serde_json::to_value(event).expect("payload"),
            metadata: serde_json::json!({}),
            recorded_at: sample_placed_at(),
            hash: None,
        }
    }

    fn fold(events: &[OrderEvent]) -> OrderView {
        let mut doc = None;
        for (i, e) in events.iter().enumerate() {
            doc = apply(doc, &stored(i as i64 + 1, e)).expect("applies");
        }
        doc.expect("a document")
    }

    /// Authorisations are only bounded one at a time by the domain; their sum in the read
    /// model must saturate instead of wrapping to a negative amount in release builds.
    #[test]
    fn authorised_amounts_near_i64_max_saturate() {
        let authorised = |reference: &str| OrderEvent::PaymentAuthorised {
            method: "card".into(),
            reference: reference.into(),
            amount_minor: i64::MAX - 1,
            captured_total_minor: 0,
            payment_state: PaymentState::Authorised,
        };
        let view = fold(&[sample_order_placed(), authorised("A1"), authorised("A2")]);
        assert_eq!(view.authorised_minor, i64::MAX);
    }
}
