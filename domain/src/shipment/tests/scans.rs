use super::*;
use crate::shipment::{ExceptionKind, ProofFields, ProofOfDelivery, ShipmentError};
use crate::validation::ValidationError;

fn attempt_failed(seconds: i64, next: Option<i64>) -> RecordScan {
    with_details(
        scan(ScanStatus::DeliveryAttemptFailed, seconds),
        ScanDetails::AttemptFailed {
            reason: Some("nobody home".into()),
            next_attempt_at: next.map(t),
        },
    )
}

fn exception(kind: ExceptionKind, seconds: i64) -> RecordScan {
    with_details(
        scan(ScanStatus::Exception, seconds),
        ScanDetails::Exception {
            kind,
            note: Some("carrier note".into()),
        },
    )
}

fn delivered_with(proof: ProofOfDelivery, seconds: i64) -> RecordScan {
    with_details(
        scan(ScanStatus::Delivered, seconds),
        ScanDetails::Delivered { proof },
    )
}

/// Expects `scan` on `history` to be recorded with `applied`, leaving
/// the shipment in `status`.
fn expect(history: Vec<ShipmentEvent>, scan: RecordScan, applied: bool, status: ShipmentStatus) {
    shipment()
        .given(history)
        .when(record(scan.clone()))
        .then_expect_events(vec![recorded(scan, applied, status)]);
}

#[test]
fn the_first_hub_scan_puts_the_shipment_in_transit() {
    expect(
        handed_over(),
        scan(ScanStatus::InTransit, 7_200),
        true,
        ShipmentStatus::InTransit,
    );
}

#[test]
fn further_hub_scans_apply_at_the_same_rank() {
    let mut history = handed_over();
    history.push(applied(ScanStatus::InTransit, 7_200));
    let mut next = scan(ScanStatus::InTransit, 30_000);
    next.location = Some("Shanghai Qingpu hub".into());
    expect(history, next, true, ShipmentStatus::InTransit);
}

#[test]
fn delivered_with_proof_is_applied_and_kept() {
    let proof = sample_proof();
    expect(
        out_for_delivery(),
        delivered_with(proof.clone(), 90_000),
        true,
        ShipmentStatus::Delivered,
    );
    let mut history = out_for_delivery();
    history.push(recorded(
        delivered_with(proof.clone(), 90_000),
        true,
        ShipmentStatus::Delivered,
    ));
    let shipment = replay(history);
    let state = shipment.state().expect("created");
    assert_eq!(state.delivered_at, Some(t(90_000)));
    assert_eq!(state.proof.as_ref(), Some(&proof));
    assert!(!state.is_active());
}

#[test]
fn delivered_without_proof_is_applied() {
    expect(
        out_for_delivery(),
        scan(ScanStatus::Delivered, 90_000),
        true,
        ShipmentStatus::Delivered,
    );
}

#[test]
fn pickup_point_collection_with_a_code() {
    let mut history = out_for_delivery();
    history.push(applied(ScanStatus::AvailableForPickup, 88_000));
    let proof = ProofOfDelivery::parse(ProofFields {
        pickup_code: Some("4711".into()),
        ..ProofFields::default()
    })
    .expect("valid proof");
    expect(
        history,
        delivered_with(proof, 170_000),
        true,
        ShipmentStatus::Delivered,
    );
}

