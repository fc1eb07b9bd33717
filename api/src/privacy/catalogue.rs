//! Where personal data sits: every event type at every version, every aggregate's folded
//! state, and the read models whose JSON leaves the server. A path is dot-separated keys into
//! the JSON as stored (event payloads start with the variant name; states are the aggregate's own fields);
//! `*` stands for every element of an array or every value of an object.
//!
//! Every event type must be listed, with an empty list when it carries nothing personal; a
//! test fails on a missing or unknown one. What is deliberately *not* declared: free text
//! staff write about operations (anomaly notes, cancellation and rejection reasons, approval
//! notes, tags), identifiers (customer, staff and agent ids), cities, provinces and
//! districts on addresses, and sites' addresses (the business's own premises and desks).

use waybill_domain::case::{CASE_AGGREGATE_TYPE, CASE_EVENT_VERSION as CASE_V};
use waybill_domain::customer::{CUSTOMER_AGGREGATE_TYPE, CUSTOMER_EVENT_VERSION as CUSTOMER_V};
use waybill_domain::network::{SITE_AGGREGATE_TYPE, SITE_EVENT_VERSION as SITE_V};
use waybill_domain::network::{VEHICLE_AGGREGATE_TYPE, VEHICLE_EVENT_VERSION as VEHICLE_V};
use waybill_domain::order::{ORDER_AGGREGATE_TYPE, ORDER_EVENT_VERSION as ORDER_V};
use waybill_domain::returns::{RETURN_AGGREGATE_TYPE, RETURN_EVENT_VERSION as RETURN_V};
use waybill_domain::route::{ROUTE_AGGREGATE_TYPE, ROUTE_EVENT_VERSION as ROUTE_V};
use waybill_domain::shipment::{SHIPMENT_AGGREGATE_TYPE, SHIPMENT_EVENT_VERSION as SHIPMENT_V};

use super::rules::{PiiKind, PiiKind::*, Realm};

/// What sits at a declared path.
#[derive(Clone, Copy, Debug)]
pub enum Datum {
    Is(PiiKind),
    /// A record with several personal fields (an address, a profile, a proof of delivery);
    /// its other fields stay as they are.
    Record(&'static [(&'static str, PiiKind)]),
    /// `{tag: "phone", value: …}`: the kind of `value` depends on `tag`; `None` means that tag
    /// is not personal, and a tag the table does not know is treated as free text.
    Tagged {
        tag: &'static str,
        value: &'static str,
        kinds: &'static [(&'static str, Option<PiiKind>)],
    },
}

/// One declared path.
#[derive(Clone, Copy, Debug)]
pub struct Pii {
    pub path: &'static str,
    pub datum: Datum,
}

const fn pii(path: &'static str, datum: Datum) -> Pii {
    Pii { path, datum }
}

/// `waybill_domain::Address` (shipping addresses, shipment destinations).
pub const ADDRESS: Datum = Datum::Record(&[
    ("recipient", Name),
    ("phone", Phone),
    ("street", Street),
    ("postal_code", PostalCode),
    ("coordinates", Coordinates),
]);

/// `waybill_domain::customer::Profile`.
pub const PROFILE: Datum = Datum::Record(&[
    ("name", Name),
    ("phone", Phone),
    ("email", Email),
    ("birthday", Birthday),
    ("city", City),
]);

/// `waybill_domain::customer::ProfileChange`, serialised `{field, value}`.
pub const PROFILE_CHANGE: Datum = Datum::Tagged {
    tag: "field",
    value: "value",
    kinds: &[
        ("name", Some(Name)),
        ("phone", Some(Phone)),
        ("email", Some(Email)),
        ("birthday", Some(Birthday)),
        ("city", Some(City)),
        ("preferred_contact", None),
    ],
};

/// `waybill_domain::shipment::ProofOfDelivery`.
pub const PROOF: Datum = Datum::Record(&[("signed_by", Name), ("coordinates", Coordinates)]);

const NOTHING: &[Pii] = &[];

/// The declarations for one event type at one version.
#[derive(Clone, Copy, Debug)]
pub struct EventPii {
    pub stream_type: &'static str,
    pub event_type: &'static str,
    pub version: &'static str,
    pub fields: &'static [Pii],
}

