//! The return read model: one document per return (RMA), folded from its events.
//!
//! Status follows the domain's `ReturnState::status` precedence; the *stage* is the work
//! queue a return is waiting in (review, receipt, inspection, resolution), which is what the
//! per-warehouse queue and its ages are built on.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use waybill_domain::returns::{RepairStage, ReturnEvent, ReturnRequested, ReturnStatus};

use crate::log::StoredEvent;
use crate::projection::ProjectionError;

/// Which queue a return is waiting in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStage {
    /// Requested, no agent has approved or rejected it yet.
    AwaitingReview,
    /// Approved; the goods are on their way back (or not sent yet).
    AwaitingReceipt,
    /// Received at a warehouse, no restock/write-off decision yet.
    AwaitingInspection,
    /// Goods in hand (or out for repair); no refund, exchange or repaired item back yet.
    AwaitingResolution,
    /// Refunded, exchanged or repaired; waiting to be closed.
    Resolved,
    Rejected,
    Closed,
}

impl ReturnStage {
    pub const ALL: [ReturnStage; 7] = [
        ReturnStage::AwaitingReview,
        ReturnStage::AwaitingReceipt,
        ReturnStage::AwaitingInspection,
        ReturnStage::AwaitingResolution,
        ReturnStage::Resolved,
        ReturnStage::Rejected,
        ReturnStage::Closed,
    ];

