//! Return (RMA) and refund use cases: one function per step, called by the thin GraphQL
//! resolvers in `graphql::returns`.
//!
//! The `Return` aggregate cannot read other streams, so the facts it decides on are gathered
//! here: the order (delivered units, captured and refunded money) from the order stream, and
//! what the order's other returns already take back from the returns read model.
//!
//! Money has one authority: the order stream. A refund for a return is recorded on the order
//! first (its stream serialises concurrent refunds, so refunds never exceed what was
//! captured), then on the return. See [`Services::refund_return`].

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, MutexGuard};
use waybill_domain::ids::{OrderId, ReturnId};
use waybill_domain::order::{ErrorKind, OrderCommand, OrderError, OrderEvent, OrderState};
use waybill_domain::returns::{
    OrderFacts, RefundPolicy, RefundReturn, RequestReturn, Resolution, Return, ReturnCommand,
    ReturnError, ReturnEvent, ReturnLine, ReturnReason, ReturnWindowPolicies,
    RETURN_AGGREGATE_TYPE,
};
use waybill_domain::values::{Quantity, Sku};
use waybill_projections::{log, returns};

use super::context::RequestContext;
use super::orders::WriteOptions;
use super::service::{CommandOptions, CommandOutcome};
use crate::error::{AppError, ErrorCode};
use crate::services::Services;

mod refunds;
mod shipping;

pub use shipping::{repair_return_shipment_id, replacement_shipment_id, reverse_shipment_id};

impl From<ReturnError> for AppError {
    fn from(e: ReturnError) -> Self {
        let code = match e.kind() {
            ErrorKind::NotFound => ErrorCode::NotFound,
            ErrorKind::InvalidInput => ErrorCode::InvalidInput,
            ErrorKind::InvalidState => ErrorCode::InvalidState,
        };
        AppError::new(code, e.to_string()).with_reason(e.code())
    }
}

/// Environment variable holding the return windows as JSON, e.g.
/// `{"default":{"no_reason_days":7,"quality_days":15},"per_channel":{"jd":{"no_reason_days":15,"quality_days":30}}}`.
pub const RETURN_WINDOWS_ENV: &str = "WAYBILL_RETURN_WINDOWS";

/// The return windows this process applies: [`RETURN_WINDOWS_ENV`] when set and valid, else
/// the statutory 7 days no-reason (七天无理由) / 15 days for the seller's faults. A setting
/// that does not parse or validate is logged and ignored rather than stopping the server.
pub fn configured_return_windows() -> ReturnWindowPolicies {
    let Ok(raw) = std::env::var(RETURN_WINDOWS_ENV) else {
        return ReturnWindowPolicies::default();
    };
    match serde_json::from_str::<ReturnWindowPolicies>(&raw) {
        Ok(policies) if policies.validate().is_ok() => policies,
        Ok(_) | Err(_) => {
            tracing::error!(
                variable = RETURN_WINDOWS_ENV,
                "invalid return window configuration; using the standard 7/15 days"
            );
            ReturnWindowPolicies::default()
        }
    }
}

/// A customer's request, parsed at the edge; everything about the order is looked up here.
#[derive(Clone, Debug)]
pub struct NewReturn {
    /// Client-chosen id for idempotent creation; a fresh UUIDv7 otherwise.
    pub return_id: Option<ReturnId>,
    pub order_id: OrderId,
    pub lines: Vec<(Sku, Quantity)>,
    pub reason: ReturnReason,
    pub photo_refs: Vec<String>,
    pub requested_resolution: Resolution,
    pub requested_at: DateTime<Utc>,
}

/// A refund an agent gives for a return.
#[derive(Clone, Debug)]
pub struct ReturnRefundRequest {
    pub amount_minor: i64,
    pub include_shipping: bool,
    pub method: String,
    pub reference: String,
    /// `None`: whichever is true now (after receipt once the goods are in, else before).
    pub policy: Option<RefundPolicy>,
    /// Recorded as the order refund's reason; defaults to naming the return.
    pub note: Option<String>,
    pub agent: String,
    pub at: DateTime<Utc>,
}

/// Both writes of a return refund.
#[derive(Clone, Debug)]
pub struct RefundOutcome {
    /// The `RefundRecorded` on the order stream.
    pub order: CommandOutcome,
    /// The `ReturnRefunded` on the return stream.
    pub ret: CommandOutcome,
}

/// In-process serialisation of the read-then-append steps that span streams: a return
/// request (its "already returned" check reads the other returns of the order) and a return
/// refund (checked against the return, then written to the order and the return); an order's
/// labels (checked against its other shipments, `shipments.rs`). Striped so
/// memory stays bounded; a collision only makes two unrelated requests take turns.
///
/// This closes the race within one process (and SQLite has one writer process). With several
/// API replicas on PostgreSQL, two requests for the same order arriving at different replicas
/// at the same instant could both pass the "already returned" check; the receipt (never more
/// than requested) and the order's refund cap (never more than captured) still hold.
static STRIPES: [Mutex<()>; 64] = [const { Mutex::const_new(()) }; 64];

pub(crate) async fn serialise(key: &str) -> MutexGuard<'static, ()> {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    let stripe = (hasher.finish() % STRIPES.len() as u64) as usize;
    STRIPES[stripe].lock().await
}

fn parse_return_id(value: &str) -> Result<ReturnId, AppError> {
    value
        .parse()
        .map_err(|_| AppError::invalid_input("returnId", format!("not a return id: {value:?}")))
}

fn parse_order_id(value: &str) -> Result<OrderId, AppError> {
    value
        .parse()
        .map_err(|_| AppError::invalid_input("orderId", format!("not an order id: {value:?}")))
}

fn order_not_found(order_id: &OrderId) -> AppError {
    AppError::not_found(format!("order {order_id} not found")).with_reason("order_not_found")
}

