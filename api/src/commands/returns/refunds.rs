//! Refunds: a return's refund is two writes in a fixed order (the order, which caps refunds at
//! what was captured, then the return), each with its own idempotency key.

use super::*;

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
