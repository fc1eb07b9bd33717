//! Ending a shipment early: cancellation and expiry.

use super::*;
use crate::shipment::{ExceptionKind, ShipmentError};
use crate::validation::ValidationError;

fn cancel() -> ShipmentCommand {
    ShipmentCommand::Cancel {
        reason: "order cancelled".into(),
        at: t(60),
    }
}

fn cancelled_from(status: ShipmentStatus) -> ShipmentEvent {
    ShipmentEvent::ShipmentCancelled {
        reason: "order cancelled".into(),
        status_before: status,
        at: t(60),
    }
}

/// In transit at +2 h, then nothing: last activity is `t(7_200)`.
fn quiet_in_transit() -> Vec<ShipmentEvent> {
    let mut history = handed_over();
    history.push(applied(ScanStatus::InTransit, 7_200));
    history
}

/// Expiry 31 days after the last scan with a 30-day policy.
fn expire_after(days_without_scan: u32) -> ShipmentCommand {
    let at = t(7_200) + days(31);
    ShipmentCommand::Expire {
        at,
        days_without_scan,
        last_activity_before: at - days(i64::from(days_without_scan)),
    }
}

#[test]
fn cancelling_before_the_carrier_has_it() {
    let created = vec![sample_shipment_created()];
    let picked = vec![sample_shipment_created(), sample_picked()];
    let packed = vec![sample_shipment_created(), sample_picked(), sample_packed()];
    for (history, status) in [
        (created, ShipmentStatus::LabelCreated),
        (picked, ShipmentStatus::Picked),
        (packed, ShipmentStatus::Packed),
    ] {
        shipment()
            .given(history)
            .when(cancel())
            .then_expect_events(vec![cancelled_from(status)]);
    }
}

#[test]
fn a_label_exception_does_not_stop_cancellation() {
    let problem = with_details(
        scan(ScanStatus::Exception, 30),
        ScanDetails::Exception {
            kind: ExceptionKind::AddressProblem,
            note: None,
        },
    );
    shipment()
        .given(vec![
            sample_shipment_created(),
            recorded(problem, true, ShipmentStatus::Exception),
        ])
        .when(cancel())
        .then_expect_events(vec![cancelled_from(ShipmentStatus::Exception)]);
}

#[test]
fn cancelling_after_hand_over_is_refused() {
    shipment()
        .given(handed_over())
        .when(cancel())
        .then_expect_error(ShipmentError::AlreadyHandedOver {
            status: ShipmentStatus::HandedToCarrier,
        });
}

#[test]
fn cancelling_after_a_carrier_scan_is_refused() {
    shipment()
        .given(vec![
            sample_shipment_created(),
            applied(ScanStatus::InTransit, 30),
        ])
        .when(cancel())
        .then_expect_error(ShipmentError::AlreadyHandedOver {
            status: ShipmentStatus::InTransit,
        });
}

#[test]
fn cancelling_needs_a_reason() {
    shipment()
        .given(vec![sample_shipment_created()])
        .when(ShipmentCommand::Cancel {
            reason: " ".into(),
            at: t(60),
        })
        .then_expect_error(ShipmentError::Validation(ValidationError::Empty {
            field: "reason",
        }));
}

#[test]
fn a_cancelled_shipment_is_terminal_and_inactive() {
    let shipment = replay(vec![sample_shipment_created(), cancelled()]);
    let state = shipment.state().expect("created");
    assert_eq!(state.status, ShipmentStatus::Cancelled);
    assert!(!state.is_active());
    assert!(!state.is_handed_over());
}

#[test]
fn expiring_a_silent_shipment() {
    shipment()
        .given(quiet_in_transit())
        .when(expire_after(30))
        .then_expect_events(vec![ShipmentEvent::ShipmentExpired {
            days_without_scan: 30,
            last_activity_at: t(7_200),
            status_before: ShipmentStatus::InTransit,
            at: t(7_200) + days(31),
        }]);
}

#[test]
fn recent_activity_blocks_expiry() {
    shipment()
        .given(quiet_in_transit())
        .when(expire_after(31))
        .then_expect_error(ShipmentError::RecentActivity {
            last_activity_at: t(7_200),
            last_activity_before: t(7_200),
        });
}

#[test]
fn a_late_scan_kept_as_history_still_counts_as_activity() {
    let mut history = quiet_in_transit();
    history.push(applied(ScanStatus::OutForDelivery, 86_400));
    let late = scan(ScanStatus::InTransit, 50_000);
    history.push(recorded(late, false, ShipmentStatus::OutForDelivery));
    let state = replay(history.clone()).state().cloned().expect("created");
    assert_eq!(state.last_activity_at, t(86_400));
    let at = t(86_400) + days(20);
    shipment()
        .given(history)
        .when(ShipmentCommand::Expire {
            at,
            days_without_scan: 10,
            last_activity_before: at - days(10),
        })
        .then_expect_events(vec![ShipmentEvent::ShipmentExpired {
            days_without_scan: 10,
            last_activity_at: t(86_400),
            status_before: ShipmentStatus::OutForDelivery,
            at,
        }]);
}

#[test]
fn expiry_needs_a_positive_number_of_days() {
    shipment()
        .given(quiet_in_transit())
        .when(expire_after(0))
        .then_expect_error(ShipmentError::Validation(ValidationError::NotPositive {
            field: "days_without_scan",
        }));
}

#[test]
fn the_threshold_must_be_at_least_the_days_before_now() {
    let at = t(7_200) + days(31);
    let last_activity_before = at - days(29);
    shipment()
        .given(quiet_in_transit())
        .when(ShipmentCommand::Expire {
            at,
            days_without_scan: 30,
            last_activity_before,
        })
        .then_expect_error(ShipmentError::InconsistentExpiry {
            at,
            days_without_scan: 30,
            last_activity_before,
        });
}

#[test]
fn a_delivered_shipment_does_not_expire() {
    shipment()
        .given(delivered())
        .when(expire_after(30))
        .then_expect_error(ShipmentError::Terminal {
            status: ShipmentStatus::Delivered,
        });
}

#[test]
fn an_expired_shipment_keeps_late_scans_as_history() {
    let mut history = quiet_in_transit();
    history.push(ShipmentEvent::ShipmentExpired {
        days_without_scan: 30,
        last_activity_at: t(7_200),
        status_before: ShipmentStatus::InTransit,
        at: t(7_200) + days(31),
    });
    let late = scan(ScanStatus::Delivered, 7_200 + 32 * 86_400);
    shipment()
        .given(history)
        .when(record(late.clone()))
        .then_expect_events(vec![recorded(late, false, ShipmentStatus::Expired)]);
}
