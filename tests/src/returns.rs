//! Helpers the after-sales (returns) test files share: documents, the standard delivered
//! order, return inputs, the roles' keys and the error probe.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use waybill_api::auth::Role;

use crate::fixtures::{order_input, PLACE};
use crate::{wide, TestApp};

pub const CAPTURE: &str = "mutation($id: String!, $a: MinorUnits!) { capturePayment(orderId: $id, method: \"alipay\", reference: \"CAP-1\", amount: $a) { position } }";
pub const ALLOCATE: &str = "mutation($id: String!, $w: String!) { allocateOrder(orderId: $id, warehouseId: $w) { position } }";
pub const FULFIL_ALL: &str = "mutation($id: String!) { fulfilOrder(orderId: $id, shipmentReference: \"SHP-1\", lines: [{sku: \"TEA-1\", quantity: 2}, {sku: \"CUP-1\", quantity: 1}]) { position } }";
pub const DELIVER: &str = "mutation($id: String!, $at: DateTime) { markOrderDelivered(orderId: $id, deliveredAt: $at) { position } }";

pub const REQUEST: &str = "mutation($i: RequestReturnInput!, $k: String) { requestReturn(input: $i, idempotencyKey: $k) { returnId streamVersion position replayed } }";
pub const APPROVE: &str = "mutation($id: String!, $at: DateTime) { approveReturn(returnId: $id, note: \"photos show the damage\", agent: \"agent-wang\", at: $at) { returnId position } }";
pub const REJECT: &str = "mutation($id: String!, $at: DateTime) { rejectReturn(returnId: $id, reason: \"used goods\", agent: \"agent-wang\", at: $at) { position } }";
pub const LABEL: &str = "mutation($id: String!, $c: String!, $t: String!, $at: DateTime) { issueReturnLabel(returnId: $id, carrier: $c, trackingNumber: $t, at: $at) { position } }";
pub const DROP_OFF: &str = "mutation($id: String!) { arrangeReturnDropOff(returnId: $id, pickupPointId: \"cainiao-hz-0042\") { position } }";
pub const RECEIVE: &str = "mutation($id: String!, $w: String!, $l: [ReceivedLineInput!]!, $at: DateTime) { receiveReturn(returnId: $id, warehouseId: $w, lines: $l, staff: \"staff-zhao\", at: $at) { position } }";
pub const INSPECT: &str = "mutation($id: String!, $l: [InspectedLineInput!]!, $at: DateTime) { inspectReturn(returnId: $id, lines: $l, inspector: \"qc-li\", at: $at) { position } }";
pub const REFUND: &str = "mutation($id: String!, $i: RefundReturnInput!, $k: String) { refundReturn(returnId: $id, input: $i, idempotencyKey: $k) { returnId streamVersion position replayed orderVersion orderPosition } }";
pub const EXCHANGE: &str = "mutation($id: String!) { exchangeReturn(returnId: $id, lines: [{sku: \"TEA-1\", quantity: 1}]) { position } }";
pub const CLOSE: &str = "mutation($id: String!, $at: DateTime) { closeReturn(returnId: $id, at: $at) { position return { status outcome stage closedAt } } }";
pub const RECORD_REFUND: &str = "mutation($id: String!, $a: MinorUnits!, $r: String!, $at: DateTime) { recordRefund(orderId: $id, amount: $a, method: \"alipay\", reference: $r, reason: \"goodwill\", at: $at) { streamVersion position } }";

pub const RETURN: &str = "query($id: String!, $p: Int64) { return(id: $id, consistentWith: $p) { id orderId channel reason requestedResolution status stage stageSince warehouseId photoRefs returnValue shippingFee windowDays refunded shippingRefunded resolution outcome requestedAt resolvedAt closedAt version ageSeconds inStageSeconds lines { sku quantity unitPrice receivedQuantity damagedQuantity restockedQuantity writtenOffQuantity returnedQuantity } review { decision agent note } logistics { kind reverseShipmentId carrier trackingNumber pickupPointId } receipt { warehouseId staff complete } inspection { warehouseId inspector lines { sku condition decision quantity } } refunds { amount includeShipping method reference policy agent } exchange { replacementShipmentId lines { sku quantity } } repair { vendor stage shipmentId } timeline { eventType actor actorKeyId actorRole correlationId } order { id status } } }";
pub const ORDER: &str = "query($id: String!, $p: Int64) { order(id: $id, consistentWith: $p) { id status shipmentReferences payment { captured refunded netPaid outstanding } refunds { amount method reference returnId } returns { id status } } }";

/// The first (only) field of a mutation's data.
pub fn first(data: &Value) -> Value {
    data.as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .unwrap_or(Value::Null)
}

pub fn pos(v: &Value) -> i64 {
    wide(&v["position"])
}

