//! Inputs for shipment mutations, parsed once into domain commands.

use async_graphql::{InputObject, Json};
use chrono::{DateTime, Utc};
use serde_json::json;
use waybill_domain::ids::{OrderId, ReturnId, ShipmentId, WarehouseId};
use waybill_domain::shipment::{
    Carrier, CreateShipment, Direction, Parcel, ShipmentLine, StaffId, TrackingNumber,
};
use waybill_domain::validation::ValidationError;
use waybill_domain::{Quantity, Sku};

use crate::commands::shipments::CarrierScan;
use crate::error::AppError;
use crate::graphql::orders::{AddressInput, DeliveryInput};
use crate::graphql::timestamp::Timestamp;

fn invalid(field: &str, e: impl std::fmt::Display + 'static) -> AppError {
    AppError::invalid_input(field, e)
}

pub fn carrier(code: &str) -> Result<Carrier, AppError> {
    code.parse()
        .map_err(|e: ValidationError| invalid("carrier", e))
}

pub fn staff(id: &str) -> Result<StaffId, AppError> {
    StaffId::parse(id).map_err(|e| invalid("staff", e))
}

pub fn tracking_number(n: &str) -> Result<TrackingNumber, AppError> {
    TrackingNumber::parse(n).map_err(|e| invalid("trackingNumber", e))
}

#[derive(InputObject, Debug)]
pub struct ShipmentLineInput {
    pub sku: String,
    pub quantity: i64,
}

#[derive(InputObject, Debug)]
pub struct ParcelInput {
    pub weight_grams: i64,
    pub length_mm: i64,
    pub width_mm: i64,
    pub height_mm: i64,
}

#[derive(InputObject, Debug)]
pub struct CreateShipmentInput {
    /// Optional: a client-chosen UUID makes the creation idempotent.
    pub shipment_id: Option<String>,
    pub order_id: String,
    /// `outbound` (default) or `reverse` (a return coming back).
    pub direction: Option<String>,
    pub return_id: Option<String>,
    pub warehouse_id: String,
    pub lines: Vec<ShipmentLineInput>,
    pub parcels: Vec<ParcelInput>,
    pub delivery: DeliveryInput,
    /// sf_express, jd_logistics, zto, yto, sto, yunda, ems, cainiao, own_fleet, other.
    pub carrier: String,
    pub tracking_number: Option<String>,
    pub destination: AddressInput,
    pub promised_handover_by: Option<Timestamp>,
    pub promised_delivery_by: Option<Timestamp>,
    #[graphql(default)]
    pub priority: i32,
}

fn u32_of(field: &str, v: i64) -> Result<u32, AppError> {
    u32::try_from(v)
        .map_err(|_| invalid(field, format!("{field} must be between 0 and {}", u32::MAX)))
}

impl CreateShipmentInput {
    /// `fresh_id` names the shipment when the caller gives no id (see
    /// `WriteOptions::new_stream_id`).
    pub fn parse(
        self,
        now: DateTime<Utc>,
        fresh_id: uuid::Uuid,
    ) -> Result<CreateShipment, AppError> {
        let shipment_id = match &self.shipment_id {
            Some(id) => id
                .parse::<ShipmentId>()
                .map_err(|e| invalid("shipmentId", e))?,
            None => ShipmentId::from_uuid(fresh_id),
        };
        let lines = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                Ok(ShipmentLine {
                    sku: Sku::parse(&l.sku).map_err(|e| invalid(&format!("lines[{i}].sku"), e))?,
                    quantity: Quantity::new(u32_of("quantity", l.quantity)?)
                        .map_err(|e| invalid(&format!("lines[{i}].quantity"), e))?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let parcels = self
            .parcels
            .iter()
            .map(|p| {
                Parcel::new(
                    u32_of("weightGrams", p.weight_grams)?,
                    u32_of("lengthMm", p.length_mm)?,
                    u32_of("widthMm", p.width_mm)?,
                    u32_of("heightMm", p.height_mm)?,
                )
                .map_err(|e| invalid("parcels", e))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(CreateShipment {
            shipment_id,
            order_id: self
                .order_id
                .parse::<OrderId>()
                .map_err(|e| invalid("orderId", e))?,
            direction: match self.direction.as_deref() {
                None => Direction::Outbound,
                Some(d) => d
                    .parse()
                    .map_err(|e: ValidationError| invalid("direction", e))?,
            },
            return_id: self
                .return_id
                .as_deref()
                .map(str::parse::<ReturnId>)
                .transpose()
                .map_err(|e| invalid("returnId", e))?,
            warehouse_id: WarehouseId::parse(&self.warehouse_id)
                .map_err(|e| invalid("warehouseId", e))?,
            lines,
            parcels,
            delivery: self.delivery.parse()?,
            carrier: carrier(&self.carrier)?,
            tracking_number: self
                .tracking_number
                .as_deref()
                .map(tracking_number)
                .transpose()?,
            destination: self.destination.parse()?,
            promised_handover_by: self.promised_handover_by.map(Timestamp::utc),
            promised_delivery_by: self.promised_delivery_by.map(Timestamp::utc),
            priority: u8::try_from(self.priority)
                .map_err(|_| invalid("priority", "priority must be 0 to 255"))?,
            created_at: now,
        })
    }
}

/// One carrier checkpoint; the same shape the carrier webhook accepts.
#[derive(InputObject, Debug)]
pub struct TrackingScanInput {
    pub tracking_number: String,
    /// The carrier's own checkpoint id; without one, duplicates are found by content.
    pub event_id: Option<String>,
    /// in_transit, out_for_delivery, delivery_attempt_failed, available_for_pickup,
    /// delivered, exception, returned_to_sender, info_received.
    pub status: String,
    pub occurred_at: Timestamp,
    pub location: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// `{"type": "delivered", "proof": {"signed_by": …}}`, `{"type": "attempt_failed", …}` or
    /// `{"type": "exception", "kind": "damaged"}`.
    pub details: Option<Json<serde_json::Value>>,
}

impl TrackingScanInput {
    pub fn parse(self, index: usize) -> Result<CarrierScan, AppError> {
        let coordinates = match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => Some(json!({"lat": lat, "lon": lon})),
            (None, None) => None,
            _ => {
                return Err(invalid(
                    &format!("scans[{index}]"),
                    "give both lat and lon, or neither",
                ))
            }
        };
        let raw = json!({
            "tracking_number": self.tracking_number,
            "carrier_event_id": self.event_id,
            "status": self.status,
            "occurred_at": self.occurred_at.utc(),
            "location": self.location,
            "coordinates": coordinates,
            "details": self.details.map(|d| d.0),
        });
        serde_json::from_value(raw).map_err(|e| invalid(&format!("scans[{index}]"), e))
    }
}
