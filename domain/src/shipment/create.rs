//! Deciding `Create`: check lines, parcels, direction and promises.

use std::collections::BTreeSet;

use crate::delivery::DeliveryMode;
use crate::shipment::commands::CreateShipment;
use crate::shipment::error::ShipmentError;
use crate::shipment::events::{ShipmentCreated, ShipmentEvent};
use crate::shipment::values::{Direction, Parcel, ShipmentLine};
use crate::validation::ValidationError;

/// Upper bound on lines per shipment, matching the order's own bound.
pub const MAX_LINES: usize = 500;
/// The narrowest delivery window a shipment may promise. Windows are honoured exactly by
/// routing, never widened; one narrower than this cannot be kept against ordinary traffic and
/// is a mistake in the input (seconds for minutes, start and end swapped in a time zone).
pub const MIN_WINDOW_MINUTES: i64 = 15;
/// Upper bound on parcels per shipment; carriers cap multi-piece waybills
/// well below this, so more is a data error, not a big order.
pub const MAX_PARCELS: usize = 99;

pub(super) fn create(cmd: CreateShipment) -> Result<ShipmentEvent, ShipmentError> {
    check_lines(&cmd.lines)?;
    check_parcels(&cmd.parcels)?;
    // Enum fields are public, so this cannot be guaranteed by the type.
    cmd.delivery.validate()?;
    check_window(&cmd.delivery)?;
    match (cmd.direction, &cmd.return_id) {
        (Direction::Reverse, None) => return Err(ShipmentError::MissingReturnId),
        (Direction::Outbound, Some(_)) => {
            return Err(ShipmentError::UnexpectedReturnId {
                direction: cmd.direction,
            })
        }
        _ => {}
    }
    // The own fleet numbers its runs at dispatch; carriers print the number
    // on the label, so a carrier label without one cannot exist.
    if cmd.tracking_number.is_none() && !cmd.carrier.is_own_fleet() {
        return Err(ShipmentError::MissingTrackingNumber {
            carrier: cmd.carrier,
        });
    }
    if let (Some(handover), Some(delivery)) = (cmd.promised_handover_by, cmd.promised_delivery_by) {
        if handover >= delivery {
            return Err(ValidationError::EmptyWindow {
                field: "promised_by",
            }
            .into());
        }
    }
    Ok(ShipmentEvent::ShipmentCreated(ShipmentCreated {
        shipment_id: cmd.shipment_id,
        order_id: cmd.order_id,
        direction: cmd.direction,
        return_id: cmd.return_id,
        warehouse_id: cmd.warehouse_id,
        lines: cmd.lines,
        parcels: cmd.parcels,
        delivery: cmd.delivery,
        carrier: cmd.carrier,
        tracking_number: cmd.tracking_number,
        destination: cmd.destination,
        promised_handover_by: cmd.promised_handover_by,
        promised_delivery_by: cmd.promised_delivery_by,
        priority: cmd.priority,
        created_at: cmd.created_at,
    }))
}

fn check_window(delivery: &DeliveryMode) -> Result<(), ShipmentError> {
    if let DeliveryMode::Scheduled {
        window_start,
        window_end,
    } = delivery
    {
        let minutes = (*window_end - *window_start).num_minutes();
        if minutes < MIN_WINDOW_MINUTES {
            return Err(ShipmentError::WindowTooNarrow {
                minutes,
                min: MIN_WINDOW_MINUTES,
            });
        }
    }
    Ok(())
}

fn check_lines(lines: &[ShipmentLine]) -> Result<(), ShipmentError> {
    if lines.is_empty() {
        return Err(ShipmentError::NoLines);
    }
    if lines.len() > MAX_LINES {
        return Err(ShipmentError::TooManyLines {
            max: MAX_LINES,
            actual: lines.len(),
        });
    }
    let mut skus = BTreeSet::new();
    for line in lines {
        // One line per SKU keeps receiving and returns unambiguous.
        if !skus.insert(&line.sku) {
            return Err(ShipmentError::DuplicateSku {
                sku: line.sku.clone(),
            });
        }
    }
    Ok(())
}

pub(super) fn check_parcels(parcels: &[Parcel]) -> Result<(), ShipmentError> {
    if parcels.is_empty() {
        return Err(ShipmentError::NoParcels);
    }
    if parcels.len() > MAX_PARCELS {
        return Err(ShipmentError::TooManyParcels {
            max: MAX_PARCELS,
            actual: parcels.len(),
        });
    }
    Ok(())
}