    /// The stages the warehouse queues show.
    pub const QUEUED: [ReturnStage; 3] = [
        ReturnStage::AwaitingReceipt,
        ReturnStage::AwaitingInspection,
        ReturnStage::AwaitingResolution,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            ReturnStage::AwaitingReview => "awaiting_review",
            ReturnStage::AwaitingReceipt => "awaiting_receipt",
            ReturnStage::AwaitingInspection => "awaiting_inspection",
            ReturnStage::AwaitingResolution => "awaiting_resolution",
            ReturnStage::Resolved => "resolved",
            ReturnStage::Rejected => "rejected",
            ReturnStage::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<ReturnStage> {
        ReturnStage::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// One returned SKU: what was asked for, what arrived, what inspection decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineView {
    pub sku: String,
    /// Requested units.
    pub quantity: u32,
    /// Paid unit price in minor units.
    pub unit_price_minor: i64,
    /// `None` until the parcel is counted; then what arrived (0 when missing).
    pub received_qty: Option<u32>,
    pub damaged_qty: u32,
    pub restocked_qty: u32,
    pub written_off_qty: u32,
    /// Units coming back: requested until received, then received. Analytics sum this.
    pub returned_qty: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    /// `approved` or `rejected`.
    pub decision: String,
    pub agent: String,
    /// The approval note or the rejection reason.
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// How the goods travel back: the latest arrangement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogisticsView {
    /// `label` or `drop_off`.
    pub kind: String,
    pub reverse_shipment_id: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub pickup_point_id: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub warehouse_id: String,
    pub staff: String,
    /// Every requested unit arrived.
    pub complete: bool,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectedLineView {
    pub sku: String,
    pub condition: String,
    /// `restock` or `write_off`.
    pub decision: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionView {
    pub warehouse_id: String,
    pub lines: Vec<InspectedLineView>,
    pub inspector: String,
    pub at: DateTime<Utc>,
}

/// A refund paid for this return; the same reference is on the order's refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRefundView {
    pub amount_minor: i64,
    pub include_shipping: bool,
    pub method: String,
    pub reference: String,
    /// `after_receipt` or `before_receipt`.
    pub policy: String,
    pub agent: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitsView {
    pub sku: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeView {
    pub replacement_shipment_id: String,
    pub lines: Vec<UnitsView>,
    pub agent: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairView {
    pub vendor: String,
    /// `sent_for_repair`, `repaired` or `returned_to_customer`.
    pub stage: String,
    pub sent_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    /// The shipment taking the repaired item back to the customer.
    pub shipment_id: Option<String>,
}

/// One step in the return's life: what happened, who did it, when, under which request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnStep {
    pub sequence: i64,
    pub event_type: String,
    /// The person named in the event (agent, staff, inspector, repair vendor), if any.
    pub actor: Option<String>,
    /// The API key that wrote the event, and its role (from the event metadata).
    pub actor_key_id: Option<String>,
    pub actor_role: Option<String>,
    pub correlation_id: Option<String>,
    /// Business time carried by the event.
    pub at: DateTime<Utc>,
    /// When the event was stored.
    pub recorded_at: DateTime<Utc>,
}

/// What return lists, the return page and the queues show. Money is integer minor units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReturnView {
    pub return_id: String,
    pub order_id: String,
    pub channel: String,
    pub reason: String,
    pub requested_resolution: String,
    pub photo_refs: Vec<String>,
    pub lines: Vec<ReturnLineView>,
    /// Value of the requested lines at the paid prices.
    pub return_value_minor: i64,
    /// The order's shipping fee, refundable on top when an agent says so.
    pub shipping_fee_minor: i64,
    /// The order's money when the return was requested.
    pub order_captured_minor: i64,
    pub order_refunded_minor: i64,
    pub delivered_at: DateTime<Utc>,
    pub window_days: u32,
    pub window_closes_at: Option<DateTime<Utc>>,
    /// A `ReturnStatus` code.
    pub status: String,
    pub stage: ReturnStage,
    /// When the return entered its current stage (business time).
    pub stage_since: DateTime<Utc>,
    pub review: Option<ReviewView>,
    pub logistics: Option<LogisticsView>,
    pub receipt: Option<ReceiptView>,
    pub inspection: Option<InspectionView>,
    pub refunds: Vec<ReturnRefundView>,
    pub refunded_minor: i64,
    pub shipping_refunded: bool,
    pub exchange: Option<ExchangeView>,
    pub repair: Option<RepairView>,
    /// How the closed return ended (`ReturnOutcome` code).
    pub outcome: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// First refund, shipped exchange or repaired item back with the customer.
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub timeline: Vec<ReturnStep>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl ReturnView {
    /// Units coming back over all lines.
    pub fn returned_units(&self) -> u32 {
        self.lines
            .iter()
            .map(|l| l.returned_qty)
            .fold(0, u32::saturating_add)
    }

    /// The resolution an agent has started (`refund`, `exchange`, `repair`), if any.
    pub fn resolution(&self) -> Option<&'static str> {
        if self.refunded_minor > 0 {
            Some("refund")
        } else if self.exchange.is_some() {
            Some("exchange")
        } else if self.repair.is_some() {
            Some("repair")
        } else {
            None
        }
    }

    /// The reverse shipment's carrier, when a label was issued.
    pub fn carrier(&self) -> Option<&str> {
        self.logistics.as_ref().and_then(|l| l.carrier.as_deref())
    }

    fn rejected(&self) -> bool {
        self.review
            .as_ref()
            .is_some_and(|r| r.decision == "rejected")
    }

    fn repair_stage(&self) -> Option<&str> {
        self.repair.as_ref().map(|r| r.stage.as_str())
    }

    /// Mirrors `ReturnState::status` so the read model and the aggregate agree.
    fn compute_status(&self) -> ReturnStatus {
        if self.closed_at.is_some() {
            return ReturnStatus::Closed;
        }
        if self.rejected() {
            return ReturnStatus::Rejected;
        }
        if self.review.is_none() {
            return ReturnStatus::Requested;
        }
        match self.repair_stage() {
            Some(s) if s == RepairStage::ReturnedToCustomer.code() => ReturnStatus::RepairReturned,
            Some(s) if s == RepairStage::Repaired.code() => ReturnStatus::Repaired,
            Some(_) => ReturnStatus::InRepair,
            None if self.exchange.is_some() => ReturnStatus::ExchangeShipped,
            None if self.refunded_minor > 0 => ReturnStatus::Refunded,
            None if self.inspection.is_some() => ReturnStatus::Inspected,
            None if self.receipt.is_some() => ReturnStatus::Received,
            None => ReturnStatus::Approved,
        }
    }

    /// The work queue: goods expected → goods to inspect → a resolution to give → closing.
    /// Received goods wait for inspection even when the money already went out (refund
    /// before receipt), because the restock/write-off decision is still owed.
    fn compute_stage(&self) -> ReturnStage {
        if self.closed_at.is_some() {
            ReturnStage::Closed
        } else if self.rejected() {
            ReturnStage::Rejected
        } else if self.review.is_none() {
            ReturnStage::AwaitingReview
        } else if self.receipt.is_none() {
            ReturnStage::AwaitingReceipt
        } else if self.inspection.is_none() && self.repair.is_none() {
            ReturnStage::AwaitingInspection
        } else if self.resolved_at.is_some() {
            ReturnStage::Resolved
        } else {
            ReturnStage::AwaitingResolution
        }
    }
}

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
