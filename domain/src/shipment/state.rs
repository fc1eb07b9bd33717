//! Shipment status, its progress ranking, and the state rebuilt from events.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::delivery::DeliveryMode;
use crate::ids::{OrderId, ReturnId, RouteId, ShipmentId, WarehouseId};
use crate::shipment::events::{ScanRecorded, ShipmentCreated, ShipmentEvent};
use crate::shipment::values::{
    tracking_key, Carrier, Direction, ExceptionKind, Parcel, ProofOfDelivery, ScanDetails,
    ScanStatus, ShipmentLine, StaffId, TrackingNumber,
};

coded_enum! {
    /// Where a shipment is. Warehouse actions drive the first three, carrier
    /// scans (or own-fleet dispatch) the rest, commands the last two.
    pub enum ShipmentStatus(field = "shipment_status") {
        LabelCreated => "label_created",
        Picked => "picked",
        Packed => "packed",
        HandedToCarrier => "handed_to_carrier",
        InTransit => "in_transit",
        OutForDelivery => "out_for_delivery",
        DeliveryAttemptFailed => "delivery_attempt_failed",
        AvailableForPickup => "available_for_pickup",
        Exception => "exception",
        Delivered => "delivered",
        ReturnedToSender => "returned_to_sender",
        Cancelled => "cancelled",
        Expired => "expired",
    }
}

impl ShipmentStatus {
    /// Terminal shipments take scans only as history and no other command.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Delivered | Self::ReturnedToSender | Self::Cancelled | Self::Expired
        )
    }

    /// Progress towards an outcome, used so a scan never moves a shipment
    /// backwards:
    ///
    /// | rank | statuses |
    /// |---|---|
    /// | 0 | label_created |
    /// | 1 | picked |
    /// | 2 | packed |
    /// | 3 | handed_to_carrier, in_transit |
    /// | 4 | out_for_delivery, delivery_attempt_failed, available_for_pickup |
    /// | 5 | delivered, returned_to_sender, cancelled, expired |
    /// | — | exception |
    ///
    /// The last-mile statuses share a rank because carriers cycle through
    /// them (attempt failed → out for delivery again → delivered). An
    /// exception has no rank: it interrupts whatever stage the parcel is in
    /// (customs mid-transit, refused at the door), and once resolved the
    /// parcel carries on from the stage it had reached.
    pub const fn rank(self) -> Option<u8> {
        match self {
            Self::LabelCreated => Some(0),
            Self::Picked => Some(1),
            Self::Packed => Some(2),
            Self::HandedToCarrier | Self::InTransit => Some(3),
            Self::OutForDelivery | Self::DeliveryAttemptFailed | Self::AvailableForPickup => {
                Some(4)
            }
            Self::Delivered | Self::ReturnedToSender | Self::Cancelled | Self::Expired => Some(5),
            Self::Exception => None,
        }
    }

    /// Whether reaching this status means the goods are with the carrier (or
    /// an own-fleet van). Exceptions do not say: carriers raise them on
    /// labels too (a bad address before pickup).
    pub const fn is_in_carrier_hands(self) -> bool {
        matches!(
            self,
            Self::HandedToCarrier
                | Self::InTransit
                | Self::OutForDelivery
                | Self::DeliveryAttemptFailed
                | Self::AvailableForPickup
                | Self::Delivered
                | Self::ReturnedToSender
        )
    }

    /// Whether a checkpoint moving to `self` keeps a shipment whose progress
    /// is `progress` from going backwards. Exceptions always may.
    pub const fn may_follow(self, progress: ShipmentStatus) -> bool {
        match (self.rank(), progress.rank()) {
            (Some(next), Some(reached)) => next >= reached,
            _ => true,
        }
    }
}

