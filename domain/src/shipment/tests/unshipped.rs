//! A label carries at most what the order has left to ship.

use crate::shipment::{check_unshipped, ShipmentError, ShipmentLine};
use crate::values::{Quantity, Sku};

fn sku(s: &str) -> Sku {
    Sku::parse(s).unwrap()
}

fn line(s: &str, units: u32) -> ShipmentLine {
    ShipmentLine {
        sku: sku(s),
        quantity: Quantity::new(units).unwrap(),
    }
}

#[test]
fn five_units_of_a_one_unit_order_are_refused() {
    let a = sku("A");
    assert_eq!(
        check_unshipped([(&a, 1)], [], &[line("A", 5)]),
        Err(ShipmentError::ExceedsUnshipped {
            sku: a.clone(),
            requested: 5,
            unshipped: 1
        })
    );
    assert_eq!(check_unshipped([(&a, 1)], [], &[line("A", 1)]), Ok(()));
}

#[test]
fn earlier_shipments_count_and_a_sku_may_be_split_over_lines() {
    // Ordered: A 2 + A 3 (two lines) = 5, B 4. Shipped: A 1, A 2, B 4.
    // Left: A 2, B 0.
    let (a, b) = (sku("A"), sku("B"));
    let ordered = [(&a, 2), (&a, 3), (&b, 4)];
    let shipped = [(&a, 1), (&a, 2), (&b, 4)];
    assert_eq!(check_unshipped(ordered, shipped, &[line("A", 2)]), Ok(()));
    assert_eq!(
        check_unshipped(ordered, shipped, &[line("A", 3)]),
        Err(ShipmentError::ExceedsUnshipped {
            sku: a.clone(),
            requested: 3,
            unshipped: 2
        })
    );
    assert_eq!(
        check_unshipped(ordered, shipped, &[line("A", 1), line("B", 1)]),
        Err(ShipmentError::ExceedsUnshipped {
            sku: b.clone(),
            requested: 1,
            unshipped: 0
        })
    );
}

#[test]
fn a_sku_the_order_does_not_have_is_refused_with_its_own_code() {
    let a = sku("A");
    let refused = check_unshipped([(&a, 1)], [], &[line("Z", 1)]).unwrap_err();
    assert_eq!(refused, ShipmentError::SkuNotOnOrder { sku: sku("Z") });
    assert_eq!(refused.code(), "sku_not_on_order");
    assert_eq!(refused.kind(), crate::shipment::ErrorKind::InvalidState);
}

#[test]
fn more_shipped_than_ordered_leaves_nothing_rather_than_wrapping() {
    let a = sku("A");
    let refused = check_unshipped([(&a, 1)], [(&a, 3)], &[line("A", 1)]).unwrap_err();
    assert_eq!(refused.code(), "exceeds_unshipped");
    assert_eq!(
        refused,
        ShipmentError::ExceedsUnshipped {
            sku: a,
            requested: 1,
            unshipped: 0
        }
    );
}
