//! The logistics value types: parsing rules and wire forms.

use crate::shipment::sample::*;
use crate::shipment::{
    tracking_key, Carrier, ExceptionKind, Parcel, ProofFields, ProofOfDelivery, ScanDetails,
    ScanStatus, StaffId, TrackingNumber,
};
use crate::validation::ValidationError;

#[test]
fn tracking_numbers_are_letters_digits_and_dashes() {
    assert!(TrackingNumber::parse("JD0001234567-1-1").is_ok());
    assert_eq!(
        TrackingNumber::parse("SF 123"),
        Err(ValidationError::DisallowedCharacter {
            field: "tracking_number",
            character: ' '
        })
    );
    assert_eq!(
        TrackingNumber::parse(""),
        Err(ValidationError::Empty {
            field: "tracking_number"
        })
    );
    assert!(matches!(
        TrackingNumber::parse(&"9".repeat(41)),
        Err(ValidationError::TooLong { max: 40, .. })
    ));
    assert!(serde_json::from_str::<TrackingNumber>("\"a/b\"").is_err());
}

#[test]
fn tracking_key_is_per_carrier_and_case_folded() {
    let lower = TrackingNumber::parse("sf1234567890123").expect("valid");
    assert_eq!(
        tracking_key(Carrier::SfExpress, &lower),
        tracking_key(Carrier::SfExpress, &sample_tracking_number())
    );
    assert_eq!(
        tracking_key(Carrier::Zto, &sample_tracking_number()),
        "zto:SF1234567890123"
    );
}

#[test]
fn staff_ids_use_the_id_alphabet() {
    assert!(StaffId::parse("badge:0042").is_ok());
    assert_eq!(
        StaffId::parse("Li Wei"),
        Err(ValidationError::DisallowedCharacter {
            field: "staff",
            character: ' '
        })
    );
}

#[test]
fn parcels_need_positive_weight_and_dimensions() {
    for (parcel, field) in [
        (Parcel::new(0, 1, 1, 1), "parcel.weight_grams"),
        (Parcel::new(1, 0, 1, 1), "parcel.length_mm"),
        (Parcel::new(1, 1, 0, 1), "parcel.width_mm"),
        (Parcel::new(1, 1, 1, 0), "parcel.height_mm"),
    ] {
        assert_eq!(parcel, Err(ValidationError::NotPositive { field }));
    }
    let bad = r#"{"weight_grams":0,"length_mm":1,"width_mm":1,"height_mm":1}"#;
    assert!(serde_json::from_str::<Parcel>(bad).is_err());
    let parcel = sample_parcel();
    assert_eq!(
        (parcel.length_mm(), parcel.width_mm(), parcel.height_mm()),
        (300, 200, 150)
    );
}

#[test]
fn proof_drops_blank_parts_and_needs_one_left() {
    let proof = ProofOfDelivery::parse(ProofFields {
        signed_by: Some("  Li Wei ".into()),
        photo_ref: Some(" ".into()),
        ..ProofFields::default()
    })
    .expect("valid");
    assert_eq!(proof.signed_by(), Some("Li Wei"));
    assert_eq!(proof.photo_ref(), None);
    assert_eq!(
        ProofOfDelivery::parse(ProofFields {
            pickup_code: Some("".into()),
            ..ProofFields::default()
        }),
        Err(ValidationError::Empty { field: "proof" })
    );
    assert!(serde_json::from_str::<ProofOfDelivery>("{}").is_err());
    assert!(matches!(
        ProofOfDelivery::parse(ProofFields {
            signed_by: Some("x".repeat(201)),
            ..ProofFields::default()
        }),
        Err(ValidationError::TooLong {
            field: "proof.signed_by",
            ..
        })
    ));
}

#[test]
fn scan_details_are_tagged_on_the_wire() {
    let details = ScanDetails::Exception {
        kind: ExceptionKind::AddressProblem,
        note: None,
    };
    let json = serde_json::to_value(&details).expect("serialise");
    assert_eq!(
        json,
        serde_json::json!({ "type": "exception", "kind": "address_problem", "note": null })
    );
    assert_eq!(details.status(), ScanStatus::Exception);
    let delivered = ScanDetails::Delivered {
        proof: sample_proof(),
    };
    let json = serde_json::to_value(&delivered).expect("serialise");
    assert_eq!(json["type"], "delivered");
    assert_eq!(
        serde_json::from_value::<ScanDetails>(json).ok(),
        Some(delivered)
    );
}

#[test]
fn coded_enums_are_stable() {
    let carriers: Vec<_> = Carrier::ALL.iter().map(|c| c.code()).collect();
    assert_eq!(
        carriers,
        [
            "sf_express",
            "jd_logistics",
            "zto",
            "yto",
            "sto",
            "yunda",
            "ems",
            "cainiao",
            "own_fleet",
            "other"
        ]
    );
    let statuses: Vec<_> = ScanStatus::ALL.iter().map(|s| s.code()).collect();
    assert_eq!(
        statuses,
        [
            "info_received",
            "in_transit",
            "out_for_delivery",
            "delivery_attempt_failed",
            "available_for_pickup",
            "delivered",
            "exception",
            "returned_to_sender"
        ]
    );
    let kinds: Vec<_> = ExceptionKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(
        kinds,
        [
            "lost",
            "damaged",
            "address_problem",
            "refused",
            "customs",
            "other"
        ]
    );
    assert_eq!("jd_logistics".parse(), Ok(Carrier::JdLogistics));
}
