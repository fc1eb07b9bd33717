//! Loyalty policy: points for a completed order, and a tier upgrade when the customer's
//! completed spend crosses a [`TierPolicy`](waybill_domain::customer::TierPolicy) threshold.
//!
//! The customer comes from the order's own `OrderPlaced` (loaded from the event store, the
//! authority); the spend from the orders read model once it includes the completion. Points
//! are earned once per order twice over: the command's idempotency key is the completing
//! event, and the aggregate refuses a second `EarnPoints` for the same order.

use async_trait::async_trait;
use waybill_domain::customer::CustomerCommand;
use waybill_domain::ids::OrderId;
use waybill_domain::order::{OrderEvent, ORDER_AGGREGATE_TYPE};
use waybill_projections::orders::{self, OrderFilter};

use super::{Policy, Reaction};
use crate::crm::MINOR_UNITS_PER_POINT;
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

pub struct LoyaltyPolicy;

/// A refusal is an answer, not a failure: the effect is already there (or can never be).
/// Only transient errors (conflicts, database trouble) make the runner retry the event.
pub fn settle<T>(result: Result<T, AppError>) -> Result<(), AppError> {
    match result {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::InvalidState | ErrorCode::NotFound | ErrorCode::InvalidInput
            ) =>
        {
            tracing::debug!(reason = ?e.reason, message = %e.message, "policy command refused; settled");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[async_trait]
impl Policy for LoyaltyPolicy {
    fn name(&self) -> &'static str {
        "loyalty"
    }

    async fn react(&self, services: &Services, reaction: &Reaction<'_>) -> Result<(), AppError> {
        let event = reaction.event;
        if event.aggregate_type != ORDER_AGGREGATE_TYPE || event.event_type != "OrderCompleted" {
            return Ok(());
        }
        let history = services
            .orders
            .load_events(&event.aggregate_id)
            .await
            .map_err(|e| AppError::internal("loading an order", &e))?;
        let Some(placed) = history.into_iter().find_map(|e| match e.payload {
            OrderEvent::OrderPlaced(placed) => Some(placed),
            _ => None,
        }) else {
            return Ok(());
        };
        let customer_id = placed.customer_id.to_string();
        // Marketplace orders may come from people who never registered: nothing to credit.
        let Some(customer) = services.customer_state(&customer_id).await? else {
            return Ok(());
        };
        let order_id: OrderId = event.aggregate_id.parse().map_err(|_| {
            AppError::new(ErrorCode::Internal, "order stream id is not an order id")
        })?;
        let points = placed.totals.grand_total_minor / MINOR_UNITS_PER_POINT;
        if points > 0 {
            let earn = CustomerCommand::EarnPoints {
                points,
                reason: "order completed".into(),
                order_id: Some(order_id),
                at: event.recorded_at,
            };
            settle(
                services
                    .customer_command(&reaction.context, &customer_id, earn, &reaction.options(0))
                    .await,
            )?;
        }
        services.wait_for(orders::NAME, event.position).await?;
        let filter = OrderFilter {
            customer_id: Some(customer_id.clone()),
            status: Some("completed".into()),
            ..OrderFilter::default()
        };
        let completed = orders::list(&services.db, &filter, i64::MAX - 1, None).await?;
        let spend = completed_spend(&completed.orders);
        if let Some(tier) = services.crm.tiers.upgrade_for(customer.tier, spend) {
            let change = CustomerCommand::ChangeTier {
                tier,
                reason: format!(
                    "completed spend {spend} reached the {} threshold",
                    tier.code()
                ),
                at: event.recorded_at,
            };
            settle(
                services
                    .customer_command(
                        &reaction.context,
                        &customer_id,
                        change,
                        &reaction.options(1),
                    )
                    .await,
            )?;
        }
        Ok(())
    }
}

/// What a customer's completed orders came to, net of refunds. Saturating: totals come from
/// channels, and a wrapped sum would read as a negative spend (or, in a debug build, panic the
/// policy on every retry).
fn completed_spend(orders: &[waybill_projections::orders::OrderView]) -> i64 {
    orders.iter().fold(0_i64, |sum, o| {
        sum.saturating_add(o.totals.grand_total_minor.saturating_sub(o.refunded_minor))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use waybill_domain::order::sample::{sample_order_placed, sample_placed_at};
    use waybill_projections::StoredEvent;

    fn completed(grand_total_minor: i64) -> waybill_projections::orders::OrderView {
        let placed = sample_order_placed();
        let event = StoredEvent {
            position: 1,
            tx_id: 0,
            event_id: "e1".into(),
            aggregate_type: "Order".into(),
            aggregate_id: "o-1".into(),
            sequence: 1,
            event_type: placed.name().into(),
            event_version: "1.0".into(),
            stored_version: "1.0".into(),
            payload: serde_json::to_value(&placed).expect("payload"),
            metadata: serde_json::json!({}),
            recorded_at: sample_placed_at(),
            hash: None,
        };
        let mut view = waybill_projections::orders::apply(None, &event)
            .expect("applies")
            .expect("a document");
        view.totals.grand_total_minor = grand_total_minor;
        view
    }

    #[test]
    fn completed_spend_near_i64_max_saturates_instead_of_wrapping() {
        let orders = [completed(i64::MAX - 1), completed(i64::MAX - 1)];
        assert_eq!(completed_spend(&orders), i64::MAX);
        assert_eq!(completed_spend(&[completed(700), completed(300)]), 1_000);
    }
}
