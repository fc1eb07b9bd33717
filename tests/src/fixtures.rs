//! GraphQL documents and inputs shared by the black-box tests.

use serde_json::{json, Value};

pub const PLACE: &str = "mutation($i: PlaceOrderInput!, $k: String) { placeOrder(input: $i, idempotencyKey: $k) { orderId streamVersion position replayed } }";

pub const ORDER: &str = "query($id: String!, $p: Int64) { order(id: $id, consistentWith: $p) { id status channel externalNumber customerId warehouseId version currency refundOwed openAnomalies shipmentReferences cancelReason payment { state authorised captured outstanding } totals { subtotal discount shippingFee grandTotal byPromotion { kind label amountOff } } lines { sku quantity unitPrice lineTotal fulfilledQuantity } } }";

/// A valid order input: 2 × 50.00 + 1 × 30.00, 8.00 shipping = 138.00 CNY.
pub fn order_input(channel: &str, external: &str, customer: &str) -> Value {
    json!({
        "channel": channel,
        "externalNumber": external,
        "customerId": customer,
        "currency": "CNY",
        "lines": [
            {"sku": "TEA-1", "name": "Longjing tea", "quantity": 2, "unitPrice": "5000"},
            {"sku": "CUP-1", "name": "Cup", "quantity": 1, "unitPrice": "3000"}
        ],
        "shippingAddress": {"recipient": "Li Lei", "phone": "13800000000", "country": "CN", "province": "Zhejiang",
                            "city": "Hangzhou", "street": "1 West Lake Rd", "coordinates": {"lat": 30.25, "lon": 120.16}},
        "delivery": {"mode": "EXPRESS"},
        "shippingFee": "800"
    })
}
