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
use uuid::Uuid;
use waybill_domain::ids::{OrderId, ReturnId, ShipmentId};
use waybill_domain::order::{
    ErrorKind, FulfilLine, OrderCommand, OrderError, OrderEvent, OrderState,
};
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

/// Stable ids for shipments a return causes, so a retried step names the same shipment.
const RETURN_SHIPMENT_NAMESPACE: Uuid = Uuid::from_u128(0x4f1d_62b8_93a5_4c07_8e2f_b5d1_0c6a_73e9);

fn shipment_id(return_id: &ReturnId, purpose: &str) -> ShipmentId {
    let name = format!("returns/{return_id}/{purpose}");
    ShipmentId::from_uuid(Uuid::new_v5(&RETURN_SHIPMENT_NAMESPACE, name.as_bytes()))
}

/// The reverse shipment behind a return label: one per (return, carrier, tracking number).
pub fn reverse_shipment_id(return_id: &ReturnId, carrier: &str, tracking: &str) -> ShipmentId {
    shipment_id(return_id, &format!("label/{carrier}/{tracking}"))
}

/// The outbound shipment carrying an exchange's replacement (one exchange per return).
pub fn replacement_shipment_id(return_id: &ReturnId) -> ShipmentId {
    shipment_id(return_id, "exchange")
}

/// The shipment taking a repaired item back to the customer.
pub fn repair_return_shipment_id(return_id: &ReturnId) -> ShipmentId {
    shipment_id(return_id, "repair-return")
}

/// In-process serialisation of the read-then-append steps that span streams: a return
/// request (its "already returned" check reads the other returns of the order) and a return
/// refund (checked against the return, then written to the order and the return). Striped so
/// memory stays bounded; a collision only makes two unrelated requests take turns.
///
/// This closes the race within one process (and SQLite has one writer process). With several
/// API replicas on PostgreSQL, two requests for the same order arriving at different replicas
/// at the same instant could both pass the "already returned" check; the receipt (never more
/// than requested) and the order's refund cap (never more than captured) still hold.
static STRIPES: [Mutex<()>; 64] = [const { Mutex::const_new(()) }; 64];

async fn serialise(key: &str) -> MutexGuard<'static, ()> {
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

/// Longest caller idempotency key for a refund: it gets a `:order` / `:return` suffix.
pub const MAX_REFUND_KEY_CHARS: usize = 190;

/// Idempotency for the two writes of a return refund. With a caller key `K`, the order write
/// uses `K:order` and the return write `K:return`, so `K` reused for a different request is
/// refused before any money moves. Without one, both derive from the return and the refund
/// reference (`refund:<return>:<reference>:order` / `:return`).
fn refund_write_options(
    return_stream: &str,
    order_stream: &str,
    refund: &ReturnRefundRequest,
    options: &WriteOptions,
) -> Result<(CommandOptions, CommandOptions), AppError> {
    let (base, request) = match &options.idempotency_key {
        Some(key) if key.is_empty() || key.len() > MAX_REFUND_KEY_CHARS => {
            return Err(AppError::invalid_input(
                "idempotencyKey",
                format!("must be 1 to {MAX_REFUND_KEY_CHARS} characters"),
            ));
        }
        Some(key) => (key.clone(), options.request.clone()),
        None => (
            format!("refund:{return_stream}:{}", refund.reference),
            format!(
                "refundReturn {return_stream} {order_stream} {} {} {} {}",
                refund.amount_minor, refund.method, refund.reference, refund.include_shipping
            ),
        ),
    };
    let order = WriteOptions {
        expected_version: None,
        idempotency_key: Some(format!("{base}:order")),
        request: request.clone(),
    };
    let ret = WriteOptions {
        expected_version: options.expected_version,
        idempotency_key: Some(format!("{base}:return")),
        request,
    };
    Ok((order.command_options()?, ret.command_options()?))
}