impl ScanStatus {
    /// The shipment status a checkpoint of this status moves to. A carrier's
    /// "info received" is its view of a label that exists.
    pub const fn shipment_status(self) -> ShipmentStatus {
        match self {
            Self::InfoReceived => ShipmentStatus::LabelCreated,
            Self::InTransit => ShipmentStatus::InTransit,
            Self::OutForDelivery => ShipmentStatus::OutForDelivery,
            Self::DeliveryAttemptFailed => ShipmentStatus::DeliveryAttemptFailed,
            Self::AvailableForPickup => ShipmentStatus::AvailableForPickup,
            Self::Delivered => ShipmentStatus::Delivered,
            Self::Exception => ShipmentStatus::Exception,
            Self::ReturnedToSender => ShipmentStatus::ReturnedToSender,
        }
    }
}

/// Who did a warehouse step, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAction {
    pub staff: StaffId,
    pub at: DateTime<Utc>,
}

/// Everything the aggregate knows about a created shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentState {
    pub shipment_id: ShipmentId,
    pub order_id: OrderId,
    pub direction: Direction,
    pub return_id: Option<ReturnId>,
    pub warehouse_id: WarehouseId,
    pub lines: Vec<ShipmentLine>,
    pub parcels: Vec<Parcel>,
    pub delivery: DeliveryMode,
    pub carrier: Carrier,
    pub tracking_number: Option<TrackingNumber>,
    pub destination: Address,
    pub promised_handover_by: Option<DateTime<Utc>>,
    pub promised_delivery_by: Option<DateTime<Utc>>,
    pub priority: u8,
    pub created_at: DateTime<Utc>,
    pub status: ShipmentStatus,
    /// The last status reached other than `exception`: what "never
    /// backwards" compares against, and what an exception interrupted.
    pub progress: ShipmentStatus,
    pub picked: Option<StaffAction>,
    pub packed: Option<StaffAction>,
    pub handed_over: Option<StaffAction>,
    pub route_id: Option<RouteId>,
    /// Dedupe keys of every checkpoint recorded, applied or not.
    pub seen_checkpoints: BTreeSet<String>,
    /// `occurred_at` of the latest applied checkpoint (or route dispatch).
    pub latest_checkpoint_at: Option<DateTime<Utc>>,
    /// Latest time anything happened, scans kept as history included: the
    /// expiry policy's "no news for N days" is measured from here.
    pub last_activity_at: DateTime<Utc>,
    pub failed_attempts: u32,
    /// Set while the status is `delivery_attempt_failed`.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Set while the status is `exception`.
    pub open_exception: Option<ExceptionKind>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub proof: Option<ProofOfDelivery>,
    /// First time the goods were known to be with the carrier: hand-over,
    /// a carrier-stage scan, or own-fleet dispatch.
    pub in_carrier_hands_since: Option<DateTime<Utc>>,
}

impl ShipmentState {
    pub(crate) fn from_created(created: ShipmentCreated) -> Self {
        Self {
            shipment_id: created.shipment_id,
            order_id: created.order_id,
            direction: created.direction,
            return_id: created.return_id,
            warehouse_id: created.warehouse_id,
            lines: created.lines,
            parcels: created.parcels,
            delivery: created.delivery,
            carrier: created.carrier,
            tracking_number: created.tracking_number,
            destination: created.destination,
            promised_handover_by: created.promised_handover_by,
            promised_delivery_by: created.promised_delivery_by,
            priority: created.priority,
            created_at: created.created_at,
            status: ShipmentStatus::LabelCreated,
            progress: ShipmentStatus::LabelCreated,
            picked: None,
            packed: None,
            handed_over: None,
            route_id: None,
            seen_checkpoints: BTreeSet::new(),
            latest_checkpoint_at: None,
            last_activity_at: created.created_at,
            failed_attempts: 0,
            next_attempt_at: None,
            open_exception: None,
            delivered_at: None,
            proof: None,
            in_carrier_hands_since: None,
        }
    }

