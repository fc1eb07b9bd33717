//! One checkpoint, one event: carrier ids first, else a content hash.

use super::*;
use crate::shipment::ShipmentError;

fn with_id(mut scan: RecordScan, id: &str) -> RecordScan {
    scan.carrier_event_id = Some(id.into());
    scan
}

fn key(scan: &RecordScan) -> String {
    checkpoint_key(Carrier::SfExpress, Some(&sample_tracking_number()), scan)
}

#[test]
fn the_same_carrier_event_id_twice_is_one_checkpoint() {
    let first = with_id(scan(ScanStatus::InTransit, 7_200), "CE-1");
    let mut resent = with_id(scan(ScanStatus::InTransit, 7_260), "CE-1");
    resent.location = Some("somewhere else".into());
    let mut history = handed_over();
    history.push(recorded(first, true, ShipmentStatus::InTransit));
    shipment()
        .given(history)
        .when(record(resent))
        .then_expect_error(ShipmentError::DuplicateScan {
            checkpoint_key: "id:CE-1".into(),
        });
}

#[test]
fn the_same_content_without_an_id_twice_is_one_checkpoint() {
    let first = scan(ScanStatus::InTransit, 7_200);
    let mut resent = first.clone();
    resent.location = Some("  Hangzhou Xihu hub ".into());
    let mut history = handed_over();
    history.push(recorded(first.clone(), true, ShipmentStatus::InTransit));
    shipment()
        .given(history)
        .when(record(resent))
        .then_expect_error(ShipmentError::DuplicateScan {
            checkpoint_key: key(&first),
        });
}

#[test]
fn same_time_but_a_different_status_is_another_checkpoint() {
    let mut history = handed_over();
    history.push(applied(ScanStatus::InTransit, 7_200));
    let next = scan(ScanStatus::OutForDelivery, 7_200);
    assert_ne!(key(&next), key(&scan(ScanStatus::InTransit, 7_200)));
    shipment()
        .given(history)
        .when(record(next.clone()))
        .then_expect_events(vec![recorded(next, true, ShipmentStatus::OutForDelivery)]);
}

#[test]
fn same_time_and_status_at_another_place_is_another_checkpoint() {
    let mut history = handed_over();
    history.push(applied(ScanStatus::InTransit, 7_200));
    let mut elsewhere = scan(ScanStatus::InTransit, 7_200);
    elsewhere.location = Some("Shanghai Qingpu hub".into());
    shipment()
        .given(history)
        .when(record(elsewhere.clone()))
        .then_expect_events(vec![recorded(elsewhere, true, ShipmentStatus::InTransit)]);
}

#[test]
fn a_checkpoint_kept_as_history_is_deduplicated_too() {
    let late = scan(ScanStatus::InTransit, 50_000);
    let mut history = out_for_delivery();
    history.push(recorded(
        late.clone(),
        false,
        ShipmentStatus::OutForDelivery,
    ));
    shipment()
        .given(history)
        .when(record(late.clone()))
        .then_expect_error(ShipmentError::DuplicateScan {
            checkpoint_key: key(&late),
        });
}

#[test]
fn a_terminal_shipment_still_reports_duplicates() {
    shipment()
        .given(delivered())
        .when(record(scan(ScanStatus::Delivered, 90_000)))
        .then_expect_error(ShipmentError::DuplicateScan {
            checkpoint_key: key(&scan(ScanStatus::Delivered, 90_000)),
        });
}

#[test]
fn duplicates_are_flagged_for_the_api() {
    let duplicate = ShipmentError::DuplicateScan {
        checkpoint_key: "id:x".into(),
    };
    assert!(duplicate.is_duplicate_scan());
    assert_eq!(duplicate.code(), "duplicate_scan");
    assert!(!ShipmentError::NotFound.is_duplicate_scan());
}

#[test]
fn checkpoint_key_forms() {
    let plain = scan(ScanStatus::InTransit, 7_200);
    let hashed = key(&plain);
    assert!(hashed.starts_with("fnv:") && hashed.len() == 20, "{hashed}");
    assert!(hashed[4..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(key(&with_id(plain.clone(), "abc")), "id:abc");
    // Stable across releases: stored events hold this exact key.
    assert_eq!(key(&plain), key(&plain.clone()));
}

#[test]
fn every_hashed_field_matters() {
    let base = scan(ScanStatus::InTransit, 7_200);
    let mut nanos = base.clone();
    nanos.occurred_at += chrono::TimeDelta::nanoseconds(1);
    let mut no_location = base.clone();
    no_location.location = None;
    let other_number = TrackingNumber::parse("SF1").expect("valid");
    let variants = [
        key(&nanos),
        key(&no_location),
        key(&scan(ScanStatus::Delivered, 7_200)),
        checkpoint_key(Carrier::Zto, Some(&sample_tracking_number()), &base),
        checkpoint_key(Carrier::SfExpress, Some(&other_number), &base),
        checkpoint_key(Carrier::SfExpress, None, &base),
    ];
    for variant in &variants {
        assert_ne!(variant, &key(&base));
    }
}

#[test]
fn field_boundaries_cannot_be_shifted() {
    // "ab" + "c" and "a" + "bc" must not hash alike.
    let mut one = scan(ScanStatus::InTransit, 0);
    one.location = Some("c".into());
    let mut two = one.clone();
    two.location = Some("bc".into());
    let ab = TrackingNumber::parse("ab").expect("valid");
    let a = TrackingNumber::parse("a").expect("valid");
    assert_ne!(
        checkpoint_key(Carrier::Other, Some(&ab), &one),
        checkpoint_key(Carrier::Other, Some(&a), &two)
    );
}
