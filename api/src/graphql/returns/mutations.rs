//! Return mutations: one per step of the return, plus `recordRefund` on an order.

use super::*;
use crate::graphql::scalars::{Int64, MinorUnits};

use crate::graphql::timestamp::Timestamp;

#[derive(Default)]
pub struct ReturnMutations;

/// One step on the return through the one mutation path; `build` gets the caller's context.
async fn return_write(
    ctx: &Context<'_>,
    permission: Permission,
    return_id: &str,
    build: impl FnOnce(&RequestContext) -> Result<ReturnCommand, AppError>,
    expected_version: Option<Int64>,
    idempotency_key: Option<String>,
) -> GqlResult<ReturnWriteResult> {
    let m = mutation(ctx, permission, expected_version, idempotency_key)?;
    let command = build(m.request)?;
    m.run(|s, req, write| async move { s.return_command(req, return_id, command, &write).await })
        .await
}

// Each GraphQL argument is a resolver parameter; the argument list is the public API.
#[allow(clippy::too_many_arguments)]
#[Object]
impl ReturnMutations {
    /// Opens a return (RMA) on a delivered order. Refused with INVALID_STATE when the order
    /// is not delivered (`not_delivered`), more units are asked for than were delivered less
    /// what other returns take back (`exceeds_returnable`), or the channel's window has
    /// closed (`window_closed`: 7 days after delivery for CHANGED_MIND, 15 for the seller's
    /// faults by default).
    async fn request_return(
        &self,
        ctx: &Context<'_>,
        input: RequestReturnInput,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let m = mutation(
            ctx,
            Permission::RequestReturn,
            expected_version,
            idempotency_key,
        )?;
        let req = m.request;
        let new = input.parse(req.received_at)?;
        m.run(|s, req, write| async move { s.request_return(req, new, &write).await })
            .await
    }

