//! The fold from return events to the return document (see `view.rs` for its shape).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use waybill_domain::returns::{RepairStage, ReturnEvent, ReturnRequested, ReturnStatus};

use super::view::*;
use crate::log::StoredEvent;
use crate::projection::ProjectionError;

fn corrupt(event: &StoredEvent, why: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::Corrupt(format!(
        "{} {}#{} ({}): {why}",
        event.aggregate_type, event.aggregate_id, event.sequence, event.event_type
    ))
}

/// Folds one return event into the document.
pub fn apply(
    doc: Option<ReturnView>,
    event: &StoredEvent,
) -> Result<Option<ReturnView>, ProjectionError> {
    let parsed = ReturnEvent::deserialize(&event.payload).map_err(|e| corrupt(event, e))?;
    let (mut view, actor, at) = match (parsed, doc) {
        (ReturnEvent::ReturnRequested(requested), None) => {
            let at = requested.requested_at;
            (requested_view(event, requested), None, at)
        }
        // A stream holds one request; the aggregate never writes a second.
        (ReturnEvent::ReturnRequested(_), Some(view)) => (view, None, event.recorded_at),
        (_, None) => {
            return Err(corrupt(
                event,
                "event for a return that was never requested",
            ))
        }
        (other, Some(mut view)) => {
            let (actor, at) = apply_change(&mut view, other);
            (view, actor, at)
        }
    };
    let stage = view.compute_stage();
    if stage != view.stage {
        view.stage = stage;
        view.stage_since = at;
    }
    view.status = view.compute_status().code().to_string();
    view.timeline.push(ReturnStep {
        sequence: event.sequence,
        event_type: event.event_type.clone(),
        actor,
        actor_key_id: event.meta("actor_key_id").map(String::from),
        actor_role: event.meta("actor_role").map(String::from),
        correlation_id: event.meta("correlation_id").map(String::from),
        at,
        recorded_at: event.recorded_at,
    });
    view.updated_at = event.recorded_at;
    view.version = event.sequence;
    Ok(Some(view))
}

fn requested_view(event: &StoredEvent, r: ReturnRequested) -> ReturnView {
    let window_days = r.window.days_for(r.reason);
    ReturnView {
        return_id: event.aggregate_id.clone(),
        order_id: r.order_id.to_string(),
        channel: r.channel.code().to_string(),
        reason: r.reason.code().to_string(),
        requested_resolution: r.requested_resolution.code().to_string(),
        photo_refs: r.photo_refs,
        lines: r
            .lines
            .into_iter()
            .map(|l| ReturnLineView {
                sku: l.sku.to_string(),
                quantity: l.quantity.get(),
                unit_price_minor: l.unit_price_minor,
                received_qty: None,
                damaged_qty: 0,
                restocked_qty: 0,
                written_off_qty: 0,
                returned_qty: l.quantity.get(),
            })
            .collect(),
        return_value_minor: r.return_value_minor,
        shipping_fee_minor: r.shipping_fee_minor,
        order_captured_minor: r.captured_minor,
        order_refunded_minor: r.refunded_minor,
        delivered_at: r.delivered_at,
        window_days,
        window_closes_at: r.window_closes_at,
        status: ReturnStatus::Requested.code().to_string(),
        stage: ReturnStage::AwaitingReview,
        stage_since: r.requested_at,
        review: None,
        logistics: None,
        receipt: None,
        inspection: None,
        refunds: Vec::new(),
        refunded_minor: 0,
        shipping_refunded: false,
        exchange: None,
        repair: None,
        outcome: None,
        requested_at: r.requested_at,
        resolved_at: None,
        closed_at: None,
        timeline: Vec::new(),
        updated_at: event.recorded_at,
        version: event.sequence,
    }
}