pub fn id_of(v: &Value) -> String {
    v["returnId"]
        .as_str()
        .unwrap_or_else(|| panic!("no returnId in {v}"))
        .to_string()
}

pub fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .with_timezone(&Utc)
}

pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

pub async fn step(app: &TestApp, token: &str, query: &str, vars: Value) -> Value {
    first(&app.gql_as(token, query, vars).await)
}

/// The first error's code and reason, for a request that must fail.
pub async fn refused(
    app: &TestApp,
    token: &str,
    query: &str,
    vars: Value,
) -> (String, Option<String>) {
    let (_, body) = app.gql_raw(Some(token), query, vars).await;
    let ext = &body["errors"][0]["extensions"];
    let code = ext["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error, got {body}"))
        .to_string();
    (code, ext["reason"].as_str().map(String::from))
}

pub async fn return_at(app: &TestApp, token: &str, id: &str, position: i64) -> Value {
    app.gql_as(token, RETURN, json!({"id": id, "p": position}))
        .await["return"]
        .clone()
}

pub async fn order_at(app: &TestApp, token: &str, id: &str, position: i64) -> Value {
    app.gql_as(token, ORDER, json!({"id": id, "p": position}))
        .await["order"]
        .clone()
}

/// Places 2 × TEA-1 (50.00) + 1 × CUP-1 (30.00) + 8.00 shipping, captures `capture`,
/// allocates to `warehouse`, ships everything and, with `delivered_at`, delivers it.
pub async fn order(
    app: &TestApp,
    channel: &str,
    external: &str,
    warehouse: &str,
    placed_at: Option<&str>,
    delivered_at: Option<&str>,
) -> String {
    order_with(
        app,
        order_input(channel, external, "cust-r"),
        warehouse,
        13_800,
        placed_at,
        delivered_at,
    )
    .await
}

pub async fn order_with(
    app: &TestApp,
    mut input: Value,
    warehouse: &str,
    capture: i64,
    placed_at: Option<&str>,
    delivered_at: Option<&str>,
) -> String {
    if let Some(at) = placed_at {
        input["placedAt"] = json!(at);
    }
    let placed = step(app, &app.admin, PLACE, json!({"i": input})).await;
    let id = placed["orderId"].as_str().unwrap().to_string();
    app.gql(CAPTURE, json!({"id": id, "a": capture})).await;
    app.gql(ALLOCATE, json!({"id": id, "w": warehouse})).await;
    app.gql(FULFIL_ALL, json!({"id": id})).await;
    if let Some(at) = delivered_at {
        app.gql(DELIVER, json!({"id": id, "at": at})).await;
    }
    id
}

pub fn request_input(order_id: &str, lines: Value, reason: &str, resolution: &str) -> Value {
    json!({
        "orderId": order_id,
        "lines": lines,
        "reason": reason,
        "requestedResolution": resolution,
        "photoRefs": ["returns/photos/r1.jpg"]
    })
}

pub async fn request(app: &TestApp, token: &str, input: Value) -> Value {
    step(app, token, REQUEST, json!({"i": input})).await
}

pub struct Keys {
    pub agent: String,
    pub agent2: String,
    pub warehouse: String,
    pub auditor: String,
    pub integrator: String,
}

/// Return labels send goods back to the order's warehouse, which must be a registered site.
pub async fn register_warehouses(app: &TestApp) {
    for id in ["WH-HZ", "WH-SH"] {
        app.gql(
            "mutation($id: String!) { registerSite(id: $id, kind: WAREHOUSE, details: {name: \"Returns desk\", address: {recipient: \"Returns desk\", phone: \"+86 571 0000\", country: \"CN\", province: \"Zhejiang\", city: \"Hangzhou\", street: \"1 Dock Road\"}}) { position } }",
            json!({"id": id}),
        )
        .await;
    }
}

pub async fn keys(app: &TestApp) -> Keys {
    register_warehouses(app).await;
    Keys {
        agent: app.key(Role::Agent).await,
        agent2: app.key(Role::Agent).await,
        warehouse: app.key(Role::Warehouse).await,
        auditor: app.key(Role::Auditor).await,
        integrator: app.key(Role::Integrator).await,
    }
}

/// GraphQL with an X-Correlation-Id header; returns `data`.
pub async fn gql_correlated(
    app: &TestApp,
    token: &str,
    correlation: &str,
    query: &str,
    vars: Value,
) -> Value {
    let body: Value = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .header("x-correlation-id", correlation)
        .json(&json!({"query": query, "variables": vars}))
        .send()
        .await
        .expect("HTTP request")
        .json()
        .await
        .expect("JSON body");
    assert!(body.get("errors").is_none(), "GraphQL failed: {body}");
    body["data"].clone()
}