    /// An agent approves the request.
    async fn approve_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        note: Option<String>,
        agent: Option<String>,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        return_write(
            ctx,
            Permission::ReviewReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::Approve {
                    agent: person("agent", agent, &req.principal.key_id)?,
                    note: note.map(|n| text("note", n, 2000)).transpose()?,
                    at: at.unwrap_or(req.received_at.into()).utc(),
                })
            },
            expected_version,
            idempotency_key,
        )
        .await
    }

    /// An agent rejects the request; a rejected return can only be closed.
    async fn reject_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        reason: String,
        agent: Option<String>,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        return_write(
            ctx,
            Permission::ReviewReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::Reject {
                    agent: person("agent", agent, &req.principal.key_id)?,
                    reason: text("reason", reason, 2000)?,
                    at: at.unwrap_or(req.received_at.into()).utc(),
                })
            },
            expected_version,
            idempotency_key,
        )
        .await
    }

    /// Issues a return label: the customer sends the goods back with `carrier`. The return
    /// records the reverse shipment's id; a new label replaces the previous arrangement
    /// until the goods arrive.
    async fn issue_return_label(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        carrier: String,
        tracking_number: String,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let m = mutation(
            ctx,
            Permission::ArrangeReturnShipping,
            expected_version,
            idempotency_key,
        )?;
        m.run(|s, req, write| async move {
            s.issue_return_label(
                req,
                &return_id,
                carrier,
                tracking_number,
                at.unwrap_or(req.received_at.into()).utc(),
                &write,
            )
            .await
        })
        .await
    }

    /// The customer drops the goods off at a pickup point or parcel locker instead.
    async fn arrange_return_drop_off(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        pickup_point_id: String,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        return_write(
            ctx,
            Permission::ArrangeReturnShipping,
            &return_id,
            |req| {
                Ok(ReturnCommand::DropOff {
                    pickup_point_id: inputs::pickup_point_id(&pickup_point_id)?,
                    at: at.unwrap_or(req.received_at.into()).utc(),
                })
            },
            expected_version,
            idempotency_key,
        )
        .await
    }

    /// The warehouse counts the parcel: received and damaged units per SKU.
    async fn receive_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        warehouse_id: String,
        lines: Vec<ReceivedLineInput>,
        staff: Option<String>,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        return_write(
            ctx,
            Permission::ReceiveReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::Receive {
                    warehouse_id: inputs::warehouse_id(&warehouse_id)?,
                    lines: received_lines(lines)?,
                    staff: person("staff", staff, &req.principal.key_id)?,
                    at: at.unwrap_or(req.received_at.into()).utc(),
                })
            },
            expected_version,
            idempotency_key,
        )
        .await
    }

    /// Inspection: every received unit gets an explicit RESTOCK or WRITE_OFF.
    async fn inspect_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        lines: Vec<InspectedLineInput>,
        inspector: Option<String>,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        return_write(
            ctx,
            Permission::InspectReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::Inspect {
                    lines: inspected_lines(lines)?,
                    inspector: person("inspector", inspector, &req.principal.key_id)?,
                    at: at.unwrap_or(req.received_at.into()).utc(),
                })
            },
            expected_version,
            idempotency_key,
        )
        .await
    }

    /// Refunds the return: recorded on the order first (which refuses anything beyond what
    /// it captured: `refund_exceeds_captured`), then on the return with the same reference.
    /// Retrying with the same reference never pays twice; if the second write failed, the
    /// retry completes it. `idempotencyKey`: at most 190 characters; reusing one for a
    /// different refund is refused before any money moves.
    async fn refund_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        input: RefundReturnInput,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let m = mutation(
            ctx,
            Permission::RecordRefund,
            expected_version,
            idempotency_key,
        )?;
        let req = m.request;
        let refund = input.parse(req.received_at, &req.principal.key_id)?;
        let outcome = m
            .services
            .refund_return(req, &return_id, refund, &m.write)
            .await?;
        let mut result = ReturnWriteResult::from(outcome.ret);
        result.order_version = Some(Int64(outcome.order.version));
        result.order_position = Some(Int64(outcome.order.position));
        Ok(result)
    }

    /// Ships replacement goods (any SKUs, at most as many units as come back).
    async fn exchange_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        lines: Vec<FulfilLineInput>,
        agent: Option<String>,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let m = mutation(
            ctx,
            Permission::ResolveReturn,
            expected_version,
            idempotency_key,
        )?;
        let req = m.request;
        let lines = fulfil_lines(lines)?;
        let agent = person("agent", agent, &req.principal.key_id)?;
        m.run(|s, req, write| async move {
            s.exchange_return(
                req,
                &return_id,
                lines,
                agent,
                at.unwrap_or(req.received_at.into()).utc(),
                &write,
            )
            .await
        })
        .await
    }

    /// The received item goes to a repairer.
    async fn send_return_for_repair(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        vendor: String,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        return_write(
            ctx,
            Permission::RepairReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::SendForRepair {
                    vendor: text("vendor", vendor, 200)?,
                    at: at.unwrap_or(req.received_at.into()).utc(),
                })
            },
            expected_version,
            idempotency_key,
        )
        .await
    }

    /// The repairer has fixed the item.
    async fn complete_return_repair(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        return_write(
            ctx,
            Permission::RepairReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::CompleteRepair {
                    at: at.unwrap_or(req.received_at.into()).utc(),
                })
            },
            expected_version,
            idempotency_key,
        )
        .await
    }

    /// The repaired item ships back to the customer.
    async fn return_repaired_item(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        let m = mutation(
            ctx,
            Permission::RepairReturn,
            expected_version,
            idempotency_key,
        )?;
        m.run(|s, req, write| async move {
            let at = at.unwrap_or(req.received_at.into()).utc();
            s.return_repaired_item(req, &return_id, at, &write).await
        })
        .await
    }

    /// Closes a resolved (refunded, exchanged, repaired) or rejected return.
    async fn close_return(
        &self,
        ctx: &Context<'_>,
        return_id: String,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<ReturnWriteResult> {
        return_write(
            ctx,
            Permission::ResolveReturn,
            &return_id,
            |req| {
                Ok(ReturnCommand::Close {
                    at: at.unwrap_or(req.received_at.into()).utc(),
                })
            },
            expected_version,
            idempotency_key,
        )
        .await
    }

    /// Records money paid back on an order outside any return (goodwill, price adjustment,
    /// a cancelled paid order). Refused beyond what the order captured
    /// (`refund_exceeds_captured`) and for a reference already used (`duplicate_refund`).
    async fn record_refund(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        amount: MinorUnits,
        method: String,
        reference: String,
        reason: String,
        #[graphql(default)] includes_shipping: bool,
        at: Option<Timestamp>,
        expected_version: Option<Int64>,
        idempotency_key: Option<String>,
    ) -> GqlResult<OrderWriteResult> {
        let m = mutation(
            ctx,
            Permission::RecordRefund,
            expected_version,
            idempotency_key,
        )?;
        let req = m.request;
        let command = OrderCommand::RecordRefund {
            amount_minor: amount.get(),
            method: text("method", method, 64)?,
            reference: text("reference", reference, 128)?,
            return_id: None,
            reason: text("reason", reason, 1000)?,
            includes_shipping,
            at: at.unwrap_or(req.received_at.into()).utc(),
        };
        m.run(|s, req, write| async move { s.record_refund(req, &order_id, command, &write).await })
            .await
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::{Permission, Principal, Role};

    fn may(role: Role, permission: Permission) -> bool {
        Principal {
            key_id: "k".into(),
            role,
        }
        .require(permission)
        .is_ok()
    }

    #[test]
    fn return_steps_go_to_the_right_roles() {
        use Permission::*;
        assert!(may(Role::Agent, ReviewReturn) && !may(Role::Warehouse, ReviewReturn));
        assert!(may(Role::Warehouse, ReceiveReturn) && !may(Role::Agent, ReceiveReturn));
        assert!(may(Role::Warehouse, InspectReturn) && !may(Role::Integrator, InspectReturn));
        assert!(may(Role::Integrator, RecordRefund) && !may(Role::Warehouse, RecordRefund));
        for role in Role::ALL {
            assert!(may(role, ReadReturns), "{role}");
        }
        for p in [
            RequestReturn,
            ReviewReturn,
            ArrangeReturnShipping,
            ReceiveReturn,
            InspectReturn,
            ResolveReturn,
            RepairReturn,
            RecordRefund,
        ] {
            assert!(!may(Role::Auditor, p), "{p:?}");
            assert!(may(Role::Admin, p), "{p:?}");
        }
    }
}
