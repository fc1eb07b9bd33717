//! What an order still has to ship: a label may carry at most that.

use std::collections::BTreeMap;

use crate::shipment::error::ShipmentError;
use crate::shipment::values::ShipmentLine;
use crate::values::Sku;

/// Refuses lines asking for a SKU the order does not have, or for more units than remain
/// once the order's other live shipments are counted.
///
/// `ordered` and `shipped` are (SKU, units) pairs, a SKU possibly on several of them (an order
/// may list a SKU twice, a SKU may travel in several shipments); sums saturate, since a
/// count past `u32::MAX` can only be refused anyway.
pub fn check_unshipped<'a>(
    ordered: impl IntoIterator<Item = (&'a Sku, u32)>,
    shipped: impl IntoIterator<Item = (&'a Sku, u32)>,
    requested: &[ShipmentLine],
) -> Result<(), ShipmentError> {
    let mut left: BTreeMap<&Sku, u32> = BTreeMap::new();
    for (sku, units) in ordered {
        let n = left.entry(sku).or_default();
        *n = n.saturating_add(units);
    }
    let mut taken: BTreeMap<&Sku, u32> = BTreeMap::new();
    for (sku, units) in shipped {
        let n = taken.entry(sku).or_default();
        *n = n.saturating_add(units);
    }
    for line in requested {
        let Some(&ordered) = left.get(&line.sku) else {
            return Err(ShipmentError::SkuNotOnOrder {
                sku: line.sku.clone(),
            });
        };
        let unshipped = ordered.saturating_sub(taken.get(&line.sku).copied().unwrap_or(0));
        let requested = line.quantity.get();
        if requested > unshipped {
            return Err(ShipmentError::ExceedsUnshipped {
                sku: line.sku.clone(),
                requested,
                unshipped,
            });
        }
    }
    Ok(())
}
