use super::*;
use crate::order::OrderError;
use crate::validation::ValidationError;

fn flag(kind: AnomalyKind) -> OrderCommand {
    OrderCommand::FlagAnomaly {
        kind,
        note: "needs a look".into(),
    }
}

fn clear(kind: AnomalyKind) -> OrderCommand {
    OrderCommand::ClearAnomaly {
        kind,
        resolution: "checked with customer".into(),
    }
}

fn cleared(kind: AnomalyKind) -> OrderEvent {
    OrderEvent::AnomalyCleared {
        kind,
        resolution: "checked with customer".into(),
    }
}

#[test]
fn flagging_records_the_anomaly() {
    order()
        .given(vec![placed()])
        .when(flag(AnomalyKind::PaymentMismatch))
        .then_expect_events(vec![flagged(AnomalyKind::PaymentMismatch)]);
}

#[test]
fn different_kinds_can_be_open_together() {
    order()
        .given(vec![placed(), flagged(AnomalyKind::PaymentMismatch)])
        .when(flag(AnomalyKind::AddressProblem))
        .then_expect_events(vec![flagged(AnomalyKind::AddressProblem)]);
}

#[test]
fn flagging_an_open_kind_again_is_already_flagged() {
    order()
        .given(vec![placed(), flagged(AnomalyKind::StockShortage)])
        .when(flag(AnomalyKind::StockShortage))
        .then_expect_error(OrderError::AnomalyAlreadyFlagged {
            kind: AnomalyKind::StockShortage,
        });
}

#[test]
fn flagging_needs_a_note() {
    order()
        .given(vec![placed()])
        .when(OrderCommand::FlagAnomaly {
            kind: AnomalyKind::StockShortage,
            note: String::new(),
        })
        .then_expect_error(OrderError::Validation(ValidationError::Empty {
            field: "note",
        }));
}

#[test]
fn clearing_an_open_anomaly() {
    order()
        .given(vec![placed(), flagged(AnomalyKind::AddressProblem)])
        .when(clear(AnomalyKind::AddressProblem))
        .then_expect_events(vec![cleared(AnomalyKind::AddressProblem)]);
}

#[test]
fn clearing_a_kind_that_is_not_open_is_not_flagged() {
    order()
        .given(vec![placed(), flagged(AnomalyKind::AddressProblem)])
        .when(clear(AnomalyKind::PaymentMismatch))
        .then_expect_error(OrderError::AnomalyNotFlagged {
            kind: AnomalyKind::PaymentMismatch,
        });
}

#[test]
fn clearing_needs_a_resolution() {
    order()
        .given(vec![placed(), flagged(AnomalyKind::AddressProblem)])
        .when(OrderCommand::ClearAnomaly {
            kind: AnomalyKind::AddressProblem,
            resolution: "\n".into(),
        })
        .then_expect_error(OrderError::Validation(ValidationError::Empty {
            field: "resolution",
        }));
}

#[test]
fn a_cleared_anomaly_can_be_flagged_again() {
    order()
        .given(vec![
            placed(),
            flagged(AnomalyKind::AddressProblem),
            cleared(AnomalyKind::AddressProblem),
        ])
        .when(flag(AnomalyKind::AddressProblem))
        .then_expect_events(vec![flagged(AnomalyKind::AddressProblem)]);
}

#[test]
fn clearing_the_last_anomaly_lifts_the_hold() {
    order()
        .given(vec![
            placed(),
            flagged(AnomalyKind::AddressProblem),
            cleared(AnomalyKind::AddressProblem),
        ])
        .when(OrderCommand::Allocate {
            warehouse_id: sample_warehouse_id(),
        })
        .then_expect_events(vec![allocated()]);
}

#[test]
fn anomaly_kind_codes_are_stable() {
    let codes: Vec<_> = AnomalyKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(
        codes,
        [
            "payment_mismatch",
            "address_problem",
            "stock_shortage",
            "suspected_fake_order"
        ]
    );
    assert_eq!("stock_shortage".parse(), Ok(AnomalyKind::StockShortage));
    assert_eq!(
        serde_json::to_string(&AnomalyKind::SuspectedFakeOrder)
            .ok()
            .as_deref(),
        Some("\"suspected_fake_order\"")
    );
}