const fn event(
    stream_type: &'static str,
    event_type: &'static str,
    version: &'static str,
    fields: &'static [Pii],
) -> EventPii {
    EventPii {
        stream_type,
        event_type,
        version,
        fields,
    }
}

const O: &str = ORDER_AGGREGATE_TYPE;
const S: &str = SHIPMENT_AGGREGATE_TYPE;
const RT: &str = ROUTE_AGGREGATE_TYPE;
const R: &str = RETURN_AGGREGATE_TYPE;
const C: &str = CUSTOMER_AGGREGATE_TYPE;
const K: &str = CASE_AGGREGATE_TYPE;

pub const EVENTS: &[EventPii] = &[
    // Orders: the shipping address is the only personal datum (amendment reasons are
    // operational text, like cancellation reasons).
    event(
        O,
        "OrderPlaced",
        "1.0",
        &[pii("OrderPlaced.shipping_address", ADDRESS)],
    ),
    event(
        O,
        "OrderPlaced",
        waybill_domain::order::ORDER_PLACED_VERSION,
        &[pii("OrderPlaced.shipping_address", ADDRESS)],
    ),
    event(
        O,
        "ShippingAddressChanged",
        ORDER_V,
        &[pii("ShippingAddressChanged.shipping_address", ADDRESS)],
    ),
    event(O, "DeliveryChanged", ORDER_V, NOTHING),
    event(O, "OrderLinesAmended", ORDER_V, NOTHING),
    event(O, "PaymentAuthorised", ORDER_V, NOTHING),
    event(O, "PaymentCaptured", ORDER_V, NOTHING),
    event(O, "PaymentFailed", ORDER_V, NOTHING),
    event(O, "OrderCancelled", ORDER_V, NOTHING),
    event(O, "OrderAllocated", ORDER_V, NOTHING),
    event(O, "LinesFulfilled", "1.0", NOTHING),
    event(
        O,
        "LinesFulfilled",
        waybill_domain::order::LINES_FULFILLED_VERSION,
        NOTHING,
    ),
    event(O, "OrderDelivered", ORDER_V, NOTHING),
    event(O, "OrderCompleted", ORDER_V, NOTHING),
    event(O, "AnomalyFlagged", ORDER_V, NOTHING),
    event(O, "AnomalyCleared", ORDER_V, NOTHING),
    event(O, "RefundRecorded", ORDER_V, NOTHING),
    // Shipments: the destination, and what carriers report at the door.
    event(
        S,
        "ShipmentCreated",
        SHIPMENT_V,
        &[pii("ShipmentCreated.destination", ADDRESS)],
    ),
    event(S, "ShipmentPicked", SHIPMENT_V, NOTHING),
    event(S, "ShipmentPacked", SHIPMENT_V, NOTHING),
    event(S, "HandedToCarrier", SHIPMENT_V, NOTHING),
    event(
        S,
        "ScanRecorded",
        SHIPMENT_V,
        &[
            pii("ScanRecorded.coordinates", Datum::Is(Coordinates)),
            pii("ScanRecorded.details.proof", PROOF),
            pii("ScanRecorded.details.reason", Datum::Is(FreeText)),
            pii("ScanRecorded.details.note", Datum::Is(FreeText)),
        ],
    ),
    event(S, "AssignedToRoute", SHIPMENT_V, NOTHING),
    event(S, "DispatchedOnRoute", SHIPMENT_V, NOTHING),
    event(S, "ShipmentCancelled", SHIPMENT_V, NOTHING),
    event(S, "ShipmentExpired", SHIPMENT_V, NOTHING),
    // Routes: plans name shipments only; drivers report proofs and failures at the door.
    event(RT, "RoutePlanned", ROUTE_V, NOTHING),
    event(RT, "RouteReplanned", ROUTE_V, NOTHING),
    event(RT, "RouteDispatched", ROUTE_V, NOTHING),
    event(
        RT,
        "StopCompleted",
        ROUTE_V,
        &[pii("StopCompleted.proof", PROOF)],
    ),
    event(
        RT,
        "StopFailed",
        ROUTE_V,
        &[pii("StopFailed.reason", Datum::Is(FreeText))],
    ),
    event(RT, "RouteClosed", ROUTE_V, NOTHING),
    // Returns carry order facts, SKUs and staff ids, and no personal data of their own.
    event(R, "ReturnRequested", "1.0", NOTHING),
    event(
        R,
        "ReturnRequested",
        waybill_domain::returns::RETURN_REQUESTED_VERSION,
        NOTHING,
    ),
    event(R, "ReturnApproved", RETURN_V, NOTHING),
    event(R, "ReturnRejected", RETURN_V, NOTHING),
    event(R, "ReturnLabelIssued", RETURN_V, NOTHING),
    event(R, "DropOffArranged", RETURN_V, NOTHING),
    event(R, "ReturnReceived", RETURN_V, NOTHING),
    event(R, "ReturnInspected", RETURN_V, NOTHING),
    event(R, "ReturnRefunded", RETURN_V, NOTHING),
    event(R, "ExchangeShipped", RETURN_V, NOTHING),
    event(R, "SentForRepair", RETURN_V, NOTHING),
    event(R, "RepairCompleted", RETURN_V, NOTHING),
    event(R, "RepairedItemReturned", RETURN_V, NOTHING),
    event(R, "ReturnClosed", RETURN_V, NOTHING),
    // Customers: the profile, its changes, and what customers said.
    event(
        C,
        "CustomerRegistered",
        CUSTOMER_V,
        &[pii("CustomerRegistered.profile", PROFILE)],
    ),
    event(
        C,
        "ProfileChanged",
        CUSTOMER_V,
        &[pii("ProfileChanged.changes.*", PROFILE_CHANGE)],
    ),
    event(C, "ConsentGranted", CUSTOMER_V, NOTHING),
    event(C, "ConsentWithdrawn", CUSTOMER_V, NOTHING),
    event(C, "TierChanged", CUSTOMER_V, NOTHING),
    event(C, "PointsEarned", CUSTOMER_V, NOTHING),
    event(C, "PointsRedeemed", CUSTOMER_V, NOTHING),
    event(C, "ReferralRecorded", CUSTOMER_V, NOTHING),
    event(C, "TagAdded", CUSTOMER_V, NOTHING),
    event(C, "TagRemoved", CUSTOMER_V, NOTHING),
    event(C, "CouponIssued", CUSTOMER_V, NOTHING),
    event(
        C,
        "InteractionRecorded",
        CUSTOMER_V,
        &[
            pii("InteractionRecorded.topic", Datum::Is(FreeText)),
            pii("InteractionRecorded.summary", Datum::Is(FreeText)),
        ],
    ),
    event(
        C,
        "NpsRecorded",
        CUSTOMER_V,
        &[pii("NpsRecorded.comment", Datum::Is(FreeText))],
    ),
    // Cases: what the customer's problem is, in the words of customer and agents.
    event(
        K,
        "CaseOpened",
        CASE_V,
        &[pii("CaseOpened.subject", Datum::Is(FreeText))],
    ),
    event(K, "FirstResponded", CASE_V, NOTHING),
    event(K, "WaitingOnCustomer", CASE_V, NOTHING),
    event(K, "CustomerReplied", CASE_V, NOTHING),
    event(
        K,
        "CaseEscalated",
        CASE_V,
        &[pii("CaseEscalated.reason", Datum::Is(FreeText))],
    ),
    event(
        K,
        "CaseResolved",
        CASE_V,
        &[pii("CaseResolved.resolution", Datum::Is(FreeText))],
    ),
    event(
        K,
        "CaseReopened",
        CASE_V,
        &[pii("CaseReopened.reason", Datum::Is(FreeText))],
    ),
    event(K, "CaseClosed", CASE_V, NOTHING),
    event(
        K,
        "SatisfactionRated",
        CASE_V,
        &[pii("SatisfactionRated.comment", Datum::Is(FreeText))],
    ),
    event(
        K,
        "NpsRecorded",
        CASE_V,
        &[pii("NpsRecorded.comment", Datum::Is(FreeText))],
    ),
    event(K, "SlaClockStarted", CASE_V, NOTHING),
    event(K, "SlaClockPaused", CASE_V, NOTHING),
    event(K, "SlaClockResumed", CASE_V, NOTHING),
    event(K, "SlaClockFulfilled", CASE_V, NOTHING),
    event(K, "SlaClockBreached", CASE_V, NOTHING),
    // Sites and vehicles: the business's own premises and fleet.
    event(SITE_AGGREGATE_TYPE, "SiteRegistered", SITE_V, NOTHING),
    event(SITE_AGGREGATE_TYPE, "SiteUpdated", SITE_V, NOTHING),
    event(SITE_AGGREGATE_TYPE, "SiteClosed", SITE_V, NOTHING),
    event(
        VEHICLE_AGGREGATE_TYPE,
        "VehicleRegistered",
        VEHICLE_V,
        NOTHING,
    ),
    event(VEHICLE_AGGREGATE_TYPE, "VehicleUpdated", VEHICLE_V, NOTHING),
    event(VEHICLE_AGGREGATE_TYPE, "VehicleRetired", VEHICLE_V, NOTHING),
];

