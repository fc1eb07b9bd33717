//! `IssueReturnLabel` / `DropOff`: how the goods travel back.

use super::*;
use crate::returns::{ReturnError, ReturnLogistics};
use crate::validation::ValidationError;

fn label(carrier: &str, tracking_number: &str) -> ReturnCommand {
    ReturnCommand::IssueReturnLabel {
        reverse_shipment_id: sample_reverse_shipment_id(),
        carrier: carrier.into(),
        tracking_number: tracking_number.into(),
        at: day(6),
    }
}

fn drop_off() -> ReturnCommand {
    ReturnCommand::DropOff {
        pickup_point_id: sample_pickup_point_id(),
        at: day(7),
    }
}

fn dropped_off() -> ReturnEvent {
    ReturnEvent::DropOffArranged {
        pickup_point_id: sample_pickup_point_id(),
        at: day(7),
    }
}

#[test]
fn issuing_a_label_records_the_reverse_shipment() {
    rma()
        .given(approved_history())
        .when(label(SAMPLE_CARRIER, SAMPLE_TRACKING_NUMBER))
        .then_expect_events(vec![label_issued()]);
}

#[test]
fn arranging_a_drop_off_records_the_pickup_point() {
    rma()
        .given(approved_history())
        .when(drop_off())
        .then_expect_events(vec![dropped_off()]);
}

#[test]
fn logistics_may_be_rearranged_until_the_goods_arrive() {
    rma()
        .given(vec![requested(), approved(), label_issued()])
        .when(drop_off())
        .then_expect_events(vec![dropped_off()]);
    let state = replay(vec![requested(), approved(), label_issued(), dropped_off()]);
    assert_eq!(
        state.state().and_then(|s| s.logistics.clone()),
        Some(ReturnLogistics::DropOff {
            pickup_point_id: sample_pickup_point_id()
        })
    );
}

#[test]
fn no_label_or_drop_off_after_receipt() {
    for command in [label(SAMPLE_CARRIER, SAMPLE_TRACKING_NUMBER), drop_off()] {
        rma()
            .given(received_history())
            .when(command)
            .then_expect_error(ReturnError::AlreadyReceived);
    }
}

#[test]
fn carrier_and_tracking_number_must_be_url_safe() {
    rma()
        .given(approved_history())
        .when(label("sf express", SAMPLE_TRACKING_NUMBER))
        .then_expect_error(ReturnError::Validation(
            ValidationError::DisallowedCharacter {
                field: "carrier",
                character: ' ',
            },
        ));
    rma()
        .given(approved_history())
        .when(label(SAMPLE_CARRIER, ""))
        .then_expect_error(ReturnError::Validation(ValidationError::Empty {
            field: "tracking_number",
        }));
}
