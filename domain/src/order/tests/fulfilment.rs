use super::*;
use crate::order::OrderError;
use crate::validation::ValidationError;

fn fulfil(reference: &str, lines: Vec<FulfilLine>) -> OrderCommand {
    OrderCommand::Fulfil {
        shipment_reference: reference.into(),
        lines,
    }
}

#[test]
fn shipping_part_of_the_order_is_partial() {
    order()
        .given(vec![placed(), allocated()])
        .when(fulfil("SHIP-1", vec![tea(1)]))
        .then_expect_events(vec![shipped_some()]);
}

#[test]
fn shipping_everything_at_once_is_full() {
    order()
        .given(vec![placed(), allocated()])
        .when(fulfil("SHIP-1", sample_full_shipment()))
        .then_expect_events(vec![shipped_all()]);
}

#[test]
fn shipping_the_remainder_completes_fulfilment() {
    order()
        .given(vec![placed(), allocated(), shipped_some()])
        .when(fulfil("SHIP-2", vec![cup(1), tea(1)]))
        .then_expect_events(vec![shipped("SHIP-2", vec![cup(1), tea(1)], true)]);
}

#[test]
fn shipment_records_the_allocated_warehouse() {
    let reallocated = OrderEvent::OrderAllocated {
        warehouse_id: sample_other_warehouse_id(),
        previous_warehouse_id: Some(sample_warehouse_id()),
    };
    order()
        .given(vec![placed(), allocated(), reallocated])
        .when(fulfil("SHIP-1", vec![tea(1)]))
        .then_expect_events(vec![OrderEvent::LinesFulfilled {
            shipment: FulfilledBy {
                reference: "SHIP-1".into(),
                warehouse_id: sample_other_warehouse_id(),
            },
            lines: vec![tea(1)],
            fully_fulfilled: false,
        }]);
}

#[test]
fn shipping_requires_allocation() {
    order()
        .given(vec![placed()])
        .when(fulfil("SHIP-1", vec![tea(1)]))
        .then_expect_error(OrderError::NotAllocated);
}

#[test]
fn shipping_while_an_anomaly_is_open_is_on_hold() {
    order()
        .given(vec![
            placed(),
            allocated(),
            flagged(AnomalyKind::StockShortage),
        ])
        .when(fulfil("SHIP-1", vec![tea(1)]))
        .then_expect_error(OrderError::OnHold {
            kinds: vec![AnomalyKind::StockShortage],
        });
}

#[test]
fn shipment_needs_lines() {
    order()
        .given(vec![placed(), allocated()])
        .when(fulfil("SHIP-1", vec![]))
        .then_expect_error(OrderError::EmptyFulfilment);
}

#[test]
fn shipment_needs_a_reference() {
    order()
        .given(vec![placed(), allocated()])
        .when(fulfil("", vec![tea(1)]))
        .then_expect_error(OrderError::Validation(ValidationError::Empty {
            field: "shipment_reference",
        }));
}

#[test]
fn shipping_a_sku_not_on_the_order_is_unknown_sku() {
    let bowl = FulfilLine {
        sku: sku("BOWL"),
        quantity: qty(1),
    };
    order()
        .given(vec![placed(), allocated()])
        .when(fulfil("SHIP-1", vec![tea(1), bowl]))
        .then_expect_error(OrderError::UnknownSku { sku: sku("BOWL") });
}

#[test]
fn shipping_more_than_ordered_is_over_fulfilment() {
    order()
        .given(vec![placed(), allocated()])
        .when(fulfil("SHIP-1", vec![tea(3)]))
        .then_expect_error(OrderError::OverFulfilment {
            sku: tea_sku(),
            ordered: 2,
            already: 0,
            requested: 3,
        });
}

#[test]
fn over_fulfilment_counts_earlier_shipments() {
    order()
        .given(vec![placed(), allocated(), shipped_some()])
        .when(fulfil("SHIP-2", vec![tea(2)]))
        .then_expect_error(OrderError::OverFulfilment {
            sku: tea_sku(),
            ordered: 2,
            already: 1,
            requested: 2,
        });
}

#[test]
fn same_shipment_reference_twice_is_duplicate_shipment() {
    order()
        .given(vec![placed(), allocated(), shipped_some()])
        .when(fulfil("SHIP-1", vec![cup(1)]))
        .then_expect_error(OrderError::DuplicateShipment {
            shipment_reference: "SHIP-1".into(),
        });
}

#[test]
fn same_sku_twice_in_one_shipment_is_rejected() {
    order()
        .given(vec![placed(), allocated()])
        .when(fulfil("SHIP-1", vec![tea(1), tea(1)]))
        .then_expect_error(OrderError::DuplicateSku { sku: tea_sku() });
}

#[test]
fn replayed_shipments_accumulate_per_sku() {
    let order = replay(vec![
        placed(),
        allocated(),
        shipped_some(),
        shipped("SHIP-2", vec![tea(1)], false),
    ]);
    let state = order.state().expect("placed");
    assert_eq!(state.fulfilled_quantity(&tea_sku()), 2);
    assert_eq!(state.fulfilled_quantity(&cup_sku()), 0);
    assert!(!state.is_fully_fulfilled());
}