/// One aggregate type: its realm, and where its folded state (time travel) keeps personal
/// data. States are shown unwrapped (`{"status": …}`, not `{"state": {…}}`).
#[derive(Clone, Copy, Debug)]
pub struct StreamPii {
    pub stream_type: &'static str,
    pub realm: Realm,
    pub state: &'static [Pii],
}

pub const STREAMS: &[StreamPii] = &[
    StreamPii {
        stream_type: O,
        realm: Realm::Delivery,
        // The order's state keeps no address: that lives in the events and the read model.
        state: NOTHING,
    },
    StreamPii {
        stream_type: S,
        realm: Realm::Delivery,
        state: &[pii("destination", ADDRESS), pii("proof", PROOF)],
    },
    StreamPii {
        stream_type: RT,
        realm: Realm::Delivery,
        state: NOTHING,
    },
    StreamPii {
        stream_type: R,
        realm: Realm::Delivery,
        state: NOTHING,
    },
    StreamPii {
        stream_type: C,
        realm: Realm::Crm,
        state: &[pii("profile", PROFILE)],
    },
    StreamPii {
        stream_type: K,
        realm: Realm::Crm,
        state: &[pii("subject", Datum::Is(FreeText))],
    },
    StreamPii {
        stream_type: SITE_AGGREGATE_TYPE,
        realm: Realm::Network,
        state: NOTHING,
    },
    StreamPii {
        stream_type: VEHICLE_AGGREGATE_TYPE,
        realm: Realm::Network,
        state: NOTHING,
    },
];

