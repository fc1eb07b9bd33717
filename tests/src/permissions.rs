//! THE permission table: every root field of the GraphQL schema and the roles allowed to use
//! it. `tests/tests/authorization_sweep.rs` sends a request for every field here with every
//! role's key, over real HTTP (and the WebSocket for subscriptions), and fails when a role
//! outside a field's list is not refused with `FORBIDDEN`, when a listed role is, or when a
//! field of the schema has no entry. A new field therefore starts here.
//!
//! It restates, field by field, what `api/src/auth/role.rs` grants (and the README promises):
//! reads of orders, shipments, returns, the network and the event log are for everyone
//! (masking decides what each role sees); the CRM is closed to warehouse staff; auditors read
//! everything and write nothing; keys, sites and the fleet are the admin's.

/// Roles by name, separated by spaces; `everyone` = all five.
pub type Entry = (&'static str, &'static str);

pub const PERMISSIONS: &[Entry] = &[
    // Orders.
    ("Query.order", "everyone"),
    ("Query.orders", "everyone"),
    ("Mutation.placeOrder", "admin integrator"),
    ("Mutation.authorisePayment", "admin integrator"),
    ("Mutation.capturePayment", "admin integrator"),
    ("Mutation.failPayment", "admin integrator"),
    ("Mutation.cancelOrder", "admin integrator agent"),
    (
        "Mutation.changeOrderShippingAddress",
        "admin integrator agent",
    ),
    ("Mutation.changeOrderDelivery", "admin integrator agent"),
    ("Mutation.amendOrderLines", "admin integrator agent"),
    ("Mutation.completeOrder", "admin integrator agent"),
    ("Mutation.allocateOrder", "admin integrator warehouse"),
    ("Mutation.fulfilOrder", "admin integrator warehouse"),
    ("Mutation.markOrderDelivered", "admin integrator warehouse"),
    (
        "Mutation.flagOrderAnomaly",
        "admin integrator warehouse agent",
    ),
    ("Mutation.clearOrderAnomaly", "admin agent"),
    ("Subscription.orderUpdated", "everyone"),
    // The event log, history and tamper evidence.
    ("Query.events", "everyone"),
    ("Query.streamHistory", "everyone"),
    ("Query.correlatedEvents", "everyone"),
    ("Query.stateAsOf", "admin auditor"),
    ("Query.stateDiff", "admin auditor"),
    ("Query.auditVerify", "admin auditor"),
    ("Query.auditCheckpoint", "admin auditor"),
    ("Query.auditProve", "admin auditor"),
    // Keys, webhook secrets and operations.
    ("Query.apiKeys", "admin"),
    ("Mutation.createApiKey", "admin"),
    ("Mutation.revokeApiKey", "admin"),
    ("Mutation.rotateCarrierWebhookSecret", "admin"),
    ("Query.stuckProjections", "admin"),
    // CRM: customers and loyalty.
    ("Query.customer", "admin integrator agent auditor"),
    ("Query.customers", "admin integrator agent auditor"),
    ("Query.churnWatchlist", "admin integrator agent auditor"),
    ("Mutation.registerCustomer", "admin integrator agent"),
    ("Mutation.updateCustomerProfile", "admin integrator agent"),
    ("Mutation.grantConsent", "admin integrator agent"),
    ("Mutation.withdrawConsent", "admin integrator agent"),
    ("Mutation.recordInteraction", "admin integrator agent"),
    ("Mutation.changeTier", "admin agent"),
    ("Mutation.earnPoints", "admin agent"),
    ("Mutation.redeemPoints", "admin agent"),
    ("Mutation.recordReferral", "admin agent"),
    ("Mutation.addCustomerTag", "admin agent"),
    ("Mutation.removeCustomerTag", "admin agent"),
    ("Mutation.issueCoupon", "admin agent"),
    ("Mutation.recordCustomerNps", "admin integrator agent"),
    // CRM: service cases.
    ("Query.serviceKpis", "admin integrator agent auditor"),
    ("Query.serviceLevels", "admin integrator agent auditor"),
    ("Query.case", "admin integrator agent auditor"),
    ("Query.cases", "admin integrator agent auditor"),
    ("Mutation.openCase", "admin integrator agent"),
    ("Mutation.firstResponse", "admin agent"),
    ("Mutation.waitOnCustomer", "admin agent"),
    ("Mutation.customerReplied", "admin agent"),
    ("Mutation.escalateCase", "admin agent"),
    ("Mutation.resolveCase", "admin agent"),
    ("Mutation.reopenCase", "admin agent"),
    ("Mutation.closeCase", "admin agent"),
    ("Mutation.rateCaseSatisfaction", "admin integrator agent"),
    ("Mutation.recordCaseNps", "admin integrator agent"),
    // Sites, fleet and delivery routes.
    ("Query.sites", "everyone"),
    ("Query.vehicles", "everyone"),
    ("Query.deliveryStops", "everyone"),
    ("Query.routePlan", "everyone"),
    ("Query.route", "everyone"),
    ("Mutation.registerSite", "admin"),
    ("Mutation.updateSite", "admin"),
    ("Mutation.closeSite", "admin"),
    ("Mutation.registerVehicle", "admin"),
    ("Mutation.updateVehicle", "admin"),
    ("Mutation.retireVehicle", "admin"),
    ("Mutation.planRoutes", "admin warehouse"),
    ("Mutation.dispatchRoute", "admin warehouse"),
    ("Mutation.recordStopCompleted", "admin warehouse"),
    ("Mutation.recordStopFailed", "admin warehouse"),
    ("Mutation.closeRoute", "admin warehouse"),
    // Returns and refunds.
    ("Query.return", "everyone"),
    ("Query.returns", "everyone"),
    ("Query.returnQueues", "everyone"),
    ("Query.returnAnalytics", "everyone"),
    ("Mutation.requestReturn", "admin integrator agent"),
    ("Mutation.approveReturn", "admin agent"),
    ("Mutation.rejectReturn", "admin agent"),
    ("Mutation.issueReturnLabel", "admin integrator agent"),
    ("Mutation.arrangeReturnDropOff", "admin integrator agent"),
    ("Mutation.receiveReturn", "admin warehouse"),
    ("Mutation.inspectReturn", "admin warehouse"),
    ("Mutation.refundReturn", "admin integrator agent"),
    ("Mutation.exchangeReturn", "admin agent"),
    ("Mutation.sendReturnForRepair", "admin agent warehouse"),
    ("Mutation.completeReturnRepair", "admin agent warehouse"),
    ("Mutation.returnRepairedItem", "admin agent warehouse"),
    ("Mutation.closeReturn", "admin agent"),
    ("Mutation.recordRefund", "admin integrator agent"),
    // Shipments.
    ("Query.shipment", "everyone"),
    ("Query.shipments", "everyone"),
    ("Query.warehouseBoard", "everyone"),
    ("Query.carrierScorecard", "everyone"),
    ("Mutation.createShipment", "admin integrator warehouse"),
    ("Mutation.cancelShipment", "admin integrator warehouse"),
    ("Mutation.pickShipment", "admin warehouse"),
    ("Mutation.packShipment", "admin warehouse"),
    ("Mutation.handOverShipment", "admin warehouse"),
    ("Mutation.recordTrackingScans", "admin integrator"),
    ("Subscription.shipmentUpdated", "everyone"),
    ("Subscription.warehouseBoard", "everyone"),
];

/// The roles allowed to use `field` (`Query.x`, `Mutation.x`, `Subscription.x`), or None when
/// the table has no entry for it.
pub fn allowed(field: &str) -> Option<Vec<&'static str>> {
    const EVERYONE: [&str; 5] = ["admin", "integrator", "warehouse", "agent", "auditor"];
    let (_, roles) = PERMISSIONS.iter().find(|(f, _)| *f == field)?;
    Some(if *roles == "everyone" {
        EVERYONE.to_vec()
    } else {
        roles.split_whitespace().collect()
    })
}