/// A refund already on the order stream, found by its reference.
struct RecordedRefund {
    amount_minor: i64,
    return_id: Option<ReturnId>,
    captured_total_minor: i64,
    refunded_total_minor: i64,
    sequence: i64,
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
            .unwrap_or_else(|| ReturnId::from_uuid(Uuid::now_v7()));
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
        let lines = request
            .lines
            .into_iter()
            .map(|(sku, quantity)| {
                let unit_price_minor = order
                    .lines
                    .iter()
                    .find(|line| line.sku == sku)
                    .map_or(0, |line| line.unit_price_minor);
                ReturnLine {
                    sku,
                    quantity,
                    unit_price_minor,
                }
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

    /// Issues a return label: the customer ships the goods back with `carrier`.
    ///
    /// The reverse shipment's id is derived from (return, carrier, tracking number), so the
    /// same label sent twice names the same shipment.
    pub async fn issue_return_label(
        &self,
        ctx: &RequestContext,
        return_id: &str,
        carrier: String,
        tracking_number: String,
        at: DateTime<Utc>,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id = parse_return_id(return_id)?;
        let reverse_shipment_id = reverse_shipment_id(&id, &carrier, &tracking_number);
        // The reverse shipment is a Shipment stream like any other, tracked by the same scans;
        // its id is derived from the label, so issuing the same label again names (and
        // idempotently re-creates) the same shipment.
        let create = self
            .reverse_shipment(&id, reverse_shipment_id, &carrier, &tracking_number, at)
            .await?;
        let key = format!("return-label:{reverse_shipment_id}");
        let shipment_options = WriteOptions {
            expected_version: None,
            idempotency_key: Some(key.clone()),
            request: key,
        };
        match self.create_shipment(ctx, create, &shipment_options).await {
            // Created by an earlier attempt with this label (possibly by another agent).
            Err(e) if e.reason == Some("already_created") => {}
            other => {
                other?;
            }
        }
        let command = ReturnCommand::IssueReturnLabel {
            reverse_shipment_id,
            carrier,
            tracking_number,
            at,
        };
        self.return_command(ctx, &id.to_string(), command, options)
            .await
    }

    /// The reverse Shipment for a return label: the return's lines, from the customer back to
    /// the warehouse that shipped the order (it must be registered as a site, for its address).
    async fn reverse_shipment(
        &self,
        id: &ReturnId,
        shipment_id: ShipmentId,
        carrier: &str,
        tracking_number: &str,
        at: DateTime<Utc>,
    ) -> Result<waybill_domain::shipment::CreateShipment, AppError> {
        use waybill_domain::shipment::{
            Carrier, CreateShipment, Direction, Parcel, ShipmentLine, TrackingNumber,
        };
        // The return may be newer than its read model: catch up first.
        let head = log::head_position(&self.db).await?;
        self.wait_for(returns::NAME, head).await?;
        let record = returns::get(&self.db, &id.to_string())
            .await?
            .ok_or_else(|| AppError::not_found(format!("no return {id}")))?;
        let warehouse = record.warehouse_id.ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidState,
                "the order has no warehouse to return to",
            )
        })?;
        let site = waybill_projections::network::list_sites(&self.db, None)
            .await?
            .into_iter()
            .find(|s| s.id == warehouse)
            .ok_or_else(|| {
                AppError::new(ErrorCode::InvalidState, format!("register warehouse {warehouse} as a site: a return label needs its address"))
                    .with_reason("warehouse_not_registered")
            })?;
        let destination = serde_json::from_value(site.address)
            .map_err(|e| AppError::internal("reading a site address", &e))?;
        // Carriers are named loosely on labels ("sf-express"); unknown ones are `other`.
        let carrier = carrier
            .trim()
            .to_lowercase()
            .replace(['-', ' '], "_")
            .parse::<Carrier>()
            .unwrap_or(Carrier::Other);
        let tracking_number = TrackingNumber::parse(tracking_number)
            .map_err(|e| AppError::invalid_input("trackingNumber", e))?;
        let lines = record
            .view
            .lines
            .iter()
            .map(|l| {
                Ok(ShipmentLine {
                    sku: waybill_domain::Sku::parse(&l.sku)
                        .map_err(|e| AppError::internal("a stored SKU", &e))?,
                    quantity: waybill_domain::Quantity::new(l.quantity)
                        .map_err(|e| AppError::internal("a stored quantity", &e))?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        // The customer packs the parcel; its real size is known when the carrier collects it
        // (the pickup scan). A nominal 1 kg parcel holds the label until then.
        let parcel = Parcel::new(1000, 300, 200, 150)
            .map_err(|e| AppError::internal("the nominal parcel", &e))?;
        Ok(CreateShipment {
            shipment_id,
            order_id: record
                .view
                .order_id
                .parse()
                .map_err(|_| AppError::new(ErrorCode::Internal, "a stored order id"))?,
            direction: Direction::Reverse,
            return_id: Some(*id),
            warehouse_id: waybill_domain::WarehouseId::parse(&warehouse)
                .map_err(|e| AppError::internal("a stored warehouse id", &e))?,
            lines,
            parcels: vec![parcel],
            delivery: waybill_domain::DeliveryMode::Express,
            carrier,
            tracking_number: Some(tracking_number),
            destination,
            promised_handover_by: None,
            promised_delivery_by: None,
            priority: 0,
            created_at: at,
        })
    }

    /// The return as its read model has it, after catching up to everything written so far.
    async fn return_record(&self, id: &ReturnId) -> Result<returns::ReturnRecord, AppError> {
        let head = log::head_position(&self.db).await?;
        self.wait_for(returns::NAME, head).await?;
        returns::get(&self.db, &id.to_string())
            .await?
            .ok_or_else(|| AppError::not_found(format!("no return {id}")))
    }

    /// An outbound Shipment to the customer for a return (replacement or repaired item), from
    /// the warehouse that shipped the order, on the own fleet until a carrier label is made
    /// (hand-over can name the carrier's number). Keyed by its id, so a retry creates nothing.
    async fn outbound_for_return(
        &self,
        ctx: &RequestContext,
        id: &ReturnId,
        shipment_id: ShipmentId,
        lines: Vec<(Sku, Quantity)>,
        at: DateTime<Utc>,
        purpose: &str,
    ) -> Result<(), AppError> {
        use waybill_domain::shipment::{Carrier, CreateShipment, Direction, Parcel, ShipmentLine};
        let record = self.return_record(id).await?;
        let order = waybill_projections::orders::get(&self.db, &record.view.order_id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("no order {}", record.view.order_id)))?;
        let warehouse = record
            .warehouse_id
            .or(order.warehouse_id.clone())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::InvalidState,
                    "the order has no warehouse to ship from",
                )
            })?;
        let destination = serde_json::from_value(order.shipping_address.clone())
            .map_err(|e| AppError::internal("reading the order's address", &e))?;
        // The warehouse packs it and records the real parcels then (Pack); 1 kg until then.
        let parcel = Parcel::new(1000, 300, 200, 150)
            .map_err(|e| AppError::internal("the nominal parcel", &e))?;
        let create = CreateShipment {
            shipment_id,
            order_id: record
                .view
                .order_id
                .parse()
                .map_err(|_| AppError::new(ErrorCode::Internal, "a stored order id"))?,
            direction: Direction::Outbound,
            return_id: None,
            warehouse_id: waybill_domain::WarehouseId::parse(&warehouse)
                .map_err(|e| AppError::internal("a stored warehouse id", &e))?,
            lines: lines
                .into_iter()
                .map(|(sku, quantity)| ShipmentLine { sku, quantity })
                .collect(),
            parcels: vec![parcel],
            delivery: waybill_domain::DeliveryMode::Express,
            carrier: Carrier::OwnFleet,
            tracking_number: None,
            destination,
            promised_handover_by: None,
            promised_delivery_by: None,
            priority: 0,
            created_at: at,
        };
        let key = format!("return-{purpose}:{shipment_id}");
        let options = WriteOptions {
            expected_version: None,
            idempotency_key: Some(key.clone()),
            request: key,
        };
        match self.create_shipment(ctx, create, &options).await {
            Ok(_) => Ok(()),
            // Created by an earlier attempt of this very step.
            Err(e) if e.reason == Some("already_created") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Ships replacement goods for a return. The replacement shipment's id is derived from
    /// the return (a return has at most one exchange).
    pub async fn exchange_return(
        &self,
        ctx: &RequestContext,
        return_id: &str,
        lines: Vec<FulfilLine>,
        agent: String,
        at: DateTime<Utc>,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id = parse_return_id(return_id)?;
        let shipment_lines = lines.iter().map(|l| (l.sku.clone(), l.quantity)).collect();
        self.outbound_for_return(
            ctx,
            &id,
            replacement_shipment_id(&id),
            shipment_lines,
            at,
            "exchange",
        )
        .await?;
        let command = ReturnCommand::Exchange {
            replacement_shipment_id: replacement_shipment_id(&id),
            lines,
            agent,
            at,
        };
        self.return_command(ctx, &id.to_string(), command, options)
            .await
    }

    /// The repaired item goes back to the customer.
    pub async fn return_repaired_item(
        &self,
        ctx: &RequestContext,
        return_id: &str,
        at: DateTime<Utc>,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id = parse_return_id(return_id)?;
        let record = self.return_record(&id).await?;
        let lines = record
            .view
            .lines
            .iter()
            .map(|l| {
                Ok((
                    Sku::parse(&l.sku).map_err(|e| AppError::internal("a stored SKU", &e))?,
                    Quantity::new(l.quantity)
                        .map_err(|e| AppError::internal("a stored quantity", &e))?,
                ))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        self.outbound_for_return(
            ctx,
            &id,
            repair_return_shipment_id(&id),
            lines,
            at,
            "repair-return",
        )
        .await?;
        let command = ReturnCommand::ReturnRepairedItem {
            shipment_id: repair_return_shipment_id(&id),
            at,
        };
        self.return_command(ctx, &id.to_string(), command, options)
            .await
    }

    /// Refunds a return: money back on the order, then the refund on the return.
    ///
    /// No transaction spans two streams, so this is two writes in a fixed order:
    /// 1. The return is asked first, without writing (`Return::decide`): a refund it would
    ///    refuse (more than the returned goods are worth, wrong policy, resolved otherwise)
    ///    moves no money.
    /// 2. `RecordRefund` on the **order**, carrying the return id. The order is the authority
    ///    for "never more than captured": its stream serialises concurrent refunds (the
    ///    command service reloads and re-decides on a conflict), so of two agents refunding
    ///    at once only what fits is accepted. Idempotency key: the caller's key + `:order`, or
    ///    `refund:<return>:<reference>:order` (see [`refund_write_options`]).
    /// 3. `RefundReturn` on the **return**, with the same reference and the order's captured
    ///    and refunded totals exactly as step 2 recorded them.
    ///
    /// If step 3 fails after step 2 (a crash, or a concurrent change to the return), the
    /// order shows a refund whose return does not yet: the caller retries with the same
    /// reference (and idempotency key). The retry finds the order's refund by its reference
    /// and does not pay twice: step 2 is answered from the stored event, step 3 runs. A retry
    /// after both steps succeeded is answered from the stored events with `replayed: true`.
    pub async fn refund_return(
        &self,
        ctx: &RequestContext,
        return_id: &str,
        refund: ReturnRefundRequest,
        options: &WriteOptions,
    ) -> Result<RefundOutcome, AppError> {
        let id = parse_return_id(return_id)?;
        let stream_id = id.to_string();
        let _turn = serialise(&format!("return-refund:{stream_id}")).await;
        let ret = self.return_aggregate(&id).await?;
        let Some(state) = ret.state() else {
            return Err(ReturnError::NotFound.into());
        };
        let order_id = state.order_id;
        let order_stream = order_id.to_string();
        let policy = refund.policy.unwrap_or(if state.is_received() {
            RefundPolicy::AfterReceipt
        } else {
            RefundPolicy::BeforeReceipt
        });

        // Validated before anything is written.
        let (order_options, return_options) =
            refund_write_options(&stream_id, &order_stream, &refund, options)?;
        let recorded = self.recorded_refund(&order_id, &refund.reference).await?;
        if let Some(r) = &recorded {
            if r.return_id != Some(id) || r.amount_minor != refund.amount_minor {
                return Err(OrderError::DuplicateRefund {
                    reference: refund.reference,
                }
                .into());
            }
        }
        let mut command = RefundReturn {
            amount_minor: refund.amount_minor,
            include_shipping: refund.include_shipping,
            method: refund.method.clone(),
            reference: refund.reference.clone(),
            policy,
            agent: refund.agent.clone(),
            at: refund.at,
            captured_minor: 0,
            refunded_minor: 0,
        };
        (command.captured_minor, command.refunded_minor) = match &recorded {
            Some(r) => (
                r.captured_total_minor,
                r.refunded_total_minor - r.amount_minor,
            ),
            None => {
                let (order, _) = self.order_state(&order_id).await?;
                (order.captured_total_minor, order.refunded_total_minor)
            }
        };

        // 1. Would the return accept it?
        match ret.decide(ReturnCommand::RefundReturn(command.clone())) {
            Ok(_) => {}
            Err(ReturnError::DuplicateRefund { .. }) if recorded.is_some() => {
                // Both steps are done: answer with what was stored.
                let order = self
                    .recorded_outcome(
                        waybill_domain::order::ORDER_AGGREGATE_TYPE,
                        &order_stream,
                        recorded.as_ref().map_or(0, |r| r.sequence),
                    )
                    .await?;
                let ret = self.return_refund_outcome(&id, &refund.reference).await?;
                return Ok(RefundOutcome { order, ret });
            }
            Err(e) => return Err(e.into()),
        }

        // 2. Money back on the order (or the refund it already holds for this return).
        let order_outcome = match recorded {
            Some(r) => {
                self.recorded_outcome(
                    waybill_domain::order::ORDER_AGGREGATE_TYPE,
                    &order_stream,
                    r.sequence,
                )
                .await?
            }
            None => {
                let reason = refund
                    .note
                    .clone()
                    .unwrap_or_else(|| format!("return {stream_id} ({})", state.reason.code()));
                let outcome = self
                    .commands
                    .execute(
                        &self.orders,
                        &order_stream,
                        OrderCommand::RecordRefund {
                            amount_minor: refund.amount_minor,
                            method: refund.method.clone(),
                            reference: refund.reference.clone(),
                            return_id: Some(id),
                            reason,
                            includes_shipping: refund.include_shipping,
                            at: refund.at,
                        },
                        ctx,
                        &order_options,
                    )
                    .await?;
                // The totals exactly as the order recorded them (other refunds may have
                // landed between our read and the append).
                let r = self
                    .recorded_refund(&order_id, &refund.reference)
                    .await?
                    .ok_or_else(|| {
                        AppError::new(
                            ErrorCode::Internal,
                            "a recorded refund is missing from its order",
                        )
                    })?;
                command.captured_minor = r.captured_total_minor;
                command.refunded_minor = r.refunded_total_minor - r.amount_minor;
                outcome
            }
        };

        // 3. The refund on the return, same reference.
        let ret = self
            .commands
            .execute(
                &self.returns,
                &stream_id,
                ReturnCommand::RefundReturn(command),
                ctx,
                &return_options,
            )
            .await?;
        Ok(RefundOutcome {
            order: order_outcome,
            ret,
        })
    }

    /// The refund with `reference` on the order stream, if recorded.
    async fn recorded_refund(
        &self,
        order_id: &OrderId,
        reference: &str,
    ) -> Result<Option<RecordedRefund>, AppError> {
        let events = self
            .orders
            .load_events(&order_id.to_string())
            .await
            .map_err(|e| AppError::internal("loading an order", &e))?;
        if events.is_empty() {
            return Err(order_not_found(order_id));
        }
        Ok(events
            .into_iter()
            .find_map(|envelope| match envelope.payload {
                OrderEvent::RefundRecorded {
                    amount_minor,
                    reference: recorded,
                    return_id,
                    refunded_total_minor,
                    captured_total_minor,
                    ..
                } if recorded == reference => Some(RecordedRefund {
                    amount_minor,
                    return_id,
                    captured_total_minor,
                    refunded_total_minor,
                    sequence: envelope.sequence as i64,
                }),
                _ => None,
            }))
    }

    /// The outcome a stored event stands for, reported as a replay.
    async fn recorded_outcome(
        &self,
        aggregate_type: &str,
        stream_id: &str,
        sequence: i64,
    ) -> Result<CommandOutcome, AppError> {
        let position = self
            .commands
            .position_of(aggregate_type, stream_id, sequence)
            .await?;
        Ok(CommandOutcome {
            stream_id: stream_id.to_string(),
            version: sequence,
            position,
            replayed: true,
        })
    }

    async fn return_refund_outcome(
        &self,
        return_id: &ReturnId,
        reference: &str,
    ) -> Result<CommandOutcome, AppError> {
        let stream_id = return_id.to_string();
        let events = self
            .returns
            .load_events(&stream_id)
            .await
            .map_err(|e| AppError::internal("loading a return", &e))?;
        let sequence = events
            .iter()
            .find_map(|envelope| match &envelope.payload {
                ReturnEvent::ReturnRefunded { reference: r, .. } if r == reference => {
                    Some(envelope.sequence as i64)
                }
                _ => None,
            })
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::Internal,
                    "a recorded refund is missing from its return",
                )
            })?;
        self.recorded_outcome(RETURN_AGGREGATE_TYPE, &stream_id, sequence)
            .await
    }

    /// A refund on an order outside any return (goodwill, price adjustment, cancellation).
    /// Refunds for returns go through [`Services::refund_return`] so the return records them.
    pub async fn record_refund(
        &self,
        ctx: &RequestContext,
        order_id: &str,
        command: OrderCommand,
        options: &WriteOptions,
    ) -> Result<CommandOutcome, AppError> {
        let id = parse_order_id(order_id)?;
        if let OrderCommand::RecordRefund {
            return_id: Some(_), ..
        } = command
        {
            return Err(AppError::invalid_input(
                "returnId",
                "refunds for a return are recorded with refundReturn",
            ));
        }
        self.order_command(ctx, &id.to_string(), command, options)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