impl Services {
    async fn order_state(&self, order_id: &OrderId) -> Result<(OrderState, i64), AppError> {
        let context = self
            .orders
            .load(&order_id.to_string())
            .await
            .map_err(|e| AppError::internal("loading an order", &e))?;
        let version = context.current_sequence as i64;
        context
            .aggregate
            .state()
            .cloned()
            .map(|state| (state, version))
            .ok_or_else(|| order_not_found(order_id))
    }

    async fn return_aggregate(&self, return_id: &ReturnId) -> Result<Return, AppError> {
        let context = self
            .returns
            .load(&return_id.to_string())
            .await
            .map_err(|e| AppError::internal("loading a return", &e))?;
        if context.aggregate.state().is_none() {
            return Err(ReturnError::NotFound.into());
        }
        Ok(context.aggregate)
    }

    /// Opens a return against a delivered order. The lines are priced at the order's unit
    /// prices (order-level discounts are not apportioned to lines; refunds stay bounded by
    /// what the order captured), and the window is the order channel's.
    pub async fn request_return(
        &self,
        ctx: &RequestContext,
        request: NewReturn,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let return_id = request
            .return_id
            .unwrap_or_else(|| ReturnId::from_uuid(options.new_stream_id(ctx, "return")));
        let stream_id = return_id.to_string();
        let order_key = request.order_id.to_string();
        let mut opts = options.command_options()?;
        opts.expect_new_stream = options.expected_version.is_none();

        // One request per order at a time, so "already returned" includes the one before.
        let _turn = serialise(&format!("order-returns:{order_key}")).await;
        let (order, _) = self.order_state(&request.order_id).await?;
        // Read-your-writes across requests: the returns read model must include every
        // return event committed so far before it is asked what is already coming back.
        let head = log::head_position(&self.db).await?;
        self.wait_for(returns::NAME, head).await?;
        let already_returned: BTreeMap<Sku, u32> =
            returns::returned_by_sku(&self.db, &order_key, Some(&stream_id))
                .await?
                .into_iter()
                .filter_map(|(sku, units)| Sku::parse(&sku).ok().map(|sku| (sku, units)))
                .collect();
        // At the price paid: each line's value after its discounts, units counted after
        // what other returns of the order already take back.
        let lines = request
            .lines
            .into_iter()
            .map(|(sku, quantity)| {
                let earlier = already_returned.get(&sku).copied().unwrap_or(0);
                ReturnLine::from_order(&order, sku, quantity, earlier)
            })
            .collect();
        let command = ReturnCommand::Request(RequestReturn {
            order_id: request.order_id,
            channel: order.channel,
            lines,
            reason: request.reason,
            photo_refs: request.photo_refs,
            requested_resolution: request.requested_resolution,
            order: OrderFacts::from_order(&order, already_returned),
            window: self.return_windows.for_channel(order.channel),
            requested_at: request.requested_at,
        });
        let result = self
            .commands
            .execute(&self.returns, &stream_id, command, ctx, &opts)
            .await;
        match result {
            // The client's own id sent again: answer with the return it created.
            Err(e)
                if e.reason == Some("already_requested")
                    && request.return_id.is_some()
                    && options.expected_version.is_none() =>
            {
                self.existing_return(&return_id, &request.order_id).await
            }
            other => other,
        }
    }

    async fn existing_return(
        &self,
        return_id: &ReturnId,
        order_id: &OrderId,
    ) -> Result<CommandOutcome, AppError> {
        let stream_id = return_id.to_string();
        let context = self
            .returns
            .load(&stream_id)
            .await
            .map_err(|e| AppError::internal("loading a return", &e))?;
        match context.aggregate.state() {
            Some(state) if state.order_id == *order_id => {}
            _ => {
                return Err(AppError::invalid_input(
                    "returnId",
                    "this return id is already used for another order",
                ))
            }
        }
        let position = self
            .commands
            .position_of(RETURN_AGGREGATE_TYPE, &stream_id, 1)
            .await?;
        Ok(CommandOutcome {
            stream_id,
            version: context.current_sequence as i64,
            position,
            replayed: true,
        })
    }

    /// Any return step that needs nothing from other streams: review, drop-off, receipt,
    /// inspection, repair steps, closing.
    pub async fn return_command(
        &self,
        ctx: &RequestContext,
        return_id: &str,
        command: ReturnCommand,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id = parse_return_id(return_id)?;
        let opts = options.command_options()?;
        self.commands
            .execute(&self.returns, &id.to_string(), command, ctx, &opts)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn shipment_ids_are_stable_per_purpose() {
        let r = ReturnId::from_uuid(Uuid::from_u128(7));
        assert_eq!(
            reverse_shipment_id(&r, "sf-express", "SF1"),
            reverse_shipment_id(&r, "sf-express", "SF1")
        );
        assert_ne!(
            reverse_shipment_id(&r, "sf-express", "SF1"),
            reverse_shipment_id(&r, "sf-express", "SF2")
        );
        assert_ne!(replacement_shipment_id(&r), repair_return_shipment_id(&r));
        let other = ReturnId::from_uuid(Uuid::from_u128(8));
        assert_ne!(replacement_shipment_id(&r), replacement_shipment_id(&other));
    }

    #[test]
    fn return_errors_keep_their_reason() {
        let e: AppError = ReturnError::NotDelivered.into();
        assert_eq!(e.code, ErrorCode::InvalidState);
        assert_eq!(e.reason, Some("not_delivered"));
        let e: AppError = ReturnError::NotFound.into();
        assert_eq!(e.code, ErrorCode::NotFound);
        let e: AppError = ReturnError::NoLines.into();
        assert_eq!(e.code, ErrorCode::InvalidInput);
    }
}