    /// Folds a post-creation event in. Infallible by design: events are
    /// facts, and the decision that produced them already checked the rules.
    pub(crate) fn apply(&mut self, event: ShipmentEvent) {
        match event {
            // A stream holds a single creation; a stray second one is ignored.
            ShipmentEvent::ShipmentCreated(_) => {}
            ShipmentEvent::ShipmentPicked { staff, at } => {
                self.picked = Some(StaffAction { staff, at });
                self.move_to(ShipmentStatus::Picked, at);
            }
            ShipmentEvent::ShipmentPacked { staff, at, parcels } => {
                self.parcels = parcels;
                self.packed = Some(StaffAction { staff, at });
                self.move_to(ShipmentStatus::Packed, at);
            }
            ShipmentEvent::HandedToCarrier {
                staff,
                at,
                tracking_number,
                ..
            } => {
                self.tracking_number = tracking_number;
                self.handed_over = Some(StaffAction { staff, at });
                self.move_to(ShipmentStatus::HandedToCarrier, at);
            }
            ShipmentEvent::ScanRecorded(scan) => self.apply_scan(scan),
            ShipmentEvent::AssignedToRoute { route_id, at, .. } => {
                self.route_id = Some(route_id);
                self.touch(at);
            }
            ShipmentEvent::DispatchedOnRoute { at, .. } => {
                self.latest_checkpoint_at = self.latest_checkpoint_at.max(Some(at));
                self.move_to(ShipmentStatus::OutForDelivery, at);
            }
            ShipmentEvent::ShipmentCancelled { at, .. } => {
                self.move_to(ShipmentStatus::Cancelled, at);
            }
            ShipmentEvent::ShipmentExpired { at, .. } => {
                self.move_to(ShipmentStatus::Expired, at);
            }
        }
    }

    fn apply_scan(&mut self, scan: ScanRecorded) {
        self.seen_checkpoints.insert(scan.checkpoint_key);
        self.touch(scan.occurred_at);
        if !scan.applied {
            return;
        }
        self.latest_checkpoint_at = self.latest_checkpoint_at.max(Some(scan.occurred_at));
        self.move_to(scan.shipment_status, scan.occurred_at);
        match (scan.shipment_status, scan.details) {
            (ShipmentStatus::DeliveryAttemptFailed, details) => {
                self.failed_attempts = self.failed_attempts.saturating_add(1);
                if let Some(ScanDetails::AttemptFailed {
                    next_attempt_at, ..
                }) = details
                {
                    self.next_attempt_at = next_attempt_at;
                }
            }
            (ShipmentStatus::Exception, Some(ScanDetails::Exception { kind, .. })) => {
                self.open_exception = Some(kind);
            }
            (ShipmentStatus::Delivered, details) => {
                self.delivered_at = Some(scan.occurred_at);
                if let Some(ScanDetails::Delivered { proof }) = details {
                    self.proof = Some(proof);
                }
            }
            _ => {}
        }
    }

    /// Clears what only holds while in the previous status, so the state
    /// never shows a stale exception or retry time.
    fn move_to(&mut self, status: ShipmentStatus, at: DateTime<Utc>) {
        self.status = status;
        if status != ShipmentStatus::Exception {
            self.progress = status;
            self.open_exception = None;
        }
        self.next_attempt_at = None;
        if status.is_in_carrier_hands() && self.in_carrier_hands_since.is_none() {
            self.in_carrier_hands_since = Some(at);
        }
        self.touch(at);
    }

    fn touch(&mut self, at: DateTime<Utc>) {
        self.last_activity_at = self.last_activity_at.max(at);
    }

    /// Active shipments hold their tracking number: among them (per
    /// carrier) a number must be unique. See [`tracking_key`].
    pub fn is_active(&self) -> bool {
        !self.status.is_terminal()
    }

    /// Whether the goods have left Waybill's hands (carrier or own-fleet
    /// van); from then on the shipment can no longer be cancelled.
    pub fn is_handed_over(&self) -> bool {
        self.in_carrier_hands_since.is_some()
    }

    /// The key the API's tracking lookup indexes this shipment under.
    pub fn tracking_key(&self) -> Option<String> {
        self.tracking_number
            .as_ref()
            .map(|number| tracking_key(self.carrier, number))
    }

    pub fn total_weight_grams(&self) -> u64 {
        self.parcels
            .iter()
            .map(|parcel| u64::from(parcel.weight_grams()))
            .sum()
    }

    pub fn has_seen(&self, checkpoint_key: &str) -> bool {
        self.seen_checkpoints.contains(checkpoint_key)
    }
}