#[test]
fn a_failed_attempt_then_delivery_the_next_day() {
    let mut history = out_for_delivery();
    let failed = attempt_failed(88_000, Some(172_800));
    expect(
        history.clone(),
        failed.clone(),
        true,
        ShipmentStatus::DeliveryAttemptFailed,
    );
    history.push(recorded(
        failed,
        true,
        ShipmentStatus::DeliveryAttemptFailed,
    ));
    let state = replay(history.clone()).state().cloned().expect("created");
    assert_eq!(state.failed_attempts, 1);
    assert_eq!(state.next_attempt_at, Some(t(172_800)));

    // Out again: the last-mile statuses share a rank, so this moves.
    expect(
        history.clone(),
        scan(ScanStatus::OutForDelivery, 172_000),
        true,
        ShipmentStatus::OutForDelivery,
    );
    history.push(applied(ScanStatus::OutForDelivery, 172_000));
    expect(
        history.clone(),
        scan(ScanStatus::Delivered, 175_000),
        true,
        ShipmentStatus::Delivered,
    );
    history.push(applied(ScanStatus::Delivered, 175_000));
    let state = replay(history).state().cloned().expect("created");
    assert_eq!(state.failed_attempts, 1);
    assert_eq!(state.next_attempt_at, None);
    assert_eq!(state.delivered_at, Some(t(175_000)));
}

#[test]
fn every_exception_kind_is_applied_and_open() {
    for kind in ExceptionKind::ALL.iter().copied() {
        let mut history = out_for_delivery();
        expect(
            history.clone(),
            exception(kind, 88_000),
            true,
            ShipmentStatus::Exception,
        );
        history.push(recorded(
            exception(kind, 88_000),
            true,
            ShipmentStatus::Exception,
        ));
        let state = replay(history).state().cloned().expect("created");
        assert_eq!(state.open_exception, Some(kind));
        assert_eq!(state.progress, ShipmentStatus::OutForDelivery);
    }
}

#[test]
fn after_a_mid_transit_exception_the_parcel_moves_on() {
    let mut history = handed_over();
    history.push(applied(ScanStatus::InTransit, 7_200));
    history.push(recorded(
        exception(ExceptionKind::Customs, 10_000),
        true,
        ShipmentStatus::Exception,
    ));
    expect(
        history.clone(),
        scan(ScanStatus::InTransit, 20_000),
        true,
        ShipmentStatus::InTransit,
    );
    history.push(applied(ScanStatus::InTransit, 20_000));
    let state = replay(history).state().cloned().expect("created");
    assert_eq!(state.open_exception, None);
}

#[test]
fn after_a_refusal_at_the_door_only_progress_or_an_outcome_moves_it() {
    let mut history = out_for_delivery();
    history.push(recorded(
        exception(ExceptionKind::Refused, 88_000),
        true,
        ShipmentStatus::Exception,
    ));
    expect(
        history.clone(),
        scan(ScanStatus::InTransit, 90_000),
        false,
        ShipmentStatus::Exception,
    );
    expect(
        history,
        scan(ScanStatus::ReturnedToSender, 200_000),
        true,
        ShipmentStatus::ReturnedToSender,
    );
}

#[test]
fn an_older_scan_is_history_and_changes_nothing() {
    let late = scan(ScanStatus::InTransit, 50_000);
    expect(
        out_for_delivery(),
        late.clone(),
        false,
        ShipmentStatus::OutForDelivery,
    );
    let before = replay(out_for_delivery());
    let mut history = out_for_delivery();
    history.push(recorded(late, false, ShipmentStatus::OutForDelivery));
    let after = replay(history);
    let (before, after) = (before.state().expect("x"), after.state().expect("x"));
    assert_eq!(after.status, before.status);
    assert_eq!(after.progress, before.progress);
    assert_eq!(after.latest_checkpoint_at, before.latest_checkpoint_at);
    assert_eq!(
        after.seen_checkpoints.len(),
        before.seen_checkpoints.len() + 1
    );
}

#[test]
fn an_older_scan_is_history_even_when_it_ranks_higher() {
    let mut history = handed_over();
    history.push(applied(ScanStatus::InTransit, 50_000));
    expect(
        history,
        scan(ScanStatus::OutForDelivery, 40_000),
        false,
        ShipmentStatus::InTransit,
    );
}