/// Applies a post-request event; returns the person it names and its business time.
fn apply_change(view: &mut ReturnView, event: ReturnEvent) -> (Option<String>, DateTime<Utc>) {
    match event {
        ReturnEvent::ReturnRequested(r) => (None, r.requested_at),
        ReturnEvent::ReturnApproved { agent, note, at } => {
            view.review = Some(ReviewView {
                decision: "approved".into(),
                agent: agent.clone(),
                note,
                at,
            });
            (Some(agent), at)
        }
        ReturnEvent::ReturnRejected { agent, reason, at } => {
            view.review = Some(ReviewView {
                decision: "rejected".into(),
                agent: agent.clone(),
                note: Some(reason),
                at,
            });
            (Some(agent), at)
        }
        ReturnEvent::ReturnLabelIssued {
            reverse_shipment_id,
            carrier,
            tracking_number,
            at,
        } => {
            view.logistics = Some(LogisticsView {
                kind: "label".into(),
                reverse_shipment_id: Some(reverse_shipment_id.to_string()),
                carrier: Some(carrier),
                tracking_number: Some(tracking_number),
                pickup_point_id: None,
                at,
            });
            (None, at)
        }
        ReturnEvent::DropOffArranged {
            pickup_point_id,
            at,
        } => {
            view.logistics = Some(LogisticsView {
                kind: "drop_off".into(),
                reverse_shipment_id: None,
                carrier: None,
                tracking_number: None,
                pickup_point_id: Some(pickup_point_id.to_string()),
                at,
            });
            (None, at)
        }
        ReturnEvent::ReturnReceived {
            warehouse_id,
            lines,
            staff,
            complete,
            at,
        } => {
            for line in &mut view.lines {
                let counted = lines.iter().find(|r| r.sku.as_str() == line.sku);
                let received = counted.map_or(0, |r| r.received_qty);
                line.received_qty = Some(received);
                line.damaged_qty = counted.map_or(0, |r| r.damaged_qty);
                line.returned_qty = received;
            }
            view.receipt = Some(ReceiptView {
                warehouse_id: warehouse_id.to_string(),
                staff: staff.clone(),
                complete,
                at,
            });
            (Some(staff), at)
        }
        ReturnEvent::ReturnInspected {
            warehouse_id,
            lines,
            inspector,
            at,
        } => {
            for inspected in &lines {
                if let Some(line) = view
                    .lines
                    .iter_mut()
                    .find(|l| l.sku == inspected.sku.as_str())
                {
                    let units = inspected.quantity.get();
                    match inspected.decision {
                        waybill_domain::returns::InspectionDecision::Restock => {
                            line.restocked_qty = line.restocked_qty.saturating_add(units);
                        }
                        waybill_domain::returns::InspectionDecision::WriteOff => {
                            line.written_off_qty = line.written_off_qty.saturating_add(units);
                        }
                    }
                }
            }
            view.inspection = Some(InspectionView {
                warehouse_id: warehouse_id.to_string(),
                lines: lines
                    .into_iter()
                    .map(|l| InspectedLineView {
                        sku: l.sku.to_string(),
                        condition: l.condition.code().to_string(),
                        decision: l.decision.code().to_string(),
                        quantity: l.quantity.get(),
                    })
                    .collect(),
                inspector: inspector.clone(),
                at,
            });
            (Some(inspector), at)
        }
        ReturnEvent::ReturnRefunded {
            amount_minor,
            include_shipping,
            method,
            reference,
            policy,
            agent,
            refunded_total_minor,
            at,
            ..
        } => {
            view.refunds.push(ReturnRefundView {
                amount_minor,
                include_shipping,
                method,
                reference,
                policy: policy.code().to_string(),
                agent: agent.clone(),
                at,
            });
            view.refunded_minor = refunded_total_minor;
            view.shipping_refunded |= include_shipping;
            view.resolved_at.get_or_insert(at);
            (Some(agent), at)
        }
        ReturnEvent::ExchangeShipped {
            replacement_shipment_id,
            lines,
            agent,
            at,
            ..
        } => {
            view.exchange = Some(ExchangeView {
                replacement_shipment_id: replacement_shipment_id.to_string(),
                lines: lines
                    .into_iter()
                    .map(|l| UnitsView {
                        sku: l.sku.to_string(),
                        quantity: l.quantity.get(),
                    })
                    .collect(),
                agent: agent.clone(),
                at,
            });
            view.resolved_at.get_or_insert(at);
            (Some(agent), at)
        }
        ReturnEvent::SentForRepair { vendor, at } => {
            view.repair = Some(RepairView {
                vendor: vendor.clone(),
                stage: RepairStage::SentForRepair.code().into(),
                sent_at: at,
                completed_at: None,
                returned_at: None,
                shipment_id: None,
            });
            (Some(vendor), at)
        }
        ReturnEvent::RepairCompleted { at } => {
            let vendor = view.repair.as_mut().map(|repair| {
                repair.stage = RepairStage::Repaired.code().into();
                repair.completed_at = Some(at);
                repair.vendor.clone()
            });
            (vendor, at)
        }
        ReturnEvent::RepairedItemReturned { shipment_id, at } => {
            if let Some(repair) = view.repair.as_mut() {
                repair.stage = RepairStage::ReturnedToCustomer.code().into();
                repair.returned_at = Some(at);
                repair.shipment_id = Some(shipment_id.to_string());
            }
            view.resolved_at.get_or_insert(at);
            (None, at)
        }
        ReturnEvent::ReturnClosed { outcome, at } => {
            view.outcome = Some(outcome.code().to_string());
            view.closed_at = Some(at);
            (None, at)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use waybill_domain::returns::sample::sample_return_warehouse_id;
    use waybill_domain::returns::sample::{
        sample_day, sample_received_lines, sample_refund_return, sample_return_requested,
        SAMPLE_AGENT, SAMPLE_RETURN_VALUE_MINOR, SAMPLE_STAFF,
    };

    fn stored(sequence: i64, event: &ReturnEvent) -> StoredEvent {
        StoredEvent {
            position: sequence,
            tx_id: 0,
            event_id: format!("e{sequence}"),
            aggregate_type: "Return".into(),
            aggregate_id: "r-1".into(),
            sequence,
            event_type: event.name().into(),
            event_version: "1.0".into(),
            stored_version: "1.0".into(),
            payload: serde_json::to_value(event).expect("payload"),
            metadata: json!({"actor_key_id": "k1", "actor_role": "agent", "correlation_id": "c1"}),
            recorded_at: sample_day(20),
            hash: None,
        }
    }

    fn fold(events: &[ReturnEvent]) -> ReturnView {
        let mut doc = None;
        for (i, e) in events.iter().enumerate() {
            doc = apply(doc, &stored(i as i64 + 1, e)).expect("applies");
        }
        doc.expect("a document")
    }

    #[test]
    fn stages_follow_the_work() {
        let requested = sample_return_requested();
        let view = fold(std::slice::from_ref(&requested));
        assert_eq!(view.stage, ReturnStage::AwaitingReview);
        assert_eq!(view.status, "requested");
        assert_eq!(view.returned_units(), 2);

        let approved = ReturnEvent::ReturnApproved {
            agent: SAMPLE_AGENT.into(),
            note: None,
            at: sample_day(6),
        };
        let view = fold(&[requested.clone(), approved.clone()]);
        assert_eq!(view.stage, ReturnStage::AwaitingReceipt);
        assert_eq!(view.stage_since, sample_day(6));

        let mut received_lines = sample_received_lines();
        received_lines.truncate(1);
        let received = ReturnEvent::ReturnReceived {
            warehouse_id: sample_return_warehouse_id(),
            lines: received_lines,
            staff: SAMPLE_STAFF.into(),
            complete: false,
            at: sample_day(8),
        };
        let view = fold(&[requested.clone(), approved.clone(), received.clone()]);
        assert_eq!(view.stage, ReturnStage::AwaitingInspection);
        assert_eq!(view.status, "received");
        // The cup never arrived: only the tea counts as returned now.
        assert_eq!(view.returned_units(), 1);
        assert_eq!(view.lines[1].received_qty, Some(0));

        let refund = sample_refund_return();
        let refunded = ReturnEvent::ReturnRefunded {
            order_id: waybill_domain::order::sample::sample_order_id(),
            amount_minor: 12_800,
            include_shipping: false,
            method: refund.method,
            reference: refund.reference,
            policy: refund.policy,
            agent: SAMPLE_AGENT.into(),
            refunded_total_minor: 12_800,
            refundable_minor: SAMPLE_RETURN_VALUE_MINOR,
            at: sample_day(9),
        };
        let view = fold(&[requested, approved, received, refunded]);
        // Refunded, but the goods still wait for their restock/write-off decision.
        assert_eq!(view.status, "refunded");
        assert_eq!(view.stage, ReturnStage::AwaitingInspection);
        assert_eq!(view.resolved_at, Some(sample_day(9)));
        assert_eq!(view.timeline.len(), 4);
        assert_eq!(view.timeline[3].actor.as_deref(), Some(SAMPLE_AGENT));
        assert_eq!(view.timeline[3].actor_key_id.as_deref(), Some("k1"));
    }

    #[test]
    fn events_before_a_request_are_corrupt() {
        let approved = ReturnEvent::ReturnApproved {
            agent: SAMPLE_AGENT.into(),
            note: None,
            at: sample_day(6),
        };
        assert!(apply(None, &stored(1, &approved)).is_err());
    }

    #[test]
    fn stage_codes_round_trip() {
        for stage in ReturnStage::ALL {
            assert_eq!(ReturnStage::from_code(stage.code()), Some(stage));
            let json = serde_json::to_value(stage).expect("serialise");
            assert_eq!(json, json!(stage.code()));
        }
    }
}