/// Read models whose documents reach clients as JSON (through the GraphQL types built from
/// them). The CRM's typed profile fields go through the same rules field by field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadModel {
    /// `waybill_projections::orders::OrderView`.
    Order,
    /// `waybill_projections::shipments::ShipmentView`.
    Shipment,
    /// `waybill_projections::routing::DeliveryStopView`.
    DeliveryStop,
}

impl ReadModel {
    pub const ALL: [ReadModel; 3] = [
        ReadModel::Order,
        ReadModel::Shipment,
        ReadModel::DeliveryStop,
    ];

    pub fn realm(self) -> Realm {
        Realm::Delivery
    }

    pub fn fields(self) -> &'static [Pii] {
        match self {
            ReadModel::Order => ORDER_VIEW,
            ReadModel::Shipment => SHIPMENT_VIEW,
            ReadModel::DeliveryStop => DELIVERY_STOP_VIEW,
        }
    }
}

const ORDER_VIEW: &[Pii] = &[pii("shipping_address", ADDRESS)];
const SHIPMENT_VIEW: &[Pii] = &[
    pii("destination", ADDRESS),
    pii("checkpoints.*.details.proof", PROOF),
    pii("checkpoints.*.details.reason", Datum::Is(FreeText)),
    pii("checkpoints.*.details.note", Datum::Is(FreeText)),
];
const DELIVERY_STOP_VIEW: &[Pii] = &[
    pii("lat", Datum::Is(Coordinates)),
    pii("lon", Datum::Is(Coordinates)),
];

pub fn event_pii(stream_type: &str, event_type: &str, version: &str) -> Option<&'static EventPii> {
    EVENTS.iter().find(|e| {
        e.stream_type == stream_type && e.event_type == event_type && e.version == version
    })
}

pub fn stream_pii(stream_type: &str) -> Option<&'static StreamPii> {
    STREAMS.iter().find(|s| s.stream_type == stream_type)
}