#[test]
fn a_newer_scan_that_ranks_lower_never_moves_backwards() {
    expect(
        out_for_delivery(),
        scan(ScanStatus::InTransit, 100_000),
        false,
        ShipmentStatus::OutForDelivery,
    );
    expect(
        handed_over(),
        scan(ScanStatus::InfoReceived, 100_000),
        false,
        ShipmentStatus::HandedToCarrier,
    );
}

#[test]
fn a_scan_at_the_same_time_as_the_latest_still_applies() {
    let mut history = handed_over();
    history.push(applied(ScanStatus::InTransit, 7_200));
    expect(
        history,
        scan(ScanStatus::OutForDelivery, 7_200),
        true,
        ShipmentStatus::OutForDelivery,
    );
}

#[test]
fn terminal_shipments_keep_late_scans_as_history_only() {
    expect(
        delivered(),
        exception(ExceptionKind::Lost, 200_000),
        false,
        ShipmentStatus::Delivered,
    );
    expect(
        vec![sample_shipment_created(), cancelled()],
        scan(ScanStatus::InTransit, 7_200),
        false,
        ShipmentStatus::Cancelled,
    );
}

#[test]
fn an_exception_scan_needs_a_kind() {
    shipment()
        .given(handed_over())
        .when(record(scan(ScanStatus::Exception, 7_200)))
        .then_expect_error(ShipmentError::MissingExceptionKind);
}

#[test]
fn details_must_fit_the_status() {
    let cases = [
        (
            ScanStatus::InTransit,
            ScanDetails::Delivered {
                proof: sample_proof(),
            },
            "delivered",
        ),
        (
            ScanStatus::Delivered,
            ScanDetails::Exception {
                kind: ExceptionKind::Lost,
                note: None,
            },
            "exception",
        ),
        (
            ScanStatus::Exception,
            ScanDetails::AttemptFailed {
                reason: None,
                next_attempt_at: None,
            },
            "attempt_failed",
        ),
    ];
    for (status, details, code) in cases {
        shipment()
            .given(handed_over())
            .when(record(with_details(scan(status, 7_200), details)))
            .then_expect_error(ShipmentError::DetailsMismatch {
                status,
                details: code,
            });
    }
}

#[test]
fn the_next_attempt_comes_after_the_failed_one() {
    shipment()
        .given(out_for_delivery())
        .when(record(attempt_failed(88_000, Some(88_000))))
        .then_expect_error(ShipmentError::Validation(ValidationError::EmptyWindow {
            field: "next_attempt_at",
        }));
}

#[test]
fn scan_texts_are_validated() {
    let mut blank_location = scan(ScanStatus::InTransit, 7_200);
    blank_location.location = Some(" ".into());
    let mut blank_id = scan(ScanStatus::InTransit, 7_200);
    blank_id.carrier_event_id = Some(String::new());
    let blank_reason = with_details(
        scan(ScanStatus::DeliveryAttemptFailed, 7_200),
        ScanDetails::AttemptFailed {
            reason: Some("".into()),
            next_attempt_at: None,
        },
    );
    let blank_note = with_details(
        scan(ScanStatus::Exception, 7_200),
        ScanDetails::Exception {
            kind: ExceptionKind::Damaged,
            note: Some("\t".into()),
        },
    );
    for (scan, field) in [
        (blank_location, "location"),
        (blank_id, "carrier_event_id"),
        (blank_reason, "reason"),
        (blank_note, "note"),
    ] {
        shipment()
            .given(handed_over())
            .when(record(scan))
            .then_expect_error(ShipmentError::Validation(ValidationError::Empty { field }));
    }
}

#[test]
fn scans_before_hand_over_are_accepted_by_rank() {
    let history = vec![sample_shipment_created()];
    expect(
        history.clone(),
        scan(ScanStatus::InfoReceived, 100),
        true,
        ShipmentStatus::LabelCreated,
    );
    expect(
        history,
        scan(ScanStatus::InTransit, 100),
        true,
        ShipmentStatus::InTransit,
    );
}
